//! The validation error, worded as EventBridge words it.

use std::fmt;

/// Why an event pattern is invalid.
///
/// `Display` gives EventBridge's exact framing, `Event pattern is not valid. Reason: <reason>`,
/// which is the message of `InvalidEventPatternException` returned by `PutRule` and
/// `TestEventPattern`. The reasons are the strings of aws/event-ruler's `JsonRuleCompiler`
/// (the library EventBridge matches with), e.g. `Unrecognized match type foo` or
/// `Empty arrays are not allowed`.
///
/// EventBridge appends Jackson's source location (` at [Source: ...; line: 1, column: 9]`) to
/// the reason; Tocsin leaves it out, because it names the JSON parser's internals rather than
/// the pattern.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PatternError {
    reason: String,
}

impl PatternError {
    pub(crate) fn new(reason: impl Into<String>) -> Self {
        Self {
            reason: reason.into(),
        }
    }

    /// The reason alone, without the `Event pattern is not valid. Reason: ` prefix,
    /// e.g. `"prefix match pattern must be a string"`.
    pub fn reason(&self) -> &str {
        &self.reason
    }
}

impl fmt::Display for PatternError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Event pattern is not valid. Reason: {}", self.reason)
    }
}

impl std::error::Error for PatternError {}

/// Shorthand for the crate's fallible results.
pub(crate) type Result<T> = std::result::Result<T, PatternError>;

/// Early-return a [`PatternError`] with a formatted reason.
macro_rules! barf {
    ($($arg:tt)*) => {
        return Err($crate::error::PatternError::new(format!($($arg)*)))
    };
}
pub(crate) use barf;

/// Why an event given as JSON text could not be matched: it is not one JSON value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventError {
    message: String,
}

impl EventError {
    pub(crate) fn new(e: serde_json::Error) -> Self {
        Self {
            message: e.to_string(),
        }
    }

    /// The JSON parser's message, e.g. `"expected value at line 1 column 7"`.
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl fmt::Display for EventError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Event is not valid JSON: {}", self.message)
    }
}

impl std::error::Error for EventError {}
