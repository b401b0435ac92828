//! The edge guard on a real server: foreign `Host` names, cross-site requests and
//! non-JSON bodies are refused before anything is parsed, and nothing is written.

use serde_json::json;

use crate::support::TestServer;

#[tokio::test]
async fn foreign_hosts_cross_site_requests_and_other_content_types_are_refused() {
    let server = TestServer::start().await;
    let before = server.snapshot().await;
    let body = json!({"name": "p", "incidentTemplate": {"title": "t", "impact": 3}}).to_string();
    let post = |headers: Vec<(&'static str, &'static str)>| {
        let mut r = server
            .client
            .post(format!("{}/createResponsePlan", server.base))
            .body(body.clone());
        for (k, v) in headers {
            r = r.header(k, v);
        }
        r.send()
    };
    // DNS rebinding: an attacker's name that resolves to 127.0.0.1.
    let r = post(vec![
        ("Host", "evil.example:8787"),
        ("Content-Type", "application/json"),
    ])
    .await
    .unwrap();
    assert_eq!(r.status(), 400);
    assert_eq!(r.headers()["x-amzn-ErrorType"], "InvalidHostException");
    // CSRF: a page elsewhere posting (a "simple" request needs no preflight).
    let r = post(vec![
        ("Origin", "http://evil.example"),
        ("Content-Type", "application/json"),
    ])
    .await
    .unwrap();
    assert_eq!(r.status(), 403);
    let r = post(vec![
        ("Sec-Fetch-Site", "cross-site"),
        ("Sec-Fetch-Mode", "no-cors"),
    ])
    .await
    .unwrap();
    assert_eq!(r.status(), 403);
    // Content types other than JSON.
    for ct in [
        "text/plain",
        "application/x-www-form-urlencoded",
        "multipart/form-data; boundary=x",
    ] {
        let r = post(vec![("Content-Type", ct)]).await.unwrap();
        assert_eq!(r.status(), 415, "{ct}");
        assert_eq!(
            r.headers()["x-amzn-ErrorType"],
            "UnsupportedMediaTypeException"
        );
    }
    assert_eq!(server.snapshot().await, before, "nothing was written");
    // The same request, same-origin and JSON, works; so does a loopback alias as Host.
    let r = post(vec![
        ("Origin", "http://localhost:1"),
        ("Host", "localhost:1"),
        ("Content-Type", "application/json"),
    ])
    .await
    .unwrap();
    assert_eq!(r.status(), 201);
    let r = server.get("/healthz").await;
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["x-content-type-options"], "nosniff");
    assert_eq!(r.headers()["referrer-policy"], "no-referrer");
    assert_eq!(
        r.headers()["content-security-policy"],
        "frame-ancestors 'none'"
    );
    server.stop();
}
