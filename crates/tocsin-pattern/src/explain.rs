//! [`Pattern::explain`]: the verdict together with the field that decided it, for the rules
//! page's pattern tester.

use serde_json::{Map, Value, json};

use crate::compile::{Branch, FieldCondition};
use crate::number::FIVE_BILLION;
use crate::value::{Literal, ValueMatcher};
use crate::{Pattern, eval};

/// Why a pattern did or did not match an event (see [`Pattern::explain`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Explanation {
    /// The verdict, always equal to [`Pattern::matches`].
    pub matched: bool,
    /// The dot-joined path of the field that decided: for a non-match, the first field (in
    /// sorted path order) whose condition failed or whose value was missing; for a match, the
    /// last field checked. `None` only when the pattern has no field to blame (an event array
    /// whose elements each satisfy part of the pattern but none all of it names the last
    /// field, so in practice this is always set).
    pub deciding_field: Option<String>,
    /// A sentence for people, e.g. `detail.state.value: "OK" is not one of ["ALARM"]`.
    pub reason: String,
    /// How many of the reported alternative's fields the event satisfies (all of them for a
    /// match): with [`Explanation::fields_total`], how near a miss was.
    pub fields_passed: usize,
    /// How many fields the reported alternative has.
    pub fields_total: usize,
}

impl Pattern {
    /// Matches `event` like [`Pattern::matches`] and says which field decided it and why.
    ///
    /// Fields are checked in sorted path order. For a pattern with `$or`, a match reports the
    /// first alternative that matches; a non-match reports the alternative that came nearest
    /// (most fields satisfied), naming it as `alternative i of n`.
    ///
    /// ```
    /// use serde_json::json;
    /// use tocsin_pattern::Pattern;
    ///
    /// let p = Pattern::parse(r#"{"detail": {"state": {"value": ["ALARM"]}}}"#)?;
    /// let e = p.explain(&json!({"detail": {"state": {"value": "OK"}}}));
    /// assert!(!e.matched);
    /// assert_eq!(e.deciding_field.as_deref(), Some("detail.state.value"));
    /// assert_eq!(e.reason, r#"detail.state.value: "OK" is not one of ["ALARM"]"#);
    /// # Ok::<(), tocsin_pattern::PatternError>(())
    /// ```
    pub fn explain(&self, event: &Value) -> Explanation {
        let event = &*crate::dotted::expand(event);
        let branches = self.branches();
        let total = branches.len();
        let label = |i: usize, text: String| {
            if total > 1 {
                format!("{text} (alternative {} of {total})", i + 1)
            } else {
                text
            }
        };
        let mut best: Option<(usize, usize, Explanation)> = None;
        for (i, branch) in branches.iter().enumerate() {
            let (passed, explanation) = explain_branch(branch, event);
            if explanation.matched {
                return Explanation {
                    reason: label(i, explanation.reason),
                    ..explanation
                };
            }
            if best.as_ref().is_none_or(|(_, p, _)| passed > *p) {
                best = Some((i, passed, explanation));
            }
        }
        match best {
            Some((i, _, e)) => Explanation {
                reason: label(i, e.reason),
                ..e
            },
            None => Explanation {
                matched: false,
                deciding_field: None,
                reason: "the pattern has no fields".to_owned(),
                fields_passed: 0,
                fields_total: 0,
            },
        }
    }
}

/// Explains one alternative; also returns how many of its fields the event satisfies.
fn explain_branch(branch: &Branch, event: &Value) -> (usize, Explanation) {
    let leaves_of = |field: &FieldCondition| {
        let mut leaves = Vec::new();
        collect_leaves(event, &field.path, 0, &mut leaves);
        leaves
    };
    let Some(last) = branch.fields.last() else {
        return (
            0,
            Explanation {
                matched: false,
                deciding_field: None,
                reason: "the pattern has no fields".to_owned(),
                fields_passed: 0,
                fields_total: 0,
            },
        );
    };
    if eval::matches(std::slice::from_ref(branch), event) {
        return (
            branch.fields.len(),
            Explanation {
                matched: true,
                deciding_field: Some(last.path.join(".")),
                reason: describe(last, &leaves_of(last), true),
                fields_passed: branch.fields.len(),
                fields_total: branch.fields.len(),
            },
        );
    }
    let mut first_failure = None;
    let mut passed = 0;
    for field in &branch.fields {
        let leaves = leaves_of(field);
        let ok = field.matchers.iter().any(|m| match m {
            ValueMatcher::Exists(want) => *want != leaves.is_empty(),
            other => leaves.iter().any(|v| other.matches(v)),
        });
        if ok {
            passed += 1;
        } else if first_failure.is_none() {
            first_failure = Some((field, describe(field, &leaves, false)));
        }
    }
    if let Some((field, reason)) = first_failure {
        return (
            passed,
            Explanation {
                matched: false,
                deciding_field: Some(field.path.join(".")),
                reason,
                fields_passed: passed,
                fields_total: branch.fields.len(),
            },
        );
    }
    let names: Vec<String> = branch.fields.iter().map(|f| f.path.join(".")).collect();
    (
        branch.fields.len(),
        Explanation {
            matched: false,
            deciding_field: Some(last.path.join(".")),
            reason: format!(
                "{} each match, but not within one element of an event array",
                names.join(", ")
            ),
            fields_passed: branch.fields.len(),
            fields_total: branch.fields.len(),
        },
    )
}

