//! `tocsin pattern test`: the matcher rules use, on files, for operators and CI checks.

use std::path::Path;

use tocsin_pattern::Pattern;

/// Tests the event in `event_file` against the pattern in `pattern_file`. Returns the exit
/// code (0 match, 1 no match, 2 invalid or unreadable) and the text to print: the verdict on
/// the first line, then the field that decided it and why (from `Pattern::explain`).
pub fn test(pattern_file: &Path, event_file: &Path) -> (u8, String) {
    let read = |p: &Path| {
        std::fs::read_to_string(p).map_err(|e| format!("cannot read {}: {e}", p.display()))
    };
    let (pattern_text, event_text) = match (read(pattern_file), read(event_file)) {
        (Ok(p), Ok(e)) => (p, e),
        (Err(e), _) | (_, Err(e)) => return (2, e),
    };
    let pattern = match Pattern::parse(pattern_text.trim()) {
        Ok(p) => p,
        Err(e) => return (2, e.to_string()),
    };
    let event: serde_json::Value = match serde_json::from_str(&event_text) {
        Ok(v @ serde_json::Value::Object(_)) => v,
        Ok(_) => return (2, "Event is not valid: it must be a JSON object.".into()),
        Err(e) => return (2, format!("Event is not valid JSON: {e}")),
    };
    let explanation = pattern.explain(&event);
    let verdict = if explanation.matched {
        "matches"
    } else {
        "does not match"
    };
    let decided = explanation
        .deciding_field
        .map(|f| format!("\ndeciding field: {f}"))
        .unwrap_or_default();
    let text = format!("{verdict}{decided}\nreason: {}", explanation.reason);
    (if explanation.matched { 0 } else { 1 }, text)
}
