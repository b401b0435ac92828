//! Retention on a real SQLite file: expired events, change-feed entries and client tokens
//! are deleted by the job while what is younger (and incident records) stays; a stream
//! resuming from below the deleted feed gets a `reset` event; an expired client token is
//! new again.

use std::time::{Duration, Instant};

use serde_json::json;
use tocsin_server::ServerConfig;
use tocsin_server::config::Retention;

use crate::stream::{read_until, sse_events};
use crate::support::TestServer;

async fn count(server: &TestServer, table: &str) -> i64 {
    sqlx::query_scalar(&format!("SELECT COUNT(*) FROM {table}"))
        .fetch_one(server.store.pool())
        .await
        .unwrap()
}

#[tokio::test]
async fn expired_rows_are_deleted_and_old_stream_positions_are_reset() {
    let keep = Some(Duration::from_secs(2));
    let server = TestServer::start_with(ServerConfig {
        retention: Retention {
            events: keep,
            feed: keep,
            delivered: keep,
            client_tokens: keep,
            interval: Duration::from_millis(200),
            batch: 3,
        },
        ..Default::default()
    })
    .await;
    let plan = server.alarm_route("kept", 3).await;
    assert_eq!(server.send_alarm_and_count_incidents().await, 1);
    let start = |token: &str| {
        let body = json!({"responsePlanArn": plan, "title": "manual", "clientToken": token});
        let server = &server;
        async move {
            let (s, b) = server.rest("/startIncident", &body).await;
            assert_eq!(s, 200, "{b}");
            b["incidentRecordArn"].as_str().unwrap().to_owned()
        }
    };
    let first = start("tok-1").await;
    assert_eq!(
        start("tok-1").await,
        first,
        "within the window the token answers the first result"
    );
    assert!(count(&server, "events").await >= 1);
    let oldest_id: i64 = sqlx::query_scalar("SELECT MIN(id) FROM change_feed")
        .fetch_one(server.store.pool())
        .await
        .unwrap();

    // Everything written so far expires after 2 s; batches of 3 rows each.
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let left = count(&server, "events").await
            + count(&server, "change_feed").await
            + count(&server, "client_tokens").await;
        if left == 0 {
            break;
        }
        assert!(Instant::now() < deadline, "{left} expired rows still there");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    // Incident records are not subject to retention.
    assert_eq!(count(&server, "incidents").await, 2);

    // After expiry the same client token starts a new incident.
    let second = start("tok-1").await;
    assert_ne!(second, first);

    // A fresh entry now exists; resuming from the first id ever written gets a reset
    // naming the newest entry, then live entries.
    let newest: i64 = sqlx::query_scalar("SELECT MAX(id) FROM change_feed")
        .fetch_one(server.store.pool())
        .await
        .unwrap();
    let resumed = server
        .get(&format!("/v1/stream?lastEventId={oldest_id}"))
        .await;
    let text = read_until(resumed, Duration::from_secs(5), |t| {
        t.contains("event: reset")
    })
    .await;
    let events = sse_events(&text);
    let (name, id, data) = &events[0];
    assert_eq!((name.as_str(), *id), ("reset", Some(newest)), "{text}");
    let data: serde_json::Value = serde_json::from_str(data).unwrap();
    assert_eq!(data["lastEventId"], oldest_id);
    assert_eq!(data["latestId"], newest);
    assert!(
        data["reason"]
            .as_str()
            .unwrap()
            .contains("older than the retained"),
        "{data}"
    );

    // Resuming from the floor itself (nothing missed) is not a reset.
    let resumed = server
        .get(&format!("/v1/stream?lastEventId={newest}"))
        .await;
    let (s, _) = server
        .rest(
            "/updateIncidentRecord",
            &json!({"arn": second, "impact": 1}),
        )
        .await;
    assert_eq!(s, 204);
    let text = read_until(resumed, Duration::from_secs(5), |t| {
        t.contains("incidentUpdated")
    })
    .await;
    assert!(!text.contains("event: reset"), "{text}");
    assert!(text.contains("incidentUpdated"), "{text}");
    server.stop();
}
