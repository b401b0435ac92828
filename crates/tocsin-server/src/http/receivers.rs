//! Receivers over HTTP: the admin routes that manage them (`/v1/receivers…`), heartbeats
//! (`/v1/heartbeats…`) and maintenance windows (`/v1/maintenance-windows…`), and the
//! routes senders post to. Those are not authenticated with access keys (the middleware
//! lets them through untouched): each checks its receiver's own secret, signature or token
//! ([`crate::http::extract::ReceiverAuth`]), and answers in its sender's terms: PagerDuty's
//! JSON on `/v2/enqueue`, OAuth 2.0's on the token endpoint, `{"message": reason}` with a
//! 4xx elsewhere. A refused request writes nothing but the receiver's error count.

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use serde_json::json;
use tocsin_api::receivers::{
    ById, ByName, CreateMaintenanceWindow, CreateReceiver, CreatedReceiver, Heartbeat,
    MaintenanceWindow, PutHeartbeat, Receiver, ReceiverKind, Suppression, UpdateReceiver,
};

use crate::clock;
use crate::domain::alerts::{AlertAction, receiver_caller};
use crate::domain::error::{ApiError, ApiResult};
use crate::domain::group_commit::{Work, Written};
use crate::domain::inbound::{self, Inbound};
use crate::domain::matcher::CompiledRules;
use crate::domain::receivers::{self, Unsealed};
use crate::domain::{buses, events, heartbeats, windows};
use crate::http::audit::Audit;
use crate::http::error::RestJsonError;
use crate::http::extract::{Admin, ReceiverAuth, Require, Responder, RestJson, Viewer};
use crate::http::routes::Routes;
use crate::http::routes::Verb::{Get, Post};
use crate::http::state::AppState;
use crate::store::StoreTx;
use std::sync::Arc;

type RestResult<T> = Result<T, RestJsonError>;

/// Whether a request goes to a receiver (authenticated by the receiver, not by an access
/// key; any content type).
pub fn is_receiver_request(method: &axum::http::Method, path: &str) -> bool {
    if method != axum::http::Method::POST {
        return false;
    }
    if path == "/v2/enqueue" || path == "/v2/change/enqueue" {
        return true;
    }
    let Some(rest) = path.strip_prefix("/v1/receivers/") else {
        return false;
    };
    let mut parts = rest.split('/');
    let kind = parts.next().and_then(ReceiverKind::parse);
    kind.is_some() && parts.next().is_some_and(|n| !n.is_empty())
}

/// The routes.
pub fn routes() -> Routes {
    Routes::new()
        .route(Get, "/v1/receivers", "ListReceivers", list)
        .route(Post, "/v1/receivers/create", "CreateReceiver", create)
        .route(Post, "/v1/receivers/update", "UpdateReceiver", update)
        .route(Post, "/v1/receivers/delete", "DeleteReceiver", delete)
        .route(Get, "/v1/heartbeats", "ListHeartbeats", list_heartbeats)
        .route(Post, "/v1/heartbeats", "PutHeartbeat", put_heartbeat)
        .route(
            Post,
            "/v1/heartbeats/delete",
            "DeleteHeartbeat",
            delete_heartbeat,
        )
        .route(
            Get,
            "/v1/maintenance-windows",
            "ListMaintenanceWindows",
            list_windows,
        )
        .route(
            Post,
            "/v1/maintenance-windows",
            "CreateMaintenanceWindow",
            create_window,
        )
        .route(
            Post,
            "/v1/maintenance-windows/delete",
            "DeleteMaintenanceWindow",
            delete_window,
        )
        .route(
            Get,
            "/v1/maintenance-windows/suppressions",
            "ListSuppressions",
            list_suppressions,
        )
        .route(
            Post,
            "/v1/receivers/eventbridge/{name}",
            "ReceiveEventBridge",
            eventbridge,
        )
        .route(
            Post,
            "/v1/receivers/eventbridge/{name}/oauth/token",
            "IssueReceiverToken",
            oauth_token,
        )
        .route(Post, "/v1/receivers/sns/{name}", "ReceiveSns", sns)
        .route(
            Post,
            "/v1/receivers/alertmanager/{name}",
            "ReceiveAlertmanager",
            alertmanager,
        )
        .route(
            Post,
            "/v1/receivers/webhook/{name}",
            "ReceiveWebhook",
            webhook,
        )
        .route(Post, "/v2/enqueue", "PagerDutyEnqueue", pagerduty)
        .route(
            Post,
            "/v2/change/enqueue",
            "PagerDutyChangeEnqueue",
            pagerduty_change,
        )
}

