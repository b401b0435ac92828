//! Background workers cannot silently stop: a worker made to panic (the `test-hooks`
//! feature's fault injection, never a production flag) is reported down on `/healthz`
//! (503), restarted after its back-off, and reported up again; the server keeps working.
//!
//! Its own test binary, because the hook is process-wide: no other server may run here.

#![cfg(feature = "test-hooks")]
#![allow(
    clippy::unwrap_used,
    reason = "test helpers: a panic is a failed assertion"
)]
#![allow(missing_docs, reason = "test crate")]

#[path = "it/support.rs"]
#[allow(dead_code, reason = "shared helpers; this binary uses a few")]
mod support;

use std::time::{Duration, Instant};

use serde_json::{Value, json};
use tocsin_server::ServerConfig;
use tocsin_server::worker::hooks::panic_worker;

use support::{TestServer, alarm_entry};

/// The hooks are process-wide: the tests here take turns.
static SERIAL: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

fn worker<'a>(health: &'a Value, name: &str) -> &'a Value {
    health["workers"]
        .as_array()
        .unwrap()
        .iter()
        .find(|w| w["name"] == name)
        .unwrap()
}

/// Polls `/healthz` until `want` holds (at most 20 s); returns the last answer.
async fn wait_health(server: &TestServer, what: &str, want: impl Fn(u16, &Value) -> bool) -> Value {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let (status, body) = server.raw_get("/healthz").await;
        if want(status, &body) {
            return body;
        }
        assert!(
            Instant::now() < deadline,
            "{what}: last answer {status} {body}"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

#[tokio::test]
async fn a_panicking_worker_is_reported_down_then_restarted() {
    let _turn = SERIAL.lock().await;
    let server = TestServer::start_with(ServerConfig {
        // Long enough that a loaded machine's poll sees the worker down.
        worker_backoff: Duration::from_millis(1500),
        ..ServerConfig::default()
    })
    .await;
    let up = wait_health(&server, "all up at start", |s, _| s == 200).await;
    assert_eq!(up["status"], "ok");
    assert_eq!(worker(&up, "delivery")["state"], "up");
    assert_eq!(worker(&up, "matcher")["state"], "up");

    server.alarm_route("before", 3).await;
    for name in ["delivery", "matcher", "ingest"] {
        panic_worker(name);
        // Any commit wakes both workers, which then reach their checkpoint; the ingest
        // writer reaches its own after it has committed and answered the batch (on its own
        // thread, so a panic there comes back to the supervisor as an error).
        let (status, body) = server
            .events("PutEvents", &json!({"Entries": [alarm_entry()]}))
            .await;
        assert_eq!(status, 200, "{body}");
        let down = wait_health(&server, &format!("{name} down"), |s, b| {
            s == 503 && worker(b, name)["state"] == "down"
        })
        .await;
        assert_eq!(down["status"], "degraded");
        assert!(
            worker(&down, name)["lastError"]
                .as_str()
                .unwrap()
                .contains("asked to panic"),
            "{down}"
        );
        let back = wait_health(&server, &format!("{name} back up"), |s, b| {
            s == 200 && worker(b, name)["state"] == "up"
        })
        .await;
        assert_eq!(worker(&back, name)["restarts"], 1);
    }
    // After the restarts, rules still compile and events still open incidents.
    server.alarm_route("after", 2).await;
    assert_eq!(
        server.send_alarm_and_count_incidents().await,
        2,
        "the rule from before and the rule from after both matched"
    );
    server.stop();
}

#[tokio::test]
async fn a_rule_stored_by_a_disconnected_client_matches_the_next_event() {
    use tocsin_server::worker::hooks::{hold_worker, release_worker};
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let _turn = SERIAL.lock().await;

    let server = TestServer::start().await;
    let (status, created) = server
        .rest(
            "/createResponsePlan",
            &json!({"name": "gone", "incidentTemplate": {"title": "Gone", "impact": 2}}),
        )
        .await;
    assert_eq!(status, 201, "{created}");
    let plan_arn = created["arn"].as_str().unwrap().to_owned();
    let pattern = json!({"source": ["aws.cloudwatch"]}).to_string();
    let (status, body) = server
        .events("PutRule", &json!({"Name": "gone", "EventPattern": pattern}))
        .await;
    assert_eq!(status, 200, "{body}");

    // The matcher is held, so PutTargets commits and then waits for it to compile.
    hold_worker("matcher");
    let addr = server.base.trim_start_matches("http://").to_owned();
    let mut socket = tokio::net::TcpStream::connect(&addr).await.unwrap();
    let body = json!({"Rule": "gone", "Targets": [{"Id": "plan", "Arn": plan_arn}]}).to_string();
    let request = format!(
        "POST / HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {}:{}\r\nX-Amz-Target: AWSEvents.PutTargets\r\nContent-Type: application/x-amz-json-1.1\r\nContent-Length: {}\r\n\r\n{body}",
        server.admin.0,
        server.admin.1,
        body.len()
    );
    socket.write_all(request.as_bytes()).await.unwrap();
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let (status, body) = server
            .events("ListTargetsByRule", &json!({"Rule": "gone"}))
            .await;
        assert_eq!(status, 200, "{body}");
        if body["Targets"].as_array().is_some_and(|t| !t.is_empty()) {
            break;
        }
        assert!(Instant::now() < deadline, "the target was never stored");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    // Stored, and no answer yet: the request is waiting for the matcher.
    let mut buf = [0u8; 64];
    let early = tokio::time::timeout(Duration::from_millis(300), socket.read(&mut buf)).await;
    assert!(
        early.is_err(),
        "PutTargets answered before the matcher compiled it"
    );
    // The client goes away; the server drops the request.
    drop(socket);
    tokio::time::sleep(Duration::from_millis(200)).await;
    release_worker("matcher");

    // The matcher follows the feed on its own: once it reaches the feed's end, the next
    // event opens an incident.
    let (_, wall) = server.raw_get("/v1/wall").await;
    let position = wall["asOfChangeId"].as_i64().unwrap();
    wait_health(&server, "matcher caught up", |s, b| {
        s == 200 && b["matcherFeedId"].as_i64().unwrap() >= position
    })
    .await;
    assert_eq!(
        server.send_alarm_and_count_incidents().await,
        1,
        "the stored rule matched the next event"
    );
    server.stop();
}
