//! The notify worker: drains the notification outbox ([`crate::domain::notify`]) that
//! publishes write in the same transaction as the change they announce, so an announced
//! change's messages are never lost.
//!
//! Each delivery is rendered for its subscription's protocol at send time (the chat webhook
//! URL is unsealed only here, and http(s) messages are signed here with the database's SNS
//! signing key), sent, and its attempt recorded with a `NotificationChanged` feed entry.
//! Retryable: connection errors, time-outs, 408, 429 and 5xx, SMTP transient (4xx)
//! replies; anything else fails the delivery at once; a `Retry-After` on 429 or 503 is
//! honoured. Attempts (notifications, pages, outbound webhooks alike) run as tasks in a
//! bounded [`JoinSet`](tokio::task::JoinSet) ([`crate::worker::flight`]): at most
//! [`IN_FLIGHT`] at once and [`crate::worker::flight::PER_HOST`] to one host (all email to
//! the one SMTP relay counts as one host), so a slow endpoint holds only its own places.
//! One committer writes the outcomes that have arrived in one transaction. A row that
//! cannot be decoded is failed alone with the reason. Delivery is at least once: a crash
//! between an endpoint's answer and the commit repeats that attempt, and each request
//! carries an `Idempotency-Key` that is the same on every attempt.

use std::sync::Arc;

use lettre::AsyncTransport;
use tocsin_api::native::Change;
use tokio::sync::OnceCell;

use crate::clock;
use crate::config::ServerConfig;
use crate::domain::notify::{self, Outcome, record_attempt};
use crate::domain::signing::{self, SigningKey};
use crate::domain::topics::seal_context;
use crate::outbound::{self, OutboundPolicy};
use crate::store::{StoreResult, StoredNotification, StoredSubscription};
use crate::worker::flight::{Committer, Flight, IN_FLIGHT, commit_outcomes};
use crate::worker::{WorkerContext, WorkerError};
use tokio::sync::mpsc;

/// What the notify worker needs.
#[derive(Clone)]
pub struct NotifyWorker {
    /// The store holding the outbox, and the shutdown signal.
    pub ctx: WorkerContext,
    /// Links, the server key, SMTP settings.
    pub config: Arc<ServerConfig>,
    /// Where outbound requests may go.
    pub policy: Arc<OutboundPolicy>,
    /// The SNS signing key, loaded (or made) on first use and shared with the HTTP layer.
    pub signing: Arc<OnceCell<SigningKey>>,
}

/// A contact channel as the subscription its messages go to (protocol `email`, `sms` or
/// `voice`; no topic, no unsubscribe link).
fn channel_subscription(c: &tocsin_api::contacts::ContactChannel) -> StoredSubscription {
    StoredSubscription {
        arn: c.contact_channel_arn.clone(),
        topic_arn: String::new(),
        protocol: c.channel_type.to_ascii_lowercase(),
        endpoint: c
            .delivery_address
            .simple_address
            .clone()
            .unwrap_or_default(),
        sealed: None,
        owner: c.contact_arn.clone(),
        confirmed: true,
        token: None,
        token_expires_at: 0.0,
        unsubscribe_token: String::new(),
        attributes: Default::default(),
        created_at: 0.0,
    }
}

/// The SMTP transport `--smtp-url` describes (lettre reads the URL: `smtps://` is TLS from
/// the first byte, `?tls=required` STARTTLS, `?tls=opportunistic` STARTTLS when offered).
/// When TLS is used and `--outbound-ca-file` gave extra roots, the relay's certificate may
/// chain to them too (an internal relay with an internal CA).
///
/// Errors: a message naming `--smtp-url` or `--outbound-ca-file`.
fn smtp_transport(
    smtp: &crate::config::Smtp,
    extra_roots: Option<&[u8]>,
) -> Result<lettre::AsyncSmtpTransport<lettre::Tokio1Executor>, String> {
    use lettre::transport::smtp::client::{Certificate, Tls, TlsParameters};
    let mut builder = lettre::AsyncSmtpTransport::<lettre::Tokio1Executor>::from_url(&smtp.url)
        .map_err(|e| format!("--smtp-url: {e}"))?
        .timeout(Some(std::time::Duration::from_secs(20)));
    let url = url::Url::parse(&smtp.url).map_err(|e| format!("--smtp-url: {e}"))?;
    let mode = url
        .query_pairs()
        .find(|(k, _)| k == "tls")
        .map(|(_, v)| v.into_owned());
    if let (Some(pem), Some(host)) = (extra_roots, url.host_str()) {
        let params = || -> Result<TlsParameters, String> {
            let roots =
                Certificate::from_pem(pem).map_err(|e| format!("--outbound-ca-file: {e}"))?;
            TlsParameters::builder(host.to_owned())
                .add_root_certificate(roots)
                .build_rustls()
                .map_err(|e| format!("SMTP TLS: {e}"))
        };
        builder = match (url.scheme(), mode.as_deref()) {
            ("smtps", _) => builder.tls(Tls::Wrapper(params()?)),
            ("smtp", Some("required")) => builder.tls(Tls::Required(params()?)),
            ("smtp", Some("opportunistic")) => builder.tls(Tls::Opportunistic(params()?)),
            _ => builder,
        };
    }
    Ok(builder.build())
}

