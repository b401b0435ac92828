//! Every operation declares who may call it: the route table lists each path route and each
//! operation of the multiplexed `POST /` endpoint with its access, every entry is a real
//! operation of its AWS model (or a documented native route), and every entry answers on a
//! real server rather than falling through to the web app.

use std::collections::BTreeSet;

use axum::http::Method;
use serde_json::Value;
use tocsin_api::auth::Role;
use tocsin_server::http::extract::Access;
use tocsin_server::http::route_table;

use crate::support::TestServer;

fn model(name: &str) -> Value {
    let path = format!(
        "{}/../../../shared/aws-models/{name}.service-2.json",
        env!("CARGO_MANIFEST_DIR")
    );
    serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap()
}

/// Native routes and the role each must have.
const NATIVE: &[(&str, Access)] = &[
    ("/healthz", Access::Public),
    ("/v1/wall", Access::Role(Role::Viewer)),
    ("/v1/incident", Access::Role(Role::Viewer)),
    ("/v1/stream", Access::Role(Role::Viewer)),
    ("/metrics", Access::Role(Role::Viewer)),
    ("/v1/incidents/recent-changes", Access::Role(Role::Viewer)),
    ("/v1/change-patterns", Access::Role(Role::Viewer)),
    ("/v1/change-patterns/delete", Access::Role(Role::Admin)),
    ("/v1/rules/backtest", Access::Role(Role::Viewer)),
    ("/v1/boards", Access::Role(Role::Viewer)),
    ("/v1/insights", Access::Role(Role::Viewer)),
    ("/v1/boards/delete", Access::Role(Role::Responder)),
    ("/v1/deliveries", Access::Role(Role::Viewer)),
    ("/v1/whoami", Access::Authenticated),
    ("/v1/stream-tickets", Access::Role(Role::Viewer)),
    ("/v1/keys", Access::Role(Role::Admin)),
    ("/v1/keys/state", Access::Role(Role::Admin)),
    ("/v1/keys/delete", Access::Role(Role::Admin)),
    ("/v1/audit", Access::Role(Role::Admin)),
    ("/v1/webhooks", Access::Role(Role::Admin)),
    ("/v1/webhooks/delete", Access::Role(Role::Admin)),
    ("/v1/service-roles", Access::Role(Role::Admin)),
    ("/v1/service-roles/delete", Access::Role(Role::Admin)),
    ("/v1/sns/signing-cert.pem", Access::Public),
    ("/v1/sns/confirm", Access::Public),
    ("/v1/sns/unsubscribe", Access::Public),
    ("/v1/topics", Access::Role(Role::Viewer)),
    ("/v1/incidents/acknowledge", Access::Role(Role::Responder)),
    ("/v1/pages/accept", Access::Public),
    ("/v1/topics/test", Access::Role(Role::Responder)),
    ("/v1/topics/create", Access::Role(Role::Admin)),
    ("/v1/topics/delete", Access::Role(Role::Admin)),
    ("/v1/topics/subscribe", Access::Role(Role::Responder)),
    ("/v1/topics/unsubscribe", Access::Role(Role::Responder)),
    ("/v1/notifications", Access::Role(Role::Viewer)),
    ("/v1/receivers", Access::Role(Role::Admin)),
    ("/v1/receivers/create", Access::Role(Role::Admin)),
    ("/v1/receivers/update", Access::Role(Role::Admin)),
    ("/v1/receivers/delete", Access::Role(Role::Admin)),
    ("/v1/heartbeats", Access::Role(Role::Viewer)),
    ("/v1/heartbeats/delete", Access::Role(Role::Admin)),
    ("/v1/maintenance-windows", Access::Role(Role::Viewer)),
    (
        "/v1/maintenance-windows/delete",
        Access::Role(Role::Responder),
    ),
    (
        "/v1/maintenance-windows/suppressions",
        Access::Role(Role::Viewer),
    ),
    ("/v1/receivers/eventbridge/{name}", Access::Receiver),
    (
        "/v1/receivers/eventbridge/{name}/oauth/token",
        Access::Receiver,
    ),
    ("/v1/receivers/sns/{name}", Access::Receiver),
    ("/v1/receivers/alertmanager/{name}", Access::Receiver),
    ("/v1/receivers/webhook/{name}", Access::Receiver),
    ("/v2/enqueue", Access::Receiver),
    ("/v2/change/enqueue", Access::Receiver),
];

