//! `Matcher`: many rules at once, each matching rule once, in insertion order.

use serde_json::json;
use tocsin_pattern::{Matcher, Pattern};

use crate::pattern;

#[test]
fn returns_matching_rules_in_insertion_order() {
    let m = Matcher::new(vec![
        ("ec2-any", pattern(r#"{"source": ["aws.ec2"]}"#)),
        ("alarm", pattern(r#"{"source": ["aws.cloudwatch"]}"#)),
        (
            "ec2-terminated",
            pattern(r#"{"source": ["aws.ec2"], "detail": {"state": ["terminated"]}}"#),
        ),
        // many $or alternatives match, the rule is still reported once
        (
            "or",
            pattern(
                r#"{"$or": [{"source": ["aws.ec2"]}, {"detail": {"state": [{"prefix": "term"}]}}]}"#,
            ),
        ),
    ]);
    assert_eq!(m.len(), 4);
    assert!(!m.is_empty());
    let ev = json!({"source": "aws.ec2", "detail": {"state": "terminated"}});
    assert_eq!(
        m.matching_rules(&ev),
        vec!["ec2-any", "ec2-terminated", "or"]
    );
    let ev = json!({"source": "aws.cloudwatch"});
    assert_eq!(m.matching_rules(&ev), vec!["alarm"]);
    assert!(m.matching_rules(&json!({"source": "x"})).is_empty());
}

#[test]
fn empty_matcher() {
    let m: Matcher<u32> = Matcher::new(Vec::new());
    assert!(m.is_empty());
    assert_eq!(m.len(), 0);
    assert!(m.matching_rules(&json!({"source": "x"})).is_empty());
}

#[test]
fn same_pattern_under_two_rules() {
    let p = pattern(r#"{"source": ["x"]}"#);
    let m = Matcher::new([(String::from("a"), p.clone()), (String::from("b"), p)]);
    assert_eq!(m.matching_rules(&json!({"source": "x"})), vec!["a", "b"]);
}

#[test]
fn matcher_is_shareable_across_threads() {
    let m = std::sync::Arc::new(Matcher::new([(
        1_u32,
        pattern(r#"{"n": [{"numeric": [">", 0]}]}"#),
    )]));
    let handles: Vec<_> = (0..4)
        .map(|i| {
            let m = m.clone();
            std::thread::spawn(move || m.matching_rules(&json!({ "n": i })))
        })
        .collect();
    let results: Vec<Vec<u32>> = handles
        .into_iter()
        .map(|h| h.join().expect("thread"))
        .collect();
    assert_eq!(results, vec![vec![], vec![1], vec![1], vec![1]]);
}

#[test]
fn pattern_parses_via_from_str_and_keeps_its_text() {
    let src = r#"{"source": ["x"]}"#;
    let p: Pattern = src.parse().expect("valid");
    assert_eq!(p.as_str(), src);
    assert!(format!("{p:?}").contains("source"));
}