/// Loads the signing key once per process.
///
/// Errors: as [`signing::load_or_create`].
pub async fn signing_key<'a>(
    cell: &'a OnceCell<SigningKey>,
    store: &dyn crate::store::Store,
    config: &ServerConfig,
) -> Result<&'a SigningKey, crate::domain::error::ApiError> {
    cell.get_or_try_init(|| signing::load_or_create(store, &config.server_key))
        .await
}

/// The `Idempotency-Key` of a notification delivery: its message id and delivery id, the
/// same on every attempt.
pub fn idempotency_key(n: &StoredNotification) -> String {
    format!("{}-{}", n.delivery.message_id, n.delivery.id)
}

fn classify_status(code: u16) -> Outcome {
    if (200..300).contains(&code) {
        Outcome::Delivered(Some(code))
    } else if matches!(code, 408 | 429) || code >= 500 {
        Outcome::Retry(Some(code), format!("endpoint answered {code}"))
    } else {
        Outcome::Fail(Some(code), format!("endpoint answered {code}"))
    }
}

impl NotifyWorker {
    async fn post(
        &self,
        client: &reqwest::Client,
        url: &str,
        content_type: &str,
        headers: Vec<(&'static str, String)>,
        body: String,
        idempotency_key: &str,
    ) -> Outcome {
        let url = match outbound::check_url(url, &self.policy) {
            Ok(u) => u,
            Err(reason) => return Outcome::Fail(None, reason),
        };
        let mut request = client
            .post(url)
            .header(reqwest::header::CONTENT_TYPE, content_type)
            .body(body);
        for (k, v) in headers {
            request = request.header(k, v);
        }
        request = request.header("Idempotency-Key", idempotency_key);
        match request.send().await {
            Ok(response) => {
                let code = response.status().as_u16();
                match (code, crate::worker::delivery::retry_after(&response)) {
                    (429 | 503, Some(after)) => Outcome::RetryAfter(
                        Some(code),
                        format!("endpoint answered {code} (Retry-After {after:.0} s)"),
                        after,
                    ),
                    _ => classify_status(code),
                }
            }
            Err(err) if format!("{err:?}").contains("may not reach") => Outcome::Fail(
                None,
                "the endpoint's address may not be reached by outbound requests".into(),
            ),
            Err(err) => Outcome::Retry(None, format!("request failed: {}", err.without_url())),
        }
    }

    async fn send_email(&self, to: &str, subject: String, body: String) -> Outcome {
        let Some(smtp) = &self.config.smtp else {
            return Outcome::Fail(
                None,
                "no SMTP relay is configured: start Tocsin with --smtp-url".into(),
            );
        };
        let message = lettre::Message::builder()
            .from(match smtp.from.parse() {
                Ok(m) => m,
                Err(e) => return Outcome::Fail(None, format!("--smtp-from: {e}")),
            })
            .to(match to.parse() {
                Ok(m) => m,
                Err(e) => return Outcome::Fail(None, format!("recipient: {e}")),
            })
            .subject(subject)
            .header(lettre::message::header::ContentType::TEXT_PLAIN)
            .body(body);
        let message = match message {
            Ok(m) => m,
            Err(e) => return Outcome::Fail(None, format!("could not build the email: {e}")),
        };
        let transport = match smtp_transport(smtp, self.policy.extra_roots_pem.as_deref()) {
            Ok(t) => t,
            Err(e) => return Outcome::Fail(None, e),
        };
        match transport.send(message).await {
            Ok(response) => Outcome::Delivered(Some(u16::from(response.code()))),
            Err(e) if e.is_permanent() => Outcome::Fail(
                e.status().map(u16::from),
                format!("the SMTP relay refused the message: {e}"),
            ),
            Err(e) => Outcome::Retry(
                e.status().map(u16::from),
                format!("SMTP delivery to {} failed: {e}", smtp.shown()),
            ),
        }
    }

    /// Makes one attempt at a delivery to its subscription.
    async fn attempt(
        &self,
        client: &reqwest::Client,
        n: &StoredNotification,
        subscription: &StoredSubscription,
        display_name: Option<&str>,
    ) -> Outcome {
        let links = notify::message_links(&self.config.links, subscription, n);
        match subscription.protocol.as_str() {
            "http" | "https" => {
                let raw = subscription
                    .attributes
                    .get("RawMessageDelivery")
                    .is_some_and(|v| v == "true")
                    && n.message.token.is_none();
                let body = if raw {
                    n.message.text.clone()
                } else {
                    let (mut message, to_sign) = notify::sns_message(n, &links);
                    let key =
                        match signing_key(&self.signing, self.ctx.store.as_ref(), &self.config)
                            .await
                        {
                            Ok(k) => k,
                            Err(e) => return Outcome::Retry(None, format!("signing key: {e}")),
                        };
                    match key.sign(&to_sign) {
                        Ok(sig) => {
                            message.insert("Signature".into(), sig.into());
                        }
                        Err(e) => return Outcome::Retry(None, e.to_string()),
                    }
                    serde_json::Value::Object(message).to_string()
                };
                let mut headers = vec![
                    ("x-amz-sns-message-type", n.delivery.kind.clone()),
                    ("x-amz-sns-message-id", n.delivery.message_id.clone()),
                    ("x-amz-sns-topic-arn", n.delivery.topic_arn.clone()),
                ];
                if n.message.token.is_none() {
                    headers.push(("x-amz-sns-subscription-arn", subscription.arn.clone()));
                }
                if raw {
                    headers.push(("x-amz-sns-rawdelivery", "true".into()));
                }
                self.post(
                    client,
                    &subscription.endpoint,
                    "text/plain; charset=UTF-8",
                    headers,
                    body,
                    &idempotency_key(n),
                )
                .await
            }
            "email" => {
                let (subject, body) = notify::email(n, &links, display_name);
                self.send_email(&subscription.endpoint, subject, body).await
            }
            "sms" | "voice" => {
                let Some(gateway) = &self.config.sms_gateway_url else {
                    return Outcome::Fail(
                        None,
                        "no SMS/voice gateway is configured: start Tocsin with --sms-gateway-url"
                            .into(),
                    );
                };
                let body = serde_json::json!({
                    "type": subscription.protocol.to_ascii_uppercase(),
                    "to": subscription.endpoint,
                    "subject": n.message.subject,
                    "message": n.message.text,
                });
                self.post(
                    client,
                    gateway,
                    "application/json",
                    Vec::new(),
                    body.to_string(),
                    &idempotency_key(n),
                )
                .await
            }
            "slack" | "msteams" => {
                let Some((nonce, sealed)) = &subscription.sealed else {
                    return Outcome::Fail(None, "the webhook URL is missing".into());
                };
                let url = match (hex::decode(nonce), hex::decode(sealed)) {
                    (Ok(nonce), Ok(sealed)) => self.config.server_key.open(
                        &seal_context(&subscription.arn),
                        &nonce,
                        &sealed,
                    ),
                    _ => None,
                };
                let Some(url) = url else {
                    return Outcome::Fail(
                        None,
                        "the webhook URL cannot be opened with this server key".into(),
                    );
                };
                let payload = if subscription.protocol == "slack" {
                    notify::slack(n)
                } else {
                    notify::msteams(n)
                };
                self.post(
                    client,
                    &url,
                    "application/json",
                    Vec::new(),
                    payload.to_string(),
                    &idempotency_key(n),
                )
                .await
            }
            other => Outcome::Fail(None, format!("unknown protocol {other}")),
        }
    }

    /// The subscription (or contact channel) a delivery goes to, with its topic's display
    /// name; `None` when it no longer exists.
    async fn destination(
        &self,
        n: &StoredNotification,
    ) -> StoreResult<Option<(StoredSubscription, Option<String>)>> {
        let mut tx = self.ctx.store.read().await?;
        let s = match tx.subscription(&n.delivery.subscription_arn).await? {
            Some(s) => Some(s),
            None => tx
                .channel(&n.delivery.subscription_arn)
                .await?
                .map(|c| channel_subscription(&c.channel)),
        };
        let display_name = tx
            .topic(&n.delivery.topic_arn)
            .await?
            .and_then(|t| t.attributes.get("DisplayName").cloned());
        Ok(s.map(|s| (s, display_name)))
    }

    /// One pass: starts an attempt for every due delivery not already in flight, as far as
    /// the in-flight limits allow ([`crate::worker::flight`]: the rest stay due for the
    /// next pass), and fails rows that cannot be decoded alone. Outcomes are written by the
    /// committer ([`commit_outcomes`]). Returns how many attempts it started.
    async fn dispatch(
        &self,
        client: &reqwest::Client,
        flight: &Flight<(StoredNotification, Outcome)>,
    ) -> StoreResult<usize> {
        flight.reap();
        flight.forget_released();
        let now = clock::now();
        let rows = self
            .ctx
            .store
            .read()
            .await?
            .due_notification_rows(now, (IN_FLIGHT * 8) as i64)
            .await?;
        let mut started = 0;
        for (id, body) in rows {
            if flight.is_full() {
                break;
            }
            if flight.contains(id) {
                continue;
            }
            let n: StoredNotification = match serde_json::from_str(&body) {
                Ok(n) => n,
                Err(err) => {
                    tracing::warn!(notification = id, %err, "unreadable notification row failed alone");
                    if flight.take(id, "") {
                        let reason = format!(
                            "the stored notification cannot be decoded ({err}); failed without an attempt"
                        );
                        flight.done((unreadable(id, body, now), Outcome::Fail(None, reason)));
                    }
                    continue;
                }
            };
            let found = self.destination(&n).await;
            let (subscription, display_name) = match found {
                Ok(Some(found)) => found,
                Ok(None) => {
                    if flight.take(id, "") {
                        flight.done((
                            n,
                            Outcome::Fail(None, "the subscription no longer exists".into()),
                        ));
                    }
                    continue;
                }
                Err(e) => {
                    if flight.take(id, "") {
                        flight.done((n, Outcome::Retry(None, format!("store: {e}"))));
                    }
                    continue;
                }
            };
            // Email shares the one SMTP relay; the others go to their endpoint's host
            // (a chat webhook's URL is sealed: its subscription stands for its host).
            let place = match subscription.protocol.as_str() {
                "email" | "email-json" => "smtp".to_owned(),
                "http" | "https" => crate::worker::flight::host_of(&subscription.endpoint),
                _ => format!("{}:{}", subscription.protocol, subscription.arn),
            };
            if !flight.take(id, &place) {
                continue;
            }
            let worker = self.clone();
            let client = client.clone();
            let outcomes = flight.outcomes.clone();
            flight.spawn(id, async move {
                let outcome = worker
                    .attempt(&client, &n, &subscription, display_name.as_deref())
                    .await;
                // The committer may be gone at shutdown: the attempt repeats then.
                let _ = outcomes.send((n, outcome));
            });
            started += 1;
        }
        Ok(started)
    }

    /// Writes outcomes in one transaction (see [`Self::write_outcome`]).
    async fn write_outcomes(
        &self,
        recorded: &[StoredNotification],
        watch: bool,
    ) -> Result<(), crate::domain::error::ApiError> {
        let mut tx = self.ctx.store.write().await?;
        for n in recorded {
            self.outcome_in(tx.as_mut(), n, watch).await?;
        }
        Ok(tx.commit().await?)
    }

    /// One outcome in `tx`: the row, its `NotificationChanged` entry, and with `watch` a
    /// dead letter's self-watching incident.
    async fn outcome_in(
        &self,
        tx: &mut dyn crate::store::StoreTx,
        n: &StoredNotification,
        watch: bool,
    ) -> Result<(), crate::domain::error::ApiError> {
        tx.update_notification(n).await?;
        tx.append_change(&Change::NotificationChanged(n.delivery.clone()))
            .await?;
        if watch && n.delivery.status == tocsin_api::delivery::DeliveryStatus::Failed {
            let name = format!("{} {}", n.delivery.protocol, n.delivery.endpoint);
            let reason = n
                .delivery
                .attempts
                .last()
                .and_then(|a| a.error.clone())
                .unwrap_or_default();
            let letter = crate::domain::selfwatch::DeadLetter {
                kind: &n.delivery.kind,
                name: &name,
                id: n.delivery.id,
                reason: &reason,
                incident_arn: n.delivery.incident_arn.as_deref(),
            };
            crate::domain::selfwatch::dead_letter(tx, &self.config, letter).await?;
        }
        Ok(())
    }

    /// Runs passes until shutdown, waking on new commits and when the next retry falls due.
    /// Returns an error (and is restarted by the supervisor) if the outbound client cannot
    /// be built.
    pub async fn run(self) -> Result<(), WorkerError> {
        let client = outbound::client(self.policy.clone()).map_err(|e| {
            WorkerError::from(format!("cannot build the outbound HTTP client: {e}"))
        })?;
        let (tx, rx) = mpsc::unbounded_channel();
        let flight = Flight::new(tx);
        let committer = tokio::spawn(commit_outcomes(
            self.clone(),
            "notification",
            rx,
            flight.state.clone(),
        ));
        let outbox = Pass {
            worker: &self,
            client: &client,
            flight: &flight,
        };
        self.ctx.drain_until_shutdown("notification", &outbox).await;
        // Dropping the flight aborts attempts still running (they repeat after restart).
        drop(flight);
        committer.abort();
        Ok(())
    }
}

#[async_trait::async_trait]
impl Committer for NotifyWorker {
    type Outcome = (StoredNotification, Outcome);
    type Recorded = StoredNotification;

