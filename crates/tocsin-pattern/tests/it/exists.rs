//! `exists`.
//!
//! Source: EventBridge user guide, "Content filtering" > "Exists matching" ("Exists matching
//! only works on leaf nodes. It does not work on intermediate nodes."; `exists: false` matches
//! when the field is absent)
//! (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns-content-based-filtering.html).

use serde_json::json;

use crate::{check_invalid, check_matches};

#[test]
fn exists_true() {
    let p = r#"{"detail": {"state": [{"exists": true}]}}"#;
    check_matches(&[
        (p, json!({"detail": {"state": "pending"}}), true),
        (p, json!({"detail": {"state": ""}}), true),
        (p, json!({"detail": {"state": null}}), true),
        (p, json!({"detail": {"state": 0}}), true),
        (p, json!({"detail": {"state": false}}), true),
        (p, json!({"detail": {"state": ["a"]}}), true),
        (p, json!({"detail": {"state": []}}), false),
        (p, json!({"detail": {"c-count": {"c1": 100}}}), false),
        (p, json!({"detail": {}}), false),
        (p, json!({"detail": "state"}), false),
        (p, json!({}), false),
        // an object is an intermediate node, not a leaf
        (p, json!({"detail": {"state": {"value": "x"}}}), false),
        (p, json!({"detail": {"state": [{"value": "x"}]}}), false),
    ]);
}

#[test]
fn exists_false() {
    let p = r#"{"detail": {"c-count": [{"exists": false}]}}"#;
    check_matches(&[
        (
            p,
            json!({"detail": {"state": ["initializing", "running"]}}),
            true,
        ),
        (p, json!({"detail": {}}), true),
        (p, json!({}), true),
        (p, json!({"detail": "x"}), true),
        (p, json!({"detail": {"c-count": 1}}), false),
        (p, json!({"detail": {"c-count": null}}), false),
        (p, json!({"detail": {"c-count": ""}}), false),
        (p, json!({"detail": {"c-count": []}}), true),
        (p, json!({"detail": {"c-count": {"c1": 100}}}), true),
        // together with other fields
        (
            r#"{"source": ["x"], "detail": {"c-count": [{"exists": false}]}}"#,
            json!({"source": "x", "detail": {}}),
            true,
        ),
        (
            r#"{"source": ["x"], "detail": {"c-count": [{"exists": false}]}}"#,
            json!({"source": "y", "detail": {}}),
            false,
        ),
        // any-of with a value: absent or "x"
        (r#"{"v": [{"exists": false}, "x"]}"#, json!({}), true),
        (
            r#"{"v": [{"exists": false}, "x"]}"#,
            json!({"v": "x"}),
            true,
        ),
        (
            r#"{"v": [{"exists": false}, "x"]}"#,
            json!({"v": "y"}),
            false,
        ),
    ]);
}

#[test]
fn exists_errors() {
    check_invalid(&[
        (
            r#"{"v": [{"exists": "true"}]}"#,
            "exists match pattern must be either true or false.",
        ),
        (
            r#"{"v": [{"exists": 1}]}"#,
            "exists match pattern must be either true or false.",
        ),
        (
            r#"{"v": [{"exists": null}]}"#,
            "exists match pattern must be either true or false.",
        ),
        (
            r#"{"v": [{"exists": true, "x": 1}]}"#,
            "Only one key allowed in match expression",
        ),
    ]);
}
