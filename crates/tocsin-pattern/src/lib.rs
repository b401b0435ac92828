//! Placeholder: replaced by the pattern engine.
