//! The delivery worker: drains the outbox of HTTP target deliveries that ingest writes in
//! the same transaction as each event, so an acknowledged event's deliveries are never lost.
//!
//! Retryable: connection errors, timeouts, 401, 407, 409, 429 and 5xx (as EventBridge API
//! destinations); a `Retry-After` on 429 or 503 is honoured (the next attempt comes no
//! sooner). Any other answer, or an address the outbound policy forbids, fails the
//! delivery at once. FAILED deliveries are the dead letters, listed by
//! `GET /v1/deliveries?status=FAILED`. Delivery is at least once: a crash between a
//! target's answer and the commit of its outcome repeats that attempt, so every request
//! carries an `Idempotency-Key` (the event id and the delivery id) that is the same on
//! every attempt of one delivery.
//!
//! Attempts run as tasks in a bounded [`JoinSet`](tokio::task::JoinSet): at most
//! [`IN_FLIGHT`] at once and [`PER_HOST`] to one host, so a slow target holds only its own
//! slots and never the others'. Outcomes go to one committer task that writes whatever has
//! arrived in one transaction; an attempt's answer is read by its own task whatever the
//! committer is doing, so an answered request is never recorded as a time-out. A stored
//! row that cannot be decoded is failed alone with the reason, and the others go on.
//!
//! Takes its dependencies explicitly ([`DeliveryWorker`]); runs under the supervisor.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};

use tocsin_api::native::{Change, Delivery};
use tokio::sync::mpsc;

use crate::clock;
use crate::domain::deliveries::{Attempt, record};
use crate::domain::destinations::{self, OAuth};
use crate::domain::keys::ServerKey;
use crate::domain::targets::redacted_delivery;
use crate::outbound::{self, OutboundPolicy};
use crate::store::StoreResult;
use crate::worker::flight::{Committer, Flight, commit_outcomes};
use crate::worker::{WorkerContext, WorkerError};

pub use crate::worker::flight::{IN_FLIGHT, PER_HOST};

/// One request to make: where, how and what.
#[derive(Debug, Clone)]
pub struct Outgoing {
    /// HTTP method.
    pub method: reqwest::Method,
    /// URL (checked against the outbound policy before sending).
    pub url: String,
    /// Request headers.
    pub headers: BTreeMap<String, String>,
    /// Request body.
    pub body: String,
    /// Sent as `Idempotency-Key` unless the headers already carry one: the same on every
    /// attempt of one delivery, so a receiver can drop a repeat.
    pub idempotency_key: Option<String>,
}

/// The `Idempotency-Key` of a delivery: its event id and delivery id.
pub fn idempotency_key(d: &Delivery) -> String {
    format!("{}-{}", d.event_id, d.id)
}

impl Outgoing {
    /// A plain HTTP target's delivery: a POST of its body to its URL with its headers.
    pub fn of(d: &Delivery) -> Self {
        Outgoing {
            method: reqwest::Method::POST,
            url: d.url.clone(),
            headers: d.headers.clone(),
            body: d.body.clone(),
            idempotency_key: Some(idempotency_key(d)),
        }
    }
}

/// Makes one attempt of a plain HTTP target's delivery.
pub async fn attempt(client: &reqwest::Client, policy: &OutboundPolicy, d: &Delivery) -> Attempt {
    send(client, policy, &Outgoing::of(d)).await
}