// ---- admin ------------------------------------------------------------------------------

/// `GET /v1/receivers`: every receiver with its URL, counters and snippets (no secret).
async fn list(_: Require<Admin>, State(s): State<AppState>) -> RestResult<Json<Vec<Receiver>>> {
    Ok(Json(read_tx!(s, |tx| receivers::list(tx, &s.config).await?)))
}

/// `POST /v1/receivers/create` ([`CreateReceiver`]): 201 with the secret, shown once.
async fn create(
    Require { caller, .. }: Require<Admin>,
    State(s): State<AppState>,
    RestJson(req): RestJson<CreateReceiver>,
) -> RestResult<(StatusCode, Json<CreatedReceiver>)> {
    let audit = Audit::new(&caller, "CreateReceiver", format!("receiver/{}", req.name));
    let created = write_tx!(s, audit, |tx| {
        let bus = buses::resolve(tx, req.event_bus_name.as_deref()).await?;
        receivers::create(tx, &s.config, &caller, req, bus, clock::now()).await?
    });
    Ok((StatusCode::CREATED, Json(created)))
}

/// `POST /v1/receivers/update` ([`UpdateReceiver`]): new settings.
async fn update(
    Require { caller, .. }: Require<Admin>,
    State(s): State<AppState>,
    RestJson(req): RestJson<UpdateReceiver>,
) -> RestResult<Json<Receiver>> {
    let audit = Audit::new(&caller, "UpdateReceiver", format!("receiver/{}", req.name));
    Ok(Json(write_tx!(s, audit, |tx| receivers::update(
        tx, &s.config, req
    )
    .await?)))
}

/// `POST /v1/receivers/delete` `{"name"}`: 204.
async fn delete(
    Require { caller, .. }: Require<Admin>,
    State(s): State<AppState>,
    RestJson(req): RestJson<ByName>,
) -> RestResult<StatusCode> {
    let audit = Audit::new(&caller, "DeleteReceiver", format!("receiver/{}", req.name));
    write_tx!(s, audit, |tx| receivers::delete(tx, &req.name).await?);
    Ok(StatusCode::NO_CONTENT)
}

/// `GET /v1/heartbeats`.
async fn list_heartbeats(
    _: Require<Viewer>,
    State(s): State<AppState>,
) -> RestResult<Json<Vec<Heartbeat>>> {
    Ok(Json(read_tx!(s, |tx| heartbeats::list(tx).await?)))
}

/// `POST /v1/heartbeats` ([`PutHeartbeat`]): creates or replaces one; answers once it
/// applies to ingest.
async fn put_heartbeat(
    Require { caller, .. }: Require<Admin>,
    State(s): State<AppState>,
    RestJson(req): RestJson<PutHeartbeat>,
) -> RestResult<Json<Heartbeat>> {
    let audit = Audit::new(&caller, "PutHeartbeat", format!("heartbeat/{}", req.name));
    Ok(Json(rule_change!(s, audit, |tx| {
        let bus = buses::resolve(tx, req.event_bus_name.as_deref()).await?;
        heartbeats::put(tx, req, bus, clock::now()).await?
    })))
}

/// `POST /v1/heartbeats/delete` `{"name"}`: 204.
async fn delete_heartbeat(
    Require { caller, .. }: Require<Admin>,
    State(s): State<AppState>,
    RestJson(req): RestJson<ByName>,
) -> RestResult<StatusCode> {
    let audit = Audit::new(
        &caller,
        "DeleteHeartbeat",
        format!("heartbeat/{}", req.name),
    );
    rule_change!(s, audit, |tx| heartbeats::delete(tx, &req.name).await?);
    Ok(StatusCode::NO_CONTENT)
}

/// `GET /v1/maintenance-windows`: active first, then upcoming, then ended.
async fn list_windows(
    _: Require<Viewer>,
    State(s): State<AppState>,
) -> RestResult<Json<Vec<MaintenanceWindow>>> {
    Ok(Json(
        read_tx!(s, |tx| windows::list(tx, clock::now()).await?)
    ))
}

