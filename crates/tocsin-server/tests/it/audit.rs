//! The audit log over real HTTP: state-changing calls are recorded with who, what, on what,
//! from where and how it ended; reads and event ingest are not; the keyed chain verifies,
//! and breaks when a row is edited, even if an editor recomputes plain SHA-256 hashes.

use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use tocsin_server::domain::audit;

use crate::support::{TestServer, alarm_entry};

#[tokio::test]
async fn changes_are_audited_and_the_chain_is_tamper_evident() {
    let server = TestServer::start().await;
    let plan = json!({"name": "audited", "incidentTemplate": {"title": "t", "impact": 3}});
    assert_eq!(server.rest("/createResponsePlan", &plan).await.0, 201);
    assert_eq!(
        server.rest("/createResponsePlan", &plan).await.0,
        409,
        "a refused change"
    );
    assert_eq!(
        server.rest("/listResponsePlans", &json!({})).await.0,
        200,
        "a read"
    );
    server.alarm_route("routed", 2).await;
    let (s, _) = server
        .events("PutEvents", &json!({"Entries": [alarm_entry()]}))
        .await;
    assert_eq!(s, 200, "ingest");
    let bad_impact = json!({"responsePlanArn": "arn:aws:ssm-incidents::000000000000:response-plan/audited", "impact": 9});
    assert_eq!(
        server.rest("/startIncident", &bad_impact).await.0,
        400,
        "refused before the transaction"
    );

    let entries: Value = server.get("/v1/audit").await.json().await.unwrap();
    let ops: Vec<(&str, &str)> = entries
        .as_array()
        .unwrap()
        .iter()
        .rev()
        .map(|e| {
            (
                e["operation"].as_str().unwrap(),
                e["result"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        ops,
        [
            ("CreateResponsePlan", "success"),
            ("CreateResponsePlan", "ConflictException"),
            ("CreateResponsePlan", "success"),
            ("PutRule", "success"),
            ("PutTargets", "success"),
            ("StartIncident", "ValidationException"),
        ],
        "{entries}"
    );
    let first = &entries.as_array().unwrap().last().unwrap().clone();
    assert_eq!(
        first["principal"],
        "arn:aws:iam::000000000000:user/test-admin"
    );
    assert_eq!(first["role"], "admin");
    assert_eq!(
        first["resource"],
        "arn:aws:ssm-incidents::000000000000:response-plan/audited"
    );
    assert!(
        first["sourceAddress"]
            .as_str()
            .unwrap()
            .starts_with("127.0.0.1:"),
        "{first}"
    );
    let only: Value = server
        .get("/v1/audit?operation=PutRule")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(only.as_array().unwrap().len(), 1);

    let key = server.server_key();
    assert_eq!(audit::verify(&server.store, &key).await, Ok(6));

    // Edit entry 2 and "fix" every hash from there on with plain SHA-256.
    let pool = server.store.pool();
    sqlx::query("UPDATE audit_log SET principal = 'arn:aws:iam::000000000000:user/someone-else', body = replace(body, 'test-admin', 'someone-else') WHERE seq = 2")
        .execute(pool)
        .await
        .unwrap();
    let rows: Vec<(i64, String)> = sqlx::query_as("SELECT seq, body FROM audit_log ORDER BY seq")
        .fetch_all(pool)
        .await
        .unwrap();
    let mut previous: String = sqlx::query_scalar("SELECT mac FROM audit_log WHERE seq = 1")
        .fetch_one(pool)
        .await
        .unwrap();
    for (seq, body) in rows.into_iter().filter(|(seq, _)| *seq >= 2) {
        let forged = hex::encode(Sha256::digest(format!("{previous}\n{body}").as_bytes()));
        sqlx::query("UPDATE audit_log SET mac = ? WHERE seq = ?")
            .bind(&forged)
            .bind(seq)
            .execute(pool)
            .await
            .unwrap();
        previous = forged;
    }
    let broken = audit::verify(&server.store, &key).await.unwrap_err();
    assert_eq!(broken.seq, 2, "{broken}");
    server.stop();
}
