//! Notifications: what a topic's message becomes for each subscription, and the life of
//! each delivery. Publishing writes one outbox row per confirmed subscription in the
//! caller's transaction ([`publish_in`]); the notify worker ([`crate::worker::notify`])
//! renders and sends each row and records every attempt ([`record_attempt`]), so each
//! incident has a delivery log (`GET /v1/notifications?incidentArn=`).
//!
//! Renderings, all pure functions:
//! - `http`/`https`: the SNS JSON message (`Type`, `MessageId`, `TopicArn`, `Subject`,
//!   `Message`, `Timestamp`, `SignatureVersion` 2, `Signature`, `SigningCertURL`,
//!   `UnsubscribeURL`), sent as SNS sends it (`text/plain`, `x-amz-sns-*` headers), or the
//!   message alone with `RawMessageDelivery`.
//! - `email`: a plain-text email with the message and the unsubscribe link.
//! - `slack`: Block Kit `blocks` with a `text` fallback; incident notices get a header,
//!   impact, status, age, the latest timeline entry and a button to the incident.
//! - `msteams`: an Adaptive Card in the `{"type":"message","attachments":[…]}` envelope a
//!   Teams Workflows webhook accepts.
//!
//! Attempts back off 1 s, 2 s, 4 s… (at most 5 min) up to [`MAX_ATTEMPTS`] within an hour.

use tocsin_api::impact::Impact;
use tocsin_api::native::{Change, DeliveryStatus};
use tocsin_api::sns::{IncidentNotice, NotificationAttempt, NotificationDelivery, secret_endpoint};

use crate::config::{Links, ServerConfig};
use crate::domain::deliveries::backoff_secs;
use crate::domain::error::{ApiError, ApiResult};
use crate::store::{OutMessage, StoreTx, StoredNotification, StoredSubscription};

/// Attempts a notification delivery gets.
pub const MAX_ATTEMPTS: u32 = 10;
/// How long after queueing a delivery is still attempted (1 hour).
pub const MAX_AGE_SECS: f64 = 3600.0;
/// What `EffectiveDeliveryPolicy` reports: Tocsin's retry schedule in SNS's words.
pub const EFFECTIVE_DELIVERY_POLICY: &str = r#"{"http":{"defaultHealthyRetryPolicy":{"minDelayTarget":1,"maxDelayTarget":300,"numRetries":9,"numMaxDelayRetries":0,"numNoDelayRetries":0,"numMinDelayRetries":0,"backoffFunction":"exponential"},"disableSubscriptionOverrides":false}}"#;

/// A message to publish.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Publication {
    /// The message (with `structure_json`, a JSON object of texts per protocol).
    pub message: String,
    /// The subject.
    pub subject: Option<String>,
    /// `MessageStructure=json`.
    pub structure_json: bool,
    /// `MessageAttributes`, as SNS's JSON shows them.
    pub attributes: serde_json::Map<String, serde_json::Value>,
    /// For incident notifications: the structured notice.
    pub notice: Option<IncidentNotice>,
}

/// The endpoint as it may be shown: chat webhook URLs are [`REDACTED`].
///
/// [`REDACTED`]: tocsin_api::sns::REDACTED_ENDPOINT
pub fn shown_endpoint(s: &StoredSubscription) -> String {
    if secret_endpoint(&s.protocol) {
        tocsin_api::sns::REDACTED_ENDPOINT.into()
    } else {
        s.endpoint.clone()
    }
}

/// SNS's timestamp form: `2026-11-29T12:00:00.000Z`.
pub fn sns_timestamp(epoch_seconds: f64) -> String {
    chrono::DateTime::from_timestamp_millis((epoch_seconds * 1000.0).round() as i64)
        .unwrap_or_default()
        .format("%Y-%m-%dT%H:%M:%S%.3fZ")
        .to_string()
}

