//! Topics and subscriptions: Tocsin's subset of Amazon SNS (API 2010-03-31). Mirrors
//! `CreateTopic`, `DeleteTopic`, `ListTopics`, `Get/SetTopicAttributes`, `Subscribe`,
//! `ConfirmSubscription`, `Unsubscribe`, `ListSubscriptionsByTopic`,
//! `Get/SetSubscriptionAttributes`, `Publish` and the tag operations, with SNS's limits and
//! wording; the HTTP layer (`http::sns`) speaks the query protocol.
//!
//! Protocols: `http`/`https` (the SNS JSON message, signed; a `SubscriptionConfirmation`
//! handshake first), `email` (confirmed through the link in a confirmation email), and two
//! of Tocsin's own for chat, `slack` and `msteams` (an incoming-webhook URL, which is a
//! secret: sealed with the server key, never shown again; only an admin creates them, and
//! they start confirmed). What is sent, and how, is [`crate::domain::notify`].

use std::collections::BTreeMap;

use tocsin_api::sns::{SubscriptionView, TopicView, secret_endpoint};

use crate::config::ServerConfig;
use crate::domain::error::{ApiError, ApiResult};
use crate::domain::identity::{Caller, Role};
use crate::domain::keys::random_hex;
use crate::domain::notify::{self, Publication, shown_endpoint};
use crate::domain::validate::Page;
use crate::store::{StoreTx, StoredSubscription, StoredTopic};

/// How long a confirmation token stays valid (3 days, as SNS).
pub const TOKEN_LIFETIME_SECS: f64 = 3.0 * 86_400.0;
/// Topics per `ListTopics` page and subscriptions per `ListSubscriptionsByTopic` page (100,
/// as SNS).
pub const PAGE: i64 = 100;
/// Most tags on one topic (50, as SNS).
pub const MAX_TAGS: usize = 50;
/// Largest message (256 KiB, as SNS).
pub const MAX_MESSAGE_BYTES: usize = 262_144;

/// Topic attributes a caller may set.
const TOPIC_ATTRIBUTES: [&str; 6] = [
    "DisplayName",
    "Policy",
    "DeliveryPolicy",
    "KmsMasterKeyId",
    "TracingConfig",
    "SignatureVersion",
];
/// Subscription attributes a caller may set.
const SUBSCRIPTION_ATTRIBUTES: [&str; 2] = ["RawMessageDelivery", "DeliveryPolicy"];

fn invalid(message: impl Into<String>) -> ApiError {
    ApiError::Validation(message.into())
}

/// `arn:aws:sns:REGION:ACCOUNT:NAME`.
pub fn topic_arn(config: &ServerConfig, name: &str) -> String {
    format!("arn:aws:sns:{}:{}:{name}", config.region, config.account_id)
}

fn check_topic_name(name: &str) -> ApiResult<()> {
    if name.ends_with(".fifo") {
        return Err(invalid(
            "Invalid parameter: Topic Name: FIFO topics are not supported by Tocsin",
        ));
    }
    let ok = (1..=256).contains(&name.len())
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if ok {
        Ok(())
    } else {
        Err(invalid(
            "Invalid parameter: Topic Name: must be 1-256 ASCII letters, numbers, hyphens and underscores",
        ))
    }
}

fn check_attribute(name: &str, value: &str, allowed: &[&str]) -> ApiResult<()> {
    if !allowed.contains(&name) {
        return Err(invalid(format!(
            "Invalid parameter: AttributeName: {name} is not one of {}",
            allowed.join(", ")
        )));
    }
    match name {
        "SignatureVersion" if value != "2" => Err(invalid(
            "Invalid parameter: SignatureVersion: Tocsin signs every message with SignatureVersion 2 (SHA256withRSA)",
        )),
        "RawMessageDelivery" if !matches!(value, "true" | "false") => Err(invalid(
            "Invalid parameter: RawMessageDelivery: must be true or false",
        )),
        "DisplayName" if value.len() > 100 => Err(invalid(
            "Invalid parameter: DisplayName: at most 100 characters",
        )),
        "Policy" | "DeliveryPolicy" => {
            if value.is_empty() || serde_json::from_str::<serde_json::Value>(value).is_ok() {
                Ok(())
            } else {
                Err(invalid(format!(
                    "Invalid parameter: {name}: the value is not valid JSON"
                )))
            }
        }
        "TracingConfig" if !matches!(value, "PassThrough" | "Active") => Err(invalid(
            "Invalid parameter: TracingConfig: must be PassThrough or Active",
        )),
        _ => Ok(()),
    }
}

