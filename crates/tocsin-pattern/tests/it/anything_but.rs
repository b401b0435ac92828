//! `anything-but`.
//!
//! Source: EventBridge user guide, "Content filtering" > "Anything-but matching" (single
//! string, single number, list of strings, list of numbers, `prefix`) and "Comparison operators
//! for use in event patterns" (rows "Anything-but (begins with)", "(ends with)", "(ignore
//! case)", "using a wildcard")
//! (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns-content-based-filtering.html,
//! https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-create-pattern-operators.html).
//! A value of another type than the excluded ones is "anything but" them (event-ruler
//! `ByteMachine`); an absent field never matches. Messages: aws/event-ruler `JsonRuleCompiler`.

use serde_json::json;

use crate::{check_invalid, check_matches, check_valid};

#[test]
fn single_values() {
    let s = r#"{"detail": {"state": [{"anything-but": "initializing"}]}}"#;
    let n = r#"{"detail": {"x-limit": [{"anything-but": 123}]}}"#;
    check_matches(&[
        (s, json!({"detail": {"state": "running"}}), true),
        (s, json!({"detail": {"state": "initializing"}}), false),
        (s, json!({"detail": {"state": "Initializing"}}), true),
        (s, json!({"detail": {"state": ""}}), true),
        (s, json!({"detail": {"state": 5}}), true),
        (s, json!({"detail": {"state": null}}), true),
        (s, json!({"detail": {}}), false),
        (s, json!({"detail": {"state": ["initializing"]}}), false),
        (
            s,
            json!({"detail": {"state": ["initializing", "running"]}}),
            true,
        ),
        (s, json!({"detail": {"state": []}}), false),
        (n, json!({"detail": {"x-limit": 124}}), true),
        (n, json!({"detail": {"x-limit": 123}}), false),
        (n, json!({"detail": {"x-limit": 123.0}}), false),
        (n, json!({"detail": {"x-limit": 1.23e2}}), false),
        (n, json!({"detail": {"x-limit": "123"}}), true),
        (n, json!({}), false),
    ]);
}

#[test]
fn lists() {
    let s = r#"{"detail": {"state": [{"anything-but": ["stopped", "overloaded"]}]}}"#;
    let n = r#"{"detail": {"x-limit": [{"anything-but": [100, 200, 300]}]}}"#;
    check_matches(&[
        (s, json!({"detail": {"state": "running"}}), true),
        (s, json!({"detail": {"state": "stopped"}}), false),
        (s, json!({"detail": {"state": "overloaded"}}), false),
        (
            s,
            json!({"detail": {"state": ["stopped", "overloaded"]}}),
            false,
        ),
        (s, json!({"detail": {"state": ["stopped", "ok"]}}), true),
        (n, json!({"detail": {"x-limit": 150}}), true),
        (n, json!({"detail": {"x-limit": 200}}), false),
        (n, json!({"detail": {"x-limit": 300.0}}), false),
        (n, json!({"detail": {"x-limit": [100, 200]}}), false),
        (n, json!({"detail": {"x-limit": [100, 201]}}), true),
    ]);
}

#[test]
fn with_prefix_and_suffix() {
    let pre = r#"{"detail": {"state": [{"anything-but": {"prefix": "init"}}]}}"#;
    let aws = r#"{"source": [{"anything-but": {"prefix": "aws."}}]}"#;
    let suf = r#"{"FileName": [{"anything-but": {"suffix": ".png"}}]}"#;
    let pre_list = r#"{"Region": [{"anything-but": {"prefix": ["us-", "eu-"]}}]}"#;
    check_matches(&[
        (pre, json!({"detail": {"state": "running"}}), true),
        (pre, json!({"detail": {"state": "initializing"}}), false),
        (pre, json!({"detail": {"state": "init"}}), false),
        (pre, json!({"detail": {"state": "Init"}}), true),
        (pre, json!({"detail": {"state": 5}}), true),
        (pre, json!({"detail": {}}), false),
        (aws, json!({"source": "com.mycompany.myapp"}), true),
        (aws, json!({"source": "aws.ec2"}), false),
        (suf, json!({"FileName": "image.jpg"}), true),
        (suf, json!({"FileName": "image.png"}), false),
        (suf, json!({"FileName": ["a.png", "b.gif"]}), true),
        (pre_list, json!({"Region": "ap-south-1"}), true),
        (pre_list, json!({"Region": "us-east-1"}), false),
        (pre_list, json!({"Region": "eu-west-1"}), false),
    ]);
}

