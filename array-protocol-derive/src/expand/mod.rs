//! Code generation, one module per derive.

pub mod array;
pub mod element;
pub mod enums;
