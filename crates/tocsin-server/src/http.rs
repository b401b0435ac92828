//! The HTTP surface, the only layer that knows requests and responses: one router for the
//! AWS protocols, the native API and the SPA.
//!
//! Path routes are registered through [`routes::Routes`] with the role each needs (a
//! handler without the matching [`extract::Require`] does not compile); the multiplexed
//! `POST /` endpoint checks the role each operation declares in its dispatch table
//! ([`events::OPERATIONS`]). [`route_table`] lists every (route, operation, access).

/// `read_tx!(state, |tx| body)`: evaluates `body` with `tx: &mut dyn StoreTx` bound to a
/// read-only transaction. Returns early (`?`) if the transaction cannot begin.
macro_rules! read_tx {
    ($state:expr, |$tx:ident| $body:expr) => {{
        let mut transaction = $state.store.read().await?;
        let $tx = transaction.as_mut();
        $body
    }};
}

/// `write_tx!(state, audit, |tx| body)`: evaluates `body` (which returns early with `?` on
/// error) with `tx` bound to a write transaction; on success appends `audit` (an
/// [`audit::Audit`]) in the same transaction and commits; on error records the refusal in
/// the audit log and returns the error (nothing else is written).
macro_rules! write_tx {
    ($state:expr, $audit:expr, |$tx:ident| $body:expr) => {{
        let audit: crate::http::audit::Audit = $audit;
        let mut transaction = $state.store.write().await?;
        let result: crate::domain::error::ApiResult<_> = async {
            let $tx = transaction.as_mut();
            Ok($body)
        }
        .await;
        match result {
            Ok(out) => {
                audit.success(transaction.as_mut(), &$state).await?;
                transaction.commit().await?;
                out
            }
            Err(err) => {
                drop(transaction);
                audit.failure(&$state, &err).await;
                return Err(err.into());
            }
        }
    }};
}

/// `rule_change!(state, audit, |tx| body)`: as `write_tx!` for a change the matcher compiles
/// (a rule, a heartbeat, a maintenance window; `body` is a `RuleChange<T>`), then waits for the matcher to compile it; evaluates to the output.
macro_rules! rule_change {
    ($state:expr, $audit:expr, |$tx:ident| $body:expr) => {{
        let change = write_tx!($state, $audit, |$tx| $body);
        $state.await_matcher(change.feed_id).await?;
        change.output
    }};
}
/// Builds an [`Operation`]:
/// `operation! { "Name", Role, (state, caller, input: In) -> Out { body } }`. The body runs
/// with the parsed awsJson input and evaluates to the typed output (rendered as
/// `200 application/x-amz-json-1.1`); `?` in it returns the error, which the dispatcher
/// renders as an awsJson error.
macro_rules! operation {
    ($name:literal, $role:ident, ($s:pat_param, $caller:pat_param, $input:ident: $in:ty) -> $out:ty $body:block) => {
        crate::http::operation::Operation {
            name: $name,
            role: crate::domain::identity::Role::$role,
            call: |state, caller, body| {
                Box::pin(async move {
                    let crate::http::extract::AwsJson($input): crate::http::extract::AwsJson<$in> =
                        crate::http::extract::AwsJson::parse(&body)?;
                    let $s: &crate::http::state::AppState = &state;
                    let $caller: &crate::domain::identity::Caller = &caller;
                    let out: $out = $body;
                    Ok(axum::response::IntoResponse::into_response(
                        crate::http::extract::AwsJson(out),
                    ))
                })
            },
        }
    };
}

pub mod audit;
pub mod auth;
pub mod awsjson;
pub mod contacts;
pub mod edge;
pub mod error;
pub mod events;
pub mod extract;
pub mod incidents;
pub mod keys;
pub mod native;
pub mod operation;
pub mod receivers;
pub mod routes;
pub mod service_roles;
pub mod sigv4;
pub mod sns;
pub mod ssm;
pub mod state;
pub mod sts;
pub mod tickets;
pub mod web;
pub mod webhooks;

use axum::Router;
use axum::http::{HeaderName, HeaderValue, Method};
use axum::routing::post;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::cors::{AllowOrigin, CorsLayer};
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::TraceLayer;

use crate::http::extract::Access;
use crate::http::routes::{RouteSpec, Routes};
use crate::http::state::AppState;

/// Largest request body accepted (PutEvents allows 256 KiB of entries plus JSON overhead).
pub const MAX_BODY_BYTES: usize = 1024 * 1024;