/// `POST /v1/maintenance-windows` ([`CreateMaintenanceWindow`]): 201 once it applies to
/// ingest.
async fn create_window(
    Require { caller, .. }: Require<Responder>,
    State(s): State<AppState>,
    RestJson(req): RestJson<CreateMaintenanceWindow>,
) -> RestResult<(StatusCode, Json<MaintenanceWindow>)> {
    let audit = Audit::new(&caller, "CreateMaintenanceWindow", "maintenance-window");
    let window = rule_change!(s, audit, |tx| windows::create(
        tx,
        &caller,
        req,
        clock::now()
    )
    .await?);
    Ok((StatusCode::CREATED, Json(window)))
}

/// `POST /v1/maintenance-windows/delete` `{"id"}`: ends the window now (what it held back
/// and still fires opens) and deletes it; 204.
async fn delete_window(
    Require { caller, .. }: Require<Responder>,
    State(s): State<AppState>,
    RestJson(req): RestJson<ById>,
) -> RestResult<StatusCode> {
    let audit = Audit::new(
        &caller,
        "DeleteMaintenanceWindow",
        format!("maintenance-window/{}", req.id),
    );
    let rules = s.rules.snapshot();
    rule_change!(s, audit, |tx| {
        // Deleting ends the window now: what it held back and still fires opens, so
        // nothing stays hidden.
        events::release_window(tx, &rules, &s.config, &req.id, clock::now()).await?;
        windows::delete(tx, &req.id).await?
    });
    Ok(StatusCode::NO_CONTENT)
}

/// Query of `/v1/maintenance-windows/suppressions`.
#[derive(Debug, serde::Deserialize)]
struct WindowQuery {
    id: String,
}

/// `GET /v1/maintenance-windows/suppressions?id=`: what a window held back.
async fn list_suppressions(
    _: Require<Viewer>,
    State(s): State<AppState>,
    Query(q): Query<WindowQuery>,
) -> RestResult<Json<Vec<Suppression>>> {
    Ok(Json(
        read_tx!(s, |tx| windows::suppressions(tx, &q.id).await?)
    ))
}

// ---- senders ----------------------------------------------------------------------------

/// A refused request: `{"message": reason}` with its status.
struct Refusal {
    status: StatusCode,
    reason: String,
}

impl Refusal {
    fn new(status: StatusCode, reason: impl Into<String>) -> Self {
        Refusal {
            status,
            reason: reason.into(),
        }
    }
}

impl IntoResponse for Refusal {
    fn into_response(self) -> Response {
        let mut response = (self.status, Json(json!({ "message": self.reason }))).into_response();
        if self.status == StatusCode::UNAUTHORIZED {
            response.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                header::HeaderValue::from_static("Basic realm=\"tocsin receiver\""),
            );
        }
        response
    }
}

impl From<ApiError> for Refusal {
    fn from(err: ApiError) -> Self {
        match err {
            ApiError::Validation(m) => Refusal::new(StatusCode::BAD_REQUEST, m),
            other => {
                tracing::error!(err = %other, "a receiver could not store its events");
                Refusal::new(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "the events could not be stored; nothing was written, send again",
                )
            }
        }
    }
}

/// Refuses, counting it on the receiver.
async fn refuse(s: &AppState, r: &Unsealed, status: StatusCode, reason: String) -> Refusal {
    tracing::info!(receiver = r.name(), %status, %reason, "receiver refused a request");
    receivers::record_error(s.store.as_ref(), r.name(), &reason, clock::now()).await;
    Refusal::new(status, reason)
}

async fn receiver(s: &AppState, kind: ReceiverKind, name: &str) -> Result<Unsealed, Refusal> {
    receivers::find(s.store.as_ref(), &s.config, kind, name)
        .await?
        .ok_or_else(|| {
            Refusal::new(
                StatusCode::NOT_FOUND,
                format!("there is no {kind} receiver named {name:?}"),
            )
        })
}

