//! `numeric`.
//!
//! Source: EventBridge user guide, "Content filtering" > "Numeric matching" (values between
//! -5.0e9 and +5.0e9 inclusive, at most six digits after the decimal point; the doc's example
//! writes `3.018e2`)
//! (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns-content-based-filtering.html).
//! Messages: aws/event-ruler `JsonRuleCompiler.processNumericMatchExpression`, `Range`,
//! `ComparableNumber`.

use serde_json::json;

use crate::{check_invalid, check_matches, check_matches_text};

#[test]
fn doc_example() {
    let p = r#"{"detail": {"c-count": [{"numeric": [">", 0, "<=", 5]}], "d-count": [{"numeric": ["<", 10]}], "x-limit": [{"numeric": ["=", 3.018e2]}]}}"#;
    check_matches(&[
        (
            p,
            json!({"detail": {"c-count": 5, "d-count": 9.999, "x-limit": 301.8}}),
            true,
        ),
        (
            p,
            json!({"detail": {"c-count": 0.5, "d-count": -3, "x-limit": 301.80}}),
            true,
        ),
        (
            p,
            json!({"detail": {"c-count": 0, "d-count": 1, "x-limit": 301.8}}),
            false,
        ),
        (
            p,
            json!({"detail": {"c-count": 5.000001, "d-count": 1, "x-limit": 301.8}}),
            false,
        ),
        (
            p,
            json!({"detail": {"c-count": 1, "d-count": 10, "x-limit": 301.8}}),
            false,
        ),
        (
            p,
            json!({"detail": {"c-count": 1, "d-count": 1, "x-limit": 301.81}}),
            false,
        ),
        (
            p,
            json!({"detail": {"c-count": "1", "d-count": 1, "x-limit": 301.8}}),
            false,
        ),
        (
            p,
            json!({"detail": {"d-count": 1, "x-limit": 301.8}}),
            false,
        ),
    ]);
}

