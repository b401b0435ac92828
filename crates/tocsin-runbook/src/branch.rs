//! `aws:branch`: `Choices`, each a condition and a `NextStep`, tried in order; `Default` when
//! none holds. Conditions compare a `Variable` (a `{{ reference }}`) with one operator, or
//! combine conditions with `And`, `Or` and `Not`, as Automation defines them.

use serde_json::Value;

use crate::template::{self, Lookup};

/// The comparison operators of `aws:branch`.
pub const OPERATORS: [&str; 11] = [
    "StringEquals",
    "EqualsIgnoreCase",
    "StartsWith",
    "EndsWith",
    "Contains",
    "NumericEquals",
    "NumericGreater",
    "NumericLesser",
    "NumericGreaterOrEquals",
    "NumericLesserOrEquals",
    "BooleanEquals",
];

/// A condition of a choice.
#[derive(Debug, Clone, PartialEq)]
pub enum Condition {
    /// `Variable` compared with `operand` by `operator` (one of [`OPERATORS`]).
    Compare {
        /// The `{{ reference }}` text.
        variable: String,
        /// The operator name.
        operator: &'static str,
        /// What it is compared with.
        operand: Value,
    },
    /// Every condition holds.
    And(Vec<Condition>),
    /// Any condition holds.
    Or(Vec<Condition>),
    /// The condition does not hold.
    Not(Box<Condition>),
}

/// One entry of `Choices`.
#[derive(Debug, Clone, PartialEq)]
pub struct Choice {
    /// The step to run when the condition holds.
    pub next_step: String,
    /// The condition.
    pub condition: Condition,
}

/// The parsed inputs of an `aws:branch` step.
#[derive(Debug, Clone, PartialEq)]
pub struct Branch {
    /// The choices, in order.
    pub choices: Vec<Choice>,
    /// The step when no choice holds (none: the step fails).
    pub default: Option<String>,
}

/// Parses the inputs of an `aws:branch` step.
///
/// Errors: the reason, for [`crate::DocumentError`] to prefix with the step.
pub fn parse(inputs: &serde_json::Map<String, Value>) -> Result<Branch, String> {
    let choices = inputs
        .get("Choices")
        .and_then(Value::as_array)
        .filter(|c| !c.is_empty())
        .ok_or("aws:branch needs Choices, a non-empty list")?;
    let mut parsed = Vec::new();
    for (i, choice) in choices.iter().enumerate() {
        let object = choice
            .as_object()
            .ok_or_else(|| format!("choice {} is not an object", i + 1))?;
        let next_step = object
            .get("NextStep")
            .and_then(Value::as_str)
            .ok_or_else(|| format!("choice {} has no NextStep", i + 1))?
            .to_owned();
        let mut rest = object.clone();
        rest.remove("NextStep");
        let condition =
            condition(&Value::Object(rest)).map_err(|e| format!("choice {}: {e}", i + 1))?;
        parsed.push(Choice {
            next_step,
            condition,
        });
    }
    let default = match inputs.get("Default") {
        None => None,
        Some(Value::String(s)) => Some(s.clone()),
        Some(_) => return Err("Default must be a step name".into()),
    };
    Ok(Branch {
        choices: parsed,
        default,
    })
}