fn check_tags(tags: &BTreeMap<String, String>) -> ApiResult<()> {
    for (k, v) in tags {
        if k.is_empty() || k.len() > 128 || v.len() > 256 || k.starts_with("aws:") {
            return Err(invalid(format!(
                "Invalid parameter: Tags: key {k:?} must be 1-128 characters and not start with aws:, values at most 256"
            )));
        }
    }
    Ok(())
}

async fn topic(tx: &mut dyn StoreTx, arn: &str) -> ApiResult<StoredTopic> {
    tx.topic(arn)
        .await?
        .ok_or_else(|| ApiError::NotFound("Topic does not exist".into()))
}

/// Mirrors `CreateTopic`: creates a topic, or returns the existing one's ARN when the name
/// is taken with the same attributes and tags.
///
/// Errors: `InvalidParameter` (name, attributes, tags; an existing topic with other
/// attributes or tags).
pub async fn create_topic(
    tx: &mut dyn StoreTx,
    config: &ServerConfig,
    name: &str,
    attributes: BTreeMap<String, String>,
    tags: BTreeMap<String, String>,
    now: f64,
) -> ApiResult<String> {
    check_topic_name(name)?;
    if attributes.get("FifoTopic").map(String::as_str) == Some("true") {
        return Err(invalid(
            "Invalid parameter: Attributes: FIFO topics are not supported by Tocsin",
        ));
    }
    for (k, v) in &attributes {
        if k != "FifoTopic" {
            check_attribute(k, v, &TOPIC_ATTRIBUTES)?;
        }
    }
    check_tags(&tags)?;
    if tags.len() > MAX_TAGS {
        return Err(invalid(
            "Invalid parameter: Tags: at most 50 tags per topic",
        ));
    }
    let arn = topic_arn(config, name);
    let attributes: BTreeMap<String, String> = attributes
        .into_iter()
        .filter(|(k, _)| k != "FifoTopic")
        .collect();
    if let Some(existing) = tx.topic(&arn).await? {
        let same_attributes = attributes
            .iter()
            .all(|(k, v)| existing.attributes.get(k) == Some(v));
        let same_tags = tags.iter().all(|(k, v)| existing.tags.get(k) == Some(v));
        if same_attributes && same_tags {
            return Ok(arn);
        }
        return Err(invalid(
            "Invalid parameter: Attributes Reason: Topic already exists with different attributes or tags",
        ));
    }
    tx.put_topic(&StoredTopic {
        arn: arn.clone(),
        name: name.to_owned(),
        created_at: now,
        attributes,
        tags,
    })
    .await?;
    Ok(arn)
}

/// Mirrors `DeleteTopic`: deletes a topic and its subscriptions (deleting one that does not
/// exist is not an error, as in SNS).
pub async fn delete_topic(tx: &mut dyn StoreTx, arn: &str) -> ApiResult<()> {
    tx.delete_topic(arn).await?;
    Ok(())
}

/// Mirrors `ListTopics`: topic ARNs, 100 per page; the next token is the last ARN shown.
pub async fn list_topics(
    tx: &mut dyn StoreTx,
    next_token: Option<&str>,
) -> ApiResult<(Vec<String>, Option<String>)> {
    let page = tx.topics(next_token.unwrap_or_default(), PAGE + 1).await?;
    let more = page.len() as i64 > PAGE;
    let arns: Vec<String> = page
        .into_iter()
        .take(PAGE as usize)
        .map(|t| t.arn)
        .collect();
    let next = more.then(|| arns.last().cloned()).flatten();
    Ok((arns, next))
}

