//! Dotted keys: event-ruler joins object keys with `.` without escaping (`Path.java`,
//! `JsonRuleCompiler.parseObject`, `Event.traverseObject`), so a dotted key and the nested
//! keys it joins are one field, in a pattern and in an event. Every row was run through
//! aws/event-ruler v2.0.1 (`Machine.rulesForJSONEvent`, structured and unstructured).

use crate::check_matches_text;

#[test]
fn dotted_and_nested_keys_name_one_field() {
    check_matches_text(&[
        (r#"{"a.b": [1]}"#, r#"{"a": {"b": 1}}"#, true),
        (r#"{"a": {"b": [1]}}"#, r#"{"a.b": 1}"#, true),
        (r#"{"a.b": [1]}"#, r#"{"a.b": 1}"#, true),
        (r#"{"a": {"b.c": [1]}}"#, r#"{"a.b": {"c": 1}}"#, true),
        (
            r#"{"detail.state": {"value": ["ALARM"]}}"#,
            r#"{"detail": {"state.value": "ALARM"}}"#,
            true,
        ),
        (r#"{"a.b": [1]}"#, r#"{"a": {"b": 2}, "a.b": 1}"#, true),
        (
            r#"{"a.b": [2], "a": {"c": [3]}}"#,
            r#"{"a": {"c": 3}, "a.b": 2}"#,
            true,
        ),
        (r#"{"a": [{"exists": false}]}"#, r#"{"a.b": 1}"#, true),
        (r#"{"a.b": [{"exists": false}]}"#, r#"{"a.b": 1}"#, false),
        (r#"{"a": [1]}"#, r#"{"a": 1, "a.b": 2}"#, true),
        (r#"{"a.b": [2]}"#, r#"{"a": 1, "a.b": 2}"#, true),
        (
            r#"{"a.b": [{"prefix": "x"}]}"#,
            r#"{"a": [{"b": "xy"}]}"#,
            true,
        ),
        (r#"{"a.b": [1]}"#, r#"{"a": {"b.c": 1}}"#, false),
        (
            r#"{"a.b": [1], "a": {"b": [2]}}"#,
            r#"{"a": {"b": 2}}"#,
            true,
        ),
        (
            r#"{"a.b": [1], "a": {"b": [2]}}"#,
            r#"{"a": {"b": 1}}"#,
            false,
        ),
        (
            r#"{"a": {"b.c": [1], "d": [2]}}"#,
            r#"{"a": [{"b": {"c": 1}, "d": 2}]}"#,
            true,
        ),
        (
            r#"{"a": {"b.c": [1], "d": [2]}}"#,
            r#"{"a": [{"b.c": 1, "d": 2}]}"#,
            true,
        ),
        (
            r#"{"a": {"b.c": [1], "d": [2]}}"#,
            r#"{"a": [{"b.c": 1}, {"d": 2}]}"#,
            false,
        ),
        (r#"{"a": {"": [1]}}"#, r#"{"a.": 1}"#, true),
        (
            r#"{"a": {"b": [{"numeric": [">", 0]}]}}"#,
            r#"{"a.b": 5}"#,
            true,
        ),
        (
            r#"{"a": {"b": [{"anything-but": "x"}]}}"#,
            r#"{"a.b": "y"}"#,
            true,
        ),
        (
            r#"{"a.b.c": [{"wildcard": "x*"}]}"#,
            r#"{"a": {"b.c": "xyz"}}"#,
            true,
        ),
    ]);
}

#[test]
fn dotted_pattern_keys_in_many_rules_share_the_matcher() {
    use tocsin_pattern::{Matcher, Pattern};
    let p = |s: &str| Pattern::parse(s).expect("valid");
    let m = Matcher::new([
        (1, p(r#"{"detail.state": {"value": ["ALARM"]}}"#)),
        (2, p(r#"{"detail": {"state.value": ["OK"]}}"#)),
        (
            3,
            p(r#"{"detail": {"state": {"value": [{"prefix": "AL"}]}}}"#),
        ),
    ]);
    let rules = |t: &str| m.matching_rules_str(t).expect("json");
    assert_eq!(
        rules(r#"{"detail": {"state": {"value": "ALARM"}}}"#),
        vec![1, 3]
    );
    assert_eq!(rules(r#"{"detail.state.value": "ALARM"}"#), vec![1, 3]);
    assert_eq!(rules(r#"{"detail.state": {"value": "OK"}}"#), vec![2]);
    // a dotted key no rule looks along is skipped like any other
    assert_eq!(
        rules(r#"{"app.kubernetes.io/name": "x", "detail": {"state": {"value": "OK"}}}"#),
        vec![2]
    );
}
