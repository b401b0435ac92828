//! Matching one normalized pattern against an event.
//!
//! Semantics (user guide "Event patterns", "Arrays in event patterns"): an event field that is
//! an array matches if any element matches. When a pattern *object* meets an event array of
//! objects, one element must satisfy the whole sub-pattern: `{"a": {"b": [1], "c": [2]}}` does
//! not match `{"a": [{"b": 1}, {"c": 2}]}`. This is event-ruler's array-consistent matching
//! (fields from peer elements of an array never combine).

use serde_json::Value;

use crate::compile::{Branch, FieldCondition};
use crate::value::ValueMatcher;

/// Does any branch match the event?
pub(crate) fn matches(branches: &[Branch], event: &Value) -> bool {
    branches
        .iter()
        .any(|b| match_fields(&b.fields, 0, Some(event)))
}

/// `fields` share `path[..depth]` and are sorted by path; `node` is the event value at that
/// shared prefix (`None` when absent).
fn match_fields(fields: &[FieldCondition], depth: usize, node: Option<&Value>) -> bool {
    match node {
        Some(Value::Object(map)) => {
            let mut i = 0;
            while i < fields.len() {
                let key = &fields[i].path[depth];
                let end = i + fields[i..]
                    .iter()
                    .take_while(|f| &f.path[depth] == key)
                    .count();
                let group = &fields[i..end];
                let child = map.get(key);
                // Shorter paths sort first, so the leaves at this key come first.
                let leaves = group
                    .iter()
                    .take_while(|f| f.path.len() == depth + 1)
                    .count();
                if !group[..leaves].iter().all(|f| leaf_matches(f, child)) {
                    return false;
                }
                if leaves < group.len() && !match_fields(&group[leaves..], depth + 1, child) {
                    return false;
                }
                i = end;
            }
            true
        }
        Some(Value::Array(items)) => {
            let mut containers = items
                .iter()
                .filter(|v| matches!(v, Value::Object(_) | Value::Array(_)))
                .peekable();
            if containers.peek().is_none() {
                return match_fields(fields, depth, None);
            }
            containers.any(|item| match_fields(fields, depth, Some(item)))
        }
        // Absent, or a scalar where the pattern expects an object: nothing below it exists.
        _ => fields.iter().all(|f| leaf_matches(f, None)),
    }
}

/// Does the field condition accept the leaf values found at `node`?
fn leaf_matches(field: &FieldCondition, node: Option<&Value>) -> bool {
    field.matchers.iter().any(|m| match m {
        ValueMatcher::Exists(want) => *want == has_leaf(node),
        other => any_leaf(node, |v| other.matches(v)),
    })
}

/// The leaf values at a node: the node itself if it is a scalar, the scalars in it (through
/// nested arrays) if it is an array, none if it is an object or absent. A field whose value
/// is an object therefore does not "exist" (user guide "Exists matching": exists works on
/// leaf nodes only).
fn any_leaf(node: Option<&Value>, mut test: impl FnMut(&Value) -> bool) -> bool {
    let Some(node) = node else {
        return false;
    };
    let mut stack = vec![node];
    while let Some(v) = stack.pop() {
        match v {
            Value::Object(_) => {}
            Value::Array(items) => stack.extend(items.iter().rev()),
            scalar => {
                if test(scalar) {
                    return true;
                }
            }
        }
    }
    false
}

fn has_leaf(node: Option<&Value>) -> bool {
    any_leaf(node, |_| true)
}
