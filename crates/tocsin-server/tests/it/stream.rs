//! The SSE stream over a real socket: live delivery, resume with `Last-Event-ID`,
//! keep-alive comments, and the end of the stream at shutdown.

use std::time::{Duration, Instant};

use serde_json::{Value, json};
use tocsin_server::ServerConfig;

use crate::support::TestServer;

/// Collects raw SSE text until `done(text)` or the timeout.
pub async fn read_until(
    mut response: reqwest::Response,
    timeout: Duration,
    done: impl Fn(&str) -> bool,
) -> String {
    let mut text = String::new();
    let deadline = Instant::now() + timeout;
    while !done(&text) && Instant::now() < deadline {
        match tokio::time::timeout(Duration::from_millis(200), response.chunk()).await {
            Ok(Ok(Some(bytes))) => text.push_str(&String::from_utf8_lossy(&bytes)),
            Ok(_) => break,
            Err(_) => {}
        }
    }
    text
}

/// Every SSE event in `text` as (event name, id, data); unnamed events are "message".
pub fn sse_events(text: &str) -> Vec<(String, Option<i64>, String)> {
    text.split("\n\n")
        .filter_map(|block| {
            let mut name = "message".to_owned();
            let mut id = None;
            let mut data = None;
            for line in block.lines() {
                if let Some(v) = line.strip_prefix("event: ") {
                    name = v.to_owned();
                } else if let Some(v) = line.strip_prefix("id: ") {
                    id = v.parse().ok();
                } else if let Some(v) = line.strip_prefix("data: ") {
                    data = Some(v.to_owned());
                }
            }
            data.map(|d| (name, id, d))
        })
        .collect()
}

fn entries(text: &str) -> Vec<Value> {
    text.lines()
        .filter_map(|l| l.strip_prefix("data: "))
        .map(|d| serde_json::from_str(d).unwrap())
        .collect()
}

#[tokio::test]
async fn stream_delivers_live_and_resumes_after_last_event_id() {
    let server = TestServer::start_with(ServerConfig {
        keep_alive: Duration::from_millis(300),
        ..Default::default()
    })
    .await;
    let plan = server.alarm_route("live", 3).await;

    // A client that starts now sees only what happens from now on.
    let live = server.get("/v1/stream").await;
    assert_eq!(live.headers()["content-type"], "text/event-stream");
    let (s, started) = server
        .rest(
            "/startIncident",
            &json!({"responsePlanArn": plan, "title": "first"}),
        )
        .await;
    assert_eq!(s, 200);
    let arn = started["incidentRecordArn"].as_str().unwrap().to_owned();
    let text = read_until(live, Duration::from_secs(5), |t| {
        t.contains("incidentCreated") && t.contains(": keep-alive")
    })
    .await;
    let got = entries(&text);
    assert!(
        got.iter().any(|e| e["change"]["kind"] == "incidentCreated"
            && e["change"]["data"]["incident"]["arn"] == arn.as_str()),
        "{text}"
    );
    assert!(
        got.iter().all(|e| e["change"]["kind"] != "ruleChanged"),
        "entries before connecting were sent: {text}"
    );
    assert!(
        text.contains(": keep-alive"),
        "no keep-alive comment in {text}"
    );
    let position = |kind: &str| {
        got.iter()
            .position(|e| e["change"]["kind"] == kind)
            .unwrap()
    };
    assert!(
        position("incidentCreated") < position("timelineEventAdded"),
        "an incident is announced before its first timeline entry: {text}"
    );
    let ids: Vec<i64> = got.iter().map(|e| e["id"].as_i64().unwrap()).collect();
    assert!(ids.windows(2).all(|w| w[0] < w[1]));
    let last_seen = *ids.last().unwrap();

    // While "disconnected", more happens.
    let (s, _) = server
        .rest("/updateIncidentRecord", &json!({"arn": arn, "impact": 1}))
        .await;
    assert_eq!(s, 204);

    // Reconnecting with Last-Event-ID gets exactly what was missed, nothing twice.
    let resumed = server
        .client
        .get(format!("{}/v1/stream", server.base))
        .header("Last-Event-ID", last_seen.to_string())
        .send()
        .await
        .unwrap();
    let text = read_until(resumed, Duration::from_secs(5), |t| {
        t.contains("incidentUpdated")
    })
    .await;
    let missed = entries(&text);
    assert!(!missed.is_empty());
    assert!(
        missed.iter().all(|e| e["id"].as_i64().unwrap() > last_seen),
        "{text}"
    );
    assert!(
        missed
            .iter()
            .any(|e| e["change"]["kind"] == "incidentUpdated"
                && e["change"]["data"]["incident"]["impact"] == 1)
    );
    let from_db = server.store.pool();
    let expected: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM change_feed WHERE id > ?")
        .bind(last_seen)
        .fetch_one(from_db)
        .await
        .unwrap();
    assert_eq!(
        missed.len() as i64,
        expected,
        "resume must deliver every missed entry"
    );

    // The query form (EventSource cannot set headers) resumes the same way.
    let by_query = server
        .get(&format!("/v1/stream?lastEventId={last_seen}"))
        .await;
    let text = read_until(by_query, Duration::from_secs(5), |t| {
        entries(t).len() as i64 >= expected
    })
    .await;
    assert_eq!(entries(&text), missed);
    server.stop();
}

