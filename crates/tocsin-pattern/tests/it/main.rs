//! Integration tests for `tocsin-pattern`: one test binary, one module per area.
//!
//! Each module cites the EventBridge user-guide page its cases come from. Cases are tables of
//! (pattern, event, expected) or (pattern, reason) rows checked by the helpers below, which
//! report the failing row.

mod anything_but;
mod cidr;
mod complexity;
mod dotted;
mod equality;
mod exists;
mod matcher;
mod numeric;
mod or;
mod props;
mod samples;
mod string_ops;
mod validation;
mod wildcard;

use serde_json::Value;
use tocsin_pattern::{Matcher, Pattern};

/// Parses a pattern that must be valid.
#[track_caller]
pub fn pattern(src: &str) -> Pattern {
    match Pattern::parse(src) {
        Ok(p) => p,
        Err(e) => panic!("pattern {src} should be valid, got: {e}"),
    }
}

/// Checks rows of (pattern, event, expected match).
#[track_caller]
pub fn check_matches(rows: &[(&str, Value, bool)]) {
    for (i, (src, event, expected)) in rows.iter().enumerate() {
        let p = pattern(src);
        assert_eq!(
            p.matches(event),
            *expected,
            "row {i}: pattern {src} against event {event} should {}match",
            if *expected { "" } else { "not " }
        );
    }
}

/// Checks rows of (pattern, event text, expected match) every way an event is read: parsed
/// and given to [`Pattern::matches`], and as text to a [`Matcher`] (its byte scanner, or the
/// pruned parse where the scanner declines), so the numbers and keys are read as written.
#[track_caller]
pub fn check_matches_text(rows: &[(&str, &str, bool)]) {
    for (i, (src, text, expected)) in rows.iter().enumerate() {
        let p = pattern(src);
        let event: Value = match serde_json::from_str(text) {
            Ok(v) => v,
            Err(e) => panic!("row {i}: event {text} is not JSON: {e}"),
        };
        let want = if *expected { "" } else { "not " };
        assert_eq!(
            p.matches(&event),
            *expected,
            "row {i}: pattern {src} against event {text} should {want}match (Pattern::matches)"
        );
        let m = Matcher::new([(0u8, p.clone())]);
        let got = match m.matching_rules_str(text) {
            Ok(rules) => !rules.is_empty(),
            Err(e) => panic!("row {i}: event {text} refused by the matcher: {e}"),
        };
        assert_eq!(
            got, *expected,
            "row {i}: pattern {src} against event {text} should {want}match (Matcher, text)"
        );
        assert_eq!(
            !m.matching_rules(&event).is_empty(),
            *expected,
            "row {i}: pattern {src} against event {text} should {want}match (Matcher, value)"
        );
    }
}

/// Checks rows of (pattern, expected reason).
#[track_caller]
pub fn check_invalid(rows: &[(&str, &str)]) {
    for (i, (src, reason)) in rows.iter().enumerate() {
        match Pattern::parse(src) {
            Ok(p) => panic!("row {i}: pattern {src} should be invalid ({reason}), got {p:?}"),
            Err(e) => {
                assert_eq!(e.reason(), *reason, "row {i}: pattern {src}");
                assert_eq!(
                    e.to_string(),
                    format!("Event pattern is not valid. Reason: {reason}"),
                    "row {i}: Display of {src}"
                );
            }
        }
    }
}

/// Checks rows of patterns that must be valid.
#[track_caller]
pub fn check_valid(rows: &[&str]) {
    for src in rows {
        pattern(src);
    }
}
