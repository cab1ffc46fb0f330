//! Examples for `array-protocol`; run them with `cargo run --example NAME`.
