//! Dotted keys: event-ruler flattens field paths by joining object keys with `.` without
//! escaping (`Path.java`, `JsonRuleCompiler.parseObject`, `Event.traverseObject`), so a key
//! `"a.b"` names the same field as the key `"b"` inside the object under `"a"`, in patterns and
//! in events alike. Tocsin splits pattern keys at every `.` when compiling (`compile.rs`), and
//! reads events through [`expand`] (or, on the fast paths, walks the trie of rule paths one
//! segment at a time, [`crate::paths::walk`]), so both sides name fields by the same segments.
//!
//! Splitting at every dot is exact: two key sequences join to the same dotted name exactly
//! when they split into the same segments.

use std::borrow::Cow;

use serde_json::map::Entry;
use serde_json::{Map, Value};

/// The event with every dotted object key expanded into nested objects:
/// `{"a.b": 1, "c": {"d.e": 2}}` reads as `{"a": {"b": 1}, "c": {"d": {"e": 2}}}`. Borrowed,
/// at the cost of one walk over the keys, when no key holds a dot (the usual case).
///
/// Where an expanded key meets a key already there, both values are kept, as event-ruler
/// keeps both field values: objects merge key by key, anything else becomes an array of the
/// two (`{"a": 1, "a.b": 2}` reads as `{"a": [1, {"b": 2}]}`, so `a` still has the leaf `1`
/// and `a.b` the leaf `2`).
pub(crate) fn expand(event: &Value) -> Cow<'_, Value> {
    if has_dotted_key(event) {
        Cow::Owned(expanded(event))
    } else {
        Cow::Borrowed(event)
    }
}

fn has_dotted_key(v: &Value) -> bool {
    match v {
        Value::Object(map) => map
            .iter()
            .any(|(k, child)| k.contains('.') || has_dotted_key(child)),
        Value::Array(items) => items.iter().any(has_dotted_key),
        _ => false,
    }
}

fn expanded(v: &Value) -> Value {
    match v {
        Value::Object(map) => {
            let mut out = Map::new();
            for (key, child) in map {
                let mut segments = key.split('.');
                let first = segments.next().unwrap_or_default();
                let mut value = expanded(child);
                for segment in segments.rev() {
                    let mut wrapper = Map::new();
                    wrapper.insert(segment.to_owned(), value);
                    value = Value::Object(wrapper);
                }
                put(&mut out, first, value);
            }
            Value::Object(out)
        }
        Value::Array(items) => Value::Array(items.iter().map(expanded).collect()),
        scalar => scalar.clone(),
    }
}

fn put(map: &mut Map<String, Value>, key: &str, value: Value) {
    match map.entry(key) {
        Entry::Vacant(slot) => {
            slot.insert(value);
        }
        Entry::Occupied(mut slot) => {
            let old = slot.get_mut().take();
            *slot.get_mut() = combine(old, value);
        }
    }
}

/// Two values met at one field: objects merge, anything else is kept side by side.
fn combine(a: Value, b: Value) -> Value {
    match (a, b) {
        (Value::Object(mut x), Value::Object(y)) => {
            for (k, v) in y {
                put(&mut x, &k, v);
            }
            Value::Object(x)
        }
        (Value::Array(mut x), Value::Array(y)) => {
            x.extend(y);
            Value::Array(x)
        }
        (Value::Array(mut x), b) => {
            x.push(b);
            Value::Array(x)
        }
        (a, Value::Array(y)) => {
            let mut x = Vec::with_capacity(y.len() + 1);
            x.push(a);
            x.extend(y);
            Value::Array(x)
        }
        (a, b) => Value::Array(vec![a, b]),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn events_without_dotted_keys_are_borrowed() {
        let e = json!({"a": {"b": [1, {"c": 2}]}});
        assert!(matches!(expand(&e), Cow::Borrowed(_)));
    }

    #[test]
    fn dotted_keys_nest_and_merge() {
        let e = json!({"a.b": 1, "c": {"d.e": [{"f.g": 2}]}, "h": {"i": 3}, "h.j": 4});
        assert_eq!(
            *expand(&e),
            json!({"a": {"b": 1}, "c": {"d": {"e": [{"f": {"g": 2}}]}}, "h": {"i": 3, "j": 4}})
        );
    }

    #[test]
    fn a_value_met_twice_keeps_both() {
        assert_eq!(
            *expand(&json!({"a": 1, "a.b": 2})),
            json!({"a": [1, {"b": 2}]})
        );
        assert_eq!(
            *expand(&json!({"a": {"b": [1]}, "a.b": 2})),
            json!({"a": {"b": [1, 2]}})
        );
        assert_eq!(
            *expand(&json!({"a.": 1, ".a": 2, "..": 3})),
            json!({"a": {"": 1}, "": {"a": 2, "": {"": 3}}})
        );
    }
}
