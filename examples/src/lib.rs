//! Runnable examples of the `marslog` crate: `cargo run -p marslog-examples --example NAME`.
