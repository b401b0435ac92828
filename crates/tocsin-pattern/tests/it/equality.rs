//! Exact values, value lists, nesting and arrays.
//!
//! Source: EventBridge user guide, "Event patterns" / "Event pattern syntax"
//! (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-create-pattern.html: "Matching
//! event values", "Arrays in EventBridge event patterns", "Considerations when creating event
//! patterns") and "Matching events on null values and empty strings"
//! (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns-null-values.html).

use serde_json::json;

use crate::check_matches;

#[test]
fn exact_strings() {
    check_matches(&[
        (
            r#"{"source": ["aws.ec2"]}"#,
            json!({"source": "aws.ec2"}),
            true,
        ),
        (
            r#"{"source": ["aws.ec2"]}"#,
            json!({"source": "aws.ec2 "}),
            false,
        ),
        (
            r#"{"source": ["aws.ec2"]}"#,
            json!({"source": "AWS.EC2"}),
            false,
        ),
        (
            r#"{"source": ["aws.ec2"]}"#,
            json!({"source": "aws"}),
            false,
        ),
        (
            r#"{"source": ["aws.ec2"]}"#,
            json!({"other": "aws.ec2"}),
            false,
        ),
        (r#"{"source": ["aws.ec2"]}"#, json!({}), false),
        (r#"{"source": ["aws.ec2"]}"#, json!({"source": null}), false),
        // a value list is any-of ("Matching event values")
        (
            r#"{"source": ["aws.ec2", "aws.fargate"]}"#,
            json!({"source": "aws.fargate"}),
            true,
        ),
        (
            r#"{"source": ["aws.ec2", "aws.fargate"]}"#,
            json!({"source": "aws.s3"}),
            false,
        ),
        // fields are all-of
        (
            r#"{"source": ["aws.ec2"], "detail-type": ["EC2 Instance State-change Notification"]}"#,
            json!({"source": "aws.ec2", "detail-type": "EC2 Instance State-change Notification"}),
            true,
        ),
        (
            r#"{"source": ["aws.ec2"], "detail-type": ["EC2 Instance State-change Notification"]}"#,
            json!({"source": "aws.ec2", "detail-type": "Other"}),
            false,
        ),
        (
            r#"{"source": ["aws.ec2"], "detail-type": ["EC2 Instance State-change Notification"]}"#,
            json!({"source": "aws.ec2"}),
            false,
        ),
        // unicode is compared as is
        (r#"{"name": ["café ☕"]}"#, json!({"name": "café ☕"}), true),
        (
            r#"{"name": ["café"]}"#,
            json!({"name": "cafe\u{301}"}),
            false,
        ),
        // escapes in the pattern text are JSON escapes
        (
            r#"{"q": ["a\"b\\c\u0041"]}"#,
            json!({"q": "a\"b\\cA"}),
            true,
        ),
    ]);
}

#[test]
fn typed_values_do_not_cross() {
    check_matches(&[
        (r#"{"v": ["5"]}"#, json!({"v": 5}), false),
        (r#"{"v": [5]}"#, json!({"v": "5"}), false),
        (r#"{"v": [true]}"#, json!({"v": true}), true),
        (r#"{"v": [true]}"#, json!({"v": "true"}), false),
        (r#"{"v": [true]}"#, json!({"v": false}), false),
        (r#"{"v": [false]}"#, json!({"v": false}), true),
        (r#"{"v": [false]}"#, json!({}), false),
        (r#"{"v": [true]}"#, json!({"v": 1}), false),
        (r#"{"v": [null]}"#, json!({"v": null}), true),
        (r#"{"v": [null]}"#, json!({"v": "null"}), false),
        (r#"{"v": [null]}"#, json!({}), false),
        (r#"{"v": ["null"]}"#, json!({"v": null}), false),
    ]);
}

#[test]
fn null_and_empty_string_differ() {
    // "Matching events on null values and empty strings": null and "" are not interchangeable
    check_matches(&[
        (
            r#"{"responseElements": [null]}"#,
            json!({"responseElements": null}),
            true,
        ),
        (
            r#"{"responseElements": [null]}"#,
            json!({"responseElements": ""}),
            false,
        ),
        (r#"{"LastName": [""]}"#, json!({"LastName": ""}), true),
        (r#"{"LastName": [""]}"#, json!({"LastName": null}), false),
        (r#"{"LastName": [""]}"#, json!({}), false),
        (
            r#"{"LastName": ["", null]}"#,
            json!({"LastName": null}),
            true,
        ),
        (r#"{"LastName": ["", null]}"#, json!({"LastName": ""}), true),
        (
            r#"{"LastName": ["", null]}"#,
            json!({"LastName": " "}),
            false,
        ),
    ]);
}

#[test]
fn numbers_compare_numerically() {
    check_matches(&[
        (r#"{"n": [300]}"#, json!({"n": 300}), true),
        (r#"{"n": [300]}"#, json!({"n": 300.0}), true),
        (r#"{"n": [300.0]}"#, json!({"n": 300}), true),
        (r#"{"n": [3e2]}"#, json!({"n": 300}), true),
        (r#"{"n": [3E2]}"#, json!({"n": 300.0}), true),
        (r#"{"n": [3.0e2]}"#, json!({"n": 300}), true),
        (r#"{"n": [300]}"#, json!({"n": 300.5}), false),
        (r#"{"n": [300]}"#, json!({"n": 301}), false),
        (r#"{"n": [-1]}"#, json!({"n": -1.0}), true),
        (r#"{"n": [0]}"#, json!({"n": -0.0}), true),
        (r#"{"n": [0.1]}"#, json!({"n": 0.1}), true),
        (r#"{"n": [1.5, 2.5]}"#, json!({"n": 2.5}), true),
        // account-number-sized integers stay exact
        (
            r#"{"account": [123456789012]}"#,
            json!({"account": 123456789012_u64}),
            true,
        ),
        (
            r#"{"account": [123456789012]}"#,
            json!({"account": 123456789013_u64}),
            false,
        ),
        (
            r#"{"account": [123456789012]}"#,
            json!({"account": "123456789012"}),
            false,
        ),
        (
            r#"{"big": [18446744073709551615]}"#,
            json!({"big": u64::MAX}),
            true,
        ),
    ]);
}

#[test]
fn nested_objects() {
    let p = r#"{"detail": {"state": ["terminated"]}}"#;
    let deep = r#"{"detail": {"state": {"value": ["ALARM"]}}}"#;
    check_matches(&[
        (p, json!({"detail": {"state": "terminated"}}), true),
        (p, json!({"detail": {"state": "running"}}), false),
        (p, json!({"detail": "terminated"}), false),
        (p, json!({"state": "terminated"}), false),
        (
            p,
            json!({"detail": {"other": {"state": "terminated"}}}),
            false,
        ),
        (
            p,
            json!({"detail": {"state": {"name": "terminated"}}}),
            false,
        ),
        (deep, json!({"detail": {"state": {"value": "ALARM"}}}), true),
        (deep, json!({"detail": {"state": {"value": "OK"}}}), false),
        (deep, json!({"detail": {"state": "ALARM"}}), false),
        // dotted keys are not paths
        (
            r#"{"detail.state": ["x"]}"#,
            json!({"detail.state": "x"}),
            true,
        ),
        // siblings at different depths
        (
            r#"{"source": ["aws.cloudwatch"], "detail": {"state": {"value": ["ALARM"]}, "alarmName": [{"prefix": "prod-"}]}}"#,
            json!({"source": "aws.cloudwatch", "detail": {"alarmName": "prod-cpu", "state": {"value": "ALARM"}}}),
            true,
        ),
        (
            r#"{"source": ["aws.cloudwatch"], "detail": {"state": {"value": ["ALARM"]}, "alarmName": [{"prefix": "prod-"}]}}"#,
            json!({"source": "aws.cloudwatch", "detail": {"alarmName": "dev-cpu", "state": {"value": "ALARM"}}}),
            false,
        ),
    ]);
}

#[test]
fn event_arrays_match_if_any_element_matches() {
    // "Arrays in EventBridge event patterns"
    let p = r#"{"resources": ["arn:aws:ec2:us-east-1:123456789012:instance/i-b188560f"]}"#;
    check_matches(&[
        (
            p,
            json!({"resources": [
                "arn:aws:ec2:us-east-1:123456789012:instance/i-b188560f",
                "arn:aws:ec2:us-east-1:111122223333:instance/i-b188560f",
                "arn:aws:ec2:us-east-1:444455556666:instance/i-b188560f"
            ]}),
            true,
        ),
        (
            p,
            json!({"resources": ["arn:aws:ec2:us-east-1:111122223333:instance/i-b188560f"]}),
            false,
        ),
        (p, json!({"resources": []}), false),
        (
            p,
            json!({"resources": "arn:aws:ec2:us-east-1:123456789012:instance/i-b188560f"}),
            true,
        ),
        // nested arrays are flattened
        (r#"{"v": ["x"]}"#, json!({"v": [["a"], ["b", ["x"]]]}), true),
        (r#"{"v": [1]}"#, json!({"v": [0, 2, 1.0]}), true),
        (r#"{"v": [null]}"#, json!({"v": ["a", null]}), true),
        (r#"{"v": ["a", "b"]}"#, json!({"v": ["c", "b"]}), true),
        (r#"{"v": ["a", "b"]}"#, json!({"v": ["c", "d"]}), false),
        // The sample events write top-level values as arrays (doc example)
        (
            r#"{"detail-type": ["EC2 Instance State-change Notification"]}"#,
            json!({"detail-type": ["EC2 Instance State-change Notification"]}),
            true,
        ),
    ]);
}

#[test]
fn arrays_of_objects() {
    let p = r#"{"detail": {"findings": {"Severity": {"Label": ["HIGH"]}}}}"#;
    let two = r#"{"a": {"b": [1], "c": [2]}}"#;
    check_matches(&[
        (
            p,
            json!({"detail": {"findings": [{"Severity": {"Label": "LOW"}}, {"Severity": {"Label": "HIGH"}}]}}),
            true,
        ),
        (
            p,
            json!({"detail": {"findings": [{"Severity": {"Label": "LOW"}}]}}),
            false,
        ),
        (p, json!({"detail": {"findings": []}}), false),
        // one element must satisfy the whole sub-pattern
        (two, json!({"a": [{"b": 1, "c": 2}]}), true),
        (two, json!({"a": [{"b": 1}, {"c": 2}]}), false),
        (
            two,
            json!({"a": [{"b": 1, "c": 3}, {"b": 0, "c": 2}, {"c": 2, "b": [5, 1]}]}),
            true,
        ),
        // arrays of arrays of objects
        (two, json!({"a": [[{"b": 1, "c": 2}]]}), true),
        // scalars in an array of objects are ignored for object sub-patterns
        (two, json!({"a": ["x", {"b": 1, "c": 2}]}), true),
        (two, json!({"a": ["x", 3]}), false),
    ]);
}

#[test]
fn prefix() {
    // "Content filtering" > "Prefix matching"
    let p = r#"{"time": [{"prefix": "2017-10-02"}]}"#;
    check_matches(&[
        (p, json!({"time": "2017-10-02T18:43:48Z"}), true),
        (p, json!({"time": "2017-10-02"}), true),
        (p, json!({"time": "2017-10-0"}), false),
        (p, json!({"time": "x2017-10-02"}), false),
        (p, json!({"time": ["2016", "2017-10-02T00:00:00Z"]}), true),
        (p, json!({"time": 20171002}), false),
        (p, json!({"time": null}), false),
        (p, json!({}), false),
        (r#"{"v": [{"prefix": ""}]}"#, json!({"v": ""}), true),
        (r#"{"v": [{"prefix": ""}]}"#, json!({"v": "anything"}), true),
        (r#"{"v": [{"prefix": ""}]}"#, json!({"v": 1}), false),
        (r#"{"v": [{"prefix": "Ab"}]}"#, json!({"v": "abc"}), false),
        (r#"{"v": [{"prefix": "é"}]}"#, json!({"v": "été"}), true),
        // mixed with exact values
        (
            r#"{"v": ["exact", {"prefix": "pre"}]}"#,
            json!({"v": "exact"}),
            true,
        ),
        (
            r#"{"v": ["exact", {"prefix": "pre"}]}"#,
            json!({"v": "prefix"}),
            true,
        ),
        (
            r#"{"v": ["exact", {"prefix": "pre"}]}"#,
            json!({"v": "exactly"}),
            false,
        ),
    ]);
}

#[test]
fn non_object_events_match_nothing() {
    let p = r#"{"source": ["x"]}"#;
    check_matches(&[
        (p, json!(null), false),
        (p, json!("x"), false),
        (p, json!(["x"]), false),
        (p, json!([{"source": "x"}]), true),
        (r#"{"source": [{"exists": false}]}"#, json!(42), true),
    ]);
}
