//! Pattern JSON → normalized branches, validating as EventBridge does.
//!
//! The walk follows aws/event-ruler's `JsonRuleCompiler` step by step, in document order, so
//! that the first error found, and its wording, are the ones EventBridge reports.

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use crate::cidr::Cidr;
use crate::error::{PatternError, Result, barf};
use crate::number::{Bound, NumericRange, comparable};
use crate::value::{Folded, Literal, ValueMatcher};
use crate::wildcard::Wildcard;

/// EventBridge's limit on the pattern text (`EventPattern` shape: `max: 4096`), counted in
/// UTF-16 code units as the AWS length constraints are.
pub const MAX_PATTERN_LENGTH: usize = 4096;

/// Tocsin's own bound on the number of alternatives a pattern expands into through `$or`;
/// without one, a 4 KiB pattern of sequential `$or`s could ask for 2^100 branches.
pub const MAX_BRANCHES: usize = 1024;

const OR: &str = "$or";

/// Names that cannot be field names inside `$or` (event-ruler's
/// `RESERVED_FIELD_NAMES_IN_OR_RELATIONSHIP`), so that a misplaced operator is reported rather
/// than silently treated as a field.
const RESERVED_IN_OR: &[&str] = &[
    "exactly",
    "equals-ignore-case",
    "prefix",
    "suffix",
    "anything-but",
    "exists",
    "wildcard",
    "numeric",
    "cidr",
    "html",
    "=",
    "<",
    "<=",
    ">",
    ">=",
    "regex",
    "not-wildcard",
    "not-equals-ignore-case",
    "date-after",
    "date-on-or-after",
    "date-before",
    "date-on-or-before",
    "in-date-range",
    "ip-address-in-range",
    "ip-address-not-in-range",
];

/// One field test: the leaf values at `path` must satisfy at least one of `matchers`.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct FieldCondition {
    /// Object keys from the event root to the field, e.g. `["detail", "state"]`, each pattern
    /// key split at its dots (`{"detail.state": [...]}` gives the same path; see `dotted.rs`).
    pub(crate) path: Vec<String>,
    /// Any-of.
    pub(crate) matchers: Vec<ValueMatcher>,
}

/// One alternative of a pattern after `$or` expansion: a conjunction of field conditions,
/// sorted by path, each path once.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Branch {
    pub(crate) fields: Vec<FieldCondition>,
}

type Building = Vec<BTreeMap<Vec<String>, Vec<ValueMatcher>>>;

/// Parses and validates `src`, returning its branches (at least one, each non-empty). The
/// wildcard-complexity limit is checked apart (`complexity::check`), once a pattern compiles.
pub(crate) fn compile(src: &str) -> Result<Vec<Branch>> {
    if src.encode_utf16().count() > MAX_PATTERN_LENGTH {
        barf!(
            "Value at 'eventPattern' failed to satisfy constraint: Member must have length less than or equal to {MAX_PATTERN_LENGTH}"
        );
    }
    let value: Value = match serde_json::from_str(src) {
        Ok(v) => v,
        Err(e) => barf!("Filter is not valid JSON: {e}"),
    };
    compile_value(&value)
}

/// Validates an already-parsed pattern.
pub(crate) fn compile_value(value: &Value) -> Result<Vec<Branch>> {
    let Value::Object(obj) = value else {
        barf!("Filter is not an object");
    };
    let mut rules: Building = Vec::new();
    let mut path = Vec::new();
    parse_object(&mut rules, &mut path, obj, false)?;
    Ok(rules
        .into_iter()
        .map(|rule| Branch {
            fields: rule
                .into_iter()
                .map(|(path, matchers)| FieldCondition { path, matchers })
                .collect(),
        })
        .collect())
}