/// The text one protocol gets of a `MessageStructure=json` message: its own key, else
/// `default`.
///
/// Errors: `InvalidParameter` when the message is not a JSON object of strings with a
/// `default`.
pub fn text_for(publication: &Publication, protocol: &str) -> ApiResult<String> {
    if !publication.structure_json {
        return Ok(publication.message.clone());
    }
    let bad = || {
        ApiError::Validation(
            "Invalid parameter: Message Structure - JSON message body failed to parse, or has no \"default\" string"
                .into(),
        )
    };
    let object: serde_json::Map<String, serde_json::Value> =
        serde_json::from_str(&publication.message).map_err(|_| bad())?;
    let pick = |k: &str| object.get(k).and_then(|v| v.as_str()).map(str::to_owned);
    let default = pick("default").ok_or_else(bad)?;
    Ok(pick(protocol).unwrap_or(default))
}

/// Where a delivery goes, as its log entry shows it (secrets redacted).
#[derive(Debug, Clone, PartialEq)]
pub struct Destination {
    /// The topic (empty for a message straight to a contact channel).
    pub topic_arn: String,
    /// The subscription or contact channel.
    pub subscription_arn: String,
    /// `https`, `email`, `slack`, `sms`…
    pub protocol: String,
    /// The endpoint as it may be shown.
    pub endpoint: String,
}

impl Destination {
    /// A topic's subscription.
    pub fn of(subscription: &StoredSubscription) -> Self {
        Self {
            topic_arn: subscription.topic_arn.clone(),
            subscription_arn: subscription.arn.clone(),
            protocol: subscription.protocol.clone(),
            endpoint: shown_endpoint(subscription),
        }
    }
}

/// A PENDING outbox row: `message` (a `kind` message with id `message_id`) to `to`.
fn outbox_row(
    kind: &str,
    message_id: &str,
    to: Destination,
    incident_arn: Option<String>,
    message: OutMessage,
    now: f64,
) -> StoredNotification {
    StoredNotification {
        delivery: NotificationDelivery {
            id: 0,
            message_id: message_id.to_owned(),
            kind: kind.to_owned(),
            topic_arn: to.topic_arn,
            subscription_arn: to.subscription_arn,
            protocol: to.protocol,
            endpoint: to.endpoint,
            incident_arn,
            subject: message.subject.clone(),
            status: DeliveryStatus::Pending,
            attempts: Vec::new(),
            max_attempts: MAX_ATTEMPTS,
            created_at: now,
            updated_at: now,
        },
        message,
        next_attempt_at: now,
        deadline: now + MAX_AGE_SECS,
    }
}

/// Writes an outbox row and its `NotificationChanged` feed entry.
async fn enqueue(tx: &mut dyn StoreTx, mut row: StoredNotification) -> ApiResult<()> {
    tx.insert_notification(&mut row).await?;
    tx.append_change(&Change::NotificationChanged(row.delivery))
        .await?;
    Ok(())
}

/// Queues one delivery in the notification outbox, in the caller's transaction: the notify
/// worker sends it, retries it and logs every attempt.
pub async fn queue(
    tx: &mut dyn StoreTx,
    kind: &str,
    message_id: &str,
    to: Destination,
    incident_arn: Option<String>,
    message: OutMessage,
    now: f64,
) -> ApiResult<()> {
    enqueue(
        tx,
        outbox_row(kind, message_id, to, incident_arn, message, now),
    )
    .await
}

/// Queues `publication` for every confirmed subscription of `topic_arn` (the topic must
/// exist); returns the message id and how many deliveries were queued.
///
/// Errors: `InvalidParameter` for a bad `MessageStructure=json` body.
pub async fn publish_in(
    tx: &mut dyn StoreTx,
    _config: &ServerConfig,
    topic_arn: &str,
    publication: &Publication,
    now: f64,
) -> ApiResult<(String, usize)> {
    text_for(publication, "default")?;
    let message_id = uuid::Uuid::new_v4().to_string();
    let subscriptions: Vec<StoredSubscription> = tx
        .subscriptions(topic_arn)
        .await?
        .into_iter()
        .filter(|s| s.confirmed)
        .collect();
    let incident_arn = publication.notice.as_ref().map(|n| n.incident_arn.clone());
    for s in &subscriptions {
        let message = OutMessage {
            text: text_for(publication, &s.protocol)?,
            subject: publication.subject.clone(),
            timestamp: sns_timestamp(now),
            notice: publication.notice.clone(),
            attributes: publication.attributes.clone(),
            token: None,
        };
        queue(
            tx,
            "Notification",
            &message_id,
            Destination::of(s),
            incident_arn.clone(),
            message,
            now,
        )
        .await?;
    }
    Ok((message_id, subscriptions.len()))
}