/// The leaf values at `path` below `node`, through arrays (objects are not leaves).
fn collect_leaves<'v>(node: &'v Value, path: &[String], depth: usize, out: &mut Vec<&'v Value>) {
    match node {
        Value::Array(items) => {
            for item in items {
                if depth < path.len() && !matches!(item, Value::Object(_) | Value::Array(_)) {
                    continue;
                }
                collect_leaves(item, path, depth, out);
            }
        }
        Value::Object(map) => {
            if let Some(child) = path.get(depth).and_then(|k| map.get(k)) {
                collect_leaves(child, path, depth + 1, out);
            }
        }
        scalar => {
            if depth == path.len() {
                out.push(scalar);
            }
        }
    }
}

fn describe(field: &FieldCondition, leaves: &[&Value], ok: bool) -> String {
    let path = field.path.join(".");
    let condition = Value::Array(field.matchers.iter().map(to_json).collect()).to_string();
    let all_exact = field
        .matchers
        .iter()
        .all(|m| matches!(m, ValueMatcher::Exact(_)));
    let found = match leaves {
        [] => {
            return if ok {
                format!("{path} is missing, as {condition} allows")
            } else {
                format!("{path} is missing; expected {condition}")
            };
        }
        [one] => one.to_string(),
        many => Value::Array(many.iter().map(|v| (*v).clone()).collect()).to_string(),
    };
    let verb = match (ok, all_exact) {
        (true, true) => "is one of",
        (false, true) => "is not one of",
        (true, false) => "matches",
        (false, false) => "does not match",
    };
    format!("{path}: {found} {verb} {condition}")
}

fn number(v: f64) -> Value {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        json!(v as i64)
    } else {
        json!(v)
    }
}

