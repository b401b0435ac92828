//! The Receivers page's form (`/receivers`): a new receiver's name, kind, event bus and the
//! settings its kind reads.
//!
//! Each kind reads its own settings and ignores the others ([`ReceiverSettings`]), so the
//! form sends only the chosen kind's, whatever was typed into another kind's fields before
//! switching.

use tocsin_api::events::DEFAULT_EVENT_BUS;
use tocsin_api::receivers::{CreateReceiver, ReceiverKind, ReceiverSettings};

use super::non_empty;

/// The message for a receiver or heartbeat name the server would refuse.
pub const NAME_RULES: &str = "A name is 1-64 letters, digits, '.', '-' or '_'.";

/// The message for a kind that is not one of [`ReceiverKind::ALL`].
pub const KIND_MESSAGE: &str = "Choose what the receiver accepts.";

/// The message for a silence URL that is not an http(s) URL.
pub const SILENCE_URL_MESSAGE: &str =
    "The silence URL is the Alertmanager's base URL, starting with http:// or https://.";

/// The message for an API-key header that is not a header name.
pub const HEADER_MESSAGE: &str =
    "The API-key header is a header name: letters, digits and - (e.g. x-api-key).";

/// A receiver's or heartbeat's name as the server accepts it (1-64 of `[A-Za-z0-9_.-]`).
/// Returns the trimmed name.
pub fn check_name(name: &str) -> Result<String, String> {
    let name = name.trim();
    let ok = (1..=64).contains(&name.len())
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-'));
    if ok {
        Ok(name.to_owned())
    } else {
        Err(NAME_RULES.to_owned())
    }
}

/// The new-receiver form, as typed.
#[derive(Debug, Clone, PartialEq)]
pub struct ReceiverForm {
    /// Its name.
    pub name: String,
    /// A kind's wire name (`alertmanager`).
    pub kind: String,
    /// The event bus it feeds (empty: `default`).
    pub event_bus_name: String,
    /// Alertmanager: resolve incidents when Alertmanager resolves their alerts.
    pub auto_resolve: bool,
    /// Alertmanager: where to create silences (optional).
    pub silence_url: String,
    /// Webhook: the events' `source` (optional).
    pub source: String,
    /// Webhook: the events' `detail-type` (optional).
    pub detail_type: String,
    /// Webhook: JSONPath of the events' `resources` (optional).
    pub resources_path: String,
    /// Webhook: JSONPath of the dedupe string (optional).
    pub dedupe_path: String,
    /// EventBridge: the API-key header (optional).
    pub api_key_header: String,
    /// SNS: accepted topic ARNs, one per line (none: any topic).
    pub topic_arns: String,
}

impl Default for ReceiverForm {
    /// An Alertmanager receiver on the default bus that resolves by itself.
    fn default() -> Self {
        Self {
            name: String::new(),
            kind: ReceiverKind::Alertmanager.as_str().to_owned(),
            event_bus_name: DEFAULT_EVENT_BUS.to_owned(),
            auto_resolve: true,
            silence_url: String::new(),
            source: String::new(),
            detail_type: String::new(),
            resources_path: String::new(),
            dedupe_path: String::new(),
            api_key_header: String::new(),
            topic_arns: String::new(),
        }
    }
}

impl ReceiverForm {
    /// The `POST /v1/receivers/create` input: the name checked, the bus left out when it is
    /// empty, and only the chosen kind's settings (none at all when they are the defaults).
    pub fn create_input(&self) -> Result<CreateReceiver, String> {
        let name = check_name(&self.name)?;
        let kind = ReceiverKind::parse(self.kind.trim()).ok_or_else(|| KIND_MESSAGE.to_owned())?;
        let mut settings = ReceiverSettings::default();
        match kind {
            ReceiverKind::Alertmanager => {
                settings.auto_resolve = self.auto_resolve;
                settings.silence_url = non_empty(&self.silence_url);
                if let Some(url) = &settings.silence_url {
                    let lower = url.to_ascii_lowercase();
                    if !(lower.starts_with("http://") || lower.starts_with("https://")) {
                        return Err(SILENCE_URL_MESSAGE.to_owned());
                    }
                }
            }
            ReceiverKind::Webhook => {
                settings.source = non_empty(&self.source);
                settings.detail_type = non_empty(&self.detail_type);
                settings.resources_path = non_empty(&self.resources_path);
                settings.dedupe_path = non_empty(&self.dedupe_path);
                for (label, path) in [
                    ("resources", &settings.resources_path),
                    ("dedupe", &settings.dedupe_path),
                ] {
                    if path.as_deref().is_some_and(|p| !p.starts_with('$')) {
                        return Err(format!(
                            "The {label} JSONPath starts with $ (e.g. $.repository.html_url)."
                        ));
                    }
                }
            }
            ReceiverKind::Eventbridge => {
                settings.api_key_header = non_empty(&self.api_key_header);
                if let Some(header) = &settings.api_key_header
                    && !header
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
                {
                    return Err(HEADER_MESSAGE.to_owned());
                }
            }
            ReceiverKind::Sns => settings.topic_arns = topic_arns(&self.topic_arns)?,
            ReceiverKind::Pagerduty => {}
        }
        Ok(CreateReceiver {
            name,
            kind,
            event_bus_name: non_empty(&self.event_bus_name),
            settings: (settings != ReceiverSettings::default()).then_some(settings),
        })
    }
}