fn condition(value: &Value) -> Result<Condition, String> {
    let object = value.as_object().ok_or("a condition must be an object")?;
    if let Some(list) = object.get("And").or_else(|| object.get("Or")) {
        let items = list
            .as_array()
            .filter(|l| !l.is_empty())
            .ok_or("And/Or need a non-empty list of conditions")?
            .iter()
            .map(condition)
            .collect::<Result<Vec<_>, _>>()?;
        return Ok(if object.contains_key("And") {
            Condition::And(items)
        } else {
            Condition::Or(items)
        });
    }
    if let Some(inner) = object.get("Not") {
        return Ok(Condition::Not(Box::new(condition(inner)?)));
    }
    let variable = object
        .get("Variable")
        .and_then(Value::as_str)
        .ok_or("a condition needs a Variable")?;
    if template::references(variable).is_empty() {
        return Err(format!(
            "Variable {variable:?} must be a {{{{ reference }}}}"
        ));
    }
    let mut found = OPERATORS
        .iter()
        .filter_map(|op| object.get(*op).map(|v| (*op, v.clone())));
    let (operator, operand) = found.next().ok_or_else(|| {
        let extra: Vec<&String> = object.keys().filter(|k| *k != "Variable").collect();
        format!(
            "no known operator (one of {}) but {extra:?}",
            OPERATORS.join(", ")
        )
    })?;
    if found.next().is_some() {
        return Err("a condition has exactly one operator".into());
    }
    if operator.starts_with("Numeric") && operand.as_f64().is_none() {
        return Err(format!("{operator} needs a number, got {operand}"));
    }
    if operator == "BooleanEquals" && !operand.is_boolean() {
        return Err(format!("BooleanEquals needs true or false, got {operand}"));
    }
    if !operator.starts_with("Numeric") && operator != "BooleanEquals" && !operand.is_string() {
        return Err(format!("{operator} needs a string, got {operand}"));
    }
    Ok(Condition::Compare {
        variable: variable.to_owned(),
        operator,
        operand,
    })
}

impl Condition {
    /// Every `{{ reference }}` the condition reads.
    pub fn references(&self) -> Vec<String> {
        match self {
            Condition::Compare { variable, .. } => template::references(variable)
                .into_iter()
                .map(str::to_owned)
                .collect(),
            Condition::And(items) | Condition::Or(items) => {
                items.iter().flat_map(Condition::references).collect()
            }
            Condition::Not(inner) => inner.references(),
        }
    }

    /// Whether the condition holds with references resolved by `lookup`.
    ///
    /// Errors: a reference with no value; a numeric comparison of something that is not a
    /// number.
    pub fn holds(&self, lookup: &dyn Lookup) -> Result<bool, String> {
        match self {
            Condition::And(items) => {
                for c in items {
                    if !c.holds(lookup)? {
                        return Ok(false);
                    }
                }
                Ok(true)
            }
            Condition::Or(items) => {
                for c in items {
                    if c.holds(lookup)? {
                        return Ok(true);
                    }
                }
                Ok(false)
            }
            Condition::Not(inner) => Ok(!inner.holds(lookup)?),
            Condition::Compare {
                variable,
                operator,
                operand,
            } => {
                let value = template::render(&Value::String(variable.clone()), lookup)?;
                compare(&value, operator, operand)
            }
        }
    }
}

