//! Placeholder: replaced by the SPA.
fn main() {}
