//! Property tests: no panics on arbitrary input; `$or` is the union of its alternatives;
//! `Matcher` agrees with matching each pattern on its own.

use proptest::prelude::*;
use serde_json::{Map, Value, json};
use tocsin_pattern::{MAX_COMPLEXITY, Matcher, Pattern};

/// Keys: a few field names plus every operator name, so that generated JSON often looks like
/// a pattern.
fn key() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("a".to_owned()),
        Just("b".to_owned()),
        Just("c".to_owned()),
        Just("$or".to_owned()),
        Just("prefix".to_owned()),
        Just("suffix".to_owned()),
        Just("equals-ignore-case".to_owned()),
        Just("wildcard".to_owned()),
        Just("anything-but".to_owned()),
        Just("numeric".to_owned()),
        Just("cidr".to_owned()),
        Just("exists".to_owned()),
        "[a-z<>=]{0,3}",
    ]
}

fn scalar() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|n| json!(n)),
        (-1e10..1e10f64).prop_map(|n| json!(n)),
        (0..20u32).prop_map(|n| json!(n)),
        prop_oneof![
            Just(">".to_owned()),
            Just("<=".to_owned()),
            Just("=".to_owned()),
            Just("10.0.0.0/24".to_owned()),
            Just("a*b".to_owned()),
            Just("**".to_owned()),
            "[a-c*\\\\./0-9:]{0,6}",
        ]
        .prop_map(Value::String),
    ]
}

fn any_json() -> impl Strategy<Value = Value> {
    scalar().prop_recursive(5, 48, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..5).prop_map(Value::Array),
            prop::collection::vec((key(), inner), 0..5)
                .prop_map(|kv| Value::Object(kv.into_iter().collect::<Map<_, _>>())),
        ]
    })
}

/// An event built from the same keys and values a valid pattern uses.
fn event() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(json!("x")),
        Just(json!("xy")),
        Just(json!("Xa")),
        Just(json!("10.0.0.7")),
        Just(json!("")),
        Just(json!(null)),
        Just(json!(true)),
        (0..12i32).prop_map(|n| json!(n)),
        Just(json!(2.5)),
    ];
    let value = leaf.prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::btree_map(field(), inner, 0..4)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    });
    prop::collection::btree_map(field(), value, 0..4)
        .prop_map(|m| Value::Object(m.into_iter().collect()))
}

fn field() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("a".to_owned()),
        Just("b".to_owned()),
        Just("c".to_owned())
    ]
}

/// One valid element of a pattern's value array.
fn matcher_json() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(json!("x")),
        Just(json!("")),
        Just(json!(null)),
        Just(json!(true)),
        (0..12i32).prop_map(|n| json!(n)),
        Just(json!(2.5)),
        Just(json!({"prefix": "x"})),
        Just(json!({"suffix": "y"})),
        Just(json!({"equals-ignore-case": "xA"})),
        Just(json!({"prefix": {"equals-ignore-case": "X"}})),
        Just(json!({"suffix": {"equals-ignore-case": "A"}})),
        Just(json!({"wildcard": "x*"})),
        Just(json!({"anything-but": "x"})),
        Just(json!({"anything-but": [1, 2]})),
        Just(json!({"anything-but": {"prefix": "x"}})),
        Just(json!({"anything-but": {"wildcard": ["*a", "1*"]}})),
        Just(json!({"numeric": [">", 2, "<=", 8]})),
        Just(json!({"numeric": ["<", 3]})),
        Just(json!({"cidr": "10.0.0.0/24"})),
        Just(json!({"exists": true})),
        Just(json!({"exists": false})),
    ]
}

/// A valid pattern object over `fields`, with nesting and `$or`.
fn valid_pattern(fields: Vec<&'static str>) -> impl Strategy<Value = Value> {
    let fields2 = fields.clone();
    let leaf = prop::collection::vec(matcher_json(), 1..3).prop_map(Value::Array);
    let node = leaf.prop_recursive(3, 16, 3, move |inner| {
        let f = fields2.clone();
        prop_oneof![
            3 => prop::collection::btree_map(prop::sample::select(f.clone()), inner.clone(), 1..3)
                .prop_map(|m| Value::Object(m.into_iter().map(|(k, v)| (k.to_owned(), v)).collect())),
            1 => prop::collection::vec(
                prop::collection::btree_map(prop::sample::select(f), inner, 1..3)
                    .prop_map(|m| Value::Object(m.into_iter().map(|(k, v)| (k.to_owned(), v)).collect())),
                2..4,
            )
            .prop_map(|alts| json!({ "$or": alts })),
        ]
    });
    prop::collection::btree_map(prop::sample::select(fields), node, 1..3)
        .prop_map(|m| Value::Object(m.into_iter().map(|(k, v)| (k.to_owned(), v)).collect()))
        .prop_filter(
            "within EventBridge's wildcard complexity limit",
            within_limit,
        )
}

/// Whether EventBridge would take the pattern's wildcards (`$or` alternatives that repeat a
/// wildcard value can take a rule past the limit; `complexity.rs` covers that).
fn within_limit(v: &Value) -> bool {
    Pattern::wildcard_complexity(&v.to_string()).is_ok_and(|c| c <= MAX_COMPLEXITY)
}