/// Queues the `SubscriptionConfirmation` a new `http`/`https`/`email` subscription gets.
pub async fn queue_confirmation(
    tx: &mut dyn StoreTx,
    subscription: &StoredSubscription,
    now: f64,
) -> ApiResult<()> {
    let message = OutMessage {
        text: format!(
            "You have chosen to subscribe to the topic {}.\nTo confirm the subscription, visit the SubscribeURL included in this message.",
            subscription.topic_arn
        ),
        subject: Some("Tocsin Notification - Subscription Confirmation".into()),
        timestamp: sns_timestamp(now),
        notice: None,
        attributes: serde_json::Map::new(),
        token: subscription.token.clone(),
    };
    queue(
        tx,
        "SubscriptionConfirmation",
        &uuid::Uuid::new_v4().to_string(),
        Destination::of(subscription),
        None,
        message,
        now,
    )
    .await
}

/// A sentence for a timeline entry: the "latest" line of a notice
/// ([`tocsin_api::timeline::story`], the words the app shows), with who acted.
pub fn timeline_words(e: &tocsin_api::incidents::TimelineEvent) -> String {
    let story = tocsin_api::timeline::story(&e.event_type, &e.event_data);
    let words = match story.actor {
        Some(actor) if !story.sentence.contains(&actor) => format!("{} ({actor})", story.sentence),
        _ => story.sentence,
    };
    truncate(&words, 300)
}

/// Publishes a notice about an incident to its notification targets and chat-channel topics
/// (`notificationTargets[].snsTopicArn`, `chatChannel.chatbotSns`), in the caller's
/// transaction. A topic that does not exist gets a FAILED entry in the delivery log saying
/// so (the change itself goes on). `reason` is one of [`IncidentNotice::reason`]'s values.
pub async fn notify_incident(
    tx: &mut dyn StoreTx,
    config: &ServerConfig,
    record: &tocsin_api::incidents::IncidentRecord,
    reason: &str,
    headline: String,
    now: f64,
) -> ApiResult<()> {
    let mut topics: Vec<String> = record
        .notification_targets
        .iter()
        .flatten()
        .filter_map(|t| t.sns_topic_arn.clone())
        .collect();
    topics.extend(
        record
            .chat_channel
            .iter()
            .filter_map(|c| c.chatbot_sns.clone())
            .flatten(),
    );
    let mut seen = std::collections::BTreeSet::new();
    topics.retain(|t| seen.insert(t.clone()));
    if topics.is_empty() {
        return Ok(());
    }
    let latest = tx
        .latest_timeline_event(&record.arn)
        .await?
        .map(|e| timeline_words(&e));
    let notice = IncidentNotice {
        reason: reason.to_owned(),
        incident_arn: record.arn.clone(),
        title: record.title.clone(),
        impact: record.impact,
        status: record.status.as_str().to_owned(),
        creation_time: record.creation_time,
        age_seconds: (now - record.creation_time).max(0.0) as i64,
        latest,
        headline: headline.clone(),
        link: config.links.incident(&record.arn),
    };
    let publication = Publication {
        message: serde_json::to_string(&notice)
            .map_err(|e| ApiError::Internal(e.to_string().into()))?,
        subject: Some(truncate(&format!("{headline}: {}", record.title), 100)),
        notice: Some(notice),
        ..Default::default()
    };
    for topic in topics {
        if tx.topic(&topic).await?.is_some() {
            publish_in(tx, config, &topic, &publication, now).await?;
        } else {
            let to = Destination {
                topic_arn: topic.clone(),
                subscription_arn: String::new(),
                protocol: String::new(),
                endpoint: String::new(),
            };
            let message = OutMessage {
                text: publication.message.clone(),
                subject: publication.subject.clone(),
                timestamp: sns_timestamp(now),
                notice: publication.notice.clone(),
                attributes: serde_json::Map::new(),
                token: None,
            };
            let id = uuid::Uuid::new_v4().to_string();
            let mut row = outbox_row(
                "Notification",
                &id,
                to,
                Some(record.arn.clone()),
                message,
                now,
            );
            row.delivery.status = DeliveryStatus::Failed;
            row.delivery.max_attempts = 1;
            row.delivery.attempts.push(NotificationAttempt {
                at: now,
                ok: false,
                code: None,
                error: Some(format!("topic {topic} does not exist")),
            });
            row.deadline = now;
            enqueue(tx, row).await?;
        }
    }
    Ok(())
}

