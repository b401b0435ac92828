//! The edge guard, before anything else looks at a request:
//!
//! - **Host** (DNS rebinding): the `Host` header must name this server: the loopback aliases
//!   (`127.0.0.1`, `localhost`, `[::1]`) when it listens on loopback, the listen address
//!   itself, and every `--public-host`. A page on an attacker's domain that resolves to
//!   127.0.0.1 sends its own name and is refused (400).
//! - **Cross-site requests** (CSRF): a request whose `Origin` is neither this server nor an
//!   origin given with `--cors-origin`, or that `Sec-Fetch-Site` marks cross-site and is not
//!   a navigation, is refused (403). Browsers send both on `fetch` and form posts, including
//!   the "simple" ones that need no CORS preflight.
//! - **Content types**: a request with a body must say it is JSON (`application/json`,
//!   `application/x-amz-json-1.0/1.1`); anything else (`text/plain`, forms) is refused (415)
//!   before it is parsed. The one exception is the AWS query protocol (SNS): a form posted
//!   to `/` without `X-Amz-Target`. It needs credentials in a header like every operation,
//!   which a cross-site form cannot send. Receivers (`/v1/receivers/<kind>/<name>`,
//!   `/v2/enqueue`) take what their senders send (SNS posts `text/plain`, an OAuth token
//!   request is a form); each is authenticated by its receiver's secret or signature.

use axum::extract::{Request, State};
use axum::http::{HeaderMap, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use tocsin_api::error::AwsErrorBody;

use crate::http::state::AppState;

fn refuse(status: StatusCode, code: &str, message: String) -> Response {
    let body = AwsErrorBody {
        error_type: code.to_owned(),
        message,
    };
    let mut response = (status, axum::Json(body)).into_response();
    if let Ok(v) = header::HeaderValue::from_str(code) {
        response.headers_mut().insert("x-amzn-ErrorType", v);
    }
    response
}

/// The host name of a `Host` header or an origin's authority, lower-case, without port.
fn host_name(authority: &str) -> String {
    let authority = authority.trim().to_ascii_lowercase();
    if let Some(rest) = authority.strip_prefix('[') {
        // [::1]:8787
        return format!("[{}]", rest.split(']').next().unwrap_or_default());
    }
    authority.split(':').next().unwrap_or_default().to_owned()
}

/// Whether `host` (a `Host` header) is one of `allowed` (names without ports).
pub fn host_allowed(host: &str, allowed: &[String]) -> bool {
    let name = host_name(host);
    allowed.iter().any(|a| host_name(a) == name)
}

/// Whether the request is JSON by its declared content type (or has none).
fn json_or_absent(headers: &HeaderMap) -> bool {
    match headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
    {
        None => true,
        Some(value) => {
            let essence = value
                .split(';')
                .next()
                .unwrap_or_default()
                .trim()
                .to_ascii_lowercase();
            matches!(
                essence.as_str(),
                "application/json" | "application/x-amz-json-1.0" | "application/x-amz-json-1.1"
            )
        }
    }
}

/// Whether a request came from a page of another site that is not trusted.
fn cross_site(headers: &HeaderMap, host: &str, cors_origins: &[String]) -> Option<String> {
    if let Some(origin) = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) {
        let same = origin
            .split_once("://")
            .is_some_and(|(_, authority)| authority.eq_ignore_ascii_case(host));
        if same || cors_origins.iter().any(|o| o.eq_ignore_ascii_case(origin)) {
            return None;
        }
        return Some(format!(
            "Cross-site request from {origin} refused: add the origin with --cors-origin if it is yours."
        ));
    }
    let site = headers.get("sec-fetch-site").and_then(|v| v.to_str().ok());
    let mode = headers.get("sec-fetch-mode").and_then(|v| v.to_str().ok());
    (site == Some("cross-site") && mode != Some("navigate"))
        .then(|| "Cross-site request refused (Sec-Fetch-Site: cross-site).".to_owned())
}