#[test]
fn with_equals_ignore_case_and_wildcard() {
    let ic = r#"{"state": [{"anything-but": {"equals-ignore-case": "initializing"}}]}"#;
    let ic_list = r#"{"state": [{"anything-but": {"equals-ignore-case": ["a", "B"]}}]}"#;
    let wc = r#"{"FilePath": [{"anything-but": {"wildcard": "*/lib/*"}}]}"#;
    let wc_list = r#"{"FilePath": [{"anything-but": {"wildcard": ["*.tmp", "/var/*"]}}]}"#;
    check_matches(&[
        (ic, json!({"state": "running"}), true),
        (ic, json!({"state": "INITIALIZING"}), false),
        (ic, json!({"state": "Initializing"}), false),
        (ic_list, json!({"state": "b"}), false),
        (ic_list, json!({"state": "A"}), false),
        (ic_list, json!({"state": "c"}), true),
        (wc, json!({"FilePath": "/usr/lib/libc.so"}), false),
        (wc, json!({"FilePath": "/usr/bin/ls"}), true),
        (wc_list, json!({"FilePath": "/home/x.tmp"}), false),
        (wc_list, json!({"FilePath": "/var/log"}), false),
        (wc_list, json!({"FilePath": "/home/x.txt"}), true),
    ]);
}

#[test]
fn anything_but_errors() {
    let mixed = "Inside anything but list, either all values are number or string, mixed type is not supported";
    check_invalid(&[
        (
            r#"{"a": [{"anything-but": null}]}"#,
            "Value of anything-but must be an array or single string/number value.",
        ),
        (
            r#"{"a": [{"anything-but": true}]}"#,
            "Value of anything-but must be an array or single string/number value.",
        ),
        (r#"{"a": [{"anything-but": ["x", 1]}]}"#, mixed),
        (r#"{"a": [{"anything-but": []}]}"#, mixed),
        (
            r#"{"a": [{"anything-but": ["x", null]}]}"#,
            "Inside anything but list, start|null|boolean is not supported.",
        ),
        (
            r#"{"a": [{"anything-but": [true]}]}"#,
            "Inside anything but list, start|null|boolean is not supported.",
        ),
        (
            r#"{"a": [{"anything-but": [["x"]]}]}"#,
            "Inside anything but list, start|null|boolean is not supported.",
        ),
        (
            r#"{"a": [{"anything-but": {}}]}"#,
            "Anything-But expression name not found",
        ),
        (
            r#"{"a": [{"anything-but": {"numeric": [">", 1]}}]}"#,
            "Unsupported anything-but pattern: numeric",
        ),
        (
            r#"{"a": [{"anything-but": {"exists": true}}]}"#,
            "Unsupported anything-but pattern: exists",
        ),
        (
            r#"{"a": [{"anything-but": {"prefix": null}}]}"#,
            "Value of anything-but must be an array or single string/number value.",
        ),
        (
            r#"{"a": [{"anything-but": {"prefix": 5}}]}"#,
            "prefix/suffix match pattern must be a string",
        ),
        (
            r#"{"a": [{"anything-but": {"suffix": [5]}}]}"#,
            "prefix/suffix match pattern must be a string",
        ),
        (
            r#"{"a": [{"anything-but": {"prefix": ""}}]}"#,
            "Null prefix/suffix not allowed",
        ),
        (
            r#"{"a": [{"anything-but": {"suffix": ["x", ""]}}]}"#,
            "Null prefix/suffix not allowed",
        ),
        (
            r#"{"a": [{"anything-but": {"equals-ignore-case": 5}}]}"#,
            "Inside anything-but/equals-ignore-case list, number|start|null|boolean is not supported.",
        ),
        (
            r#"{"a": [{"anything-but": {"equals-ignore-case": ["x", null]}}]}"#,
            "Inside anything-but/equals-ignore-case list, number|start|null|boolean is not supported.",
        ),
        (
            r#"{"a": [{"anything-but": {"wildcard": 5}}]}"#,
            "wildcard match pattern must be a string",
        ),
        (
            r#"{"a": [{"anything-but": {"wildcard": "a**"}}]}"#,
            "Consecutive wildcard characters at pos 2",
        ),
        (
            r#"{"a": [{"anything-but": {"wildcard": ["ok*", "x\\y"]}}]}"#,
            "Invalid escape character at pos 2",
        ),
        (
            r#"{"a": [{"anything-but": {"prefix": "a", "suffix": "b"}}]}"#,
            "Too many elements in numeric expression",
        ),
        (
            r#"{"a": [{"anything-but": "x", "prefix": "y"}]}"#,
            "Too many elements in numeric expression",
        ),
        (
            r#"{"a": [{"anything-but": 5000000001}]}"#,
            "Value must be between -5.0E9 and 5.0E9, inclusive",
        ),
        (
            r#"{"a": [{"anything-but": [1, 0.1234567]}]}"#,
            "Only values upto 6 decimals are supported",
        ),
    ]);
}

#[test]
fn anything_but_valid_forms() {
    check_valid(&[
        r#"{"a": [{"anything-but": ""}]}"#,
        r#"{"a": [{"anything-but": 0}]}"#,
        r#"{"a": [{"anything-but": [-1.5, 2]}]}"#,
        r#"{"a": [{"anything-but": {"equals-ignore-case": ""}}]}"#,
        r#"{"a": [{"anything-but": {"wildcard": "*"}}]}"#,
        r#"{"a": [{"anything-but": {"prefix": []}}]}"#,
    ]);
}
