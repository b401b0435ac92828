//! Structural validation: the shape of a pattern, before any operator.
//!
//! Sources: EventBridge user guide "Event patterns" ("Event pattern syntax": values are in
//! JSON arrays) and the reasons EventBridge returns, which are aws/event-ruler's
//! `JsonRuleCompiler` messages (`Filter is not an object`, `"x" must be an object or an
//! array`, `Empty arrays are not allowed`, ...). Length: the `EventPattern` shape's
//! `max: 4096` in the EventBridge API model.

use tocsin_pattern::{MAX_PATTERN_LENGTH, Pattern};

use crate::{check_invalid, check_valid};

#[test]
fn pattern_must_be_an_object() {
    check_invalid(&[
        ("[]", "Filter is not an object"),
        (r#"["source"]"#, "Filter is not an object"),
        (r#""source""#, "Filter is not an object"),
        ("42", "Filter is not an object"),
        ("null", "Filter is not an object"),
        ("true", "Filter is not an object"),
    ]);
}

#[test]
fn invalid_json() {
    for src in [
        "",
        "{",
        r#"{"a": [1]"#,
        r#"{"a": [1]} x"#,
        "{a: [1]}",
        r#"{"a": [1,]}"#,
    ] {
        let err = Pattern::parse(src).expect_err(src);
        assert!(
            err.reason().starts_with("Filter is not valid JSON: "),
            "{src}: {err}"
        );
        assert!(
            err.to_string()
                .starts_with("Event pattern is not valid. Reason: ")
        );
    }
}

#[test]
fn length_limit() {
    let filler = "x".repeat(MAX_PATTERN_LENGTH);
    // exactly 4096 characters is allowed
    let head = r#"{"a": [""#;
    let tail = r#""]}"#;
    let ok = format!(
        "{head}{}{tail}",
        &filler[..MAX_PATTERN_LENGTH - head.len() - tail.len()]
    );
    assert_eq!(ok.len(), MAX_PATTERN_LENGTH);
    assert!(Pattern::parse(&ok).is_ok());
    let too_long = format!(
        "{head}{}{tail}",
        &filler[..MAX_PATTERN_LENGTH + 1 - head.len() - tail.len()]
    );
    check_invalid(&[(
        too_long.as_str(),
        "Value at 'eventPattern' failed to satisfy constraint: Member must have length less than or equal to 4096",
    )]);
    // counted in characters, not bytes
    let wide = format!(
        "{head}{}{tail}",
        "é".repeat(MAX_PATTERN_LENGTH - head.len() - tail.len())
    );
    assert!(wide.len() > MAX_PATTERN_LENGTH);
    assert!(Pattern::parse(&wide).is_ok());
    // whitespace counts
    let padded = format!("{}{}", " ".repeat(MAX_PATTERN_LENGTH), r#"{"a":[1]}"#);
    assert!(Pattern::parse(&padded).is_err());
}

#[test]
fn leaves_must_be_arrays_or_objects() {
    check_invalid(&[
        (
            r#"{"source": "aws.ec2"}"#,
            r#""source" must be an object or an array"#,
        ),
        (
            r#"{"source": 5}"#,
            r#""source" must be an object or an array"#,
        ),
        (
            r#"{"source": null}"#,
            r#""source" must be an object or an array"#,
        ),
        (
            r#"{"source": true}"#,
            r#""source" must be an object or an array"#,
        ),
        (
            r#"{"detail": {"pipeline": {"slug": "some-pipeline"}}}"#,
            r#""slug" must be an object or an array"#,
        ),
        (
            r#"{"source": ["ok"], "detail": {"state": "x"}}"#,
            r#""state" must be an object or an array"#,
        ),
    ]);
}

#[test]
fn empty_arrays_and_objects() {
    check_invalid(&[
        ("{}", "Empty objects are not allowed"),
        (r#"{"source": []}"#, "Empty arrays are not allowed"),
        (r#"{"detail": {}}"#, "Empty objects are not allowed"),
        (r#"{"detail": {"a": {}}}"#, "Empty objects are not allowed"),
        (r#"{"detail": {"a": []}}"#, "Empty arrays are not allowed"),
        (r#"{"a": [{}]}"#, "Match expression name not found"),
    ]);
}

#[test]
fn match_values_must_be_scalars_or_expressions() {
    check_invalid(&[
        (
            r#"{"a": [["x"]]}"#,
            "Match value must be String, number, true, false, or null",
        ),
        (
            r#"{"a": ["x", []]}"#,
            "Match value must be String, number, true, false, or null",
        ),
    ]);
}

#[test]
fn unknown_operators() {
    check_invalid(&[
        (r#"{"a": [{"foo": "x"}]}"#, "Unrecognized match type foo"),
        (
            r#"{"a": [{"Prefix": "x"}]}"#,
            "Unrecognized match type Prefix",
        ),
        (
            r#"{"a": [{"contains": "x"}]}"#,
            "Unrecognized match type contains",
        ),
        (
            r#"{"a": [{"regex": "x"}]}"#,
            "Unrecognized match type regex",
        ),
        (
            r#"{"a": [{"exactly": "x"}]}"#,
            "Unrecognized match type exactly",
        ),
        (r#"{"a": [{"": "x"}]}"#, "Unrecognized match type "),
    ]);
}

#[test]
fn prefix_validation() {
    check_invalid(&[
        (
            r#"{"a": [{"prefix": 5}]}"#,
            "prefix match pattern must be a string",
        ),
        (
            r#"{"a": [{"prefix": null}]}"#,
            "prefix match pattern must be a string",
        ),
        (
            r#"{"a": [{"prefix": ["x"]}]}"#,
            "prefix match pattern must be a string",
        ),
        (
            r#"{"a": [{"prefix": true}]}"#,
            "prefix match pattern must be a string",
        ),
        (
            r#"{"a": [{"prefix": "x", "suffix": "y"}]}"#,
            "Only one key allowed in match expression",
        ),
        (
            r#"{"a": [{"prefix": "x", "prefix2": "y"}]}"#,
            "Only one key allowed in match expression",
        ),
    ]);
}

#[test]
fn first_error_in_document_order_wins() {
    check_invalid(&[
        (
            r#"{"a": [{"prefix": 1}], "b": []}"#,
            "prefix match pattern must be a string",
        ),
        (
            r#"{"b": [], "a": [{"prefix": 1}]}"#,
            "Empty arrays are not allowed",
        ),
        (
            r#"{"a": [{"prefix": 1, "x": 2}]}"#,
            "prefix match pattern must be a string",
        ),
        (
            r#"{"a": [{"nope": 1}, []]}"#,
            "Unrecognized match type nope",
        ),
    ]);
}

#[test]
fn valid_shapes() {
    check_valid(&[
        r#"{"a": ["x"]}"#,
        r#"{"a": [1, "x", true, false, null, {"prefix": "p"}]}"#,
        r#"{"a": {"b": {"c": {"d": ["deep"]}}}}"#,
        r#"{"": [""]}"#,
        r#"{"a": ["x"], "b": {"c": [1]}}"#,
        " \n\t{\"a\" : [ \"x\" ] }\n",
        // a path given twice: the later one wins, as in event-ruler
        r#"{"a": ["x"], "a": ["y"]}"#,
    ]);
}

#[test]
fn duplicate_keys_last_wins() {
    let p = Pattern::parse(r#"{"a": ["x"], "a": ["y"]}"#).expect("valid");
    assert!(p.matches(&serde_json::json!({"a": "y"})));
    assert!(!p.matches(&serde_json::json!({"a": "x"})));
}
