//! The Amazon EventBridge event-pattern language, for Tocsin's rules.
//!
//! Rules select events with EventBridge event patterns, so that patterns written for AWS
//! (Terraform, boto3, the console) work here unchanged and invalid ones are refused with the
//! reason EventBridge gives. This crate parses and validates patterns ([`Pattern::parse`]),
//! matches them against events ([`Pattern::matches`]) and holds many rules at once
//! ([`Matcher`]). It is pure: no I/O, no async, no global state.
//!
//! The one design decision to know: a pattern is compiled into a *normalized* form, a list of
//! alternatives (`$or` expanded), each a conjunction of `(field path, any-of value matchers)`
//! sorted by path. That is the shape an automaton over flattened event fields (aws/event-ruler,
//! quamina) consumes: [`Matcher`] compiles all rules' alternatives into one such automaton
//! (see its module documentation), and [`Pattern::explain`] reports which field decided a
//! verdict.
//!
//! Behaviour follows the EventBridge user guide ("Event patterns", "Content filtering",
//! "Comparison operators for use in event patterns") and, where the guide is silent, the
//! open-source aws/event-ruler that EventBridge matches with: every operator (`prefix`,
//! `suffix`, `equals-ignore-case`, `wildcard`, `anything-but`, `numeric`, `cidr`, `exists`,
//! `$or`), typed exact values, and array-consistent matching of arrays of objects. What the
//! language supports, where Tocsin knowingly differs from EventBridge, and how to try a
//! pattern with `tocsin pattern test` are described in `docs/patterns.md` in the repository.
//!
//! ```
//! use serde_json::json;
//! use tocsin_pattern::Pattern;
//!
//! let p = Pattern::parse(r#"{"source": ["aws.ec2"], "detail": {"state": [{"prefix": "term"}]}}"#)?;
//! assert!(p.matches(&json!({"source": "aws.ec2", "detail": {"state": "terminated"}})));
//! assert!(!p.matches(&json!({"source": "aws.ec2", "detail": {"state": "running"}})));
//!
//! let err = Pattern::parse(r#"{"source": "aws.ec2"}"#).unwrap_err();
//! assert_eq!(err.to_string(),
//!     r#"Event pattern is not valid. Reason: "source" must be an object or an array"#);
//! # Ok::<(), tocsin_pattern::PatternError>(())
//! ```

mod cidr;
mod compile;
mod complexity;
mod dotted;
mod error;
mod eval;
mod explain;
mod index;
mod matcher;
mod number;
mod paths;
mod scan;
mod value;
mod wildcard;

use std::fmt;
use std::str::FromStr;
use std::sync::Arc;

use serde_json::Value;

pub use compile::{MAX_BRANCHES, MAX_PATTERN_LENGTH};
pub use complexity::MAX_COMPLEXITY;
pub use error::{EventError, PatternError};
pub use explain::Explanation;
pub use matcher::Matcher;

use compile::Branch;

/// A validated, compiled event pattern.
///
/// Cheap to clone (the compiled form is shared). Build one with [`Pattern::parse`] or
/// `str::parse`.
#[derive(Clone)]
pub struct Pattern {
    inner: Arc<Inner>,
}

struct Inner {
    /// The pattern text as given.
    source: String,
    /// The alternatives; the pattern matches when any does.
    branches: Vec<Branch>,
}

impl Pattern {
    /// Parses and validates a pattern JSON string.
    ///
    /// Fails with EventBridge's reason when the text is longer than [`MAX_PATTERN_LENGTH`],
    /// is not JSON, is not an object, or breaks a rule of the language (see [`PatternError`]).
    pub fn parse(pattern_json: &str) -> Result<Pattern, PatternError> {
        let branches = compile::compile(pattern_json)?;
        complexity::check(&branches)?;
        Ok(Pattern {
            inner: Arc::new(Inner {
                source: pattern_json.to_owned(),
                branches,
            }),
        })
    }

    /// The wildcard complexity of a pattern: the score aws/event-ruler's
    /// `MachineComplexityEvaluator` gives the automaton of its `wildcard` (and `anything-but`
    /// wildcard) values, which [`Pattern::parse`] refuses above [`MAX_COMPLEXITY`] ("Rule is
    /// too complex - try using fewer wildcard characters or fewer repeating character
    /// sequences after a wildcard character"). 0 without wildcards; capped at 1,000.
    ///
    /// Fails as [`Pattern::parse`] does for anything but the score.
    pub fn wildcard_complexity(pattern_json: &str) -> Result<usize, PatternError> {
        let branches = compile::compile(pattern_json)?;
        Ok(complexity::score(&branches, 1_000))
    }

    /// Does this event (the full EventBridge envelope as a JSON value: `source`,
    /// `detail-type`, `detail`, ...) match? A dotted key names the same field as the nested
    /// keys it joins, on both sides (`{"a.b": 1}` is `{"a": {"b": 1}}`), as in event-ruler.
    pub fn matches(&self, event: &Value) -> bool {
        eval::matches(&self.inner.branches, &dotted::expand(event))
    }

    /// The field paths the pattern looks at, dot-joined (e.g. `"detail.state.value"`), sorted
    /// and without duplicates, over all `$or` alternatives.
    pub fn field_paths(&self) -> Vec<String> {
        let mut paths: Vec<String> = self
            .inner
            .branches
            .iter()
            .flat_map(|b| b.fields.iter().map(|f| f.path.join(".")))
            .collect();
        paths.sort();
        paths.dedup();
        paths
    }

    /// The pattern text this was parsed from.
    pub fn as_str(&self) -> &str {
        &self.inner.source
    }

    /// How many alternatives the pattern expands into once `$or` is distributed (1 without
    /// `$or`).
    pub fn branch_count(&self) -> usize {
        self.inner.branches.len()
    }

    pub(crate) fn branches(&self) -> &[Branch] {
        &self.inner.branches
    }
}

impl fmt::Debug for Pattern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Pattern")
            .field("source", &self.inner.source)
            .field("branches", &self.inner.branches)
            .finish()
    }
}

impl FromStr for Pattern {
    type Err = PatternError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Pattern::parse(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn assert_send_sync<T: Send + Sync + Clone + fmt::Debug>() {}

    #[test]
    fn pattern_is_send_sync_clone_debug() {
        assert_send_sync::<Pattern>();
        assert_send_sync::<Matcher<String>>();
    }

    #[test]
    fn field_paths_sorted_unique() {
        let p = Pattern::parse(
            r#"{"source":["a"],"detail":{"state":{"value":["x"]},"$or":[{"b":[1]},{"a":[2]}]}}"#,
        )
        .expect("valid");
        assert_eq!(
            p.field_paths(),
            vec!["detail.a", "detail.b", "detail.state.value", "source"]
        );
        assert_eq!(p.branch_count(), 2);
    }
}
