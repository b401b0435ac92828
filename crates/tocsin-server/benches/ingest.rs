//! Ingest throughput: PutEvents through the whole app (HTTP handler, 101 compiled rules,
//! incident dedupe, one SQLite transaction with `synchronous=FULL` per request) on a real
//! database file. Run: `cargo bench -p tocsin-server --bench ingest`.

#![allow(missing_docs, clippy::unwrap_used, reason = "benchmark harness")]

use std::sync::Arc;

use axum::body::Body;
use axum::http::Request;
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use serde_json::{Value, json};
use tocsin_server::store::sqlite::SqliteStore;
use tocsin_server::{AppState, ServerConfig, app};
use tower::ServiceExt;

fn call(target: &str, body: &Value) -> Request<Body> {
    Request::post("/")
        .header("X-Amz-Target", format!("AWSEvents.{target}"))
        .header("Content-Type", "application/x-amz-json-1.1")
        .body(Body::from(body.to_string()))
        .unwrap()
}

fn alarm_entry() -> Value {
    let e: Value = serde_json::from_str(include_str!(
        "../../../examples/events/cloudwatch-alarm-state-change-single-metric.json"
    ))
    .unwrap();
    json!({"Source": e["source"], "DetailType": e["detail-type"], "Detail": e["detail"].to_string(), "Resources": e["resources"]})
}

fn ingest(c: &mut Criterion) {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let router = rt.block_on(async {
        let url = format!("sqlite://{}", dir.path().join("bench.db").display());
        let store = SqliteStore::open(&url).await.unwrap();
        let (state, _stop) = AppState::new(Arc::new(store), ServerConfig::default()).await.unwrap();
        let router = app(state);
        let create = Request::post("/createResponsePlan")
            .body(Body::from(json!({"name": "bench", "incidentTemplate": {"title": "Bench", "impact": 3}}).to_string()))
            .unwrap();
        assert_eq!(router.clone().oneshot(create).await.unwrap().status(), 201);
        // 100 rules that look at the same fields but do not match, and one that does.
        for i in 0..100 {
            let pattern = json!({"source": ["aws.cloudwatch"], "detail": {"alarmName": [format!("other-alarm-{i}")], "state": {"value": ["ALARM"]}}});
            let r = router.clone().oneshot(call("PutRule", &json!({"Name": format!("r{i}"), "EventPattern": pattern.to_string()}))).await.unwrap();
            assert_eq!(r.status(), 200);
        }
        let pattern = json!({"source": ["aws.cloudwatch"], "detail": {"state": {"value": ["ALARM"]}}});
        router.clone().oneshot(call("PutRule", &json!({"Name": "hit", "EventPattern": pattern.to_string()}))).await.unwrap();
        let targets = json!({"Rule": "hit", "Targets": [{"Id": "plan", "Arn": "arn:aws:ssm-incidents::000000000000:response-plan/bench"}]});
        assert_eq!(router.clone().oneshot(call("PutTargets", &targets)).await.unwrap().status(), 200);
        router
    });
    let one = json!({"Entries": [alarm_entry()]});
    let ten = json!({"Entries": vec![alarm_entry(); 10]});
    let mut group = c.benchmark_group("put_events");
    group
        .sample_size(30)
        .measurement_time(std::time::Duration::from_secs(6));
    group.throughput(Throughput::Elements(1));
    group.bench_function(
        "1 entry per request (matches, dedupes into the open incident)",
        |b| {
            b.to_async(&rt).iter(|| async {
                let r = router
                    .clone()
                    .oneshot(call("PutEvents", &one))
                    .await
                    .unwrap();
                assert_eq!(r.status(), 200);
            })
        },
    );
    group.throughput(Throughput::Elements(10));
    group.bench_function("10 entries per request", |b| {
        b.to_async(&rt).iter(|| async {
            let r = router
                .clone()
                .oneshot(call("PutEvents", &ten))
                .await
                .unwrap();
            assert_eq!(r.status(), 200);
        })
    });
    group.finish();
}

criterion_group!(benches, ingest);
criterion_main!(benches);