fn parse_object(
    rules: &mut Building,
    path: &mut Vec<String>,
    obj: &Map<String, Value>,
    in_or: bool,
) -> Result<()> {
    if obj.is_empty() {
        barf!("Empty objects are not allowed");
    }
    for (name, value) in obj {
        if name == OR {
            parse_or(rules, path, value)?;
            continue;
        }
        if in_or && RESERVED_IN_OR.contains(&name.as_str()) {
            barf!("{name} is Ruler reserved fieldName which cannot be used inside {OR}.");
        }
        match value {
            Value::Object(inner) => {
                let depth = path.len();
                path.extend(name.split('.').map(str::to_owned));
                parse_object(rules, path, inner, in_or)?;
                path.truncate(depth);
            }
            Value::Array(values) => {
                let mut full = path.clone();
                full.extend(name.split('.').map(str::to_owned));
                write_rules(rules, full, values)?;
            }
            _ => barf!("\"{name}\" must be an object or an array"),
        }
    }
    Ok(())
}

fn parse_or(rules: &mut Building, path: &mut Vec<String>, value: &Value) -> Result<()> {
    let current = std::mem::take(rules);
    let Value::Array(items) = value else {
        barf!("It must be an Array followed with {OR}.");
    };
    for item in items {
        let Value::Object(obj) = item else {
            barf!("Only JSON object is allowed in array of {OR} relationship.");
        };
        let mut alternative = current.clone();
        if alternative.is_empty() {
            alternative.push(BTreeMap::new());
        }
        parse_object(&mut alternative, path, obj, true)?;
        rules.extend(alternative);
        if rules.len() > MAX_BRANCHES {
            barf!(
                "Rule is too complex - try using fewer {OR} relationships (at most {MAX_BRANCHES} combinations)"
            );
        }
    }
    if items.len() < 2 {
        barf!("There must have at least 2 Objects in {OR} relationship.");
    }
    Ok(())
}

fn write_rules(rules: &mut Building, name: Vec<String>, values: &[Value]) -> Result<()> {
    let mut matchers = Vec::with_capacity(values.len());
    for value in values {
        matchers.push(match value {
            Value::Object(expr) => match_expression(expr)?,
            Value::String(s) => ValueMatcher::Exact(Literal::string(s)),
            Value::Number(n) => ValueMatcher::Exact(Literal::Number(n.clone())),
            Value::Bool(b) => ValueMatcher::Exact(Literal::Bool(*b)),
            Value::Null => ValueMatcher::Exact(Literal::Null),
            Value::Array(_) => barf!("Match value must be String, number, true, false, or null"),
        });
    }
    if matchers.is_empty() {
        barf!("Empty arrays are not allowed");
    }
    if rules.is_empty() {
        rules.push(BTreeMap::new());
    }
    // A path given twice in one branch: the later one wins (event-ruler compiles with
    // overriding on).
    for rule in rules.iter_mut() {
        rule.insert(name.clone(), matchers.clone());
    }
    Ok(())
}

/// The text event-ruler's messages quote for a token: a scalar's JSON text, the opening
/// bracket of a container, `]` for the end of the array.
fn token_text(v: Option<&Value>) -> String {
    match v {
        None => "]".to_owned(),
        Some(Value::String(s)) => s.clone(),
        Some(Value::Array(_)) => "[".to_owned(),
        Some(Value::Object(_)) => "{".to_owned(),
        Some(other) => other.to_string(),
    }
}

fn one_key(expr: &Map<String, Value>) -> Result<()> {
    if expr.len() > 1 {
        barf!("Only one key allowed in match expression");
    }
    Ok(())
}

fn too_many_elements() -> PatternError {
    PatternError::new("Too many elements in numeric expression")
}

