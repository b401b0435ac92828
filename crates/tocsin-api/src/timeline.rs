//! Timeline entries as people read them: one sentence and who acted, for every `eventType`
//! Tocsin writes ([`crate::native::timeline_event_types`]), a responder's note, and any
//! custom entry a client created (`CreateTimelineEvent`, ssm-incidents 2018-05-10). The
//! server uses it for the "latest" line of notifications, the app for its timeline and
//! wall cards, so both say the same thing. Never raw JSON: an unknown shape falls back to
//! its text fields, or to the entry's type alone (the raw data stays available to a
//! "details" view).

use serde_json::Value;

use crate::impact::Impact;
use crate::native::timeline_event_types as kinds;

/// The `eventType` of a responder's note; its `eventData` is `{"content": TEXT}`.
pub const NOTE: &str = "Note";

/// The `source` of an incident started by hand (`StartIncident` without trigger details).
pub const MANUAL_SOURCE: &str = "aws.ssm-incidents.custom";

/// Longest sentence [`story`] returns, in characters (longer text ends in `…`).
pub const MAX_SENTENCE_CHARS: usize = 300;

/// A timeline entry told in words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Story {
    /// One sentence, e.g. `3 triggers from aws.cloudwatch merged into this incident`.
    pub sentence: String,
    /// Who or what acted, when the entry says: a person's name, a key's name (from a
    /// principal ARN, see [`principal_name`]) or an event source (`aws.cloudwatch`).
    pub actor: Option<String>,
}

/// The name in a principal: `arn:aws:iam::000000000000:user/maria` → `maria`; anything
/// that is not such an ARN (an event source, a service) as it is.
pub fn principal_name(principal: &str) -> String {
    match principal.strip_prefix("arn:") {
        Some(rest) => rest
            .rsplit(['/', ':'])
            .next()
            .filter(|name| !name.is_empty())
            .unwrap_or(principal)
            .to_owned(),
        None => principal.to_owned(),
    }
}

