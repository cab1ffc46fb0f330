//! Derive macros for `array-protocol`; see the re-exports in that crate for documentation.
