//! Receivers: named inbound endpoints, each of one kind (EventBridge API destination, SNS
//! subscription, Alertmanager, PagerDuty Events v2, signed webhook), feeding one event bus.
//! An admin creates one; Tocsin generates its secret, shows it once, and keeps it sealed
//! with the server key (the name is the associated data) plus its SHA-256 (to find the
//! receiver a PagerDuty routing key names). What to paste into the sender is built from
//! `--public-url` ([`crate::config::Links`]).
//!
//! Each receiver counts the events it put on its bus and the requests it refused, and
//! remembers the last of each.

use base64::Engine;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;
use tocsin_api::native::Change;
use tocsin_api::receivers::{
    CreateReceiver, CreatedReceiver, Receiver, ReceiverKind, ReceiverSettings, Snippet,
    UpdateReceiver,
};

use crate::config::ServerConfig;
use crate::domain::error::{ApiError, ApiResult};
use crate::domain::identity::Caller;
use crate::store::{Store, StoreTx, StoredReceiver};

/// What snippets show instead of the secret outside the creation answer.
pub const SECRET_PLACEHOLDER: &str = "<secret>";
/// Lifetime of an OAuth access token from a receiver's token endpoint, seconds.
pub const TOKEN_SECS: u64 = 3600;
/// Characters of a receiver's secret (a PagerDuty routing key is 32).
pub const SECRET_CHARS: usize = 32;

/// Checks a receiver's or heartbeat's name: 1-64 of `A-Za-z0-9_.-`.
///
/// Errors: `ValidationException` naming the rule.
pub fn check_name(name: &str) -> ApiResult<()> {
    crate::domain::validate::simple_name(name, 64)
}

fn context(name: &str) -> String {
    format!("receiver:{name}")
}