/// Sends one request and classifies the answer.
pub async fn send(client: &reqwest::Client, policy: &OutboundPolicy, o: &Outgoing) -> Attempt {
    let url = match outbound::check_url(&o.url, policy) {
        Ok(u) => u,
        Err(reason) => return Attempt::Fail(None, reason),
    };
    let content_type = if serde_json::from_str::<serde_json::Value>(&o.body).is_ok() {
        "application/json"
    } else {
        "text/plain; charset=utf-8"
    };
    let mut request = client.request(o.method.clone(), url);
    if !matches!(o.method, reqwest::Method::GET | reqwest::Method::HEAD) {
        request = request
            .header(reqwest::header::CONTENT_TYPE, content_type)
            .body(o.body.clone());
    }
    for (k, v) in &o.headers {
        request = request.header(k, v);
    }
    if let Some(key) = &o.idempotency_key
        && !o
            .headers
            .keys()
            .any(|k| k.eq_ignore_ascii_case("idempotency-key"))
    {
        request = request.header("Idempotency-Key", key);
    }
    match request.send().await {
        Ok(response) => {
            let code = response.status().as_u16();
            let retry_after = retry_after(&response);
            if response.status().is_success() {
                Attempt::Delivered(code)
            } else if let (429 | 503, Some(after)) = (code, retry_after) {
                Attempt::RetryAfter(
                    Some(code),
                    format!("target answered {code} (Retry-After {after:.0} s)"),
                    after,
                )
            } else if matches!(code, 401 | 407 | 409 | 429) || response.status().is_server_error() {
                Attempt::Retry(Some(code), format!("target answered {code}"))
            } else {
                Attempt::Fail(Some(code), format!("target answered {code}"))
            }
        }
        Err(err) => {
            let text = format!("{err:?}");
            if text.contains("may not reach") {
                Attempt::Fail(
                    None,
                    "the target's address may not be reached by outbound requests".into(),
                )
            } else {
                // Without the URL: its query string may carry a token.
                Attempt::Retry(None, format!("request failed: {}", err.without_url()))
            }
        }
    }
}

/// The seconds an answer's `Retry-After` header asks for, if it has a readable one.
pub fn retry_after(response: &reqwest::Response) -> Option<f64> {
    response
        .headers()
        .get(reqwest::header::RETRY_AFTER)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| crate::domain::deliveries::retry_after_secs(v, clock::now()))
}

/// Per-destination spacing of API destination calls (`InvocationRateLimitPerSecond`): each
/// destination's next free slot, and the slots deliveries were deferred to.
#[derive(Debug, Default)]
struct RateGate {
    next: HashMap<String, f64>,
    reserved: HashMap<i64, f64>,
}

impl RateGate {
    /// When delivery `id` to `destination` may go: `now` (send) or a later slot (defer to
    /// it). A deferred delivery keeps its slot when it comes back.
    fn slot(&mut self, id: i64, destination: &str, rate: u32, now: f64) -> f64 {
        if let Some(slot) = self.reserved.remove(&id) {
            return slot.min(now);
        }
        let next = self.next.get(destination).copied().unwrap_or(now).max(now);
        self.next
            .insert(destination.to_owned(), next + 1.0 / f64::from(rate.max(1)));
        if next > now + 0.005 {
            self.reserved.insert(id, next);
        }
        next
    }
}

/// What to do with one due delivery.
enum Plan {
    Send(Box<(Outgoing, Option<OAuth>)>),
    Defer(f64),
    Fail(String),
}

/// Asks an OAuth authorization endpoint for a client-credentials token (Basic client
/// authentication, `grant_type=client_credentials` plus the connection's parameters).
/// Returns (token, expiry in epoch seconds).
async fn oauth_token(
    client: &reqwest::Client,
    policy: &OutboundPolicy,
    o: &OAuth,
) -> Result<(String, f64), String> {
    let mut url = outbound::check_url(&o.endpoint, policy)?;
    if !o.query.is_empty() {
        url.query_pairs_mut().extend_pairs(o.query.iter());
    }
    let method = reqwest::Method::from_bytes(o.method.as_bytes()).unwrap_or(reqwest::Method::POST);
    let mut form: Vec<(String, String)> = vec![("grant_type".into(), "client_credentials".into())];
    form.extend(o.body.iter().map(|(k, v)| (k.clone(), v.clone())));
    let mut request = client
        .request(method, url)
        .basic_auth(&o.client_id, Some(&o.client_secret))
        .form(&form);
    for (k, v) in &o.headers {
        request = request.header(k, v);
    }
    let response = request
        .send()
        .await
        .map_err(|e| format!("OAuth token request failed: {}", e.without_url()))?;
    let status = response.status();
    if !status.is_success() {
        return Err(format!("the OAuth endpoint answered {}", status.as_u16()));
    }
    let body: serde_json::Value = response
        .json()
        .await
        .map_err(|_| "the OAuth endpoint's answer is not JSON".to_owned())?;
    let token = body["access_token"]
        .as_str()
        .ok_or("the OAuth endpoint's answer has no access_token")?;
    let lifetime = body["expires_in"].as_f64().unwrap_or(3600.0);
    Ok((token.to_owned(), clock::now() + lifetime - 30.0))
}