/// Tells the entry of type `event_type` whose data is `event_data` (usually JSON).
pub fn story(event_type: &str, event_data: &str) -> Story {
    let data: Value =
        serde_json::from_str(event_data).unwrap_or_else(|_| Value::String(event_data.to_owned()));
    let text = |key: &str| -> Option<String> {
        data.get(key)
            .and_then(Value::as_str)
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
    };
    let number = |key: &str| data.get(key).and_then(Value::as_f64);
    let who = |keys: &[&str]| {
        keys.iter()
            .find_map(|k| text(k))
            .map(|p| principal_name(&p))
    };
    let (sentence, actor) = match event_type {
        kinds::INCIDENT_CREATED => {
            let source = data
                .pointer("/triggerDetails/source")
                .and_then(Value::as_str)
                .unwrap_or(MANUAL_SOURCE);
            let title = text("title")
                .map(|t| format!(": \u{201c}{t}\u{201d}"))
                .unwrap_or_default();
            let impact = number("impact")
                .map(|i| {
                    let impact = Impact::clamped(i as i32);
                    format!(", impact {} ({})", impact.get(), impact.label())
                })
                .unwrap_or_default();
            if source == MANUAL_SOURCE {
                (
                    format!("Incident started by hand{title}{impact}"),
                    who(&["createdBy"]),
                )
            } else {
                (
                    format!("Incident opened by a trigger from {source}{title}{impact}"),
                    who(&["createdBy"]).or_else(|| Some(source.to_owned())),
                )
            }
        }
        kinds::TRIGGER_DEDUPLICATED => {
            let source = text("source").unwrap_or_else(|| "a source".to_owned());
            let sentence = match number("count") {
                Some(n) if n > 1.0 => {
                    format!(
                        "{} triggers from {source} merged into this incident",
                        n as u64
                    )
                }
                _ => format!("A trigger from {source} merged into this incident"),
            };
            (sentence, text("source"))
        }
        kinds::INCIDENT_UPDATED => (updated(&data), who(&["updatedBy"])),
        kinds::INCIDENT_RESOLVED => ("Incident resolved".to_owned(), who(&["resolvedBy"])),
        kinds::AUTOMATION_STARTED => {
            let version = text("documentVersion")
                .map(|v| format!(" (version {v})"))
                .unwrap_or_default();
            (
                format!(
                    "Runbook {}{version} started",
                    or_a(text("documentName"), "runbook")
                ),
                None,
            )
        }
        kinds::AUTOMATION_START_FAILED => (
            format!(
                "Runbook {} could not start{}",
                or_a(text("documentName"), "runbook"),
                text("reason").map(|r| format!(": {r}")).unwrap_or_default()
            ),
            None,
        ),
        kinds::AUTOMATION_WAITING => {
            let step = or_a(text("stepName"), "step");
            let what = if text("action").as_deref() == Some("aws:approve") {
                "waits for approval"
            } else {
                "waits for a responder"
            };
            let message = text("message")
                .map(|m| format!(": {m}"))
                .unwrap_or_default();
            (format!("Runbook step {step} {what}{message}"), None)
        }
        kinds::AUTOMATION_ENDED => {
            let status = text("status").unwrap_or_else(|| "ended".to_owned());
            let sentence = match (status.as_str(), text("failureMessage")) {
                ("Success", _) => "Runbook finished successfully".to_owned(),
                (_, Some(why)) => format!("Runbook ended {}: {why}", status_words(&status)),
                _ => format!("Runbook ended {}", status_words(&status)),
            };
            (sentence, None)
        }
        kinds::ENGAGEMENT_STARTED => (format!("Engaged {}", or_a(text("alias"), "contact")), None),
        kinds::PAGE_SENT => {
            let stage = number("stage")
                .map(|s| format!(" (stage {})", s as u64))
                .unwrap_or_default();
            (
                format!("Paged {}{stage}", or_a(text("alias"), "contact")),
                None,
            )
        }
        kinds::PAGE_ACCEPTED => {
            let alias = text("alias");
            let note = text("note")
                .map(|n| format!(": \u{201c}{n}\u{201d}"))
                .unwrap_or_default();
            (
                format!(
                    "{} accepted the page{note}",
                    or_a(alias.clone(), "A contact")
                ),
                alias,
            )
        }
        kinds::ENGAGEMENT_ESCALATED => (
            match number("stage") {
                Some(stage) => format!("Escalated to stage {}", stage as u64),
                None => "Escalated to the next stage".to_owned(),
            },
            None,
        ),
        kinds::ENGAGEMENT_STOPPED => (
            format!(
                "Engagement stopped{}",
                text("reason").map(|r| format!(": {r}")).unwrap_or_default()
            ),
            None,
        ),
        kinds::INCIDENT_ACKNOWLEDGED => {
            let actor = text("name").or_else(|| who(&["by"]));
            let note = text("note")
                .map(|n| format!(": \u{201c}{n}\u{201d}"))
                .unwrap_or_default();
            (
                format!(
                    "Acknowledged by {}{note}",
                    or_a(actor.clone(), "a responder")
                ),
                actor,
            )
        }
        kinds::ACKNOWLEDGEMENT_LAPSED => {
            let actor = text("name").or_else(|| who(&["by"]));
            let sentence = match &actor {
                Some(name) => format!("{name}'s acknowledgement lapsed"),
                None => "The acknowledgement lapsed".to_owned(),
            };
            (sentence, actor)
        }
        kinds::ALERTS_RESOLVED => (
            format!(
                "Resolved itself: {}",
                text("reason").unwrap_or_else(|| "its alerts were resolved at their source".into())
            ),
            text("receiver"),
        ),
        kinds::SILENCE_CHANGED => {
            let am = or_a(text("alertmanager"), "Alertmanager");
            let id = text("silenceId")
                .map(|i| format!(" {i}"))
                .unwrap_or_default();
            let sentence = match text("action").as_deref() {
                Some("created") => format!("Silence{id} created in {am}"),
                Some("expired") => format!("Silence{id} expired in {am}"),
                _ => format!(
                    "Could not silence the alert in {am}{}",
                    text("reason").map(|r| format!(": {r}")).unwrap_or_default()
                ),
            };
            (sentence, None)
        }
        NOTE => (
            note_text(&data).unwrap_or_else(|| "An empty note".to_owned()),
            who(&["author", "by"]),
        ),
        other => {
            let sentence = match note_text(&data).or_else(|| scalar_fields(&data)) {
                Some(body) => format!("{other}: {body}"),
                None => other.to_owned(),
            };
            (sentence, who(&["by", "author", "createdBy"]))
        }
    };
    Story {
        sentence: clip(&sentence, MAX_SENTENCE_CHARS),
        actor,
    }
}