/// Native routes whose POST needs another role than their GET.
const NATIVE_POST: &[(&str, Access)] = &[
    ("/v1/change-patterns", Access::Role(Role::Admin)),
    ("/v1/boards", Access::Role(Role::Responder)),
    ("/v1/heartbeats", Access::Role(Role::Admin)),
    ("/v1/maintenance-windows", Access::Role(Role::Responder)),
];

#[test]
fn every_operation_has_a_role_and_is_a_model_operation() {
    let table = route_table();
    assert!(table.len() >= 25, "{} routes", table.len());
    let incidents = model("ssm-incidents");
    let events = model("events");
    let ssm = model("ssm");
    let sns = model("sns");
    let contacts = model("ssm-contacts");
    let mut seen = BTreeSet::new();
    for r in &table {
        assert!(
            seen.insert((r.method.clone(), r.path, r.target_prefix, r.operation)),
            "registered twice: {} {} {}",
            r.method,
            r.path,
            r.operation
        );
        let aws = if r.path == "/" {
            let (model, name) = match r.target_prefix {
                Some("AWSEvents.") => (&events, "EventBridge"),
                Some("AmazonSSM.") => (&ssm, "Systems Manager"),
                Some("Action=") => (&sns, "SNS"),
                Some("SSMContacts.") => (&contacts, "Incident Manager Contacts"),
                // STS's model is not among the shared models: its one action is named here.
                Some("sts:Action=") => {
                    assert_eq!(r.operation, "GetCallerIdentity");
                    assert_eq!(r.access, Access::Authenticated);
                    continue;
                }
                other => panic!("{other:?} is not a known X-Amz-Target prefix"),
            };
            assert!(
                model["operations"][r.operation].is_object(),
                "{}{} is a {name} operation",
                r.target_prefix.unwrap(),
                r.operation
            );
            true
        } else if let Some(op) = incidents["operations"].get(r.operation) {
            let http = (
                op["http"]["method"].as_str(),
                op["http"]["requestUri"].as_str(),
            );
            assert_eq!(
                http,
                (Some(r.method.as_str()), Some(r.path)),
                "{}",
                r.operation
            );
            true
        } else {
            false
        };
        if aws {
            assert!(
                matches!(r.access, Access::Role(_)),
                "{} has a role",
                r.operation
            );
        } else {
            let overridden = (r.method == Method::POST)
                .then(|| NATIVE_POST.iter().find(|(path, _)| *path == r.path))
                .flatten();
            let expected = overridden
                .or_else(|| NATIVE.iter().find(|(path, _)| *path == r.path))
                .unwrap_or_else(|| {
                    panic!(
                        "{} {} is neither an AWS operation nor a known native route",
                        r.method, r.path
                    )
                });
            assert_eq!(r.access, expected.1, "{}", r.path);
        }
    }
    // The roles AWS callers expect: reads are viewer, incident work responder, config admin.
    let role = |op: &str| table.iter().find(|r| r.operation == op).unwrap().access;
    assert_eq!(role("GetResponsePlan"), Access::Role(Role::Viewer));
    assert_eq!(role("StartIncident"), Access::Role(Role::Responder));
    assert_eq!(role("UpdateIncidentRecord"), Access::Role(Role::Responder));
    assert_eq!(role("CreateResponsePlan"), Access::Role(Role::Admin));
    assert_eq!(role("PutRule"), Access::Role(Role::Admin));
    assert_eq!(role("PutEvents"), Access::Role(Role::Producer));
    assert_eq!(role("ListRules"), Access::Role(Role::Viewer));
    assert_eq!(role("CreateDocument"), Access::Role(Role::Admin));
    assert_eq!(role("GetAutomationExecution"), Access::Role(Role::Viewer));
    assert_eq!(
        role("StartAutomationExecution"),
        Access::Role(Role::Responder)
    );
    assert_eq!(role("SendAutomationSignal"), Access::Role(Role::Responder));
    // Every operation the runbooks issue names, and the calls Terraform's aws_ssm_document makes.
    for op in [
        "CreateDocument",
        "GetDocument",
        "DescribeDocument",
        "ListDocuments",
        "UpdateDocument",
        "UpdateDocumentDefaultVersion",
        "DeleteDocument",
        "StartAutomationExecution",
        "GetAutomationExecution",
        "DescribeAutomationExecutions",
        "DescribeAutomationStepExecutions",
        "SendAutomationSignal",
        "StopAutomationExecution",
        "ListDocumentVersions",
        "AddTagsToResource",
        "ListTagsForResource",
        "RemoveTagsFromResource",
        "DescribeDocumentPermission",
    ] {
        assert!(
            table
                .iter()
                .any(|r| r.target_prefix == Some("AmazonSSM.") && r.operation == op),
            "AmazonSSM.{op} is answered"
        );
    }
    let public: Vec<&str> = table
        .iter()
        .filter(|r| r.access == Access::Public)
        .map(|r| r.path)
        .collect();
    assert_eq!(
        public,
        [
            "/healthz",
            "/v1/sns/signing-cert.pem",
            "/v1/sns/confirm",
            "/v1/sns/unsubscribe",
            "/v1/pages/accept"
        ],
        "only /healthz, the links SNS messages carry and a page's accept button (their tokens are the proof) are public"
    );
    // Every SNS operation Terraform's aws_sns_topic and the issue name.
    for op in [
        "CreateTopic",
        "DeleteTopic",
        "ListTopics",
        "GetTopicAttributes",
        "SetTopicAttributes",
        "Subscribe",
        "ConfirmSubscription",
        "Unsubscribe",
        "ListSubscriptionsByTopic",
        "GetSubscriptionAttributes",
        "SetSubscriptionAttributes",
        "Publish",
        "TagResource",
        "UntagResource",
        "ListTagsForResource",
    ] {
        assert!(
            table
                .iter()
                .any(|r| r.target_prefix == Some("Action=") && r.operation == op),
            "SNS {op} is answered"
        );
    }
}

