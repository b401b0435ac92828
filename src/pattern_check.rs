//! The rules page's pattern tester, as plain functions: two strings in, a [`Verdict`] out.
//!
//! The verdict comes from `tocsin_pattern`, the same crate the server routes events with and
//! answers `TestEventPattern` from, compiled into the SPA: what the tester says while you type
//! is what the server would do.

use serde_json::Value;
use tocsin_pattern::Pattern;

/// The sample event the tester starts with: a CloudWatch alarm entering ALARM.
pub const SAMPLE_EVENT: &str =
    include_str!("../examples/events/cloudwatch-alarm-state-change-single-metric.json");

/// Sample events offered by the tester (label, JSON), from `examples/events/`.
pub const SAMPLE_EVENTS: [(&str, &str); 9] = [
    ("CloudWatch alarm → ALARM", SAMPLE_EVENT),
    (
        "CloudWatch alarm → OK",
        include_str!("../examples/events/cloudwatch-alarm-state-change-ok.json"),
    ),
    (
        "CloudWatch composite alarm",
        include_str!("../examples/events/cloudwatch-alarm-state-change-composite.json"),
    ),
    (
        "EC2 instance state change (terminated)",
        include_str!("../examples/events/ec2-instance-state-change.json"),
    ),
    (
        "EC2 instance state change (pending)",
        include_str!("../examples/events/ec2-instance-state-change-pending.json"),
    ),
    (
        "GuardDuty finding",
        include_str!("../examples/events/guardduty-finding.json"),
    ),
    (
        "AWS Health event",
        include_str!("../examples/events/health-event.json"),
    ),
    (
        "AWS Health event (account-specific)",
        include_str!("../examples/events/health-event-account-specific.json"),
    ),
    (
        "Security Hub findings imported",
        include_str!("../examples/events/securityhub-findings-imported.json"),
    ),
];

/// The pattern the tester starts with: CloudWatch alarms entering ALARM.
pub const SAMPLE_PATTERN: &str = r#"{
  "source": ["aws.cloudwatch"],
  "detail-type": ["CloudWatch Alarm State Change"],
  "detail": {
    "state": {
      "value": ["ALARM"]
    }
  }
}"#;

/// What a pattern says about an event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// The event matches.
    Matches {
        /// The last field checked (dot-joined path).
        deciding_field: Option<String>,
        /// A sentence for people.
        reason: String,
    },
    /// The event does not match.
    NoMatch {
        /// The first field whose condition failed (dot-joined path).
        deciding_field: Option<String>,
        /// A sentence for people, e.g. `detail.state.value: "OK" is not one of ["ALARM"]`.
        reason: String,
    },
    /// The pattern is invalid: EventBridge's message (`Event pattern is not valid. Reason: …`).
    InvalidPattern(String),
    /// The event is not a JSON object.
    InvalidEvent(String),
}

impl Verdict {
    /// The verdict as shown: `matches`, `does not match`, or the error message.
    pub fn text(&self) -> String {
        match self {
            Self::Matches { .. } => "matches".to_owned(),
            Self::NoMatch { .. } => "does not match".to_owned(),
            Self::InvalidPattern(msg) | Self::InvalidEvent(msg) => msg.clone(),
        }
    }

