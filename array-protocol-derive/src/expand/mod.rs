//! Code generation, one module per derive.

pub mod element;