/// The `Version` of a query-protocol operation (SNS or STS); `None` for the others.
fn query_version(r: &tocsin_server::http::routes::RouteSpec) -> Option<&'static str> {
    match r.target_prefix {
        Some("Action=") => Some("2010-03-31"),
        Some("sts:Action=") => Some("2011-06-15"),
        _ => None,
    }
}

#[tokio::test]
async fn every_listed_route_answers_itself() {
    let server = TestServer::start().await;
    for r in route_table() {
        let response = if let Some(version) = query_version(&r) {
            server
                .client
                .post(format!("{}/", server.base))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .body(format!("Action={}&Version={version}", r.operation))
                .send()
                .await
                .unwrap()
        } else if r.path == "/" {
            server
                .client
                .post(format!("{}/", server.base))
                .header(
                    "X-Amz-Target",
                    format!("{}{}", r.target_prefix.unwrap(), r.operation),
                )
                .body("{}")
                .send()
                .await
                .unwrap()
        } else if r.method == Method::GET {
            // `/v1/stream` never ends: only the headers are read.
            server
                .client
                .get(format!("{}{}", server.base, r.path))
                .send()
                .await
                .unwrap()
        } else if r.method == Method::DELETE {
            server
                .client
                .delete(format!("{}{}", server.base, r.path))
                .send()
                .await
                .unwrap()
        } else {
            server
                .client
                .post(format!("{}{}", server.base, r.path))
                .body("{}")
                .send()
                .await
                .unwrap()
        };
        let content_type = response
            .headers()
            .get("content-type")
            .map(|v| v.to_str().unwrap().to_owned())
            .unwrap_or_default();
        assert!(
            !content_type.starts_with("text/html"),
            "{} {} fell through to the web app",
            r.method,
            r.path
        );
        if !content_type.starts_with("text/event-stream") {
            let body = response.text().await.unwrap();
            assert!(
                !body.contains("UnknownOperationException") && !body.contains("InvalidAction"),
                "{} {} {}: {body}",
                r.method,
                r.path,
                r.operation
            );
        }
    }
    server.stop();
}

/// What the server did with a call, as far as access goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Outcome {
    /// Got past authentication and the role check (whatever the operation then answered).
    Allowed,
    /// `MissingAuthenticationTokenException`.
    Missing,
    /// `InvalidSignatureException`.
    Invalid,
    /// `AccessDeniedException`.
    Denied,
}

