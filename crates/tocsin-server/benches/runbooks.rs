//! Runbook engine throughput: automation executions of a five-step document without waits
//! (three `aws:sleep` of zero seconds, an `aws:branch`, and an `aws:executeAwsApi`
//! CreateTimelineEvent on an open incident), each started and run to `Success` through the
//! engine, one SQLite transaction (`synchronous=FULL`) per execution, on a real database
//! file. Run: `cargo bench -p tocsin-server --bench runbooks`.

#![allow(missing_docs, clippy::unwrap_used, reason = "benchmark harness")]

use std::sync::Arc;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use serde_json::json;
use tocsin_api::auth::Role;
use tocsin_server::domain::automation::{self, Engine};
use tocsin_server::domain::automation_start::{self, StartRequest};
use tocsin_server::domain::{documents, incidents};
use tocsin_server::store::RunAs;
use tocsin_server::store::sqlite::SqliteStore;
use tocsin_server::{AppState, ServerConfig};

const DOC: &str = r#"{"schemaVersion": "0.3",
  "parameters": {"IncidentRecordArn": {"type": "String"}},
  "mainSteps": [
    {"name": "one", "action": "aws:sleep", "inputs": {"Duration": "PT0S"}},
    {"name": "pick", "action": "aws:branch", "inputs": {"Choices": [
        {"NextStep": "note", "Variable": "{{ IncidentRecordArn }}", "StartsWith": "arn:"}], "Default": "three"}},
    {"name": "note", "action": "aws:executeAwsApi", "inputs": {"Service": "ssm-incidents", "Api": "CreateTimelineEvent",
        "incidentRecordArn": "{{ IncidentRecordArn }}", "eventType": "Custom Event", "eventTime": "{{ global:DATE_TIME }}",
        "eventData": "\"bench\""}},
    {"name": "two", "action": "aws:sleep", "inputs": {"Duration": "PT0S"}},
    {"name": "three", "action": "aws:sleep", "inputs": {"Duration": "PT0S"}}
  ]}"#;

fn runbooks(c: &mut Criterion) {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let (state, incident) = rt.block_on(async {
        let url = format!("sqlite://{}", dir.path().join("bench.db").display());
        let store = SqliteStore::open(&url).await.unwrap();
        let (state, _stop) = AppState::new(Arc::new(store), ServerConfig::default())
            .await
            .unwrap();
        let mut tx = state.store.write().await.unwrap();
        documents::create_document(
            tx.as_mut(),
            &state.config,
            serde_json::from_value(json!({"Name": "five", "Content": DOC})).unwrap(),
            0.0,
        )
        .await
        .unwrap();
        tocsin_server::domain::plans::create_response_plan(
            tx.as_mut(),
            &state.config,
            serde_json::from_value(
                json!({"name": "bench", "incidentTemplate": {"title": "Bench", "impact": 3}}),
            )
            .unwrap(),
        )
        .await
        .unwrap();
        let arn = incidents::start_incident(
            tx.as_mut(),
            &state.config,
            incidents::NewIncident {
                response_plan_arn: "arn:aws:ssm-incidents::000000000000:response-plan/bench".into(),
                title: None,
                impact: None,
                summary: None,
                trigger: serde_json::from_value(json!({"source": "bench", "timestamp": 0.0}))
                    .unwrap(),
                related_items: Vec::new(),
                fallback_dedupe: None,
                client_token: None,
                created_by: "bench".into(),
                invoked_by: None,
            },
        )
        .await
        .unwrap()
        .arn()
        .to_owned();
        tx.commit().await.unwrap();
        (state, arn)
    });
    let mut group = c.benchmark_group("runbooks");
    group.sample_size(20);
    group.throughput(Throughput::Elements(1));
    group.bench_function("five_steps_to_success", |b| {
        b.to_async(&rt).iter(|| async {
            let rules = state.rules.snapshot();
            let engine = Engine {
                config: &state.config,
                rules: &rules,
            };
            let mut tx = state.store.write().await.unwrap();
            let id = automation_start::start(
                tx.as_mut(),
                StartRequest {
                    document_name: "five".into(),
                    document_version: None,
                    parameters: [("IncidentRecordArn".to_owned(), vec![incident.clone()])].into(),
                    client_token: None,
                    mode: None,
                    executed_by: "bench".into(),
                    run_as: RunAs {
                        principal: "arn:aws:iam::000000000000:user/bench".into(),
                        role: Role::Responder,
                    },
                    incident_arn: None,
                },
                tocsin_server::clock::now(),
            )
            .await
            .unwrap();
            automation::advance(tx.as_mut(), engine, &id, tocsin_server::clock::now())
                .await
                .unwrap();
            tx.commit().await.unwrap();
        });
    });
    group.finish();
}

criterion_group!(benches, runbooks);
criterion_main!(benches);
