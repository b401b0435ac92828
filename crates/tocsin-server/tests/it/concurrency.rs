//! Exactly one effect under concurrency: client tokens and dedupe strings hold when many
//! requests race.

use serde_json::{Value, json};

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
    // The 19 repeats fold into one entry with their count (issue 12).
    let folded: Vec<&Value> = timeline["eventSummaries"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["eventType"] == "Trigger Deduplicated")
        .collect();
    assert_eq!(folded.len(), 1, "{types:?}");
    let (status, entry) = server
        .raw_get(&format!(
            "/getTimelineEvent?incidentRecordArn={}&eventId={}",
            urlencoding(arn),
            folded[0]["eventId"].as_str().unwrap()
        ))
        .await;
    assert_eq!(status, 200, "{entry}");
    let data: Value = serde_json::from_str(entry["event"]["eventData"].as_str().unwrap()).unwrap();
    assert_eq!(data["count"], 19, "{data}");
    assert!(data["firstTime"].as_f64().unwrap() <= data["lastTime"].as_f64().unwrap());
    assert!(
        entry["event"]["eventUpdatedTime"].as_f64().unwrap()
            >= entry["event"]["eventTime"].as_f64().unwrap()
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

fn urlencoding(text: &str) -> String {
    url::form_urlencoded::byte_serialize(text.as_bytes()).collect()
}

/// ListRelatedItems reads its pages in the database (issue 12): exact tokens, attachment
/// order, and nothing repeated or skipped across pages.
#[tokio::test]
async fn related_items_are_paged_in_attachment_order_with_exact_tokens() {
    let server = TestServer::start().await;
    let plan = server.alarm_route("paged", 3).await;
    let (status, started) = server
        .rest(
            "/startIncident",
            &json!({"responsePlanArn": plan, "title": "paged"}),
        )
        .await;
    assert_eq!(status, 200, "{started}");
    let arn = started["incidentRecordArn"].as_str().unwrap().to_owned();
    for i in 0..5 {
        let (status, body) = server
            .rest(
                "/updateRelatedItems",
                &json!({"incidentRecordArn": arn, "relatedItemsUpdate": {"itemToAdd": {
                    "identifier": {"type": "OTHER", "value": {"url": format!("https://example.com/{i}")}},
                    "title": format!("item {i}")}}}),
            )
            .await;
        assert_eq!(status, 204, "{body}");
    }
    let mut seen = Vec::new();
    let mut token: Option<String> = None;
    let mut pages = 0;
    loop {
        let mut input = json!({"incidentRecordArn": arn, "maxResults": 2});
        if let Some(t) = &token {
            input["nextToken"] = json!(t);
        }
        let (status, page) = server.rest("/listRelatedItems", &input).await;
        assert_eq!(status, 200, "{page}");
        pages += 1;
        let items = page["relatedItems"].as_array().unwrap();
        assert!(items.len() <= 2);
        seen.extend(
            items
                .iter()
                .map(|i| i["title"].as_str().unwrap().to_owned()),
        );
        token = page["nextToken"].as_str().map(str::to_owned);
        if token.is_none() {
            break;
        }
    }
    assert_eq!(pages, 3, "5 items in pages of 2: no empty last page");
    assert_eq!(
        seen,
        (0..5).map(|i| format!("item {i}")).collect::<Vec<_>>()
    );
    server.stop();
}

/// Plain events (matching nothing) are written in multi-row statements for the whole
/// group-commit batch (issue 12); events with effects in between still come out in order:
/// the `eventReceived` entries follow the entries' order, every event is stored once.
#[tokio::test]
async fn plain_and_matched_events_keep_their_order_in_the_feed() {
    let server = TestServer::start().await;
    server.alarm_route("order", 2).await;
    let before = server.snapshot().await;
    let noise =
        |n: usize| json!({"Source": "my.app", "DetailType": format!("noise {n}"), "Detail": "{}"});
    let entries = vec![
        noise(1),
        noise(2),
        alarm_entry(),
        noise(3),
        alarm_entry(),
        noise(4),
    ];
    let calls = (0..8).map(|_| {
        let s = &server;
        let body = json!({"Entries": entries.clone()});
        async move { s.events("PutEvents", &body).await }
    });
    let mut all_ids = Vec::new();
    for (status, body) in futures::future::join_all(calls).await {
        assert_eq!(status, 200, "{body}");
        assert_eq!(body["FailedEntryCount"], 0);
        let ids: Vec<String> = body["Entries"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["EventId"].as_str().unwrap().to_owned())
            .collect();
        all_ids.push(ids);
    }
    let start = before.iter().find(|(t, _)| t == "max_change_id").unwrap().1;
    let feed: Vec<Value> =
        sqlx::query_scalar::<_, String>("SELECT body FROM change_feed WHERE id > ? ORDER BY id")
            .bind(start)
            .fetch_all(server.store.pool())
            .await
            .unwrap()
            .iter()
            .map(|b| serde_json::from_str(b).unwrap())
            .collect();
    let received: Vec<String> = feed
        .iter()
        .filter(|c| c["kind"] == "eventReceived")
        .map(|c| c["data"]["eventId"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(received.len(), 48, "one entry per event");
    for ids in &all_ids {
        let positions: Vec<usize> = ids
            .iter()
            .map(|id| received.iter().position(|r| r == id).expect("announced"))
            .collect();
        assert!(
            positions.windows(2).all(|w| w[0] < w[1]),
            "a request's events are announced in its entries' order: {positions:?}"
        );
    }
    let stored: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM events")
        .fetch_one(server.store.pool())
        .await
        .unwrap();
    let before_events = before.iter().find(|(t, _)| t == "events").unwrap().1;
    assert_eq!(stored - before_events, 48);
    server.stop();
}

/// Triggers merging into one open incident within one write are held and written once
/// (issue 12): ten alarms in one PutEvents open one incident, the nine repeats fold into one
/// "Trigger Deduplicated" entry written once (one `timelineEventUpdated`, one
/// `incidentUpdated` in the feed), every event is stored and announced, and the
/// deduplicated-trigger counter still counts nine.
#[tokio::test]
async fn triggers_merged_in_one_write_are_written_once_and_counted_each() {
    let server = TestServer::start().await;
    server.alarm_route("held-batch", 2).await;
    let before = server.snapshot().await;
    let entries: Vec<Value> = (0..10).map(|_| alarm_entry()).collect();
    let (status, body) = server
        .events("PutEvents", &json!({"Entries": entries}))
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["FailedEntryCount"], 0);

    let (_, list) = server.rest("/listIncidentRecords", &json!({})).await;
    let incidents = list["incidentRecordSummaries"].as_array().unwrap();
    assert_eq!(incidents.len(), 1, "{list}");
    let arn = incidents[0]["arn"].as_str().unwrap();
    let (_, timeline) = server
        .rest("/listTimelineEvents", &json!({"incidentRecordArn": arn}))
        .await;
    let folded: Vec<&Value> = timeline["eventSummaries"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["eventType"] == "Trigger Deduplicated")
        .collect();
    assert_eq!(folded.len(), 1, "{timeline}");
    let (_, entry) = server
        .raw_get(&format!(
            "/getTimelineEvent?incidentRecordArn={}&eventId={}",
            urlencoding(arn),
            folded[0]["eventId"].as_str().unwrap()
        ))
        .await;
    let data: Value = serde_json::from_str(entry["event"]["eventData"].as_str().unwrap()).unwrap();
    assert_eq!(data["count"], 9, "{data}");

    let start = before.iter().find(|(t, _)| t == "max_change_id").unwrap().1;
    let kinds: Vec<String> =
        sqlx::query_scalar::<_, String>("SELECT body FROM change_feed WHERE id > ? ORDER BY id")
            .bind(start)
            .fetch_all(server.store.pool())
            .await
            .unwrap()
            .iter()
            .map(|b| {
                serde_json::from_str::<Value>(b).unwrap()["kind"]
                    .as_str()
                    .unwrap()
                    .to_owned()
            })
            .collect();
    let count = |kind: &str| kinds.iter().filter(|k| *k == kind).count();
    assert_eq!(count("eventReceived"), 10, "{kinds:?}");
    assert_eq!(count("incidentCreated"), 1, "{kinds:?}");
    assert_eq!(count("timelineEventUpdated"), 1, "{kinds:?}");
    assert_eq!(count("incidentUpdated"), 1, "{kinds:?}");
    let events: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM events")
        .fetch_one(server.store.pool())
        .await
        .unwrap();
    let before_events = before.iter().find(|(t, _)| t == "events").unwrap().1;
    assert_eq!(events - before_events, 10);

    // The counter is taken from the committed feed by the tailer: wait for it.
    let line = "tocsin_incidents_deduplicated_total{plan=\"held-batch\"} ";
    let mut seen = None;
    for _ in 0..100 {
        let metrics = server.get("/metrics").await.text().await.unwrap();
        seen = metrics.lines().find_map(|l| {
            l.strip_prefix(line)
                .and_then(|v| v.trim().parse::<f64>().ok())
        });
        if seen.is_some_and(|v| v >= 9.0) {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(seen, Some(9.0), "nine merged triggers count nine");
    server.stop();
}

/// The title the newest `incidentUpdated` in the feed shows.
async fn last_updated_title(server: &TestServer) -> String {
    let body: String = sqlx::query_scalar(
        "SELECT body FROM change_feed WHERE json_extract(body, '$.kind') = 'incidentUpdated' \
         ORDER BY id DESC LIMIT 1",
    )
    .fetch_one(server.store.pool())
    .await
    .unwrap();
    let change: Value = serde_json::from_str(&body).unwrap();
    change["data"]["incident"]["title"]
        .as_str()
        .unwrap_or_else(|| panic!("no title in {change}"))
        .to_owned()
}

/// Group commit keeps what one batch's merges read and wrote for the next batch while
/// nothing else commits in between (issue 12: a repeating alarm's merge then reads
/// nothing), and reads again once anything else committed. The incident's title is changed
/// behind the server's back (straight into SQLite, no transaction of the server's): the next
/// merge still shows, and writes, the title it knew; after a change through the API (a
/// commit of its own), the next merge shows the database's title. A merge that needs no
/// read is written without a transaction (the store's generation does not move).
#[tokio::test]
async fn merges_start_from_the_last_batch_until_something_else_commits() {
    let server = TestServer::start().await;
    // Not a CloudWatch alarm (whose alert state is written with each trigger), no resources.
    let (status, plan) = server
        .rest(
            "/createResponsePlan",
            &json!({"name": "kept", "incidentTemplate": {"title": "kept title", "impact": 3, "dedupeString": "kept"}}),
        )
        .await;
    assert_eq!(status, 201, "{plan}");
    let pattern = json!({"source": ["test.repeat"]}).to_string();
    let (status, body) = server
        .events("PutRule", &json!({"Name": "kept", "EventPattern": pattern}))
        .await;
    assert_eq!(status, 200, "{body}");
    let (status, body) = server
        .events(
            "PutTargets",
            &json!({"Rule": "kept", "Targets": [{"Id": "plan", "Arn": plan["arn"]}]}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let entry = json!({"Source": "test.repeat", "DetailType": "Repeat", "Detail": "{}"});
    let put = || async {
        let (status, body) = server
            .events("PutEvents", &json!({"Entries": [entry]}))
            .await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(body["FailedEntryCount"], 0, "{body}");
    };
    put().await; // opens the incident
    put().await; // merges: what it read is kept
    let (_, list) = server.rest("/listIncidentRecords", &json!({})).await;
    let arn = list["incidentRecordSummaries"][0]["arn"]
        .as_str()
        .unwrap()
        .to_owned();
    let retitle = |title: &'static str| {
        let arn = arn.clone();
        let pool = server.store.pool().clone();
        async move {
            sqlx::query("UPDATE incidents SET body = json_set(body, '$.title', ?) WHERE arn = ?")
                .bind(title)
                .bind(arn)
                .execute(&pool)
                .await
                .unwrap();
        }
    };
    retitle("changed behind the server").await;
    let generation = || async {
        use tocsin_server::store::Store;
        // Dropped without a commit: the generation does not move.
        server.store.write().await.unwrap().generation().unwrap()
    };
    let before = generation().await;
    put().await;
    assert_eq!(
        generation().await,
        before,
        "a merge into a known incident is written without a transaction"
    );
    let folded: String = sqlx::query_scalar(
        "SELECT body FROM timeline_events WHERE incident_arn = ? \
         AND json_extract(body, '$.eventType') = 'Trigger Deduplicated'",
    )
    .bind(&arn)
    .fetch_one(server.store.pool())
    .await
    .unwrap();
    let folded: Value = serde_json::from_str(&folded).unwrap();
    let data: Value = serde_json::from_str(folded["eventData"].as_str().unwrap()).unwrap();
    assert_eq!(
        data["count"], 2,
        "the second merge folded into the first's entry: {data}"
    );
    assert_eq!(
        last_updated_title(&server).await,
        "kept title",
        "no other commit: the merge started from what the last batch knew"
    );

    retitle("changed again").await;
    let (status, body) = server
        .rest(
            "/updateIncidentRecord",
            &json!({"arn": arn, "summary": "a commit of its own"}),
        )
        .await;
    assert_eq!(status, 204, "{body}");
    put().await;
    assert_eq!(
        last_updated_title(&server).await,
        "changed again",
        "another commit came in between: the merge read the incident again"
    );
    let (_, list) = server.rest("/listIncidentRecords", &json!({})).await;
    assert_eq!(
        list["incidentRecordSummaries"].as_array().unwrap().len(),
        1,
        "{list}"
    );
    server.stop();
}
