//! The "Acknowledge" form (incident page and wall cards): a note and an expiry.

use tocsin_api::native::AcknowledgeIncident;

/// The expiry choices, in the select's order: (value in seconds, `""` for none; label).
pub const EXPIRY_CHOICES: [(&str, &str); 5] = [
    ("", "No expiry (until resolved)"),
    ("900", "15 min"),
    ("1800", "30 min"),
    ("3600", "1 h"),
    ("14400", "4 h"),
];

/// Longest note, in characters (the server's limit).
pub const NOTE_MAX_CHARS: usize = 1000;

/// The message for a note over [`NOTE_MAX_CHARS`].
pub const NOTE_MESSAGE: &str = "A note is at most 1,000 characters.";

/// The message for an expiry that is not one of [`EXPIRY_CHOICES`].
pub const EXPIRY_MESSAGE: &str = "Choose an expiry: none, 15 min, 30 min, 1 h or 4 h.";

/// The form, as typed.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AcknowledgeForm {
    /// What the responder says (optional).
    pub note: String,
    /// One of [`EXPIRY_CHOICES`]' values.
    pub expiry: String,
}

impl AcknowledgeForm {
    /// The `POST /v1/incidents/acknowledge` input for `incident_arn`: the note trimmed (left
    /// out when empty), the expiry in seconds (left out for none).
    pub fn input(&self, incident_arn: &str) -> Result<AcknowledgeIncident, String> {
        let note = super::non_empty(&self.note);
        if note
            .as_ref()
            .is_some_and(|n| n.chars().count() > NOTE_MAX_CHARS)
        {
            return Err(NOTE_MESSAGE.to_owned());
        }
        let expiry = self.expiry.trim();
        if !EXPIRY_CHOICES.iter().any(|(v, _)| *v == expiry) {
            return Err(EXPIRY_MESSAGE.to_owned());
        }
        let expires_in_seconds = if expiry.is_empty() {
            None
        } else {
            Some(
                expiry
                    .parse::<f64>()
                    .map_err(|_| EXPIRY_MESSAGE.to_owned())?,
            )
        };
        Ok(AcknowledgeIncident {
            incident_record_arn: incident_arn.to_owned(),
            note,
            expires_in_seconds,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inputs() {
        let form = AcknowledgeForm {
            note: "  looking at it ".to_owned(),
            expiry: "1800".to_owned(),
        };
        assert_eq!(
            form.input("arn:i"),
            Ok(AcknowledgeIncident {
                incident_record_arn: "arn:i".to_owned(),
                note: Some("looking at it".to_owned()),
                expires_in_seconds: Some(1800.0),
            })
        );
        let bare = AcknowledgeForm::default().input("arn:i");
        assert_eq!(
            bare.as_ref()
                .ok()
                .and_then(|i| serde_json::to_value(i).ok()),
            Some(serde_json::json!({"incidentRecordArn": "arn:i"}))
        );
        let long = AcknowledgeForm {
            note: "x".repeat(1001),
            expiry: String::new(),
        };
        assert_eq!(long.input("a"), Err(NOTE_MESSAGE.to_owned()));
        let odd = AcknowledgeForm {
            note: String::new(),
            expiry: "60".to_owned(),
        };
        assert_eq!(odd.input("a"), Err(EXPIRY_MESSAGE.to_owned()));
        for (value, _) in EXPIRY_CHOICES {
            let form = AcknowledgeForm {
                note: String::new(),
                expiry: value.to_owned(),
            };
            assert!(form.input("a").is_ok(), "{value}");
        }
    }
}