/// Topic ARNs typed one per line (blank lines skipped); a line that is not an SNS topic
/// ARN is named by its number.
pub fn topic_arns(text: &str) -> Result<Vec<String>, String> {
    let mut arns = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        if !line.starts_with("arn:") || !line.contains(":sns:") {
            return Err(format!(
                "Line {} of the topic ARNs is not an SNS topic ARN (arn:aws:sns:region:account:name).",
                i + 1
            ));
        }
        arns.push(line.to_owned());
    }
    Ok(arns)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(kind: ReceiverKind) -> ReceiverForm {
        ReceiverForm {
            name: " prom-1 ".to_owned(),
            kind: kind.as_str().to_owned(),
            ..ReceiverForm::default()
        }
    }

    #[test]
    fn names() {
        assert_eq!(check_name(" a.b-c_1 "), Ok("a.b-c_1".to_owned()));
        for bad in ["", " ", "a b", "a/b", "<b>", &"x".repeat(65)] {
            assert_eq!(check_name(bad), Err(NAME_RULES.to_owned()), "{bad:?}");
        }
        assert!(check_name(&"x".repeat(64)).is_ok());
    }

    #[test]
    fn defaults_send_no_settings() {
        let input = form(ReceiverKind::Alertmanager).create_input();
        assert_eq!(
            input,
            Ok(CreateReceiver {
                name: "prom-1".to_owned(),
                kind: ReceiverKind::Alertmanager,
                event_bus_name: Some("default".to_owned()),
                settings: None,
            })
        );
        let bare = ReceiverForm {
            event_bus_name: "  ".to_owned(),
            ..form(ReceiverKind::Pagerduty)
        };
        assert_eq!(bare.create_input().map(|c| c.event_bus_name), Ok(None));
        let bad = ReceiverForm {
            kind: "smtp".to_owned(),
            ..form(ReceiverKind::Sns)
        };
        assert_eq!(bad.create_input(), Err(KIND_MESSAGE.to_owned()));
    }

    #[test]
    fn alertmanager_settings() {
        let f = ReceiverForm {
            auto_resolve: false,
            silence_url: " http://alertmanager:9093 ".to_owned(),
            ..form(ReceiverKind::Alertmanager)
        };
        let settings = f.create_input().ok().and_then(|c| c.settings);
        assert_eq!(
            settings,
            Some(ReceiverSettings {
                auto_resolve: false,
                silence_url: Some("http://alertmanager:9093".to_owned()),
                ..ReceiverSettings::default()
            })
        );
        let f = ReceiverForm {
            silence_url: "alertmanager:9093".to_owned(),
            ..form(ReceiverKind::Alertmanager)
        };
        assert_eq!(f.create_input(), Err(SILENCE_URL_MESSAGE.to_owned()));
    }

    #[test]
    fn only_the_kinds_own_settings_are_sent() {
        // Typed into the webhook fields, then switched to PagerDuty.
        let f = ReceiverForm {
            source: "github".to_owned(),
            auto_resolve: false,
            ..form(ReceiverKind::Pagerduty)
        };
        assert_eq!(f.create_input().map(|c| c.settings), Ok(None));
        let f = ReceiverForm {
            source: " github ".to_owned(),
            detail_type: "Push".to_owned(),
            resources_path: "$.repository.html_url".to_owned(),
            dedupe_path: " ".to_owned(),
            silence_url: "x".to_owned(),
            ..form(ReceiverKind::Webhook)
        };
        let settings = f.create_input().ok().and_then(|c| c.settings);
        assert_eq!(
            settings,
            Some(ReceiverSettings {
                source: Some("github".to_owned()),
                detail_type: Some("Push".to_owned()),
                resources_path: Some("$.repository.html_url".to_owned()),
                ..ReceiverSettings::default()
            })
        );
        let f = ReceiverForm {
            dedupe_path: "repository.id".to_owned(),
            ..form(ReceiverKind::Webhook)
        };
        assert!(
            f.create_input()
                .is_err_and(|e| e.contains("dedupe JSONPath"))
        );
    }

    #[test]
    fn eventbridge_and_sns_settings() {
        let f = ReceiverForm {
            api_key_header: " x-tocsin-key ".to_owned(),
            ..form(ReceiverKind::Eventbridge)
        };
        assert_eq!(
            f.create_input()
                .ok()
                .and_then(|c| c.settings)
                .and_then(|s| s.api_key_header),
            Some("x-tocsin-key".to_owned())
        );
        let f = ReceiverForm {
            api_key_header: "x key:".to_owned(),
            ..form(ReceiverKind::Eventbridge)
        };
        assert_eq!(f.create_input(), Err(HEADER_MESSAGE.to_owned()));

        let f = ReceiverForm {
            topic_arns: "arn:aws:sns:us-east-1:123456789012:alarms\n\n  arn:aws:sns:eu-west-1:123456789012:ops  \n"
                .to_owned(),
            ..form(ReceiverKind::Sns)
        };
        assert_eq!(
            f.create_input()
                .ok()
                .and_then(|c| c.settings)
                .map(|s| s.topic_arns),
            Some(vec![
                "arn:aws:sns:us-east-1:123456789012:alarms".to_owned(),
                "arn:aws:sns:eu-west-1:123456789012:ops".to_owned()
            ])
        );
        assert_eq!(topic_arns(" \n"), Ok(Vec::new()));
        assert!(
            topic_arns("arn:aws:sns:us-east-1:1:a\nalarms").is_err_and(|e| e.contains("Line 2"))
        );
    }
}
