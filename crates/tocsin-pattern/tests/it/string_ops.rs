//! `suffix`, `equals-ignore-case`, and `prefix`/`suffix` with `equals-ignore-case`.
//!
//! Source: EventBridge user guide, "Content filtering"
//! (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns-content-based-filtering.html:
//! "Suffix matching", "Equals-ignore-case matching") and "Comparison operators for use in event
//! patterns" (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-create-pattern-operators.html:
//! rows "Ends with", "Begins with (ignore case)", "Ends with (ignore case)",
//! "Equals (ignore case)"). Messages: aws/event-ruler `JsonRuleCompiler`.

use serde_json::json;

use crate::{check_invalid, check_matches};

#[test]
fn suffix() {
    let p = r#"{"FileName": [{"suffix": ".png"}]}"#;
    check_matches(&[
        (p, json!({"FileName": "image.png"}), true),
        (p, json!({"FileName": ".png"}), true),
        (p, json!({"FileName": "image.PNG"}), false),
        (p, json!({"FileName": "image.png.gz"}), false),
        (p, json!({"FileName": "png"}), false),
        (p, json!({"FileName": ["a.jpg", "b.png"]}), true),
        (p, json!({"FileName": 5}), false),
        (p, json!({}), false),
        (r#"{"v": [{"suffix": ""}]}"#, json!({"v": "x"}), true),
        (r#"{"v": [{"suffix": "Fé"}]}"#, json!({"v": "café"}), false),
        (r#"{"v": [{"suffix": "é"}]}"#, json!({"v": "café"}), true),
        (
            r#"{"v": [{"suffix": ".png"}, {"prefix": "img"}]}"#,
            json!({"v": "img.gif"}),
            true,
        ),
    ]);
}

#[test]
fn equals_ignore_case() {
    let p =
        r#"{"detail-type": [{"equals-ignore-case": "ec2 instance state-change notification"}]}"#;
    check_matches(&[
        (
            p,
            json!({"detail-type": "EC2 Instance State-change Notification"}),
            true,
        ),
        (
            p,
            json!({"detail-type": "ec2 instance state-change notification"}),
            true,
        ),
        (
            p,
            json!({"detail-type": "EC2 INSTANCE STATE-CHANGE NOTIFICATION"}),
            true,
        ),
        (
            p,
            json!({"detail-type": "EC2 Instance State-change Notification!"}),
            false,
        ),
        (
            p,
            json!({"detail-type": ["x", "Ec2 Instance State-Change Notification"]}),
            true,
        ),
        (
            r#"{"Name": [{"equals-ignore-case": "alice"}]}"#,
            json!({"Name": "Alice"}),
            true,
        ),
        (
            r#"{"Name": [{"equals-ignore-case": "alice"}]}"#,
            json!({"Name": "Alicia"}),
            false,
        ),
        (
            r#"{"Name": [{"equals-ignore-case": "ÉTÉ"}]}"#,
            json!({"Name": "été"}),
            true,
        ),
        (
            r#"{"Name": [{"equals-ignore-case": "5"}]}"#,
            json!({"Name": 5}),
            false,
        ),
        (
            r#"{"Name": [{"equals-ignore-case": ""}]}"#,
            json!({"Name": ""}),
            true,
        ),
        (
            r#"{"Name": [{"equals-ignore-case": "true"}]}"#,
            json!({"Name": true}),
            false,
        ),
    ]);
}

#[test]
fn prefix_and_suffix_ignore_case() {
    let pre = r#"{"service": [{"prefix": {"equals-ignore-case": "eventb"}}]}"#;
    let suf = r#"{"service": [{"suffix": {"equals-ignore-case": "tbridge"}}]}"#;
    check_matches(&[
        (pre, json!({"service": "EventBridge"}), true),
        (pre, json!({"service": "EVENTBRIDGE"}), true),
        (pre, json!({"service": "eventb"}), true),
        (pre, json!({"service": "Event"}), false),
        (pre, json!({"service": "xEventBridge"}), false),
        (pre, json!({"service": 1}), false),
        (suf, json!({"service": "EventBridge"}), true),
        (suf, json!({"service": "EVENTBRIDGE"}), true),
        (suf, json!({"service": "EventBridges"}), false),
        (suf, json!({"service": "bridge"}), false),
        (suf, json!({"service": null}), false),
    ]);
}

#[test]
fn string_operator_errors() {
    check_invalid(&[
        (
            r#"{"a": [{"suffix": 5}]}"#,
            "suffix match pattern must be a string",
        ),
        (
            r#"{"a": [{"suffix": null}]}"#,
            "suffix match pattern must be a string",
        ),
        (
            r#"{"a": [{"suffix": ["x"]}]}"#,
            "suffix match pattern must be a string",
        ),
        (
            r#"{"a": [{"suffix": ".png", "x": 1}]}"#,
            "Only one key allowed in match expression",
        ),
        (
            r#"{"a": [{"equals-ignore-case": 5}]}"#,
            "equals-ignore-case match pattern must be a string",
        ),
        (
            r#"{"a": [{"equals-ignore-case": ["x"]}]}"#,
            "equals-ignore-case match pattern must be a string",
        ),
        (
            r#"{"a": [{"equals-ignore-case": "x", "prefix": "y"}]}"#,
            "Only one key allowed in match expression",
        ),
        (
            r#"{"a": [{"prefix": {}}]}"#,
            "Prefix expression name not found",
        ),
        (
            r#"{"a": [{"suffix": {}}]}"#,
            "Suffix expression name not found",
        ),
        (
            r#"{"a": [{"prefix": {"suffix": "x"}}]}"#,
            "Unsupported prefix pattern: suffix",
        ),
        (
            r#"{"a": [{"suffix": {"prefix": "x"}}]}"#,
            "Unsupported suffix pattern: prefix",
        ),
        (
            r#"{"a": [{"prefix": {"equals-ignore-case": 1}}]}"#,
            "equals-ignore-case match pattern must be a string",
        ),
        (
            r#"{"a": [{"suffix": {"equals-ignore-case": null}}]}"#,
            "equals-ignore-case match pattern must be a string",
        ),
        (
            r#"{"a": [{"prefix": {"equals-ignore-case": "x", "other": "y"}}]}"#,
            "Only one key allowed in match expression",
        ),
        (
            r#"{"a": [{"prefix": {"equals-ignore-case": "x"}, "other": "y"}]}"#,
            "Only one key allowed in match expression",
        ),
    ]);
}