/// How one attempt ended.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// Accepted (HTTP 2xx, SMTP 2xx).
    Delivered(Option<u16>),
    /// Worth another try (status or reply code if any, reason).
    Retry(Option<u16>, String),
    /// Worth another try no sooner than the given seconds from now (the endpoint's
    /// `Retry-After` on 429 or 503).
    RetryAfter(Option<u16>, String, f64),
    /// Not worth another try.
    Fail(Option<u16>, String),
}

/// Applies an attempt's outcome: logs the attempt, and moves the delivery to DELIVERED,
/// to its next attempt (back-off 1 s doubling to 5 min), or to FAILED when it is out of
/// attempts or time.
pub fn record_attempt(n: &mut StoredNotification, outcome: Outcome, now: f64) {
    let d = &mut n.delivery;
    d.updated_at = now;
    let (ok, code, error) = match &outcome {
        Outcome::Delivered(code) => (true, *code, None),
        Outcome::Retry(code, e) | Outcome::Fail(code, e) | Outcome::RetryAfter(code, e, _) => {
            (false, *code, Some(e.clone()))
        }
    };
    d.attempts.push(NotificationAttempt {
        at: now,
        ok,
        code,
        error,
    });
    let made = d.attempts.len() as u32;
    match outcome {
        Outcome::Delivered(_) => d.status = DeliveryStatus::Delivered,
        Outcome::Fail(..) => d.status = DeliveryStatus::Failed,
        Outcome::Retry(..) | Outcome::RetryAfter(..) => {
            let after = match outcome {
                Outcome::RetryAfter(_, _, after) => after,
                _ => 0.0,
            };
            let next = now + backoff_secs(made).max(after);
            if made >= d.max_attempts || next > n.deadline {
                d.status = DeliveryStatus::Failed;
            } else {
                n.next_attempt_at = next;
            }
        }
    }
}

/// The URLs a message carries.
pub struct MessageLinks {
    /// `SigningCertURL`.
    pub signing_cert: String,
    /// `SubscribeURL` (confirmations only).
    pub subscribe: Option<String>,
    /// `UnsubscribeURL`.
    pub unsubscribe: String,
}

/// The links for one delivery, from `--public-url`.
pub fn message_links(
    links: &Links,
    subscription: &StoredSubscription,
    n: &StoredNotification,
) -> MessageLinks {
    let api = links.api();
    let with_query = |path: &str, pairs: &[(&str, &str)]| {
        let query: String = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(pairs)
            .finish();
        format!("{api}{path}?{query}")
    };
    MessageLinks {
        signing_cert: format!("{api}/v1/sns/signing-cert.pem"),
        subscribe: n.message.token.as_deref().map(|token| {
            with_query(
                "/v1/sns/confirm",
                &[
                    ("Action", "ConfirmSubscription"),
                    ("TopicArn", &subscription.topic_arn),
                    ("Token", token),
                ],
            )
        }),
        unsubscribe: with_query(
            "/v1/sns/unsubscribe",
            &[
                ("SubscriptionArn", &subscription.arn),
                ("Token", &subscription.unsubscribe_token),
            ],
        ),
    }
}