/// SHA-256 of a secret, hex.
pub fn secret_hash(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

fn new_secret(kind: ReceiverKind) -> String {
    match kind {
        // Standard Webhooks' convention: `whsec_` and the base64 of the key bytes.
        ReceiverKind::Webhook => {
            let raw = crate::domain::keys::random_hex(48);
            let bytes = hex::decode(raw).unwrap_or_default();
            format!(
                "whsec_{}",
                base64::engine::general_purpose::STANDARD.encode(bytes)
            )
        }
        _ => crate::domain::keys::new_secret()
            .chars()
            .take(SECRET_CHARS)
            .collect(),
    }
}

/// The URL a sender posts to for a receiver.
pub fn url(config: &ServerConfig, kind: ReceiverKind, name: &str) -> String {
    match kind {
        ReceiverKind::Pagerduty => format!("{}/v2/enqueue", config.links.api()),
        _ => format!(
            "{}/v1/receivers/{}/{name}",
            config.links.api(),
            kind.as_str()
        ),
    }
}

/// An EventBridge receiver's OAuth token endpoint.
pub fn token_url(config: &ServerConfig, name: &str) -> String {
    format!(
        "{}/v1/receivers/eventbridge/{name}/oauth/token",
        config.links.api()
    )
}

fn snippet(title: &str, language: &str, text: String) -> Snippet {
    Snippet {
        title: title.into(),
        language: language.into(),
        text,
    }
}

/// What to paste into the sender, with `secret` (or the placeholder) filled in.
pub fn snippets(config: &ServerConfig, r: &Receiver, secret: &str) -> Vec<Snippet> {
    let name = &r.name;
    let url = url(config, r.kind, name);
    match r.kind {
        ReceiverKind::Eventbridge => {
            let header = r.settings.api_key_header.as_deref().unwrap_or("x-api-key");
            let api_key = serde_json::json!({
                "Name": format!("tocsin-{name}"),
                "AuthorizationType": "API_KEY",
                "AuthParameters": {"ApiKeyAuthParameters": {"ApiKeyName": header, "ApiKeyValue": secret}},
            });
            let oauth = serde_json::json!({
                "Name": format!("tocsin-{name}-oauth"),
                "AuthorizationType": "OAUTH_CLIENT_CREDENTIALS",
                "AuthParameters": {"OAuthParameters": {
                    "AuthorizationEndpoint": token_url(config, name),
                    "HttpMethod": "POST",
                    "ClientParameters": {"ClientID": name, "ClientSecret": secret},
                    "OAuthHttpParameters": {"BodyParameters": [
                        {"Key": "grant_type", "Value": "client_credentials", "IsValueSecret": false}
                    ]},
                }},
            });
            let destination = serde_json::json!({
                "Name": format!("tocsin-{name}"),
                "ConnectionArn": format!("<the ARN create-connection returned>"),
                "InvocationEndpoint": url,
                "HttpMethod": "POST",
                "InvocationRateLimitPerSecond": 10,
            });
            let pretty =
                |v: &serde_json::Value| serde_json::to_string_pretty(v).unwrap_or_default();
            vec![
                snippet(
                    "EventBridge connection (API key): aws events create-connection --cli-input-json",
                    "json",
                    pretty(&api_key),
                ),
                snippet(
                    "EventBridge connection (OAuth client credentials), instead of the API key",
                    "json",
                    pretty(&oauth),
                ),
                snippet(
                    "API destination: aws events create-api-destination --cli-input-json; then a rule target with this destination's ARN and no input transformer",
                    "json",
                    pretty(&destination),
                ),
            ]
        }
        ReceiverKind::Sns => {
            let endpoint = with_basic_auth(&url, name, secret);
            vec![snippet(
                "Subscribe the topic (CloudWatch alarm actions publish to it)",
                "shell",
                format!(
                    "aws sns subscribe --topic-arn <topic ARN> --protocol {} \\\n  --notification-endpoint '{endpoint}'",
                    if url.starts_with("https:") {
                        "https"
                    } else {
                        "http"
                    }
                ),
            )]
        }
        ReceiverKind::Alertmanager => vec![snippet(
            "alertmanager.yml receiver",
            "yaml",
            format!(
                "receivers:\n  - name: tocsin\n    webhook_configs:\n      - url: {url}\n        send_resolved: true\n        http_config:\n          authorization:\n            type: Bearer\n            credentials: {secret}\n"
            ),
        )],
        ReceiverKind::Pagerduty => vec![
            snippet(
                "Integration (routing) key and Events API v2 URL",
                "text",
                format!(
                    "Routing key: {secret}\nEvents API v2 URL: {url}\nChange events URL: {}/v2/change/enqueue\n",
                    config.links.api()
                ),
            ),
            snippet(
                "alertmanager.yml receiver (pagerduty_configs)",
                "yaml",
                format!(
                    "receivers:\n  - name: tocsin-pagerduty\n    pagerduty_configs:\n      - routing_key: {secret}\n        url: {url}\n        send_resolved: true\n"
                ),
            ),
            snippet(
                "Try it",
                "shell",
                format!(
                    "curl -sS {url} -H 'content-type: application/json' -d '{{\"routing_key\":\"{secret}\",\"event_action\":\"trigger\",\"payload\":{{\"summary\":\"Disk full on db-1\",\"source\":\"db-1\",\"severity\":\"critical\"}}}}'"
                ),
            ),
        ],
        ReceiverKind::Webhook => vec![
            snippet(
                "Standard Webhooks: send a signed request",
                "shell",
                format!(
                    "SECRET='{secret}'\nbody='{{\"hello\":\"world\"}}'\nid=\"msg_$(date +%s%N)\"; ts=$(date +%s)\nkey=$(printf '%s' \"${{SECRET#whsec_}}\" | base64 -d | od -An -tx1 | tr -d ' \\n')\nsig=$(printf '%s' \"$id.$ts.$body\" | openssl dgst -sha256 -mac HMAC -macopt \"hexkey:$key\" -binary | base64)\ncurl -sS {url} -H 'content-type: application/json' \\\n  -H \"webhook-id: $id\" -H \"webhook-timestamp: $ts\" -H \"webhook-signature: v1,$sig\" -d \"$body\"\n"
                ),
            ),
            snippet(
                "GitHub webhook settings",
                "text",
                format!("Payload URL: {url}\nContent type: application/json\nSecret: {secret}\n"),
            ),
        ],
    }
}

fn with_basic_auth(url: &str, user: &str, password: &str) -> String {
    match url.split_once("://") {
        Some((scheme, rest)) => format!("{scheme}://{user}:{password}@{rest}"),
        None => url.to_owned(),
    }
}

/// The public view of a stored receiver, with its URL and snippets (`secret` filled in, or
/// the placeholder).
pub fn view(config: &ServerConfig, stored: &StoredReceiver, secret: Option<&str>) -> Receiver {
    let mut r = stored.receiver.clone();
    r.url = url(config, r.kind, &r.name);
    r.snippets = snippets(config, &r, secret.unwrap_or(SECRET_PLACEHOLDER));
    r
}

/// Creates a receiver (`POST /v1/receivers/create`, `tocsin receivers create`): the only
/// answer that carries its secret.
///
/// Errors (`ValidationException`): a bad name, a bad setting; `ResourceNotFoundException`
/// for an unknown bus; `ConflictException` for a taken name.
pub async fn create(
    tx: &mut dyn StoreTx,
    config: &ServerConfig,
    caller: &Caller,
    req: CreateReceiver,
    bus: String,
    now: f64,
) -> ApiResult<CreatedReceiver> {
    check_name(&req.name)?;
    let settings = req.settings.unwrap_or_default();
    check_settings(&settings)?;
    let secret = new_secret(req.kind);
    let (nonce, sealed) = config.server_key.seal(&context(&req.name), &secret)?;
    let receiver = Receiver {
        name: req.name.clone(),
        kind: req.kind,
        event_bus_name: bus,
        url: String::new(),
        settings,
        created_at: now,
        created_by: caller.principal.clone(),
        event_count: 0,
        error_count: 0,
        last_event_at: None,
        last_event_id: None,
        last_event_summary: None,
        last_error: None,
        last_error_at: None,
        snippets: Vec::new(),
    };
    let stored = StoredReceiver {
        receiver,
        secret_hash: secret_hash(&secret),
        nonce: hex::encode(nonce),
        sealed: hex::encode(sealed),
    };
    tx.insert_receiver(&stored).await.map_err(|e| match e {
        crate::store::StoreError::AlreadyExists(_) => {
            ApiError::Conflict(format!("A receiver named {} already exists.", req.name))
        }
        other => other.into(),
    })?;
    tx.append_change(&Change::ReceiverChanged {
        name: req.name.clone(),
    })
    .await?;
    let receiver = view(config, &stored, Some(&secret));
    Ok(CreatedReceiver {
        name: receiver.name.clone(),
        kind: receiver.kind,
        secret,
        url: receiver.url.clone(),
        receiver,
    })
}

fn check_settings(s: &ReceiverSettings) -> ApiResult<()> {
    for (severity, impact) in &s.severity_impacts {
        if !crate::domain::inbound::PAGERDUTY_SEVERITIES.contains(&severity.as_str()) {
            return Err(ApiError::Validation(format!(
                "severityImpacts: {severity:?} is not a PagerDuty severity (critical, error, warning, info)"
            )));
        }
        crate::domain::validate::impact("severityImpacts", *impact)?;
    }
    if let Some(u) = &s.silence_url {
        let parsed = url::Url::parse(u)
            .map_err(|e| ApiError::Validation(format!("silenceUrl {u:?}: {e}")))?;
        if !matches!(parsed.scheme(), "http" | "https") {
            return Err(ApiError::Validation(
                "silenceUrl must be an http:// or https:// URL".into(),
            ));
        }
    }
    for (at, path) in [
        ("resourcesPath", &s.resources_path),
        ("dedupePath", &s.dedupe_path),
    ] {
        if let Some(p) = path {
            crate::domain::inbound::json_path(p, &serde_json::Value::Null)
                .map_err(|e| ApiError::Validation(format!("{at}: {e}")))?;
        }
    }
    if let Some(h) = &s.api_key_header
        && (h.is_empty()
            || !h
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_'))
            || h.eq_ignore_ascii_case("authorization"))
    {
        return Err(ApiError::Validation(format!(
            "apiKeyHeader {h:?} must be a header name of letters, digits, '-' and '_' other than Authorization"
        )));
    }
    for (at, v) in [("source", &s.source), ("detailType", &s.detail_type)] {
        if let Some(v) = v
            && (v.is_empty() || v.len() > 256)
        {
            return Err(ApiError::Validation(format!(
                "{at} must be 1-256 characters"
            )));
        }
    }
    Ok(())
}

/// Every receiver, without secrets.
pub async fn list(tx: &mut dyn StoreTx, config: &ServerConfig) -> ApiResult<Vec<Receiver>> {
    Ok(tx
        .receivers()
        .await?
        .iter()
        .map(|r| view(config, r, None))
        .collect())
}

/// Replaces a receiver's settings. Errors: `ResourceNotFoundException`,
/// `ValidationException`.
pub async fn update(
    tx: &mut dyn StoreTx,
    config: &ServerConfig,
    req: UpdateReceiver,
) -> ApiResult<Receiver> {
    check_settings(&req.settings)?;
    let mut stored = tx
        .receiver(&req.name)
        .await?
        .ok_or_else(|| not_found(&req.name))?;
    stored.receiver.settings = req.settings;
    if let Some(bus) = req.event_bus_name.as_deref() {
        stored.receiver.event_bus_name = crate::domain::buses::resolve(tx, Some(bus)).await?;
    }
    tx.update_receiver(&stored).await?;
    tx.append_change(&Change::ReceiverChanged { name: req.name })
        .await?;
    Ok(view(config, &stored, None))
}

/// Deletes a receiver. Errors: `ResourceNotFoundException`.
pub async fn delete(tx: &mut dyn StoreTx, name: &str) -> ApiResult<()> {
    if !tx.delete_receiver(name).await? {
        return Err(not_found(name));
    }
    tx.append_change(&Change::ReceiverChanged {
        name: name.to_owned(),
    })
    .await?;
    Ok(())
}

fn not_found(name: &str) -> ApiError {
    ApiError::NotFound(format!("Receiver {name} does not exist."))
}

/// A receiver and its secret, unsealed.
#[derive(Debug, Clone)]
pub struct Unsealed {
    /// As stored.
    pub stored: StoredReceiver,
    /// The secret.
    pub secret: String,
}

impl Unsealed {
    /// Whether `given` is the secret (constant time).
    pub fn secret_is(&self, given: &str) -> bool {
        bool::from(self.secret.as_bytes().ct_eq(given.as_bytes()))
    }

    /// The receiver's name.
    pub fn name(&self) -> &str {
        &self.stored.receiver.name
    }
}

fn unseal(config: &ServerConfig, stored: StoredReceiver) -> ApiResult<Unsealed> {
    let nonce = hex::decode(&stored.nonce).unwrap_or_default();
    let sealed = hex::decode(&stored.sealed).unwrap_or_default();
    let secret = config
        .server_key
        .open(&context(&stored.receiver.name), &nonce, &sealed)
        .ok_or_else(|| {
            ApiError::Internal(
                format!(
                    "receiver {}'s secret does not open with this server key",
                    stored.receiver.name
                )
                .into(),
            )
        })?;
    Ok(Unsealed { stored, secret })
}

/// The receiver `name` of `kind`, with its secret; `None` when there is none of that kind.
pub async fn find(
    store: &dyn Store,
    config: &ServerConfig,
    kind: ReceiverKind,
    name: &str,
) -> ApiResult<Option<Unsealed>> {
    let stored = store.read().await?.receiver(name).await?;
    stored
        .filter(|s| s.receiver.kind == kind)
        .map(|s| unseal(config, s))
        .transpose()
}

/// The PagerDuty receiver whose secret is `routing_key`.
pub async fn find_by_routing_key(
    store: &dyn Store,
    config: &ServerConfig,
    routing_key: &str,
) -> ApiResult<Option<Unsealed>> {
    let stored = store
        .read()
        .await?
        .receiver_by_secret_hash(&secret_hash(routing_key))
        .await?;
    stored
        .filter(|s| s.receiver.kind == ReceiverKind::Pagerduty)
        .map(|s| unseal(config, s))
        .transpose()
}

/// Counts events a receiver put on its bus (in the ingest transaction).
pub async fn record_events(
    tx: &mut dyn StoreTx,
    name: &str,
    last: Option<(&str, &str)>,
    count: u64,
    now: f64,
) -> ApiResult<()> {
    let Some(mut stored) = tx.receiver(name).await? else {
        return Ok(());
    };
    let r = &mut stored.receiver;
    r.event_count += count;
    if let Some((id, summary)) = last {
        r.last_event_at = Some(now);
        r.last_event_id = Some(id.to_owned());
        r.last_event_summary = Some(summary.chars().take(200).collect());
    }
    tx.update_receiver(&stored).await?;
    Ok(())
}

/// Counts a refused request (its own transaction; the request itself writes nothing).
pub async fn record_error(store: &dyn Store, name: &str, reason: &str, now: f64) {
    let result: ApiResult<()> = async {
        let mut tx = store.write().await?;
        if let Some(mut stored) = tx.receiver(name).await? {
            let r = &mut stored.receiver;
            r.error_count += 1;
            r.last_error = Some(reason.chars().take(300).collect());
            r.last_error_at = Some(now);
            tx.update_receiver(&stored).await?;
            tx.commit().await?;
        }
        Ok(())
    }
    .await;
    if let Err(err) = result {
        tracing::warn!(receiver = name, %err, "could not count a receiver's refusal");
    }
}

/// An OAuth access token for an EventBridge receiver (client-credentials grant):
/// `tk1.<expiry>.<mac>`, the MAC (server key) over the receiver's name, expiry and secret
/// hash, so a new secret or another receiver invalidates it. Stateless.
pub fn issue_token(config: &ServerConfig, r: &Unsealed, now: f64) -> String {
    let expiry = now as u64 + TOKEN_SECS;
    format!("tk1.{expiry}.{}", token_mac(config, r, expiry))
}

fn token_mac(config: &ServerConfig, r: &Unsealed, expiry: u64) -> String {
    let data = format!(
        "receiver-token|{}|{expiry}|{}",
        r.name(),
        r.stored.secret_hash
    );
    hex::encode(config.server_key.mac(data.as_bytes()))
}

/// Whether `token` is a live token [`issue_token`] made for `r`.
pub fn token_valid(config: &ServerConfig, r: &Unsealed, token: &str, now: f64) -> bool {
    let mut parts = token.split('.');
    let (Some("tk1"), Some(expiry), Some(mac), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return false;
    };
    let Ok(expiry) = expiry.parse::<u64>() else {
        return false;
    };
    (expiry as f64) > now
        && bool::from(
            token_mac(config, r, expiry)
                .as_bytes()
                .ct_eq(mac.as_bytes()),
        )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_secrets() {
        assert!(check_name("am-prod_1.x").is_ok());
        for bad in ["", "a b", "a/b", &"x".repeat(65)] {
            assert!(check_name(bad).is_err(), "{bad}");
        }
        let s = new_secret(ReceiverKind::Pagerduty);
        assert_eq!(s.len(), 32);
        assert!(s.chars().all(|c| c.is_ascii_alphanumeric()));
        let w = new_secret(ReceiverKind::Webhook);
        let raw = base64::engine::general_purpose::STANDARD
            .decode(w.strip_prefix("whsec_").unwrap())
            .unwrap();
        assert_eq!(raw.len(), 24);
        assert_eq!(
            with_basic_auth("https://t.example/v1/receivers/sns/a", "a", "s"),
            "https://a:s@t.example/v1/receivers/sns/a"
        );
    }

    #[test]
    fn tokens_expire_and_bind_to_the_receiver() {
        let config = ServerConfig::default();
        let receiver = |name: &str| Unsealed {
            stored: StoredReceiver {
                receiver: Receiver {
                    name: name.into(),
                    kind: ReceiverKind::Eventbridge,
                    event_bus_name: "default".into(),
                    url: String::new(),
                    settings: ReceiverSettings::default(),
                    created_at: 0.0,
                    created_by: String::new(),
                    event_count: 0,
                    error_count: 0,
                    last_event_at: None,
                    last_event_id: None,
                    last_event_summary: None,
                    last_error: None,
                    last_error_at: None,
                    snippets: Vec::new(),
                },
                secret_hash: secret_hash("s"),
                nonce: String::new(),
                sealed: String::new(),
            },
            secret: "s".into(),
        };
        let a = receiver("a");
        let token = issue_token(&config, &a, 1000.0);
        assert!(token_valid(&config, &a, &token, 1001.0));
        assert!(!token_valid(
            &config,
            &a,
            &token,
            1000.0 + TOKEN_SECS as f64
        ));
        assert!(!token_valid(&config, &receiver("b"), &token, 1001.0));
        assert!(!token_valid(&config, &a, "tk1.99999999999.00", 1001.0));
        assert!(!token_valid(&config, &a, "garbage", 1001.0));
    }
}
