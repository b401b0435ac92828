//! The built single-page app, served from the same port as the API: files from the web
//! directory, and `index.html` for every other GET so client-side routes (`/wall`,
//! `/incident?arn=…`) load the app. Other methods on unknown paths get a JSON 404.

use axum::body::Body;
use axum::extract::State;
use axum::http::{Method, Request, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use tower::ServiceExt;
use tower_http::services::{ServeDir, ServeFile};

use crate::http::error::{ApiError, RestJsonError};
use crate::http::state::AppState;

const NOT_BUILT: &str = "<!doctype html><title>Tocsin</title><p>The Tocsin web app is not built. \
Run <code>make run</code> (or <code>scripts/build-web.sh</code>) and reload. The API is up.</p>";

/// Fallback for every path no API route claims.
pub async fn fallback(State(state): State<AppState>, request: Request<Body>) -> Response {
    if request.method() != Method::GET && request.method() != Method::HEAD {
        return RestJsonError(ApiError::UnknownOperation(format!(
            "No operation at {} {}.",
            request.method(),
            request.uri().path()
        )))
        .into_response();
    }
    let dir = &state.config.web_dir;
    let index = dir.join("index.html");
    if !index.is_file() {
        return (StatusCode::OK, Html(NOT_BUILT)).into_response();
    }
    let service = ServeDir::new(dir).fallback(ServeFile::new(index));
    match service.oneshot(request).await {
        Ok(response) => response.map(Body::new),
        Err(never) => match never {},
    }
}
