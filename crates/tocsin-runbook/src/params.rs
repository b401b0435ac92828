//! Document parameters (`parameters:` of schema 0.3) and the values an execution runs with.
//!
//! `StartAutomationExecution` passes parameters as a map of name → list of strings
//! (`AutomationParameterMap`); [`resolve`] turns them into typed values by the document's
//! declarations, fills defaults, and checks `allowedValues`, `allowedPattern`, `minItems`
//! and `maxItems`.

use std::collections::BTreeMap;

use regex::Regex;
use serde_json::Value;

/// A parameter type of schema 0.3.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ParamType {
    /// One string.
    String,
    /// A list of strings.
    StringList,
    /// A whole number.
    Integer,
    /// `true` or `false`.
    Boolean,
    /// An object of string keys.
    StringMap,
    /// A list of objects.
    MapList,
}

impl ParamType {
    /// Parses the document spelling.
    pub fn parse(text: &str) -> Option<Self> {
        Some(match text {
            "String" => Self::String,
            "StringList" => Self::StringList,
            "Integer" => Self::Integer,
            "Boolean" => Self::Boolean,
            "StringMap" => Self::StringMap,
            "MapList" => Self::MapList,
            _ => return None,
        })
    }

    /// The document spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::String => "String",
            Self::StringList => "StringList",
            Self::Integer => "Integer",
            Self::Boolean => "Boolean",
            Self::StringMap => "StringMap",
            Self::MapList => "MapList",
        }
    }

    /// Whether `value` has this type (a string holding an integer or boolean counts, as in
    /// documents written by hand).
    pub fn accepts(self, value: &Value) -> bool {
        match self {
            Self::String => value.is_string(),
            Self::StringList => value
                .as_array()
                .is_some_and(|a| a.iter().all(Value::is_string)),
            Self::Integer => {
                value.is_i64()
                    || value.is_u64()
                    || value.as_str().is_some_and(|s| s.parse::<i64>().is_ok())
            }
            Self::Boolean => {
                value.is_boolean() || value.as_str().is_some_and(|s| s.parse::<bool>().is_ok())
            }
            Self::StringMap => value.is_object(),
            Self::MapList => value
                .as_array()
                .is_some_and(|a| a.iter().all(Value::is_object)),
        }
    }
}

/// One declared parameter.
#[derive(Debug, Clone)]
pub struct Parameter {
    /// Its name.
    pub name: String,
    /// Its type.
    pub kind: ParamType,
    /// Its description.
    pub description: Option<String>,
    /// Its default (none: the parameter is required).
    pub default: Option<Value>,
    /// The only values allowed (empty: any).
    pub allowed_values: Vec<String>,
    /// A regular expression every string value must match.
    pub allowed_pattern: Option<Regex>,
    /// Fewest items of a list.
    pub min_items: Option<usize>,
    /// Most items of a list.
    pub max_items: Option<usize>,
}

impl Parameter {
    /// Checks a typed value against the declaration.
    ///
    /// Errors: the reason, naming the parameter.
    pub fn check(&self, value: &Value) -> Result<(), String> {
        let name = &self.name;
        if !self.kind.accepts(value) {
            return Err(format!(
                "Parameter {name} must be a {}, got {value}",
                self.kind.as_str()
            ));
        }
        let strings: Vec<&str> = match value {
            Value::String(s) => vec![s.as_str()],
            Value::Array(items) => items.iter().filter_map(Value::as_str).collect(),
            _ => Vec::new(),
        };
        for s in &strings {
            if !self.allowed_values.is_empty() && !self.allowed_values.iter().any(|a| a == s) {
                return Err(format!(
                    "Parameter {name} value {s:?} is not one of the allowed values {:?}",
                    self.allowed_values
                ));
            }
            if let Some(pattern) = &self.allowed_pattern
                && !pattern.is_match(s)
            {
                return Err(format!(
                    "Parameter {name} value {s:?} does not match the allowed pattern {}",
                    pattern.as_str()
                ));
            }
        }
        if let Some(items) = value.as_array() {
            if self.min_items.is_some_and(|m| items.len() < m) {
                return Err(format!(
                    "Parameter {name} needs at least {} items",
                    self.min_items.unwrap_or(0)
                ));
            }
            if self.max_items.is_some_and(|m| items.len() > m) {
                return Err(format!(
                    "Parameter {name} takes at most {} items",
                    self.max_items.unwrap_or(0)
                ));
            }
        }
        Ok(())
    }

    /// A supplied list of strings as this parameter's typed value.
    ///
    /// Errors: the strings do not make a value of the type.
    pub fn convert(&self, supplied: &[String]) -> Result<Value, String> {
        let name = &self.name;
        let one = || match supplied {
            [single] => Ok(single.as_str()),
            _ => Err(format!(
                "Parameter {name} is a {} and takes exactly one value, got {}",
                self.kind.as_str(),
                supplied.len()
            )),
        };
        Ok(match self.kind {
            ParamType::String => Value::String(one()?.to_owned()),
            ParamType::StringList => {
                Value::Array(supplied.iter().cloned().map(Value::String).collect())
            }
            ParamType::Integer => Value::from(
                one()?
                    .trim()
                    .parse::<i64>()
                    .map_err(|_| format!("Parameter {name} must be an Integer"))?,
            ),
            ParamType::Boolean => Value::Bool(
                one()?
                    .trim()
                    .parse::<bool>()
                    .map_err(|_| format!("Parameter {name} must be true or false"))?,
            ),
            ParamType::StringMap => {
                let v: Value = serde_json::from_str(one()?)
                    .map_err(|_| format!("Parameter {name} must be a JSON object"))?;
                if !v.is_object() {
                    return Err(format!("Parameter {name} must be a JSON object"));
                }
                v
            }
            ParamType::MapList => Value::Array(
                supplied
                    .iter()
                    .map(|s| {
                        serde_json::from_str::<Value>(s)
                            .ok()
                            .filter(Value::is_object)
                            .ok_or_else(|| format!("Parameter {name} items must be JSON objects"))
                    })
                    .collect::<Result<_, _>>()?,
            ),
        })
    }

