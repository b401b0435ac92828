//! Tocsin-native access-key endpoints: who am I, stream tickets, and key management for
//! admins (the web app's Keys page). Secrets leave the server once, in the answer to
//! `POST /v1/keys`.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use tocsin_api::auth::{
    AccessKey, CreateKeyInput, KeyRef, KeyStateInput, NewAccessKey, StreamTicket, Whoami,
};

use crate::clock;
use crate::domain::keys;
use crate::http::audit::Audit;
use crate::http::error::RestJsonError;
use crate::http::extract::{Admin, AnyKey, Require, RestJson, Viewer};
use crate::http::routes::Routes;
use crate::http::routes::Verb::{Get, Post};
use crate::http::state::AppState;
use crate::http::tickets::TICKET_TTL;

type RestResult<T> = Result<T, RestJsonError>;

/// The key routes, each with its role.
pub fn routes() -> Routes {
    Routes::new()
        .route(Get, "/v1/whoami", "Whoami", whoami)
        .route(
            Post,
            "/v1/stream-tickets",
            "CreateStreamTicket",
            stream_ticket,
        )
        .route(Get, "/v1/keys", "ListKeys", list_keys)
        .route(Post, "/v1/keys", "CreateKey", create_key)
        .route(Post, "/v1/keys/state", "SetKeyState", set_key_state)
        .route(Post, "/v1/keys/delete", "DeleteKey", delete_key)
        .route(Get, "/v1/audit", "ListAuditEntries", audit_entries)
}

/// `GET /v1/whoami`: the caller's key, name, role and principal.
async fn whoami(Require { caller, .. }: Require<AnyKey>) -> Json<Whoami> {
    Json(Whoami {
        access_key_id: caller.access_key_id,
        name: caller.name,
        role: caller.role,
        principal: caller.principal,
    })
}

/// `POST /v1/stream-tickets`: a single-use ticket, valid 60 s, for
/// `GET /v1/stream?ticket=` (browsers' `EventSource` cannot send an `Authorization` header).
async fn stream_ticket(
    Require { caller, .. }: Require<Viewer>,
    State(s): State<AppState>,
) -> RestResult<Json<StreamTicket>> {
    Ok(Json(StreamTicket {
        ticket: crate::http::tickets::issue(s.store.as_ref(), &caller).await?,
        expires_at: clock::now() + TICKET_TTL.as_secs_f64(),
    }))
}

/// `GET /v1/keys`: every key, oldest first, without secrets.
async fn list_keys(
    _: Require<Admin>,
    State(s): State<AppState>,
) -> RestResult<Json<Vec<AccessKey>>> {
    Ok(Json(read_tx!(s, |tx| keys::list_keys(tx).await?)))
}

/// `POST /v1/keys` `{"name","role"}`: creates a key; the answer carries its secret, once.
async fn create_key(
    Require { caller, .. }: Require<Admin>,
    State(s): State<AppState>,
    RestJson(input): RestJson<CreateKeyInput>,
) -> RestResult<(StatusCode, Json<NewAccessKey>)> {
    let audit = Audit::new(&caller, "CreateKey", format!("key name {}", input.name));
    let key = write_tx!(s, audit, |tx| {
        keys::create_key(
            tx,
            &s.config.server_key,
            &input.name,
            input.role,
            clock::now(),
        )
        .await?
    });
    Ok((StatusCode::CREATED, Json(key)))
}

/// `POST /v1/keys/state` `{"accessKeyId","enabled"}`: 204.
async fn set_key_state(
    Require { caller, .. }: Require<Admin>,
    State(s): State<AppState>,
    RestJson(input): RestJson<KeyStateInput>,
) -> RestResult<StatusCode> {
    let operation = if input.enabled {
        "EnableKey"
    } else {
        "DisableKey"
    };
    let audit = Audit::new(&caller, operation, input.access_key_id.clone());
    write_tx!(s, audit, |tx| {
        keys::set_key_enabled(tx, &input.access_key_id, input.enabled).await?
    });
    s.key_cache.forget(&input.access_key_id);
    Ok(StatusCode::NO_CONTENT)
}

/// `POST /v1/keys/delete` `{"accessKeyId"}`: 204.
async fn delete_key(
    Require { caller, .. }: Require<Admin>,
    State(s): State<AppState>,
    RestJson(input): RestJson<KeyRef>,
) -> RestResult<StatusCode> {
    let audit = Audit::new(&caller, "DeleteKey", input.access_key_id.clone());
    write_tx!(s, audit, |tx| keys::delete_key(tx, &input.access_key_id)
        .await?);
    s.key_cache.forget(&input.access_key_id);
    Ok(StatusCode::NO_CONTENT)
}

/// `GET /v1/audit?principal=&operation=&after=&before=&limit=`: audit entries, newest first
/// (admin).
async fn audit_entries(
    _: Require<Admin>,
    State(s): State<AppState>,
    axum::extract::Query(q): axum::extract::Query<tocsin_api::audit::AuditQuery>,
) -> RestResult<Json<Vec<tocsin_api::audit::AuditEntry>>> {
    Ok(Json(
        read_tx!(s, |tx| crate::domain::audit::query(tx, &q).await?)
    ))
}
