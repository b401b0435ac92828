//! The HTTP surface: one router for the AWS protocols, the native API and the SPA.

pub mod events;
pub mod incidents;
pub mod native;
pub mod web;

use axum::Router;
use axum::http::{HeaderName, HeaderValue, Method};
use axum::routing::post;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::cors::{AllowOrigin, CorsLayer};
use tower_http::trace::TraceLayer;

use crate::state::AppState;

/// Largest request body accepted (PutEvents allows 256 KiB of entries plus JSON overhead).
pub const MAX_BODY_BYTES: usize = 1024 * 1024;

/// The whole application. Tests call this directly (`tower::ServiceExt::oneshot`) or serve
/// it on a loopback listener.
pub fn app(state: AppState) -> Router {
    let cors = cors(&state.config.cors_origins);
    Router::new()
        .route("/", post(events::dispatch).get(web::fallback))
        .merge(incidents::router())
        .merge(native::router())
        .fallback(web::fallback)
        .layer(axum::extract::DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(cors)
        .layer(CatchPanicLayer::custom(panic_response))
        .layer(TraceLayer::new_for_http())
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
        .allow_methods([Method::GET, Method::POST])
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
    crate::error::RestJsonError(crate::error::ApiError::Internal("handler panicked".into()))
        .into_response()
}