/// Mirrors `GetTopicAttributes`: the settable attributes plus `TopicArn`, `Owner`,
/// `Policy` (a default that lets the owner do everything), `SubscriptionsConfirmed`,
/// `SubscriptionsPending`, `SubscriptionsDeleted`, `EffectiveDeliveryPolicy` and
/// `SignatureVersion` (`2`).
///
/// Errors: `NotFound`.
pub async fn topic_attributes(
    tx: &mut dyn StoreTx,
    config: &ServerConfig,
    arn: &str,
) -> ApiResult<BTreeMap<String, String>> {
    let t = topic(tx, arn).await?;
    let subs = tx.subscriptions(arn).await?;
    let confirmed = subs.iter().filter(|s| s.confirmed).count();
    let mut out = BTreeMap::new();
    out.insert("TopicArn".into(), t.arn.clone());
    out.insert("Owner".into(), config.account_id.clone());
    out.insert("DisplayName".into(), String::new());
    out.insert("SignatureVersion".into(), "2".into());
    out.insert(
        "Policy".into(),
        serde_json::json!({
            "Version": "2008-10-17",
            "Id": "__default_policy_ID",
            "Statement": [{
                "Sid": "__default_statement_ID",
                "Effect": "Allow",
                "Principal": {"AWS": "*"},
                "Action": ["SNS:Publish", "SNS:Subscribe", "SNS:GetTopicAttributes", "SNS:SetTopicAttributes", "SNS:DeleteTopic", "SNS:ListSubscriptionsByTopic"],
                "Resource": t.arn,
                "Condition": {"StringEquals": {"AWS:SourceOwner": config.account_id}}
            }]
        })
        .to_string(),
    );
    out.insert("SubscriptionsConfirmed".into(), confirmed.to_string());
    out.insert(
        "SubscriptionsPending".into(),
        (subs.len() - confirmed).to_string(),
    );
    out.insert("SubscriptionsDeleted".into(), "0".into());
    out.insert(
        "EffectiveDeliveryPolicy".into(),
        notify::EFFECTIVE_DELIVERY_POLICY.into(),
    );
    out.extend(t.attributes);
    Ok(out)
}

/// Mirrors `SetTopicAttributes` (an empty value removes the attribute).
///
/// Errors: `NotFound`, `InvalidParameter`.
pub async fn set_topic_attribute(
    tx: &mut dyn StoreTx,
    arn: &str,
    name: &str,
    value: &str,
) -> ApiResult<()> {
    let mut t = topic(tx, arn).await?;
    check_attribute(name, value, &TOPIC_ATTRIBUTES)?;
    if value.is_empty() {
        t.attributes.remove(name);
    } else {
        t.attributes.insert(name.to_owned(), value.to_owned());
    }
    tx.put_topic(&t).await?;
    Ok(())
}

fn check_endpoint(protocol: &str, endpoint: &str) -> ApiResult<()> {
    let url_with = |scheme: &str| -> ApiResult<()> {
        let ok = url::Url::parse(endpoint)
            .map(|u| u.scheme() == scheme && u.host_str().is_some())
            .unwrap_or(false);
        if ok {
            Ok(())
        } else {
            Err(invalid(format!(
                "Invalid parameter: Endpoint: a {protocol} endpoint must be a {scheme}:// URL with a host"
            )))
        }
    };
    match protocol {
        "http" => url_with("http"),
        "https" => url_with("https"),
        // Chat webhooks are https in practice; http is accepted for an internal relay.
        "slack" | "msteams" => url_with("https").or_else(|_| url_with("http")),
        "email" => endpoint
            .parse::<lettre::Address>()
            .map(|_| ())
            .map_err(|_| invalid("Invalid parameter: Email address")),
        other => Err(invalid(format!(
            "Invalid parameter: Protocol: {other} is not one of http, https, email, slack, msteams"
        ))),
    }
}