#[test]
fn operators_and_bounds() {
    check_matches(&[
        (
            r#"{"n": [{"numeric": [">", 10]}]}"#,
            json!({"n": 10}),
            false,
        ),
        (
            r#"{"n": [{"numeric": [">", 10]}]}"#,
            json!({"n": 10.000001}),
            true,
        ),
        (
            r#"{"n": [{"numeric": [">=", 10]}]}"#,
            json!({"n": 10}),
            true,
        ),
        (
            r#"{"n": [{"numeric": [">=", 10]}]}"#,
            json!({"n": 9.999999}),
            false,
        ),
        (
            r#"{"n": [{"numeric": ["<", 10]}]}"#,
            json!({"n": 10}),
            false,
        ),
        (
            r#"{"n": [{"numeric": ["<", 10]}]}"#,
            json!({"n": -10}),
            true,
        ),
        (
            r#"{"n": [{"numeric": ["<=", 10]}]}"#,
            json!({"n": 10}),
            true,
        ),
        (
            r#"{"n": [{"numeric": ["<=", 10]}]}"#,
            json!({"n": 10.5}),
            false,
        ),
        (
            r#"{"n": [{"numeric": ["=", 10]}]}"#,
            json!({"n": 10.0}),
            true,
        ),
        (
            r#"{"n": [{"numeric": ["=", 10]}]}"#,
            json!({"n": 1e1}),
            true,
        ),
        (
            r#"{"n": [{"numeric": ["=", 10]}]}"#,
            json!({"n": 11}),
            false,
        ),
        (
            r#"{"n": [{"numeric": [">=", 0, "<", 1]}]}"#,
            json!({"n": 0}),
            true,
        ),
        (
            r#"{"n": [{"numeric": [">=", 0, "<", 1]}]}"#,
            json!({"n": 1}),
            false,
        ),
        (
            r#"{"n": [{"numeric": [">", 0, "<", 1]}]}"#,
            json!({"n": 0.5}),
            true,
        ),
        (
            r#"{"n": [{"numeric": [">", -1.5, "<=", -0.5]}]}"#,
            json!({"n": -0.5}),
            true,
        ),
        (
            r#"{"n": [{"numeric": [">", -1.5, "<=", -0.5]}]}"#,
            json!({"n": -1.5}),
            false,
        ),
        // arrays: any element in range
        (
            r#"{"n": [{"numeric": [">", 100]}]}"#,
            json!({"n": [1, 2, 101]}),
            true,
        ),
        (
            r#"{"n": [{"numeric": [">", 100]}]}"#,
            json!({"n": [1, 2, 3]}),
            false,
        ),
        // strings, booleans and null are not numbers
        (
            r#"{"n": [{"numeric": [">", 0]}]}"#,
            json!({"n": "5"}),
            false,
        ),
        (
            r#"{"n": [{"numeric": [">", 0]}]}"#,
            json!({"n": true}),
            false,
        ),
        (
            r#"{"n": [{"numeric": [">", 0]}]}"#,
            json!({"n": null}),
            false,
        ),
        (r#"{"n": [{"numeric": [">", 0]}]}"#, json!({}), false),
        // the scale ends at ±5e9: event numbers outside it never match a range
        (
            r#"{"n": [{"numeric": [">", 0]}]}"#,
            json!({"n": 5_000_000_000_u64}),
            true,
        ),
        (
            r#"{"n": [{"numeric": [">", 0]}]}"#,
            json!({"n": 5_000_000_001_u64}),
            false,
        ),
        (
            r#"{"n": [{"numeric": ["<", 0]}]}"#,
            json!({"n": -5_000_000_001_i64}),
            false,
        ),
        (
            r#"{"n": [{"numeric": [">=", 4999999999.5]}]}"#,
            json!({"n": 5e9}),
            true,
        ),
        // numeric and exact values side by side
        (
            r#"{"n": [{"numeric": ["<", 0]}, 7]}"#,
            json!({"n": 7}),
            true,
        ),
        (
            r#"{"n": [{"numeric": ["<", 0]}, 7]}"#,
            json!({"n": 3}),
            false,
        ),
    ]);
}

#[test]
fn numeric_errors() {
    check_invalid(&[
        (
            r#"{"n": [{"numeric": 5}]}"#,
            "Value of numeric must be an array.",
        ),
        (
            r#"{"n": [{"numeric": ">"}]}"#,
            "Value of numeric must be an array.",
        ),
        (
            r#"{"n": [{"numeric": {}}]}"#,
            "Value of numeric must be an array.",
        ),
        (
            r#"{"n": [{"numeric": []}]}"#,
            "Invalid member in numeric match: ]",
        ),
        (
            r#"{"n": [{"numeric": [5]}]}"#,
            "Invalid member in numeric match: 5",
        ),
        (
            r#"{"n": [{"numeric": [null]}]}"#,
            "Invalid member in numeric match: null",
        ),
        (
            r#"{"n": [{"numeric": ["!=", 5]}]}"#,
            "Unrecognized numeric range operator: !=",
        ),
        (
            r#"{"n": [{"numeric": ["==", 5]}]}"#,
            "Unrecognized numeric range operator: ==",
        ),
        (
            r#"{"n": [{"numeric": ["="]}]}"#,
            "Value of equals must be numeric",
        ),
        (
            r#"{"n": [{"numeric": ["=", "5"]}]}"#,
            "Value of equals must be numeric",
        ),
        (
            r#"{"n": [{"numeric": [">", "5"]}]}"#,
            "Value of > must be numeric",
        ),
        (
            r#"{"n": [{"numeric": [">="]}]}"#,
            "Value of >= must be numeric",
        ),
        (
            r#"{"n": [{"numeric": ["<", null]}]}"#,
            "Value of < must be numeric",
        ),
        (
            r#"{"n": [{"numeric": ["<=", true]}]}"#,
            "Value of <= must be numeric",
        ),
        (
            r#"{"n": [{"numeric": ["=", 5, ">", 1]}]}"#,
            "Too many elements in numeric expression",
        ),
        (
            r#"{"n": [{"numeric": ["<", 5, ">", 1]}]}"#,
            "Too many elements in numeric expression",
        ),
        (
            r#"{"n": [{"numeric": ["<=", 5, 6]}]}"#,
            "Too many elements in numeric expression",
        ),
        (
            r#"{"n": [{"numeric": [">", 0, 5]}]}"#,
            "Bad value in numeric range: 5",
        ),
        (
            r#"{"n": [{"numeric": [">", 0, ">", 5]}]}"#,
            "Bad numeric range operator: >",
        ),
        (
            r#"{"n": [{"numeric": [">", 0, "=", 5]}]}"#,
            "Bad numeric range operator: =",
        ),
        (
            r#"{"n": [{"numeric": [">", 0, "<"]}]}"#,
            "Value of < must be numeric",
        ),
        (
            r#"{"n": [{"numeric": [">", 0, "<=", "5"]}]}"#,
            "Value of <= must be numeric",
        ),
        (
            r#"{"n": [{"numeric": [">", 0, "<", 5, 6]}]}"#,
            "Too many terms in numeric range expression",
        ),
        (
            r#"{"n": [{"numeric": [">", 5, "<", 5]}]}"#,
            "Bottom must be less than top",
        ),
        (
            r#"{"n": [{"numeric": [">=", 6, "<=", 5]}]}"#,
            "Bottom must be less than top",
        ),
        (
            r#"{"n": [{"numeric": [">", 5000000000]}]}"#,
            "Bottom must be less than top",
        ),
        (
            r#"{"n": [{"numeric": ["<", -5000000000]}]}"#,
            "Bottom must be less than top",
        ),
        (
            r#"{"n": [{"numeric": [">=", 5e9]}]}"#,
            "Bottom must be less than top",
        ),
        (
            r#"{"n": [{"numeric": ["=", 5000000001]}]}"#,
            "Value must be between -5.0E9 and 5.0E9, inclusive",
        ),
        (
            r#"{"n": [{"numeric": ["<", 6e9]}]}"#,
            "Value must be between -5.0E9 and 5.0E9, inclusive",
        ),
        (
            r#"{"n": [{"numeric": [">", -6e9]}]}"#,
            "Value must be between -5.0E9 and 5.0E9, inclusive",
        ),
        (
            r#"{"n": [{"numeric": ["=", 0.1234567]}]}"#,
            "Only values upto 6 decimals are supported",
        ),
        (
            r#"{"n": [{"numeric": [">", 0, "<", 0.0000001]}]}"#,
            "Only values upto 6 decimals are supported",
        ),
        (
            r#"{"n": [{"numeric": [">", 0], "x": 1}]}"#,
            "Too many elements in numeric expression",
        ),
    ]);
}

/// Event numbers as event-ruler v1.7.4 compares them (`ComparableNumber.generate(String)`:
/// the decimal value with trailing zeros stripped, at most six decimals, within ±5.0e9;
/// `ByteMachine.transitionOn`: an event number without that form is matched as text only,
/// so no `numeric` condition holds for it). Every row was run through event-ruler v1.7.4.
#[test]
fn event_numbers_compare_like_event_ruler_comparable_number() {
    check_matches_text(&[
        // six decimals, written plainly or with an exponent
        (r#"{"n": [{"numeric": [">", 0]}]}"#, r#"{"n": 1e-6}"#, true),
        (
            r#"{"n": [{"numeric": [">", 0]}]}"#,
            r#"{"n": 0.000001}"#,
            true,
        ),
        (
            r#"{"n": [{"numeric": ["=", 0.000001]}]}"#,
            r#"{"n": 1e-6}"#,
            true,
        ),
        (
            r#"{"n": [{"numeric": ["=", 1.2]}]}"#,
            r#"{"n": 12e-1}"#,
            true,
        ),
        (r#"{"n": [{"numeric": ["=", 300]}]}"#, r#"{"n": 3e2}"#, true),
        // trailing zeros do not count as decimals
        (
            r#"{"n": [{"numeric": [">=", 1]}]}"#,
            r#"{"n": 1.000000000}"#,
            true,
        ),
        // seven decimals: no comparable form, so no numeric condition holds
        (
            r#"{"n": [{"numeric": [">=", 1]}]}"#,
            r#"{"n": 1.0000001}"#,
            false,
        ),
        (r#"{"n": [{"numeric": [">", 0]}]}"#, r#"{"n": 1e-7}"#, false),
        (
            r#"{"n": [{"numeric": [">", 0]}]}"#,
            r#"{"n": 1.5e-6}"#,
            false,
        ),
        (
            r#"{"n": [{"numeric": ["<", 1]}]}"#,
            r#"{"n": 0.1234567}"#,
            false,
        ),
        // the ends of the scale are inside it, one millionth beyond is not
        (
            r#"{"n": [{"numeric": ["<=", 5e9]}]}"#,
            r#"{"n": 5000000000}"#,
            true,
        ),
        (
            r#"{"n": [{"numeric": ["<=", 5e9]}]}"#,
            r#"{"n": 5000000000.000001}"#,
            false,
        ),
        (
            r#"{"n": [{"numeric": [">=", -5e9]}]}"#,
            r#"{"n": -5e9}"#,
            true,
        ),
        (
            r#"{"n": [{"numeric": ["<", 0]}]}"#,
            r#"{"n": -5000000000.5}"#,
            false,
        ),
        (
            r#"{"n": [{"numeric": [">", 0]}]}"#,
            r#"{"n": 5000000001}"#,
            false,
        ),
        (
            r#"{"n": [{"numeric": [">=", 4999999999.999999]}]}"#,
            r#"{"n": 5e9}"#,
            true,
        ),
        (
            r#"{"n": [{"numeric": [">=", 4999999999.999999]}]}"#,
            r#"{"n": 4999999999.999998}"#,
            false,
        ),
        // exact numbers outside the comparable form still match their own value
        (r#"{"n": [1.0000001]}"#, r#"{"n": 1.0000001}"#, true),
        (r#"{"n": [123456789012]}"#, r#"{"n": 123456789012}"#, true),
        // anything-but a number: a number without a comparable form is not excluded
        (
            r#"{"n": [{"anything-but": [5]}]}"#,
            r#"{"n": 5.0000001}"#,
            true,
        ),
        (
            r#"{"n": [{"anything-but": [5]}]}"#,
            r#"{"n": 5.000000}"#,
            false,
        ),
    ]);
}

/// Operand errors in event-ruler v1.7.4's order (`completeNumericRange`, then `Range.between`:
/// `ComparableNumber.generate` on the bottom, then on the top, each checking decimals before
/// the scale, then `ensureValidRange`). Every row was run through event-ruler v1.7.4.
#[test]
fn operand_errors_come_in_event_ruler_order() {
    check_invalid(&[
        (
            r#"{"n": [{"numeric": [">", 6e9]}]}"#,
            "Value must be between -5.0E9 and 5.0E9, inclusive",
        ),
        (
            r#"{"n": [{"numeric": [">", 6e9, "<", 1]}]}"#,
            "Value must be between -5.0E9 and 5.0E9, inclusive",
        ),
        (
            r#"{"n": [{"numeric": [">", 1, "<", 0.1234567]}]}"#,
            "Only values upto 6 decimals are supported",
        ),
        (
            r#"{"n": [{"numeric": [">", 0.1234567, "<", 6e9]}]}"#,
            "Only values upto 6 decimals are supported",
        ),
        (
            r#"{"n": [{"numeric": [">", 6e9, "<", 0.1234567]}]}"#,
            "Value must be between -5.0E9 and 5.0E9, inclusive",
        ),
        (
            r#"{"n": [{"numeric": ["=", 1e-7]}]}"#,
            "Only values upto 6 decimals are supported",
        ),
        (
            r#"{"n": [{"numeric": ["<", 5000000000.5]}]}"#,
            "Value must be between -5.0E9 and 5.0E9, inclusive",
        ),
        (
            r#"{"n": [{"numeric": [">=", 1.10, "<=", 1.1]}]}"#,
            "Bottom must be less than top",
        ),
        (
            r#"{"n": [{"anything-but": [5000000001]}]}"#,
            "Value must be between -5.0E9 and 5.0E9, inclusive",
        ),
        (
            r#"{"n": [{"anything-but": 0.0000001}]}"#,
            "Only values upto 6 decimals are supported",
        ),
    ]);
    crate::check_valid(&[
        r#"{"n": [{"numeric": ["=", 5.0000000e9]}]}"#,
        r#"{"n": [{"numeric": [">", 1.500000000, "<", 2]}]}"#,
        r#"{"n": [5000000001]}"#,
    ]);
}