fn match_expression(expr: &Map<String, Value>) -> Result<ValueMatcher> {
    let Some((kind, value)) = expr.iter().next() else {
        barf!("Match expression name not found");
    };
    let matcher = match kind.as_str() {
        "prefix" => {
            if let Value::Object(inner) = value {
                let m = ValueMatcher::PrefixIgnoreCase(ignore_case_modifier(inner, "Prefix")?);
                one_key(expr)?;
                return Ok(m);
            }
            let Value::String(s) = value else {
                barf!("prefix match pattern must be a string");
            };
            ValueMatcher::Prefix(s.clone())
        }
        "suffix" => {
            if let Value::Object(inner) = value {
                let m = ValueMatcher::SuffixIgnoreCase(ignore_case_modifier(inner, "Suffix")?);
                one_key(expr)?;
                return Ok(m);
            }
            let Value::String(s) = value else {
                barf!("suffix match pattern must be a string");
            };
            ValueMatcher::Suffix(s.clone())
        }
        "numeric" => {
            let Value::Array(terms) = value else {
                barf!("Value of numeric must be an array.");
            };
            let range = numeric(terms)?;
            if expr.len() > 1 {
                return Err(too_many_elements());
            }
            return Ok(ValueMatcher::Numeric(range));
        }
        "anything-but" => {
            let m = anything_but(value)?;
            if expr.len() > 1 {
                return Err(too_many_elements());
            }
            return Ok(m);
        }
        "exists" => {
            let Value::Bool(b) = value else {
                barf!("exists match pattern must be either true or false.");
            };
            ValueMatcher::Exists(*b)
        }
        "cidr" => {
            let Value::String(s) = value else {
                // sic: event-ruler reuses the prefix message here
                barf!("prefix match pattern must be a string");
            };
            ValueMatcher::Cidr(Cidr::parse(s)?)
        }
        "equals-ignore-case" => {
            let Value::String(s) = value else {
                barf!("equals-ignore-case match pattern must be a string");
            };
            ValueMatcher::EqualsIgnoreCase(Folded::new(s))
        }
        "wildcard" => {
            let Value::String(s) = value else {
                barf!("wildcard match pattern must be a string");
            };
            ValueMatcher::Wildcard(Wildcard::parse(s)?)
        }
        other => barf!("Unrecognized match type {other}"),
    };
    one_key(expr)?;
    Ok(matcher)
}

/// `{"equals-ignore-case": "x"}` inside `prefix` / `suffix`.
fn ignore_case_modifier(inner: &Map<String, Value>, what: &str) -> Result<Folded> {
    let Some((op, value)) = inner.iter().next() else {
        barf!("{what} expression name not found");
    };
    if op != "equals-ignore-case" {
        barf!("Unsupported {} pattern: {op}", what.to_lowercase());
    }
    let Value::String(s) = value else {
        barf!("equals-ignore-case match pattern must be a string");
    };
    one_key(inner)?;
    Ok(Folded::new(s))
}

/// Checks that a `numeric` operand is a JSON number ("Value of > must be numeric").
fn numeric_operand(v: Option<&Value>, op: &str) -> Result<()> {
    match v {
        Some(Value::Number(_)) => Ok(()),
        _ => {
            let shown = if op == "=" { "equals" } else { op };
            barf!("Value of {shown} must be numeric")
        }
    }
}

/// The comparable form of an operand already known to be a number.
fn operand_value(v: Option<&Value>) -> Result<f64> {
    match v {
        Some(Value::Number(n)) => comparable(n),
        _ => barf!("Value must be between -5.0E9 and 5.0E9, inclusive"),
    }
}

