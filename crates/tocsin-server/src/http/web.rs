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
    // The API's own namespace never falls through to the app: an unknown `/v1/…` path is a
    // 404 with a reason, not the app's `index.html`.
    if request.uri().path().starts_with("/v1/") {
        return RestJsonError(ApiError::NotFound(format!(
            "No Tocsin endpoint at {} {}.",
            request.method(),
            request.uri().path()
        )))
        .into_response();
    }
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
    let service = ServeDir::new(dir).fallback(ServeFile::new(&index));
    let mut response = match service.oneshot(request).await {
        Ok(response) => response.map(Body::new),
        Err(never) => match never {},
    };
    let is_html = response
        .headers()
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|t| t.starts_with("text/html"));
    if is_html
        && let Ok(text) = std::fs::read_to_string(&index)
        && let Ok(value) = axum::http::HeaderValue::from_str(&content_security_policy(&text))
    {
        response
            .headers_mut()
            .insert(axum::http::header::CONTENT_SECURITY_POLICY, value);
    }
    response
}

/// The SHA-256 hashes (`'sha256-…'`, base64) of the inline `<script>` elements of `html`
/// (trunk writes its loader inline into `index.html`).
pub fn inline_script_hashes(html: &str) -> Vec<String> {
    use base64::Engine as _;
    use sha2::{Digest, Sha256};
    let mut hashes = Vec::new();
    let mut rest = html;
    while let Some(open) = rest.find("<script") {
        let after = &rest[open..];
        let Some(tag_end) = after.find('>') else {
            break;
        };
        let tag = &after[..tag_end];
        let body_start = &after[tag_end + 1..];
        let Some(close) = body_start.find("</script>") else {
            break;
        };
        if !tag.contains(" src=") {
            let digest = Sha256::digest(&body_start.as_bytes()[..close]);
            hashes.push(format!(
                "'sha256-{}'",
                base64::engine::general_purpose::STANDARD.encode(digest)
            ));
        }
        rest = &body_start[close..];
    }
    hashes
}

/// The Content-Security-Policy the app runs under: only its own files and its own API,
/// WebAssembly compiled from its own module, trunk's inline loader by hash, and never in a
/// frame.
pub fn content_security_policy(index_html: &str) -> String {
    format!(
        "default-src 'self'; script-src 'self' 'wasm-unsafe-eval' {}; style-src 'self'; img-src 'self' data:; connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
        inline_script_hashes(index_html).join(" ")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inline_scripts_are_hashed_and_external_ones_are_not() {
        let html =
            "<head><script type=\"module\">alert(1)</script><script src=\"/x.js\"></script></head>";
        let hashes = inline_script_hashes(html);
        // printf 'alert(1)' | openssl dgst -sha256 -binary | base64
        assert_eq!(
            hashes,
            ["'sha256-bhHHL3z2vDgxUt0W3dWQOrprscmda2Y5pLsLg4GF+pI='"]
        );
        let csp = content_security_policy(html);
        assert!(csp.contains("'wasm-unsafe-eval'") && csp.contains("frame-ancestors 'none'"));
    }
}
