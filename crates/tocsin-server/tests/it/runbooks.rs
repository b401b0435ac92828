//! The runbook engine over real HTTP and a real SQLite file: rule targets that start
//! runbooks, many incidents starting runbooks at once, and executions that survive
//! `kill -9` of the real binary.

use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::support::{TestServer, Tocsin, alarm_entry};

/// Polls `fetch` until `done` holds (30 s at most: generous for a loaded machine).
async fn eventually<F, Fut>(what: &str, mut fetch: F, done: impl Fn(&Value) -> bool) -> Value
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Value>,
{
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let value = fetch().await;
        if done(&value) {
            return value;
        }
        assert!(
            Instant::now() < deadline,
            "timed out waiting for {what}: {value}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// GetAutomationExecution's `AutomationExecution`, as the test admin.
async fn execution(server: &TestServer, id: String) -> Value {
    let (code, body) = server
        .ssm(
            "GetAutomationExecution",
            &json!({"AutomationExecutionId": id}),
        )
        .await;
    assert_eq!(code, 200, "{body}");
    body["AutomationExecution"].clone()
}

async fn executions(server: &TestServer) -> Vec<Value> {
    let (code, body) = server.ssm("DescribeAutomationExecutions", &json!({})).await;
    assert_eq!(code, 200, "{body}");
    body["AutomationExecutionMetadataList"]
        .as_array()
        .unwrap()
        .clone()
}

#[tokio::test]
async fn a_rule_target_starts_one_execution_per_matched_event_with_its_input() {
    let server = TestServer::start().await;
    let doc = json!({
        "schemaVersion": "0.3",
        "parameters": {"AlarmName": {"type": "String"}, "Resources": {"type": "StringList"}},
        "mainSteps": [{"name": "wait", "action": "aws:pause", "inputs": {}}]
    });
    let (code, body) = server
        .ssm(
            "CreateDocument",
            &json!({"Name": "on-alarm", "Content": doc.to_string(), "DocumentType": "Automation"}),
        )
        .await;
    assert_eq!(code, 200, "{body}");
    let pattern = json!({"source": ["aws.cloudwatch"]}).to_string();
    assert_eq!(
        server
            .events(
                "PutRule",
                &json!({"Name": "alarms", "EventPattern": pattern})
            )
            .await
            .0,
        200
    );
    let (code, body) = server
        .events(
            "PutTargets",
            &json!({"Rule": "alarms", "Targets": [
                {"Id": "runbook", "Arn": "arn:aws:ssm:us-east-1:000000000000:automation-definition/on-alarm:$DEFAULT",
                 "RoleArn": "arn:aws:iam::000000000000:role/EventBridgeAutomation",
                 "InputTransformer": {
                    "InputPathsMap": {"alarm": "$.detail.alarmName", "resources": "$.resources"},
                    "InputTemplate": "{\"AlarmName\": [<alarm>], \"Resources\": <resources>}"}},
                {"Id": "no-input", "Arn": "arn:aws:ssm:us-east-1:000000000000:automation-definition/on-alarm"}
            ]}),
        )
        .await;
    assert_eq!(code, 200, "{body}");
    for _ in 0..2 {
        let (code, body) = server
            .events("PutEvents", &json!({"Entries": [alarm_entry()]}))
            .await;
        assert_eq!(
            (code, body["FailedEntryCount"].as_i64()),
            (200, Some(0)),
            "{body}"
        );
    }
    // Two events, two executions: the target without an input (the whole event is not a
    // map of parameter lists) fails its invocation and starts nothing.
    let list = executions(&server).await;
    assert_eq!(list.len(), 2, "{list:?}");
    let id = list[0]["AutomationExecutionId"].as_str().unwrap();
    let exec = &execution(&server, id.to_owned()).await;
    assert_eq!(
        exec["ExecutedBy"],
        "arn:aws:iam::000000000000:role/EventBridgeAutomation"
    );
    let alarm = alarm_entry();
    let detail: Value = serde_json::from_str(alarm["Detail"].as_str().unwrap()).unwrap();
    assert_eq!(
        exec["Parameters"]["AlarmName"],
        json!([detail["alarmName"]])
    );
    assert_eq!(exec["Parameters"]["Resources"], alarm["Resources"]);
    server.stop();
}

#[tokio::test]
async fn fifty_incidents_started_at_once_start_fifty_executions_each_step_once() {
    let server = TestServer::start().await;
    let doc = json!({
        "schemaVersion": "0.3",
        "parameters": {"IncidentRecordArn": {"type": "String"}},
        "mainSteps": [
            {"name": "note", "action": "aws:executeAwsApi", "inputs": {
                "Service": "ssm-incidents", "Api": "CreateTimelineEvent",
                "incidentRecordArn": "{{ IncidentRecordArn }}", "eventType": "Custom Event",
                "eventTime": "{{ global:DATE_TIME }}", "eventData": "\"noted\""}},
            {"name": "settle", "action": "aws:sleep", "inputs": {"Duration": "PT0S"}}
        ]
    });
    let (code, body) = server
        .ssm(
            "CreateDocument",
            &json!({"Name": "note-it", "Content": doc.to_string()}),
        )
        .await;
    assert_eq!(code, 200, "{body}");
    let (code, plan) = server
        .rest(
            "/createResponsePlan",
            &json!({"name": "busy", "incidentTemplate": {"title": "busy", "impact": 3},
                "actions": [{"ssmAutomation": {"documentName": "note-it",
                    "roleArn": "arn:aws:iam::000000000000:role/Responder",
                    "dynamicParameters": {"IncidentRecordArn": {"variable": "INCIDENT_RECORD_ARN"}}}}]}),
        )
        .await;
    assert_eq!(code, 201, "{plan}");
    let plan_arn = plan["arn"].as_str().unwrap().to_owned();
    let starts = (0..50).map(|i| {
        let body = json!({"responsePlanArn": plan_arn, "title": format!("incident {i}")});
        let server = &server;
        async move { server.rest("/startIncident", &body).await }
    });
    for (code, body) in futures::future::join_all(starts).await {
        assert_eq!(code, 200, "{body}");
    }
    let list = eventually(
        "50 executions to succeed",
        || async { Value::Array(executions(&server).await) },
        |v| {
            let list = v.as_array().unwrap();
            list.len() >= 50
                && list
                    .iter()
                    .all(|e| e["AutomationExecutionStatus"] == "Success")
        },
    )
    .await;
    let list = list.as_array().unwrap();
    assert_eq!(list.len(), 50);
    for e in list {
        let (_, steps) = server
            .ssm(
                "DescribeAutomationStepExecutions",
                &json!({"AutomationExecutionId": e["AutomationExecutionId"]}),
            )
            .await;
        let names: Vec<&str> = steps["StepExecutions"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["StepName"].as_str().unwrap())
            .collect();
        assert_eq!(names, ["note", "settle"], "each step once");
    }
    // Each incident got exactly one note from its runbook.
    let (_, records) = server
        .rest("/listIncidentRecords", &json!({"maxResults": 100}))
        .await;
    let records = records["incidentRecordSummaries"].as_array().unwrap();
    assert_eq!(records.len(), 50);
    for r in records {
        let (_, timeline) = server
            .rest(
                "/listTimelineEvents",
                &json!({"incidentRecordArn": r["arn"]}),
            )
            .await;
        let notes = timeline["eventSummaries"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|t| t["eventType"] == "Custom Event")
            .count();
        assert_eq!(notes, 1, "{}", r["arn"]);
    }
    server.stop();
}

async fn call(client: &reqwest::Client, base: &str, op: &str, body: Value) -> Value {
    let r = client
        .post(format!("{base}/"))
        .header("X-Amz-Target", format!("AmazonSSM.{op}"))
        .header("Content-Type", "application/x-amz-json-1.1")
        .body(body.to_string())
        .send()
        .await
        .unwrap();
    let status = r.status();
    let body: Value = r.json().await.unwrap_or(Value::Null);
    assert!(status.is_success(), "{op}: {status} {body}");
    body
}

async fn status_of(client: &reqwest::Client, base: &str, id: &str) -> Value {
    call(
        client,
        base,
        "GetAutomationExecution",
        json!({"AutomationExecutionId": id}),
    )
    .await["AutomationExecution"]
        .clone()
}

#[tokio::test]
async fn executions_resume_after_sigkill_during_a_sleep_and_an_approval() {
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}", dir.path().join("runbooks.db").display());
    let mut first = Tocsin::start(&db, &[]).await;
    let sleepy = json!({"schemaVersion": "0.3", "mainSteps": [
        {"name": "nap", "action": "aws:sleep", "inputs": {"Duration": "PT4S"}},
        {"name": "after", "action": "aws:sleep", "inputs": {"Duration": "PT0S"}}
    ]});
    let approval = json!({"schemaVersion": "0.3", "mainSteps": [
        {"name": "ask", "action": "aws:approve", "inputs": {"Approvers": ["test-admin", "admin"]}},
        {"name": "after", "action": "aws:sleep", "inputs": {"Duration": "PT0S"}}
    ]});
    for (name, doc) in [("sleepy", &sleepy), ("ask", &approval)] {
        call(
            &first.client,
            &first.base,
            "CreateDocument",
            json!({"Name": name, "Content": doc.to_string()}),
        )
        .await;
    }
    let started = Instant::now();
    let sleeping = call(
        &first.client,
        &first.base,
        "StartAutomationExecution",
        json!({"DocumentName": "sleepy"}),
    )
    .await["AutomationExecutionId"]
        .as_str()
        .unwrap()
        .to_owned();
    let waiting = call(
        &first.client,
        &first.base,
        "StartAutomationExecution",
        json!({"DocumentName": "ask"}),
    )
    .await["AutomationExecutionId"]
        .as_str()
        .unwrap()
        .to_owned();
    let base = first.base.clone();
    let client = first.client.clone();
    eventually(
        "the approval to wait",
        || status_of(&client, &base, &waiting),
        |e| e["AutomationExecutionStatus"] == "Waiting",
    )
    .await;
    let nap = status_of(&client, &base, &sleeping).await;
    assert_eq!(nap["CurrentStepName"], "nap", "{nap}");

    // SIGKILL mid-sleep and mid-approval, then start again on the same file.
    first.child.kill().unwrap();
    first.child.wait().unwrap();
    let second = Tocsin::start(&db, &[]).await;
    let done = eventually(
        "the sleep to end after the restart",
        || status_of(&second.client, &second.base, &sleeping),
        |e| e["AutomationExecutionStatus"] != "InProgress",
    )
    .await;
    assert_eq!(done["AutomationExecutionStatus"], "Success", "{done}");
    // The sleep kept its original end: not before 4 s after it began.
    assert!(started.elapsed() >= Duration::from_secs(4));
    let steps: Vec<&str> = done["StepExecutions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["StepName"].as_str().unwrap())
        .collect();
    assert_eq!(steps, ["nap", "after"], "every step recorded once");

    let still = status_of(&second.client, &second.base, &waiting).await;
    assert_eq!(still["AutomationExecutionStatus"], "Waiting", "{still}");
    call(
        &second.client,
        &second.base,
        "SendAutomationSignal",
        json!({"AutomationExecutionId": waiting, "SignalType": "Approve"}),
    )
    .await;
    let approved = status_of(&second.client, &second.base, &waiting).await;
    assert_eq!(
        approved["AutomationExecutionStatus"], "Success",
        "{approved}"
    );
    let steps: Vec<&str> = approved["StepExecutions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["StepName"].as_str().unwrap())
        .collect();
    assert_eq!(steps, ["ask", "after"]);
    // The change feed survived the kill: ids strictly increase, and it announced both
    // executions' ends.
    let feed = crate::durability::read_feed(&second.client, &second.base, 0).await;
    let ids: Vec<i64> = feed.iter().map(|e| e["id"].as_i64().unwrap()).collect();
    assert!(ids.windows(2).all(|w| w[0] < w[1]), "{ids:?}");
    for (id, status) in [(&sleeping, "Success"), (&waiting, "Success")] {
        let last = feed
            .iter()
            .filter(|e| e["change"]["kind"] == "automationChanged")
            .rfind(|e| e["change"]["data"]["automationExecutionId"] == json!(id))
            .unwrap_or_else(|| panic!("no automationChanged for {id}"));
        assert_eq!(last["change"]["data"]["status"], status, "{last}");
    }
    drop(second);
}

async fn run_to_end(server: &TestServer, doc: &Value, name: &str) -> Value {
    let (code, body) = server
        .ssm(
            "CreateDocument",
            &json!({"Name": name, "Content": doc.to_string()}),
        )
        .await;
    assert_eq!(code, 200, "{body}");
    let (code, body) = server
        .ssm("StartAutomationExecution", &json!({"DocumentName": name}))
        .await;
    assert_eq!(code, 200, "{body}");
    let id = body["AutomationExecutionId"].as_str().unwrap().to_owned();
    eventually(
        "the execution to end",
        || execution(server, id.clone()),
        |e| {
            !["InProgress", "Waiting"]
                .contains(&e["AutomationExecutionStatus"].as_str().unwrap_or(""))
        },
    )
    .await
}

/// Whether process `pid` is gone (or a zombie nobody has reaped yet: it runs no more).
fn stopped(pid: u32) -> bool {
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        Err(_) => true,
        Ok(stat) => stat
            .rsplit(')')
            .next()
            .unwrap_or("")
            .trim_start()
            .starts_with('Z'),
    }
}

#[tokio::test]
async fn execute_script_runs_with_outputs_and_is_killed_with_its_children_at_the_timeout() {
    let server = TestServer::start_with(tocsin_server::ServerConfig {
        execute_script: true,
        ..Default::default()
    })
    .await;
    let dir = tempfile::tempdir().unwrap();
    let ok = json!({"schemaVersion": "0.3", "mainSteps": [
        {"name": "add", "action": "aws:executeScript", "inputs": {
            "Runtime": "python3.11", "Handler": "handler",
            "Script": "import os\ndef handler(events, context):\n    return {'sum': events['a'] + events['b'], 'env': sorted(os.environ)}",
            "InputPayload": {"a": 2, "b": 3}},
         "outputs": [{"Name": "Sum", "Selector": "$.Payload.sum", "Type": "Integer"}]}
    ]});
    let done = run_to_end(&server, &ok, "adds").await;
    assert_eq!(done["AutomationExecutionStatus"], "Success", "{done}");
    let step = &done["StepExecutions"][0];
    assert_eq!(step["Outputs"]["Sum"], json!(["5"]), "{step}");
    let payload: Value =
        serde_json::from_str(step["Outputs"]["OutputPayload"][0].as_str().unwrap()).unwrap();
    let env: Vec<&str> = payload["Payload"]["env"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    assert!(
        env.iter()
            .all(|k| ["HOME", "LANG", "LC_CTYPE", "PATH"].contains(k)),
        "a clean environment: {env:?}"
    );

    let pid_file = dir.path().join("child.pid");
    let runaway = json!({"schemaVersion": "0.3", "mainSteps": [
        {"name": "spin", "action": "aws:executeScript", "timeoutSeconds": 2, "inputs": {
            "Runtime": "python3.11", "Handler": "handler",
            "Script": "import subprocess, sys\ndef handler(events, context):\n    child = subprocess.Popen([sys.executable, '-c', 'import time\\nwhile True: time.sleep(1)'])\n    open(events['pidFile'], 'w').write(str(child.pid))\n    while True:\n        pass",
            "InputPayload": {"pidFile": pid_file.display().to_string()}}}
    ]});
    let started = Instant::now();
    let done = run_to_end(&server, &runaway, "spins").await;
    assert_eq!(done["AutomationExecutionStatus"], "TimedOut", "{done}");
    assert_eq!(done["StepExecutions"][0]["StepStatus"], "TimedOut");
    assert!(
        started.elapsed() < Duration::from_secs(25),
        "stopped near its 2 s timeout"
    );
    let child: u32 = std::fs::read_to_string(&pid_file)
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(10);
    while !stopped(child) {
        assert!(
            Instant::now() < deadline,
            "the script's child {child} still runs"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    server.stop();
}

#[tokio::test]
async fn execute_script_is_refused_unless_the_operator_enabled_it() {
    let server = TestServer::start().await;
    let doc = json!({"schemaVersion": "0.3", "mainSteps": [
        {"name": "s", "action": "aws:executeScript", "inputs": {
            "Runtime": "python3.11", "Handler": "h", "Script": "def h(e, c):\n    return 1"}}
    ]});
    let done = run_to_end(&server, &doc, "off").await;
    assert_eq!(done["AutomationExecutionStatus"], "Failed");
    let message = done["StepExecutions"][0]["FailureMessage"]
        .as_str()
        .unwrap();
    assert!(message.contains("--enable-execute-script"), "{message}");
    server.stop();
}

#[tokio::test]
async fn a_runbook_started_by_hand_for_an_incident_is_recorded_on_it() {
    let server = TestServer::start().await;
    let (code, plan) = server
        .rest(
            "/createResponsePlan",
            &json!({"name": "by-hand", "incidentTemplate": {"title": "t", "impact": 2}}),
        )
        .await;
    assert_eq!(code, 201, "{plan}");
    let (code, started) = server
        .rest("/startIncident", &json!({"responsePlanArn": plan["arn"]}))
        .await;
    assert_eq!(code, 200, "{started}");
    let incident = started["incidentRecordArn"].as_str().unwrap().to_owned();
    let token = "0b7c6a3e-1f0e-4c57-9b1a-2f4e5d6c7b8a";
    let start = json!({"DocumentName": "AWSIncidents-CriticalIncidentRunbookTemplate",
        "Parameters": {"IncidentRecordArn": [incident]}, "ClientToken": token});
    let (code, body) = server.ssm("StartAutomationExecution", &start).await;
    assert_eq!(code, 200, "{body}");
    let id = body["AutomationExecutionId"].as_str().unwrap().to_owned();
    // A replay with the same token links nothing twice.
    assert_eq!(
        server.ssm("StartAutomationExecution", &start).await.1["AutomationExecutionId"],
        id
    );

    let url = format!("{}/v1/incident?arn={}", server.base, urlencode(&incident));
    // The runbook worker takes the new execution to its first step (a pause) promptly.
    let detail = eventually(
        "the runbook to wait at its first step",
        || crate::support::get_json(&server.client, url.clone()),
        |d| d["incident"]["runbooks"][0]["currentStepName"] == "Triage",
    )
    .await;
    let arns: Vec<&str> = detail["incident"]["incident"]["automationExecutions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["ssmExecutionArn"].as_str().unwrap())
        .collect();
    assert_eq!(arns.len(), 1, "{detail}");
    assert!(arns[0].ends_with(&id));
    assert_eq!(
        detail["incident"]["runbooks"][0]["automationExecutionId"],
        json!(id)
    );
    let automation_items = detail["relatedItems"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| i["identifier"]["type"] == "AUTOMATION")
        .count();
    assert_eq!(automation_items, 1, "{detail}");
    server.stop();
}

fn urlencode(text: &str) -> String {
    url::form_urlencoded::byte_serialize(text.as_bytes()).collect()
}

#[tokio::test]
async fn invoke_webhook_calls_the_named_outbound_webhook_whose_secrets_are_never_shown() {
    use std::sync::{Arc, Mutex};
    let seen: Arc<Mutex<Vec<(axum::http::HeaderMap, String)>>> = Arc::default();
    let record = seen.clone();
    let app = axum::Router::new().route(
        "/hook",
        axum::routing::post(move |headers: axum::http::HeaderMap, body: String| {
            let record = record.clone();
            async move {
                record.lock().unwrap().push((headers, body));
                axum::Json(json!({"ok": true, "ticket": "T-1"}))
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!(
        "http://{}/hook?token=in-the-query",
        listener.local_addr().unwrap()
    );
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    let server = TestServer::start_with(tocsin_server::ServerConfig {
        outbound_allow: vec!["127.0.0.0/8".parse().unwrap()],
        ..Default::default()
    })
    .await;
    let (code, body) = server
        .rest(
            "/v1/webhooks",
            &json!({"name": "chat", "url": url, "headers": {"X-Token": "s3cret"}}),
        )
        .await;
    assert_eq!(code, 201, "{body}");
    for bad in [
        json!({"name": "bad", "url": url, "headers": {"Host": "evil"}}),
        json!({"name": "bad", "url": "ftp://x.example/"}),
        json!({"name": "bad name", "url": url}),
    ] {
        assert_eq!(server.rest("/v1/webhooks", &bad).await.0, 400, "{bad}");
    }
    let listed = server.get("/v1/webhooks").await.text().await.unwrap();
    assert!(listed.contains("\"chat\""), "{listed}");
    for secret in ["s3cret", "in-the-query", "/hook"] {
        assert!(!listed.contains(secret), "{secret} is shown: {listed}");
    }

    let doc = json!({"schemaVersion": "0.3", "mainSteps": [
        {"name": "notify", "action": "aws:invokeWebhook", "inputs": {
            "IntegrationName": "chat", "Body": "{\"run\": \"{{ automation:EXECUTION_ID }}\"}"},
         "outputs": [{"Name": "Ticket", "Selector": "$.ticket", "Type": "String"}]},
        {"name": "unknown", "action": "aws:invokeWebhook", "inputs": {"IntegrationName": "nope"}}
    ]});
    let done = run_to_end(&server, &doc, "notifies").await;
    let id = done["AutomationExecutionId"].as_str().unwrap();
    let steps = done["StepExecutions"].as_array().unwrap();
    assert_eq!(steps[0]["StepStatus"], "Success", "{done}");
    assert_eq!(steps[0]["Outputs"]["ResponseCode"], json!(["200"]));
    assert_eq!(steps[0]["Outputs"]["Ticket"], json!(["T-1"]));
    assert_eq!(steps[1]["StepStatus"], "Failed");
    assert!(
        steps[1]["FailureMessage"]
            .as_str()
            .unwrap()
            .contains("no outbound webhook named nope")
    );
    let calls = seen.lock().unwrap().clone();
    assert_eq!(calls.len(), 1);
    let (headers, body) = &calls[0];
    assert_eq!(body, &format!("{{\"run\": \"{id}\"}}"));
    assert_eq!(headers["x-token"], "s3cret");
    assert_eq!(headers["idempotency-key"], format!("{id}-notify").as_str());
    assert_eq!(headers["content-type"], "application/json");
    // The recorded inputs and the audit log name the webhook, never its secrets.
    let everything = format!(
        "{done}{}",
        server.get("/v1/audit").await.text().await.unwrap()
    );
    assert!(!everything.contains("s3cret") && !everything.contains("in-the-query"));
    server.stop();

    // Without an allowance, loopback is refused when the webhook is saved.
    let strict = TestServer::start().await;
    let (code, refused) = strict
        .rest("/v1/webhooks", &json!({"name": "local", "url": url}))
        .await;
    assert_eq!(code, 400);
    assert!(
        refused["message"]
            .as_str()
            .unwrap()
            .contains("may not be reached"),
        "{refused}"
    );
    strict.stop();
}

#[tokio::test]
async fn a_plans_runbook_acts_with_the_role_an_admin_assigned_to_its_role_arn() {
    let server = TestServer::start().await;
    let role_arn = "arn:aws:iam::000000000000:role/IncidentAutomation";
    let doc = json!({"schemaVersion": "0.3",
        "parameters": {"IncidentRecordArn": {"type": "String"}},
        "mainSteps": [{"name": "note", "action": "aws:executeAwsApi", "inputs": {
            "Service": "ssm-incidents", "Api": "CreateTimelineEvent",
            "incidentRecordArn": "{{ IncidentRecordArn }}", "eventType": "Custom Event",
            "eventTime": "{{ global:DATE_TIME }}", "eventData": "\"noted\""}}]});
    assert_eq!(
        server
            .ssm(
                "CreateDocument",
                &json!({"Name": "noter", "Content": doc.to_string()})
            )
            .await
            .0,
        200
    );
    let (code, plan) = server
        .rest("/createResponsePlan", &json!({"name": "roles", "incidentTemplate": {"title": "t", "impact": 3},
            "actions": [{"ssmAutomation": {"documentName": "noter", "roleArn": role_arn,
                "dynamicParameters": {"IncidentRecordArn": {"variable": "INCIDENT_RECORD_ARN"}}}}]}))
        .await;
    assert_eq!(code, 201, "{plan}");
    let assign = |role: &'static str| {
        let server = &server;
        async move {
            server
                .rest(
                    "/v1/service-roles",
                    &json!({"roleArn": role_arn, "role": role}),
                )
                .await
                .0
        }
    };
    let run_once = |title: &'static str| {
        let server = &server;
        let plan_arn = plan["arn"].clone();
        async move {
            let (code, started) = server
                .rest(
                    "/startIncident",
                    &json!({"responsePlanArn": plan_arn, "title": title}),
                )
                .await;
            assert_eq!(code, 200, "{started}");
            let arn = started["incidentRecordArn"].as_str().unwrap().to_owned();
            let url = format!("{}/v1/incident?arn={}", server.base, urlencode(&arn));
            eventually(
                "the plan's runbook to end",
                || crate::support::get_json(&server.client, url.clone()),
                |d| {
                    let status = d["incident"]["runbooks"][0]["status"]
                        .as_str()
                        .unwrap_or("");
                    ["Success", "Failed"].contains(&status)
                },
            )
            .await["incident"]["runbooks"][0]["status"]
                .as_str()
                .unwrap()
                .to_owned()
        }
    };
    // Unassigned: a responder, who may write the timeline.
    assert_eq!(run_once("default").await, "Success");
    // A viewer may not: the step fails with the role check's reason.
    assert_eq!(assign("viewer").await, 201);
    assert_eq!(run_once("as viewer").await, "Failed");
    let (_, list) = server
        .ssm(
            "DescribeAutomationExecutions",
            &json!({"Filters": [{"Key": "ExecutionStatus", "Values": ["Failed"]}]}),
        )
        .await;
    let failed = &list["AutomationExecutionMetadataList"][0];
    assert!(
        failed["FailureMessage"]
            .as_str()
            .unwrap()
            .contains("AccessDeniedException"),
        "{failed}"
    );
    let listed = server
        .get("/v1/service-roles")
        .await
        .json::<Value>()
        .await
        .unwrap();
    assert_eq!(listed[0]["role"], "viewer");
    // Back to the default.
    let (code, _) = server
        .rest("/v1/service-roles/delete", &json!({"roleArn": role_arn}))
        .await;
    assert_eq!(code, 204);
    assert_eq!(run_once("default again").await, "Success");
    server.stop();
}

#[tokio::test]
async fn start_step_and_stop_step_in_interactive_mode() {
    let server = TestServer::start().await;
    let doc = json!({"schemaVersion": "0.3", "mainSteps": [
        {"name": "a", "action": "aws:pause", "inputs": {}},
        {"name": "b", "action": "aws:pause", "inputs": {}},
        {"name": "c", "action": "aws:pause", "inputs": {}, "onCancel": "step:d"},
        {"name": "d", "action": "aws:sleep", "inputs": {"Duration": "PT0S"}}
    ]});
    assert_eq!(
        server
            .ssm(
                "CreateDocument",
                &json!({"Name": "steps", "Content": doc.to_string()})
            )
            .await
            .0,
        200
    );
    let get = |id: String| execution(&server, id);
    let (_, auto) = server
        .ssm(
            "StartAutomationExecution",
            &json!({"DocumentName": "steps"}),
        )
        .await;
    let auto_id = auto["AutomationExecutionId"].as_str().unwrap().to_owned();
    eventually(
        "waiting at a",
        || get(auto_id.clone()),
        |e| e["CurrentStepName"] == "a",
    )
    .await;
    let (code, refused) = server
        .ssm("SendAutomationSignal", &json!({"AutomationExecutionId": auto_id, "SignalType": "StartStep", "Payload": {"StepName": ["c"]}}))
        .await;
    assert_eq!(
        (code, refused["__type"].as_str()),
        (400, Some("InvalidAutomationSignalException")),
        "StartStep is for Interactive mode"
    );

    let (_, inter) = server
        .ssm(
            "StartAutomationExecution",
            &json!({"DocumentName": "steps", "Mode": "Interactive"}),
        )
        .await;
    let id = inter["AutomationExecutionId"].as_str().unwrap().to_owned();
    eventually(
        "waiting at a",
        || get(id.clone()),
        |e| e["CurrentStepName"] == "a",
    )
    .await;
    let (code, body) = server
        .ssm("SendAutomationSignal", &json!({"AutomationExecutionId": id, "SignalType": "StartStep", "Payload": {"StepName": ["c"]}}))
        .await;
    assert_eq!(code, 200, "{body}");
    let at_c = get(id.clone()).await;
    assert_eq!(at_c["CurrentStepName"], "c", "{at_c}");
    let running =
        at_c["StepExecutions"].as_array().unwrap().last().unwrap()["StepExecutionId"].clone();
    let (code, body) = server
        .ssm("SendAutomationSignal", &json!({"AutomationExecutionId": id, "SignalType": "StopStep", "Payload": {"StepExecutionId": ["not-it"]}}))
        .await;
    assert_eq!(
        (code, body["__type"].as_str()),
        (400, Some("InvalidAutomationSignalException"))
    );
    let (code, body) = server
        .ssm("SendAutomationSignal", &json!({"AutomationExecutionId": id, "SignalType": "StopStep", "Payload": {"StepExecutionId": [running]}}))
        .await;
    assert_eq!(code, 200, "{body}");
    // c was cancelled; its onCancel runs d, and the execution ends.
    let done = eventually(
        "the end",
        || get(id.clone()),
        |e| e["AutomationExecutionStatus"] == "Success",
    )
    .await;
    let steps: Vec<(String, String)> = done["StepExecutions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["StepName"].as_str().unwrap().to_owned(),
                s["StepStatus"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    let expect = |n: &str, st: &str| (n.to_owned(), st.to_owned());
    assert_eq!(
        steps,
        [
            expect("a", "Cancelled"),
            expect("c", "Cancelled"),
            expect("d", "Success")
        ]
    );
    server.stop();
}

#[tokio::test]
async fn an_execution_the_engine_cannot_advance_fails_alone_and_the_others_go_on() {
    let server = TestServer::start().await;
    let doc = json!({"schemaVersion": "0.3", "mainSteps": [
        {"name": "nap", "action": "aws:sleep", "inputs": {"Duration": "PT1S"}},
        {"name": "after", "action": "aws:sleep", "inputs": {"Duration": "PT0S"}}
    ]});
    assert_eq!(
        server
            .ssm(
                "CreateDocument",
                &json!({"Name": "naps", "Content": doc.to_string()})
            )
            .await
            .0,
        200
    );
    let start = || async {
        server
            .ssm("StartAutomationExecution", &json!({"DocumentName": "naps"}))
            .await
            .1["AutomationExecutionId"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    let broken = start().await;
    let healthy = start().await;
    // Someone edits the database: the broken execution's stored document no longer parses.
    sqlx::query("UPDATE automation_executions SET body = json_set(body, '$.content', json('{\"mainSteps\": 1}')) WHERE id = ?")
        .bind(&broken)
        .execute(server.store.pool())
        .await
        .unwrap();
    let get = |id: String| execution(&server, id);
    let failed = eventually(
        "the broken one to fail",
        || get(broken.clone()),
        |e| e["AutomationExecutionStatus"] == "Failed",
    )
    .await;
    assert!(
        failed["FailureMessage"]
            .as_str()
            .unwrap()
            .contains("could not go on"),
        "{failed}"
    );
    let done = eventually(
        "the healthy one to finish",
        || get(healthy.clone()),
        |e| e["AutomationExecutionStatus"] != "InProgress",
    )
    .await;
    assert_eq!(done["AutomationExecutionStatus"], "Success", "{done}");
    let health = server.get("/healthz").await;
    assert_eq!(health.status(), 200, "the runbook worker stayed up");
    server.stop();
}