    /// CSS class of the verdict (the text always says the same thing as the colour).
    pub fn class(&self) -> &'static str {
        match self {
            Self::Matches { .. } => "verdict verdict-match",
            Self::NoMatch { .. } => "verdict verdict-nomatch",
            Self::InvalidPattern(_) | Self::InvalidEvent(_) => "verdict verdict-invalid",
        }
    }

    /// A short symbol shown before the verdict, so it does not rely on colour.
    pub fn symbol(&self) -> &'static str {
        match self {
            Self::Matches { .. } => "✓",
            Self::NoMatch { .. } => "✗",
            Self::InvalidPattern(_) | Self::InvalidEvent(_) => "⚠",
        }
    }

    /// The field that decided, when there is one.
    pub fn deciding_field(&self) -> Option<&str> {
        match self {
            Self::Matches { deciding_field, .. } | Self::NoMatch { deciding_field, .. } => {
                deciding_field.as_deref()
            }
            Self::InvalidPattern(_) | Self::InvalidEvent(_) => None,
        }
    }

    /// Why, for a match or non-match.
    pub fn reason(&self) -> Option<&str> {
        match self {
            Self::Matches { reason, .. } | Self::NoMatch { reason, .. } => Some(reason),
            Self::InvalidPattern(_) | Self::InvalidEvent(_) => None,
        }
    }

    /// What `TestEventPattern` answers for the same inputs: `Some(result)`, or `None` when the
    /// server refuses them.
    pub fn expected_server_result(&self) -> Option<bool> {
        match self {
            Self::Matches { .. } => Some(true),
            Self::NoMatch { .. } => Some(false),
            Self::InvalidPattern(_) | Self::InvalidEvent(_) => None,
        }
    }
}

/// Tests `event_json` against `pattern_json`. The pattern is checked first (as the server
/// does), so an invalid pattern is reported even when the event is invalid too.
pub fn check(pattern_json: &str, event_json: &str) -> Verdict {
    let pattern = match Pattern::parse(pattern_json) {
        Ok(pattern) => pattern,
        Err(err) => return Verdict::InvalidPattern(err.to_string()),
    };
    let event = match serde_json::from_str::<Value>(event_json) {
        Ok(event @ Value::Object(_)) => event,
        Ok(_) => {
            return Verdict::InvalidEvent(
                "Event is not valid: it must be a JSON object (the whole event envelope)."
                    .to_owned(),
            );
        }
        Err(err) => return Verdict::InvalidEvent(format!("Event is not valid JSON: {err}")),
    };
    let explanation = pattern.explain(&event);
    if explanation.matched {
        Verdict::Matches {
            deciding_field: explanation.deciding_field,
            reason: explanation.reason,
        }
    } else {
        Verdict::NoMatch {
            deciding_field: explanation.deciding_field,
            reason: explanation.reason,
        }
    }
}

/// A JSON text pretty-printed the way patterns are usually written: objects one member per
/// line with two-space indents, arrays of plain values on one line (`["ALARM", "OK"]`), key
/// order kept. Text that is not JSON comes back unchanged.
pub fn pretty_json(text: &str) -> String {
    match serde_json::from_str::<Value>(text) {
        Ok(value) => {
            let mut out = String::new();
            write_pretty(&value, 0, &mut out);
            out
        }
        Err(_) => text.to_owned(),
    }
}

