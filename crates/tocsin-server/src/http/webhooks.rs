//! `/v1/webhooks`: outbound webhooks that runbooks call (`aws:invokeWebhook`), admin only.
//! Their URL and headers are write-only: the list shows names.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use tocsin_api::native::{DeleteOutboundWebhook, OutboundWebhook, PutOutboundWebhook};

use crate::clock;
use crate::domain::webhooks;
use crate::http::audit::Audit;
use crate::http::error::RestJsonError;
use crate::http::extract::{Admin, Require, RestJson};
use crate::http::routes::Routes;
use crate::http::routes::Verb::{Get, Post};
use crate::http::state::AppState;

type RestResult<T> = Result<T, RestJsonError>;

/// The routes.
pub fn routes() -> Routes {
    Routes::new()
        .route(Get, "/v1/webhooks", "ListOutboundWebhooks", list)
        .route(Post, "/v1/webhooks", "PutOutboundWebhook", put)
        .route(Post, "/v1/webhooks/delete", "DeleteOutboundWebhook", delete)
}

/// `GET /v1/webhooks`: every outbound webhook's name, creation time and creator.
async fn list(
    _: Require<Admin>,
    State(s): State<AppState>,
) -> RestResult<Json<Vec<OutboundWebhook>>> {
    Ok(Json(read_tx!(s, |tx| webhooks::list_webhooks(tx).await?)))
}

/// `POST /v1/webhooks` `{"name", "url", "headers"}`: creates or replaces one (201).
async fn put(
    Require { caller, .. }: Require<Admin>,
    State(s): State<AppState>,
    RestJson(input): RestJson<PutOutboundWebhook>,
) -> RestResult<(StatusCode, Json<OutboundWebhook>)> {
    let audit = Audit::new(
        &caller,
        "PutOutboundWebhook",
        format!("outbound-webhook/{}", input.name),
    );
    let created = write_tx!(s, audit, |tx| {
        webhooks::put_webhook(
            tx,
            &s.config.server_key,
            &s.outbound,
            &caller.principal,
            input,
            clock::now(),
        )
        .await?
    });
    Ok((StatusCode::CREATED, Json(created)))
}

/// `POST /v1/webhooks/delete` `{"name"}`: 204.
async fn delete(
    Require { caller, .. }: Require<Admin>,
    State(s): State<AppState>,
    RestJson(input): RestJson<DeleteOutboundWebhook>,
) -> RestResult<StatusCode> {
    let audit = Audit::new(
        &caller,
        "DeleteOutboundWebhook",
        format!("outbound-webhook/{}", input.name),
    );
    write_tx!(s, audit, |tx| webhooks::delete_webhook(tx, &input.name)
        .await?);
    Ok(StatusCode::NO_CONTENT)
}