/// The words of a note or custom entry: `content`, `text`, `message` or `summary` of a JSON
/// object, or the data itself when it is text (not JSON).
fn note_text(data: &Value) -> Option<String> {
    let found = match data {
        Value::String(text) => Some(text.as_str()),
        Value::Object(map) => [
            "content",
            "text",
            "message",
            "summary",
            "note",
            "description",
        ]
        .iter()
        .find_map(|k| map.get(*k).and_then(Value::as_str)),
        _ => None,
    };
    found
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(str::to_owned)
}

/// The text and number members of a JSON object as `key value` pairs by name
/// (`region eu-west-1, sha abc`), leaving out ARNs and timestamps (too long to read, or a
/// repeat of the entry's own time); `None` when there are none.
fn scalar_fields(data: &Value) -> Option<String> {
    let map = data.as_object()?;
    let mut parts: Vec<(&String, String)> = map
        .iter()
        .filter(|(key, _)| !matches!(key.as_str(), "timestamp" | "firstTime" | "lastTime"))
        .filter_map(|(key, value)| match value {
            Value::String(s) if s.starts_with("arn:") || s.trim().is_empty() => None,
            Value::String(s) => Some((key, s.trim().to_owned())),
            Value::Number(n) => Some((key, n.to_string())),
            Value::Bool(b) => Some((key, b.to_string())),
            _ => None,
        })
        .collect();
    parts.sort();
    (!parts.is_empty()).then(|| {
        parts
            .iter()
            .map(|(key, value)| format!("{key} {value}"))
            .collect::<Vec<_>>()
            .join(", ")
    })
}

/// `Updated impact from 3 (Medium) to 1 (Critical), the title to “…” and the summary`.
fn updated(data: &Value) -> String {
    let Some(changes) = data.as_object() else {
        return "Incident updated".to_owned();
    };
    // A fixed order (whatever order the JSON object keeps): the status, then impact,
    // title, summary, then the rest by name.
    const ORDER: [&str; 6] = [
        "status",
        "impact",
        "title",
        "summary",
        "chatChannel",
        "notificationTargets",
    ];
    let mut fields: Vec<(&String, &Value)> = changes
        .iter()
        .filter(|(field, _)| field.as_str() != "updatedBy")
        .collect();
    fields.sort_by_key(|(field, _)| {
        (
            ORDER.iter().position(|f| f == field).unwrap_or(ORDER.len()),
            field.as_str(),
        )
    });
    let parts: Vec<String> = fields
        .into_iter()
        .map(|(field, change)| {
            let to = change.get("to");
            let from = change.get("from");
            match field.as_str() {
                "impact" => {
                    let label = |v: Option<&Value>| {
                        v.and_then(Value::as_f64).map(|i| {
                            let impact = Impact::clamped(i as i32);
                            format!("{} ({})", impact.get(), impact.label())
                        })
                    };
                    match (label(from), label(to)) {
                        (Some(from), Some(to)) => format!("impact from {from} to {to}"),
                        (_, Some(to)) => format!("impact to {to}"),
                        _ => "the impact".to_owned(),
                    }
                }
                "status" => match to.and_then(Value::as_str) {
                    Some("RESOLVED") => "the status to resolved".to_owned(),
                    Some("OPEN") => "the status to open (reopened)".to_owned(),
                    Some(other) => format!("the status to {}", other.to_lowercase()),
                    None => "the status".to_owned(),
                },
                "title" => match to.and_then(Value::as_str) {
                    Some(title) => format!("the title to \u{201c}{title}\u{201d}"),
                    None => "the title".to_owned(),
                },
                "summary" => "the summary".to_owned(),
                "chatChannel" => "the chat channel".to_owned(),
                "notificationTargets" => "who is notified".to_owned(),
                other => format!("the {other}"),
            }
        })
        .collect();
    match parts.as_slice() {
        [] => "Incident updated".to_owned(),
        [one] => format!("Changed {one}"),
        [init @ .., last] => format!("Changed {} and {last}", init.join(", ")),
    }
}