fn parse(v: &Value) -> Pattern {
    Pattern::parse(&v.to_string()).unwrap_or_else(|e| panic!("{v} should be valid: {e}"))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn arbitrary_json_never_panics(p in any_json(), e in any_json()) {
        if let Ok(pattern) = Pattern::parse(&p.to_string()) {
            let _ = pattern.matches(&e);
            let _ = pattern.field_paths();
        }
    }

    #[test]
    fn arbitrary_text_never_panics(s in "\\PC{0,64}") {
        let _ = Pattern::parse(&s);
    }

    #[test]
    fn generated_patterns_are_valid(p in valid_pattern(vec!["a", "b", "c"]), e in event()) {
        let pattern = parse(&p);
        let _ = pattern.matches(&e);
        prop_assert!(!pattern.field_paths().is_empty());
    }

    #[test]
    fn or_is_the_union_of_its_alternatives(
        a in valid_pattern(vec!["a", "b", "c"]),
        b in valid_pattern(vec!["a", "b", "c"]),
        events in prop::collection::vec(event(), 1..8),
    ) {
        let both = parse(&json!({"$or": [a.clone(), b.clone()]}));
        let (pa, pb) = (parse(&a), parse(&b));
        for e in &events {
            prop_assert_eq!(both.matches(e), pa.matches(e) || pb.matches(e), "event {}", e);
        }
    }

    #[test]
    fn or_under_a_common_field_distributes(
        common in prop::collection::vec(matcher_json(), 1..3),
        a in valid_pattern(vec!["a", "b"]),
        b in valid_pattern(vec!["a", "b"]),
        events in prop::collection::vec(event(), 1..8),
    ) {
        // {"c": common, "$or": [A, B]} == {"c": common, ...A} or {"c": common, ...B}
        let with = |alt: &Value| {
            let mut obj = alt.as_object().cloned().unwrap_or_default();
            obj.insert("c".to_owned(), Value::Array(common.clone()));
            Value::Object(obj)
        };
        let both = parse(&json!({"c": common.clone(), "$or": [a.clone(), b.clone()]}));
        let (pa, pb) = (parse(&with(&a)), parse(&with(&b)));
        for e in &events {
            prop_assert_eq!(both.matches(e), pa.matches(e) || pb.matches(e), "event {}", e);
        }
    }

    #[test]
    fn matcher_agrees_with_individual_patterns(
        patterns in prop::collection::vec(valid_pattern(vec!["a", "b", "c"]), 0..12),
        events in prop::collection::vec(event(), 1..8),
    ) {
        let parsed: Vec<Pattern> = patterns.iter().map(parse).collect();
        let matcher = Matcher::new(parsed.iter().cloned().enumerate());
        prop_assert_eq!(matcher.len(), parsed.len());
        for e in &events {
            let expected: Vec<usize> = parsed
                .iter()
                .enumerate()
                .filter(|(_, p)| p.matches(e))
                .map(|(i, _)| i)
                .collect();
            prop_assert_eq!(matcher.matching_rules(e), expected, "event {}", e);
            let from_text = matcher.matching_rules_str(&e.to_string()).map_err(|err| TestCaseError::fail(err.to_string()))?;
            prop_assert_eq!(from_text, matcher.matching_rules(e), "event text {}", e);
        }
    }
}

/// Like [`matcher_json`], but with operands drawn from small alphabets, so that many rules
/// share fields and values and the matcher's indexes (hash maps, affix maps, range trees)
/// hold many entries per field.
fn varied_matcher_json() -> impl Strategy<Value = Value> {
    let text = || "[xyaXY1.]{0,3}";
    prop_oneof![
        4 => matcher_json(),
        2 => text().prop_map(|s| json!(s)),
        1 => (0..12i32).prop_map(|n| json!(n)),
        1 => prop_oneof![Just(json!(3.0)), Just(json!(3e0)), Just(json!(-0.0))],
        1 => "[xya]{0,2}".prop_map(|s| json!({"prefix": s})),
        1 => "[xya]{0,2}".prop_map(|s| json!({"suffix": s})),
        1 => text().prop_map(|s| json!({"equals-ignore-case": s})),
        1 => "[xyaXY]{0,2}".prop_map(|s| json!({"prefix": {"equals-ignore-case": s}})),
        1 => "[xyaXY]{0,2}".prop_map(|s| json!({"suffix": {"equals-ignore-case": s}})),
        1 => prop_oneof![Just("*"), Just("x*"), Just("*y"), Just("*a*"), Just("x*y"), Just("xy")]
            .prop_map(|s| json!({"wildcard": s})),
        1 => (0..10i32, 1..6i32, any::<bool>(), any::<bool>()).prop_map(|(lo, w, a, b)| {
            json!({"numeric": [if a { ">" } else { ">=" }, lo, if b { "<" } else { "<=" }, lo + w]})
        }),
        1 => (0..12i32).prop_map(|n| json!({"numeric": ["=", n]})),
        1 => prop_oneof![Just("10.0.0.0/24"), Just("10.0.0.7/32"), Just("10.0.0.0/8"), Just("::/0")]
            .prop_map(|s| json!({"cidr": s})),
        1 => prop::collection::vec(text(), 1..3).prop_map(|v| json!({"anything-but": v})),
        1 => prop::collection::vec("[xya]{1,2}", 1..3)
            .prop_map(|v| json!({"anything-but": {"prefix": v}})),
    ]
}