/// `Subscribe`'s parameters.
#[derive(Debug, Clone)]
pub struct SubscribeRequest<'a> {
    /// The topic.
    pub topic_arn: &'a str,
    /// `http`, `https`, `email`, `slack` or `msteams` (lower case).
    pub protocol: &'a str,
    /// URL or email address.
    pub endpoint: &'a str,
    /// `RawMessageDelivery`, `DeliveryPolicy`.
    pub attributes: BTreeMap<String, String>,
    /// `ReturnSubscriptionArn`.
    pub return_arn: bool,
}

/// Mirrors `Subscribe`. `http`, `https` and `email` subscriptions wait for confirmation
/// (a `SubscriptionConfirmation` message, or an email with the link, is queued now);
/// `slack` and `msteams` need an admin and start confirmed. Subscribing the same endpoint
/// twice returns the first subscription. Returns the ARN, or `pending confirmation` for a
/// pending one unless `return_arn`.
///
/// Errors: `NotFound` (topic), `InvalidParameter` (protocol, endpoint, attributes),
/// `AuthorizationError` (a chat protocol by a non-admin).
pub async fn subscribe(
    tx: &mut dyn StoreTx,
    config: &ServerConfig,
    caller: &Caller,
    req: SubscribeRequest<'_>,
    now: f64,
) -> ApiResult<String> {
    let SubscribeRequest {
        topic_arn,
        protocol,
        endpoint,
        attributes,
        return_arn,
    } = req;
    topic(tx, topic_arn).await?;
    check_endpoint(protocol, endpoint)?;
    for (k, v) in &attributes {
        check_attribute(k, v, &SUBSCRIPTION_ATTRIBUTES)?;
    }
    let chat = secret_endpoint(protocol);
    if chat && caller.require(Role::Admin).is_err() {
        return Err(ApiError::AccessDenied(format!(
            "Only an admin may subscribe a {protocol} webhook: its URL is a secret."
        )));
    }
    if !chat
        && let Some(existing) = tx
            .subscriptions(topic_arn)
            .await?
            .into_iter()
            .find(|s| s.protocol == protocol && s.endpoint == endpoint)
    {
        return Ok(if existing.confirmed || return_arn {
            existing.arn
        } else {
            "pending confirmation".into()
        });
    }
    let arn = format!("{topic_arn}:{}", uuid::Uuid::new_v4());
    let sealed = if chat {
        let (nonce, sealed) = config.server_key.seal(&seal_context(&arn), endpoint)?;
        Some((hex::encode(nonce), hex::encode(sealed)))
    } else {
        None
    };
    let subscription = StoredSubscription {
        arn: arn.clone(),
        topic_arn: topic_arn.to_owned(),
        protocol: protocol.to_owned(),
        endpoint: if chat {
            String::new()
        } else {
            endpoint.to_owned()
        },
        sealed,
        owner: caller.principal.clone(),
        confirmed: chat,
        token: (!chat).then(|| random_hex(64)),
        token_expires_at: now + TOKEN_LIFETIME_SECS,
        unsubscribe_token: random_hex(64),
        attributes,
        created_at: now,
    };
    tx.put_subscription(&subscription).await?;
    if !chat {
        notify::queue_confirmation(tx, &subscription, now).await?;
    }
    Ok(if chat || return_arn {
        arn
    } else {
        "pending confirmation".into()
    })
}

/// The associated data a chat subscription's webhook URL is sealed with.
pub fn seal_context(subscription_arn: &str) -> String {
    format!("subscription:{subscription_arn}")
}

/// Mirrors `ConfirmSubscription` (also reached without credentials through a message's
/// `SubscribeURL`: the token is the proof). Confirming twice returns the same ARN.
///
/// Errors: `InvalidParameter` for an unknown or expired token, or a token of another
/// topic.
pub async fn confirm_subscription(
    tx: &mut dyn StoreTx,
    topic_arn: &str,
    token: &str,
    now: f64,
) -> ApiResult<String> {
    let bad = || invalid("Invalid token");
    let mut s = tx.subscription_by_token(token).await?.ok_or_else(bad)?;
    if s.topic_arn != topic_arn {
        return Err(bad());
    }
    if !s.confirmed {
        if now > s.token_expires_at {
            return Err(invalid("Invalid token: the confirmation token has expired"));
        }
        s.confirmed = true;
        tx.put_subscription(&s).await?;
    }
    Ok(s.arn)
}