#[tokio::test]
async fn stream_ends_when_the_server_shuts_down() {
    let server = TestServer::start().await;
    let response = server.get("/v1/stream?lastEventId=0").await;
    let base = server.base.clone();
    server.stop();
    let mut response = response;
    let ended = tokio::time::timeout(Duration::from_secs(5), async {
        while let Ok(Some(_)) = response.chunk().await {}
    })
    .await;
    assert!(ended.is_ok(), "stream still open 5 s after shutdown");
    assert!(
        reqwest::get(format!("{base}/healthz")).await.is_err(),
        "server still answering"
    );
}

#[tokio::test]
async fn a_stream_resumed_after_the_newest_id_gets_a_reset_then_live_entries() {
    let server = TestServer::start().await;
    let plan = server.alarm_route("ahead", 3).await;
    let newest: i64 = sqlx::query_scalar("SELECT MAX(id) FROM change_feed")
        .fetch_one(server.store.pool())
        .await
        .unwrap();
    let asked = newest + 1000;
    let response = server
        .client
        .get(format!("{}/v1/stream", server.base))
        .header("Last-Event-ID", asked.to_string())
        .send()
        .await
        .unwrap();
    let (s, _) = server
        .rest(
            "/startIncident",
            &json!({"responsePlanArn": plan, "title": "after the reset"}),
        )
        .await;
    assert_eq!(s, 200);
    let text = read_until(response, Duration::from_secs(5), |t| {
        t.contains("incidentCreated")
    })
    .await;
    let events = sse_events(&text);
    let (name, id, data) = &events[0];
    assert_eq!((name.as_str(), *id), ("reset", Some(newest)), "{text}");
    let data: Value = serde_json::from_str(data).unwrap();
    assert_eq!(data["lastEventId"], asked);
    assert_eq!(data["latestId"], newest);
    assert!(
        data["reason"]
            .as_str()
            .unwrap()
            .contains("newer than the newest")
    );
    // Then every entry after the newest, in order, none before it.
    let ids: Vec<i64> = events[1..]
        .iter()
        .map(|(n, id, _)| {
            assert_eq!(n, "message");
            id.unwrap()
        })
        .collect();
    assert!(!ids.is_empty() && ids[0] == newest + 1, "{text}");
    assert!(ids.windows(2).all(|w| w[1] == w[0] + 1), "{text}");
    server.stop();
}

#[tokio::test]
async fn many_streams_see_every_change_once_and_in_order() {
    let server = TestServer::start().await;
    let plan = server.alarm_route("fan-out", 3).await;
    let before: i64 = sqlx::query_scalar("SELECT MAX(id) FROM change_feed")
        .fetch_one(server.store.pool())
        .await
        .unwrap();
    let mut streams = Vec::new();
    for _ in 0..50 {
        streams.push(server.get("/v1/stream").await);
    }
    for i in 0..20 {
        let (s, _) = server
            .rest(
                "/startIncident",
                &json!({"responsePlanArn": plan, "title": format!("n{i}")}),
            )
            .await;
        assert_eq!(s, 200);
    }
    let expected: Vec<i64> =
        sqlx::query_scalar("SELECT id FROM change_feed WHERE id > ? ORDER BY id")
            .bind(before)
            .fetch_all(server.store.pool())
            .await
            .unwrap();
    assert!(expected.len() >= 40, "{expected:?}");
    let newest = *expected.last().unwrap();
    for response in streams {
        let text = read_until(response, Duration::from_secs(10), |t| {
            t.contains(&format!("id: {newest}\n"))
        })
        .await;
        let ids: Vec<i64> = sse_events(&text)
            .iter()
            .map(|(_, id, _)| id.unwrap())
            .collect();
        assert_eq!(ids, expected, "every change once, in order");
    }
    server.stop();
}

#[tokio::test]
async fn the_outbound_heartbeat_pings_while_healthy() {
    let pings = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let counted = pings.clone();
    let app = axum::Router::new().route(
        "/ping/{token}",
        axum::routing::get(
            move |axum::extract::Path(token): axum::extract::Path<String>| {
                let counted = counted.clone();
                async move {
                    assert_eq!(token, "s3cret");
                    counted.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                    "ok"
                }
            },
        ),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/ping/s3cret", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    let server = TestServer::start_with(ServerConfig {
        heartbeat_url: Some(tocsin_server::config::SecretUrl(url)),
        heartbeat_interval: Duration::from_millis(200),
        ..Default::default()
    })
    .await;
    let deadline = Instant::now() + Duration::from_secs(10);
    while pings.load(std::sync::atomic::Ordering::SeqCst) < 3 {
        assert!(Instant::now() < deadline, "fewer than 3 heartbeats in 10 s");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    // Once the server stops, so do the pings: the switch can notice.
    server.stop();
    tokio::time::sleep(Duration::from_millis(500)).await;
    let stopped_at = pings.load(std::sync::atomic::Ordering::SeqCst);
    tokio::time::sleep(Duration::from_millis(800)).await;
    assert_eq!(pings.load(std::sync::atomic::Ordering::SeqCst), stopped_at);
}
