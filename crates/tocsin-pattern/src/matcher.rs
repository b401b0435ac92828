//! Many rules compiled into one matcher.

use serde_json::Value;

use crate::Pattern;

/// Many rules, each a pattern with an identity `R` (a rule name, an id), matched together.
///
/// For now this tests each rule in turn (cost linear in the number of rules); the patterns are
/// already normalized into sorted field-path conjunctions so that a later version can compile
/// them into one automaton without changing this API.
#[derive(Debug, Clone)]
pub struct Matcher<R> {
    rules: Vec<(R, Pattern)>,
}

impl<R: Clone> Matcher<R> {
    /// Holds `rules` in the order given.
    pub fn new(rules: impl IntoIterator<Item = (R, Pattern)>) -> Matcher<R> {
        Matcher {
            rules: rules.into_iter().collect(),
        }
    }

    /// The rules whose pattern matches `event`, each once, in insertion order.
    pub fn matching_rules(&self, event: &Value) -> Vec<R> {
        self.rules
            .iter()
            .filter(|(_, p)| crate::eval::matches(p.branches(), event))
            .map(|(r, _)| r.clone())
            .collect()
    }

    /// How many rules the matcher holds.
    pub fn len(&self) -> usize {
        self.rules.len()
    }

    /// Whether the matcher holds no rules.
    pub fn is_empty(&self) -> bool {
        self.rules.is_empty()
    }
}
