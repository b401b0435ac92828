//! What each receiver kind accepts, turned into events for a bus ([`Inbound`]) with the
//! [`Hints`] that say how they open, merge, acknowledge and resolve incidents. Pure: parsing,
//! validation, signature checks; the HTTP layer authenticates and the ingest engine
//! ([`crate::domain::events::receive`]) stores.
//!
//! Events put on the bus:
//!
//! | receiver | `source` | `detail-type` | `detail` |
//! |---|---|---|---|
//! | EventBridge API destination | the event's | the event's | the event's (the envelope is kept: `resources`, `account`, `region`, `time`) |
//! | SNS, a CloudWatch alarm notification | `aws.cloudwatch` | `CloudWatch Alarm State Change` | `alarmName`, `state`, `previousState`, `configuration` as EventBridge has them |
//! | SNS, anything else | `aws.sns` | `SNS Notification` | `topicArn`, `messageId`, `subject`, `message`, `timestamp`, `messageAttributes` |
//! | Alertmanager (one per alert) | `prometheus.alertmanager` | `Alertmanager Alert` | the alert's `status`, `labels`, `annotations`, `startsAt`, `endsAt`, `generatorURL`, `fingerprint`, and the group's `receiver`, `groupKey`, `externalURL` |
//! | PagerDuty `/v2/enqueue` | `pagerduty.events` | `PagerDuty Event` | the event body without `routing_key`, `dedup_key` filled in |
//! | PagerDuty `/v2/change/enqueue` | `pagerduty.events` | `PagerDuty Change Event` | the body without `routing_key` |
//! | signed webhook | the receiver's `source` (`webhook.<name>`) | the receiver's `detailType` (`Webhook`) | the body |

use std::collections::BTreeMap;

use base64::Engine;
use hmac::{Hmac, Mac};
use serde_json::{Value, json};
use sha2::Sha256;
use subtle::ConstantTimeEq;
use tocsin_api::incidents::{ItemIdentifier, ItemValue, RelatedItem};
use tocsin_api::receivers::ReceiverSettings;

use crate::domain::alerts::{AlertAction, AlertUpdate, Hints};

/// PagerDuty's severities, most severe first.
pub const PAGERDUTY_SEVERITIES: [&str; 4] = ["critical", "error", "warning", "info"];
/// PagerDuty's largest event body: 512 KB.
pub const PAGERDUTY_MAX_BYTES: usize = 512 * 1024;
/// Standard Webhooks' tolerance for a timestamp's distance from now, seconds.
pub const WEBHOOK_TOLERANCE_SECS: i64 = 300;

/// One event a receiver puts on its bus.
#[derive(Debug, Clone, PartialEq)]
pub struct Inbound {
    /// `source`.
    pub source: String,
    /// `detail-type`.
    pub detail_type: String,
    /// `resources`.
    pub resources: Vec<String>,
    /// `detail` (an object).
    pub detail: Value,
    /// `time` when the sender says (epoch seconds); else the time received.
    pub time: Option<f64>,
    /// `account` when the sender's (AWS events); else Tocsin's.
    pub account: Option<String>,
    /// `region` when the sender's; else Tocsin's.
    pub region: Option<String>,
    /// How it opens incidents.
    pub hints: Hints,
}

impl Inbound {
    fn new(source: &str, detail_type: &str, detail: Value) -> Self {
        Inbound {
            source: source.into(),
            detail_type: detail_type.into(),
            resources: Vec::new(),
            detail,
            time: None,
            account: None,
            region: None,
            hints: Hints::default(),
        }
    }
}