/// The guard middleware.
pub async fn guard(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let config = &state.config;
    let headers = request.headers();
    let host = headers
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
        .or_else(|| request.uri().authority().map(|a| a.to_string()))
        .unwrap_or_default();
    if !config.allowed_hosts.is_empty() && !host_allowed(&host, &config.allowed_hosts) {
        return refuse(
            StatusCode::BAD_REQUEST,
            "InvalidHostException",
            format!(
                "Host {host:?} is not a name this server answers to; add it with --public-host (or --public-url) if it is."
            ),
        );
    }
    if let Some(reason) = cross_site(headers, &host, &config.cors_origins) {
        return refuse(StatusCode::FORBIDDEN, "AccessDeniedException", reason);
    }
    let has_body = !matches!(
        *request.method(),
        Method::GET | Method::HEAD | Method::OPTIONS
    );
    let query_protocol = request.uri().path() == "/"
        && request.method() == Method::POST
        && crate::http::sns::is_form(headers)
        && !headers.contains_key("x-amz-target");
    let receiver =
        crate::http::receivers::is_receiver_request(request.method(), request.uri().path());
    if has_body && !query_protocol && !receiver && !json_or_absent(headers) {
        let given = headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default();
        return refuse(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "UnsupportedMediaTypeException",
            format!(
                "Content-Type {given:?} is not accepted here: send application/json (or application/x-amz-json-1.1 for X-Amz-Target operations)."
            ),
        );
    }
    next.run(request).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts() {
        let allowed = vec![
            "127.0.0.1".to_owned(),
            "localhost".to_owned(),
            "[::1]".to_owned(),
            "tocsin.example.com".to_owned(),
        ];
        for ok in [
            "127.0.0.1:8787",
            "localhost",
            "LOCALHOST:1",
            "[::1]:8787",
            "tocsin.example.com",
        ] {
            assert!(host_allowed(ok, &allowed), "{ok}");
        }
        for bad in [
            "evil.example",
            "127.0.0.2:8787",
            "tocsin.example.com.evil",
            "",
        ] {
            assert!(!host_allowed(bad, &allowed), "{bad}");
        }
    }

    #[test]
    fn origins_and_content_types() {
        let mut h = HeaderMap::new();
        assert_eq!(cross_site(&h, "127.0.0.1:8787", &[]), None);
        h.insert(header::ORIGIN, "http://127.0.0.1:8787".parse().unwrap());
        assert_eq!(cross_site(&h, "127.0.0.1:8787", &[]), None, "same origin");
        h.insert(header::ORIGIN, "http://evil.example".parse().unwrap());
        assert!(cross_site(&h, "127.0.0.1:8787", &[]).is_some());
        assert_eq!(
            cross_site(&h, "127.0.0.1:8787", &["http://evil.example".to_owned()]),
            None
        );
        let mut nav = HeaderMap::new();
        nav.insert("sec-fetch-site", "cross-site".parse().unwrap());
        nav.insert("sec-fetch-mode", "navigate".parse().unwrap());
        assert_eq!(cross_site(&nav, "h", &[]), None, "following a link is fine");
        nav.insert("sec-fetch-mode", "no-cors".parse().unwrap());
        assert!(cross_site(&nav, "h", &[]).is_some());
        let mut ct = HeaderMap::new();
        assert!(json_or_absent(&ct));
        for ok in [
            "application/json",
            "application/json; charset=utf-8",
            "application/x-amz-json-1.1",
        ] {
            ct.insert(header::CONTENT_TYPE, ok.parse().unwrap());
            assert!(json_or_absent(&ct), "{ok}");
        }
        for bad in [
            "text/plain",
            "application/x-www-form-urlencoded",
            "multipart/form-data; boundary=x",
        ] {
            ct.insert(header::CONTENT_TYPE, bad.parse().unwrap());
            assert!(!json_or_absent(&ct), "{bad}");
        }
    }
}
