//! What 1,000 automation executions waiting on approvals cost while nothing happens: the
//! process CPU time (`getrusage(RUSAGE_SELF)`: user + system, every thread, the runbook
//! worker included) over one minute, as a share of one core. The server runs in this process
//! on a real SQLite file with all its workers. Goal: under 1 % of one core.
//! Run: `cargo bench -p tocsin-server --bench runbooks_idle` (about 80 s).

#![allow(missing_docs, clippy::unwrap_used, reason = "benchmark harness")]

use std::sync::Arc;
use std::time::{Duration, Instant};

use nix::sys::resource::{UsageWho, getrusage};
use serde_json::json;
use tocsin_api::auth::Role;
use tocsin_server::domain::automation_start::{self, StartRequest};
use tocsin_server::domain::documents;
use tocsin_server::store::RunAs;
use tocsin_server::store::sqlite::SqliteStore;
use tocsin_server::{AppState, ServerConfig};

const EXECUTIONS: usize = 1000;

fn cpu_seconds() -> f64 {
    let usage = getrusage(UsageWho::RUSAGE_SELF).unwrap();
    let secs = |t: nix::sys::time::TimeVal| t.tv_sec() as f64 + t.tv_usec() as f64 / 1e6;
    secs(usage.user_time()) + secs(usage.system_time())
}

fn main() {
    // `cargo bench` passes `--bench`; a filter that does not name this bench skips it.
    if std::env::args()
        .skip(1)
        .any(|a| !a.starts_with('-') && !"runbooks_idle".contains(&a))
    {
        return;
    }
    let seconds: u64 = std::env::var("TOCSIN_IDLE_SECS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(60);
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("idle.db").display());
        let store = SqliteStore::open(&url).await.unwrap();
        let (state, _stop) = AppState::new(Arc::new(store), ServerConfig::default()).await.unwrap();
        let doc = json!({"schemaVersion": "0.3", "mainSteps": [
            {"name": "ask", "action": "aws:approve", "inputs": {"Approvers": ["someone"]}}
        ]});
        let mut tx = state.store.write().await.unwrap();
        documents::create_document(
            tx.as_mut(),
            &state.config,
            serde_json::from_value(json!({"Name": "ask", "Content": doc.to_string()})).unwrap(),
            0.0,
        )
        .await
        .unwrap();
        for _ in 0..EXECUTIONS {
            automation_start::start(
                tx.as_mut(),
                StartRequest {
                    document_name: "ask".into(),
                    document_version: None,
                    parameters: Default::default(),
                    client_token: None,
                    mode: None,
                    executed_by: "bench".into(),
                    run_as: RunAs { principal: "bench".into(), role: Role::Responder },
                    incident_arn: None,
                },
                tocsin_server::clock::now(),
            )
            .await
            .unwrap();
        }
        tx.commit().await.unwrap();
        // The runbook worker takes every execution to its approval step.
        let started = Instant::now();
        loop {
            let mut tx = state.store.read().await.unwrap();
            let waiting = tx
                .executions(0, EXECUTIONS as i64)
                .await
                .unwrap()
                .iter()
                .filter(|e| e.status == "Waiting")
                .count();
            drop(tx);
            if waiting == EXECUTIONS {
                break;
            }
            assert!(started.elapsed() < Duration::from_secs(120), "only {waiting} waiting");
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        println!("{EXECUTIONS} executions waiting on approvals after {:.1} s", started.elapsed().as_secs_f64());
        let before = cpu_seconds();
        let wall = Instant::now();
        tokio::time::sleep(Duration::from_secs(seconds)).await;
        let used = cpu_seconds() - before;
        let elapsed = wall.elapsed().as_secs_f64();
        println!(
            "runbooks_idle: {used:.4} s of CPU in {elapsed:.1} s = {:.3} % of one core ({EXECUTIONS} executions waiting)",
            100.0 * used / elapsed
        );
    });
}
