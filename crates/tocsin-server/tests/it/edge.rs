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

#[tokio::test]
async fn each_key_is_rate_limited_with_the_protocols_throttling_error() {
    let server = TestServer::start_with(tocsin_server::ServerConfig {
        rate_limit_per_key: 2,
        ..Default::default()
    })
    .await;
    let (id, secret) = server.key("busy", tocsin_api::auth::Role::Viewer).await;
    let busy = crate::support::bearer_client(&id, &secret);
    let mut statuses = Vec::new();
    for _ in 0..12 {
        let r = busy
            .get(format!("{}/v1/whoami", server.base))
            .send()
            .await
            .unwrap();
        statuses.push(r.status().as_u16());
        if r.status() == 429 {
            let body: serde_json::Value = r.json().await.unwrap();
            assert_eq!(body["__type"], "ThrottlingException");
        }
    }
    assert!(
        statuses.contains(&200) && statuses.contains(&429),
        "{statuses:?}"
    );
    let aws = busy
        .post(format!("{}/", server.base))
        .header("X-Amz-Target", "AWSEvents.ListRules")
        .header("Content-Type", "application/x-amz-json-1.1")
        .body("{}")
        .send()
        .await
        .unwrap();
    assert_eq!(aws.status(), 400);
    assert_eq!(aws.headers()["x-amzn-ErrorType"], "ThrottlingException");
    // Another key has its own allowance.
    let r = server.get("/v1/whoami").await;
    assert_eq!(r.status(), 200);
    server.stop();
}

#[tokio::test]
async fn streams_beyond_the_cap_are_refused_with_a_reason() {
    let server = TestServer::start_with(tocsin_server::ServerConfig {
        max_streams: 2,
        ..Default::default()
    })
    .await;
    let first = server.get("/v1/stream").await;
    let second = server.get("/v1/stream").await;
    assert_eq!(
        (first.status().as_u16(), second.status().as_u16()),
        (200, 200)
    );
    let third = server.get("/v1/stream").await;
    assert_eq!(third.status(), 503);
    let body: serde_json::Value = third.json().await.unwrap();
    assert!(
        body["message"].as_str().unwrap().contains("--max-streams"),
        "{body}"
    );
    drop(first);
    // The closed stream's place comes free (the server notices the closed connection).
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(15);
    loop {
        let again = server.get("/v1/stream").await;
        if again.status() == 200 {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the place never came free"
        );
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    drop(second);
    server.stop();
}

/// Reads from `stream` until the server closes it or `limit` passes; returns what arrived
/// and whether the connection was closed.
async fn read_until_closed(
    stream: &mut tokio::net::TcpStream,
    limit: std::time::Duration,
) -> (String, bool) {
    use tokio::io::AsyncReadExt;
    let mut got = Vec::new();
    let mut buf = [0u8; 4096];
    let deadline = tokio::time::Instant::now() + limit;
    loop {
        match tokio::time::timeout_at(deadline, stream.read(&mut buf)).await {
            Err(_) => return (String::from_utf8_lossy(&got).into_owned(), false),
            Ok(Ok(0)) | Ok(Err(_)) => return (String::from_utf8_lossy(&got).into_owned(), true),
            Ok(Ok(n)) => got.extend_from_slice(&buf[..n]),
        }
    }
}

#[tokio::test]
async fn slow_and_idle_connections_are_closed() {
    use tokio::io::AsyncWriteExt;
    let server = TestServer::start_with(tocsin_server::ServerConfig {
        header_read_timeout: std::time::Duration::from_secs(1),
        body_read_timeout: std::time::Duration::from_secs(1),
        ..Default::default()
    })
    .await;
    let addr = server.base.trim_start_matches("http://").to_owned();
    // Generous limits: a loaded machine may be slow, but never 20 times slower.
    let limit = std::time::Duration::from_secs(20);

    // Connects and sends nothing.
    let mut silent = tokio::net::TcpStream::connect(&addr).await.unwrap();
    let (got, closed) = read_until_closed(&mut silent, limit).await;
    assert!(closed, "a silent connection stayed open: {got:?}");

    // Sends half a request head, then stalls (slowloris).
    let mut slow = tokio::net::TcpStream::connect(&addr).await.unwrap();
    slow.write_all(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-A: ")
        .await
        .unwrap();
    let (got, closed) = read_until_closed(&mut slow, limit).await;
    assert!(
        closed,
        "a stalled request head kept its connection: {got:?}"
    );

    // One request answered, then the kept-alive connection idles.
    let mut idle = tokio::net::TcpStream::connect(&addr).await.unwrap();
    idle.write_all(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        .await
        .unwrap();
    let (got, closed) = read_until_closed(&mut idle, limit).await;
    assert!(got.starts_with("HTTP/1.1 200"), "{got:?}");
    assert!(closed, "an idle kept-alive connection stayed open");

    // A body that never finishes arriving: refused with a reason, nothing written.
    let (id, secret) = &server.admin;
    let mut trickle = tokio::net::TcpStream::connect(&addr).await.unwrap();
    let head = format!(
        "POST /createResponsePlan HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {id}:{secret}\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{{\"name\":"
    );
    trickle.write_all(head.as_bytes()).await.unwrap();
    let (got, _) = read_until_closed(&mut trickle, limit).await;
    let status: u16 = got
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    assert!((400..500).contains(&status), "{got:?}");
    assert!(
        got.contains("not received within the designated timeout"),
        "{got:?}"
    );
    let (code, plans) = server.rest("/listResponsePlans", &json!({})).await;
    assert_eq!(code, 200);
    assert_eq!(plans["responsePlanSummaries"], json!([]), "{plans}");

    // The server still answers.
    assert_eq!(server.get("/healthz").await.status(), 200);
    server.stop();
}