/// Puts a receiver's events on its bus through group commit
/// ([`crate::domain::group_commit`]): validated, matched and rendered first, then written in
/// the shared transaction with the webhook delivery id recorded in it (refused as a replay
/// if seen), answered after the commit; returns (event id, incident) per event.
async fn put_on_bus(
    s: &AppState,
    r: &Unsealed,
    inbound: Vec<Inbound>,
    delivery: Option<Delivery<'_>>,
) -> Result<Vec<(String, Option<String>)>, Refusal> {
    let rules = s.rules.snapshot();
    let bus = r.stored.receiver.event_bus_name.clone();
    let summary = inbound
        .last()
        .map(|i| format!("{} from {}", i.detail_type, i.source))
        .unwrap_or_default();
    let accepted = match events::accept_received(&rules, &s.config, &bus, inbound) {
        Ok(accepted) => accepted,
        Err(ApiError::Validation(m)) => {
            return Err(refuse(s, r, StatusCode::BAD_REQUEST, m).await);
        }
        Err(other) => return Err(other.into()),
    };
    let work = ReceivedWork {
        rules,
        config: s.config.clone(),
        caller: receiver_caller(&s.config, r.name()),
        receiver: r.name().to_owned(),
        delivery_id: delivery.as_ref().map(|d| d.id.to_owned()),
        summary,
        accepted,
    };
    match s.ingest.submit(Box::new(work)).await? {
        Written::Received(results) => Ok(results),
        Written::Stored => Ok(Vec::new()),
        Written::Repeat => {
            let d = delivery.expect("only a delivery id repeats");
            if d.retry_is_fine {
                // A sender's retry of what was stored: answered as before, nothing new.
                return Ok(Vec::new());
            }
            Err(refuse(
                s,
                r,
                StatusCode::UNAUTHORIZED,
                format!(
                    "delivery {:?} was already accepted: a replay is refused",
                    d.id
                ),
            )
            .await)
        }
    }
}

/// A receiver's writes in the group commit: its delivery id (a repeat writes nothing), the
/// events and their effects, the receiver's last-event summary.
struct ReceivedWork {
    rules: Arc<CompiledRules>,
    config: Arc<crate::config::ServerConfig>,
    caller: crate::domain::identity::Caller,
    receiver: String,
    delivery_id: Option<String>,
    summary: String,
    accepted: Vec<events::Accepted>,
}

#[async_trait::async_trait]
impl Work for ReceivedWork {
    async fn write(&self, tx: &mut dyn StoreTx, plain: &mut events::Held) -> ApiResult<Written> {
        let now = clock::now();
        if let Some(id) = &self.delivery_id
            && !tx.first_delivery(&self.receiver, id, now).await?
        {
            return Ok(Written::Repeat);
        }
        let results = events::receive(
            tx,
            &self.rules,
            &self.config,
            &self.caller,
            &self.accepted,
            plain,
        )
        .await?;
        if let Some((id, _)) = results.last() {
            receivers::record_events(
                tx,
                &self.receiver,
                Some((id, &self.summary)),
                results.len() as u64,
                now,
            )
            .await?;
        }
        Ok(Written::Received(results))
    }
}

/// A delivery id a sender gives (accepted once per receiver).
struct Delivery<'a> {
    /// `standard:<webhook-id>`, `github:<X-GitHub-Delivery>`, `sns:<MessageId>`,
    /// `eventbridge:<event id>`.
    id: &'a str,
    /// A repeat is the sender retrying (SNS, EventBridge: answered 200, nothing new) rather
    /// than a replay to refuse (signed webhooks).
    retry_is_fine: bool,
}

fn header<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

/// `Authorization: Basic` user and password.
fn basic(headers: &HeaderMap) -> Option<(String, String)> {
    let value = header(headers, "authorization")?;
    let encoded = value
        .strip_prefix("Basic ")
        .or(value.strip_prefix("basic "))?;
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(encoded.trim())
        .ok()?;
    let text = String::from_utf8(decoded).ok()?;
    let (user, password) = text.split_once(':')?;
    Some((user.to_owned(), password.to_owned()))
}

fn bearer(headers: &HeaderMap) -> Option<&str> {
    let value = header(headers, "authorization")?;
    value
        .strip_prefix("Bearer ")
        .or(value.strip_prefix("bearer "))
        .map(str::trim)
}

