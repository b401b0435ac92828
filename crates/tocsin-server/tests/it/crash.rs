//! Crash safety under load, with the real binary: PutEvents from several concurrent
//! clients while the server is killed with SIGKILL 20 times and restarted on the same
//! SQLite file. Afterwards every acknowledged event is stored exactly once, no effect is
//! duplicated (each stored event has exactly one delivery row for its one HTTP target, one
//! `eventReceived` feed entry), and `PRAGMA integrity_check` is ok.
//!
//! `make test` runs it scaled to the test budget (`TOCSIN_CRASH_EVENTS`, default 600
//! events); `make crash-test` runs the full size (10,000 events, 20 kills).

use std::collections::HashSet;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Duration;

use serde_json::{Value, json};

use crate::support::{Tocsin, alarm_entry};

const KILLS: usize = 20;
const CLIENTS: usize = 6;

async fn call(client: &reqwest::Client, base: &str, target: &str, body: Value) -> Option<Value> {
    let r = client
        .post(format!("{base}/"))
        .header("X-Amz-Target", target)
        .header("Content-Type", "application/x-amz-json-1.1")
        .body(body.to_string())
        .timeout(Duration::from_secs(10))
        .send()
        .await
        .ok()?;
    if !r.status().is_success() {
        return None;
    }
    r.json().await.ok()
}

#[tokio::test]
async fn acknowledged_events_survive_twenty_kills_exactly_once() {
    let total: usize = std::env::var("TOCSIN_CRASH_EVENTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(600);
    let per_life = total.div_ceil(KILLS);
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}", dir.path().join("crash.db").display());

    let mut acked: Vec<String> = Vec::new();
    for life in 0..KILLS {
        let mut server = Tocsin::start(&db, &[]).await;
        if life == 0 {
            let pattern = json!({"source": ["aws.cloudwatch"]}).to_string();
            call(
                &server.client,
                &server.base,
                "AWSEvents.PutRule",
                json!({"Name": "r", "EventPattern": pattern}),
            )
            .await
            .unwrap();
            // An HTTP target: one delivery row per event, written with it.
            call(
                &server.client,
                &server.base,
                "AWSEvents.PutTargets",
                json!({"Rule": "r", "Targets": [{"Id": "hook", "Arn": "https://hooks.example.invalid/x"}]}),
            )
            .await
            .unwrap();
        }
        // Clients send until this life's share is acknowledged; the kill lands while
        // requests are in flight.
        let sent = Arc::new(AtomicUsize::new(0));
        let stop = Arc::new(AtomicBool::new(false));
        let clients: Vec<_> = (0..CLIENTS)
            .map(|_| {
                let (client, base) = (server.client.clone(), server.base.clone());
                let (sent, stop) = (sent.clone(), stop.clone());
                tokio::spawn(async move {
                    let mut mine = Vec::new();
                    while !stop.load(Ordering::SeqCst) {
                        let Some(answer) = call(
                            &client,
                            &base,
                            "AWSEvents.PutEvents",
                            json!({"Entries": [alarm_entry(), alarm_entry()]}),
                        )
                        .await
                        else {
                            break;
                        };
                        for e in answer["Entries"].as_array().into_iter().flatten() {
                            if let Some(id) = e["EventId"].as_str() {
                                mine.push(id.to_owned());
                            }
                        }
                        sent.fetch_add(2, Ordering::SeqCst);
                    }
                    mine
                })
            })
            .collect();
        while sent.load(Ordering::SeqCst) < per_life {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        server.child.kill().unwrap();
        server.child.wait().unwrap();
        stop.store(true, Ordering::SeqCst);
        for c in clients {
            acked.extend(c.await.unwrap());
        }
    }
    assert!(acked.len() >= total, "{} acknowledged", acked.len());

    let pool = sqlx::SqlitePool::connect(&db).await.unwrap();
    let check: String = sqlx::query_scalar("PRAGMA integrity_check")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(check, "ok");
    let stored: Vec<String> = sqlx::query_scalar("SELECT event_id FROM events")
        .fetch_all(&pool)
        .await
        .unwrap();
    let stored_set: HashSet<&String> = stored.iter().collect();
    assert_eq!(stored_set.len(), stored.len(), "an event stored twice");
    let missing = acked.iter().filter(|id| !stored_set.contains(id)).count();
    assert_eq!(
        missing,
        0,
        "{missing} of {} acknowledged events lost",
        acked.len()
    );
    let unique_acked: HashSet<&String> = acked.iter().collect();
    assert_eq!(
        unique_acked.len(),
        acked.len(),
        "an event id acknowledged twice"
    );
    // Effects exactly once: one delivery and one eventReceived entry per stored event.
    let deliveries: Vec<(String, i64)> = sqlx::query_as(
        "SELECT json_extract(body, '$.eventId'), COUNT(*) FROM deliveries GROUP BY 1",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    assert_eq!(
        deliveries.len(),
        stored.len(),
        "every stored event has its delivery"
    );
    assert!(
        deliveries.iter().all(|(_, n)| *n == 1),
        "a delivery duplicated"
    );
    let received: i64 = sqlx::query_scalar(
        "SELECT COUNT(DISTINCT json_extract(body, '$.data.eventId')) - COUNT(*) FROM change_feed WHERE json_extract(body, '$.kind') = 'eventReceived'",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(received, 0, "an eventReceived entry duplicated");
    let feed_events: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM change_feed WHERE json_extract(body, '$.kind') = 'eventReceived'",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(feed_events as usize, stored.len());
}
