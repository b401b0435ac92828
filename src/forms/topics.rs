//! The Topics page's forms (`/topics`): a new topic (name, optional display name) and a
//! subscription (protocol, endpoint).
//!
//! A chat subscription's endpoint is a secret (an incoming-webhook URL): no message here
//! ever repeats an endpoint.

use tocsin_api::sns::{CreateTopic, SubscribeEndpoint, secret_endpoint};

use super::{non_empty, required};

/// The protocols the subscribe form offers, in its order (the first is the default).
pub const PROTOCOL_CHOICES: [&str; 5] = ["https", "http", "email", "slack", "msteams"];

/// The message for a topic name the server would refuse.
pub const TOPIC_NAME_RULES: &str = "A topic name is 1-256 letters, digits, '-' or '_'.";

/// The message for a protocol that is not one of [`PROTOCOL_CHOICES`].
pub const PROTOCOL_MESSAGE: &str = "Choose a protocol: https, http, email, slack or msteams.";

/// The message for a subscription without an endpoint.
pub const ENDPOINT_MESSAGE: &str = "An endpoint is required.";

/// The message for an email endpoint that is not an address.
pub const EMAIL_MESSAGE: &str = "An email endpoint is an address such as oncall@example.com.";

/// A topic name as the server accepts it (1-256 of `[A-Za-z0-9_-]`). Returns the trimmed
/// name.
pub fn check_topic_name(name: &str) -> Result<String, String> {
    let name = name.trim();
    let ok = (1..=256).contains(&name.len())
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-'));
    if ok {
        Ok(name.to_owned())
    } else {
        Err(TOPIC_NAME_RULES.to_owned())
    }
}

/// The new-topic form, as typed.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TopicForm {
    /// The topic's name (the last part of its ARN).
    pub name: String,
    /// Its `DisplayName` (optional).
    pub display_name: String,
}

impl TopicForm {
    /// The `POST /v1/topics/create` input: the name checked, the display name trimmed and
    /// left out when empty.
    pub fn create_input(&self) -> Result<CreateTopic, String> {
        Ok(CreateTopic {
            name: check_topic_name(&self.name)?,
            display_name: non_empty(&self.display_name),
        })
    }
}

/// The subscribe form of one topic, as typed.
#[derive(Debug, Clone, PartialEq)]
pub struct SubscribeForm {
    /// One of [`PROTOCOL_CHOICES`].
    pub protocol: String,
    /// A URL (http, https, slack, msteams) or an email address.
    pub endpoint: String,
}

impl Default for SubscribeForm {
    /// `https` and no endpoint.
    fn default() -> Self {
        Self {
            protocol: PROTOCOL_CHOICES[0].to_owned(),
            endpoint: String::new(),
        }
    }
}

impl SubscribeForm {
    /// The `POST /v1/topics/subscribe` input for `topic_arn`: the endpoint trimmed, and
    /// checked as far as its shape goes (a URL of the protocol's scheme, an address with an
    /// `@`). Whether the address may be reached, the server decides.
    pub fn subscribe_input(&self, topic_arn: &str) -> Result<SubscribeEndpoint, String> {
        let protocol = self.protocol.trim().to_ascii_lowercase();
        if !PROTOCOL_CHOICES.contains(&protocol.as_str()) {
            return Err(PROTOCOL_MESSAGE.to_owned());
        }
        let endpoint = required(&self.endpoint, ENDPOINT_MESSAGE)?;
        let lower = endpoint.to_ascii_lowercase();
        let is_http = lower.starts_with("http://");
        let is_https = lower.starts_with("https://");
        match protocol.as_str() {
            "https" if !is_https => {
                return Err("An https endpoint is a URL starting with https://.".to_owned());
            }
            "http" if !is_http => {
                return Err("An http endpoint is a URL starting with http://.".to_owned());
            }
            "email" => {
                let ok = endpoint.split_once('@').is_some_and(|(local, domain)| {
                    !local.is_empty() && domain.contains('.') && !domain.ends_with('.')
                }) && !endpoint.chars().any(char::is_whitespace);
                if !ok {
                    return Err(EMAIL_MESSAGE.to_owned());
                }
            }
            p if secret_endpoint(p) && !(is_http || is_https) => {
                return Err(format!(
                    "A {p} endpoint is the incoming-webhook URL (https://…)."
                ));
            }
            _ => {}
        }
        Ok(SubscribeEndpoint {
            topic_arn: topic_arn.to_owned(),
            protocol,
            endpoint: endpoint.to_owned(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn topic_names() {
        assert_eq!(
            check_topic_name(" ops-alerts_1 "),
            Ok("ops-alerts_1".to_owned())
        );
        for bad in ["", "  ", "a b", "a.b", "<b>", &"x".repeat(257)] {
            assert_eq!(
                check_topic_name(bad),
                Err(TOPIC_NAME_RULES.to_owned()),
                "{bad:?}"
            );
        }
        assert!(check_topic_name(&"x".repeat(256)).is_ok());
    }

    #[test]
    fn create_input() {
        let form = TopicForm {
            name: " ops ".to_owned(),
            display_name: "  ".to_owned(),
        };
        assert_eq!(
            form.create_input(),
            Ok(CreateTopic {
                name: "ops".to_owned(),
                display_name: None
            })
        );
        let form = TopicForm {
            name: "ops".to_owned(),
            display_name: " Ops alerts ".to_owned(),
        };
        assert_eq!(
            form.create_input().map(|c| c.display_name),
            Ok(Some("Ops alerts".to_owned()))
        );
        assert!(TopicForm::default().create_input().is_err());
    }

    fn subscribe(protocol: &str, endpoint: &str) -> Result<SubscribeEndpoint, String> {
        SubscribeForm {
            protocol: protocol.to_owned(),
            endpoint: endpoint.to_owned(),
        }
        .subscribe_input("arn:t")
    }

    #[test]
    fn subscribe_input() {
        assert_eq!(SubscribeForm::default().protocol, "https");
        assert_eq!(
            subscribe("slack", " https://hooks.slack.com/services/T/B/x "),
            Ok(SubscribeEndpoint {
                topic_arn: "arn:t".to_owned(),
                protocol: "slack".to_owned(),
                endpoint: "https://hooks.slack.com/services/T/B/x".to_owned(),
            })
        );
        assert!(subscribe("msteams", "http://127.0.0.1:8080/hook").is_ok());
        assert!(subscribe("HTTPS", "https://example.com/sns").is_ok());
        assert!(subscribe("http", "http://example.com/sns").is_ok());
        assert!(subscribe("email", "oncall@example.com").is_ok());
        assert_eq!(
            subscribe("sms", "+15550100"),
            Err(PROTOCOL_MESSAGE.to_owned())
        );
        assert_eq!(subscribe("https", " "), Err(ENDPOINT_MESSAGE.to_owned()));
        assert_eq!(subscribe("email", "oncall"), Err(EMAIL_MESSAGE.to_owned()));
        assert_eq!(
            subscribe("email", "a b@x.io"),
            Err(EMAIL_MESSAGE.to_owned())
        );
        assert!(subscribe("https", "http://example.com").is_err());
        assert!(subscribe("http", "https://example.com").is_err());
        // A chat endpoint that is not a URL: the message does not repeat it.
        let secret = "T000/B000/secret";
        let err = subscribe("slack", secret).err().unwrap_or_default();
        assert!(err.contains("incoming-webhook URL"), "{err}");
        assert!(!err.contains(secret), "{err}");
    }
}