fn parse_time(v: &Value) -> Option<f64> {
    let text = v.as_str()?;
    let parsed = chrono::DateTime::parse_from_rfc3339(text)
        .or_else(|_| chrono::DateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S%.f%z"))
        .ok()?;
    let secs = parsed.timestamp_micros() as f64 / 1e6;
    // Go's zero time (`0001-01-01T00:00:00Z`) means "none".
    (secs > 0.0).then_some(secs)
}

/// The event an EventBridge API destination sends (the whole envelope, as a rule target
/// without input transformer gets it), and its `id` (a retry repeats it).
///
/// Errors: not a JSON object, or `source`, `detail-type` or an object `detail` missing.
pub fn eventbridge(body: &[u8]) -> Result<(Inbound, Option<String>), String> {
    let v: Value =
        serde_json::from_slice(body).map_err(|e| format!("the body is not JSON: {e}"))?;
    let text = |k: &str| {
        v[k].as_str()
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .ok_or_else(|| format!("the event has no {k} (an API destination sends the whole event: configure the target without an input transformer)"))
    };
    let source = text("source")?;
    let detail_type = text("detail-type")?;
    if !v["detail"].is_object() {
        return Err("the event's detail is not an object".into());
    }
    let resources = v["resources"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default();
    let id = v["id"]
        .as_str()
        .filter(|i| !i.is_empty())
        .map(str::to_owned);
    Ok((
        Inbound {
            source,
            detail_type,
            resources,
            detail: v["detail"].clone(),
            time: parse_time(&v["time"]),
            account: v["account"].as_str().map(str::to_owned),
            region: v["region"].as_str().map(str::to_owned),
            hints: Hints::default(),
        },
        id,
    ))
}

fn severity_impact(settings: &ReceiverSettings, severity: &str) -> Option<i32> {
    settings
        .severity_impacts
        .get(severity)
        .copied()
        .or(match severity {
            "critical" => Some(1),
            "error" => Some(2),
            "warning" => Some(3),
            "info" => Some(4),
            _ => None,
        })
}

/// Alertmanager's webhook payload (version 4): one event per alert.
///
/// Errors: not JSON, another version, no `alerts` list, an alert without labels.
pub fn alertmanager(
    body: &[u8],
    receiver: &str,
    settings: &ReceiverSettings,
) -> Result<Vec<Inbound>, String> {
    let v: Value =
        serde_json::from_slice(body).map_err(|e| format!("the body is not JSON: {e}"))?;
    if v["version"].as_str().is_some_and(|ver| ver != "4") {
        return Err(format!(
            "webhook payload version {} is not supported (Tocsin reads version 4)",
            v["version"]
        ));
    }
    let alerts = v["alerts"]
        .as_array()
        .ok_or("the payload has no alerts list (is this an Alertmanager webhook?)")?;
    let external = v["externalURL"].as_str().map(str::to_owned);
    alerts
        .iter()
        .map(|alert| {
            let labels: BTreeMap<String, String> = alert["labels"]
                .as_object()
                .ok_or("an alert has no labels")?
                .iter()
                .map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_owned()))
                .collect();
            let fingerprint = alert["fingerprint"]
                .as_str()
                .filter(|f| !f.is_empty())
                .map(str::to_owned)
                .unwrap_or_else(|| label_fingerprint(&labels));
            let firing = alert["status"] != "resolved";
            let mut inbound = Inbound::new(
                "prometheus.alertmanager",
                "Alertmanager Alert",
                json!({
                    "status": alert["status"],
                    "labels": alert["labels"],
                    "annotations": alert["annotations"],
                    "startsAt": alert["startsAt"],
                    "endsAt": alert["endsAt"],
                    "generatorURL": alert["generatorURL"],
                    "fingerprint": fingerprint,
                    "receiver": v["receiver"],
                    "groupKey": v["groupKey"],
                    "externalURL": v["externalURL"],
                }),
            );
            let key = format!("alertmanager:{receiver}:{fingerprint}");
            inbound.hints = Hints {
                title: alert["annotations"]["summary"]
                    .as_str()
                    .or(labels.get("alertname").map(String::as_str))
                    .map(|t| t.chars().take(200).collect()),
                impact: labels
                    .get("severity")
                    .and_then(|s| severity_impact(settings, s)),
                dedupe: Some(key.clone()),
                related_items: safe_link(
                    alert["generatorURL"].as_str(),
                    Some("Prometheus graph"),
                    "OTHER",
                )
                .into_iter()
                .collect(),
                alert: Some(AlertUpdate {
                    source_key: key,
                    action: if firing {
                        AlertAction::Trigger
                    } else {
                        AlertAction::Resolve
                    },
                    receiver: receiver.to_owned(),
                    ends_at: parse_time(&alert["endsAt"]),
                    labels,
                    silence_url: settings.silence_url.clone().or_else(|| external.clone()),
                    auto_resolve: settings.auto_resolve,
                    force: false,
                }),
            };
            Ok(inbound)
        })
        .collect()
}

/// A fingerprint for an alert that carries none: SHA-256 of its sorted labels, 16 hex.
fn label_fingerprint(labels: &BTreeMap<String, String>) -> String {
    use sha2::Digest;
    let text: String = labels
        .iter()
        .map(|(k, v)| format!("{k}\u{0}{v}\u{0}"))
        .collect();
    hex::encode(&Sha256::digest(text.as_bytes())[..8])
}

fn safe_link(url: Option<&str>, title: Option<&str>, item_type: &str) -> Option<RelatedItem> {
    let url = url?;
    let parsed = url::Url::parse(url).ok()?;
    if !matches!(parsed.scheme(), "http" | "https") || url.len() > 1000 {
        return None;
    }
    Some(RelatedItem {
        identifier: ItemIdentifier {
            item_type: item_type.into(),
            value: ItemValue {
                arn: None,
                url: Some(url.to_owned()),
                metric_definition: None,
                pager_duty_incident_detail: None,
            },
        },
        title: title
            .filter(|t| !t.is_empty())
            .map(|t| t.chars().take(200).collect()),
        generated_id: None,
    })
}

/// A PagerDuty event, validated: what to put on the bus and what it does.
#[derive(Debug, Clone, PartialEq)]
pub struct PagerDutyEvent {
    /// The routing key.
    pub routing_key: String,
    /// `trigger`, `acknowledge` or `resolve`.
    pub action: AlertAction,
    /// The dedup key (generated for a trigger without one).
    pub dedup_key: String,
    /// The event (its body without `routing_key`).
    pub body: Value,
}