/// The SNS JSON message for an `http`/`https` subscriber, with its canonical string to sign
/// (the caller signs it and sets `Signature`).
pub fn sns_message(
    n: &StoredNotification,
    links: &MessageLinks,
) -> (serde_json::Map<String, serde_json::Value>, String) {
    use serde_json::Value::String as S;
    let m = &n.message;
    let d = &n.delivery;
    let mut out = serde_json::Map::new();
    out.insert("Type".into(), S(d.kind.clone()));
    out.insert("MessageId".into(), S(d.message_id.clone()));
    let to_sign = if let (Some(token), Some(subscribe)) = (&m.token, &links.subscribe) {
        out.insert("Token".into(), S(token.clone()));
        out.insert("TopicArn".into(), S(d.topic_arn.clone()));
        out.insert("Message".into(), S(m.text.clone()));
        out.insert("SubscribeURL".into(), S(subscribe.clone()));
        crate::domain::signing::confirmation_string(
            &d.kind,
            &m.text,
            &d.message_id,
            subscribe,
            &m.timestamp,
            token,
            &d.topic_arn,
        )
    } else {
        out.insert("TopicArn".into(), S(d.topic_arn.clone()));
        if let Some(subject) = &m.subject {
            out.insert("Subject".into(), S(subject.clone()));
        }
        out.insert("Message".into(), S(m.text.clone()));
        crate::domain::signing::notification_string(
            &m.text,
            &d.message_id,
            m.subject.as_deref(),
            &m.timestamp,
            &d.topic_arn,
        )
    };
    out.insert("Timestamp".into(), S(m.timestamp.clone()));
    out.insert("SignatureVersion".into(), S("2".into()));
    out.insert("Signature".into(), S(String::new()));
    out.insert("SigningCertURL".into(), S(links.signing_cert.clone()));
    if m.token.is_none() {
        out.insert("UnsubscribeURL".into(), S(links.unsubscribe.clone()));
        if !m.attributes.is_empty() {
            out.insert(
                "MessageAttributes".into(),
                serde_json::Value::Object(m.attributes.clone()),
            );
        }
    }
    (out, to_sign)
}

/// "3 h 5 min", "12 min", "40 s": an age in words.
pub fn age_words(seconds: i64) -> String {
    let s = seconds.max(0);
    if s < 60 {
        format!("{s} s")
    } else if s < 3600 {
        format!("{} min", s / 60)
    } else if s < 86_400 {
        format!("{} h {} min", s / 3600, (s % 3600) / 60)
    } else {
        format!("{} d {} h", s / 86_400, (s % 86_400) / 3600)
    }
}

fn impact_words(impact: i32) -> String {
    format!("{} ({})", impact, Impact::clamped(impact).label())
}

/// Plain text for an email or a chat fallback.
pub fn notice_text(notice: &IncidentNotice) -> String {
    let mut out = format!(
        "{}: {}\nImpact: {}\nStatus: {}\nAge: {}\n",
        notice.headline,
        notice.title,
        impact_words(notice.impact),
        notice.status,
        age_words(notice.age_seconds)
    );
    if let Some(latest) = &notice.latest {
        out.push_str(&format!("Latest: {latest}\n"));
    }
    out.push_str(&format!("Open the incident: {}\n", notice.link));
    out
}

/// The email for a delivery: (subject, body).
pub fn email(
    n: &StoredNotification,
    links: &MessageLinks,
    display_name: Option<&str>,
) -> (String, String) {
    let m = &n.message;
    if let Some(subscribe) = &links.subscribe {
        let subject = m
            .subject
            .clone()
            .unwrap_or_else(|| "Subscription Confirmation".into());
        let body = format!(
            "You have chosen to subscribe to the topic:\n{}\n\nTo confirm this subscription, click or visit the link below (if this was in error no action is necessary):\n{subscribe}\n",
            n.delivery.topic_arn
        );
        return (subject, body);
    }
    let subject = m
        .subject
        .clone()
        .or_else(|| {
            m.notice
                .as_ref()
                .map(|x| format!("{}: {}", x.headline, x.title))
        })
        .or_else(|| display_name.filter(|d| !d.is_empty()).map(str::to_owned))
        .unwrap_or_else(|| "Tocsin notification".into());
    let text = match &m.notice {
        Some(notice) => notice_text(notice),
        None => m.text.clone(),
    };
    let body = if n.delivery.topic_arn.is_empty() {
        text
    } else {
        format!(
            "{text}\n--\nTo stop receiving messages from this topic, visit:\n{}\n",
            links.unsubscribe
        )
    };
    (subject.replace(['\r', '\n'], " "), body)
}