/// `POST /v1/receivers/eventbridge/{name}`: the event an API destination sends, with the
/// connection's API-key header, Basic (name and secret) or an OAuth token from
/// [`oauth_token`]. Answers `{"eventId"}`.
async fn eventbridge(
    _: Require<ReceiverAuth>,
    State(s): State<AppState>,
    Path(name): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Json<serde_json::Value>, Refusal> {
    let r = receiver(&s, ReceiverKind::Eventbridge, &name).await?;
    let key_header = r
        .stored
        .receiver
        .settings
        .api_key_header
        .clone()
        .unwrap_or_else(|| "x-api-key".into());
    let authorized = if let Some(key) = header(&headers, &key_header) {
        r.secret_is(key)
    } else if let Some((user, password)) = basic(&headers) {
        user == r.name() && r.secret_is(&password)
    } else if let Some(token) = bearer(&headers) {
        receivers::token_valid(&s.config, &r, token, clock::now())
    } else {
        let reason = format!(
            "no credentials: send the secret in {key_header}, Basic auth (the receiver's name and secret) or an OAuth token from its token endpoint"
        );
        return Err(refuse(&s, &r, StatusCode::UNAUTHORIZED, reason).await);
    };
    if !authorized {
        let reason = "the API key, password or token is not this receiver's".to_owned();
        return Err(refuse(&s, &r, StatusCode::UNAUTHORIZED, reason).await);
    }
    let (event, id) = match inbound::eventbridge(&body) {
        Ok(e) => e,
        Err(reason) => return Err(refuse(&s, &r, StatusCode::BAD_REQUEST, reason).await),
    };
    // EventBridge retries a delivery with the same event id: it is stored once.
    let delivery = id.map(|id| format!("eventbridge:{id}"));
    let results = put_on_bus(
        &s,
        &r,
        vec![event],
        delivery.as_deref().map(|id| Delivery {
            id,
            retry_is_fine: true,
        }),
    )
    .await?;
    Ok(Json(json!({ "eventId": results.first().map(|r| &r.0) })))
}

/// `POST /v1/receivers/eventbridge/{name}/oauth/token`: the OAuth 2.0 client-credentials
/// grant (RFC 6749 §4.4) an EventBridge connection uses. Client credentials in Basic or in
/// the body (`client_id`, `client_secret`; form or JSON); answers `{"access_token",
/// "token_type": "Bearer", "expires_in": 3600}`, or RFC 6749's `{"error"}`.
async fn oauth_token(
    _: Require<ReceiverAuth>,
    State(s): State<AppState>,
    Path(name): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let oauth_error = |status: StatusCode, error: &str, description: &str| {
        (
            status,
            Json(json!({"error": error, "error_description": description})),
        )
            .into_response()
    };
    let Ok(r) = receiver(&s, ReceiverKind::Eventbridge, &name).await else {
        return oauth_error(StatusCode::UNAUTHORIZED, "invalid_client", "unknown client");
    };
    let mut params: std::collections::HashMap<String, String> =
        url::form_urlencoded::parse(&body).into_owned().collect();
    if let Ok(serde_json::Value::Object(o)) = serde_json::from_slice::<serde_json::Value>(&body) {
        params = o
            .into_iter()
            .filter_map(|(k, v)| v.as_str().map(|v| (k, v.to_owned())))
            .collect();
    }
    if let Some(grant) = params.get("grant_type")
        && grant != "client_credentials"
    {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "unsupported_grant_type",
            "only client_credentials is supported",
        );
    }
    let (id, secret) = basic(&headers)
        .or_else(|| {
            Some((
                params.get("client_id")?.clone(),
                params.get("client_secret")?.clone(),
            ))
        })
        .unwrap_or_default();
    if id != r.name() || !r.secret_is(&secret) {
        refuse(
            &s,
            &r,
            StatusCode::UNAUTHORIZED,
            "bad client credentials at the token endpoint".into(),
        )
        .await;
        return oauth_error(
            StatusCode::UNAUTHORIZED,
            "invalid_client",
            "client authentication failed",
        );
    }
    let token = receivers::issue_token(&s.config, &r, clock::now());
    let mut response = Json(json!({
        "access_token": token,
        "token_type": "Bearer",
        "expires_in": receivers::TOKEN_SECS,
    }))
    .into_response();
    response.headers_mut().insert(
        header::CACHE_CONTROL,
        header::HeaderValue::from_static("no-store"),
    );
    response
}

/// Fetches (once per URL, then from the cache) the certificate an SNS message names.
async fn signing_cert(s: &AppState, url: &str) -> Result<Vec<u8>, String> {
    if let Some(pem) = s.sns_certs.lock().ok().and_then(|c| c.get(url).cloned()) {
        return Ok(pem);
    }
    crate::outbound::check_url(url, &s.outbound)?;
    let client = crate::outbound::client(s.outbound.clone()).map_err(|e| e.to_string())?;
    let response = client
        .get(url)
        .send()
        .await
        .map_err(|e| format!("could not fetch the signing certificate {url}: {e}"))?;
    if !response.status().is_success() {
        return Err(format!(
            "the signing certificate {url} answered {}",
            response.status()
        ));
    }
    let pem = response
        .bytes()
        .await
        .map_err(|e| format!("could not read the signing certificate: {e}"))?
        .to_vec();
    if pem.len() > 64 * 1024 {
        return Err("the signing certificate is over 64 KiB".into());
    }
    if let Ok(mut cache) = s.sns_certs.lock() {
        if cache.len() > 100 {
            cache.clear();
        }
        cache.insert(url.to_owned(), pem.clone());
    }
    Ok(pem)
}

