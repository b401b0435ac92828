//! Wildcard complexity: Tocsin's score against aws/event-ruler v2.0.1's
//! `MachineComplexityEvaluator` on 2,900 generated rules (`data/complexity.tsv`, each row
//! scored by event-ruler itself), and EventBridge's refusal above the limit. The scores in
//! the second test were also run through event-ruler v2.0.1.

use tocsin_pattern::{MAX_COMPLEXITY, Pattern};

use crate::check_invalid;

const TOO_COMPLEX: &str = "Rule is too complex - try using fewer wildcard characters or fewer repeating character sequences after a wildcard character";

#[test]
fn scores_agree_with_event_ruler() {
    let table = include_str!("data/complexity.tsv");
    let mut rows = 0;
    let mut wrong = Vec::new();
    for line in table
        .lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
    {
        let (score, pattern) = line.split_once('\t').expect("score<TAB>pattern");
        let want: usize = score.parse().expect("score");
        let got = Pattern::wildcard_complexity(pattern).expect("valid pattern");
        if got != want {
            wrong.push(format!("{pattern}: event-ruler {want}, Tocsin {got}"));
        }
        rows += 1;
    }
    assert_eq!(rows, 2_900);
    assert!(
        wrong.is_empty(),
        "{} of {rows} differ:\n{}",
        wrong.len(),
        wrong.join("\n")
    );
}

#[test]
fn rules_past_the_limit_are_refused() {
    let stacks = |n: usize| {
        let values: Vec<String> = (0..n)
            .map(|i| format!(r#"{{"wildcard": "*:stack/S{i}/*"}}"#))
            .collect();
        format!(r#"{{"resources": [{}]}}"#, values.join(", "))
    };
    // three such globs score 9 (EventBridge accepts the rule), four 12 (it refuses it)
    assert_eq!(Pattern::wildcard_complexity(&stacks(3)).ok(), Some(9));
    assert!(Pattern::parse(&stacks(3)).is_ok());
    assert_eq!(Pattern::wildcard_complexity(&stacks(4)).ok(), Some(12));
    check_invalid(&[
        (stacks(4).as_str(), TOO_COMPLEX),
        (r#"{"a": [{"wildcard": "*a*a*a*a*a*"}]}"#, TOO_COMPLEX),
        (
            r#"{"a": [{"anything-but": {"wildcard": "*a*a*a*a*a*"}}]}"#,
            TOO_COMPLEX,
        ),
        (
            r#"{"a": [{"anything-but": {"wildcard": "*:x/1/*"}}, {"wildcard": "*:x/2/*"}, {"wildcard": "*:x/3/*"}, {"wildcard": "*:x/4/*"}]}"#,
            TOO_COMPLEX,
        ),
    ]);
    // the values of one anything-but are one pattern (event-ruler: 6)
    assert_eq!(
        Pattern::wildcard_complexity(
            r#"{"a": [{"anything-but": {"wildcard": ["*x*", "*y*", "*z*", "*w*"]}}]}"#
        )
        .ok(),
        Some(6)
    );
    // alternatives of $or that share a field share its machine (event-ruler: 12)
    let or = r#"{"$or": [{"r": [{"wildcard": "*:a/1/*"}, {"wildcard": "*:a/2/*"}]}, {"r": [{"wildcard": "*:a/3/*"}, {"wildcard": "*:a/4/*"}]}]}"#;
    assert_eq!(Pattern::wildcard_complexity(or).ok(), Some(12));
    const { assert!(12 > MAX_COMPLEXITY) };
    check_invalid(&[(or, TOO_COMPLEX)]);
    // the limit is per field: many globs on different fields are fine (event-ruler: 9)
    let spread = r#"{"a": [{"wildcard": "*:x/1/*"}, {"wildcard": "*:x/2/*"}, {"wildcard": "*:x/3/*"}], "b": [{"wildcard": "*:y/1/*"}, {"wildcard": "*:y/2/*"}, {"wildcard": "*:y/3/*"}]}"#;
    assert_eq!(Pattern::wildcard_complexity(spread).ok(), Some(9));
    assert!(Pattern::parse(spread).is_ok());
    assert_eq!(
        Pattern::wildcard_complexity(r#"{"a": ["x"]}"#).ok(),
        Some(0)
    );
}
