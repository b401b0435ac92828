//! Rule targets that cannot run are dead letters, not log lines (issue 12): a deleted
//! response plan's target is recorded as a FAILED delivery with its reason, announced in
//! the change feed and reported by the self-watching incident; PutTargets refuses ARN kinds
//! Tocsin cannot deliver to, writing nothing.

use serde_json::{Value, json};

use crate::support::{TestServer, alarm_entry};

#[tokio::test]
async fn a_target_whose_plan_was_deleted_becomes_a_dead_letter_and_opens_the_self_watch_incident() {
    let server = TestServer::start().await;
    let plan = server.alarm_route("gone", 2).await;
    let (status, body) = server
        .rest("/deleteResponsePlan", &json!({"arn": plan}))
        .await;
    assert_eq!(status, 204, "{body}");
    let before = server.snapshot().await;

    let (status, body) = server
        .events("PutEvents", &json!({"Entries": [alarm_entry()]}))
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        body["FailedEntryCount"], 0,
        "the event itself is accepted: {body}"
    );
    let event_id = body["Entries"][0]["EventId"].as_str().unwrap().to_owned();

    let (status, letters) = server.raw_get("/v1/deliveries?status=FAILED").await;
    assert_eq!(status, 200, "{letters}");
    let letters = letters.as_array().unwrap();
    assert_eq!(letters.len(), 1, "{letters:?}");
    let letter = &letters[0];
    assert_eq!(letter["eventId"], event_id.as_str());
    assert_eq!(letter["targetId"], "plan");
    assert_eq!(letter["url"], plan.as_str());
    assert_eq!(letter["status"], "FAILED");
    let reason = letter["lastError"].as_str().unwrap();
    assert!(reason.contains("does not exist"), "{reason}");
    assert!(
        letter["ruleArn"].as_str().unwrap().ends_with("rule/gone"),
        "{letter}"
    );

    // Announced in the change feed, in the same commit as the event.
    let after = server.snapshot().await;
    let count =
        |snap: &[(String, i64)], table: &str| snap.iter().find(|(t, _)| t == table).unwrap().1;
    assert_eq!(
        count(&after, "deliveries") - count(&before, "deliveries"),
        1
    );
    let feed: Vec<Value> =
        sqlx::query_scalar::<_, String>("SELECT body FROM change_feed WHERE id > ? ORDER BY id")
            .bind(count(&before, "max_change_id"))
            .fetch_all(server.store.pool())
            .await
            .unwrap()
            .iter()
            .map(|b| serde_json::from_str(b).unwrap())
            .collect();
    assert!(
        feed.iter().any(|c| c["kind"] == "deliveryChanged"
            && c["data"]["status"] == "FAILED"
            && c["data"]["targetId"] == "plan"),
        "{feed:?}"
    );

    // A silent failure cannot go unnoticed: the self-watching incident is open.
    let (_, list) = server.rest("/listIncidentRecords", &json!({})).await;
    let incidents = list["incidentRecordSummaries"].as_array().unwrap();
    assert_eq!(incidents.len(), 1, "{list}");
    let title = incidents[0]["title"].as_str().unwrap();
    assert!(title.contains("gone/plan"), "{title}");

    // A second alarm adds a second dead letter and folds into the same incident.
    let (status, _) = server
        .events("PutEvents", &json!({"Entries": [alarm_entry()]}))
        .await;
    assert_eq!(status, 200);
    let (_, letters) = server.raw_get("/v1/deliveries?status=FAILED").await;
    assert_eq!(letters.as_array().unwrap().len(), 2);
    let (_, list) = server.rest("/listIncidentRecords", &json!({})).await;
    assert_eq!(list["incidentRecordSummaries"].as_array().unwrap().len(), 1);
    server.stop();
}

#[tokio::test]
async fn put_targets_refuses_arn_kinds_tocsin_cannot_deliver_to_and_writes_nothing() {
    let server = TestServer::start().await;
    let plan = server.alarm_route("kinds", 2).await;
    let before = server.snapshot().await;
    for arn in [
        "arn:aws:lambda:us-east-1:123456789012:function:remediate",
        "arn:aws:sqs:us-east-1:123456789012:queue",
        "arn:aws:sns:us-east-1:123456789012:topic",
        "ftp://example.com/x",
    ] {
        let (status, body) = server
            .events(
                "PutTargets",
                &json!({"Rule": "kinds", "Targets": [
                    {"Id": "fine", "Arn": plan},
                    {"Id": "unsupported", "Arn": arn},
                ]}),
            )
            .await;
        assert_eq!(status, 400, "{arn}: {body}");
        assert_eq!(body["__type"], "ValidationException", "{body}");
        let message = body["message"].as_str().unwrap_or_default();
        assert!(message.contains("cannot deliver to"), "{message}");
        assert!(
            message.contains("unsupported"),
            "names the target: {message}"
        );
    }
    assert_eq!(
        server.snapshot().await,
        before,
        "a refused PutTargets writes nothing"
    );
    // The kinds Tocsin delivers to are still accepted.
    for (id, arn) in [
        ("hook", "https://hooks.example.com/x"),
        (
            "runbook",
            "arn:aws:ssm:us-east-1:000000000000:automation-definition/restart:$DEFAULT",
        ),
    ] {
        let (status, body) = server
            .events(
                "PutTargets",
                &json!({"Rule": "kinds", "Targets": [{"Id": id, "Arn": arn}]}),
            )
            .await;
        assert_eq!(
            (status, &body["FailedEntryCount"]),
            (200, &json!(0)),
            "{body}"
        );
    }
    server.stop();
}
