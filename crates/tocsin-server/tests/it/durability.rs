//! An acknowledged event survives SIGKILL: the real binary, killed without warning,
//! restarted on the same SQLite file.

use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::support::{Tocsin, alarm_entry};

async fn post(client: &reqwest::Client, url: String, target: Option<&str>, body: Value) -> Value {
    let mut req = client.post(url).body(body.to_string());
    if let Some(t) = target {
        req = req
            .header("X-Amz-Target", t)
            .header("Content-Type", "application/x-amz-json-1.1");
    }
    let r = req.send().await.unwrap();
    assert!(r.status().is_success(), "{}", r.status());
    r.json().await.unwrap_or(Value::Null)
}

/// Reads `/v1/stream?lastEventId=0` until `want` entries arrived, or (with `want` 0) until
/// the stream has been quiet for a second; 10 s at most.
pub(crate) async fn read_feed(client: &reqwest::Client, base: &str, want: usize) -> Vec<Value> {
    let mut response = client
        .get(format!("{base}/v1/stream?lastEventId=0"))
        .send()
        .await
        .unwrap();
    let mut text = String::new();
    let deadline = Instant::now() + Duration::from_secs(10);
    let mut entries = Vec::new();
    while (want == 0 || entries.len() < want) && Instant::now() < deadline {
        match tokio::time::timeout(Duration::from_secs(1), response.chunk()).await {
            Ok(Ok(Some(bytes))) => text.push_str(&String::from_utf8_lossy(&bytes)),
            Ok(_) => break,
            Err(_) if want == 0 && !text.is_empty() => break,
            Err(_) => {}
        }
        entries = text
            .lines()
            .filter_map(|l| l.strip_prefix("data: "))
            .filter_map(|d| serde_json::from_str::<Value>(d).ok())
            .collect();
    }
    entries
}

#[tokio::test]
async fn acknowledged_event_survives_sigkill() {
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}", dir.path().join("durable.db").display());

    let mut first = Tocsin::start(&db, &[]).await;
    let plan = post(
        &first.client,
        format!("{}/createResponsePlan", first.base),
        None,
        json!({"name": "durable", "incidentTemplate": {"title": "Durable", "impact": 1}}),
    )
    .await;
    let pattern = json!({"source": ["aws.cloudwatch"]}).to_string();
    post(
        &first.client,
        format!("{}/", first.base),
        Some("AWSEvents.PutRule"),
        json!({"Name": "r", "EventPattern": pattern}),
    )
    .await;
    post(
        &first.client,
        format!("{}/", first.base),
        Some("AWSEvents.PutTargets"),
        json!({"Rule": "r", "Targets": [{"Id": "p", "Arn": plan["arn"]}]}),
    )
    .await;
    let acked = post(
        &first.client,
        format!("{}/", first.base),
        Some("AWSEvents.PutEvents"),
        json!({"Entries": [alarm_entry()]}),
    )
    .await;
    assert_eq!(acked["FailedEntryCount"], 0);
    let event_id = acked["Entries"][0]["EventId"].as_str().unwrap().to_owned();
    let feed_before = read_feed(&first.client, &first.base, 0).await;

    // SIGKILL right after the 200: no graceful shutdown, no chance to flush.
    first.child.kill().unwrap();
    first.child.wait().unwrap();

    let mut second = Tocsin::start(&db, &[]).await;
    let list = post(
        &second.client,
        format!("{}/listIncidentRecords", second.base),
        None,
        json!({}),
    )
    .await;
    let incidents = list["incidentRecordSummaries"].as_array().unwrap();
    assert_eq!(incidents.len(), 1, "{list}");
    assert_eq!(incidents[0]["title"], "Durable");
    assert_eq!(incidents[0]["status"], "OPEN");

    let feed_after = read_feed(&second.client, &second.base, feed_before.len()).await;
    assert_eq!(
        feed_after, feed_before,
        "the change feed must be intact after SIGKILL"
    );
    let kinds: Vec<&str> = feed_after
        .iter()
        .filter_map(|e| e["change"]["kind"].as_str())
        .collect();
    assert!(kinds.contains(&"incidentCreated"), "{kinds:?}");
    assert!(
        feed_after
            .iter()
            .any(|e| e["change"]["kind"] == "eventReceived"
                && e["change"]["data"]["eventId"] == event_id.as_str()),
        "the acknowledged event's feed entry is missing"
    );
    let ids: Vec<i64> = feed_after
        .iter()
        .map(|e| e["id"].as_i64().unwrap())
        .collect();
    assert!(
        ids.windows(2).all(|w| w[0] < w[1]),
        "ids must increase: {ids:?}"
    );
    second.child.kill().unwrap();
    second.child.wait().unwrap();
}

/// Sends `n` PutEvents requests at once (two events each); returns the acknowledged ids.
async fn burst(client: &reqwest::Client, base: &str, n: usize) -> Vec<String> {
    let requests = (0..n).map(|_| {
        post(
            client,
            format!("{base}/"),
            Some("AWSEvents.PutEvents"),
            json!({"Entries": [alarm_entry(), alarm_entry()]}),
        )
    });
    futures::future::join_all(requests)
        .await
        .into_iter()
        .flat_map(|answer| {
            assert_eq!(answer["FailedEntryCount"], 0, "{answer}");
            answer["Entries"]
                .as_array()
                .unwrap()
                .iter()
                .map(|e| e["EventId"].as_str().unwrap().to_owned())
                .collect::<Vec<_>>()
        })
        .collect()
}

#[tokio::test]
async fn group_commit_acknowledges_only_what_is_committed() {
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}", dir.path().join("grouped.db").display());
    let server = Tocsin::start(&db, &[]).await;
    let pattern = json!({"source": ["aws.cloudwatch"]}).to_string();
    post(
        &server.client,
        format!("{}/", server.base),
        Some("AWSEvents.PutRule"),
        json!({"Name": "r", "EventPattern": pattern}),
    )
    .await;
    // Concurrent requests share transactions: the batch-size histogram says so.
    let warm = burst(&server.client, &server.base, 64).await;
    assert_eq!(warm.len(), 128);
    let metrics = server
        .client
        .get(format!("{}/metrics", server.base))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let value = |name: &str| -> f64 {
        metrics
            .lines()
            .find_map(|l| l.strip_prefix(name).and_then(|v| v.trim().parse().ok()))
            .unwrap_or_else(|| panic!("no {name} in {metrics}"))
    };
    let (sum, count) = (
        value("tocsin_group_commit_batch_size_sum "),
        value("tocsin_group_commit_batch_size_count "),
    );
    assert!(
        sum >= 64.0 && count < sum,
        "64 concurrent requests took {count} transactions"
    );

    // SIGKILL right after a burst of concurrent acknowledgements: every acknowledged
    // event is stored.
    let mut server = server;
    let acked = burst(&server.client, &server.base, 64).await;
    server.child.kill().unwrap();
    server.child.wait().unwrap();
    let pool = sqlx::SqlitePool::connect(&db).await.unwrap();
    let stored: std::collections::HashSet<String> =
        sqlx::query_scalar("SELECT event_id FROM events")
            .fetch_all(&pool)
            .await
            .unwrap()
            .into_iter()
            .collect();
    let missing: Vec<&String> = acked
        .iter()
        .chain(&warm)
        .filter(|id| !stored.contains(*id))
        .collect();
    assert!(missing.is_empty(), "acknowledged but lost: {missing:?}");
    assert_eq!(stored.len(), 256);
}