/// `numeric`, as event-ruler v1.7.4 reads it (`JsonRuleCompiler.processNumericMatchExpression`
/// and `completeNumericRange`): the shape is checked term by term first; then each operand
/// becomes a comparable number, the bottom before the top (`Range.between`,
/// `ComparableNumber.generate`); last, the bottom must lie below the top.
///
/// A one-sided range is bounded by the end of the scale (±5.0e9), and an operand at that end
/// (`[">", 5e9]`, `[">=", 5e9]`, `["<=", -5e9]`) is refused with "Bottom must be less than
/// top", as event-ruler's `Range` did up to v1.7.3: v1.7.4 accepts such a range and then
/// fails on every event the machine matches (an `ArrayIndexOutOfBoundsException` in its
/// range automaton), so a rule that EventBridge could run cannot hold one.
fn numeric(terms: &[Value]) -> Result<NumericRange> {
    let Some(Value::String(op)) = terms.first() else {
        barf!(
            "Invalid member in numeric match: {}",
            token_text(terms.first())
        );
    };
    let bottom_of_scale = Bound {
        value: -crate::number::FIVE_BILLION,
        open: false,
    };
    let top_of_scale = Bound {
        value: crate::number::FIVE_BILLION,
        open: false,
    };
    match op.as_str() {
        "=" => {
            numeric_operand(terms.get(1), op)?;
            if terms.len() > 2 {
                return Err(too_many_elements());
            }
            Ok(NumericRange::equals(operand_value(terms.get(1))?))
        }
        ">" | ">=" => {
            numeric_operand(terms.get(1), op)?;
            let open = op == ">";
            if terms.len() == 2 {
                let bottom = Bound {
                    value: operand_value(terms.get(1))?,
                    open,
                };
                return NumericRange::between(bottom, top_of_scale);
            }
            let Some(Value::String(op2)) = terms.get(2) else {
                barf!("Bad value in numeric range: {}", token_text(terms.get(2)));
            };
            if op2 != "<" && op2 != "<=" {
                barf!("Bad numeric range operator: {op2}");
            }
            numeric_operand(terms.get(3), op2)?;
            if terms.len() > 4 {
                barf!("Too many terms in numeric range expression");
            }
            let bottom = Bound {
                value: operand_value(terms.get(1))?,
                open,
            };
            let top = Bound {
                value: operand_value(terms.get(3))?,
                open: op2 == "<",
            };
            NumericRange::between(bottom, top)
        }
        "<" | "<=" => {
            numeric_operand(terms.get(1), op)?;
            if terms.len() > 2 {
                return Err(too_many_elements());
            }
            let top = Bound {
                value: operand_value(terms.get(1))?,
                open: op == "<",
            };
            NumericRange::between(bottom_of_scale, top)
        }
        _ => barf!("Unrecognized numeric range operator: {op}"),
    }
}

/// The four modifiers `anything-but` accepts as an object.
#[derive(Clone, Copy, PartialEq, Eq)]
enum ButKind {
    IgnoreCase,
    Prefix,
    Suffix,
    Wildcard,
}

fn anything_but(value: &Value) -> Result<ValueMatcher> {
    let (kind, value, inner_len) = match value {
        Value::Object(inner) => {
            let Some((op, v)) = inner.iter().next() else {
                barf!("Anything-But expression name not found");
            };
            let kind = match op.as_str() {
                "equals-ignore-case" => ButKind::IgnoreCase,
                "prefix" => ButKind::Prefix,
                "suffix" => ButKind::Suffix,
                "wildcard" => ButKind::Wildcard,
                other => barf!("Unsupported anything-but pattern: {other}"),
            };
            (Some(kind), v, inner.len())
        }
        other => (None, other, 1),
    };
    if !matches!(value, Value::Array(_) | Value::String(_) | Value::Number(_)) {
        barf!("Value of anything-but must be an array or single string/number value.");
    }
    let matcher = match kind {
        None => plain_anything_but(value)?,
        Some(kind) => {
            let items: &[Value] = match value {
                Value::Array(items) => items,
                single => std::slice::from_ref(single),
            };
            let mut inner = Vec::with_capacity(items.len());
            for item in items {
                let Value::String(s) = item else {
                    match kind {
                        ButKind::IgnoreCase => barf!(
                            "Inside anything-but/equals-ignore-case list, number|start|null|boolean is not supported."
                        ),
                        ButKind::Wildcard => barf!("wildcard match pattern must be a string"),
                        ButKind::Prefix | ButKind::Suffix => {
                            barf!("prefix/suffix match pattern must be a string")
                        }
                    }
                };
                if s.is_empty() && matches!(kind, ButKind::Prefix | ButKind::Suffix) {
                    barf!("Null prefix/suffix not allowed");
                }
                inner.push(s);
            }
            let inner = inner
                .into_iter()
                .map(|s| {
                    Ok(match kind {
                        ButKind::IgnoreCase => ValueMatcher::EqualsIgnoreCase(Folded::new(s)),
                        ButKind::Prefix => ValueMatcher::Prefix(s.clone()),
                        ButKind::Suffix => ValueMatcher::Suffix(s.clone()),
                        ButKind::Wildcard => ValueMatcher::Wildcard(Wildcard::parse(s)?),
                    })
                })
                .collect::<Result<Vec<_>>>()?;
            ValueMatcher::AnythingBut(inner)
        }
    };
    if inner_len > 1 {
        return Err(too_many_elements());
    }
    Ok(matcher)
}

