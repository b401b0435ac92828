//! Exactly one effect under concurrency: client tokens and dedupe strings hold when many
//! requests race.

use serde_json::json;

use crate::support::{TestServer, alarm_entry};

#[tokio::test]
async fn racing_start_incident_with_one_client_token_opens_one_incident() {
    let server = TestServer::start().await;
    let plan = server.alarm_route("tok", 2).await;
    let calls = (0..20).map(|_| {
        let s = &server;
        let plan = plan.clone();
        async move {
            s.rest(
                "/startIncident",
                &json!({"responsePlanArn": plan, "clientToken": "same-token"}),
            )
            .await
        }
    });
    let results = futures::future::join_all(calls).await;
    let arns: std::collections::HashSet<String> = results
        .iter()
        .map(|(s, b)| {
            assert_eq!(*s, 200, "{b}");
            b["incidentRecordArn"].as_str().unwrap().to_owned()
        })
        .collect();
    assert_eq!(arns.len(), 1, "{arns:?}");
    let (_, list) = server.rest("/listIncidentRecords", &json!({})).await;
    assert_eq!(list["incidentRecordSummaries"].as_array().unwrap().len(), 1);
    server.stop();
}

#[tokio::test]
async fn racing_alarms_merge_into_one_open_incident() {
    let server = TestServer::start().await;
    server.alarm_route("alarm", 2).await;
    let calls = (0..20).map(|_| {
        let s = &server;
        async move {
            s.events("PutEvents", &json!({"Entries": [alarm_entry()]}))
                .await
        }
    });
    for (status, body) in futures::future::join_all(calls).await {
        assert_eq!(status, 200, "{body}");
        assert_eq!(body["FailedEntryCount"], 0);
    }
    let (_, list) = server.rest("/listIncidentRecords", &json!({})).await;
    let incidents = list["incidentRecordSummaries"].as_array().unwrap();
    assert_eq!(incidents.len(), 1, "{list}");
    let arn = incidents[0]["arn"].as_str().unwrap();
    let (_, timeline) = server
        .rest("/listTimelineEvents", &json!({"incidentRecordArn": arn}))
        .await;
    let types: Vec<&str> = timeline["eventSummaries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["eventType"].as_str().unwrap())
        .collect();
    assert_eq!(
        types.iter().filter(|t| **t == "Incident Created").count(),
        1
    );
    assert_eq!(
        types
            .iter()
            .filter(|t| **t == "Trigger Deduplicated")
            .count(),
        19,
        "{types:?}"
    );
    let (_, related) = server
        .rest("/listRelatedItems", &json!({"incidentRecordArn": arn}))
        .await;
    let items = related["relatedItems"].as_array().unwrap();
    assert_eq!(items.len(), 1, "the alarm ARN is attached once: {related}");
    assert_eq!(items[0]["identifier"]["type"], "INVOLVED_RESOURCE");
    assert_eq!(
        items[0]["identifier"]["value"]["arn"],
        "arn:aws:cloudwatch:us-east-1:123456789012:alarm:ServerCpuTooHigh"
    );

    // Resolved, the next alarm opens a new incident.
    let (s, _) = server
        .rest(
            "/updateIncidentRecord",
            &json!({"arn": arn, "status": "RESOLVED"}),
        )
        .await;
    assert_eq!(s, 204);
    let (s, _) = server
        .events("PutEvents", &json!({"Entries": [alarm_entry()]}))
        .await;
    assert_eq!(s, 200);
    let (_, open) = server
        .rest("/listIncidentRecords", &json!({"filters": [{"key": "status", "condition": {"equals": {"stringValues": ["OPEN"]}}}]}))
        .await;
    let open = open["incidentRecordSummaries"].as_array().unwrap();
    assert_eq!(open.len(), 1);
    assert_ne!(open[0]["arn"].as_str().unwrap(), arn);
    server.stop();
}