/// Mirrors `Unsubscribe`.
///
/// Errors: `NotFound`.
pub async fn unsubscribe(tx: &mut dyn StoreTx, arn: &str) -> ApiResult<()> {
    if tx.delete_subscription(arn).await? {
        Ok(())
    } else {
        Err(ApiError::NotFound("Subscription does not exist".into()))
    }
}

/// `GET /v1/sns/unsubscribe`: the `UnsubscribeURL` every message carries; the token in it
/// is the proof.
///
/// Errors: `InvalidParameter` (unknown subscription or wrong token).
pub async fn unsubscribe_by_link(tx: &mut dyn StoreTx, arn: &str, token: &str) -> ApiResult<()> {
    use subtle::ConstantTimeEq;
    let s = tx.subscription(arn).await?;
    match s {
        Some(s) if bool::from(s.unsubscribe_token.as_bytes().ct_eq(token.as_bytes())) => {
            tx.delete_subscription(arn).await?;
            Ok(())
        }
        _ => Err(invalid("Invalid token")),
    }
}

/// A subscription as shown (chat webhook URLs redacted).
pub fn view(s: &StoredSubscription) -> SubscriptionView {
    SubscriptionView {
        subscription_arn: if s.confirmed {
            s.arn.clone()
        } else {
            "PendingConfirmation".into()
        },
        topic_arn: s.topic_arn.clone(),
        protocol: s.protocol.clone(),
        endpoint: shown_endpoint(s),
        pending_confirmation: !s.confirmed,
        raw_message_delivery: s.attributes.get("RawMessageDelivery").map(String::as_str)
            == Some("true"),
    }
}

/// Mirrors `ListSubscriptionsByTopic`: 100 per page, the next token is an offset.
///
/// Errors: `NotFound`, `InvalidParameter` (a bad token).
pub async fn list_subscriptions(
    tx: &mut dyn StoreTx,
    topic_arn: &str,
    next_token: Option<&str>,
) -> ApiResult<(Vec<SubscriptionView>, Option<String>)> {
    topic(tx, topic_arn).await?;
    let page = Page::parse("NextToken", Some(PAGE as i32), next_token, PAGE as i32)?;
    let all: Vec<SubscriptionView> = tx
        .subscriptions(topic_arn)
        .await?
        .iter()
        .map(view)
        .collect();
    let (page, next) = page.slice(all);
    Ok((page, next))
}

async fn subscription(tx: &mut dyn StoreTx, arn: &str) -> ApiResult<StoredSubscription> {
    tx.subscription(arn)
        .await?
        .ok_or_else(|| ApiError::NotFound("Subscription does not exist".into()))
}

/// Mirrors `GetSubscriptionAttributes`.
///
/// Errors: `NotFound`.
pub async fn subscription_attributes(
    tx: &mut dyn StoreTx,
    config: &ServerConfig,
    arn: &str,
) -> ApiResult<BTreeMap<String, String>> {
    let s = subscription(tx, arn).await?;
    let mut out = BTreeMap::new();
    out.insert("SubscriptionArn".into(), s.arn.clone());
    out.insert("TopicArn".into(), s.topic_arn.clone());
    out.insert("Owner".into(), config.account_id.clone());
    out.insert("Protocol".into(), s.protocol.clone());
    out.insert("Endpoint".into(), shown_endpoint(&s));
    out.insert("PendingConfirmation".into(), (!s.confirmed).to_string());
    out.insert("ConfirmationWasAuthenticated".into(), "false".into());
    out.insert("RawMessageDelivery".into(), "false".into());
    out.insert(
        "EffectiveDeliveryPolicy".into(),
        notify::EFFECTIVE_DELIVERY_POLICY.into(),
    );
    out.extend(s.attributes);
    Ok(out)
}