/// What the delivery worker needs.
#[derive(Clone)]
pub struct DeliveryWorker {
    /// The store holding the outbox, and the shutdown signal.
    pub ctx: WorkerContext,
    /// Where outbound requests may go.
    pub policy: Arc<OutboundPolicy>,
    /// Opens API destination connections' secrets.
    pub server_key: ServerKey,
    /// Account and links, for the self-watching incident a dead letter opens.
    pub config: Arc<crate::config::ServerConfig>,
    /// API destination rate limits (shared by the worker's restarts within this process).
    rates: Arc<Mutex<RateGate>>,
    /// OAuth tokens by connection name: (token, expiry).
    tokens: Arc<tokio::sync::Mutex<HashMap<String, (String, f64)>>>,
}

impl DeliveryWorker {
    /// A worker over `ctx`'s store, sending where `policy` allows.
    pub fn new(
        ctx: WorkerContext,
        policy: Arc<OutboundPolicy>,
        config: Arc<crate::config::ServerConfig>,
    ) -> Self {
        DeliveryWorker {
            ctx,
            policy,
            server_key: config.server_key.clone(),
            config,
            rates: Arc::default(),
            tokens: Arc::default(),
        }
    }

    /// How to deliver `d` now: plain HTTP targets are sent as stored; an API destination's
    /// request is built from its current settings and spaced by its rate limit.
    async fn plan(&self, d: &Delivery, now: f64) -> StoreResult<Plan> {
        let arn = d.url.split_once('?').map_or(d.url.as_str(), |(a, _)| a);
        if tocsin_api::arn::api_destination_name(arn).is_none() {
            return Ok(Plan::Send(Box::new((Outgoing::of(d), None))));
        }
        let call = {
            let mut tx = self.ctx.store.read().await?;
            destinations::resolve(tx.as_mut(), &self.server_key, arn).await
        };
        let call = match call {
            Ok(Some(call)) => call,
            Ok(None) => {
                return Ok(Plan::Fail(format!(
                    "API destination {arn} or its connection no longer exists"
                )));
            }
            Err(err) => return Ok(Plan::Fail(format!("API destination {arn}: {err}"))),
        };
        let slot = self
            .rates
            .lock()
            .map_err(|_| crate::store::StoreError::Corrupt("rate gate poisoned".into()))?
            .slot(d.id, &call.destination, call.rate, now);
        if slot > now + 0.005 {
            return Ok(Plan::Defer(slot));
        }
        let mut url = reqwest::Url::parse(&call.url)
            .map_err(|e| crate::store::StoreError::Corrupt(format!("endpoint: {e}")))?;
        if let Some((_, query)) = d.url.split_once('?') {
            let extra: Vec<(String, String)> = reqwest::Url::parse(&format!("http://x/?{query}"))
                .map(|u| u.query_pairs().into_owned().collect())
                .unwrap_or_default();
            url.query_pairs_mut().extend_pairs(extra);
        }
        let mut headers = call.headers;
        headers.extend(d.headers.clone());
        let mut body = d.body.clone();
        if !call.body_params.is_empty()
            && let Ok(serde_json::Value::Object(mut object)) = serde_json::from_str(&body)
        {
            for (k, v) in call.body_params {
                object.entry(k).or_insert(serde_json::Value::String(v));
            }
            body = serde_json::Value::Object(object).to_string();
        }
        Ok(Plan::Send(Box::new((
            Outgoing {
                method: reqwest::Method::from_bytes(call.method.as_bytes())
                    .unwrap_or(reqwest::Method::POST),
                url: url.to_string(),
                headers,
                body,
                idempotency_key: Some(idempotency_key(d)),
            },
            call.oauth,
        ))))
    }

