//! The built single-page app, served from the same port as the API: its files from the web
//! directory (`--web-dir`) or from the copy compiled into the binary (feature `embed-web`),
//! and `index.html` for every other GET whose last segment has no file extension, so
//! client-side routes (`/wall`, `/incident?arn=…`) load the app. A missing file (a name with
//! an extension: an old hashed asset, an absent `config.json`) is a 404, never the app's HTML.
//! Other methods on unknown paths get a JSON 404.
//!
//! Caching: trunk's content-hashed assets (`tocsin-web-<hash>_bg.wasm`, `main-<hash>.css`)
//! are `public, max-age=31536000, immutable`; everything else (`index.html`, `config.json`,
//! the SPA fallback) is `no-cache`, so a deploy is picked up on the next load.

use std::borrow::Cow;

use axum::body::Body;
use axum::extract::State;
use axum::http::header::{CACHE_CONTROL, CONTENT_SECURITY_POLICY, CONTENT_TYPE, HeaderValue};
use axum::http::{Method, Request, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use tower::ServiceExt;
use tower_http::services::ServeDir;

use crate::config::WebSource;
use crate::http::error::{ApiError, RestJsonError};
use crate::http::state::AppState;

const NOT_BUILT: &str = "<!doctype html><title>Tocsin</title><p>The Tocsin web app is not built. \
Run <code>make run</code> (or <code>scripts/build-web.sh</code>) and reload. The API is up.</p>";

/// `Cache-Control` of a content-hashed asset: its name changes whenever its bytes do.
pub const CACHE_IMMUTABLE: &str = "public, max-age=31536000, immutable";
/// `Cache-Control` of everything else: revalidate on every use.
pub const CACHE_REVALIDATE: &str = "no-cache";

/// The deploy-time settings file beside `index.html` (`{"apiBaseUrl": "https://…"}`), read by
/// the app before it falls back to the page's origin.
pub const CONFIG_FILE: &str = "config.json";

/// `dist/` as it was when the binary was compiled (`make build`, `make release`).
#[cfg(feature = "embed-web")]
#[derive(rust_embed::RustEmbed)]
#[folder = "../../dist/"]
struct Dist;

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
    let source = &state.config.web;
    let Some(index) = read(source, "index.html") else {
        return (StatusCode::OK, Html(NOT_BUILT)).into_response();
    };
    let path = request.uri().path().to_owned();
    let mut response = if is_file_path(&path) {
        match source {
            WebSource::Dir(dir) => match ServeDir::new(dir).oneshot(request).await {
                Ok(response) => response.map(Body::new),
                Err(never) => match never {},
            },
            #[cfg(feature = "embed-web")]
            WebSource::Embedded => embedded(&request, path.trim_start_matches('/')),
            #[cfg(not(feature = "embed-web"))]
            WebSource::Embedded => not_found(&path),
        }
    } else {
        let mut response = Html(index.to_vec()).into_response();
        if request.method() == Method::HEAD {
            *response.body_mut() = Body::empty();
        }
        response
    };
    if response.status() == StatusCode::NOT_FOUND {
        response = not_found(&path);
    }
    let immutable = response.status().is_success() && is_hashed_asset(&path);
    response.headers_mut().insert(
        CACHE_CONTROL,
        HeaderValue::from_static(if immutable {
            CACHE_IMMUTABLE
        } else {
            CACHE_REVALIDATE
        }),
    );
    let is_html = response
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|t| t.starts_with("text/html"));
    if is_html {
        let config = read(source, CONFIG_FILE);
        let api_origin = config.as_deref().and_then(configured_api_origin);
        if let Ok(value) = HeaderValue::from_str(&content_security_policy_with(
            &String::from_utf8_lossy(&index),
            api_origin.as_deref(),
        )) {
            response
                .headers_mut()
                .insert(CONTENT_SECURITY_POLICY, value);
        }
    }
    response
}

/// A plain-text 404 naming the missing file.
fn not_found(path: &str) -> Response {
    (
        StatusCode::NOT_FOUND,
        [(CONTENT_TYPE, "text/plain; charset=utf-8")],
        format!("No file {path} in the Tocsin web app.\n"),
    )
        .into_response()
}

/// One file of the app by its name relative to the app's root (`index.html`, `config.json`).
fn read<'a>(source: &'a WebSource, name: &str) -> Option<Cow<'a, [u8]>> {
    match source {
        WebSource::Dir(dir) => std::fs::read(dir.join(name)).ok().map(Cow::Owned),
        #[cfg(feature = "embed-web")]
        WebSource::Embedded => Dist::get(name).map(|file| file.data),
        #[cfg(not(feature = "embed-web"))]
        WebSource::Embedded => None,
    }
}

/// Serves one embedded file with its type and a strong `ETag` (its SHA-256), answering a
/// matching `If-None-Match` with `304`.
#[cfg(feature = "embed-web")]
fn embedded(request: &Request<Body>, name: &str) -> Response {
    use axum::http::header::{ETAG, IF_NONE_MATCH};
    let Some(file) = Dist::get(name) else {
        return not_found(name);
    };
    let etag = format!("\"{}\"", hex::encode(&file.metadata.sha256_hash()[..16]));
    let matches = request
        .headers()
        .get(IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            v.split(',')
                .any(|tag| tag.trim() == etag || tag.trim() == "*")
        });
    let mut response = if matches {
        StatusCode::NOT_MODIFIED.into_response()
    } else if request.method() == Method::HEAD {
        Response::new(Body::empty())
    } else {
        Response::new(Body::from(file.data.into_owned()))
    };
    let headers = response.headers_mut();
    if let Ok(value) = HeaderValue::from_str(file.metadata.mimetype()) {
        headers.insert(CONTENT_TYPE, value);
    }
    if let Ok(value) = HeaderValue::from_str(&etag) {
        headers.insert(ETAG, value);
    }
    response
}