/// A refused PagerDuty request: `400 {"status": "invalid event", "message", "errors"}`.
#[derive(Debug, Clone, PartialEq)]
pub struct PagerDutyInvalid {
    /// Each problem found.
    pub errors: Vec<String>,
}

fn pd_invalid(errors: Vec<String>) -> PagerDutyInvalid {
    PagerDutyInvalid { errors }
}

fn blank(v: &Value) -> bool {
    v.as_str().is_none_or(|s| s.trim().is_empty())
}

/// The routing key of a PagerDuty body, checked (present, 32 characters).
fn routing_key(v: &Value) -> Result<String, String> {
    let key = v["routing_key"]
        .as_str()
        .filter(|s| !s.is_empty())
        .ok_or("'routing_key' is missing or blank")?;
    if key.chars().count() != 32 {
        return Err("Length of 'routing_key' is incorrect (should be 32 characters)".into());
    }
    Ok(key.to_owned())
}

/// Parses and validates a PagerDuty Events API v2 event as PagerDuty does; every problem
/// is listed.
///
/// Errors: the body is not a JSON object; `routing_key` missing or not 32 characters;
/// `event_action` not `trigger`, `acknowledge` or `resolve`; `dedup_key` missing on
/// `acknowledge`/`resolve` or over 255 characters; on `trigger`, `payload.summary` (at most
/// 1,024 characters), `payload.source` or `payload.severity` (`critical`, `error`,
/// `warning`, `info`) missing or bad.
pub fn pagerduty(body: &[u8]) -> Result<PagerDutyEvent, PagerDutyInvalid> {
    if body.len() > PAGERDUTY_MAX_BYTES {
        return Err(pd_invalid(vec![format!(
            "Event object is too large: {} bytes (at most 524288)",
            body.len()
        )]));
    }
    let v: Value = serde_json::from_slice(body)
        .map_err(|_| pd_invalid(vec!["Event object is not valid JSON".into()]))?;
    if !v.is_object() {
        return Err(pd_invalid(vec![
            "Event object must be a JSON object".into(),
        ]));
    }
    let mut errors = Vec::new();
    let key = routing_key(&v).map_err(|e| errors.push(e)).ok();
    let action = match v["event_action"].as_str() {
        Some("trigger") => Some(AlertAction::Trigger),
        Some("acknowledge") => Some(AlertAction::Acknowledge),
        Some("resolve") => Some(AlertAction::Resolve),
        _ => {
            errors.push("'event_action' is invalid (must be one of the following: 'trigger', 'acknowledge' or 'resolve')".into());
            None
        }
    };
    let dedup = v["dedup_key"].as_str().filter(|s| !s.is_empty());
    if dedup.is_some_and(|d| d.chars().count() > 255) {
        errors.push("Length of 'dedup_key' is too long (must be at most 255 characters)".into());
    }
    match action {
        Some(AlertAction::Trigger) => {
            let p = &v["payload"];
            if !p.is_object() {
                errors.push("'payload' is missing or not an object".into());
            } else {
                if blank(&p["summary"]) {
                    errors.push("'payload.summary' is missing or blank".into());
                } else if p["summary"]
                    .as_str()
                    .is_some_and(|s| s.chars().count() > 1024)
                {
                    errors.push(
                        "Length of 'payload.summary' is too long (must be at most 1024 characters)"
                            .into(),
                    );
                }
                if blank(&p["source"]) {
                    errors.push("'payload.source' is missing or blank".into());
                }
                if !p["severity"]
                    .as_str()
                    .is_some_and(|s| PAGERDUTY_SEVERITIES.contains(&s))
                {
                    errors.push("'payload.severity' is invalid (must be one of the following: 'critical', 'warning', 'error' or 'info')".into());
                }
                if !p["timestamp"].is_null() && parse_time(&p["timestamp"]).is_none() {
                    errors.push("'payload.timestamp' is not a valid ISO 8601 timestamp".into());
                }
            }
        }
        Some(_) if dedup.is_none() => {
            errors.push("'dedup_key' is missing or blank".into());
        }
        _ => {}
    }
    if !errors.is_empty() {
        return Err(pd_invalid(errors));
    }
    let (Some(routing_key), Some(action)) = (key, action) else {
        return Err(pd_invalid(vec!["Event object is invalid".into()]));
    };
    let dedup_key = dedup
        .map(str::to_owned)
        .unwrap_or_else(|| uuid::Uuid::new_v4().simple().to_string());
    let mut body = v;
    if let Some(o) = body.as_object_mut() {
        o.remove("routing_key");
        o.insert("dedup_key".into(), json!(dedup_key));
    }
    Ok(PagerDutyEvent {
        routing_key,
        action,
        dedup_key,
        body,
    })
}