    /// The default with its type made exact (`"3"` → `3` for an Integer).
    fn typed_default(&self) -> Option<Value> {
        let d = self.default.clone()?;
        Some(match (self.kind, &d) {
            (ParamType::Integer, Value::String(s)) => {
                s.parse::<i64>().map_or(d.clone(), Value::from)
            }
            (ParamType::Boolean, Value::String(s)) => {
                s.parse::<bool>().map_or(d.clone(), Value::Bool)
            }
            _ => d,
        })
    }
}

/// The typed values an execution runs with: `supplied` converted by `declared`, defaults
/// filled in. Mirrors StartAutomationExecution's parameter handling.
///
/// Errors (`InvalidAutomationExecutionParametersException`): a parameter the document does not
/// declare, a required one missing, a value of the wrong type or outside its constraints.
pub fn resolve(
    declared: &[Parameter],
    supplied: &BTreeMap<String, Vec<String>>,
) -> Result<BTreeMap<String, Value>, String> {
    if let Some(unknown) = supplied
        .keys()
        .find(|k| !declared.iter().any(|p| &p.name == *k))
    {
        return Err(format!(
            "Parameter {unknown} is not defined in the document"
        ));
    }
    let mut values = BTreeMap::new();
    for p in declared {
        let value = match (supplied.get(&p.name), p.typed_default()) {
            (Some(given), _) => p.convert(given)?,
            (None, Some(default)) => default,
            (None, None) => return Err(format!("Parameter {} is required", p.name)),
        };
        p.check(&value)?;
        values.insert(p.name.clone(), value);
    }
    Ok(values)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn param(name: &str, kind: ParamType) -> Parameter {
        Parameter {
            name: name.into(),
            kind,
            description: None,
            default: None,
            allowed_values: Vec::new(),
            allowed_pattern: None,
            min_items: None,
            max_items: None,
        }
    }

    fn supplied(pairs: &[(&str, &[&str])]) -> BTreeMap<String, Vec<String>> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), v.iter().map(|s| (*s).to_owned()).collect()))
            .collect()
    }

    #[test]
    fn supplied_strings_become_typed_values_and_defaults_fill_the_rest() {
        let mut level = param("Level", ParamType::String);
        level.allowed_values = vec!["low".into(), "high".into()];
        level.default = Some(serde_json::json!("low"));
        let declared = vec![
            param("Arn", ParamType::String),
            param("Ids", ParamType::StringList),
            param("Count", ParamType::Integer),
            param("Dry", ParamType::Boolean),
            param("Tags", ParamType::StringMap),
            level,
        ];
        let got = resolve(
            &declared,
            &supplied(&[
                ("Arn", &["arn:x"]),
                ("Ids", &["a", "b"]),
                ("Count", &["3"]),
                ("Dry", &["true"]),
                ("Tags", &["{\"team\":\"sre\"}"]),
            ]),
        )
        .unwrap();
        assert_eq!(
            serde_json::to_value(&got).unwrap(),
            serde_json::json!({"Arn": "arn:x", "Ids": ["a", "b"], "Count": 3, "Dry": true, "Tags": {"team": "sre"}, "Level": "low"})
        );
    }

    #[test]
    fn bad_parameters_are_refused_with_the_reason() {
        let mut pattern = param("Name", ParamType::String);
        pattern.allowed_pattern = Some(Regex::new("^[a-z]+$").unwrap());
        let mut list = param("Ids", ParamType::StringList);
        list.max_items = Some(1);
        list.default = Some(serde_json::json!([]));
        let declared = vec![pattern, list, param("N", ParamType::Integer)];
        type Given<'a> = &'a [(&'a str, &'a [&'a str])];
        let cases: [(Given<'_>, &str); 6] = [
            (&[("Name", &["ok"])], "N is required"),
            (&[("Name", &["ok"]), ("N", &["x"])], "must be an Integer"),
            (&[("Name", &["OK"]), ("N", &["1"])], "allowed pattern"),
            (&[("Name", &["a", "b"]), ("N", &["1"])], "exactly one value"),
            (
                &[("Name", &["a"]), ("N", &["1"]), ("Ids", &["a", "b"])],
                "at most 1 items",
            ),
            (
                &[("Name", &["a"]), ("N", &["1"]), ("Other", &["a"])],
                "not defined",
            ),
        ];
        for (given, why) in cases {
            let err = resolve(&declared, &supplied(given)).unwrap_err();
            assert!(err.contains(why), "{given:?}: {err}");
        }
    }
}