/// A valid pattern over `a`, `b`, `c` with [`varied_matcher_json`] leaves.
fn varied_pattern() -> impl Strategy<Value = Value> {
    let leaf = prop::collection::vec(varied_matcher_json(), 1..3).prop_map(Value::Array);
    let node = leaf.prop_recursive(2, 8, 3, |inner| {
        prop_oneof![
            3 => prop::collection::btree_map(field(), inner.clone(), 1..3)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
            1 => prop::collection::vec(
                prop::collection::btree_map(field(), inner, 1..3)
                    .prop_map(|m| Value::Object(m.into_iter().collect())),
                2..3,
            )
            .prop_map(|alts| json!({ "$or": alts })),
        ]
    });
    prop::collection::btree_map(field(), node, 1..4)
        .prop_map(|m| Value::Object(m.into_iter().collect()))
        .prop_filter(
            "within EventBridge's wildcard complexity limit",
            within_limit,
        )
}

/// An event whose leaves come from the same small alphabets as [`varied_pattern`].
fn varied_event() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        "[xyaXY1.]{0,3}".prop_map(|s| json!(s)),
        (0..14i32).prop_map(|n| json!(n)),
        Just(json!(3.0)),
        Just(json!(2.5)),
        Just(json!("10.0.0.7")),
        Just(json!("10.1.2.3")),
        Just(json!("::1")),
        Just(json!(null)),
        Just(json!(true)),
    ];
    let value = leaf.prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::btree_map(field(), inner, 0..4)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    });
    prop::collection::btree_map(field(), value, 0..4)
        .prop_map(|m| Value::Object(m.into_iter().collect()))
}

/// Checks `matcher` (and its text entry point) against each pattern alone.
fn agree(matcher: &Matcher<usize>, parsed: &[Pattern], e: &Value) -> Result<(), TestCaseError> {
    let expected: Vec<usize> = parsed
        .iter()
        .enumerate()
        .filter(|(_, p)| p.matches(e))
        .map(|(i, _)| i)
        .collect();
    prop_assert_eq!(matcher.matching_rules(e), expected.clone(), "event {}", e);
    let from_text = matcher
        .matching_rules_str(&e.to_string())
        .map_err(|err| TestCaseError::fail(err.to_string()))?;
    prop_assert_eq!(from_text, expected, "event text {}", e);
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn large_matcher_agrees_with_individual_patterns(
        patterns in prop::collection::vec(varied_pattern(), 100..160),
        events in prop::collection::vec(prop_oneof![varied_event(), event()], 8..16),
    ) {
        let parsed: Vec<Pattern> = patterns.iter().map(parse).collect();
        let matcher = Matcher::new(parsed.iter().cloned().enumerate());
        prop_assert_eq!(matcher.len(), parsed.len());
        for e in &events {
            agree(&matcher, &parsed, e)?;
        }
    }

    #[test]
    fn large_matcher_agrees_on_generic_patterns(
        patterns in prop::collection::vec(valid_pattern(vec!["a", "b", "c"]), 100..140),
        events in prop::collection::vec(event(), 8..16),
    ) {
        let parsed: Vec<Pattern> = patterns.iter().map(parse).collect();
        let matcher = Matcher::new(parsed.iter().cloned().enumerate());
        for e in &events {
            agree(&matcher, &parsed, e)?;
        }
    }

    #[test]
    fn explain_agrees_with_matches(
        p in valid_pattern(vec!["a", "b", "c"]),
        events in prop::collection::vec(prop_oneof![varied_event(), event()], 1..8),
    ) {
        let pattern = parse(&p);
        for e in &events {
            let explanation = pattern.explain(e);
            prop_assert_eq!(explanation.matched, pattern.matches(e), "event {}", e);
            prop_assert!(explanation.deciding_field.is_some());
            prop_assert!(!explanation.reason.is_empty());
        }
    }
}

/// The generators must produce both outcomes often enough for the properties above to mean
/// something.
#[test]
fn generators_produce_matches_and_non_matches() {
    use proptest::strategy::ValueTree;
    use proptest::test_runner::TestRunner;

    let mut runner = TestRunner::deterministic();
    let strategy = (valid_pattern(vec!["a", "b", "c"]), event());
    let (mut hits, total) = (0, 2000);
    for _ in 0..total {
        let (p, e) = strategy.new_tree(&mut runner).expect("generate").current();
        if parse(&p).matches(&e) {
            hits += 1;
        }
    }
    assert!(hits > total / 20, "only {hits} of {total} matched");
    assert!(hits < total * 19 / 20, "{hits} of {total} matched");
}
