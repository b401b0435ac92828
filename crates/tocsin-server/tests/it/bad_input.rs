//! Bad input gets HTTP 400 with an AWS error body and leaves the database unchanged.

use serde_json::{Value, json};

use crate::support::{TestServer, alarm_entry};

fn assert_aws_error(status: u16, body: &Value, code: &str) {
    assert_eq!(status, 400, "expected 400 for {code}, got {status}: {body}");
    assert_eq!(body["__type"], code, "{body}");
    assert!(
        body["message"].as_str().is_some_and(|m| !m.is_empty()),
        "message missing: {body}"
    );
}

#[tokio::test]
async fn every_bad_request_is_rejected_and_writes_nothing() {
    let server = TestServer::start().await;
    let plan_arn = server.alarm_route("web", 2).await;
    // One real incident, so "unchanged" covers incident tables too.
    let (status, _) = server
        .events("PutEvents", &json!({"Entries": [alarm_entry()]}))
        .await;
    assert_eq!(status, 200);
    let before = server.snapshot().await;
    assert!(
        before.iter().any(|(t, n)| t == "incidents" && *n == 1),
        "{before:?}"
    );

    // Malformed JSON, on both protocols.
    let (s, b) = server
        .raw_events("AWSEvents.PutRule", "{\"Name\": ".into())
        .await;
    assert_aws_error(s, &b, "SerializationException");
    let (s, b) = server.raw_rest("/startIncident", "not json".into()).await;
    assert_aws_error(s, &b, "SerializationException");

    // Unknown or missing X-Amz-Target.
    let (s, b) = server
        .raw_events("AWSEvents.LaunchRockets", "{}".into())
        .await;
    assert_aws_error(s, &b, "UnknownOperationException");
    let (s, b) = server.raw_events("", "{}".into()).await;
    assert_aws_error(s, &b, "UnknownOperationException");

    // Missing required members.
    let (s, b) = server
        .rest("/createResponsePlan", &json!({"name": "x"}))
        .await;
    assert_aws_error(s, &b, "ValidationException");
    let (s, b) = server
        .rest("/startIncident", &json!({"title": "no plan"}))
        .await;
    assert_aws_error(s, &b, "ValidationException");
    let (s, b) = server
        .events("PutRule", &json!({"EventPattern": "{}"}))
        .await;
    assert_aws_error(s, &b, "ValidationException");
    let (s, b) = server.events("PutEvents", &json!({})).await;
    assert_aws_error(s, &b, "ValidationException");

    // Impact out of range, on create and on start and on update.
    for impact in [0, 6] {
        let (s, b) = server
            .rest(
                "/createResponsePlan",
                &json!({"name": "bad", "incidentTemplate": {"title": "t", "impact": impact}}),
            )
            .await;
        assert_aws_error(s, &b, "ValidationException");
        assert!(b["message"].as_str().unwrap().contains("impact"), "{b}");
        let (s, b) = server
            .rest(
                "/startIncident",
                &json!({"responsePlanArn": plan_arn, "impact": impact}),
            )
            .await;
        assert_aws_error(s, &b, "ValidationException");
    }

    // A title over 200 characters.
    let long = "t".repeat(201);
    let (s, b) = server
        .rest(
            "/startIncident",
            &json!({"responsePlanArn": plan_arn, "title": long}),
        )
        .await;
    assert_aws_error(s, &b, "ValidationException");
    let (s, b) = server
        .rest(
            "/createResponsePlan",
            &json!({"name": "long", "incidentTemplate": {"title": long, "impact": 1}}),
        )
        .await;
    assert_aws_error(s, &b, "ValidationException");

    // A PutEvents batch of 11 entries: the whole batch is refused, none is stored.
    let entries: Vec<Value> = (0..11).map(|_| alarm_entry()).collect();
    let (s, b) = server
        .events("PutEvents", &json!({"Entries": entries}))
        .await;
    assert_aws_error(s, &b, "ValidationException");

    // Invalid event patterns, with EventBridge's wording.
    for pattern in [
        r#"{"source": "aws.ec2"}"#,
        r#"{"detail": {"x": [{"nope": 1}]}}"#,
        "[1]",
        "{",
    ] {
        let (s, b) = server
            .events(
                "PutRule",
                &json!({"Name": "bad-rule", "EventPattern": pattern}),
            )
            .await;
        assert_aws_error(s, &b, "InvalidEventPatternException");
        assert!(
            b["message"]
                .as_str()
                .unwrap()
                .starts_with("Event pattern is not valid. Reason: "),
            "{b}"
        );
        let (s, b) = server
            .events(
                "TestEventPattern",
                &json!({"EventPattern": pattern, "Event": "{}"}),
            )
            .await;
        assert_aws_error(s, &b, "InvalidEventPatternException");
    }

    // A bad input transformer fails the whole PutTargets: the valid target beside it is
    // not written either.
    let (s, b) = server
        .events(
            "PutTargets",
            &json!({"Rule": "web", "Targets": [
                {"Id": "fine", "Arn": plan_arn},
                {"Id": "broken", "Arn": plan_arn, "InputTransformer": {
                    "InputPathsMap": {"state": "$.detail.state"},
                    "InputTemplate": "{\"s\": <undefined>}"}}
            ]}),
        )
        .await;
    assert_aws_error(s, &b, "ValidationException");
    assert!(b["message"].as_str().unwrap().contains("broken"), "{b}");
    let (s, b) = server
        .events("PutTargets", &json!({"Rule": "web", "Targets": [{"Id": "x", "Arn": plan_arn, "Input": "{not json", "InputPath": "$"}]}))
        .await;
    assert_aws_error(s, &b, "ValidationException");

    // Unknown plan: 404 on rest-json, nothing written.
    let (s, b) = server
        .rest(
            "/startIncident",
            &json!({"responsePlanArn": "arn:aws:ssm-incidents::000000000000:response-plan/nope"}),
        )
        .await;
    assert_eq!(s, 404, "{b}");
    assert_eq!(b["__type"], "ResourceNotFoundException");

    assert_eq!(
        server.snapshot().await,
        before,
        "a rejected request changed the database"
    );
    server.stop();
}