/// The event a PagerDuty event puts on the bus, with its hints.
pub fn pagerduty_inbound(
    e: &PagerDutyEvent,
    receiver: &str,
    settings: &ReceiverSettings,
) -> Inbound {
    let mut inbound = Inbound::new("pagerduty.events", "PagerDuty Event", e.body.clone());
    let p = &e.body["payload"];
    inbound.time = parse_time(&p["timestamp"]);
    let key = format!("pagerduty:{receiver}:{}", e.dedup_key);
    let mut related: Vec<RelatedItem> = Vec::new();
    for link in e.body["links"].as_array().into_iter().flatten() {
        related.extend(safe_link(
            link["href"].as_str(),
            link["text"].as_str(),
            "OTHER",
        ));
    }
    for image in e.body["images"].as_array().into_iter().flatten() {
        let url = image["src"].as_str().or(image["href"].as_str());
        related.extend(safe_link(url, image["alt"].as_str(), "ATTACHMENT"));
    }
    related.truncate(50);
    inbound.hints = Hints {
        title: p["summary"].as_str().map(|s| s.chars().take(200).collect()),
        impact: p["severity"]
            .as_str()
            .and_then(|s| severity_impact(settings, s)),
        dedupe: Some(key.clone()),
        related_items: related,
        alert: Some(AlertUpdate {
            source_key: key,
            action: e.action,
            receiver: receiver.to_owned(),
            ends_at: None,
            labels: BTreeMap::new(),
            silence_url: None,
            auto_resolve: true,
            force: true,
        }),
    };
    inbound
}

/// A PagerDuty change event (`/v2/change/enqueue`): routing key and the event to put on
/// the bus.
///
/// Errors: as PagerDuty: not JSON, `routing_key` bad, `payload.summary` missing or over
/// 1,024 characters.
pub fn pagerduty_change(body: &[u8]) -> Result<(String, Inbound), PagerDutyInvalid> {
    if body.len() > PAGERDUTY_MAX_BYTES {
        return Err(pd_invalid(vec!["Event object is too large".into()]));
    }
    let mut v: Value = serde_json::from_slice(body)
        .map_err(|_| pd_invalid(vec!["Event object is not valid JSON".into()]))?;
    let mut errors = Vec::new();
    let key = routing_key(&v).map_err(|e| errors.push(e)).ok();
    if blank(&v["payload"]["summary"]) {
        errors.push("'payload.summary' is missing or blank".into());
    } else if v["payload"]["summary"]
        .as_str()
        .is_some_and(|s| s.chars().count() > 1024)
    {
        errors.push(
            "Length of 'payload.summary' is too long (must be at most 1024 characters)".into(),
        );
    }
    let Some(key) = key.filter(|_| errors.is_empty()) else {
        return Err(pd_invalid(errors));
    };
    if let Some(o) = v.as_object_mut() {
        o.remove("routing_key");
    }
    let mut inbound = Inbound::new("pagerduty.events", "PagerDuty Change Event", v.clone());
    inbound.time = parse_time(&v["payload"]["timestamp"]);
    Ok((key, inbound))
}

/// An SNS message as POSTed to an HTTPS subscription (the JSON body).
#[derive(Debug, Clone, PartialEq)]
pub struct SnsMessage {
    /// `Notification`, `SubscriptionConfirmation` or `UnsubscribeConfirmation`.
    pub kind: String,
    /// The JSON body.
    pub body: Value,
}

impl SnsMessage {
    /// Parses the body. Errors: not JSON or no `Type`.
    pub fn parse(body: &[u8]) -> Result<Self, String> {
        let body: Value = serde_json::from_slice(body)
            .map_err(|e| format!("the body is not an SNS message (not JSON: {e})"))?;
        let kind = body["Type"]
            .as_str()
            .ok_or("the body is not an SNS message (no Type)")?
            .to_owned();
        Ok(SnsMessage { kind, body })
    }

    fn field(&self, name: &str) -> Result<&str, String> {
        self.body[name]
            .as_str()
            .ok_or_else(|| format!("the SNS message has no {name}"))
    }

    /// A member's text (`TopicArn`, `SigningCertURL`, `SubscribeURL`).
    pub fn text(&self, name: &str) -> Option<&str> {
        self.body[name].as_str()
    }

    /// The canonical string SNS signed.
    ///
    /// Errors: a member it needs is missing, or an unknown `Type`.
    pub fn string_to_sign(&self) -> Result<String, String> {
        match self.kind.as_str() {
            "Notification" => Ok(crate::domain::signing::notification_string(
                self.field("Message")?,
                self.field("MessageId")?,
                self.text("Subject"),
                self.field("Timestamp")?,
                self.field("TopicArn")?,
            )),
            "SubscriptionConfirmation" | "UnsubscribeConfirmation" => {
                Ok(crate::domain::signing::confirmation_string(
                    &self.kind,
                    self.field("Message")?,
                    self.field("MessageId")?,
                    self.field("SubscribeURL")?,
                    self.field("Timestamp")?,
                    self.field("Token")?,
                    self.field("TopicArn")?,
                ))
            }
            other => Err(format!("unknown SNS message Type {other:?}")),
        }
    }