async fn call(
    server: &TestServer,
    client: &reqwest::Client,
    r: &tocsin_server::http::routes::RouteSpec,
) -> Outcome {
    let request = if let Some(version) = query_version(r) {
        client
            .post(format!("{}/", server.base))
            .header("Content-Type", "application/x-www-form-urlencoded")
            .body(format!("Action={}&Version={version}", r.operation))
    } else if r.path == "/" {
        client
            .post(format!("{}/", server.base))
            .header(
                "X-Amz-Target",
                format!("{}{}", r.target_prefix.unwrap(), r.operation),
            )
            .header("Content-Type", "application/x-amz-json-1.1")
            .body("{}")
    } else if r.method == Method::GET {
        client.get(format!("{}{}", server.base, r.path))
    } else if r.method == Method::DELETE {
        client.delete(format!("{}{}", server.base, r.path))
    } else {
        client
            .post(format!("{}{}", server.base, r.path))
            .header("Content-Type", "application/json")
            .body("{}")
    };
    let response = request.send().await.unwrap();
    match response
        .headers()
        .get("x-amzn-ErrorType")
        .and_then(|v| v.to_str().ok())
    {
        Some("MissingAuthenticationTokenException" | "MissingAuthenticationToken") => {
            Outcome::Missing
        }
        Some("InvalidSignatureException" | "SignatureDoesNotMatch") => Outcome::Invalid,
        Some("AccessDeniedException" | "AuthorizationError") => Outcome::Denied,
        _ => Outcome::Allowed,
    }
}

/// Every (route, operation) × {no credentials, a bad secret, each role}, against the policy
/// the route table declares.
#[tokio::test]
async fn route_operation_role_matrix() {
    use crate::support::bearer_client;
    let server = TestServer::start().await;
    let mut callers = vec![
        ("no credentials", None, server.anonymous.clone()),
        (
            "a bad secret",
            None,
            bearer_client(&server.admin.0, &"x".repeat(40)),
        ),
    ];
    for role in Role::ALL {
        let (id, secret) = server.key(&format!("matrix-{role}"), role).await;
        callers.push((role.as_str(), Some(role), bearer_client(&id, &secret)));
    }
    let mut checked = 0;
    for r in route_table() {
        for (who, role, client) in &callers {
            let expected = match (who, role, r.access) {
                // Receivers check their own secret; access keys are not looked at.
                (_, _, Access::Receiver) => Outcome::Allowed,
                (&"a bad secret", _, _) => Outcome::Invalid,
                (_, _, Access::Public) => Outcome::Allowed,
                (_, None, _) => Outcome::Missing,
                (_, Some(_), Access::Authenticated) => Outcome::Allowed,
                (_, Some(have), Access::Role(need)) if have.grants(need) => Outcome::Allowed,
                (_, Some(_), Access::Role(_)) => Outcome::Denied,
            };
            let got = call(&server, client, &r).await;
            assert_eq!(
                got, expected,
                "{} {} {} as {who}",
                r.method, r.path, r.operation
            );
            checked += 1;
        }
    }
    assert!(checked >= 6 * 30, "{checked} calls");

    // Every state-changing call refused at the role check is in the audit log, once, as
    // AccessDeniedException; refused reads are not.
    let entries = crate::support::get_json(
        &server.client,
        format!("{}/v1/audit?limit=1000", server.base),
    )
    .await;
    let refused: Vec<(String, String)> = entries
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["result"] == "AccessDeniedException")
        .map(|e| {
            (
                e["principal"].as_str().unwrap().to_owned(),
                e["operation"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    let mut expected = Vec::new();
    for r in route_table() {
        let Access::Role(need) = r.access else {
            continue;
        };
        for role in Role::ALL {
            if !role.grants(need) && tocsin_server::domain::audit::changes_state(r.operation) {
                expected.push((
                    format!("arn:aws:iam::000000000000:user/matrix-{role}"),
                    r.operation.to_owned(),
                ));
            }
        }
    }
    let mut got = refused.clone();
    got.sort();
    expected.sort();
    assert_eq!(got, expected);
    assert!(
        expected.iter().any(|(_, op)| op == "PutRule"),
        "{expected:?}"
    );
    assert!(
        expected.iter().any(|(_, op)| op == "UpdateIncidentRecord"),
        "{expected:?}"
    );
    server.stop();
}
