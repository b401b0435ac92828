//! Outbound webhooks: named endpoints that runbooks call with `aws:invokeWebhook`
//! (`IntegrationName`), as AWS keeps integrations for Automation. An admin creates them
//! (`POST /v1/webhooks`); their URL and headers are secrets, sealed with the server key (the
//! associated data binds them to the webhook's name) and never read back: the API lists
//! names only. Calls go through the one SSRF-guarded outbound client.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use tocsin_api::native::{OutboundWebhook, PutOutboundWebhook};

use crate::domain::error::{ApiError, ApiResult};
use crate::domain::keys::ServerKey;
use crate::domain::targets::is_reserved_header;
use crate::outbound::{OutboundPolicy, check_url};
use crate::store::{StoreTx, StoredWebhook};

/// The secret part of a webhook, as sealed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WebhookSecret {
    /// Where to POST.
    pub url: String,
    /// Extra request headers.
    pub headers: BTreeMap<String, String>,
}

fn context(name: &str) -> String {
    format!("outbound-webhook:{name}")
}

fn check_name(name: &str) -> ApiResult<()> {
    crate::domain::validate::simple_name(name, 128)
}

/// Creates or replaces an outbound webhook.
///
/// Errors: `ValidationException` for a bad name, a URL that is not http(s) or names an
/// address outbound requests may not reach, a header name that is not a valid token or is
/// one Tocsin sets itself (`Host`, `Content-Length`, `Transfer-Encoding`, `Connection`,
/// `Proxy-*`, …), more than 20 headers.
pub async fn put_webhook(
    tx: &mut dyn StoreTx,
    key: &ServerKey,
    policy: &OutboundPolicy,
    principal: &str,
    req: PutOutboundWebhook,
    now: f64,
) -> ApiResult<OutboundWebhook> {
    check_name(&req.name)?;
    check_url(&req.url, policy).map_err(|e| ApiError::Validation(format!("url: {e}")))?;
    if req.headers.len() > 20 {
        return Err(ApiError::Validation("headers: at most 20".into()));
    }
    for (name, value) in &req.headers {
        let valid = !name.is_empty()
            && name
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b));
        if !valid || value.contains(['\r', '\n']) {
            return Err(ApiError::Validation(format!(
                "headers: {name:?} is not a valid header"
            )));
        }
        if is_reserved_header(name) || name.eq_ignore_ascii_case("idempotency-key") {
            return Err(ApiError::Validation(format!(
                "headers: {name} is set by Tocsin and cannot be given"
            )));
        }
    }
    let secret = WebhookSecret {
        url: req.url,
        headers: req.headers,
    };
    let text = serde_json::to_string(&secret).map_err(|e| ApiError::Internal(Box::new(e)))?;
    let (nonce, sealed) = key.seal(&context(&req.name), &text)?;
    let stored = StoredWebhook {
        name: req.name,
        created_at: now,
        created_by: principal.to_owned(),
        nonce,
        sealed,
    };
    tx.put_webhook(&stored).await?;
    Ok(shown(&stored))
}

fn shown(w: &StoredWebhook) -> OutboundWebhook {
    OutboundWebhook {
        name: w.name.clone(),
        created_at: w.created_at,
        created_by: w.created_by.clone(),
    }
}

/// Every outbound webhook, without secrets.
///
/// Errors: store errors.
pub async fn list_webhooks(tx: &mut dyn StoreTx) -> ApiResult<Vec<OutboundWebhook>> {
    Ok(tx.webhooks().await?.iter().map(shown).collect())
}

/// Deletes an outbound webhook.
///
/// Errors: `ResourceNotFoundException`.
pub async fn delete_webhook(tx: &mut dyn StoreTx, name: &str) -> ApiResult<()> {
    if tx.delete_webhook(name).await? {
        Ok(())
    } else {
        Err(ApiError::NotFound(format!(
            "Outbound webhook {name} does not exist."
        )))
    }
}

/// The secret of webhook `name`, for the runbook worker to call it.
///
/// Errors: `ResourceNotFoundException`; an internal error when it cannot be opened (another
/// server key).
pub async fn secret(tx: &mut dyn StoreTx, key: &ServerKey, name: &str) -> ApiResult<WebhookSecret> {
    let stored = tx.webhook(name).await?.ok_or_else(|| {
        ApiError::NotFound(format!("no outbound webhook named {name} is configured"))
    })?;
    let text = key
        .open(&context(name), &stored.nonce, &stored.sealed)
        .ok_or_else(|| {
            ApiError::Internal(
                format!("outbound webhook {name} cannot be opened with this server key").into(),
            )
        })?;
    serde_json::from_str(&text).map_err(|e| ApiError::Internal(Box::new(e)))
}
