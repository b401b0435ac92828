//! Receivers on a real server over loopback HTTP: PagerDuty Events v2 (every answer and
//! malformed case), signed webhooks (Standard Webhooks and GitHub), EventBridge API
//! destinations (API key, Basic, OAuth client credentials), SNS subscriptions (handshake,
//! signatures against a certificate served on loopback), Alertmanager payloads (one incident
//! per fingerprint, resolution), maintenance windows and heartbeats (with a restart).

use base64::Engine;
use hmac::{Hmac, Mac};
use serde_json::{Value, json};
use sha2::Sha256;
use tocsin_server::config::ServerConfig;

use crate::support::{TestServer, Tocsin, get_json};

/// Creates a receiver; returns (secret, url).
async fn receiver(
    server: &TestServer,
    kind: &str,
    name: &str,
    settings: Value,
) -> (String, String) {
    let r = server
        .client
        .post(format!("{}/v1/receivers/create", server.base))
        .json(&json!({"name": name, "kind": kind, "settings": settings}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    let body: Value = r.json().await.unwrap();
    // Built from --public-url (the default config's); this server listens elsewhere.
    let url = body["url"].as_str().unwrap();
    assert!(url.starts_with("http://127.0.0.1:8787/"), "{url}");
    (
        body["secret"].as_str().unwrap().to_owned(),
        url.replace("http://127.0.0.1:8787", &server.base),
    )
}

/// A plan and a rule routing events matching `pattern` to it; returns the plan ARN.
async fn route(server: &TestServer, name: &str, pattern: Value) -> String {
    let (status, created) = server
        .rest(
            "/createResponsePlan",
            &json!({"name": name, "incidentTemplate": {"title": format!("{name} title"), "impact": 3}}),
        )
        .await;
    assert_eq!(status, 201, "{created}");
    let arn = created["arn"].as_str().unwrap().to_owned();
    let (status, body) = server
        .events(
            "PutRule",
            &json!({"Name": name, "EventPattern": pattern.to_string()}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let (status, body) = server
        .events(
            "PutTargets",
            &json!({"Rule": name, "Targets": [{"Id": "plan", "Arn": arn}]}),
        )
        .await;
    assert_eq!(
        (status, &body["FailedEntryCount"]),
        (200, &json!(0)),
        "{body}"
    );
    arn
}

async fn incidents(server: &TestServer) -> Vec<Value> {
    let (status, list) = server.rest("/listIncidentRecords", &json!({})).await;
    assert_eq!(status, 200, "{list}");
    list["incidentRecordSummaries"].as_array().unwrap().clone()
}

async fn detail(server: &TestServer, arn: &str) -> Value {
    get_json(
        &server.client,
        format!(
            "{}/v1/incident?arn={}",
            server.base,
            url::form_urlencoded::byte_serialize(arn.as_bytes()).collect::<String>()
        ),
    )
    .await
}

async fn post_json(url: &str, body: &Value) -> (u16, Value) {
    let r = reqwest::Client::new()
        .post(url)
        .json(body)
        .send()
        .await
        .unwrap();
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or(Value::Null))
}

#[tokio::test]
async fn pagerduty_events_v2() {
    let server = TestServer::start().await;
    route(
        &server,
        "pd",
        json!({"source": ["pagerduty.events"], "detail-type": ["PagerDuty Event"]}),
    )
    .await;
    let (key, url) = receiver(&server, "pagerduty", "pd-main", json!({})).await;
    let (other_key, _) = receiver(&server, "pagerduty", "pd-other", json!({})).await;
    assert_eq!(key.len(), 32);
    assert!(url.ends_with("/v2/enqueue"), "{url}");
    let mut trigger: Value = serde_json::from_str(include_str!(
        "../../../../../shared/samples/pagerduty/events-v2-trigger.json"
    ))
    .unwrap();
    trigger["routing_key"] = json!(key);
    let enqueue = format!("{}/v2/enqueue", server.base);

    let processed =
        json!({"status": "success", "message": "Event processed", "dedup_key": "samplekeyhere"});
    assert_eq!(
        post_json(&enqueue, &trigger).await,
        (202, processed.clone())
    );
    assert_eq!(
        post_json(&enqueue, &trigger).await,
        (202, processed.clone()),
        "duplicate"
    );
    let list = incidents(&server).await;
    assert_eq!(list.len(), 1, "a duplicate trigger merges");
    let arn = list[0]["arn"].as_str().unwrap().to_owned();
    assert_eq!(list[0]["impact"], 4, "info maps to 4");
    assert_eq!(list[0]["title"], "Example alert on host1.example.com");
    let d = detail(&server, &arn).await;
    let urls: Vec<&str> = d["relatedItems"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|i| i["identifier"]["value"]["url"].as_str())
        .collect();
    assert!(urls.contains(&"https://example.com/"), "{urls:?}");

    // Another routing key's resolve, and an unknown key's acknowledge, are dropped.
    let before = server.snapshot().await;
    let other =
        json!({"routing_key": other_key, "event_action": "resolve", "dedup_key": "samplekeyhere"});
    let dropped =
        |k: &str| json!({"status": "success", "message": "Event processed", "dedup_key": k});
    assert_eq!(
        post_json(&enqueue, &other).await,
        (202, dropped("samplekeyhere"))
    );
    let unknown = json!({"routing_key": key, "event_action": "acknowledge", "dedup_key": "nope"});
    assert_eq!(post_json(&enqueue, &unknown).await, (202, dropped("nope")));
    assert_eq!(
        server.snapshot().await,
        before,
        "dropped events write nothing"
    );

    let ack =
        json!({"routing_key": key, "event_action": "acknowledge", "dedup_key": "samplekeyhere"});
    assert_eq!(post_json(&enqueue, &ack).await, (202, processed.clone()));
    let d = detail(&server, &arn).await;
    assert!(
        d["incident"]["acknowledgement"]["by"]
            .as_str()
            .unwrap()
            .contains("receiver/pd-main"),
        "{}",
        d["incident"]
    );
    let resolve =
        json!({"routing_key": key, "event_action": "resolve", "dedup_key": "samplekeyhere"});
    assert_eq!(
        post_json(&enqueue, &resolve).await,
        (202, processed.clone())
    );
    assert_eq!(incidents(&server).await[0]["status"], "RESOLVED");
    let before = server.snapshot().await;
    assert_eq!(
        post_json(&enqueue, &resolve).await,
        (202, processed.clone()),
        "resolved again"
    );
    assert_eq!(
        server.snapshot().await,
        before,
        "a resolve for a resolved key is dropped"
    );

    // Every malformed case: PagerDuty's 400 shape, nothing written.
    let bad = |mutate: &dyn Fn(&mut Value)| {
        let mut b = trigger.clone();
        mutate(&mut b);
        b
    };
    let cases = [
        (
            "missing routing_key",
            bad(&|b| {
                b.as_object_mut().unwrap().remove("routing_key");
            }),
            "routing_key",
        ),
        (
            "unknown event_action",
            bad(&|b| b["event_action"] = json!("escalate")),
            "event_action",
        ),
        (
            "acknowledge without dedup_key",
            json!({"routing_key": key, "event_action": "acknowledge"}),
            "dedup_key",
        ),
        (
            "resolve without dedup_key",
            json!({"routing_key": key, "event_action": "resolve"}),
            "dedup_key",
        ),
        (
            "missing summary",
            bad(&|b| {
                b["payload"].as_object_mut().unwrap().remove("summary");
            }),
            "payload.summary",
        ),
        (
            "missing source",
            bad(&|b| {
                b["payload"].as_object_mut().unwrap().remove("source");
            }),
            "payload.source",
        ),
        (
            "missing severity",
            bad(&|b| {
                b["payload"].as_object_mut().unwrap().remove("severity");
            }),
            "payload.severity",
        ),
        (
            "summary over 1,024",
            bad(&|b| b["payload"]["summary"] = json!("s".repeat(1025))),
            "1024",
        ),
        (
            "bad severity",
            bad(&|b| b["payload"]["severity"] = json!("fatal")),
            "payload.severity",
        ),
        (
            "unknown routing key",
            bad(&|b| b["routing_key"] = json!("z".repeat(32))),
            "routing_key",
        ),
    ];
    let before = server.snapshot().await;
    for (what, body, mentions) in cases {
        let (status, answer) = post_json(&enqueue, &body).await;
        assert_eq!(status, 400, "{what}: {answer}");
        assert_eq!(answer["status"], "invalid event", "{what}");
        assert_eq!(answer["message"], "Event object is invalid", "{what}");
        let errors = answer["errors"].as_array().unwrap();
        assert!(
            errors
                .iter()
                .any(|e| e.as_str().unwrap().contains(mentions)),
            "{what}: {answer}"
        );
    }
    let r = reqwest::Client::new()
        .post(&enqueue)
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    let answer: Value = r.json().await.unwrap();
    assert_eq!(answer["status"], "invalid event");
    assert_eq!(
        server.snapshot().await,
        before,
        "malformed events write nothing"
    );

    // A trigger without dedup_key gets one; change events go on the bus.
    let mut fresh = trigger.clone();
    fresh.as_object_mut().unwrap().remove("dedup_key");
    let (status, answer) = post_json(&enqueue, &fresh).await;
    assert_eq!(status, 202);
    assert_eq!(answer["dedup_key"].as_str().unwrap().len(), 32);
    let change = json!({"routing_key": key, "payload": {"summary": "Deployed v2", "source": "ci"}});
    let (status, answer) = post_json(&format!("{}/v2/change/enqueue", server.base), &change).await;
    assert_eq!(
        (status, answer),
        (
            202,
            json!({"status": "success", "message": "Change event processed"})
        )
    );
    server.stop();
}

fn standard_signature(secret: &str, id: &str, ts: i64, body: &str) -> String {
    let key = base64::engine::general_purpose::STANDARD
        .decode(secret.strip_prefix("whsec_").unwrap())
        .unwrap();
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&key).unwrap();
    mac.update(format!("{id}.{ts}.{body}").as_bytes());
    format!(
        "v1,{}",
        base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
    )
}

#[tokio::test]
async fn signed_webhooks() {
    let server = TestServer::start().await;
    let (secret, url) = receiver(
        &server,
        "webhook",
        "gh",
        json!({"source": "github.com", "detailType": "Push"}),
    )
    .await;
    assert!(secret.starts_with("whsec_"));
    let client = reqwest::Client::new();
    let send = |id: &str, ts: i64, signature: String| {
        client
            .post(&url)
            .header("content-type", "application/json")
            .header("webhook-id", id)
            .header("webhook-timestamp", ts.to_string())
            .header("webhook-signature", signature)
            .body(r#"{"ref":"main"}"#)
            .send()
    };
    let now = tocsin_server::clock::now() as i64;
    let body = r#"{"ref":"main"}"#;
    let r = send(
        "msg_1",
        now,
        standard_signature(&secret, "msg_1", now, body),
    )
    .await
    .unwrap();
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
    let before = server.snapshot().await;
    for (what, id, ts, signature) in [
        (
            "wrong signature",
            "msg_2",
            now,
            standard_signature("whsec_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "msg_2", now, body),
        ),
        (
            "ten minutes old",
            "msg_3",
            now - 600,
            standard_signature(&secret, "msg_3", now - 600, body),
        ),
        (
            "replayed webhook-id",
            "msg_1",
            now,
            standard_signature(&secret, "msg_1", now, body),
        ),
    ] {
        let r = send(id, ts, signature).await.unwrap();
        assert_eq!(r.status(), 401, "{what}");
        let reason: Value = r.json().await.unwrap();
        assert!(!reason["message"].as_str().unwrap().is_empty(), "{what}");
    }
    let r = client
        .post(&url)
        .header("content-type", "application/json")
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401, "unsigned");
    assert_eq!(
        server.snapshot().await,
        before,
        "refused deliveries write nothing"
    );

    // GitHub: the secret keys HMAC-SHA256 of the body; each delivery once.
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(body.as_bytes());
    let github = format!("sha256={}", hex::encode(mac.finalize().into_bytes()));
    let deliver = || {
        client
            .post(&url)
            .header("content-type", "application/json")
            .header("x-github-event", "push")
            .header("x-github-delivery", "72d3162e-cc78-11e3-81ab-4c9367dc0958")
            .header("x-hub-signature-256", &github)
            .body(body)
            .send()
    };
    assert_eq!(deliver().await.unwrap().status(), 200);
    let before = server.snapshot().await;
    assert_eq!(
        deliver().await.unwrap().status(),
        401,
        "a redelivery is a replay"
    );
    assert_eq!(server.snapshot().await, before);
    let list = get_json(&server.client, format!("{}/v1/receivers", server.base)).await;
    let gh = &list[0];
    assert_eq!(gh["eventCount"], 2);
    assert_eq!(gh["errorCount"], 5, "{gh}");
    assert!(gh["lastEventAt"].is_number());
    assert!(
        !list.to_string().contains(&secret),
        "the list never shows the secret"
    );
    server.stop();
}

#[tokio::test]
async fn eventbridge_api_destination_with_api_key_basic_and_oauth() {
    let server = TestServer::start().await;
    server.alarm_route("from-aws", 2).await;
    let (secret, url) = receiver(&server, "eventbridge", "aws-prod", json!({})).await;
    let event: Value = serde_json::from_str(include_str!(
        "../../../../examples/events/cloudwatch-alarm-state-change-single-metric.json"
    ))
    .unwrap();
    let client = reqwest::Client::new();
    // What an API destination with an API-key connection sends.
    let r = client
        .post(&url)
        .header("content-type", "application/json; charset=utf-8")
        .header("user-agent", "Amazon/EventBridge/ApiDestinations")
        .header("x-api-key", &secret)
        .body(event.to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
    let list = incidents(&server).await;
    assert_eq!(list.len(), 1);
    assert_eq!(list[0]["incidentRecordSource"]["source"], "aws.cloudwatch");
    let before = server.snapshot().await;
    for (what, request) in [
        ("wrong key", client.post(&url).header("x-api-key", "wrong")),
        ("no credentials", client.post(&url)),
        (
            "wrong Basic",
            client.post(&url).basic_auth("aws-prod", Some("wrong")),
        ),
        (
            "forged token",
            client.post(&url).bearer_auth("tk1.99999999999.00"),
        ),
    ] {
        let r = request.json(&event).send().await.unwrap();
        assert_eq!(r.status(), 401, "{what}");
    }
    assert_eq!(server.snapshot().await, before);

    // OAuth client credentials, as a connection's authorization endpoint is called.
    let token_url = format!("{url}/oauth/token");
    let r = client
        .post(&token_url)
        .basic_auth("aws-prod", Some(&secret))
        .form(&[("grant_type", "client_credentials")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let token: Value = r.json().await.unwrap();
    assert_eq!(token["token_type"], "Bearer");
    assert_eq!(token["expires_in"], 3600);
    let r = client
        .post(&token_url)
        .form(&[
            ("grant_type", "client_credentials"),
            ("client_id", "aws-prod"),
            ("client_secret", "nope"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    assert_eq!(r.json::<Value>().await.unwrap()["error"], "invalid_client");
    let mut second = event.clone();
    second["id"] = json!("2f3b1c2e-0000-4000-8000-000000000002");
    let r = client
        .post(&url)
        .bearer_auth(token["access_token"].as_str().unwrap())
        .json(&second)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let mut third = event.clone();
    third["id"] = json!("2f3b1c2e-0000-4000-8000-000000000003");
    let r = client
        .post(&url)
        .basic_auth("aws-prod", Some(&secret))
        .json(&third)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    // EventBridge retries with the same event id: answered 200, stored once.
    let before = server.snapshot().await;
    let r = client
        .post(&url)
        .header("x-api-key", &secret)
        .json(&third)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(
        server.snapshot().await,
        before,
        "a retried event is stored once"
    );
    let list = incidents(&server).await;
    assert_eq!(list.len(), 1, "the same alarm merges");
    let r = client
        .post(&url)
        .header("x-api-key", &secret)
        .body("{}")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400, "an envelope without source");
    server.stop();
}

/// A loopback HTTP server that serves `cert` at `/cert.pem` and counts `GET /confirm`.
async fn cert_server(cert: String) -> (String, std::sync::Arc<std::sync::atomic::AtomicUsize>) {
    use std::sync::atomic::{AtomicUsize, Ordering};
    let confirmed = std::sync::Arc::new(AtomicUsize::new(0));
    let seen = confirmed.clone();
    let app = axum::Router::new()
        .route("/cert.pem", axum::routing::get(move || async move { cert }))
        .route(
            "/confirm",
            axum::routing::get(move || async move {
                seen.fetch_add(1, Ordering::SeqCst);
                "<ConfirmSubscriptionResponse/>"
            }),
        );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap().to_string();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (address, confirmed)
}

#[tokio::test]
async fn sns_subscription_handshake_and_signed_alarm() {
    use tocsin_server::domain::signing;
    // A signing key and certificate of our own stand in for SNS's.
    let keys_store = tocsin_server::store::open("sqlite::memory:").await.unwrap();
    let signer = signing::load_or_create(
        keys_store.as_ref(),
        &tocsin_server::domain::keys::ServerKey::generate(),
    )
    .await
    .unwrap();
    let (host, confirmed) = cert_server(signer.cert_pem.clone()).await;
    let config = ServerConfig {
        sns_cert_allow: vec![host.clone()],
        outbound_allow: vec!["127.0.0.0/8".parse().unwrap()],
        ..ServerConfig::default()
    };
    let server = TestServer::start_with(config).await;
    server.alarm_route("via-sns", 1).await;
    let (secret, url) = receiver(&server, "sns", "alarms", json!({})).await;
    let topic = "arn:aws:sns:us-east-1:123456789012:alarms";
    let cert_url = format!("http://{host}/cert.pem");
    let client = reqwest::Client::new();
    let post = |body: Value, password: &str| {
        client
            .post(&url)
            .basic_auth("alarms", Some(password))
            .header("content-type", "text/plain; charset=UTF-8")
            .header(
                "x-amz-sns-message-type",
                body["Type"].as_str().unwrap_or_default(),
            )
            .body(body.to_string())
            .send()
    };
    let subscribe_url = format!("http://{host}/confirm?Action=ConfirmSubscription&Token=t1");
    let mut confirmation = json!({
        "Type": "SubscriptionConfirmation", "MessageId": "m-1", "Token": "t1", "TopicArn": topic,
        "Message": "You have chosen to subscribe to the topic.", "SubscribeURL": subscribe_url,
        "Timestamp": "2026-11-29T10:00:00.000Z", "SignatureVersion": "2", "SigningCertURL": cert_url,
    });
    confirmation["Signature"] = json!(
        signer
            .sign(&signing::confirmation_string(
                "SubscriptionConfirmation",
                "You have chosen to subscribe to the topic.",
                "m-1",
                &subscribe_url,
                "2026-11-29T10:00:00.000Z",
                "t1",
                topic,
            ))
            .unwrap()
    );
    let r = post(confirmation.clone(), &secret).await.unwrap();
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
    assert_eq!(
        confirmed.load(std::sync::atomic::Ordering::SeqCst),
        1,
        "SubscribeURL fetched"
    );

    let alarm = json!({
        "AlarmName": "ServerCpuTooHigh", "AlarmDescription": "CPU", "AWSAccountId": "123456789012",
        "NewStateValue": "ALARM", "NewStateReason": "Threshold Crossed", "StateChangeTime": "2026-11-29T10:00:00.000+0000",
        "Region": "US East (N. Virginia)", "AlarmArn": "arn:aws:cloudwatch:us-east-1:123456789012:alarm:ServerCpuTooHigh",
        "OldStateValue": "OK", "Trigger": {"MetricName": "CPUUtilization", "Namespace": "AWS/EC2", "Statistic": "AVERAGE",
        "Period": 300, "Dimensions": [{"name": "InstanceId", "value": "i-1"}]}
    })
    .to_string();
    let notification = |message: &str, signature: String, cert: &str| {
        json!({
            "Type": "Notification", "MessageId": "n-1", "TopicArn": topic, "Subject": "ALARM: \"ServerCpuTooHigh\"",
            "Message": message, "Timestamp": "2026-11-29T10:00:01.000Z", "SignatureVersion": "2",
            "Signature": signature, "SigningCertURL": cert,
        })
    };
    let signature = signer
        .sign(&signing::notification_string(
            &alarm,
            "n-1",
            Some("ALARM: \"ServerCpuTooHigh\""),
            "2026-11-29T10:00:01.000Z",
            topic,
        ))
        .unwrap();

    let before = server.snapshot().await;
    let tampered = notification(
        &alarm.replace("ServerCpuTooHigh", "Other"),
        signature.clone(),
        &cert_url,
    );
    assert_eq!(
        post(tampered, &secret).await.unwrap().status(),
        403,
        "bad signature"
    );
    let elsewhere = notification(
        &alarm,
        signature.clone(),
        "https://sns.us-east-1.amazonaws.com.evil.example/c.pem",
    );
    assert_eq!(
        post(elsewhere, &secret).await.unwrap().status(),
        403,
        "certificate host not allowed"
    );
    let unlisted = notification(&alarm, signature.clone(), "http://127.0.0.2:1/cert.pem");
    assert_eq!(
        post(unlisted, &secret).await.unwrap().status(),
        403,
        "loopback host not listed"
    );
    assert_eq!(
        post(notification(&alarm, signature.clone(), &cert_url), "wrong")
            .await
            .unwrap()
            .status(),
        401
    );
    assert_eq!(
        server.snapshot().await,
        before,
        "refused notifications write nothing"
    );

    let r = post(notification(&alarm, signature.clone(), &cert_url), &secret)
        .await
        .unwrap();
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
    // SNS retries with the same MessageId: answered 200, stored once.
    let before = server.snapshot().await;
    let r = post(notification(&alarm, signature, &cert_url), &secret)
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(
        server.snapshot().await,
        before,
        "a retried message is stored once"
    );
    let list = incidents(&server).await;
    assert_eq!(list.len(), 1);
    assert_eq!(list[0]["incidentRecordSource"]["source"], "aws.cloudwatch");
    let d = detail(&server, list[0]["arn"].as_str().unwrap()).await;
    assert!(
        d.to_string()
            .contains("arn:aws:cloudwatch:us-east-1:123456789012:alarm:ServerCpuTooHigh")
    );
    server.stop();
}

#[tokio::test]
async fn alertmanager_opens_one_incident_per_fingerprint_and_resolves() {
    let server = TestServer::start().await;
    route(
        &server,
        "am",
        json!({"source": ["prometheus.alertmanager"]}),
    )
    .await;
    let (secret, url) = receiver(&server, "alertmanager", "prom", json!({})).await;
    let firing = include_str!("../../../../../shared/samples/alertmanager/webhook-firing.json");
    let resolved = include_str!("../../../../../shared/samples/alertmanager/webhook-resolved.json");
    let client = reqwest::Client::new();
    let send = |body: &'static str, token: &str| {
        client
            .post(&url)
            .bearer_auth(token)
            .header("content-type", "application/json")
            .body(body)
            .send()
    };
    let before = server.snapshot().await;
    assert_eq!(send(firing, "wrong").await.unwrap().status(), 401);
    assert_eq!(server.snapshot().await, before);
    assert_eq!(send(firing, &secret).await.unwrap().status(), 200);
    assert_eq!(
        send(firing, &secret).await.unwrap().status(),
        200,
        "Alertmanager repeats"
    );
    let list = incidents(&server).await;
    assert_eq!(list.len(), 2, "one per fingerprint");
    assert!(
        list.iter().all(|i| i["impact"] == 1),
        "severity=critical → 1"
    );
    assert!(list.iter().all(|i| i["title"] == "High CPU usage"));
    assert_eq!(send(resolved, &secret).await.unwrap().status(), 200);
    let list = incidents(&server).await;
    assert!(list.iter().all(|i| i["status"] == "RESOLVED"), "{list:?}");
    let d = detail(&server, list[0]["arn"].as_str().unwrap()).await;
    assert!(
        d["timelineEvents"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["eventType"] == "Alerts Resolved")
    );
    // A resolved alert that fed nothing opens nothing.
    let before = incidents(&server).await.len();
    assert_eq!(send(resolved, &secret).await.unwrap().status(), 200);
    assert_eq!(incidents(&server).await.len(), before);
    server.stop();
}

/// Deletes a window (answered 204).
async fn delete_window(server: &TestServer, id: &Value) {
    let r = server
        .client
        .post(format!("{}/v1/maintenance-windows/delete", server.base))
        .json(&json!({ "id": id }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 204);
}

async fn create_window(server: &TestServer, body: Value) -> Value {
    let r = server
        .client
        .post(format!("{}/v1/maintenance-windows", server.base))
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    r.json().await.unwrap()
}

fn alarm(name: &str, state: &str) -> Value {
    let mut entry = crate::support::alarm_entry();
    let arn = format!("arn:aws:cloudwatch:us-east-1:123456789012:alarm:{name}");
    entry["Resources"] = json!([arn]);
    let mut detail: Value = serde_json::from_str(entry["Detail"].as_str().unwrap()).unwrap();
    detail["alarmName"] = json!(name);
    detail["state"]["value"] = json!(state);
    entry["Detail"] = json!(detail.to_string());
    entry
}

async fn put(server: &TestServer, entries: Vec<Value>) -> u16 {
    server
        .events("PutEvents", &json!({"Entries": entries}))
        .await
        .0
}

#[tokio::test]
async fn maintenance_window_holds_back_then_opens_what_still_fires() {
    let server = TestServer::start().await;
    server.alarm_route("windowed", 2).await;
    let now = tocsin_server::clock::now();
    let window = create_window(
        &server,
        json!({"name": "db upgrade", "reason": "planned", "eventPattern": r#"{"source":["aws.cloudwatch"]}"#, "durationSeconds": 4}),
    )
    .await;
    assert_eq!(window["status"], "ACTIVE");
    let id = window["id"].as_str().unwrap().to_owned();
    assert_eq!(
        put(
            &server,
            vec![alarm("still-firing", "ALARM"), alarm("recovers", "ALARM")]
        )
        .await,
        200
    );
    assert_eq!(put(&server, vec![alarm("recovers", "OK")]).await, 200);
    assert!(
        incidents(&server).await.is_empty(),
        "nothing opens during the window"
    );
    let suppressed = get_json(
        &server.client,
        format!(
            "{}/v1/maintenance-windows/suppressions?id={id}",
            server.base
        ),
    )
    .await;
    assert_eq!(suppressed.as_array().unwrap().len(), 3, "{suppressed}");
    let wall = get_json(&server.client, format!("{}/v1/wall", server.base)).await;
    assert_eq!(wall["maintenanceWindows"][0]["id"], id.as_str());
    assert_eq!(wall["maintenanceWindows"][0]["suppressedCount"], 3);
    // After its end (plus the scheduler's tolerance on a loaded machine).
    let deadline = now + 30.0;
    loop {
        let list = incidents(&server).await;
        if !list.is_empty() || tocsin_server::clock::now() > deadline {
            assert_eq!(
                list.len(),
                1,
                "only the alarm still in ALARM opens: {list:?}"
            );
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    let d = detail(
        &server,
        incidents(&server).await[0]["arn"].as_str().unwrap(),
    )
    .await;
    assert!(d.to_string().contains("alarm:still-firing"));
    let suppressed = get_json(
        &server.client,
        format!(
            "{}/v1/maintenance-windows/suppressions?id={id}",
            server.base
        ),
    )
    .await;
    let outcomes: Vec<&str> = suppressed
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["outcome"].as_str().unwrap())
        .collect();
    assert_eq!(outcomes, ["OPENED", "SUPERSEDED", "RESOLVED"]);

    // A recurring window (every minute, 50 s long, begun an hour ago) is active at its
    // occurrence: an alarm then opens nothing.
    let second = (tocsin_server::clock::now() as i64) % 60;
    if second >= 45 {
        tokio::time::sleep(std::time::Duration::from_secs((62 - second) as u64)).await;
    }
    let recurring = create_window(
        &server,
        json!({"name": "nightly", "eventPattern": r#"{"resources":[{"suffix":"recurring"}]}"#,
               "startsAt": now - 3600.0, "durationSeconds": 50,
               "recurrence": {"cron": "* * * * *", "timeZone": "Europe/Berlin"}}),
    )
    .await;
    assert_eq!(recurring["status"], "ACTIVE", "{recurring}");
    let before = incidents(&server).await.len();
    assert_eq!(put(&server, vec![alarm("recurring", "ALARM")]).await, 200);
    assert_eq!(incidents(&server).await.len(), before);

    // Deleting a window ends it: what it held back and still fires opens now.
    let before = incidents(&server).await.len();
    delete_window(&server, &recurring["id"]).await;
    assert_eq!(
        incidents(&server).await.len(),
        before + 1,
        "the held-back alarm opens"
    );

    // Bad windows are refused with reasons.
    for bad in [
        json!({"name": "x", "eventPattern": "{\"source\":"}),
        json!({"name": "x", "eventPattern": "{}", "durationSeconds": 0}),
        json!({"name": "x", "eventPattern": "{}", "recurrence": {"cron": "0 2 * * SUN"}}),
        json!({"name": "x", "eventPattern": "{}", "durationSeconds": 60, "recurrence": {"cron": "0 2 * * SUN", "timeZone": "Mars/Base"}}),
        json!({"eventPattern": "{}", "durationSeconds": 60}),
    ] {
        let r = server
            .client
            .post(format!("{}/v1/maintenance-windows", server.base))
            .json(&bad)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 400, "{bad}");
    }
    server.stop();
}

async fn count_events(db: &str, detail_type: &str) -> i64 {
    let store = tocsin_server::store::sqlite::SqliteStore::open(db)
        .await
        .unwrap();
    sqlx::query_scalar(
        "SELECT COUNT(*) FROM events WHERE json_extract(body, '$.\"detail-type\"') = ?",
    )
    .bind(detail_type)
    .fetch_one(store.pool())
    .await
    .unwrap()
}

#[tokio::test]
async fn heartbeat_missed_once_even_across_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}", dir.path().join("t.db").display());
    let first = Tocsin::start(&db, &[]).await;
    let api = |t: &Tocsin, path: &str, body: Value| {
        t.client
            .post(format!("{}{path}", t.base))
            .json(&body)
            .send()
    };
    let plan = api(
        &first,
        "/createResponsePlan",
        json!({"name": "dead-man", "incidentTemplate": {"title": "Backups stopped", "impact": 2}}),
    )
    .await
    .unwrap()
    .json::<Value>()
    .await
    .unwrap()["arn"]
        .as_str()
        .unwrap()
        .to_owned();
    let events = |t: &Tocsin, op: &str, body: Value| {
        t.client
            .post(format!("{}/", t.base))
            .header("x-amz-target", format!("AWSEvents.{op}"))
            .header("content-type", "application/x-amz-json-1.1")
            .body(body.to_string())
            .send()
    };
    let pattern = json!({"source": ["tocsin.heartbeat"], "detail-type": ["Heartbeat Missed"]});
    assert_eq!(
        events(
            &first,
            "PutRule",
            json!({"Name": "missed", "EventPattern": pattern.to_string()})
        )
        .await
        .unwrap()
        .status(),
        200
    );
    assert_eq!(
        events(
            &first,
            "PutTargets",
            json!({"Rule": "missed", "Targets": [{"Id": "p", "Arn": plan}]})
        )
        .await
        .unwrap()
        .status(),
        200
    );
    let r = api(&first, "/v1/heartbeats", json!({"name": "backups", "eventPattern": "{\"source\":[\"backup.job\"]}", "intervalSeconds": 2}))
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let due = r.json::<Value>().await.unwrap()["dueAt"].as_f64().unwrap();
    // Down before the deadline, up after it: missed once, at start, dated at the deadline.
    drop(first);
    tokio::time::sleep(std::time::Duration::from_secs(3)).await;
    let second = Tocsin::start(&db, &[]).await;
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    let list = loop {
        let list: Value = api(&second, "/listIncidentRecords", json!({}))
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        if !list["incidentRecordSummaries"]
            .as_array()
            .unwrap()
            .is_empty()
            || std::time::Instant::now() > deadline
        {
            break list;
        }
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    };
    assert_eq!(
        list["incidentRecordSummaries"].as_array().unwrap().len(),
        1,
        "{list}"
    );
    let beats: Value = second
        .client
        .get(format!("{}/v1/heartbeats", second.base))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(beats[0]["state"], "MISSED");
    assert_eq!(
        beats[0]["missedAt"].as_f64().unwrap(),
        due,
        "dated at the deadline"
    );
    // Another restart during the silence: no second miss.
    drop(second);
    let third = Tocsin::start(&db, &[]).await;
    tokio::time::sleep(std::time::Duration::from_secs(3)).await;
    let list: Value = api(&third, "/listIncidentRecords", json!({}))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(list["incidentRecordSummaries"].as_array().unwrap().len(), 1);
    // A beat recovers it.
    let entry = json!({"Entries": [{"Source": "backup.job", "DetailType": "Backup Finished", "Detail": "{}"}]});
    assert_eq!(
        events(&third, "PutEvents", entry).await.unwrap().status(),
        200
    );
    let beats: Value = third
        .client
        .get(format!("{}/v1/heartbeats", third.base))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(beats[0]["state"], "OK");
    drop(third);
    assert_eq!(count_events(&db, "Heartbeat Missed").await, 1);
    assert_eq!(count_events(&db, "Heartbeat Recovered").await, 1);
}

#[tokio::test]
async fn receivers_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}", dir.path().join("t.db").display());
    let run = |args: &[&str]| {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_tocsin"))
            .args(["receivers"])
            .args(args)
            .args([
                "--database-url",
                &db,
                "--public-url",
                "https://tocsin.example.com",
            ])
            .output()
            .unwrap();
        (
            out.status.success(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    let (ok, out, err) = run(&[
        "create",
        "--kind",
        "alertmanager",
        "--name",
        "prom",
        "--output",
        "json",
    ]);
    assert!(ok, "{err}");
    let created: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(created["name"], "prom");
    assert_eq!(created["kind"], "alertmanager");
    assert_eq!(
        created["url"],
        "https://tocsin.example.com/v1/receivers/alertmanager/prom"
    );
    assert_eq!(created["secret"].as_str().unwrap().len(), 32);
    let (ok, out, _) = run(&["list", "--output", "json"]);
    assert!(ok);
    assert!(!out.contains(created["secret"].as_str().unwrap()));
    assert_eq!(
        serde_json::from_str::<Value>(&out).unwrap()[0]["name"],
        "prom"
    );
    let (ok, _, err) = run(&["create", "--kind", "alertmanager", "--name", "prom"]);
    assert!(!ok && err.contains("already exists"), "{err}");
    let (ok, _, err) = run(&["create", "--kind", "nonsense", "--name", "x"]);
    assert!(!ok, "{err}");
    assert!(run(&["delete", "prom"]).0);
    let (ok, _, err) = run(&["delete", "prom"]);
    assert!(!ok && err.contains("does not exist"), "{err}");
}

#[tokio::test]
async fn a_window_that_ends_hands_over_to_an_overlapping_one() {
    let server = TestServer::start().await;
    server.alarm_route("overlap", 2).await;
    let pattern = r#"{"source":["aws.cloudwatch"]}"#;
    let short = create_window(
        &server,
        json!({"name": "short", "eventPattern": pattern, "durationSeconds": 3}),
    )
    .await;
    let long = create_window(
        &server,
        json!({"name": "long", "eventPattern": pattern, "durationSeconds": 600}),
    )
    .await;
    assert_eq!(put(&server, vec![alarm("overlapping", "ALARM")]).await, 200);
    let suppressions = |id: Value| {
        let url = format!(
            "{}/v1/maintenance-windows/suppressions?id={}",
            server.base,
            id.as_str().unwrap()
        );
        get_json(&server.client, url)
    };
    let deadline = tocsin_server::clock::now() + 30.0;
    loop {
        let first = suppressions(short["id"].clone()).await;
        if first[0]["outcome"] == "HELD" {
            break;
        }
        assert!(
            tocsin_server::clock::now() < deadline,
            "the short window never handed over: {first}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    assert!(
        incidents(&server).await.is_empty(),
        "the long window holds it"
    );
    let held = suppressions(long["id"].clone()).await;
    assert_eq!(held.as_array().unwrap().len(), 1, "{held}");
    delete_window(&server, &long["id"]).await;
    assert_eq!(incidents(&server).await.len(), 1, "released at last");
    server.stop();
}

/// Receivers go through group commit (issue 12): concurrent PagerDuty triggers share
/// transactions, every accepted one is stored with its incident, and a bad one in their
/// midst is refused alone with PagerDuty's error shape.
#[tokio::test]
async fn concurrent_receiver_requests_share_commits_and_a_bad_one_fails_alone() {
    let server = TestServer::start().await;
    route(
        &server,
        "pd",
        json!({"source": ["pagerduty.events"], "detail-type": ["PagerDuty Event"]}),
    )
    .await;
    let (key, _) = receiver(&server, "pagerduty", "pd-many", json!({})).await;
    let sample: Value = serde_json::from_str(include_str!(
        "../../../../../shared/samples/pagerduty/events-v2-trigger.json"
    ))
    .unwrap();
    let enqueue = format!("{}/v2/enqueue", server.base);
    let calls = (0..40).map(|i| {
        let mut trigger = sample.clone();
        trigger["routing_key"] = json!(key);
        trigger["dedup_key"] = json!(format!("key-{i}"));
        if i == 17 {
            // Refused: a trigger without a summary.
            trigger["payload"]
                .as_object_mut()
                .unwrap()
                .remove("summary");
        }
        let url = enqueue.clone();
        async move { (i, post_json(&url, &trigger).await) }
    });
    for (i, (status, body)) in futures::future::join_all(calls).await {
        if i == 17 {
            assert_eq!(status, 400, "{body}");
            assert_eq!(body["status"], "invalid event", "{body}");
        } else {
            assert_eq!(status, 202, "{i}: {body}");
            assert_eq!(body["dedup_key"], format!("key-{i}"));
        }
    }
    assert_eq!(
        incidents(&server).await.len(),
        39,
        "one incident per accepted trigger"
    );
    let events: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM events")
        .fetch_one(server.store.pool())
        .await
        .unwrap();
    assert_eq!(events, 39);
    server.stop();
}

/// Merges held within one write end at a resolution (issue 12): one Alertmanager payload
/// firing an alert three times, resolving it, then firing it twice opens two incidents: the
/// first (two merges folded into one entry) resolved, the second open with one merge,
/// rather than merging the last firings into the resolved incident.
#[tokio::test]
async fn a_resolution_inside_one_payload_ends_the_held_merge() {
    let server = TestServer::start().await;
    route(
        &server,
        "am-held",
        json!({"source": ["prometheus.alertmanager"]}),
    )
    .await;
    let (secret, url) = receiver(&server, "alertmanager", "prom-held", json!({})).await;
    let mut payload: Value = serde_json::from_str(include_str!(
        "../../../../../shared/samples/alertmanager/webhook-firing.json"
    ))
    .unwrap();
    let alert = payload["alerts"][0].clone();
    let mut resolved = alert.clone();
    resolved["status"] = json!("resolved");
    resolved["endsAt"] = json!("2024-05-14T09:30:00Z");
    payload["alerts"] = json!([alert, alert, alert, resolved, alert, alert]);
    let r = reqwest::Client::new()
        .post(&url)
        .bearer_auth(&secret)
        .json(&payload)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200, "{:?}", r.text().await);

    let list = incidents(&server).await;
    assert_eq!(list.len(), 2, "{list:?}");
    let by_status = |status: &str| {
        list.iter()
            .find(|i| i["status"] == status)
            .unwrap_or_else(|| panic!("no {status} incident in {list:?}"))["arn"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    let merges = |arn: String| {
        let server = &server;
        async move {
            let d = detail(server, &arn).await;
            d["timelineEvents"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|e| e["eventType"] == "Trigger Deduplicated")
                .map(|e| {
                    serde_json::from_str::<Value>(e["eventData"].as_str().unwrap()).unwrap()
                        ["count"]
                        .as_u64()
                        .unwrap()
                })
                .collect::<Vec<u64>>()
        }
    };
    assert_eq!(merges(by_status("RESOLVED")).await, vec![2]);
    assert_eq!(merges(by_status("OPEN")).await, vec![1]);
    server.stop();
}