/// Mirrors `SetSubscriptionAttributes` (`RawMessageDelivery`, `DeliveryPolicy`).
///
/// Errors: `NotFound`, `InvalidParameter`.
pub async fn set_subscription_attribute(
    tx: &mut dyn StoreTx,
    arn: &str,
    name: &str,
    value: &str,
) -> ApiResult<()> {
    let mut s = subscription(tx, arn).await?;
    check_attribute(name, value, &SUBSCRIPTION_ATTRIBUTES)?;
    s.attributes.insert(name.to_owned(), value.to_owned());
    tx.put_subscription(&s).await?;
    Ok(())
}

/// Mirrors `Publish` to a topic: queues one delivery per confirmed subscription, in the
/// caller's transaction. `MessageStructure=json` picks each protocol's text from a JSON
/// object with a `default`. Returns the message id.
///
/// Errors: `NotFound` (topic), `InvalidParameter` (empty or oversized message, a subject
/// that is not one line of at most 100 printable ASCII characters, bad JSON structure).
pub async fn publish(
    tx: &mut dyn StoreTx,
    config: &ServerConfig,
    topic_arn: &str,
    publication: Publication,
    now: f64,
) -> ApiResult<String> {
    topic(tx, topic_arn).await?;
    if publication.message.is_empty() {
        return Err(invalid("Invalid parameter: Empty message"));
    }
    if publication.message.len() > MAX_MESSAGE_BYTES {
        return Err(invalid(
            "Invalid parameter: Message too long: at most 262144 bytes",
        ));
    }
    if let Some(subject) = &publication.subject {
        let ok = !subject.is_empty()
            && subject.len() <= 100
            && subject
                .chars()
                .all(|c| c.is_ascii() && !c.is_ascii_control());
        if !ok {
            return Err(invalid(
                "Invalid parameter: Subject: one line of 1-100 printable ASCII characters",
            ));
        }
    }
    let (message_id, _) = notify::publish_in(tx, config, topic_arn, &publication, now).await?;
    Ok(message_id)
}

/// Mirrors `TagResource` on a topic.
///
/// Errors: `NotFound` (`ResourceNotFound` in SNS), `InvalidParameter` (bad tags, more than
/// 50).
pub async fn tag(tx: &mut dyn StoreTx, arn: &str, tags: BTreeMap<String, String>) -> ApiResult<()> {
    let mut t = topic(tx, arn).await?;
    check_tags(&tags)?;
    t.tags.extend(tags);
    if t.tags.len() > MAX_TAGS {
        return Err(invalid(
            "Invalid parameter: Tags: at most 50 tags per topic",
        ));
    }
    tx.put_topic(&t).await?;
    Ok(())
}

/// Mirrors `UntagResource` on a topic.
///
/// Errors: `NotFound`.
pub async fn untag(tx: &mut dyn StoreTx, arn: &str, keys: &[String]) -> ApiResult<()> {
    let mut t = topic(tx, arn).await?;
    for k in keys {
        t.tags.remove(k);
    }
    tx.put_topic(&t).await?;
    Ok(())
}

/// Mirrors `ListTagsForResource` on a topic.
///
/// Errors: `NotFound`.
pub async fn tags(tx: &mut dyn StoreTx, arn: &str) -> ApiResult<BTreeMap<String, String>> {
    Ok(topic(tx, arn).await?.tags)
}

/// Every topic with its subscriptions, for `GET /v1/topics`.
pub async fn topic_views(tx: &mut dyn StoreTx) -> ApiResult<Vec<TopicView>> {
    let mut out = Vec::new();
    let mut after = String::new();
    loop {
        let page = tx.topics(&after, 500).await?;
        let n = page.len();
        for t in page {
            after = t.arn.clone();
            let subscriptions = tx.subscriptions(&t.arn).await?.iter().map(view).collect();
            out.push(TopicView {
                display_name: t.attributes.get("DisplayName").cloned().unwrap_or_default(),
                topic_arn: t.arn,
                name: t.name,
                subscriptions,
                tags: t.tags,
            });
        }
        if n < 500 {
            return Ok(out);
        }
    }
}