/// `anything-but` with a value, or a list of all-strings or all-numbers.
fn plain_anything_but(value: &Value) -> Result<ValueMatcher> {
    match value {
        Value::String(s) => Ok(ValueMatcher::AnythingBut(vec![ValueMatcher::Exact(
            Literal::string(s),
        )])),
        Value::Number(n) => {
            comparable(n)?;
            Ok(ValueMatcher::AnythingBut(vec![ValueMatcher::Exact(
                Literal::Number(n.clone()),
            )]))
        }
        Value::Array(items) => {
            let (mut strings, mut numbers) = (false, false);
            let mut inner = Vec::with_capacity(items.len());
            for item in items {
                match item {
                    Value::String(s) => {
                        strings = true;
                        inner.push(ValueMatcher::Exact(Literal::string(s)));
                    }
                    Value::Number(n) => {
                        numbers = true;
                        comparable(n)?;
                        inner.push(ValueMatcher::Exact(Literal::Number(n.clone())));
                    }
                    _ => barf!("Inside anything but list, start|null|boolean is not supported."),
                }
            }
            if strings == numbers {
                barf!(
                    "Inside anything but list, either all values are number or string, mixed type is not supported"
                );
            }
            Ok(ValueMatcher::AnythingBut(inner))
        }
        _ => barf!("Value of anything-but must be an array or single string/number value."),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Branches as `path=matcher-count` strings, for compact assertions.
    fn shape(src: &str) -> Vec<Vec<String>> {
        compile(src)
            .expect("valid")
            .into_iter()
            .map(|b| {
                b.fields
                    .iter()
                    .map(|f| format!("{}={}", f.path.join("."), f.matchers.len()))
                    .collect()
            })
            .collect()
    }

    #[test]
    fn plain_pattern_is_one_sorted_branch() {
        assert_eq!(
            shape(r#"{"source": ["a", "b"], "detail": {"z": [1], "state": {"value": ["x"]}}}"#),
            vec![vec!["detail.state.value=1", "detail.z=1", "source=2"]]
        );
    }

    #[test]
    fn or_expands_into_alternatives_carrying_the_common_fields() {
        assert_eq!(
            shape(r#"{"s": ["x"], "$or": [{"a": [1]}, {"b": [1, 2]}]}"#),
            vec![vec!["a=1", "s=1"], vec!["b=2", "s=1"]]
        );
        assert_eq!(
            shape(r#"{"d": {"$or": [{"a": [1]}, {"$or": [{"b": [1]}, {"c": [1]}]}]}}"#),
            vec![vec!["d.a=1"], vec!["d.b=1"], vec!["d.c=1"]]
        );
    }

    #[test]
    fn later_definitions_of_a_path_override_earlier_ones() {
        // event-ruler compiles with overriding on: document order decides.
        assert_eq!(
            shape(r#"{"a": [1], "$or": [{"a": [1, 2]}, {"b": [1]}]}"#),
            vec![vec!["a=2"], vec!["a=1", "b=1"]]
        );
        assert_eq!(
            shape(r#"{"$or": [{"a": [1, 2]}, {"b": [1]}], "a": [1]}"#),
            vec![vec!["a=1"], vec!["a=1", "b=1"]]
        );
    }

    #[test]
    fn token_text_matches_jackson_get_text() {
        assert_eq!(token_text(None), "]");
        assert_eq!(token_text(Some(&Value::from(1.5))), "1.5");
        assert_eq!(token_text(Some(&Value::from("<"))), "<");
        assert_eq!(token_text(Some(&Value::Null)), "null");
        assert_eq!(token_text(Some(&serde_json::json!([1]))), "[");
        assert_eq!(token_text(Some(&serde_json::json!({"a": 1}))), "{");
    }
}