fn path_routes() -> Routes {
    incidents::routes()
        .merge(native::routes())
        .merge(keys::routes())
        .merge(webhooks::routes())
        .merge(service_roles::routes())
        .merge(sns::routes())
        .merge(contacts::routes())
        .merge(receivers::routes())
}

/// Every operation the server answers: the path routes with their access, and each
/// operation of the multiplexed `POST /` endpoint (as `AWSEvents.<Op>`) with its role.
pub fn route_table() -> Vec<RouteSpec> {
    let (_, mut table) = path_routes().into_parts();
    for (prefix, operations) in awsjson::tables() {
        table.extend(operations.iter().map(|op| RouteSpec {
            method: Method::POST,
            path: "/",
            target_prefix: Some(prefix),
            operation: op.name,
            access: Access::Role(op.role),
        }));
    }
    table.extend(sts::ACTIONS.iter().map(|op| RouteSpec {
        method: Method::POST,
        path: "/",
        target_prefix: Some(sts::ACTION_PREFIX),
        operation: op,
        access: Access::Authenticated,
    }));
    table.extend(sns::ACTIONS.iter().map(|op| RouteSpec {
        method: Method::POST,
        path: "/",
        target_prefix: Some(sns::ACTION_PREFIX),
        operation: op.name,
        access: Access::Role(op.role),
    }));
    table
}

/// The whole application. Tests call this directly (`tower::ServiceExt::oneshot`) or serve
/// it on a loopback listener.
pub fn app(state: AppState) -> Router {
    let cors = cors(&state.config.cors_origins);
    let (routes, _) = path_routes().into_parts();
    // One `layer` call with the whole stack, outermost first: each `Router::layer` call
    // boxes every route again, and every request clones the boxes (and each `from_fn`
    // layer clones everything inside it), so fourteen calls cost about forty allocations a
    // request (`docs/benchmarks.md`, "one middleware stack").
    let stack = tower::ServiceBuilder::new()
        .layer(TraceLayer::new_for_http())
        // Every answer carries a request id, as AWS services' do (SDKs read it into
        // `$metadata.requestId` / `ResponseMetadata.RequestId`).
        .layer(SetResponseHeaderLayer::if_not_present(
            HeaderName::from_static("x-amzn-requestid"),
            |_: &axum::response::Response| {
                HeaderValue::from_str(&uuid::Uuid::new_v4().to_string()).ok()
            },
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            HeaderName::from_static("content-security-policy"),
            HeaderValue::from_static("frame-ancestors 'none'"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            HeaderName::from_static("referrer-policy"),
            HeaderValue::from_static("no-referrer"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            HeaderName::from_static("x-content-type-options"),
            HeaderValue::from_static("nosniff"),
        ))
        .layer(axum::middleware::from_fn(error::log_internal_errors))
        .layer(CatchPanicLayer::custom(panic_response))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            edge::guard,
        ))
        .layer(cors)
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            auth::authenticate,
        ))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            audit::record_role_refusals,
        ))
        .layer(tower_http::timeout::RequestBodyTimeoutLayer::new(
            state.config.body_read_timeout,
        ))
        .layer(axum::extract::DefaultBodyLimit::max(MAX_BODY_BYTES));
    Router::new()
        .route("/", post(awsjson::dispatch).get(web::fallback))
        .merge(routes)
        .fallback(web::fallback)
        .layer(stack)
        .with_state(state)
}

/// CORS for SPAs served from other origins (a CDN): only the listed origins.
fn cors(origins: &[String]) -> CorsLayer {
    let allowed: Vec<HeaderValue> = origins
        .iter()
        .filter_map(|o| HeaderValue::from_str(o).ok())
        .collect();
    CorsLayer::new()
        .allow_origin(AllowOrigin::list(allowed))
        .allow_methods([Method::GET, Method::POST, Method::DELETE])
        .allow_headers([
            axum::http::header::CONTENT_TYPE,
            axum::http::header::AUTHORIZATION,
            HeaderName::from_static("x-amz-target"),
            HeaderName::from_static("last-event-id"),
        ])
}

/// A handler panicked (a bug): answer 500 with the AWS error body instead of dropping the
/// connection. Nothing was committed: the transaction was dropped with the panicking task.
fn panic_response(_: Box<dyn std::any::Any + Send + 'static>) -> axum::response::Response {
    use axum::response::IntoResponse;
    error::RestJsonError(error::ApiError::Internal("handler panicked".into())).into_response()
}