/// Slack's Block Kit message (blocks with a `text` fallback). Everything from the incident
/// goes into `plain_text` objects, so nothing in a title can format or link.
pub fn slack(n: &StoredNotification) -> serde_json::Value {
    use serde_json::json;
    let m = &n.message;
    match &m.notice {
        Some(x) => {
            let mut blocks = vec![
                json!({"type": "header", "text": {"type": "plain_text", "text": truncate(&format!("{}: {}", x.headline, x.title), 150)}}),
                json!({"type": "section", "fields": [
                    {"type": "plain_text", "text": format!("Impact: {}", impact_words(x.impact))},
                    {"type": "plain_text", "text": format!("Status: {}", x.status)},
                    {"type": "plain_text", "text": format!("Age: {}", age_words(x.age_seconds))},
                ]}),
            ];
            if let Some(latest) = &x.latest {
                blocks.push(json!({"type": "section", "text": {"type": "plain_text", "text": truncate(&format!("Latest: {latest}"), 3000)}}));
            }
            blocks.push(json!({"type": "actions", "elements": [{
                "type": "button",
                "text": {"type": "plain_text", "text": "Open incident"},
                "url": x.link,
            }]}));
            json!({"text": truncate(&notice_text(x), 3000), "blocks": blocks})
        }
        None => {
            let mut text = m.text.clone();
            if let Some(subject) = &m.subject {
                text = format!("{subject}\n{text}");
            }
            json!({
                "text": truncate(&text, 3000),
                "blocks": [{"type": "section", "text": {"type": "plain_text", "text": truncate(&text, 3000)}}],
            })
        }
    }
}

/// Text for an Adaptive Card `TextBlock`, which renders a subset of Markdown: the
/// characters that make links, emphasis, code and headings are escaped, so an incident title
/// cannot add a link or formatting.
pub fn card_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(
            c,
            '\\' | '[' | ']' | '*' | '_' | '`' | '#' | '<' | '>' | '~'
        ) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// A Teams Workflows message: one Adaptive Card (1.4) in `attachments`.
pub fn msteams(n: &StoredNotification) -> serde_json::Value {
    use serde_json::json;
    let m = &n.message;
    let (body, actions) = match &m.notice {
        Some(x) => {
            let mut body = vec![
                json!({"type": "TextBlock", "text": card_text(&format!("{}: {}", x.headline, x.title)), "weight": "Bolder", "size": "Medium", "wrap": true}),
                json!({"type": "FactSet", "facts": [
                    {"title": "Impact", "value": impact_words(x.impact)},
                    {"title": "Status", "value": x.status},
                    {"title": "Age", "value": age_words(x.age_seconds)},
                ]}),
            ];
            if let Some(latest) = &x.latest {
                body.push(
                    json!({"type": "TextBlock", "text": format!("Latest: {latest}"), "wrap": true}),
                );
            }
            (
                body,
                vec![json!({"type": "Action.OpenUrl", "title": "Open incident", "url": x.link})],
            )
        }
        None => {
            let mut body = Vec::new();
            if let Some(subject) = &m.subject {
                body.push(
                    json!({"type": "TextBlock", "text": subject, "weight": "Bolder", "wrap": true}),
                );
            }
            body.push(json!({"type": "TextBlock", "text": card_text(&m.text), "wrap": true}));
            (body, Vec::new())
        }
    };
    json!({
        "type": "message",
        "attachments": [{
            "contentType": "application/vnd.microsoft.card.adaptive",
            "contentUrl": null,
            "content": {
                "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
                "type": "AdaptiveCard",
                "version": "1.4",
                "body": body,
                "actions": actions,
            },
        }],
    })
}