fn number(value: &Value) -> Option<f64> {
    match value {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

fn compare(value: &Value, operator: &str, operand: &Value) -> Result<bool, String> {
    let text = template::as_text(value);
    let want = template::as_text(operand);
    if let Some(op) = operator.strip_prefix("Numeric") {
        let (Some(a), Some(b)) = (number(value), number(operand)) else {
            return Err(format!("{operator}: {text:?} is not a number"));
        };
        return Ok(match op {
            "Equals" => a == b,
            "Greater" => a > b,
            "Lesser" => a < b,
            "GreaterOrEquals" => a >= b,
            _ => a <= b,
        });
    }
    Ok(match operator {
        "StringEquals" => text == want,
        "EqualsIgnoreCase" => text.to_lowercase() == want.to_lowercase(),
        "StartsWith" => text.starts_with(&want),
        "EndsWith" => text.ends_with(&want),
        "Contains" => text.contains(&want),
        _ => {
            let flag = match value {
                Value::Bool(b) => Some(*b),
                Value::String(s) => s.parse::<bool>().ok(),
                _ => None,
            };
            flag == operand.as_bool()
        }
    })
}

impl Branch {
    /// The step the branch goes to: the first choice that holds, else `Default`; `None`
    /// when neither (the execution goes on with the following step: "If no Default value is
    /// specified for the step, then the automation processes the next step in the runbook",
    /// AWS Systems Manager User Guide, aws:branch).
    ///
    /// Errors: a condition could not be evaluated (a reference with no value, a numeric
    /// comparison of a non-number): the step fails.
    pub fn choose(&self, lookup: &dyn Lookup) -> Result<Option<String>, String> {
        for choice in &self.choices {
            if choice.condition.holds(lookup)? {
                return Ok(Some(choice.next_step.clone()));
            }
        }
        Ok(self.default.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn branch(inputs: Value) -> Result<Branch, String> {
        parse(inputs.as_object().unwrap())
    }

    #[test]
    fn choices_are_tried_in_order_with_every_operator() {
        let b = branch(json!({
            "Choices": [
                {"NextStep": "sev1", "Variable": "{{ Impact }}", "NumericLesserOrEquals": 1},
                {"NextStep": "page", "And": [
                    {"Variable": "{{ Impact }}", "NumericLesser": 3},
                    {"Not": {"Variable": "{{ Title }}", "StartsWith": "test"}}
                ]},
                {"NextStep": "shout", "Or": [
                    {"Variable": "{{ Title }}", "EqualsIgnoreCase": "DOWN"},
                    {"Variable": "{{ Flag }}", "BooleanEquals": true}
                ]},
                {"NextStep": "contains", "Variable": "{{ Title }}", "Contains": "disk"}
            ],
            "Default": "log"
        }))
        .unwrap();
        let run = |impact: i64, title: &str, flag: bool| {
            let lookup = move |r: &str| match r {
                "Impact" => Some(json!(impact)),
                "Title" => Some(json!(title)),
                "Flag" => Some(json!(flag)),
                _ => None,
            };
            b.choose(&lookup).unwrap().unwrap()
        };
        assert_eq!(run(1, "x", false), "sev1");
        assert_eq!(run(2, "api slow", false), "page");
        assert_eq!(run(2, "test alarm", false), "log");
        assert_eq!(run(4, "down", false), "shout");
        assert_eq!(run(4, "x", true), "shout");
        assert_eq!(run(5, "disk full", false), "contains");
        assert_eq!(run(5, "cpu", false), "log");
    }

    #[test]
    fn numbers_in_strings_compare_as_numbers_and_no_default_goes_on() {
        let b = branch(json!({"Choices": [
            {"NextStep": "a", "Variable": "{{ N }}", "NumericGreater": 9}
        ]}))
        .unwrap();
        let ten = |_: &str| Some(json!("10"));
        assert_eq!(
            b.choose(&ten).unwrap().as_deref(),
            Some("a"),
            "\"10\" > 9, not \"10\" < \"9\""
        );
        let two = |_: &str| Some(json!(2));
        assert_eq!(
            b.choose(&two).unwrap(),
            None,
            "no match, no Default: the next step"
        );
        let word = |_: &str| Some(json!("many"));
        assert!(b.choose(&word).unwrap_err().contains("not a number"));
    }

    #[test]
    fn malformed_choices_are_refused_with_the_reason() {
        let cases = [
            (json!({}), "Choices"),
            (json!({"Choices": []}), "Choices"),
            (
                json!({"Choices": [{"Variable": "{{ x }}", "StringEquals": "a"}]}),
                "NextStep",
            ),
            (
                json!({"Choices": [{"NextStep": "a", "Variable": "x", "StringEquals": "a"}]}),
                "reference",
            ),
            (
                json!({"Choices": [{"NextStep": "a", "Variable": "{{ x }}", "Equals": "a"}]}),
                "no known operator",
            ),
            (
                json!({"Choices": [{"NextStep": "a", "Variable": "{{ x }}", "NumericEquals": "a"}]}),
                "needs a number",
            ),
            (
                json!({"Choices": [{"NextStep": "a", "Variable": "{{ x }}", "StringEquals": "a", "Contains": "b"}]}),
                "exactly one",
            ),
            (
                json!({"Choices": [{"NextStep": "a", "And": []}]}),
                "non-empty",
            ),
        ];
        for (inputs, why) in cases {
            let err = branch(inputs.clone()).unwrap_err();
            assert!(err.contains(why), "{inputs}: {err}");
        }
    }
}
