//! `$or`.
//!
//! Source: EventBridge user guide, "Content filtering" > "Complex example with `$or` matching"
//! and "Comparison operators" row "Or" (`$or` at any level, each alternative an object, at
//! least two)
//! (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns-content-based-filtering.html).
//! Messages: aws/event-ruler `JsonRuleCompiler.parseIntoOrRelationship`.

use serde_json::json;
use tocsin_pattern::{MAX_BRANCHES, Pattern};

use crate::{check_invalid, check_matches};

#[test]
fn doc_example() {
    let p = r#"{"detail": {"$or": [{"c-count": [{"numeric": [">", 0, "<=", 5]}]}, {"d-count": [{"numeric": ["<", 10]}]}, {"x-limit": [{"numeric": ["=", 3.018e2]}]}]}}"#;
    check_matches(&[
        (p, json!({"detail": {"c-count": 3}}), true),
        (p, json!({"detail": {"d-count": 3}}), true),
        (p, json!({"detail": {"x-limit": 301.8}}), true),
        (
            p,
            json!({"detail": {"c-count": 30, "d-count": 30, "x-limit": 1}}),
            false,
        ),
        (p, json!({"detail": {"c-count": 30, "d-count": 3}}), true),
        (p, json!({"detail": {}}), false),
    ]);
}

#[test]
fn top_level_and_mixed() {
    let p = r#"{"source": ["aws.cloudwatch"], "$or": [{"metricName": ["CPUUtilization", "ReadLatency"]}, {"namespace": ["AWS/EC2", "AWS/ES"]}]}"#;
    check_matches(&[
        (
            p,
            json!({"source": "aws.cloudwatch", "metricName": "ReadLatency"}),
            true,
        ),
        (
            p,
            json!({"source": "aws.cloudwatch", "namespace": "AWS/ES"}),
            true,
        ),
        (
            p,
            json!({"source": "aws.ec2", "namespace": "AWS/ES"}),
            false,
        ),
        (
            p,
            json!({"source": "aws.cloudwatch", "namespace": "AWS/S3"}),
            false,
        ),
        (p, json!({"source": "aws.cloudwatch"}), false),
    ]);
}

#[test]
fn nested_or() {
    let p = r#"{"$or": [{"a": ["1"]}, {"$or": [{"b": ["2"]}, {"c": {"$or": [{"d": ["3"]}, {"e": ["4"]}]}}]}]}"#;
    let cross = r#"{"$or": [{"a": [1]}, {"b": [2]}], "x": {"$or": [{"c": [3]}, {"d": [4]}]}}"#;
    check_matches(&[
        (p, json!({"a": "1"}), true),
        (p, json!({"b": "2"}), true),
        (p, json!({"c": {"d": "3"}}), true),
        (p, json!({"c": {"e": "4"}}), true),
        (p, json!({"c": {"f": "4"}}), false),
        (p, json!({"d": "3"}), false),
        // sequential $or's multiply: (a or b) and (x.c or x.d)
        (cross, json!({"a": 1, "x": {"d": 4}}), true),
        (cross, json!({"b": 2, "x": {"c": 3}}), true),
        (cross, json!({"a": 1}), false),
        (cross, json!({"x": {"c": 3}}), false),
    ]);
    assert_eq!(Pattern::parse(cross).map(|p| p.branch_count()), Ok(4));
    assert_eq!(Pattern::parse(p).map(|p| p.branch_count()), Ok(4));
}

#[test]
fn or_with_exists_and_anything_but() {
    let p = r#"{"detail": {"$or": [{"state": [{"exists": false}]}, {"state": [{"anything-but": "ok"}]}]}}"#;
    check_matches(&[
        (p, json!({"detail": {}}), true),
        (p, json!({"detail": {"state": "bad"}}), true),
        (p, json!({"detail": {"state": "ok"}}), false),
    ]);
}

#[test]
fn or_errors() {
    check_invalid(&[
        (
            r#"{"$or": {"a": [1]}}"#,
            "It must be an Array followed with $or.",
        ),
        (r#"{"$or": "a"}"#, "It must be an Array followed with $or."),
        (
            r#"{"$or": [{"a": [1]}]}"#,
            "There must have at least 2 Objects in $or relationship.",
        ),
        (
            r#"{"$or": []}"#,
            "There must have at least 2 Objects in $or relationship.",
        ),
        (
            r#"{"$or": [{"a": [1]}, "b"]}"#,
            "Only JSON object is allowed in array of $or relationship.",
        ),
        (
            r#"{"$or": [{"a": [1]}, ["b"]]}"#,
            "Only JSON object is allowed in array of $or relationship.",
        ),
        (
            r#"{"$or": [{"a": [1]}, {}]}"#,
            "Empty objects are not allowed",
        ),
        (
            r#"{"$or": [{"a": [1]}, {"b": []}]}"#,
            "Empty arrays are not allowed",
        ),
        (
            r#"{"$or": [{"a": [1]}, {"numeric": [1]}]}"#,
            "numeric is Ruler reserved fieldName which cannot be used inside $or.",
        ),
        (
            r#"{"a": {"$or": [{"prefix": ["x"]}, {"b": [1]}]}}"#,
            "prefix is Ruler reserved fieldName which cannot be used inside $or.",
        ),
        (
            r#"{"$or": [{"x": {"anything-but": ["y"]}}, {"b": [1]}]}"#,
            "anything-but is Ruler reserved fieldName which cannot be used inside $or.",
        ),
    ]);
}

#[test]
fn reserved_names_are_fine_outside_or() {
    check_matches(&[(r#"{"prefix": ["x"]}"#, json!({"prefix": "x"}), true)]);
}

#[test]
fn too_many_alternatives() {
    // 11 sequential two-way $or's is 2048 alternatives.
    let ors: Vec<String> = (0..11)
        .map(|i| format!(r#""k{i}": {{"$or": [{{"a": [1]}}, {{"b": [2]}}]}}"#))
        .collect();
    let src = format!("{{{}}}", ors.join(", "));
    let err = Pattern::parse(&src).expect_err("too many alternatives");
    assert!(err.reason().starts_with("Rule is too complex"), "{err}");
    // 10 of them (1024) is within the limit
    let src = format!("{{{}}}", ors[..10].join(", "));
    assert_eq!(
        Pattern::parse(&src).map(|p| p.branch_count()),
        Ok(MAX_BRANCHES)
    );
}