fn truncate(text: &str, max_chars: usize) -> String {
    if text.chars().count() <= max_chars {
        text.to_owned()
    } else {
        let mut out: String = text.chars().take(max_chars - 1).collect();
        out.push('…');
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn notification(notice: Option<IncidentNotice>) -> StoredNotification {
        StoredNotification {
            delivery: NotificationDelivery {
                id: 1,
                message_id: "m".into(),
                kind: "Notification".into(),
                topic_arn: "arn:aws:sns:r:1:t".into(),
                subscription_arn: "arn:aws:sns:r:1:t:s".into(),
                protocol: "slack".into(),
                endpoint: "REDACTED".into(),
                incident_arn: None,
                subject: None,
                status: DeliveryStatus::Pending,
                attempts: vec![],
                max_attempts: MAX_ATTEMPTS,
                created_at: 0.0,
                updated_at: 0.0,
            },
            message: OutMessage {
                text: "hello".into(),
                subject: None,
                timestamp: sns_timestamp(0.0),
                notice,
                attributes: serde_json::Map::new(),
                token: None,
            },
            next_attempt_at: 0.0,
            deadline: MAX_AGE_SECS,
        }
    }

    #[test]
    fn attempts_back_off_and_are_logged() {
        let mut n = notification(None);
        record_attempt(&mut n, Outcome::Retry(Some(500), "500".into()), 10.0);
        assert_eq!(n.next_attempt_at, 11.0);
        record_attempt(&mut n, Outcome::Retry(Some(500), "500".into()), 11.0);
        assert_eq!(n.next_attempt_at, 13.0);
        record_attempt(&mut n, Outcome::Delivered(Some(200)), 13.0);
        assert_eq!(n.delivery.status, DeliveryStatus::Delivered);
        assert_eq!(n.delivery.attempts.len(), 3);
        let mut late = notification(None);
        record_attempt(&mut late, Outcome::Retry(None, "x".into()), MAX_AGE_SECS);
        assert_eq!(
            late.delivery.status,
            DeliveryStatus::Failed,
            "past deadline"
        );
    }

    #[test]
    fn chat_payloads_keep_incident_text_plain() {
        let notice = IncidentNotice {
            reason: "IncidentCreated".into(),
            incident_arn: "arn:i".into(),
            title: "<!channel> *bold* <http://evil|click>".into(),
            impact: 1,
            status: "OPEN".into(),
            creation_time: 0.0,
            age_seconds: 125,
            latest: Some("Created by alarm".into()),
            headline: "Incident opened".into(),
            link: "https://app/incident?arn=x".into(),
        };
        let n = notification(Some(notice));
        let s = slack(&n);
        let text = s.to_string();
        assert!(s["text"].as_str().unwrap().contains("Impact: 1 (Critical)"));
        for block in s["blocks"].as_array().unwrap() {
            assert_ne!(block["text"]["type"], "mrkdwn", "{block}");
        }
        assert!(text.contains("2 min"));
        let t = msteams(&n);
        let title = t["attachments"][0]["content"]["body"][0]["text"]
            .as_str()
            .unwrap();
        assert!(
            title.contains("\\*bold\\*") && title.contains("\\<http://evil|click\\>"),
            "{title}"
        );
        assert_eq!(
            t["attachments"][0]["contentType"],
            "application/vnd.microsoft.card.adaptive"
        );
        assert_eq!(t["attachments"][0]["content"]["type"], "AdaptiveCard");
        assert_eq!(
            t["attachments"][0]["content"]["actions"][0]["url"],
            "https://app/incident?arn=x"
        );
    }

    #[test]
    fn structured_messages_pick_per_protocol() {
        let p = Publication {
            message: r#"{"default":"d","email":"e"}"#.into(),
            structure_json: true,
            ..Default::default()
        };
        assert_eq!(text_for(&p, "email").unwrap(), "e");
        assert_eq!(text_for(&p, "https").unwrap(), "d");
        let bad = Publication {
            message: r#"{"email":"e"}"#.into(),
            structure_json: true,
            ..Default::default()
        };
        assert!(text_for(&bad, "email").is_err());
        assert_eq!(sns_timestamp(1.5), "1970-01-01T00:00:01.500Z");
    }
}
