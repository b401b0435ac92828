//! Upgrade: a database written by the release before migration 0018 (kept as a fixture,
//! made by `scripts/make-migration-fixture.py`) is opened by the real binary, migrated, and
//! serves what it held: the plan, the rule and its target, the incident, the events, the
//! admin key.

use serde_json::{Value, json};

use crate::support::Tocsin;

const FIXTURE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/schema-0017");

#[tokio::test]
async fn the_previous_schema_upgrades_and_keeps_its_data() {
    let dir = tempfile::tempdir().unwrap();
    for name in ["tocsin.db", "server.key", "admin-credentials"] {
        std::fs::copy(format!("{FIXTURE}/{name}"), dir.path().join(name)).unwrap();
    }
    let path = dir.path().join("tocsin.db");
    let db = format!("sqlite://{}", path.display());
    let before = sqlx::SqlitePool::connect(&db).await.unwrap();
    let version: i64 = sqlx::query_scalar("SELECT MAX(version) FROM _sqlx_migrations")
        .fetch_one(&before)
        .await
        .unwrap();
    assert_eq!(version, 17, "the fixture is the 0017 schema");
    before.close().await;

    let server = Tocsin::start(&db, &[]).await;
    let post = |path: &str, target: Option<&str>, body: Value| {
        let mut req = server
            .client
            .post(format!("{}{path}", server.base))
            .body(body.to_string());
        if let Some(t) = target {
            req = req
                .header("X-Amz-Target", t)
                .header("Content-Type", "application/x-amz-json-1.1");
        }
        async move {
            let r = req.send().await.unwrap();
            assert!(r.status().is_success(), "{}", r.status());
            r.json::<Value>().await.unwrap()
        }
    };
    let incidents = post("/listIncidentRecords", None, json!({})).await;
    let list = incidents["incidentRecordSummaries"].as_array().unwrap();
    assert_eq!(list.len(), 1, "{incidents}");
    assert_eq!(list[0]["title"], "Database down");
    let targets = post(
        "/",
        Some("AWSEvents.ListTargetsByRule"),
        json!({"Rule": "db-alarms"}),
    )
    .await;
    assert_eq!(targets["Targets"][0]["Id"], "plan", "{targets}");
    // The upgraded database takes new events, which still deduplicate into the incident.
    let alarm = crate::support::alarm_entry();
    let put = post(
        "/",
        Some("AWSEvents.PutEvents"),
        json!({"Entries": [alarm]}),
    )
    .await;
    assert_eq!(put["FailedEntryCount"], 0);
    let incidents = post("/listIncidentRecords", None, json!({})).await;
    assert_eq!(
        incidents["incidentRecordSummaries"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    drop(server);

    let after = sqlx::SqlitePool::connect(&db).await.unwrap();
    let version: i64 = sqlx::query_scalar("SELECT MAX(version) FROM _sqlx_migrations")
        .fetch_one(&after)
        .await
        .unwrap();
    assert!(version >= 18);
    let indexes: Vec<String> = sqlx::query_scalar(
        "SELECT name FROM sqlite_master WHERE type = 'index' AND name IN ('events_received', 'client_tokens_created') ORDER BY name",
    )
    .fetch_all(&after)
    .await
    .unwrap();
    assert_eq!(indexes, ["client_tokens_created", "events_received"]);
    let events: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM events")
        .fetch_one(&after)
        .await
        .unwrap();
    assert_eq!(events, 3, "two from the old release, one after the upgrade");
    let check: String = sqlx::query_scalar("PRAGMA integrity_check")
        .fetch_one(&after)
        .await
        .unwrap();
    assert_eq!(check, "ok");
}
