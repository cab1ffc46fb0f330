//! Helpers for the cross-crate tests in `tests/tests/`: finding a Python with numpy and talking
//! to it.
