//! Fuzz target: pattern parsing and matching.
//!
//! Input: `PATTERN[\x01PATTERN...]\x00EVENT` (no `\x00`: the whole input is one pattern and
//! the event is `{}`). Every pattern is parsed (errors are fine, panics are not); for an event
//! that is JSON, each valid pattern is matched and explained, and a `Matcher` over all of them
//! must return exactly the patterns that match alone, from the parsed event and from its text.

#![no_main]

use libfuzzer_sys::fuzz_target;
use serde_json::Value;
use tocsin_pattern::{Matcher, Pattern};

fuzz_target!(|data: &[u8]| {
    let (patterns, event) = match data.iter().position(|&b| b == 0) {
        Some(at) => (&data[..at], &data[at + 1..]),
        None => (data, &b"{}"[..]),
    };
    let parsed: Vec<Pattern> = patterns
        .split(|&b| b == 1)
        .take(8)
        .filter_map(|p| std::str::from_utf8(p).ok())
        .filter_map(|p| Pattern::parse(p).ok())
        .collect();
    let Ok(event_text) = std::str::from_utf8(event) else {
        return;
    };
    let matcher = Matcher::new(parsed.iter().cloned().enumerate());
    let Ok(event) = serde_json::from_str::<Value>(event_text) else {
        assert!(matcher.matching_rules_str(event_text).is_err());
        return;
    };
    let mut expected = Vec::new();
    for (i, p) in parsed.iter().enumerate() {
        let _ = p.field_paths();
        let matched = p.matches(&event);
        assert_eq!(p.explain(&event).matched, matched, "explain disagrees");
        if matched {
            expected.push(i);
        }
    }
    assert_eq!(matcher.matching_rules(&event), expected, "matcher disagrees");
    assert_eq!(
        matcher.matching_rules_str(event_text).ok(),
        Some(expected),
        "matching_rules_str disagrees"
    );
});