    /// Verifies the signature against a PEM certificate's RSA key (`SignatureVersion` 1:
    /// SHA1withRSA, 2: SHA256withRSA).
    ///
    /// Errors: a bad certificate, signature encoding or version, or a signature that does
    /// not verify.
    pub fn verify(&self, cert_pem: &[u8]) -> Result<(), String> {
        let (_, pem) = x509_parser::pem::parse_x509_pem(cert_pem)
            .map_err(|e| format!("the signing certificate is not PEM: {e}"))?;
        let cert = pem
            .parse_x509()
            .map_err(|e| format!("the signing certificate does not parse: {e}"))?;
        let now = crate::clock::now() as i64;
        let validity = cert.validity();
        if now < validity.not_before.timestamp() || now > validity.not_after.timestamp() {
            return Err("the signing certificate is expired or not yet valid".into());
        }
        let key = cert.public_key().subject_public_key.data.to_vec();
        let algorithm: &dyn ring::signature::VerificationAlgorithm =
            match self.body["SignatureVersion"].as_str() {
                Some("1") => &ring::signature::RSA_PKCS1_2048_8192_SHA1_FOR_LEGACY_USE_ONLY,
                Some("2") => &ring::signature::RSA_PKCS1_2048_8192_SHA256,
                other => return Err(format!("SignatureVersion {other:?} is not 1 or 2")),
            };
        let signature = base64::engine::general_purpose::STANDARD
            .decode(self.field("Signature")?)
            .map_err(|_| "the Signature is not base64".to_owned())?;
        let text = self.string_to_sign()?;
        ring::signature::UnparsedPublicKey::new(algorithm, key)
            .verify(text.as_bytes(), &signature)
            .map_err(|_| "the signature does not verify against the signing certificate".into())
    }

    /// The event a verified `Notification` puts on the bus: a CloudWatch alarm's state
    /// change as EventBridge describes it, or an `SNS Notification`.
    pub fn to_inbound(&self) -> Inbound {
        let message = self.text("Message").unwrap_or_default();
        let alarm: Option<Value> = serde_json::from_str::<Value>(message)
            .ok()
            .filter(|m| m["AlarmName"].is_string() && m["NewStateValue"].is_string());
        match alarm {
            Some(m) => cloudwatch_alarm(&m),
            None => {
                let mut inbound = Inbound::new(
                    "aws.sns",
                    "SNS Notification",
                    json!({
                        "topicArn": self.body["TopicArn"],
                        "messageId": self.body["MessageId"],
                        "subject": self.body["Subject"],
                        "message": message,
                        "timestamp": self.body["Timestamp"],
                        "messageAttributes": self.body["MessageAttributes"],
                    }),
                );
                inbound.resources = self
                    .text("TopicArn")
                    .map(str::to_owned)
                    .into_iter()
                    .collect();
                inbound.time = parse_time(&self.body["Timestamp"]);
                inbound
            }
        }
    }
}

/// A CloudWatch alarm's SNS notification (`AlarmName`, `NewStateValue`, …) as the
/// `CloudWatch Alarm State Change` event EventBridge would have carried.
pub fn cloudwatch_alarm(m: &Value) -> Inbound {
    let arn = m["AlarmArn"].as_str().unwrap_or_default();
    let region = arn.split(':').nth(3).map(str::to_owned);
    let trigger = &m["Trigger"];
    let dimensions: serde_json::Map<String, Value> = trigger["Dimensions"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|d| Some((d["name"].as_str()?.to_owned(), d["value"].clone())))
        .collect();
    let metrics = if trigger["MetricName"].is_string() {
        json!([{
            "id": "m1",
            "metricStat": {
                "metric": {
                    "dimensions": dimensions,
                    "name": trigger["MetricName"],
                    "namespace": trigger["Namespace"],
                },
                "period": trigger["Period"],
                "stat": trigger["Statistic"].as_str().map(|s| {
                    let mut c = s.to_ascii_lowercase();
                    if let Some(f) = c.get_mut(0..1) { f.make_ascii_uppercase(); }
                    c
                }),
            },
            "returnData": true,
        }])
    } else {
        json!([])
    };
    let mut inbound = Inbound::new(
        "aws.cloudwatch",
        "CloudWatch Alarm State Change",
        json!({
            "alarmName": m["AlarmName"],
            "state": {
                "value": m["NewStateValue"],
                "reason": m["NewStateReason"],
                "timestamp": m["StateChangeTime"],
            },
            "previousState": {"value": m["OldStateValue"]},
            "configuration": {"description": m["AlarmDescription"], "metrics": metrics},
        }),
    );
    inbound.resources = (!arn.is_empty())
        .then(|| arn.to_owned())
        .into_iter()
        .collect();
    inbound.account = m["AWSAccountId"].as_str().map(str::to_owned);
    inbound.region = region;
    inbound.time = parse_time(&m["StateChangeTime"]);
    inbound
}

