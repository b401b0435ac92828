//! `{{ reference }}` substitution in step inputs, as Automation does it: a string that is
//! exactly one reference takes the referenced value with its type (a StringList stays a
//! list); a reference inside other text is replaced by the value's text (a string as is,
//! anything else as JSON).
//!
//! References: a parameter (`{{ InstanceId }}`), a step output (`{{ step.Output }}`),
//! `{{ automation:EXECUTION_ID }}`, and `{{ global:DATE_TIME }}` and the other `global:`
//! variables ([`GLOBALS`]).

use std::sync::LazyLock;

use regex::Regex;
use serde_json::Value;

/// The `global:` variables Automation defines and Tocsin fills.
pub const GLOBALS: [&str; 5] = [
    "global:DATE_TIME",
    "global:DATE",
    "global:ACCOUNT_ID",
    "global:REGION",
    "global:AWS_PARTITION",
];

/// The `automation:` variables.
pub const AUTOMATION_VARIABLES: [&str; 1] = ["automation:EXECUTION_ID"];

#[allow(
    clippy::unwrap_used,
    reason = "a constant pattern, checked by every test that renders"
)]
static REFERENCE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\{\{\s*([A-Za-z0-9_.:\-]+)\s*\}\}").unwrap());

/// Resolves a reference to its value, or `None` when it names nothing (yet).
pub trait Lookup {
    /// The value `reference` (without braces, trimmed) names.
    fn lookup(&self, reference: &str) -> Option<Value>;
}

impl<F: Fn(&str) -> Option<Value>> Lookup for F {
    fn lookup(&self, reference: &str) -> Option<Value> {
        self(reference)
    }
}

/// Every reference in `text`, in order (without braces).
pub fn references(text: &str) -> Vec<&str> {
    REFERENCE
        .captures_iter(text)
        .filter_map(|c| c.get(1).map(|m| m.as_str()))
        .collect()
}

/// Every reference anywhere in `value` (strings in objects and arrays, keys excluded).
pub fn references_in(value: &Value) -> Vec<String> {
    let mut out = Vec::new();
    walk(value, &mut |s| {
        out.extend(references(s).into_iter().map(str::to_owned))
    });
    out
}

fn walk(value: &Value, f: &mut dyn FnMut(&str)) {
    match value {
        Value::String(s) => f(s),
        Value::Array(items) => items.iter().for_each(|v| walk(v, f)),
        Value::Object(map) => map.values().for_each(|v| walk(v, f)),
        _ => {}
    }
}

/// The text a value takes inside other text.
pub fn as_text(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// `value` with every reference replaced.
///
/// Errors: a reference `lookup` does not know, naming it.
pub fn render(value: &Value, lookup: &dyn Lookup) -> Result<Value, String> {
    match value {
        Value::String(s) => render_str(s, lookup),
        Value::Array(items) => items
            .iter()
            .map(|v| render(v, lookup))
            .collect::<Result<Vec<_>, _>>()
            .map(Value::Array),
        Value::Object(map) => {
            let mut out = serde_json::Map::new();
            for (k, v) in map {
                out.insert(k.clone(), render(v, lookup)?);
            }
            Ok(Value::Object(out))
        }
        other => Ok(other.clone()),
    }
}

fn render_str(text: &str, lookup: &dyn Lookup) -> Result<Value, String> {
    let unknown = |r: &str| {
        format!(
            "{{{{ {r} }}}} does not name a parameter, a step output or a variable that has a value"
        )
    };
    if let Some(whole) = REFERENCE.captures(text.trim())
        && whole.get(0).map(|m| m.as_str().len()) == Some(text.trim().len())
        && let Some(name) = whole.get(1)
    {
        return lookup
            .lookup(name.as_str())
            .ok_or_else(|| unknown(name.as_str()));
    }
    let mut failed = None;
    let rendered = REFERENCE.replace_all(text, |c: &regex::Captures<'_>| {
        let name = c.get(1).map_or("", |m| m.as_str());
        match lookup.lookup(name) {
            Some(v) => as_text(&v),
            None => {
                failed.get_or_insert_with(|| unknown(name));
                String::new()
            }
        }
    });
    match failed {
        Some(err) => Err(err),
        None => Ok(Value::String(rendered.into_owned())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn lookup(name: &str) -> Option<Value> {
        match name {
            "Ids" => Some(json!(["a", "b"])),
            "Count" => Some(json!(3)),
            "step.Out" => Some(json!("x")),
            _ => None,
        }
    }

    #[test]
    fn whole_references_keep_their_type_and_inner_ones_become_text() {
        let cases = [
            (json!("{{ Ids }}"), json!(["a", "b"])),
            (json!("{{Count}}"), json!(3)),
            (json!("n={{ Count }}, s={{ step.Out }}"), json!("n=3, s=x")),
            (json!("ids {{ Ids }}"), json!("ids [\"a\",\"b\"]")),
            (json!({"k": ["{{ step.Out }}", 1]}), json!({"k": ["x", 1]})),
            (json!("no braces"), json!("no braces")),
        ];
        for (input, expected) in cases {
            assert_eq!(render(&input, &lookup).unwrap(), expected, "{input}");
        }
        let err = render(&json!("a {{ Missing }}"), &lookup).unwrap_err();
        assert!(err.contains("{{ Missing }}"), "{err}");
        assert_eq!(
            references_in(&json!({"a": "{{ x }} {{y.z}}", "b": ["{{ automation:EXECUTION_ID }}"]})),
            ["x", "y.z", "automation:EXECUTION_ID"]
        );
    }
}
