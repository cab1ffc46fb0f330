//! Arrow C data interface tests.