/// Whether `url` is somewhere SNS may send us to: `https://sns.<region>.amazonaws.com/…`
/// for one of `regions`, or any scheme on one of `allowed` (`host` or `host:port`, from
/// `--sns-cert-allow`, for tests).
pub fn sns_host_allowed(url: &str, regions: &[String], allowed: &[String]) -> bool {
    let Ok(u) = url::Url::parse(url) else {
        return false;
    };
    let host = u.host_str().unwrap_or_default().to_ascii_lowercase();
    let host_port = match u.port() {
        Some(p) => format!("{host}:{p}"),
        None => host.clone(),
    };
    if allowed
        .iter()
        .any(|a| a.eq_ignore_ascii_case(&host) || a.eq_ignore_ascii_case(&host_port))
    {
        return matches!(u.scheme(), "http" | "https");
    }
    u.scheme() == "https"
        && u.port().is_none()
        && regions
            .iter()
            .any(|r| host == format!("sns.{r}.amazonaws.com"))
}

/// Verifies a Standard Webhooks signature (`webhook-id`, `webhook-timestamp`,
/// `webhook-signature`: space-separated `v1,<base64 HMAC-SHA256>` over
/// `<id>.<timestamp>.<body>`, keyed with the base64 after `whsec_`), within
/// [`WEBHOOK_TOLERANCE_SECS`] of `now`.
///
/// Errors: the reason, for a 401.
pub fn verify_standard_webhook(
    secret: &str,
    id: &str,
    timestamp: &str,
    signatures: &str,
    body: &[u8],
    now: i64,
) -> Result<(), String> {
    let ts: i64 = timestamp
        .trim()
        .parse()
        .map_err(|_| "webhook-timestamp is not a Unix time in seconds".to_owned())?;
    let distance = now.checked_sub(ts).map(i64::unsigned_abs);
    if distance.is_none_or(|d| d > WEBHOOK_TOLERANCE_SECS as u64) {
        return Err(format!(
            "webhook-timestamp {ts} is more than {WEBHOOK_TOLERANCE_SECS} seconds from now: stale or replayed"
        ));
    }
    let key = base64::engine::general_purpose::STANDARD
        .decode(secret.strip_prefix("whsec_").unwrap_or(secret))
        .map_err(|_| "the receiver's secret is not a whsec_ key".to_owned())?;
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&key).map_err(|_| "bad key".to_owned())?;
    mac.update(id.as_bytes());
    mac.update(b".");
    mac.update(timestamp.trim().as_bytes());
    mac.update(b".");
    mac.update(body);
    let expected = base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes());
    let ok = signatures.split_whitespace().any(|s| {
        s.strip_prefix("v1,")
            .is_some_and(|sig| bool::from(sig.as_bytes().ct_eq(expected.as_bytes())))
    });
    if ok {
        Ok(())
    } else {
        Err("webhook-signature does not match (no v1 signature verifies with this receiver's secret)".into())
    }
}

/// Verifies GitHub's `X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of the body>`, keyed
/// with the secret as given.
///
/// Errors: the reason, for a 401.
pub fn verify_github(secret: &str, signature: &str, body: &[u8]) -> Result<(), String> {
    let given = signature
        .strip_prefix("sha256=")
        .ok_or("X-Hub-Signature-256 must be sha256=<hex>")?;
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(secret.as_bytes())
        .map_err(|_| "bad key".to_owned())?;
    mac.update(body);
    let expected = hex::encode(mac.finalize().into_bytes());
    if bool::from(
        expected
            .as_bytes()
            .ct_eq(given.to_ascii_lowercase().as_bytes()),
    ) {
        Ok(())
    } else {
        Err("X-Hub-Signature-256 does not match this receiver's secret".into())
    }
}

/// Selects `path` (a JSONPath as input transformers accept) from `value`.
///
/// Errors: the path does not parse.
pub fn json_path(path: &str, value: &Value) -> Result<Option<Value>, String> {
    let p = tocsin_transform::JsonPath::parse(path).map_err(|e| e.to_string())?;
    Ok(p.select(value))
}

