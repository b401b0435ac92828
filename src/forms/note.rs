//! Incident notes (`form#note-form` and a note's edit form on `/incident`): timeline entries
//! of type `Note` whose data is `{"content": TEXT}`.
//!
//! Notes written by other clients may hold other JSON or plain text; [`note_text`] reads
//! `content`, then `text`, then shows the data as it is.

use tocsin_api::EpochSeconds;
use tocsin_api::incidents::{
    CreateTimelineEventInput, DeleteTimelineEventInput, TimelineEvent, UpdateTimelineEventInput,
};

use super::required;

/// The timeline entry type of a note.
pub const NOTE_EVENT_TYPE: &str = tocsin_api::timeline::NOTE;

/// Longest `eventData` the server takes (characters).
pub const EVENT_DATA_MAX_CHARS: usize = 12_000;

/// The message for an empty note.
pub const NOTE_MESSAGE: &str = "Write something first.";

/// The message for a note too long to store.
pub const NOTE_TOO_LONG_MESSAGE: &str = "The note is too long (at most about 12,000 characters).";

/// A note's `eventData`: `{"content": text}`.
pub fn note_data(text: &str) -> String {
    serde_json::json!({ "content": text }).to_string()
}

/// What a note says: `content` (or `text`) of JSON event data, or the data as it is.
pub fn note_text(event_data: &str) -> String {
    match serde_json::from_str::<serde_json::Value>(event_data) {
        Ok(serde_json::Value::Object(map)) => ["content", "text"]
            .iter()
            .find_map(|k| map.get(*k).and_then(|v| v.as_str()).map(str::to_owned))
            .unwrap_or_else(|| event_data.to_owned()),
        Ok(serde_json::Value::String(s)) => s,
        _ => event_data.to_owned(),
    }
}

/// Whether a timeline entry is a note.
pub fn is_note(event: &TimelineEvent) -> bool {
    event.event_type == NOTE_EVENT_TYPE
}

/// A note's text checked and made into its `eventData`.
fn checked_data(text: &str) -> Result<String, String> {
    let text = required(text, NOTE_MESSAGE)?;
    let data = note_data(text);
    if data.chars().count() > EVENT_DATA_MAX_CHARS {
        return Err(NOTE_TOO_LONG_MESSAGE.to_owned());
    }
    Ok(data)
}

/// `CreateTimelineEvent` input for a new note on `incident_arn` at `now`, referring to the
/// incident itself (as Incident Manager's console does for its notes panel).
pub fn create_note_input(
    incident_arn: &str,
    text: &str,
    now: EpochSeconds,
    client_token: String,
) -> Result<CreateTimelineEventInput, String> {
    Ok(CreateTimelineEventInput {
        incident_record_arn: incident_arn.to_owned(),
        event_time: now,
        event_type: NOTE_EVENT_TYPE.to_owned(),
        event_data: checked_data(text)?,
        client_token: Some(client_token),
        event_references: Some(vec![serde_json::json!({ "resource": incident_arn })]),
    })
}

/// `UpdateTimelineEvent` input giving the note `event_id` a new text.
pub fn update_note_input(
    incident_arn: &str,
    event_id: &str,
    text: &str,
    client_token: String,
) -> Result<UpdateTimelineEventInput, String> {
    Ok(UpdateTimelineEventInput {
        incident_record_arn: incident_arn.to_owned(),
        event_id: event_id.to_owned(),
        event_data: Some(checked_data(text)?),
        client_token: Some(client_token),
        ..UpdateTimelineEventInput::default()
    })
}

/// `DeleteTimelineEvent` input for the note `event_id`.
pub fn delete_note_input(incident_arn: &str, event_id: &str) -> DeleteTimelineEventInput {
    DeleteTimelineEventInput {
        incident_record_arn: incident_arn.to_owned(),
        event_id: event_id.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn notes_round_trip_and_read_other_clients_data() {
        let data = note_data("Rolled back <b>v42</b>\n\"quoted\"");
        assert_eq!(note_text(&data), "Rolled back <b>v42</b>\n\"quoted\"");
        assert_eq!(note_text(r#"{"text":"from boto3"}"#), "from boto3");
        assert_eq!(note_text(r#""a JSON string""#), "a JSON string");
        assert_eq!(note_text("plain words"), "plain words");
        assert_eq!(note_text(r#"{"n":1}"#), r#"{"n":1}"#);
        assert_eq!(note_text("[1]"), "[1]");
    }

    #[test]
    fn note_inputs() {
        let input = create_note_input("arn:i", "  hello ", 5.0, "t".to_owned()).unwrap();
        assert_eq!(
            serde_json::to_value(&input).unwrap(),
            serde_json::json!({
                "incidentRecordArn": "arn:i", "eventTime": 5.0, "eventType": "Note",
                "eventData": "{\"content\":\"hello\"}", "clientToken": "t",
                "eventReferences": [{"resource": "arn:i"}]
            })
        );
        assert_eq!(
            create_note_input("arn:i", " \n", 5.0, "t".to_owned()).err(),
            Some(NOTE_MESSAGE.to_owned())
        );
        assert_eq!(
            create_note_input("arn:i", &"x".repeat(12_000), 5.0, "t".to_owned()).err(),
            Some(NOTE_TOO_LONG_MESSAGE.to_owned())
        );
        let update = update_note_input("arn:i", "e", "new", "u".to_owned()).unwrap();
        assert_eq!(
            serde_json::to_value(&update).unwrap(),
            serde_json::json!({
                "incidentRecordArn": "arn:i", "eventId": "e",
                "eventData": "{\"content\":\"new\"}", "clientToken": "u"
            })
        );
        assert_eq!(delete_note_input("arn:i", "e").event_id, "e");
    }
}