fn or_a(value: Option<String>, fallback: &str) -> String {
    value.unwrap_or_else(|| fallback.to_owned())
}

/// An automation status in words (`TimedOut` → `timed out`).
fn status_words(status: &str) -> String {
    match status {
        "Failed" => "in failure".to_owned(),
        "Cancelled" => "cancelled".to_owned(),
        "TimedOut" => "timed out".to_owned(),
        other => other.to_lowercase(),
    }
}

fn clip(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_owned();
    }
    let mut out: String = text.chars().take(max - 1).collect();
    out.push('…');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn told(kind: &str, data: Value) -> (String, Option<String>) {
        let s = story(kind, &data.to_string());
        (s.sentence, s.actor)
    }

    #[test]
    fn every_kind_tocsin_writes_is_a_sentence_with_its_actor() {
        let user = "arn:aws:iam::000000000000:user/maria";
        let cases: Vec<(&str, Value, &str, Option<&str>)> = vec![
            (
                kinds::INCIDENT_CREATED,
                serde_json::json!({"title": "Disk full", "impact": 2,
                    "triggerDetails": {"source": "aws.cloudwatch", "timestamp": 1.0}}),
                "Incident opened by a trigger from aws.cloudwatch: \u{201c}Disk full\u{201d}, impact 2 (High)",
                Some("aws.cloudwatch"),
            ),
            (
                kinds::INCIDENT_CREATED,
                serde_json::json!({"title": "Web down", "impact": 1, "createdBy": user,
                    "triggerDetails": {"source": MANUAL_SOURCE, "timestamp": 1.0}}),
                "Incident started by hand: \u{201c}Web down\u{201d}, impact 1 (Critical)",
                Some("maria"),
            ),
            (
                kinds::TRIGGER_DEDUPLICATED,
                serde_json::json!({"source": "aws.cloudwatch", "count": 3}),
                "3 triggers from aws.cloudwatch merged into this incident",
                Some("aws.cloudwatch"),
            ),
            (
                kinds::TRIGGER_DEDUPLICATED,
                serde_json::json!({"source": "prometheus"}),
                "A trigger from prometheus merged into this incident",
                Some("prometheus"),
            ),
            (
                kinds::INCIDENT_UPDATED,
                serde_json::json!({"impact": {"from": 3, "to": 1}, "title": {"from": "a", "to": "b"},
                    "summary": {"from": null, "to": "x"}, "updatedBy": user}),
                "Changed impact from 3 (Medium) to 1 (Critical), the title to \u{201c}b\u{201d} and the summary",
                Some("maria"),
            ),
            (
                kinds::INCIDENT_UPDATED,
                serde_json::json!({"status": {"from": "OPEN", "to": "RESOLVED"}}),
                "Changed the status to resolved",
                None,
            ),
            (
                kinds::INCIDENT_RESOLVED,
                serde_json::json!({"resolvedBy": user}),
                "Incident resolved",
                Some("maria"),
            ),
            (
                kinds::AUTOMATION_STARTED,
                serde_json::json!({"automationExecutionId": "e", "documentName": "RestartWeb", "documentVersion": "2"}),
                "Runbook RestartWeb (version 2) started",
                None,
            ),
            (
                kinds::AUTOMATION_START_FAILED,
                serde_json::json!({"documentName": "RestartWeb", "reason": "no such document"}),
                "Runbook RestartWeb could not start: no such document",
                None,
            ),
            (
                kinds::AUTOMATION_WAITING,
                serde_json::json!({"stepName": "approve", "action": "aws:approve", "message": "Restart the primary?"}),
                "Runbook step approve waits for approval: Restart the primary?",
                None,
            ),
            (
                kinds::AUTOMATION_WAITING,
                serde_json::json!({"stepName": "look", "action": "aws:pause", "message": ""}),
                "Runbook step look waits for a responder",
                None,
            ),
            (
                kinds::AUTOMATION_ENDED,
                serde_json::json!({"status": "Success"}),
                "Runbook finished successfully",
                None,
            ),
            (
                kinds::AUTOMATION_ENDED,
                serde_json::json!({"status": "Failed", "failureMessage": "step restart: HTTP 500"}),
                "Runbook ended in failure: step restart: HTTP 500",
                None,
            ),
            (
                kinds::ENGAGEMENT_STARTED,
                serde_json::json!({"alias": "oncall"}),
                "Engaged oncall",
                None,
            ),
            (
                kinds::PAGE_SENT,
                serde_json::json!({"alias": "maria", "stage": 2}),
                "Paged maria (stage 2)",
                None,
            ),
            (
                kinds::PAGE_ACCEPTED,
                serde_json::json!({"alias": "maria", "acceptType": "READ", "note": "on it"}),
                "maria accepted the page: \u{201c}on it\u{201d}",
                Some("maria"),
            ),
            (
                kinds::ENGAGEMENT_ESCALATED,
                serde_json::json!({"stage": 2}),
                "Escalated to stage 2",
                None,
            ),
            (
                kinds::ENGAGEMENT_STOPPED,
                serde_json::json!({"reason": "incident resolved"}),
                "Engagement stopped: incident resolved",
                None,
            ),
            (
                kinds::INCIDENT_ACKNOWLEDGED,
                serde_json::json!({"by": user, "name": "Maria", "note": "looking", "until": 5.0}),
                "Acknowledged by Maria: \u{201c}looking\u{201d}",
                Some("Maria"),
            ),
            (
                kinds::INCIDENT_ACKNOWLEDGED,
                serde_json::json!({"by": user}),
                "Acknowledged by maria",
                Some("maria"),
            ),
            (
                kinds::ACKNOWLEDGEMENT_LAPSED,
                serde_json::json!({"by": user, "name": "Maria"}),
                "Maria's acknowledgement lapsed",
                Some("Maria"),
            ),
            (
                kinds::ALERTS_RESOLVED,
                serde_json::json!({"receiver": "prod-am", "sources": ["a"], "reason": "every alert that fed the incident was resolved at its source"}),
                "Resolved itself: every alert that fed the incident was resolved at its source",
                Some("prod-am"),
            ),
            (
                kinds::SILENCE_CHANGED,
                serde_json::json!({"alertmanager": "http://am:9093", "silenceId": "s1", "action": "created"}),
                "Silence s1 created in http://am:9093",
                None,
            ),
            (
                kinds::SILENCE_CHANGED,
                serde_json::json!({"alertmanager": "http://am:9093", "action": "failed", "reason": "HTTP 503"}),
                "Could not silence the alert in http://am:9093: HTTP 503",
                None,
            ),
            (
                NOTE,
                serde_json::json!({"content": "Rolled back 4.2"}),
                "Rolled back 4.2",
                None,
            ),
            (
                "Custom Event",
                serde_json::json!({"summary": "Failover done", "region": "eu-west-1"}),
                "Custom Event: Failover done",
                None,
            ),
            (
                "Deploy",
                serde_json::json!({"sha": "abc", "n": 1, "by": user, "at": "arn:aws:x"}),
                "Deploy: n 1, sha abc",
                Some("maria"),
            ),
            (
                "Deploy",
                serde_json::json!({"items": [1, 2]}),
                "Deploy",
                None,
            ),
        ];
        for (kind, data, sentence, actor) in cases {
            let (got, who) = told(kind, data.clone());
            assert_eq!(got, sentence, "{kind} {data}");
            assert_eq!(who.as_deref(), actor, "{kind} {data}");
            assert!(!got.contains('{'), "raw JSON in {got:?}");
        }
    }

    #[test]
    fn text_that_is_not_json_is_told_as_it_is_and_long_text_is_clipped() {
        assert_eq!(story(NOTE, "plain words").sentence, "plain words");
        assert_eq!(story("Custom", "").sentence, "Custom");
        let long = "x".repeat(1000);
        let told = story(NOTE, &long).sentence;
        assert_eq!(told.chars().count(), MAX_SENTENCE_CHARS);
        assert!(told.ends_with('…'));
    }

    #[test]
    fn principals_are_named_by_their_last_part() {
        assert_eq!(
            principal_name("arn:aws:iam::000000000000:user/maria"),
            "maria"
        );
        assert_eq!(principal_name("arn:aws:iam::000000000000:root"), "root");
        assert_eq!(
            principal_name("events.amazonaws.com"),
            "events.amazonaws.com"
        );
    }
}
