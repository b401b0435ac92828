//! `wildcard`.
//!
//! Source: EventBridge user guide, "Content filtering" > "Wildcard matching"
//! (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns-content-based-filtering.html)
//! and aws/event-ruler README "Wildcard matching" (`*` matches zero or more characters, `\*`
//! and `\\` escape, consecutive `*` are rejected). Messages: event-ruler `WildcardParser`.

use serde_json::json;

use crate::{check_invalid, check_matches};

#[test]
fn wildcard_matching() {
    let simple = r#"{"source": [{"wildcard": "Simple*Service"}]}"#;
    let path = r#"{"EventBusArn": [{"wildcard": "arn:aws:events:us-east-1:*:event-bus/*"}]}"#;
    check_matches(&[
        (simple, json!({"source": "SimpleQueueService"}), true),
        (simple, json!({"source": "SimpleNotificationService"}), true),
        (simple, json!({"source": "SimpleService"}), true),
        (simple, json!({"source": "simpleQueueService"}), false),
        (simple, json!({"source": "SimpleQueueServices"}), false),
        (simple, json!({"source": 1}), false),
        (
            path,
            json!({"EventBusArn": "arn:aws:events:us-east-1:123456789012:event-bus/default"}),
            true,
        ),
        (
            path,
            json!({"EventBusArn": "arn:aws:events:us-west-2:123456789012:event-bus/default"}),
            false,
        ),
        (r#"{"v": [{"wildcard": "*"}]}"#, json!({"v": ""}), true),
        (r#"{"v": [{"wildcard": "*"}]}"#, json!({"v": "x"}), true),
        (r#"{"v": [{"wildcard": "*"}]}"#, json!({"v": null}), false),
        (
            r#"{"v": [{"wildcard": "*.png"}]}"#,
            json!({"v": "a.png"}),
            true,
        ),
        (
            r#"{"v": [{"wildcard": "*.png"}]}"#,
            json!({"v": "a.png.jpg"}),
            false,
        ),
        (
            r#"{"v": [{"wildcard": "a*b*c"}]}"#,
            json!({"v": "abbbc"}),
            true,
        ),
        (
            r#"{"v": [{"wildcard": "a*b*c"}]}"#,
            json!({"v": "acb"}),
            false,
        ),
        (
            r#"{"v": [{"wildcard": "exact"}]}"#,
            json!({"v": "exact"}),
            true,
        ),
        (
            r#"{"v": [{"wildcard": "exact"}]}"#,
            json!({"v": "exactly"}),
            false,
        ),
        (
            r#"{"v": [{"wildcard": "a\\*b"}]}"#,
            json!({"v": "a*b"}),
            true,
        ),
        (
            r#"{"v": [{"wildcard": "a\\*b"}]}"#,
            json!({"v": "axb"}),
            false,
        ),
        (
            r#"{"v": [{"wildcard": "a\\\\*"}]}"#,
            json!({"v": "a\\bc"}),
            true,
        ),
        (
            r#"{"v": [{"wildcard": "a\\\\*"}]}"#,
            json!({"v": "abc"}),
            false,
        ),
        (
            r#"{"v": [{"wildcard": "*/lib/*"}]}"#,
            json!({"v": ["/x", "/usr/lib/y"]}),
            true,
        ),
    ]);
}

#[test]
fn wildcard_errors() {
    check_invalid(&[
        (
            r#"{"v": [{"wildcard": 5}]}"#,
            "wildcard match pattern must be a string",
        ),
        (
            r#"{"v": [{"wildcard": ["*"]}]}"#,
            "wildcard match pattern must be a string",
        ),
        (
            r#"{"v": [{"wildcard": "a**"}]}"#,
            "Consecutive wildcard characters at pos 2",
        ),
        (
            r#"{"v": [{"wildcard": "**"}]}"#,
            "Consecutive wildcard characters at pos 1",
        ),
        (
            r#"{"v": [{"wildcard": "a\\b"}]}"#,
            "Invalid escape character at pos 2",
        ),
        (
            r#"{"v": [{"wildcard": "ab\\"}]}"#,
            "Invalid escape character at pos 3",
        ),
        (
            r#"{"v": [{"wildcard": "*", "x": 1}]}"#,
            "Only one key allowed in match expression",
        ),
    ]);
}
