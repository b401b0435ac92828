//! Topics over the SNS query protocol, and notification deliveries to real loopback
//! receivers: Slack and Teams payloads, retries recorded in the delivery log, the http
//! subscription handshake, and bad input answered in SNS's XML.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::Value;
use tocsin_api::auth::Role;
use tocsin_server::ServerConfig;

use crate::support::{TestServer, bearer_client};

/// What a loopback receiver got: (path, headers as "name: value" lines, body).
type Received = Arc<Mutex<Vec<(String, String, String)>>>;

/// A receiver on loopback that records every POST and answers 500 to the first
/// `fail_first` requests on `/flaky`, 200 otherwise.
async fn receiver(fail_first: usize) -> (String, Received) {
    let got: Received = Arc::default();
    let failures = Arc::new(Mutex::new(fail_first));
    let app = axum::Router::new().fallback({
        let got = got.clone();
        move |uri: axum::http::Uri, headers: axum::http::HeaderMap, body: String| {
            let got = got.clone();
            let failures = failures.clone();
            async move {
                let lines: Vec<String> = headers
                    .iter()
                    .map(|(k, v)| format!("{k}: {}", v.to_str().unwrap_or_default()))
                    .collect();
                got.lock()
                    .unwrap()
                    .push((uri.path().to_owned(), lines.join("\n"), body));
                let mut left = failures.lock().unwrap();
                if uri.path() == "/flaky" && *left > 0 {
                    *left -= 1;
                    return axum::http::StatusCode::INTERNAL_SERVER_ERROR;
                }
                axum::http::StatusCode::OK
            }
        }
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (base, got)
}

async fn lab_server() -> TestServer {
    TestServer::start_with(ServerConfig {
        outbound_allow: vec!["127.0.0.0/8".parse().unwrap()],
        ..ServerConfig::default()
    })
    .await
}

/// POSTs a query-protocol call; returns (status, XML body).
async fn sns(client: &reqwest::Client, base: &str, params: &[(&str, &str)]) -> (u16, String) {
    let mut all = vec![("Version", "2010-03-31")];
    all.extend_from_slice(params);
    let body = url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(all)
        .finish();
    let r = client
        .post(format!("{base}/"))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .body(body)
        .send()
        .await
        .unwrap();
    (r.status().as_u16(), r.text().await.unwrap())
}

/// The text of the first `<name>` element.
fn xml_text(xml: &str, name: &str) -> String {
    let open = format!("<{name}>");
    let start = xml
        .find(&open)
        .unwrap_or_else(|| panic!("no <{name}> in {xml}"))
        + open.len();
    let end = xml[start..].find(&format!("</{name}>")).unwrap() + start;
    quick_xml::escape::unescape(&xml[start..end])
        .unwrap()
        .into_owned()
}

async fn wait_for<T>(what: &str, mut check: impl AsyncFnMut() -> Option<T>) -> T {
    for _ in 0..300 {
        if let Some(v) = check().await {
            return v;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("timed out waiting for {what}");
}

async fn topic(server: &TestServer, name: &str) -> String {
    let (status, xml) = sns(
        &server.client,
        &server.base,
        &[("Action", "CreateTopic"), ("Name", name)],
    )
    .await;
    assert_eq!(status, 200, "{xml}");
    xml_text(&xml, "TopicArn")
}

#[tokio::test]
async fn chat_deliveries_carry_their_payloads_and_retries_are_logged() {
    let server = lab_server().await;
    let (hooks, got) = receiver(3).await;
    let arn = topic(&server, "chat").await;
    let slack_url = format!("{hooks}/flaky?token=s3cret");
    let teams_url = format!("{hooks}/teams?sig=s3cret");
    for (protocol, url) in [("slack", &slack_url), ("msteams", &teams_url)] {
        let (status, xml) = sns(
            &server.client,
            &server.base,
            &[
                ("Action", "Subscribe"),
                ("TopicArn", &arn),
                ("Protocol", protocol),
                ("Endpoint", url),
            ],
        )
        .await;
        assert_eq!(status, 200, "{xml}");
        assert!(
            xml_text(&xml, "SubscriptionArn").starts_with(&arn),
            "chat starts confirmed"
        );
    }
    // The webhook URLs are secrets: no read path shows them.
    let (_, list) = sns(
        &server.client,
        &server.base,
        &[("Action", "ListSubscriptionsByTopic"), ("TopicArn", &arn)],
    )
    .await;
    assert!(
        !list.contains("s3cret") && list.contains("REDACTED"),
        "{list}"
    );
    let views = server.get("/v1/topics").await.text().await.unwrap();
    assert!(
        !views.contains("s3cret") && views.contains("REDACTED"),
        "{views}"
    );
    // A responder may not add a chat webhook.
    let (id, secret) = server.key("resp", Role::Responder).await;
    let (status, xml) = sns(
        &bearer_client(&id, &secret),
        &server.base,
        &[
            ("Action", "Subscribe"),
            ("TopicArn", &arn),
            ("Protocol", "slack"),
            ("Endpoint", "https://hooks.example/x"),
        ],
    )
    .await;
    assert_eq!(
        (status, xml_text(&xml, "Code")),
        (403, "AuthorizationError".into()),
        "{xml}"
    );

    let (status, xml) = sns(
        &server.client,
        &server.base,
        &[
            ("Action", "Publish"),
            ("TopicArn", &arn),
            ("Subject", "Disk full"),
            ("Message", "db-1 is at 99%"),
        ],
    )
    .await;
    assert_eq!(status, 200, "{xml}");
    let message_id = xml_text(&xml, "MessageId");

    let slack = wait_for("the slack delivery to succeed", async || {
        let log: Value = server.get("/v1/notifications").await.json().await.unwrap();
        log.as_array()
            .unwrap()
            .iter()
            .find(|d| d["protocol"] == "slack" && d["status"] == "DELIVERED")
            .cloned()
    })
    .await;
    assert_eq!(slack["messageId"], message_id.as_str());
    let attempts = slack["attempts"].as_array().unwrap();
    assert_eq!(attempts.len(), 4, "{slack}");
    for a in &attempts[..3] {
        assert_eq!(
            (a["ok"].as_bool(), a["code"].as_u64()),
            (Some(false), Some(500)),
            "{a}"
        );
    }
    assert_eq!(
        (attempts[3]["ok"].as_bool(), attempts[3]["code"].as_u64()),
        (Some(true), Some(200))
    );
    assert!(
        !slack.to_string().contains("s3cret"),
        "the log redacts the URL: {slack}"
    );

    let requests = got.lock().unwrap().clone();
    let slack_bodies: Vec<Value> = requests
        .iter()
        .filter(|(path, ..)| path == "/flaky")
        .map(|(_, _, b)| serde_json::from_str(b).unwrap())
        .collect();
    assert_eq!(
        slack_bodies.len(),
        4,
        "three 500s, then the one that was accepted"
    );
    let body = &slack_bodies[3];
    assert!(
        body["text"].as_str().unwrap().contains("db-1 is at 99%"),
        "{body}"
    );
    assert_eq!(body["blocks"][0]["type"], "section", "{body}");
    let teams: Vec<Value> = requests
        .iter()
        .filter(|(path, ..)| path == "/teams")
        .map(|(_, _, b)| serde_json::from_str(b).unwrap())
        .collect();
    assert_eq!(teams.len(), 1);
    let card = &teams[0]["attachments"][0];
    assert_eq!(teams[0]["type"], "message");
    assert_eq!(
        card["contentType"],
        "application/vnd.microsoft.card.adaptive"
    );
    assert_eq!(card["content"]["type"], "AdaptiveCard");
    let card_text = card["content"]["body"].to_string();
    assert!(
        card_text.contains("Disk full") && card_text.contains("db-1 is at 99%"),
        "{card_text}"
    );
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert_eq!(
        got.lock()
            .unwrap()
            .iter()
            .filter(|(p, ..)| p == "/flaky")
            .count(),
        4,
        "nothing is sent again once delivered"
    );
    server.stop();
}

#[tokio::test]
async fn http_subscriptions_confirm_through_the_subscribe_url_and_get_signed_messages() {
    let server = lab_server().await;
    let (hooks, got) = receiver(0).await;
    let arn = topic(&server, "web").await;
    let endpoint = format!("{hooks}/sns");
    let (status, xml) = sns(
        &server.client,
        &server.base,
        &[
            ("Action", "Subscribe"),
            ("TopicArn", &arn),
            ("Protocol", "http"),
            ("Endpoint", &endpoint),
        ],
    )
    .await;
    assert_eq!(
        (status, xml_text(&xml, "SubscriptionArn")),
        (200, "pending confirmation".into())
    );
    // Nothing is delivered to a pending subscription.
    sns(
        &server.client,
        &server.base,
        &[
            ("Action", "Publish"),
            ("TopicArn", &arn),
            ("Message", "early"),
        ],
    )
    .await;

    let confirmation: Value = wait_for("the SubscriptionConfirmation", async || {
        got.lock().unwrap().first().map(|(_, headers, body)| {
            assert!(
                headers.contains("x-amz-sns-message-type: SubscriptionConfirmation"),
                "{headers}"
            );
            assert!(headers.contains("content-type: text/plain"), "{headers}");
            serde_json::from_str(body).unwrap()
        })
    })
    .await;
    assert_eq!(confirmation["Type"], "SubscriptionConfirmation");
    assert_eq!(confirmation["SignatureVersion"], "2");
    assert!(!confirmation["Signature"].as_str().unwrap().is_empty());
    // Links are built from --public-url (the default here), never from the request's Host.
    let public = "http://127.0.0.1:8787";
    let local = |url: &str| {
        assert!(url.starts_with(public), "{url}");
        url.replacen(public, &server.base, 1)
    };
    let subscribe_url = local(confirmation["SubscribeURL"].as_str().unwrap());

    // A wrong token is refused; the real link needs no credentials.
    let wrong = subscribe_url.replace("Token=", "Token=00");
    let r = server.anonymous.get(&wrong).send().await.unwrap();
    assert_eq!(r.status(), 400);
    assert!(
        r.text()
            .await
            .unwrap()
            .contains("<Code>InvalidParameter</Code>")
    );
    let r = server.anonymous.get(&subscribe_url).send().await.unwrap();
    assert_eq!(r.status(), 200);
    let confirmed = xml_text(&r.text().await.unwrap(), "SubscriptionArn");
    assert!(confirmed.starts_with(&arn));

    let (_, xml) = sns(
        &server.client,
        &server.base,
        &[
            ("Action", "Publish"),
            ("TopicArn", &arn),
            ("Subject", "Hello"),
            ("Message", "now"),
        ],
    )
    .await;
    let message_id = xml_text(&xml, "MessageId");
    let message: Value = wait_for("the Notification", async || {
        got.lock().unwrap().get(1).map(|(_, headers, body)| {
            assert!(
                headers.contains(&format!("x-amz-sns-subscription-arn: {confirmed}")),
                "{headers}"
            );
            serde_json::from_str(body).unwrap()
        })
    })
    .await;
    assert_eq!(message["Type"], "Notification");
    assert_eq!(message["MessageId"], message_id.as_str());
    assert_eq!(
        (message["Subject"].as_str(), message["Message"].as_str()),
        (Some("Hello"), Some("now"))
    );
    let cert = server
        .anonymous
        .get(local(message["SigningCertURL"].as_str().unwrap()))
        .send()
        .await
        .unwrap();
    assert_eq!(cert.status(), 200);
    assert!(
        cert.text()
            .await
            .unwrap()
            .starts_with("-----BEGIN CERTIFICATE-----")
    );
    assert_eq!(
        got.lock().unwrap().len(),
        2,
        "the early message went nowhere"
    );

    // The UnsubscribeURL works without credentials; afterwards nothing is delivered.
    let r = server
        .anonymous
        .get(local(message["UnsubscribeURL"].as_str().unwrap()))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let (_, list) = sns(
        &server.client,
        &server.base,
        &[("Action", "ListSubscriptionsByTopic"), ("TopicArn", &arn)],
    )
    .await;
    assert!(!list.contains("<member>"), "{list}");
    server.stop();
}

#[tokio::test]
async fn bad_input_gets_sns_errors_and_writes_nothing() {
    let server = lab_server().await;
    let arn = topic(&server, "errors").await;
    let missing = format!("{arn}-nope");
    for (params, status, code) in [
        (
            vec![
                ("Action", "Publish"),
                ("TopicArn", missing.as_str()),
                ("Message", "x"),
            ],
            404,
            "NotFound",
        ),
        (
            vec![
                ("Action", "Publish"),
                ("TopicArn", arn.as_str()),
                ("Message", ""),
            ],
            400,
            "InvalidParameter",
        ),
        (
            vec![
                ("Action", "Publish"),
                ("TopicArn", arn.as_str()),
                ("Message", "x"),
                ("Subject", "two\nlines"),
            ],
            400,
            "InvalidParameter",
        ),
        (
            vec![
                ("Action", "Publish"),
                ("TopicArn", arn.as_str()),
                ("Message", "{}"),
                ("MessageStructure", "json"),
            ],
            400,
            "InvalidParameter",
        ),
        (
            vec![
                ("Action", "Subscribe"),
                ("TopicArn", arn.as_str()),
                ("Protocol", "sms"),
                ("Endpoint", "+15555550100"),
            ],
            400,
            "InvalidParameter",
        ),
        (
            vec![
                ("Action", "Subscribe"),
                ("TopicArn", arn.as_str()),
                ("Protocol", "https"),
                ("Endpoint", "http://plain.example/"),
            ],
            400,
            "InvalidParameter",
        ),
        (
            vec![
                ("Action", "Subscribe"),
                ("TopicArn", arn.as_str()),
                ("Protocol", "email"),
                ("Endpoint", "not an address"),
            ],
            400,
            "InvalidParameter",
        ),
        (
            vec![("Action", "CreateTopic"), ("Name", "bad name!")],
            400,
            "InvalidParameter",
        ),
        (
            vec![("Action", "CreateTopic"), ("Name", "q.fifo")],
            400,
            "InvalidParameter",
        ),
        (
            vec![
                ("Action", "SetTopicAttributes"),
                ("TopicArn", arn.as_str()),
                ("AttributeName", "Nope"),
                ("AttributeValue", "1"),
            ],
            400,
            "InvalidParameter",
        ),
        (
            vec![
                ("Action", "TagResource"),
                ("ResourceArn", missing.as_str()),
                ("Tags.member.1.Key", "k"),
                ("Tags.member.1.Value", "v"),
            ],
            404,
            "ResourceNotFound",
        ),
        (
            vec![
                ("Action", "Unsubscribe"),
                (
                    "SubscriptionArn",
                    "arn:aws:sns:us-east-1:000000000000:errors:x",
                ),
            ],
            404,
            "NotFound",
        ),
        (vec![("Action", "Frobnicate")], 400, "InvalidAction"),
    ] {
        let (got_status, xml) = sns(&server.client, &server.base, &params).await;
        assert_eq!(
            (got_status, xml_text(&xml, "Code")),
            (status, code.to_owned()),
            "{params:?}: {xml}"
        );
        assert!(xml.contains("<ErrorResponse"), "{xml}");
    }
    let tags = (0..51)
        .map(|i| (format!("Tags.member.{}.Key", i + 1), format!("k{i}")))
        .collect::<Vec<_>>();
    let mut params: Vec<(&str, &str)> =
        vec![("Action", "TagResource"), ("ResourceArn", arn.as_str())];
    params.extend(tags.iter().map(|(k, v)| (k.as_str(), v.as_str())));
    let (status, xml) = sns(&server.client, &server.base, &params).await;
    assert_eq!(
        (status, xml_text(&xml, "Code")),
        (400, "TagLimitExceeded".into()),
        "{xml}"
    );
    // Without credentials, and with a bad secret.
    let (status, xml) = sns(&server.anonymous, &server.base, &[("Action", "ListTopics")]).await;
    assert_eq!(
        (status, xml_text(&xml, "Code")),
        (403, "MissingAuthenticationToken".into())
    );
    let (status, xml) = sns(
        &bearer_client("TOCSNOPENOPENOPENOPE", "x"),
        &server.base,
        &[("Action", "ListTopics")],
    )
    .await;
    assert_eq!(
        (status, xml_text(&xml, "Code")),
        (403, "InvalidClientTokenId".into())
    );
    // Nothing was queued by any refused call.
    let log: Value = server.get("/v1/notifications").await.json().await.unwrap();
    assert_eq!(log.as_array().unwrap().len(), 0, "{log}");
    let (_, tags) = sns(
        &server.client,
        &server.base,
        &[("Action", "ListTagsForResource"), ("ResourceArn", &arn)],
    )
    .await;
    assert!(!tags.contains("<member>"), "{tags}");
    server.stop();
}

#[tokio::test]
async fn email_without_an_smtp_relay_fails_with_the_reason() {
    let server = lab_server().await;
    let arn = topic(&server, "mail").await;
    let (status, _) = sns(
        &server.client,
        &server.base,
        &[
            ("Action", "Subscribe"),
            ("TopicArn", &arn),
            ("Protocol", "email"),
            ("Endpoint", "oncall@example.com"),
        ],
    )
    .await;
    assert_eq!(status, 200);
    let failed = wait_for("the confirmation email to fail", async || {
        let log: Value = server.get("/v1/notifications").await.json().await.unwrap();
        log.as_array()
            .unwrap()
            .iter()
            .find(|d| d["status"] == "FAILED")
            .cloned()
    })
    .await;
    assert_eq!(failed["kind"], "SubscriptionConfirmation");
    let error = failed["attempts"][0]["error"].as_str().unwrap();
    assert!(error.contains("--smtp-url"), "{error}");
    server.stop();
}

#[tokio::test]
async fn response_plans_notify_their_topics_and_the_incident_keeps_a_delivery_log() {
    let server = lab_server().await;
    let (hooks, got) = receiver(0).await;
    let topic = topic(&server, "oncall").await;
    sns(
        &server.client,
        &server.base,
        &[
            ("Action", "Subscribe"),
            ("TopicArn", &topic),
            ("Protocol", "slack"),
            ("Endpoint", &format!("{hooks}/slack")),
        ],
    )
    .await;
    let missing = "arn:aws:sns:us-east-1:000000000000:nobody-made-this";
    let (status, plan) = server
        .rest(
            "/createResponsePlan",
            &serde_json::json!({
                "name": "db",
                "incidentTemplate": {
                    "title": "Database <down>",
                    "impact": 2,
                    "notificationTargets": [{"snsTopicArn": topic}],
                },
                "chatChannel": {"chatbotSns": [missing]},
            }),
        )
        .await;
    assert_eq!(status, 201, "{plan}");
    let (status, started) = server
        .rest(
            "/startIncident",
            &serde_json::json!({"responsePlanArn": plan["arn"]}),
        )
        .await;
    assert_eq!(status, 200, "{started}");
    let incident = started["incidentRecordArn"].as_str().unwrap().to_owned();
    let slack_texts = async || -> Vec<String> {
        got.lock()
            .unwrap()
            .iter()
            .filter(|(p, ..)| p == "/slack")
            .map(|(_, _, b)| {
                serde_json::from_str::<Value>(b).unwrap()["blocks"][0]["text"]["text"]
                    .as_str()
                    .unwrap()
                    .to_owned()
            })
            .collect()
    };
    wait_for("the opening notice", async || {
        (slack_texts().await.len() == 1).then_some(())
    })
    .await;
    assert_eq!(slack_texts().await[0], "Incident opened: Database <down>");
    let opening: Value = serde_json::from_str(&got.lock().unwrap()[0].2).unwrap();
    let text = opening["text"].as_str().unwrap();
    assert!(
        text.contains("Impact: 2 (High)") && text.contains("Status: OPEN"),
        "{text}"
    );
    assert!(text.contains("Latest: Incident started by hand"), "{text}");
    let link = opening["blocks"].as_array().unwrap().last().unwrap()["elements"][0]["url"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(
        link.starts_with("http://127.0.0.1:8787/incident?arn="),
        "{link}"
    );

    // Impact raised, then resolved: one notice each. A title change alone notifies nobody.
    for (change, expected) in [
        (
            serde_json::json!({"impact": 1}),
            Some("Impact changed from 2 (High) to 1 (Critical): Database <down>"),
        ),
        (
            serde_json::json!({"title": "Database <down> (primary)"}),
            None,
        ),
        (
            serde_json::json!({"status": "RESOLVED"}),
            Some("Incident resolved: Database <down> (primary)"),
        ),
    ] {
        let mut body = change.clone();
        body["arn"] = Value::from(incident.clone());
        let n = slack_texts().await.len();
        let (status, out) = server.rest("/updateIncidentRecord", &body).await;
        assert_eq!(status, 204, "{out}");
        if let Some(expected) = expected {
            wait_for(expected, async || {
                (slack_texts().await.len() == n + 1).then_some(())
            })
            .await;
            assert_eq!(slack_texts().await[n], expected);
        }
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(slack_texts().await.len(), 3);

    // The incident's delivery log: three slack deliveries and three refusals for the topic
    // that does not exist.
    let path = format!(
        "/v1/notifications?incidentArn={}",
        url::form_urlencoded::byte_serialize(incident.as_bytes()).collect::<String>()
    );
    let log: Value = server.get(&path).await.json().await.unwrap();
    let rows = log.as_array().unwrap();
    assert_eq!(rows.len(), 6, "{log}");
    let failed: Vec<&Value> = rows.iter().filter(|r| r["status"] == "FAILED").collect();
    assert_eq!(failed.len(), 3);
    assert!(failed.iter().all(|r| {
        r["topicArn"] == missing
            && r["attempts"][0]["error"]
                .as_str()
                .unwrap()
                .contains("does not exist")
    }));
    assert!(
        rows.iter()
            .filter(|r| r["protocol"] == "slack")
            .all(|r| r["status"] == "DELIVERED")
    );
    let (_, other) = server.raw_get("/v1/notifications?incidentArn=arn:aws:ssm-incidents::000000000000:incident-record/db/none").await;
    assert_eq!(other, serde_json::json!([]));
    server.stop();
}

#[tokio::test]
async fn runbooks_acknowledge_incidents_and_approvals_notify_their_topic() {
    let server = lab_server().await;
    let (hooks, got) = receiver(0).await;
    let topic = topic(&server, "approvers").await;
    sns(
        &server.client,
        &server.base,
        &[
            ("Action", "Subscribe"),
            ("TopicArn", &topic),
            ("Protocol", "slack"),
            ("Endpoint", &format!("{hooks}/approvers")),
        ],
    )
    .await;
    let (status, plan) = server
        .rest(
            "/createResponsePlan",
            &serde_json::json!({"name": "api", "incidentTemplate": {"title": "API slow", "impact": 3}}),
        )
        .await;
    assert_eq!(status, 201, "{plan}");
    let (_, started) = server
        .rest(
            "/startIncident",
            &serde_json::json!({"responsePlanArn": plan["arn"]}),
        )
        .await;
    let incident = started["incidentRecordArn"].as_str().unwrap().to_owned();
    let doc = serde_json::json!({"schemaVersion": "0.3", "parameters": {"Incident": {"type": "String"}}, "mainSteps": [
        {"name": "ack", "action": "aws:executeAwsApi", "inputs": {
            "Service": "tocsin", "Api": "AcknowledgeIncident",
            "incidentRecordArn": "{{ Incident }}", "note": "runbook is on it", "expiresInSeconds": "600"}},
        {"name": "ask", "action": "aws:approve", "inputs": {
            "Approvers": ["test-admin"], "Message": "Restart the API?", "NotificationArn": topic}},
    ]});
    let (status, out) = server
        .ssm(
            "CreateDocument",
            &serde_json::json!({"Name": "ack-and-ask", "Content": doc.to_string()}),
        )
        .await;
    assert_eq!(status, 200, "{out}");
    let (status, out) = server
        .ssm(
            "StartAutomationExecution",
            &serde_json::json!({"DocumentName": "ack-and-ask", "Parameters": {"Incident": [incident]}}),
        )
        .await;
    assert_eq!(status, 200, "{out}");
    let request = wait_for("the approval request on the topic", async || {
        got.lock()
            .unwrap()
            .iter()
            .find(|(p, ..)| p == "/approvers")
            .map(|(_, _, b)| serde_json::from_str::<Value>(b).unwrap())
    })
    .await;
    let text = request["text"].as_str().unwrap();
    assert!(
        text.contains("Approval requested") && text.contains("Restart the API?"),
        "{text}"
    );
    let path = format!(
        "/v1/incident?arn={}",
        url::form_urlencoded::byte_serialize(incident.as_bytes()).collect::<String>()
    );
    let detail: Value = server.get(&path).await.json().await.unwrap();
    let ack = &detail["incident"]["acknowledgement"];
    assert_eq!(ack["note"], "runbook is on it", "{detail}");
    assert!(ack["until"].as_f64().unwrap() > ack["at"].as_f64().unwrap() + 590.0);
    assert!(
        detail["metrics"]["timeToFirstAcknowledgement"]
            .as_f64()
            .unwrap()
            >= 0.0
    );
    let kinds: Vec<&str> = detail["timelineEvents"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["eventType"].as_str().unwrap())
        .collect();
    assert!(kinds.contains(&"Incident Acknowledged"), "{kinds:?}");
    server.stop();
}

#[tokio::test]
async fn a_dead_lettered_notification_opens_a_tocsin_delivery_failure_incident() {
    let server = lab_server().await;
    let arn = topic(&server, "mail").await;
    // Email without an SMTP relay fails at once: the confirmation is a dead letter.
    for address in ["oncall@example.com", "oncall@example.com"] {
        let (status, _) = sns(
            &server.client,
            &server.base,
            &[
                ("Action", "Subscribe"),
                ("TopicArn", &arn),
                ("Protocol", "email"),
                ("Endpoint", address),
            ],
        )
        .await;
        assert_eq!(status, 200);
    }
    let incident = wait_for("the self-watching incident", async || {
        let (_, list) = server
            .rest("/listIncidentRecords", &serde_json::json!({}))
            .await;
        list["incidentRecordSummaries"]
            .as_array()
            .unwrap()
            .iter()
            .find(|i| {
                i["title"]
                    .as_str()
                    .unwrap_or_default()
                    .starts_with("Tocsin delivery failure")
            })
            .cloned()
    })
    .await;
    assert_eq!(incident["status"], "OPEN");
    assert!(
        incident["title"]
            .as_str()
            .unwrap()
            .contains("email oncall@example.com"),
        "{incident}"
    );
    // The built-in plan exists and is an ordinary, editable plan.
    let (status, plans) = server
        .rest("/listResponsePlans", &serde_json::json!({}))
        .await;
    assert_eq!(status, 200);
    let plan = plans["responsePlanSummaries"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "tocsin-delivery-failure")
        .cloned()
        .expect("the built-in plan");
    assert_eq!(plan["displayName"], "Tocsin delivery failure");
    // The timeline's Incident Created entry carries the dead letter and its reason.
    let timeline = server
        .rest(
            "/listTimelineEvents",
            &serde_json::json!({"incidentRecordArn": incident["arn"]}),
        )
        .await
        .1;
    let created = timeline["eventSummaries"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["eventType"] == "Incident Created")
        .cloned()
        .expect("an Incident Created entry");
    let encode = |v: &Value| {
        url::form_urlencoded::byte_serialize(v.as_str().unwrap().as_bytes()).collect::<String>()
    };
    let (status, event) = server
        .raw_get(&format!(
            "/getTimelineEvent?incidentRecordArn={}&eventId={}",
            encode(&incident["arn"]),
            encode(&created["eventId"])
        ))
        .await;
    assert_eq!(status, 200, "{event}");
    let data: Value = serde_json::from_str(event["event"]["eventData"].as_str().unwrap()).unwrap();
    let raw: Value =
        serde_json::from_str(data["triggerDetails"]["rawData"].as_str().unwrap()).unwrap();
    assert_eq!(raw["kind"], "SubscriptionConfirmation", "{raw}");
    assert!(
        raw["reason"].as_str().unwrap().contains("--smtp-url"),
        "the reason is on the timeline: {raw}"
    );
    // Both confirmations failed: one incident, the second merged into it.
    let (_, list) = server
        .rest("/listIncidentRecords", &serde_json::json!({}))
        .await;
    let self_watch = list["incidentRecordSummaries"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| {
            i["title"]
                .as_str()
                .unwrap_or_default()
                .starts_with("Tocsin delivery failure")
        })
        .count();
    assert_eq!(self_watch, 1, "{list}");
    server.stop();
}

/// Notifications cannot stall (issue 12): a chat endpoint that never answers holds only
/// its own places, so another endpoint's messages, published after, arrive while it hangs;
/// a notification row that cannot be decoded is failed alone with the reason.
#[tokio::test]
async fn a_hanging_endpoint_does_not_hold_up_others_and_a_poison_row_fails_alone() {
    let server = lab_server().await;
    let (fast, got) = receiver(0).await;
    let hanging = axum::Router::new().fallback(|| async {
        tokio::time::sleep(Duration::from_secs(60)).await;
        axum::http::StatusCode::OK
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let slow = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, hanging).await.unwrap() });

    let poison: i64 = sqlx::query_scalar(
        "INSERT INTO notifications (status, next_attempt_at, incident_arn, body) \
         VALUES ('PENDING', 0, NULL, '{\"not\": \"a notification\"}') RETURNING id",
    )
    .fetch_one(server.store.pool())
    .await
    .unwrap();

    let arn = topic(&server, "mixed").await;
    for (protocol, url) in [
        ("slack", format!("{slow}/hang")),
        ("msteams", format!("{fast}/teams")),
    ] {
        let (status, xml) = sns(
            &server.client,
            &server.base,
            &[
                ("Action", "Subscribe"),
                ("TopicArn", &arn),
                ("Protocol", protocol),
                ("Endpoint", &url),
            ],
        )
        .await;
        assert_eq!(status, 200, "{xml}");
    }
    for round in 1..=3usize {
        let subject = format!("round {round}");
        let (status, xml) = sns(
            &server.client,
            &server.base,
            &[
                ("Action", "Publish"),
                ("TopicArn", &arn),
                ("Subject", &subject),
                ("Message", "disk full"),
            ],
        )
        .await;
        assert_eq!(status, 200, "{xml}");
        wait_for(
            &format!("message {round} at the answering endpoint"),
            async || {
                let n = got
                    .lock()
                    .unwrap()
                    .iter()
                    .filter(|(path, _, _)| path == "/teams")
                    .count();
                (n >= round).then_some(())
            },
        )
        .await;
    }
    let status: String = sqlx::query_scalar("SELECT status FROM notifications WHERE id = ?")
        .bind(poison)
        .fetch_one(server.store.pool())
        .await
        .unwrap();
    assert_eq!(status, "FAILED");
    let body: String = sqlx::query_scalar("SELECT body FROM notifications WHERE id = ?")
        .bind(poison)
        .fetch_one(server.store.pool())
        .await
        .unwrap();
    assert!(body.contains("cannot be decoded"), "{body}");
    server.stop();
}