fn write_pretty(value: &Value, depth: usize, out: &mut String) {
    let indent = |n: usize| "  ".repeat(n);
    match value {
        Value::Object(map) if !map.is_empty() => {
            out.push_str("{\n");
            for (i, (key, member)) in map.iter().enumerate() {
                out.push_str(&indent(depth + 1));
                out.push_str(&Value::String(key.clone()).to_string());
                out.push_str(": ");
                write_pretty(member, depth + 1, out);
                out.push_str(if i + 1 < map.len() { ",\n" } else { "\n" });
            }
            out.push_str(&indent(depth));
            out.push('}');
        }
        Value::Array(items) if items.iter().any(|v| v.is_object() || v.is_array()) => {
            out.push_str("[\n");
            for (i, item) in items.iter().enumerate() {
                out.push_str(&indent(depth + 1));
                write_pretty(item, depth + 1, out);
                out.push_str(if i + 1 < items.len() { ",\n" } else { "\n" });
            }
            out.push_str(&indent(depth));
            out.push(']');
        }
        Value::Array(items) => {
            let inner: Vec<String> = items.iter().map(Value::to_string).collect();
            out.push('[');
            out.push_str(&inner.join(", "));
            out.push(']');
        }
        other => out.push_str(&other.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_samples_match() {
        let verdict = check(SAMPLE_PATTERN, SAMPLE_EVENT);
        assert_eq!(verdict.text(), "matches");
        assert_eq!(verdict.expected_server_result(), Some(true));
        assert!(verdict.deciding_field().is_some());
        assert!(verdict.reason().is_some());
        assert_eq!(verdict.class(), "verdict verdict-match");
    }

    #[test]
    fn a_non_match_names_the_field() {
        let pattern = r#"{"detail": {"state": {"value": ["OK"]}}}"#;
        let verdict = check(pattern, SAMPLE_EVENT);
        assert_eq!(verdict.text(), "does not match");
        assert_eq!(verdict.deciding_field(), Some("detail.state.value"));
        assert!(
            verdict
                .reason()
                .is_some_and(|r| r.contains("detail.state.value") && r.contains("ALARM")),
            "{verdict:?}"
        );
        assert_eq!(verdict.expected_server_result(), Some(false));
        assert_eq!(verdict.symbol(), "✗");
    }

    #[test]
    fn a_match_names_a_field_of_the_pattern() {
        let pattern = r#"{"source": ["aws.cloudwatch"]}"#;
        let verdict = check(pattern, SAMPLE_EVENT);
        assert_eq!(verdict.text(), "matches");
        assert_eq!(verdict.deciding_field(), Some("source"));
    }

    #[test]
    fn an_invalid_pattern_shows_eventbridge_s_message() {
        let verdict = check(r#"{"source": "aws.cloudwatch"}"#, SAMPLE_EVENT);
        assert!(
            verdict
                .text()
                .starts_with("Event pattern is not valid. Reason:"),
            "{verdict:?}"
        );
        assert_eq!(verdict.class(), "verdict verdict-invalid");
        assert_eq!(verdict.deciding_field(), None);
        assert_eq!(verdict.expected_server_result(), None);

        let verdict = check("{not json", SAMPLE_EVENT);
        assert!(
            verdict
                .text()
                .starts_with("Event pattern is not valid. Reason:")
        );
    }

    #[test]
    fn the_pattern_is_checked_before_the_event() {
        let verdict = check(r#"{"source": []}"#, "{");
        assert!(matches!(verdict, Verdict::InvalidPattern(_)), "{verdict:?}");
    }

    #[test]
    fn an_invalid_event_says_so() {
        let verdict = check(SAMPLE_PATTERN, r#"{"source": "#);
        assert!(
            verdict.text().starts_with("Event is not valid JSON: "),
            "{verdict:?}"
        );
        assert!(matches!(verdict, Verdict::InvalidEvent(_)));
        let verdict = check(SAMPLE_PATTERN, "[1, 2]");
        assert!(
            verdict.text().contains("must be a JSON object"),
            "{verdict:?}"
        );
    }

    #[test]
    fn every_sample_event_is_a_json_object() {
        for (label, json) in SAMPLE_EVENTS {
            let value = serde_json::from_str::<Value>(json).ok();
            assert!(value.is_some_and(|v| v.is_object()), "{label}");
        }
    }

    #[test]
    fn pretty_printing_keeps_key_order_and_short_arrays() {
        assert_eq!(
            pretty_json(r#"{"source":["a","b\"c"],"detail":{"b":[1, null]}}"#),
            "{\n  \"source\": [\"a\", \"b\\\"c\"],\n  \"detail\": {\n    \"b\": [1, null]\n  }\n}"
        );
        assert_eq!(
            pretty_json(r#"{"n":[{"numeric":[">",0]}],"$or":[{"a":[1]},{}],"e":[]}"#),
            "{\n  \"n\": [\n    {\n      \"numeric\": [\">\", 0]\n    }\n  ],\n  \"$or\": [\n    {\n      \"a\": [1]\n    },\n    {}\n  ],\n  \"e\": []\n}"
        );
        assert_eq!(pretty_json("not json"), "not json");
        assert_eq!(pretty_json(SAMPLE_PATTERN), SAMPLE_PATTERN);
        // Pretty text parses back to the same value.
        let value = serde_json::from_str::<Value>(SAMPLE_EVENT).ok();
        let again = serde_json::from_str::<Value>(&pretty_json(SAMPLE_EVENT)).ok();
        assert_eq!(value, again);
    }
}