/// A matcher written back as pattern JSON (case-insensitive operands lower-cased, numeric
/// ranges in their shortest form).
fn to_json(m: &ValueMatcher) -> Value {
    let op = |name: &str, v: Value| {
        let mut obj = Map::new();
        obj.insert(name.to_owned(), v);
        Value::Object(obj)
    };
    match m {
        ValueMatcher::Exact(Literal::String { text, .. }) => json!(text),
        ValueMatcher::Exact(Literal::Number(n)) => Value::Number(n.clone()),
        ValueMatcher::Exact(Literal::Bool(b)) => json!(b),
        ValueMatcher::Exact(Literal::Null) => Value::Null,
        ValueMatcher::Prefix(s) => op("prefix", json!(s)),
        ValueMatcher::Suffix(s) => op("suffix", json!(s)),
        ValueMatcher::PrefixIgnoreCase(f) => op("prefix", op("equals-ignore-case", json!(f.0))),
        ValueMatcher::SuffixIgnoreCase(f) => op("suffix", op("equals-ignore-case", json!(f.0))),
        ValueMatcher::EqualsIgnoreCase(f) => op("equals-ignore-case", json!(f.0)),
        ValueMatcher::Wildcard(w) => op("wildcard", json!(w.to_text())),
        ValueMatcher::Cidr(c) => op("cidr", json!(c.to_text())),
        ValueMatcher::Exists(b) => op("exists", json!(b)),
        ValueMatcher::Numeric(r) => {
            let lower = if r.bottom.open { ">" } else { ">=" };
            let upper = if r.top.open { "<" } else { "<=" };
            let terms = if r.bottom == r.top {
                json!(["=", number(r.bottom.value)])
            } else if r.bottom.value <= -FIVE_BILLION && !r.bottom.open {
                json!([upper, number(r.top.value)])
            } else if r.top.value >= FIVE_BILLION && !r.top.open {
                json!([lower, number(r.bottom.value)])
            } else {
                json!([lower, number(r.bottom.value), upper, number(r.top.value)])
            };
            op("numeric", terms)
        }
        ValueMatcher::AnythingBut(inner) => {
            let parts: Vec<Value> = inner
                .iter()
                .map(|m| match to_json(m) {
                    Value::Object(obj) => obj.into_iter().next().map_or(Value::Null, |kv| kv.1),
                    plain => plain,
                })
                .collect();
            let operand = match <[Value; 1]>::try_from(parts) {
                Ok([one]) => one,
                Err(many) => Value::Array(many),
            };
            let kind = match inner.first() {
                Some(ValueMatcher::Prefix(_)) => Some("prefix"),
                Some(ValueMatcher::Suffix(_)) => Some("suffix"),
                Some(ValueMatcher::EqualsIgnoreCase(_)) => Some("equals-ignore-case"),
                Some(ValueMatcher::Wildcard(_)) => Some("wildcard"),
                _ => None,
            };
            match kind {
                Some(k) => op("anything-but", op(k, operand)),
                None => op("anything-but", operand),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn explain(pattern: &str, event: Value) -> Explanation {
        Pattern::parse(pattern).expect("valid").explain(&event)
    }

    fn check(pattern: &str, event: Value, matched: bool, field: Option<&str>, reason: &str) {
        let p = Pattern::parse(pattern).expect("valid");
        let e = p.explain(&event);
        assert_eq!(e.matched, p.matches(&event), "{pattern} / {event}");
        assert_eq!(
            (e.matched, e.deciding_field.as_deref(), e.reason.as_str()),
            (matched, field, reason),
            "{pattern} / {event}"
        );
    }

    #[test]
    fn non_match_names_the_first_failing_field_in_sorted_order() {
        let p = r#"{"source": ["aws.cloudwatch"], "detail": {"state": {"value": ["ALARM"]}}}"#;
        check(
            p,
            json!({"source": "aws.cloudwatch", "detail": {"state": {"value": "OK"}}}),
            false,
            Some("detail.state.value"),
            r#"detail.state.value: "OK" is not one of ["ALARM"]"#,
        );
        // both fail: detail.state.value sorts before source
        check(
            p,
            json!({"source": "aws.ec2", "detail": {"state": {"value": "OK"}}}),
            false,
            Some("detail.state.value"),
            r#"detail.state.value: "OK" is not one of ["ALARM"]"#,
        );
        check(
            p,
            json!({"source": "aws.ec2", "detail": {"state": {"value": "ALARM"}}}),
            false,
            Some("source"),
            r#"source: "aws.ec2" is not one of ["aws.cloudwatch"]"#,
        );
        check(
            p,
            json!({"source": "aws.cloudwatch"}),
            false,
            Some("detail.state.value"),
            r#"detail.state.value is missing; expected ["ALARM"]"#,
        );
    }

    #[test]
    fn match_names_the_last_field_checked() {
        check(
            r#"{"source": ["aws.cloudwatch"], "detail": {"state": {"value": ["ALARM"]}}}"#,
            json!({"source": "aws.cloudwatch", "detail": {"state": {"value": "ALARM"}}}),
            true,
            Some("source"),
            r#"source: "aws.cloudwatch" is one of ["aws.cloudwatch"]"#,
        );
        check(
            r#"{"a": [{"exists": false}]}"#,
            json!({}),
            true,
            Some("a"),
            r#"a is missing, as [{"exists":false}] allows"#,
        );
    }

    #[test]
    fn operators_are_written_back_as_pattern_json() {
        check(
            r#"{"n": [{"numeric": [">", 0, "<=", 5]}, {"numeric": ["<", 3]}, {"numeric": ["=", 3e2]}]}"#,
            json!({"n": [7, 8]}),
            false,
            Some("n"),
            r#"n: [7,8] does not match [{"numeric":[">",0,"<=",5]},{"numeric":["<",3]},{"numeric":["=",300]}]"#,
        );
        check(
            r#"{"s": [{"prefix": {"equals-ignore-case": "AB"}}, {"wildcard": "a\\*b*"}, {"cidr": "10.0.0.9/8"}, {"anything-but": {"prefix": ["x", "y"]}}, {"anything-but": 5}]}"#,
            json!({"s": "xyz"}),
            true,
            Some("s"),
            r#"s: "xyz" matches [{"prefix":{"equals-ignore-case":"ab"}},{"wildcard":"a\\*b*"},{"cidr":"10.0.0.0/8"},{"anything-but":{"prefix":["x","y"]}},{"anything-but":5}]"#,
        );
        check(
            r#"{"s": [{"suffix": "z"}]}"#,
            json!({"s": ["a", "xyz"]}),
            true,
            Some("s"),
            r#"s: ["a","xyz"] matches [{"suffix":"z"}]"#,
        );
    }

    #[test]
    fn or_reports_the_matching_or_the_closest_alternative() {
        let p = r#"{"source": ["x"], "$or": [{"a": [1]}, {"b": [2], "c": [3]}]}"#;
        check(
            p,
            json!({"source": "x", "b": 2, "c": 3}),
            true,
            Some("source"),
            r#"source: "x" is one of ["x"] (alternative 2 of 2)"#,
        );
        check(
            p,
            json!({"source": "x", "b": 2, "c": 4}),
            false,
            Some("c"),
            r#"c: 4 is not one of [3] (alternative 2 of 2)"#,
        );
    }

    #[test]
    fn array_consistency_failures_are_explained() {
        let e = explain(
            r#"{"a": {"b": [1], "c": [2]}}"#,
            json!({"a": [{"b": 1}, {"c": 2}]}),
        );
        assert!(!e.matched);
        assert_eq!(e.deciding_field.as_deref(), Some("a.c"));
        assert_eq!(
            e.reason,
            "a.b, a.c each match, but not within one element of an event array"
        );
    }
}