/// A signed webhook's body as an event: `detail` is the body (a non-object is wrapped as
/// `{"payload": …}`), `resources` and the dedupe key from the receiver's JSONPaths.
///
/// Errors: the body is not JSON.
pub fn webhook(
    body: &[u8],
    receiver: &str,
    settings: &ReceiverSettings,
) -> Result<Inbound, String> {
    let v: Value =
        serde_json::from_slice(body).map_err(|e| format!("the body is not JSON: {e}"))?;
    let detail = if v.is_object() {
        v
    } else {
        json!({ "payload": v })
    };
    let default_source = format!("webhook.{receiver}");
    let mut inbound = Inbound::new(
        settings.source.as_deref().unwrap_or(&default_source),
        settings.detail_type.as_deref().unwrap_or("Webhook"),
        detail,
    );
    if let Some(path) = &settings.resources_path {
        inbound.resources = match json_path(path, &inbound.detail)? {
            Some(Value::String(s)) => vec![s],
            Some(Value::Array(a)) => a
                .iter()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect(),
            _ => Vec::new(),
        };
        inbound
            .resources
            .retain(|r| !r.is_empty() && r.len() <= 2048);
    }
    if let Some(path) = &settings.dedupe_path {
        inbound.hints.dedupe = match json_path(path, &inbound.detail)? {
            Some(Value::String(s)) if !s.is_empty() => Some(format!("webhook:{receiver}:{s}")),
            Some(v @ (Value::Number(_) | Value::Bool(_))) => {
                Some(format!("webhook:{receiver}:{v}"))
            }
            _ => None,
        };
    }
    Ok(inbound)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample(name: &str) -> Vec<u8> {
        std::fs::read(format!(
            "{}/../../../shared/samples/{name}",
            env!("CARGO_MANIFEST_DIR")
        ))
        .unwrap()
    }

    #[test]
    fn alertmanager_sample_becomes_one_event_per_alert() {
        let events = alertmanager(
            &sample("alertmanager/webhook-firing.json"),
            "am",
            &ReceiverSettings::default(),
        )
        .unwrap();
        assert_eq!(events.len(), 2);
        let e = &events[0];
        assert_eq!(e.source, "prometheus.alertmanager");
        assert_eq!(e.detail["fingerprint"], "4c9a2b7e1f3d5a60");
        assert_eq!(
            e.detail["externalURL"],
            "http://alertmanager.example.com:9093"
        );
        assert_eq!(e.hints.impact, Some(1));
        assert_eq!(e.hints.title.as_deref(), Some("High CPU usage"));
        let alert = e.hints.alert.as_ref().unwrap();
        assert_eq!(alert.source_key, "alertmanager:am:4c9a2b7e1f3d5a60");
        assert_eq!(alert.action, AlertAction::Trigger);
        assert_eq!(alert.ends_at, None, "Go's zero time is no end");
        assert_eq!(
            alert.silence_url.as_deref(),
            Some("http://alertmanager.example.com:9093")
        );
        let resolved = alertmanager(
            &sample("alertmanager/webhook-resolved.json"),
            "am",
            &ReceiverSettings::default(),
        )
        .unwrap();
        assert!(resolved.iter().all(|e| !e.hints.opens()));
        assert!(
            alertmanager(
                b"{\"version\":\"3\",\"alerts\":[]}",
                "am",
                &ReceiverSettings::default()
            )
            .is_err()
        );
        assert!(alertmanager(b"nope", "am", &ReceiverSettings::default()).is_err());
    }

    #[test]
    fn pagerduty_sample_and_every_malformed_case() {
        let mut body: Value =
            serde_json::from_slice(&sample("pagerduty/events-v2-trigger.json")).unwrap();
        body["routing_key"] = json!("a".repeat(32));
        let e = pagerduty(body.to_string().as_bytes()).unwrap();
        assert_eq!(e.action, AlertAction::Trigger);
        assert_eq!(e.dedup_key, "samplekeyhere");
        assert!(e.body.get("routing_key").is_none());
        let inbound = pagerduty_inbound(&e, "pd", &ReceiverSettings::default());
        assert_eq!(inbound.hints.impact, Some(4), "info → 4");
        assert_eq!(inbound.hints.related_items.len(), 2, "a link and an image");
        let bad = |mutate: &dyn Fn(&mut Value)| {
            let mut b = body.clone();
            mutate(&mut b);
            pagerduty(b.to_string().as_bytes()).unwrap_err().errors
        };
        assert!(
            bad(&|b| {
                b.as_object_mut().unwrap().remove("routing_key");
            })[0]
                .contains("routing_key")
        );
        assert!(bad(&|b| b["routing_key"] = json!("short"))[0].contains("32"));
        assert!(bad(&|b| b["event_action"] = json!("explode"))[0].contains("event_action"));
        assert!(
            bad(&|b| {
                b["event_action"] = json!("resolve");
                b.as_object_mut().unwrap().remove("dedup_key");
            })[0]
                .contains("dedup_key")
        );
        assert!(
            bad(&|b| {
                b["event_action"] = json!("acknowledge");
                b["dedup_key"] = json!("");
            })[0]
                .contains("dedup_key")
        );
        assert!(
            bad(&|b| {
                b["payload"].as_object_mut().unwrap().remove("summary");
            })[0]
                .contains("summary")
        );
        assert!(
            bad(&|b| {
                b["payload"].as_object_mut().unwrap().remove("source");
            })[0]
                .contains("source")
        );
        assert!(
            bad(&|b| {
                b["payload"].as_object_mut().unwrap().remove("severity");
            })[0]
                .contains("severity")
        );
        assert!(bad(&|b| b["payload"]["severity"] = json!("apocalyptic"))[0].contains("severity"));
        assert!(bad(&|b| b["payload"]["summary"] = json!("x".repeat(1025)))[0].contains("1024"));
        assert!(pagerduty(b"not json").unwrap_err().errors[0].contains("JSON"));
        let mut no_dedup = body.clone();
        no_dedup.as_object_mut().unwrap().remove("dedup_key");
        assert_eq!(
            pagerduty(no_dedup.to_string().as_bytes())
                .unwrap()
                .dedup_key
                .len(),
            32
        );
    }

    #[test]
    fn webhook_signatures() {
        let secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
        // Standard Webhooks' reference vector.
        let body = br#"{"test": 2432232314}"#;
        let ok = verify_standard_webhook(
            secret,
            "msg_p5jXN8AQM9LWM0D4loKWxJek",
            "1614265330",
            "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=",
            body,
            1614265330,
        );
        assert_eq!(ok, Ok(()));
        assert!(
            verify_standard_webhook(
                secret,
                "msg_p5jXN8AQM9LWM0D4loKWxJek",
                "1614265330",
                "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=",
                body,
                1614265330 + 600
            )
            .unwrap_err()
            .contains("stale")
        );
        assert!(
            verify_standard_webhook(
                secret,
                "msg_other",
                "1614265330",
                "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=",
                body,
                1614265330
            )
            .is_err()
        );
        assert!(
            verify_standard_webhook(
                secret,
                "m",
                "-9223372036854775808",
                "v1,x",
                body,
                1614265330
            )
            .unwrap_err()
            .contains("stale"),
            "a timestamp far out of range is refused, not an overflow"
        );
        // GitHub's documented example.
        assert_eq!(
            verify_github(
                "It's a Secret to Everybody",
                "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17",
                b"Hello, World!"
            ),
            Ok(())
        );
        assert!(
            verify_github(
                "other",
                "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17",
                b"Hello, World!"
            )
            .is_err()
        );
    }

    #[test]
    fn sns_hosts() {
        let regions = vec!["us-east-1".to_owned()];
        assert!(sns_host_allowed(
            "https://sns.us-east-1.amazonaws.com/SimpleNotificationService-x.pem",
            &regions,
            &[]
        ));
        for bad in [
            "http://sns.us-east-1.amazonaws.com/x.pem",
            "https://sns.eu-west-1.amazonaws.com/x.pem",
            "https://sns.us-east-1.amazonaws.com.evil.example/x.pem",
            "https://evil.example/sns.us-east-1.amazonaws.com",
            "https://sns.us-east-1.amazonaws.com:8443/x.pem",
        ] {
            assert!(!sns_host_allowed(bad, &regions, &[]), "{bad}");
        }
        assert!(sns_host_allowed(
            "http://127.0.0.1:9999/cert.pem",
            &regions,
            &["127.0.0.1:9999".into()]
        ));
        assert!(!sns_host_allowed(
            "http://127.0.0.1:9998/cert.pem",
            &regions,
            &["127.0.0.1:9999".into()]
        ));
    }

    #[test]
    fn cloudwatch_notifications_become_alarm_events() {
        let m = json!({
            "AlarmName": "ServerCpuTooHigh", "AlarmDescription": "d", "AWSAccountId": "123456789012",
            "NewStateValue": "ALARM", "NewStateReason": "Threshold Crossed", "StateChangeTime": "2019-10-02T17:04:40.989+0000",
            "Region": "US East (N. Virginia)", "AlarmArn": "arn:aws:cloudwatch:us-east-1:123456789012:alarm:ServerCpuTooHigh",
            "OldStateValue": "OK",
            "Trigger": {"MetricName": "CPUUtilization", "Namespace": "AWS/EC2", "Statistic": "AVERAGE", "Period": 300,
                "Dimensions": [{"name": "InstanceId", "value": "i-1"}]}
        });
        let e = cloudwatch_alarm(&m);
        assert_eq!(e.source, "aws.cloudwatch");
        assert_eq!(e.detail_type, "CloudWatch Alarm State Change");
        assert_eq!(
            e.resources,
            ["arn:aws:cloudwatch:us-east-1:123456789012:alarm:ServerCpuTooHigh"]
        );
        assert_eq!(e.detail["state"]["value"], "ALARM");
        assert_eq!(
            e.detail["configuration"]["metrics"][0]["metricStat"]["metric"]["dimensions"]["InstanceId"],
            "i-1"
        );
        assert_eq!(
            e.detail["configuration"]["metrics"][0]["metricStat"]["stat"],
            "Average"
        );
        assert_eq!(e.region.as_deref(), Some("us-east-1"));
        assert!(e.time.is_some());
    }

    #[test]
    fn webhook_bodies() {
        let settings = ReceiverSettings {
            resources_path: Some("$.repository.html_url".into()),
            dedupe_path: Some("$.alert.id".into()),
            ..Default::default()
        };
        let e = webhook(
            br#"{"repository":{"html_url":"https://github.com/o/r"},"alert":{"id":7}}"#,
            "gh",
            &settings,
        )
        .unwrap();
        assert_eq!(e.source, "webhook.gh");
        assert_eq!(e.resources, ["https://github.com/o/r"]);
        assert_eq!(e.hints.dedupe.as_deref(), Some("webhook:gh:7"));
        assert_eq!(
            webhook(b"[1]", "gh", &ReceiverSettings::default())
                .unwrap()
                .detail,
            json!({"payload": [1]})
        );
        assert!(webhook(b"nope", "gh", &ReceiverSettings::default()).is_err());
    }
}
