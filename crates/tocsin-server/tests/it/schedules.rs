//! Scheduled rules (`ScheduleExpression`): a `rate(1 minute)` rule fires on time across a
//! restart of a killed process, neither skipping nor doubling a firing; after downtime the
//! missed occurrences fire once; a firing reaches the rule's targets (an incident). And the
//! replay states a worker cannot be caught in from outside (cancelled, failed).

use serde_json::{Value, json};
use tocsin_server::clock;
use tocsin_server::store::Store;

use crate::support::{TestServer, Tocsin};

/// The `Scheduled Event`s stored in `db`: (envelope, received_at), oldest first.
async fn scheduled_events(db: &str) -> Vec<(Value, f64)> {
    let pool = sqlx::SqlitePool::connect(db).await.unwrap();
    let rows: Vec<(String, f64)> = sqlx::query_as(
        "SELECT body, received_at FROM events \
         WHERE json_extract(body, '$.detail-type') = 'Scheduled Event' ORDER BY received_at",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    pool.close().await;
    rows.into_iter()
        .map(|(b, at)| (serde_json::from_str(&b).unwrap(), at))
        .collect()
}

fn epoch(rfc3339: &Value) -> f64 {
    chrono::DateTime::parse_from_rfc3339(rfc3339.as_str().unwrap())
        .unwrap()
        .timestamp() as f64
}

async fn put_rule(client: &reqwest::Client, base: &str, body: Value) -> Value {
    let response = client
        .post(format!("{base}/"))
        .header("X-Amz-Target", "AWSEvents.PutRule")
        .header("Content-Type", "application/x-amz-json-1.1")
        .body(body.to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    response.json().await.unwrap()
}

/// When `rule_arn` fires next, as stored.
async fn next_firing(server: &TestServer, rule_arn: &str) -> Option<f64> {
    server
        .store
        .read()
        .await
        .unwrap()
        .schedule(rule_arn)
        .await
        .unwrap()
}

/// Stores `at` as `rule_arn`'s next firing (as if Tocsin had been down since).
async fn set_next_firing(server: &TestServer, rule_arn: &str, at: f64) {
    let mut tx = server.store.write().await.unwrap();
    tx.put_schedule(rule_arn, at).await.unwrap();
    tx.commit().await.unwrap();
}

/// Waits (20 s at most) until the worker moved `rule_arn`'s next firing past now; returns it.
async fn wait_advanced(server: &TestServer, rule_arn: &str, what: &str) -> f64 {
    let deadline = clock::now() + 20.0;
    loop {
        let next = next_firing(server, rule_arn).await.unwrap();
        if next > clock::now() {
            return next;
        }
        assert!(clock::now() < deadline, "{what}");
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn rate_rule_fires_on_time_across_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}", dir.path().join("sched.db").display());
    let first = Tocsin::start(&db, &[]).await;
    let created = clock::now();
    let rule = put_rule(
        &first.client,
        &first.base,
        json!({"Name": "tick", "ScheduleExpression": "rate(1 minute)"}),
    )
    .await;
    let rule_arn = rule["RuleArn"].as_str().unwrap().to_owned();

    // The first firing, one period after creation.
    let deadline = created + 100.0;
    while scheduled_events(&db).await.is_empty() {
        assert!(clock::now() < deadline, "rate(1 minute) did not fire");
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    // Killed right after it (no graceful shutdown), then started again at once.
    drop(first);
    let second = Tocsin::start(&db, &[]).await;
    let deadline = created + 160.0;
    while scheduled_events(&db).await.len() < 2 {
        assert!(clock::now() < deadline, "the second firing did not come");
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    // Long enough for a doubled firing to show.
    tokio::time::sleep(std::time::Duration::from_secs(3)).await;
    drop(second);
    let fired = scheduled_events(&db).await;
    assert_eq!(
        fired.len(),
        2,
        "one firing per minute, none doubled: {fired:?}"
    );
    for (i, (event, received_at)) in fired.iter().enumerate() {
        let due = created + 60.0 * (i as f64 + 1.0);
        // `time` is the occurrence (whole seconds); it arrived on time (a loaded machine's
        // tolerance).
        assert!((epoch(&event["time"]) - due).abs() <= 1.0, "{event}");
        assert!(
            *received_at >= due - 0.5 && *received_at - due < 15.0,
            "firing {i} due at {due} came at {received_at}"
        );
        assert_eq!(event["source"], "aws.events");
        assert_eq!(event["detail-type"], "Scheduled Event");
        assert_eq!(event["resources"], json!([rule_arn]));
        assert_eq!(event["detail"], json!({}));
    }
}

#[tokio::test]
async fn missed_firings_catch_up_once_and_reach_the_rules_targets() {
    let server = TestServer::start().await;
    let (status, plan) = server
        .rest(
            "/createResponsePlan",
            &json!({"name": "nightly", "incidentTemplate": {"title": "Nightly check", "impact": 4}}),
        )
        .await;
    assert_eq!(status, 201, "{plan}");
    let (status, rule) = server
        .events(
            "PutRule",
            &json!({"Name": "nightly", "ScheduleExpression": "rate(1 hour)"}),
        )
        .await;
    assert_eq!(status, 200, "{rule}");
    let rule_arn = rule["RuleArn"].as_str().unwrap().to_owned();
    let (status, body) = server
        .events(
            "PutTargets",
            &json!({"Rule": "nightly", "Targets": [{"Id": "plan", "Arn": plan["arn"]}]}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let (status, described) = server
        .events("DescribeRule", &json!({"Name": "nightly"}))
        .await;
    assert_eq!(status, 200);
    assert_eq!(described["ScheduleExpression"], "rate(1 hour)");
    assert!(described.get("EventPattern").is_none());

    // As if Tocsin had been down for three hours and a bit: the next firing was due
    // 3 h 10 min ago.
    let now = clock::now();
    let was_due = now - 3.0 * 3600.0 - 600.0;
    set_next_firing(&server, &rule_arn, was_due).await;
    let fired = wait_advanced(&server, &rule_arn, "the missed firing was not caught up").await;
    // One firing for the latest missed occurrence; the schedule goes on an hour later.
    assert_eq!(fired, was_due + 4.0 * 3600.0);
    let (status, list) = server.rest("/listIncidentRecords", &json!({})).await;
    assert_eq!(status, 200);
    let incidents = list["incidentRecordSummaries"].as_array().unwrap();
    assert_eq!(incidents.len(), 1, "{list}");
    assert_eq!(incidents[0]["title"], "Nightly check");
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    let (_, list) = server.rest("/listIncidentRecords", &json!({})).await;
    assert_eq!(
        list["incidentRecordSummaries"].as_array().unwrap().len(),
        1,
        "fired once"
    );

    // Disabled, it fires nothing; enabled again, it starts from now, without catching up.
    let (status, _) = server
        .events("DisableRule", &json!({"Name": "nightly"}))
        .await;
    assert_eq!(status, 200);
    set_next_firing(&server, &rule_arn, clock::now() - 10.0).await;
    wait_advanced(
        &server,
        &rule_arn,
        "a disabled rule's schedule did not advance",
    )
    .await;
    let (_, list) = server.rest("/listIncidentRecords", &json!({})).await;
    assert_eq!(
        list["incidentRecordSummaries"].as_array().unwrap().len(),
        1,
        "a disabled rule fires nothing"
    );
    let before_enable = clock::now();
    let (status, _) = server
        .events("EnableRule", &json!({"Name": "nightly"}))
        .await;
    assert_eq!(status, 200);
    let next = next_firing(&server, &rule_arn).await.unwrap();
    assert!(next >= before_enable + 3600.0 - 1.0 && next <= clock::now() + 3600.0);

    // Deleting the rule stops its schedule.
    server
        .events(
            "RemoveTargets",
            &json!({"Rule": "nightly", "Ids": ["plan"]}),
        )
        .await;
    let (status, _) = server
        .events("DeleteRule", &json!({"Name": "nightly"}))
        .await;
    assert_eq!(status, 200);
    assert_eq!(next_firing(&server, &rule_arn).await, None);
}

#[tokio::test]
async fn bad_schedules_are_refused_and_write_nothing() {
    let server = TestServer::start().await;
    let (status, _) = server
        .events("CreateEventBus", &json!({"Name": "ops"}))
        .await;
    assert_eq!(status, 200);
    let before = server.snapshot().await;
    for body in [
        json!({"Name": "r", "ScheduleExpression": "rate(1 minutes)"}),
        json!({"Name": "r", "ScheduleExpression": "cron(0 10 * * * *)"}),
        json!({"Name": "r", "ScheduleExpression": "cron(0 10 ? * ? *)"}),
        json!({"Name": "r", "ScheduleExpression": "rate(5 minutes)", "EventBusName": "ops"}),
        json!({"Name": "r"}),
    ] {
        let (status, answer) = server.events("PutRule", &body).await;
        assert_eq!(status, 400, "{body}: {answer}");
        assert_eq!(answer["__type"], "ValidationException", "{body}: {answer}");
    }
    assert_eq!(server.snapshot().await, before, "nothing written");
}

/// A replay cancelled before its worker ran: `CANCELLING`, then `CANCELLED` at its next
/// step, having replayed nothing; a finished replay cannot be cancelled.
#[tokio::test]
async fn a_cancelled_replay_stops_and_a_finished_one_cannot_be_cancelled() {
    use tocsin_api::events::{
        CreateArchiveRequest, ReplayDestination, ReplayRef, StartReplayRequest,
    };
    use tocsin_server::domain::archives;
    use tocsin_server::domain::events::replay_step;
    use tocsin_server::domain::matcher::CompiledRules;

    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("r.db").display());
    let store = tocsin_server::store::sqlite::SqliteStore::open(&url)
        .await
        .unwrap();
    let config = tocsin_server::ServerConfig::default();
    let bus_arn = tocsin_server::domain::buses::arn(&config, "default");
    let now = clock::now();
    let mut tx = store.write().await.unwrap();
    let archive = archives::create_archive(
        tx.as_mut(),
        &config,
        CreateArchiveRequest {
            archive_name: "a".into(),
            event_source_arn: bus_arn.clone(),
            ..Default::default()
        },
        now,
    )
    .await
    .unwrap();
    let start = |name: &str| StartReplayRequest {
        replay_name: name.into(),
        event_source_arn: archive.output["ArchiveArn"].as_str().unwrap().into(),
        event_start_time: now - 60.0,
        event_end_time: now,
        destination: ReplayDestination {
            arn: bus_arn.clone(),
            filter_arns: None,
        },
        ..Default::default()
    };
    archives::start_replay(tx.as_mut(), &config, start("r"), now)
        .await
        .unwrap();
    let cancelled = archives::cancel_replay(
        tx.as_mut(),
        &config,
        ReplayRef {
            replay_name: "r".into(),
        },
    )
    .await
    .unwrap();
    assert_eq!(cancelled["State"], "CANCELLING");
    let rules = CompiledRules::default();
    assert!(
        !replay_step(tx.as_mut(), &rules, &config, "r", now)
            .await
            .unwrap()
    );
    let r = archives::replay(tx.as_mut(), "r").await.unwrap().unwrap();
    assert_eq!((r.state.as_str(), r.replayed), ("CANCELLED", 0));
    let again = archives::cancel_replay(
        tx.as_mut(),
        &config,
        ReplayRef {
            replay_name: "r".into(),
        },
    )
    .await;
    assert!(
        matches!(&again, Err(tocsin_server::domain::error::ApiError::Service { code, .. }) if *code == "IllegalStatusException"),
        "{again:?}"
    );
    // A replay whose archive was deleted fails.
    archives::start_replay(tx.as_mut(), &config, start("orphan"), now)
        .await
        .unwrap();
    archives::delete_archive(
        tx.as_mut(),
        tocsin_api::events::ArchiveRef {
            archive_name: "a".into(),
        },
    )
    .await
    .expect_err("an archive with a running replay is not deleted");
    tx.delete_resource(archives::ARCHIVE, "a").await.unwrap();
    assert!(
        !replay_step(tx.as_mut(), &rules, &config, "orphan", now)
            .await
            .unwrap()
    );
    let r = archives::replay(tx.as_mut(), "orphan")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(r.state, "FAILED");
}