    /// Sends one planned request, first getting (or reusing) its OAuth token.
    async fn send_planned(
        &self,
        client: &reqwest::Client,
        mut o: Outgoing,
        oauth: Option<OAuth>,
    ) -> Attempt {
        if let Some(oauth) = oauth {
            // Held across the fetch: concurrent deliveries wait for one token request.
            let mut tokens = self.tokens.lock().await;
            let cached = tokens
                .get(&oauth.connection)
                .cloned()
                .filter(|(_, expiry)| *expiry > clock::now());
            let token = match cached {
                Some((token, _)) => token,
                None => match oauth_token(client, &self.policy, &oauth).await {
                    Ok((token, expiry)) => {
                        tokens.insert(oauth.connection.clone(), (token.clone(), expiry));
                        token
                    }
                    Err(reason) => return Attempt::Retry(None, reason),
                },
            };
            drop(tokens);
            o.headers
                .insert("Authorization".into(), format!("Bearer {token}"));
        }
        let outcome = send(client, &self.policy, &o).await;
        if let (Attempt::Retry(Some(401), _), Some(auth)) =
            (&outcome, o.headers.get("Authorization"))
            && auth.starts_with("Bearer ")
        {
            // A refused token is fetched again on the next attempt.
            self.tokens
                .lock()
                .await
                .retain(|_, (token, _)| !auth.ends_with(token.as_str()));
        }
        outcome
    }

    /// One pass: starts an attempt for every due delivery not already in flight, as far
    /// as the in-flight limits allow (the rest stay due for the next pass), fails
    /// unreadable rows alone, and defers API destination calls to their rate slot.
    /// Returns how many attempts it started.
    async fn dispatch(
        &self,
        client: &reqwest::Client,
        flight: &Flight<(Delivery, Attempt)>,
    ) -> StoreResult<usize> {
        flight.reap();
        // Outcomes committed from here on were read as PENDING below: skip those ids.
        flight.forget_released();
        let now = clock::now();
        let rows = self
            .ctx
            .store
            .read()
            .await?
            .due_delivery_rows(now, (IN_FLIGHT * 8) as i64)
            .await?;
        let mut started = 0;
        for (id, body) in rows {
            if flight.is_full() {
                break;
            }
            if flight.contains(id) {
                continue;
            }
            let d: Delivery = match serde_json::from_str(&body) {
                Ok(d) => d,
                Err(err) => {
                    tracing::warn!(delivery = id, %err, "unreadable delivery row failed alone");
                    if flight.take(id, "") {
                        let reason = format!(
                            "the stored delivery cannot be decoded ({err}); failed without an attempt"
                        );
                        flight.done((unreadable(id, body, now), Attempt::Fail(None, reason)));
                    }
                    continue;
                }
            };
            match self.plan(&d, now).await? {
                Plan::Defer(slot) => {
                    let mut tx = self.ctx.store.write().await?;
                    tx.update_delivery(&d, slot).await?;
                    tx.commit().await?;
                }
                Plan::Fail(reason) => {
                    if flight.take(id, "") {
                        flight.done((d, Attempt::Fail(None, reason)));
                    }
                }
                Plan::Send(send) => {
                    let (o, oauth) = *send;
                    let host = crate::worker::flight::host_of(&o.url);
                    if !flight.take(id, &host) {
                        continue;
                    }
                    let worker = self.clone();
                    let client = client.clone();
                    let outcomes = flight.outcomes.clone();
                    flight.spawn(id, async move {
                        let outcome = worker.send_planned(&client, o, oauth).await;
                        // The committer may be gone at shutdown: the attempt repeats then.
                        let _ = outcomes.send((d, outcome));
                    });
                    started += 1;
                }
            }
        }
        Ok(started)
    }