/// Whether a request path names a file (its last segment has an extension) rather than a
/// client-side route.
pub fn is_file_path(path: &str) -> bool {
    path.rsplit('/')
        .next()
        .is_some_and(|last| last.contains('.'))
}

/// Whether a path names one of trunk's content-hashed assets: a file whose name carries
/// `-<hash>` before its extension or a `_bg` suffix, the hash being 12 to 16 lowercase hex
/// digits (`/tocsin-web-91897d8f9b4e7a15_bg.wasm`, `/main-46fbdcc4acac9220.css`). Trunk
/// prints its 64-bit hash without leading zeros (`tocsin-web-6c3e532ab4b6dcc.js`), so one
/// build in sixteen has a 15-digit hash; shorter ones (one in 65,536) are served `no-cache`,
/// which costs a revalidation, never a stale app.
pub fn is_hashed_asset(path: &str) -> bool {
    const DIGITS: std::ops::RangeInclusive<usize> = 12..=16;
    let name = path.rsplit('/').next().unwrap_or_default();
    let stem = name.split('.').next().unwrap_or_default();
    let Some((_, tail)) = stem.rsplit_once('-') else {
        return false;
    };
    let hash = tail.split('_').next().unwrap_or_default();
    let rest = &tail[hash.len()..];
    DIGITS.contains(&hash.len())
        && hash
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
        && (rest.is_empty() || rest == "_bg")
        && name.len() > stem.len()
}

/// The origin (`https://host:port`) of the `apiBaseUrl` in a `config.json`, when it is an
/// http(s) URL; the app's Content-Security-Policy lets it connect there.
pub fn configured_api_origin(config: &[u8]) -> Option<String> {
    let value: serde_json::Value = serde_json::from_slice(config).ok()?;
    let url = url::Url::parse(value.get("apiBaseUrl")?.as_str()?).ok()?;
    matches!(url.scheme(), "http" | "https").then(|| url.origin().ascii_serialization())
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
    content_security_policy_with(index_html, None)
}

/// [`content_security_policy`], also letting the app connect to `api_origin` (the origin of
/// the `apiBaseUrl` in the `config.json` served beside it).
pub fn content_security_policy_with(index_html: &str, api_origin: Option<&str>) -> String {
    let connect = match api_origin {
        Some(origin) => format!("'self' {origin}"),
        None => "'self'".to_owned(),
    };
    format!(
        "default-src 'self'; script-src 'self' 'wasm-unsafe-eval' {}; style-src 'self'; img-src 'self' data:; connect-src {connect}; font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
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
        assert!(csp.contains("connect-src 'self';"));
        let csp = content_security_policy_with(html, Some("https://api.example.com"));
        assert!(
            csp.contains("connect-src 'self' https://api.example.com;"),
            "{csp}"
        );
    }

    #[test]
    fn trunks_hashed_assets_are_told_apart_from_other_files() {
        for hashed in [
            "/tocsin-web-91897d8f9b4e7a15_bg.wasm",
            "/tocsin-web-91897d8f9b4e7a15.js",
            "/main-46fbdcc4acac9220.css",
            "/favicon-9ccc5ff6d4cb50cc.svg",
            "/tocsin-web-6c3e532ab4b6dcc_bg.wasm",
            "/tocsin-web-6c3e532ab4b6dcc.js",
        ] {
            assert!(is_hashed_asset(hashed), "{hashed}");
        }
        for plain in [
            "/index.html",
            "/config.json",
            "/wall",
            "/",
            "/main-46fbdcc4aca.css",
            "/main-46fbdcc4acac92201.css",
            "/main-46FBDCC4ACAC9220.css",
            "/tocsin-web-6c3e532ab4b6dcc_xx.js",
            "/main-46fbdcc4acac9220x.css",
            "/main-46fbdcc4acac9220",
        ] {
            assert!(!is_hashed_asset(plain), "{plain}");
        }
    }

    #[test]
    fn only_names_with_an_extension_are_files() {
        assert!(is_file_path("/config.json"));
        assert!(is_file_path("/tocsin-web-91897d8f9b4e7a15_bg.wasm"));
        assert!(!is_file_path("/"));
        assert!(!is_file_path("/wall"));
        assert!(!is_file_path("/plans/edit"));
        assert!(!is_file_path("/v2.1/wall"));
    }

    #[test]
    fn the_configured_api_origin_is_an_http_origin_or_nothing() {
        let origin = |s: &str| configured_api_origin(s.as_bytes());
        assert_eq!(
            origin(r#"{"apiBaseUrl": "https://tocsin.example.com:8443/some/path"}"#).as_deref(),
            Some("https://tocsin.example.com:8443")
        );
        assert_eq!(origin(r#"{"apiBaseUrl": "javascript:alert(1)"}"#), None);
        assert_eq!(origin(r#"{"apiBaseUrl": 7}"#), None);
        assert_eq!(origin("not json"), None);
        assert_eq!(origin("{}"), None);
    }
}
