//! `tocsin backup` under load and `tocsin restore`, with the real binary: every event
//! acknowledged before the backup began is in the restored database, which passes
//! `PRAGMA integrity_check`, opens with its key (the admin key still works), and serves.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use serde_json::{Value, json};

use crate::support::{Tocsin, admin_credentials, alarm_entry, bearer_client};

fn tocsin(args: &[&str]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_tocsin"))
        .args(args)
        .output()
        .unwrap()
}

/// Sends PutEvents until `stop`; returns the event ids acknowledged, in order, with the
/// time each answer arrived.
async fn load(
    client: reqwest::Client,
    base: String,
    stop: Arc<AtomicBool>,
) -> Vec<(std::time::Instant, String)> {
    let mut acked = Vec::new();
    while !stop.load(Ordering::SeqCst) {
        let r = client
            .post(format!("{base}/"))
            .header("X-Amz-Target", "AWSEvents.PutEvents")
            .header("Content-Type", "application/x-amz-json-1.1")
            .body(json!({"Entries": [alarm_entry(), alarm_entry()]}).to_string())
            .send()
            .await
            .unwrap();
        assert!(r.status().is_success());
        let body: Value = r.json().await.unwrap();
        let now = std::time::Instant::now();
        for e in body["Entries"].as_array().unwrap() {
            acked.push((now, e["EventId"].as_str().unwrap().to_owned()));
        }
    }
    acked
}

#[tokio::test]
async fn a_backup_taken_under_load_restores_every_acknowledged_event() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("live.db");
    let db = format!("sqlite://{}", path.display());
    let server = Tocsin::start(&db, &[]).await;
    let stop = Arc::new(AtomicBool::new(false));
    let writers: Vec<_> = (0..3)
        .map(|_| {
            tokio::spawn(load(
                server.client.clone(),
                server.base.clone(),
                stop.clone(),
            ))
        })
        .collect();
    tokio::time::sleep(Duration::from_millis(1500)).await;

    let backup = dir.path().join("backup.db");
    let began = std::time::Instant::now();
    let out = tokio::task::spawn_blocking({
        let (db, backup) = (db.clone(), backup.display().to_string());
        move || tocsin(&["backup", "--database-url", &db, "--to", &backup])
    })
    .await
    .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("backed up"));
    tokio::time::sleep(Duration::from_millis(500)).await;
    stop.store(true, Ordering::SeqCst);
    let mut acked = Vec::new();
    for w in writers {
        acked.extend(w.await.unwrap());
    }
    let before: Vec<String> = acked
        .iter()
        .filter(|(at, _)| *at < began)
        .map(|(_, id)| id.clone())
        .collect();
    assert!(
        before.len() >= 20,
        "only {} events before the backup",
        before.len()
    );
    assert!(acked.len() > before.len(), "no load while the backup ran");
    // A second backup to the same file is refused: nothing is overwritten.
    let again = tocsin(&[
        "backup",
        "--database-url",
        &db,
        "--to",
        &backup.display().to_string(),
    ]);
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("exists"));
    drop(server);

    // Restore into a new place: refused over an existing database without --force.
    let restored_dir = dir.path().join("restored");
    std::fs::create_dir_all(&restored_dir).unwrap();
    let restored = restored_dir.join("live.db");
    let restored_db = format!("sqlite://{}", restored.display());
    std::fs::write(&restored, b"not a database").unwrap();
    let refused = tocsin(&[
        "restore",
        "--database-url",
        &restored_db,
        "--from",
        &backup.display().to_string(),
    ]);
    assert!(!refused.status.success());
    assert!(String::from_utf8_lossy(&refused.stderr).contains("--force"));
    let out = tocsin(&[
        "restore",
        "--database-url",
        &restored_db,
        "--from",
        &backup.display().to_string(),
        "--force",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let check = tocsin_server::backup::integrity(&restored).await.unwrap();
    assert_eq!(check, "ok");
    let pool = sqlx::SqlitePool::connect(&format!("{restored_db}?mode=ro"))
        .await
        .unwrap();
    let stored: std::collections::HashSet<String> =
        sqlx::query_scalar("SELECT event_id FROM events")
            .fetch_all(&pool)
            .await
            .unwrap()
            .into_iter()
            .collect();
    let missing: Vec<&String> = before.iter().filter(|id| !stored.contains(*id)).collect();
    assert!(
        missing.is_empty(),
        "{} acknowledged events missing: {missing:?}",
        missing.len()
    );
    pool.close().await;

    // The restored database serves, with its key: the original admin key still works.
    std::fs::copy(
        dir.path().join("admin-credentials"),
        restored_dir.join("admin-credentials"),
    )
    .unwrap();
    let (id, secret) = admin_credentials(&db).unwrap();
    let server = Tocsin::start(&restored_db, &[]).await;
    let who: Value = bearer_client(&id, &secret)
        .get(format!("{}/v1/whoami", server.base))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(who["accessKeyId"], id.as_str(), "{who}");
}