    /// Writes outcomes in one transaction; with `watch`, a dead letter also opens the
    /// self-watching incident ([`crate::domain::selfwatch`]) in it.
    async fn write_outcomes(
        &self,
        recorded: &[(Delivery, f64)],
        watch: bool,
    ) -> Result<(), crate::domain::error::ApiError> {
        use crate::domain::selfwatch::{DeadLetter, dead_letter};
        let mut tx = self.ctx.store.write().await?;
        for (d, next) in recorded {
            tx.update_delivery(d, *next).await?;
            tx.append_change(&Change::DeliveryChanged(redacted_delivery(d)))
                .await?;
            if watch && d.status == tocsin_api::native::DeliveryStatus::Failed {
                let rule = d.rule_arn.rsplit('/').next().unwrap_or(&d.rule_arn);
                let name = if rule.is_empty() {
                    d.target_id.clone()
                } else {
                    format!("rule {rule} target {}", d.target_id)
                };
                let reason = d.last_error.clone().unwrap_or_default();
                let letter = DeadLetter {
                    kind: "target",
                    name: &name,
                    id: d.id,
                    reason: &reason,
                    incident_arn: None,
                };
                dead_letter(tx.as_mut(), &self.config, letter).await?;
            }
        }
        Ok(tx.commit().await?)
    }

    /// Runs passes until shutdown, waking on new commits and when the next retry falls due.
    /// Returns an error (and is restarted by the supervisor) if the outbound client cannot
    /// be built. Attempts still in flight at shutdown are dropped and repeat after restart.
    pub async fn run(self) -> Result<(), WorkerError> {
        let client = outbound::client(self.policy.clone()).map_err(|e| {
            WorkerError::from(format!("cannot build the outbound HTTP client: {e}"))
        })?;
        let (tx, rx) = mpsc::unbounded_channel();
        let flight = Flight::new(tx);
        let committer = tokio::spawn(commit_outcomes(
            self.clone(),
            "delivery",
            rx,
            flight.state.clone(),
        ));
        let outbox = Pass {
            worker: &self,
            client: &client,
            flight: &flight,
        };
        self.ctx.drain_until_shutdown("delivery", &outbox).await;
        // Dropping the flight aborts attempts still running (they repeat after restart).
        drop(flight);
        committer.abort();
        Ok(())
    }
}

/// A stored row that cannot be decoded, as a delivery the committer can fail: its raw
/// text kept as the body, named `unreadable delivery <id>`.
fn unreadable(id: i64, raw: String, now: f64) -> Delivery {
    Delivery {
        id,
        event_id: String::new(),
        rule_arn: String::new(),
        target_id: format!("unreadable delivery {id}"),
        url: String::new(),
        headers: Default::default(),
        body: raw,
        status: tocsin_api::native::DeliveryStatus::Pending,
        attempts: 0,
        max_attempts: 1,
        deadline: now,
        created_at: now,
        updated_at: now,
        last_status_code: None,
        last_error: None,
    }
}

#[async_trait::async_trait]
impl Committer for DeliveryWorker {
    type Outcome = (Delivery, Attempt);
    type Recorded = (Delivery, f64);

    fn record(&self, (mut d, outcome): (Delivery, Attempt), now: f64) -> (Delivery, f64) {
        let next = record(&mut d, outcome, now);
        tracing::info!(delivery = d.id, status = d.status.as_str(), attempts = d.attempts, error = ?d.last_error, "delivery attempt");
        (d, next)
    }

    fn id(recorded: &(Delivery, f64)) -> i64 {
        recorded.0.id
    }

    async fn write(
        &self,
        recorded: &[(Delivery, f64)],
        watch: bool,
    ) -> Result<(), crate::domain::error::ApiError> {
        self.write_outcomes(recorded, watch).await
    }
}

/// One worker with its client, as the outbox loop drives it.
struct Pass<'a> {
    worker: &'a DeliveryWorker,
    client: &'a reqwest::Client,
    flight: &'a Flight<(Delivery, Attempt)>,
}

#[async_trait::async_trait]
impl crate::worker::Outbox for Pass<'_> {
    async fn pass(&self) -> StoreResult<usize> {
        crate::worker::hooks::checkpoint("delivery").await;
        self.worker.dispatch(self.client, self.flight).await
    }

    async fn next_due(&self) -> StoreResult<Option<f64>> {
        self.worker.ctx.store.read().await?.next_delivery_at().await
    }
}