#[tokio::test]
async fn put_events_reports_per_entry_errors_in_order() {
    let server = TestServer::start().await;
    let good = alarm_entry();
    let mut no_source = alarm_entry();
    no_source.as_object_mut().unwrap().remove("Source");
    let mut bad_detail = alarm_entry();
    bad_detail["Detail"] = json!("{not json");
    let mut other_bus = alarm_entry();
    other_bus["EventBusName"] = json!("nope");
    let (s, b) = server
        .events(
            "PutEvents",
            &json!({"Entries": [good, no_source, bad_detail, other_bus]}),
        )
        .await;
    assert_eq!(s, 200, "{b}");
    assert_eq!(b["FailedEntryCount"], 3);
    let e = b["Entries"].as_array().unwrap();
    assert!(e[0]["EventId"].is_string() && e[0].get("ErrorCode").is_none());
    assert_eq!(e[1]["ErrorCode"], "InvalidArgument");
    assert_eq!(
        e[1]["ErrorMessage"],
        "Parameter Source is not valid. Reason: Source is a required argument."
    );
    assert_eq!(e[2]["ErrorCode"], "MalformedDetail");
    assert_eq!(e[3]["ErrorCode"], "ResourceNotFoundException");
    let events: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM events")
        .fetch_one(server.store.pool())
        .await
        .unwrap();
    assert_eq!(events, 1, "only the valid entry is stored");
    server.stop();
}

#[tokio::test]
async fn unknown_paths_and_methods_get_json_errors() {
    let server = TestServer::start().await;
    let (s, b) = server.rest("/launchRockets", &json!({})).await;
    assert_eq!(s, 400);
    assert_eq!(b["__type"], "UnknownOperationException");
    let r = server.get("/getResponsePlan").await;
    assert_eq!(
        r.status().as_u16(),
        400,
        "missing ?arn= is a validation error"
    );
    let r = server
        .client
        .get(format!(
            "{}/getResponsePlan?arn=arn:aws:ssm-incidents::000000000000:response-plan/none",
            server.base
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 404);
    server.stop();
}

#[tokio::test]
async fn an_unknown_native_path_is_a_404_not_the_app() {
    let server = TestServer::start().await;
    for path in ["/v1/nope", "/v1/webhooks/nope"] {
        let r = server.get(path).await;
        assert_eq!(r.status(), 404, "{path}");
        let body: Value = r.json().await.unwrap();
        assert_eq!(body["__type"], "ResourceNotFoundException", "{body}");
        assert!(body["message"].as_str().unwrap().contains(path), "{body}");
    }
    // The app's own routes still get index.html (or the not-built page).
    let app = server.get("/runbooks").await;
    assert_eq!(app.status(), 200);
    server.stop();
}