    fn record(
        &self,
        (mut n, outcome): (StoredNotification, Outcome),
        now: f64,
    ) -> StoredNotification {
        record_attempt(&mut n, outcome, now);
        tracing::info!(
            notification = n.delivery.id,
            protocol = %n.delivery.protocol,
            status = n.delivery.status.as_str(),
            attempts = n.delivery.attempts.len(),
            error = ?n.delivery.attempts.last().and_then(|a| a.error.clone()),
            "notification attempt"
        );
        n
    }

    fn id(recorded: &StoredNotification) -> i64 {
        recorded.delivery.id
    }

    async fn write(
        &self,
        recorded: &[StoredNotification],
        watch: bool,
    ) -> Result<(), crate::domain::error::ApiError> {
        self.write_outcomes(recorded, watch).await
    }
}

/// A row that cannot be decoded, as a delivery the committer can fail: its raw text kept
/// as the message.
fn unreadable(id: i64, raw: String, now: f64) -> StoredNotification {
    StoredNotification {
        delivery: tocsin_api::sns::NotificationDelivery {
            id,
            message_id: String::new(),
            kind: "unreadable".into(),
            topic_arn: String::new(),
            subscription_arn: String::new(),
            protocol: String::new(),
            endpoint: String::new(),
            incident_arn: None,
            subject: None,
            status: tocsin_api::delivery::DeliveryStatus::Pending,
            attempts: Vec::new(),
            max_attempts: 1,
            created_at: now,
            updated_at: now,
        },
        message: crate::store::OutMessage {
            text: raw,
            subject: None,
            timestamp: clock::rfc3339(now),
            notice: None,
            attributes: Default::default(),
            token: None,
        },
        next_attempt_at: now,
        deadline: now,
    }
}

/// One worker with its client and attempts in flight, as the outbox loop drives it.
struct Pass<'a> {
    worker: &'a NotifyWorker,
    client: &'a reqwest::Client,
    flight: &'a Flight<(StoredNotification, Outcome)>,
}

#[async_trait::async_trait]
impl crate::worker::Outbox for Pass<'_> {
    async fn pass(&self) -> StoreResult<usize> {
        self.worker.dispatch(self.client, self.flight).await
    }

    async fn next_due(&self) -> StoreResult<Option<f64>> {
        self.worker
            .ctx
            .store
            .read()
            .await?
            .next_notification_at()
            .await
    }
}
