//! HTTP targets on loopback: the transformed event reaches a real receiver, failures are
//! retried, and the SSRF guard refuses loopback unless the operator allows it.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::http::{HeaderMap, StatusCode};
use serde_json::{Value, json};
use tocsin_server::ServerConfig;

use crate::support::{TestServer, alarm_entry};

/// What the receiver saw: each body with its `X-Team` header.
type Seen = Arc<Mutex<Vec<(String, Option<String>)>>>;

#[derive(Clone, Default)]
struct Receiver {
    bodies: Seen,
    /// Answer 503 to this many requests first.
    fail_first: Arc<Mutex<u32>>,
}

async fn start_receiver(fail_first: u32) -> (String, Receiver) {
    let receiver = Receiver {
        fail_first: Arc::new(Mutex::new(fail_first)),
        ..Default::default()
    };
    let r = receiver.clone();
    let app = axum::Router::new().route(
        "/hook",
        axum::routing::post(move |headers: HeaderMap, body: String| {
            let r = r.clone();
            async move {
                let team = headers
                    .get("x-team")
                    .and_then(|v| v.to_str().ok())
                    .map(str::to_owned);
                r.bodies.lock().unwrap().push((body, team));
                let mut left = r.fail_first.lock().unwrap();
                if *left > 0 {
                    *left -= 1;
                    StatusCode::SERVICE_UNAVAILABLE
                } else {
                    StatusCode::NO_CONTENT
                }
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (url, receiver)
}

async fn route_to(server: &TestServer, url: &str) {
    let pattern = json!({"source": ["aws.cloudwatch"]}).to_string();
    let (s, b) = server
        .events(
            "PutRule",
            &json!({"Name": "to-hook", "EventPattern": pattern}),
        )
        .await;
    assert_eq!(s, 200, "{b}");
    let target = json!({
        "Id": "hook",
        "Arn": url,
        "HttpParameters": {"HeaderParameters": {"X-Team": "sre"}},
        "RetryPolicy": {"MaximumRetryAttempts": 3, "MaximumEventAgeInSeconds": 60},
        "InputTransformer": {
            "InputPathsMap": {"alarm": "$.detail.alarmName", "state": "$.detail.state.value"},
            "InputTemplate": "{\"text\": \"Alarm <alarm> is <state>\", \"rule\": <aws.events.rule-name>, \"state\": <state>}"
        }
    });
    let (s, b) = server
        .events(
            "PutTargets",
            &json!({"Rule": "to-hook", "Targets": [target]}),
        )
        .await;
    assert_eq!(s, 200, "{b}");
}

async fn wait_for_delivery(server: &TestServer, status: &str) -> Value {
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        let list: Value = server.get("/v1/deliveries").await.json().await.unwrap();
        if let Some(d) = list
            .as_array()
            .and_then(|a| a.first())
            .filter(|d| d["status"] == status)
        {
            return d.clone();
        }
        assert!(Instant::now() < deadline, "no {status} delivery: {list}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test]
async fn transformed_event_is_delivered_after_retries() {
    let (url, receiver) = start_receiver(2).await;
    let config = ServerConfig {
        outbound_allow: vec!["127.0.0.0/8".parse().unwrap()],
        ..Default::default()
    };
    let server = TestServer::start_with(config).await;
    route_to(&server, &url).await;
    let (s, _) = server
        .events("PutEvents", &json!({"Entries": [alarm_entry()]}))
        .await;
    assert_eq!(s, 200);
    let delivery = wait_for_delivery(&server, "DELIVERED").await;
    assert_eq!(delivery["attempts"], 3, "two 503s then 204: {delivery}");
    assert_eq!(delivery["lastStatusCode"], 204);
    let bodies = receiver.bodies.lock().unwrap().clone();
    assert_eq!(bodies.len(), 3);
    let (body, team) = &bodies[2];
    assert_eq!(team.as_deref(), Some("sre"));
    let got: Value = serde_json::from_str(body).unwrap();
    assert_eq!(
        got,
        json!({"text": "Alarm ServerCpuTooHigh is ALARM", "rule": "to-hook", "state": "ALARM"})
    );
    server.stop();
}

#[tokio::test]
async fn loopback_targets_are_refused_without_an_allowlist() {
    let (url, receiver) = start_receiver(0).await;
    let server = TestServer::start().await;
    route_to(&server, &url).await;
    let (s, _) = server
        .events("PutEvents", &json!({"Entries": [alarm_entry()]}))
        .await;
    assert_eq!(s, 200);
    let delivery = wait_for_delivery(&server, "FAILED").await;
    assert_eq!(
        delivery["attempts"], 1,
        "a forbidden address is not retried"
    );
    assert!(
        delivery["lastError"]
            .as_str()
            .unwrap()
            .contains("may not be reached"),
        "{delivery}"
    );
    assert!(
        receiver.bodies.lock().unwrap().is_empty(),
        "nothing may reach the loopback receiver"
    );
    server.stop();
}

#[tokio::test]
async fn an_amplifying_transformer_fails_its_delivery_and_the_others_proceed() {
    let (url, receiver) = start_receiver(0).await;
    let config = ServerConfig {
        outbound_allow: vec!["127.0.0.0/8".parse().unwrap()],
        ..Default::default()
    };
    let server = TestServer::start_with(config).await;
    let pattern = json!({"source": ["aws.cloudwatch"]}).to_string();
    let (s, b) = server
        .events("PutRule", &json!({"Name": "amp", "EventPattern": pattern}))
        .await;
    assert_eq!(s, 200, "{b}");
    // The review's case: the whole event 2,000 times over (about 2 MB per event).
    let amplifier = json!({
        "Id": "amplifier",
        "Arn": url,
        "InputTransformer": {"InputPathsMap": {"a": "$"}, "InputTemplate": "<a>".repeat(2000)}
    });
    let plain = json!({"Id": "plain", "Arn": url, "Input": "{\"ok\": true}"});
    let (s, b) = server
        .events(
            "PutTargets",
            &json!({"Rule": "amp", "Targets": [amplifier, plain]}),
        )
        .await;
    assert_eq!((s, &b["FailedEntryCount"]), (200, &json!(0)), "{b}");
    let (s, b) = server
        .events("PutEvents", &json!({"Entries": [alarm_entry()]}))
        .await;
    assert_eq!((s, &b["FailedEntryCount"]), (200, &json!(0)), "{b}");
    let deadline = Instant::now() + Duration::from_secs(15);
    let list = loop {
        let list: Value = server.get("/v1/deliveries").await.json().await.unwrap();
        if list
            .as_array()
            .unwrap()
            .iter()
            .any(|d| d["targetId"] == "plain" && d["status"] == "DELIVERED")
        {
            break list;
        }
        assert!(
            Instant::now() < deadline,
            "the plain target was not delivered: {list}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    let amplified = list
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["targetId"] == "amplifier")
        .unwrap();
    assert_eq!(amplified["status"], "FAILED", "{amplified}");
    assert_eq!(amplified["attempts"], 0, "never sent: {amplified}");
    assert!(
        amplified["lastError"]
            .as_str()
            .unwrap()
            .contains("larger than 262144 bytes"),
        "{amplified}"
    );
    assert_eq!(amplified["body"], "", "no oversized body is stored");
    let bodies = receiver.bodies.lock().unwrap().clone();
    assert_eq!(bodies.len(), 1, "only the plain target was sent");
    assert_eq!(bodies[0].0, "{\"ok\": true}");
    let (status, _) = server.raw_get("/healthz").await;
    assert_eq!(status, 200, "the server stays up");
    server.stop();
}

#[tokio::test]
async fn proxy_variables_cannot_route_around_the_guard() {
    // A "proxy" that counts the connections it gets and never answers.
    let proxy = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let proxy_url = format!("http://{}", proxy.local_addr().unwrap());
    let connections = Arc::new(Mutex::new(0u32));
    let counter = connections.clone();
    tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((socket, _)) = proxy.accept().await {
            *counter.lock().unwrap() += 1;
            held.push(socket);
        }
    });
    let (url, receiver) = start_receiver(0).await;
    // By name: only the resolver sees where it goes, and a proxy would resolve it instead.
    let by_name = url.replace("127.0.0.1", "localhost");
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}", dir.path().join("proxy.db").display());
    let env = [
        ("HTTP_PROXY", proxy_url.as_str()),
        ("http_proxy", proxy_url.as_str()),
        ("HTTPS_PROXY", proxy_url.as_str()),
        ("ALL_PROXY", proxy_url.as_str()),
        ("NO_PROXY", ""),
    ];
    let tocsin = crate::support::Tocsin::start_with_env(&db, &[], &env).await;
    let client = tocsin.client.clone();
    let call = |op: &'static str, body: Value| {
        client
            .post(format!("{}/", tocsin.base))
            .header("X-Amz-Target", format!("AWSEvents.{op}"))
            .header("Content-Type", "application/x-amz-json-1.1")
            .body(body.to_string())
            .send()
    };
    let pattern = json!({"source": ["aws.cloudwatch"]}).to_string();
    let r = call("PutRule", json!({"Name": "p", "EventPattern": pattern}))
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let r = call(
        "PutTargets",
        json!({"Rule": "p", "Targets": [{"Id": "hook", "Arn": by_name}]}),
    )
    .await
    .unwrap();
    assert_eq!(r.status(), 200);
    let r = call("PutEvents", json!({"Entries": [alarm_entry()]}))
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let deadline = Instant::now() + Duration::from_secs(15);
    let delivery = loop {
        let list: Value =
            crate::support::get_json(&client, format!("{}/v1/deliveries", tocsin.base)).await;
        if let Some(d) = list
            .as_array()
            .unwrap()
            .first()
            .filter(|d| d["status"] != "PENDING")
        {
            break d.clone();
        }
        assert!(Instant::now() < deadline, "no attempt made: {list}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert_eq!(delivery["status"], "FAILED", "{delivery}");
    assert!(
        delivery["lastError"]
            .as_str()
            .unwrap()
            .contains("may not be reached"),
        "{delivery}"
    );
    assert_eq!(*connections.lock().unwrap(), 0, "nothing went to the proxy");
    assert!(receiver.bodies.lock().unwrap().is_empty());
}

#[tokio::test]
async fn target_secrets_are_shown_only_to_admins_reading_the_target() {
    let server = TestServer::start().await;
    let pattern = json!({"source": ["aws.cloudwatch"]}).to_string();
    let (s, _) = server
        .events("PutRule", &json!({"Name": "sec", "EventPattern": pattern}))
        .await;
    assert_eq!(s, 200);
    let target = json!({
        "Id": "hook",
        "Arn": "http://127.0.0.1:9/hook?token=t0k3n",
        "HttpParameters": {"HeaderParameters": {"X-Api-Key": "s3cr3t"}, "QueryStringParameters": {"key": "k3y"}}
    });
    let (s, b) = server
        .events("PutTargets", &json!({"Rule": "sec", "Targets": [target]}))
        .await;
    assert_eq!(s, 200, "{b}");
    let secrets = ["t0k3n", "s3cr3t", "k3y"];
    // An admin reads them back from the target itself.
    let (_, admin_view) = server
        .events("ListTargetsByRule", &json!({"Rule": "sec"}))
        .await;
    for secret in secrets {
        assert!(admin_view.to_string().contains(secret), "{admin_view}");
    }
    // A viewer does not.
    let (id, secret) = server.key("viewer", tocsin_api::auth::Role::Viewer).await;
    let viewer = crate::support::bearer_client(&id, &secret);
    let listed: Value = viewer
        .post(format!("{}/", server.base))
        .header("X-Amz-Target", "AWSEvents.ListTargetsByRule")
        .header("Content-Type", "application/x-amz-json-1.1")
        .body(json!({"Rule": "sec"}).to_string())
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(listed.to_string().contains("REDACTED"), "{listed}");
    // Nor the delivery log or the change feed, whoever reads them.
    let (s, _) = server
        .events("PutEvents", &json!({"Entries": [alarm_entry()]}))
        .await;
    assert_eq!(s, 200);
    let delivery = wait_for_delivery(&server, "FAILED").await;
    let mut feed = server.get("/v1/stream?lastEventId=0").await;
    let mut text = String::new();
    let deadline = Instant::now() + Duration::from_secs(5);
    while !text.contains("deliveryChanged") && Instant::now() < deadline {
        if let Ok(Ok(Some(chunk))) =
            tokio::time::timeout(Duration::from_millis(500), feed.chunk()).await
        {
            text.push_str(&String::from_utf8_lossy(&chunk));
        }
    }
    assert!(text.contains("deliveryChanged"), "{text}");
    for secret in secrets {
        assert!(
            !listed.to_string().contains(secret),
            "viewer saw {secret}: {listed}"
        );
        assert!(
            !delivery.to_string().contains(secret),
            "delivery log shows {secret}: {delivery}"
        );
        assert!(!text.contains(secret), "change feed shows {secret}");
    }
    server.stop();
}

/// When each request came, with its `Idempotency-Key`.
type Requests = Arc<Mutex<Vec<(Instant, Option<String>)>>>;

/// A receiver that records (when, Idempotency-Key) of each request and answers `answers`
/// in turn (status, Retry-After), then 204; `delay` before answering.
async fn scripted_receiver(
    answers: Vec<(u16, Option<&'static str>)>,
    delay: Duration,
) -> (String, Requests) {
    let seen: Requests = Arc::default();
    let script = Arc::new(Mutex::new(answers.into_iter()));
    let s = seen.clone();
    let app = axum::Router::new().route(
        "/hook",
        axum::routing::post(move |headers: HeaderMap| {
            let (s, script) = (s.clone(), script.clone());
            async move {
                s.lock().unwrap().push((
                    Instant::now(),
                    headers
                        .get("idempotency-key")
                        .and_then(|v| v.to_str().ok())
                        .map(str::to_owned),
                ));
                tokio::time::sleep(delay).await;
                let next = script.lock().unwrap().next();
                match next {
                    Some((code, retry_after)) => {
                        let mut response = axum::response::Response::new(axum::body::Body::empty());
                        *response.status_mut() = StatusCode::from_u16(code).unwrap();
                        if let Some(v) = retry_after {
                            response
                                .headers_mut()
                                .insert("retry-after", v.parse().unwrap());
                        }
                        response
                    }
                    None => {
                        let mut response = axum::response::Response::new(axum::body::Body::empty());
                        *response.status_mut() = StatusCode::NO_CONTENT;
                        response
                    }
                }
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (url, seen)
}

fn loopback_server() -> ServerConfig {
    ServerConfig {
        outbound_allow: vec!["127.0.0.0/8".parse().unwrap()],
        ..Default::default()
    }
}

#[tokio::test]
async fn retry_after_is_honoured_and_every_attempt_carries_the_same_idempotency_key() {
    let (url, seen) = scripted_receiver(vec![(503, Some("2"))], Duration::ZERO).await;
    let server = TestServer::start_with(loopback_server()).await;
    route_to(&server, &url).await;
    let (s, _) = server
        .events("PutEvents", &json!({"Entries": [alarm_entry()]}))
        .await;
    assert_eq!(s, 200);
    let delivery = wait_for_delivery(&server, "DELIVERED").await;
    assert_eq!(delivery["attempts"], 2, "{delivery}");
    let seen = seen.lock().unwrap().clone();
    assert_eq!(seen.len(), 2);
    let gap = seen[1].0 - seen[0].0;
    assert!(
        gap >= Duration::from_secs(2),
        "retried {gap:?} after a 503 with Retry-After: 2"
    );
    let key = seen[0].1.clone().expect("an Idempotency-Key header");
    assert_eq!(
        seen[1].1.as_deref(),
        Some(key.as_str()),
        "same key on the retry"
    );
    assert!(
        key.starts_with(delivery["eventId"].as_str().unwrap()),
        "{key} names the event"
    );
    server.stop();
}

#[tokio::test]
async fn a_poison_delivery_row_fails_alone_and_the_others_are_delivered() {
    let (url, seen) = scripted_receiver(vec![], Duration::ZERO).await;
    let server = TestServer::start_with(loopback_server()).await;
    let poison: i64 = sqlx::query_scalar(
        "INSERT INTO deliveries (status, next_attempt_at, body) VALUES ('PENDING', 0, '{\"id\": \"not a delivery\"') RETURNING id",
    )
    .fetch_one(server.store.pool())
    .await
    .unwrap();
    route_to(&server, &url).await;
    let entries: Vec<Value> = (0..3).map(|_| alarm_entry()).collect();
    let (s, b) = server
        .events("PutEvents", &json!({"Entries": entries}))
        .await;
    assert_eq!((s, &b["FailedEntryCount"]), (200, &json!(0)), "{b}");
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        let delivered: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM deliveries WHERE status = 'DELIVERED'")
                .fetch_one(server.store.pool())
                .await
                .unwrap();
        if delivered == 3 {
            break;
        }
        assert!(Instant::now() < deadline, "{delivered} of 3 delivered");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(seen.lock().unwrap().len(), 3);
    // The poison row is a dead letter naming why, listed like any other.
    let failed: Value = server
        .get("/v1/deliveries?status=FAILED")
        .await
        .json()
        .await
        .unwrap();
    let failed = failed.as_array().unwrap();
    assert_eq!(failed.len(), 1, "{failed:?}");
    assert_eq!(failed[0]["id"], poison);
    assert!(
        failed[0]["lastError"]
            .as_str()
            .unwrap()
            .contains("cannot be decoded"),
        "{failed:?}"
    );
    // A dead letter opens the self-watching incident.
    let (_, list) = server.rest("/listIncidentRecords", &json!({})).await;
    let titles: Vec<&str> = list["incidentRecordSummaries"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|i| i["title"].as_str())
        .collect();
    assert!(
        titles.contains(
            &format!("Tocsin delivery failure: target unreadable delivery {poison}").as_str()
        ),
        "{titles:?}"
    );
    server.stop();
}

#[tokio::test]
async fn a_slow_target_does_not_hold_up_the_others() {
    // The slow target answers after 30 s; the quick one at once, on another port.
    let (slow, _) = scripted_receiver(vec![], Duration::from_secs(30)).await;
    let (quick, quick_seen) = scripted_receiver(vec![], Duration::ZERO).await;
    let server = TestServer::start_with(loopback_server()).await;
    let pattern = json!({"source": ["aws.cloudwatch"]}).to_string();
    let (s, b) = server
        .events("PutRule", &json!({"Name": "both", "EventPattern": pattern}))
        .await;
    assert_eq!(s, 200, "{b}");
    let (s, b) = server
        .events(
            "PutTargets",
            &json!({"Rule": "both", "Targets": [{"Id": "slow", "Arn": slow}, {"Id": "quick", "Arn": quick}]}),
        )
        .await;
    assert_eq!((s, &b["FailedEntryCount"]), (200, &json!(0)), "{b}");
    for _ in 0..4 {
        let entries: Vec<Value> = (0..10).map(|_| alarm_entry()).collect();
        let (s, _) = server
            .events("PutEvents", &json!({"Entries": entries}))
            .await;
        assert_eq!(s, 200);
    }
    // 40 slow deliveries would fill every slot if one host could take them all.
    let deadline = Instant::now() + Duration::from_secs(15);
    while quick_seen.lock().unwrap().len() < 40 {
        assert!(
            Instant::now() < deadline,
            "only {} of 40 quick deliveries made while the slow target stalls",
            quick_seen.lock().unwrap().len()
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    server.stop();
}