/// `POST /v1/receivers/sns/{name}`: an SNS HTTPS subscription's messages, with Basic auth
/// (the receiver's name and secret, in the subscription's URL). Each message's signature is
/// checked against the certificate at its `SigningCertURL` (only from
/// `sns.<region>.amazonaws.com` of `--sns-region`, or a `--sns-cert-allow` host); a
/// `SubscriptionConfirmation` is confirmed by fetching its `SubscribeURL` (same hosts); a
/// `Notification` goes on the bus (a CloudWatch alarm as `CloudWatch Alarm State Change`).
async fn sns(
    _: Require<ReceiverAuth>,
    State(s): State<AppState>,
    Path(name): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Json<serde_json::Value>, Refusal> {
    let r = receiver(&s, ReceiverKind::Sns, &name).await?;
    match basic(&headers) {
        Some((user, password)) if user == r.name() && r.secret_is(&password) => {}
        Some(_) => {
            let reason = "the user name and password are not this receiver's".to_owned();
            return Err(refuse(&s, &r, StatusCode::UNAUTHORIZED, reason).await);
        }
        None => {
            // SNS retries with the credentials of the subscription URL after this challenge.
            return Err(Refusal::new(
                StatusCode::UNAUTHORIZED,
                "send the receiver's name and secret with Basic auth (in the subscription URL: https://NAME:SECRET@host/…)",
            ));
        }
    }
    let message = match inbound::SnsMessage::parse(&body) {
        Ok(m) => m,
        Err(reason) => return Err(refuse(&s, &r, StatusCode::BAD_REQUEST, reason).await),
    };
    let topic = message.text("TopicArn").unwrap_or_default().to_owned();
    let topics = &r.stored.receiver.settings.topic_arns;
    if !topics.is_empty() && !topics.contains(&topic) {
        let reason = format!("topic {topic} is not one this receiver accepts");
        return Err(refuse(&s, &r, StatusCode::FORBIDDEN, reason).await);
    }
    let allowed =
        |url: &str| inbound::sns_host_allowed(url, &s.config.sns_regions, &s.config.sns_cert_allow);
    let cert_url = message
        .text("SigningCertURL")
        .unwrap_or_default()
        .to_owned();
    if !allowed(&cert_url) {
        let reason = format!(
            "SigningCertURL {cert_url:?} is not on an SNS host of this server's regions (or a --sns-cert-allow host)"
        );
        return Err(refuse(&s, &r, StatusCode::FORBIDDEN, reason).await);
    }
    let verified = match signing_cert(&s, &cert_url).await {
        Ok(pem) => message.verify(&pem),
        Err(reason) => Err(reason),
    };
    if let Err(reason) = verified {
        return Err(refuse(&s, &r, StatusCode::FORBIDDEN, reason).await);
    }
    match message.kind.as_str() {
        "SubscriptionConfirmation" => {
            let url = message.text("SubscribeURL").unwrap_or_default().to_owned();
            if !allowed(&url) {
                let reason = format!("SubscribeURL {url:?} is not on an allowed SNS host");
                return Err(refuse(&s, &r, StatusCode::FORBIDDEN, reason).await);
            }
            let confirmed = async {
                crate::outbound::check_url(&url, &s.outbound)?;
                let client =
                    crate::outbound::client(s.outbound.clone()).map_err(|e| e.to_string())?;
                let response = client.get(&url).send().await.map_err(|e| e.to_string())?;
                if response.status().is_success() {
                    Ok(())
                } else {
                    Err(format!("the SubscribeURL answered {}", response.status()))
                }
            }
            .await;
            if let Err(reason) = confirmed {
                let reason = format!("could not confirm the subscription: {reason}");
                return Err(refuse(&s, &r, StatusCode::BAD_GATEWAY, reason).await);
            }
            tracing::info!(receiver = r.name(), %topic, "SNS subscription confirmed");
            Ok(Json(json!({ "confirmed": true, "topicArn": topic })))
        }
        "Notification" => {
            // SNS retries a message with the same MessageId: it is stored once.
            let delivery = message.text("MessageId").map(|id| format!("sns:{id}"));
            let results = put_on_bus(
                &s,
                &r,
                vec![message.to_inbound()],
                delivery.as_deref().map(|id| Delivery {
                    id,
                    retry_is_fine: true,
                }),
            )
            .await?;
            Ok(Json(json!({ "eventId": results.first().map(|r| &r.0) })))
        }
        _ => Ok(Json(json!({}))),
    }
}

/// `POST /v1/receivers/alertmanager/{name}`: Alertmanager's webhook (payload version 4),
/// `Authorization: Bearer <secret>`; one event per alert.
async fn alertmanager(
    _: Require<ReceiverAuth>,
    State(s): State<AppState>,
    Path(name): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Json<serde_json::Value>, Refusal> {
    let r = receiver(&s, ReceiverKind::Alertmanager, &name).await?;
    if !bearer(&headers).is_some_and(|t| r.secret_is(t)) {
        let reason = "Authorization: Bearer <the receiver's secret> is missing or wrong (http_config.authorization.credentials in alertmanager.yml)".to_owned();
        return Err(refuse(&s, &r, StatusCode::UNAUTHORIZED, reason).await);
    }
    let events = match inbound::alertmanager(&body, r.name(), &r.stored.receiver.settings) {
        Ok(e) => e,
        Err(reason) => return Err(refuse(&s, &r, StatusCode::BAD_REQUEST, reason).await),
    };
    let results = put_on_bus(&s, &r, events, None).await?;
    Ok(Json(json!({
        "eventIds": results.iter().map(|r| &r.0).collect::<Vec<_>>(),
    })))
}

/// `POST /v1/receivers/webhook/{name}`: a body signed with Standard Webhooks
/// (`webhook-id`, `webhook-timestamp`, `webhook-signature`; within 5 minutes; each id
/// once) or GitHub's `X-Hub-Signature-256` (each `X-GitHub-Delivery` once: a redelivery
/// of an accepted delivery is refused as a replay, since its event is already on the bus).
async fn webhook(
    _: Require<ReceiverAuth>,
    State(s): State<AppState>,
    Path(name): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Json<serde_json::Value>, Refusal> {
    let r = receiver(&s, ReceiverKind::Webhook, &name).await?;
    let checked = if let Some(signature) = header(&headers, "webhook-signature") {
        match (
            header(&headers, "webhook-id"),
            header(&headers, "webhook-timestamp"),
        ) {
            (Some(id), Some(ts)) if !id.is_empty() => inbound::verify_standard_webhook(
                &r.secret,
                id,
                ts,
                signature,
                &body,
                clock::now() as i64,
            )
            .map(|()| format!("standard:{id}")),
            _ => Err("webhook-id and webhook-timestamp must come with webhook-signature".into()),
        }
    } else if let Some(signature) = header(&headers, "x-hub-signature-256") {
        match header(&headers, "x-github-delivery").filter(|d| !d.is_empty()) {
            Some(delivery) => inbound::verify_github(&r.secret, signature, &body)
                .map(|()| format!("github:{delivery}")),
            None => Err("X-GitHub-Delivery must come with X-Hub-Signature-256".into()),
        }
    } else {
        Err("unsigned: send a Standard Webhooks signature (webhook-id, webhook-timestamp, webhook-signature) or GitHub's X-Hub-Signature-256".into())
    };
    let delivery = match checked {
        Ok(d) => d,
        Err(reason) => return Err(refuse(&s, &r, StatusCode::UNAUTHORIZED, reason).await),
    };
    let event = match inbound::webhook(&body, r.name(), &r.stored.receiver.settings) {
        Ok(e) => e,
        Err(reason) => return Err(refuse(&s, &r, StatusCode::BAD_REQUEST, reason).await),
    };
    let results = put_on_bus(
        &s,
        &r,
        vec![event],
        Some(Delivery {
            id: &delivery,
            retry_is_fine: false,
        }),
    )
    .await?;
    Ok(Json(json!({ "eventId": results.first().map(|r| &r.0) })))
}

/// PagerDuty's answers: `202 {"status": "success", "message", "dedup_key"}` or
/// `400 {"status": "invalid event", "message": "Event object is invalid", "errors"}`.
fn pd_invalid(errors: Vec<String>) -> Response {
    (
        StatusCode::BAD_REQUEST,
        Json(json!({
            "status": "invalid event",
            "message": "Event object is invalid",
            "errors": errors,
        })),
    )
        .into_response()
}

fn pd_error(refusal: Refusal) -> Response {
    if refusal.status == StatusCode::BAD_REQUEST || refusal.status == StatusCode::UNAUTHORIZED {
        return pd_invalid(vec![refusal.reason]);
    }
    (
        refusal.status,
        Json(json!({"status": "error", "message": refusal.reason, "errors": [refusal.reason]})),
    )
        .into_response()
}

async fn pd_receiver(s: &AppState, routing_key: &str) -> Result<Unsealed, Response> {
    match receivers::find_by_routing_key(s.store.as_ref(), &s.config, routing_key).await {
        Ok(Some(r)) => Ok(r),
        Ok(None) => Err(pd_invalid(vec![
            "'routing_key' is not the integration key of a PagerDuty receiver of this Tocsin"
                .into(),
        ])),
        Err(err) => Err(pd_error(err.into())),
    }
}

/// `POST /v2/enqueue`: PagerDuty Events API v2. `trigger` opens or merges on `dedup_key`
/// (generated when absent); `acknowledge` and `resolve` act on the incident the key
/// opened; for an unknown or resolved key (or another routing key's) they are accepted and
/// dropped, as PagerDuty does.
async fn pagerduty(_: Require<ReceiverAuth>, State(s): State<AppState>, body: Bytes) -> Response {
    let event = match inbound::pagerduty(&body) {
        Ok(e) => e,
        Err(invalid) => return pd_invalid(invalid.errors),
    };
    let r = match pd_receiver(&s, &event.routing_key).await {
        Ok(r) => r,
        Err(response) => return response,
    };
    let accepted = |dedup_key: &str| {
        (
            StatusCode::ACCEPTED,
            Json(
                json!({"status": "success", "message": "Event processed", "dedup_key": dedup_key}),
            ),
        )
            .into_response()
    };
    if event.action != AlertAction::Trigger {
        let key = format!("pagerduty:{}:{}", r.name(), event.dedup_key);
        let live = async {
            let mut tx = s.store.read().await?;
            crate::domain::alerts::feeds_open_incident(tx.as_mut(), &key).await
        }
        .await;
        match live {
            Ok(true) => {}
            Ok(false) => return accepted(&event.dedup_key),
            Err(err) => return pd_error(err.into()),
        }
    }
    let inbound = inbound::pagerduty_inbound(&event, r.name(), &r.stored.receiver.settings);
    match put_on_bus(&s, &r, vec![inbound], None).await {
        Ok(_) => accepted(&event.dedup_key),
        Err(refusal) => pd_error(refusal),
    }
}

/// `POST /v2/change/enqueue`: a PagerDuty change event goes on the bus as a
/// `PagerDuty Change Event` (it opens nothing unless a rule says so).
async fn pagerduty_change(
    _: Require<ReceiverAuth>,
    State(s): State<AppState>,
    body: Bytes,
) -> Response {
    let (key, inbound) = match inbound::pagerduty_change(&body) {
        Ok(x) => x,
        Err(invalid) => return pd_invalid(invalid.errors),
    };
    let r = match pd_receiver(&s, &key).await {
        Ok(r) => r,
        Err(response) => return response,
    };
    match put_on_bus(&s, &r, vec![inbound], None).await {
        Ok(_) => (
            StatusCode::ACCEPTED,
            Json(json!({"status": "success", "message": "Change event processed"})),
        )
            .into_response(),
        Err(refusal) => pd_error(refusal),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::Method;

    #[test]
    fn receiver_paths() {
        for ok in [
            "/v2/enqueue",
            "/v2/change/enqueue",
            "/v1/receivers/alertmanager/am",
            "/v1/receivers/eventbridge/x/oauth/token",
        ] {
            assert!(is_receiver_request(&Method::POST, ok), "{ok}");
        }
        for no in [
            "/v1/receivers/create",
            "/v1/receivers/delete",
            "/v1/receivers",
            "/v1/receivers/alertmanager/",
            "/v1/receivers/other/x",
        ] {
            assert!(!is_receiver_request(&Method::POST, no), "{no}");
        }
        assert!(!is_receiver_request(&Method::GET, "/v2/enqueue"));
    }
}
