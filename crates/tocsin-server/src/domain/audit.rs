//! The audit log: a tamper-evident record of every state-changing call a principal makes
//! (except event ingest, whose record is the event store), appended in the same transaction
//! as the change.
//!
//! Entries form a keyed chain: each entry's mac is HMAC-SHA256, keyed with the server key
//! (kept outside the database), over the previous entry's mac and this entry's body. Someone
//! who can edit the database but not read the key file cannot recompute it, so an edited,
//! removed or inserted row breaks [`verify`]. The chain head (the newest seq and mac) is read
//! inside the writing transaction: SQLite serialises writers, so two writers never extend
//! the same head; on PostgreSQL the head row is locked (`FOR UPDATE`) for the same effect.

use tocsin_api::audit::{AuditEntry, AuditQuery};
use tocsin_api::auth::Role;

use crate::domain::error::{ApiError, ApiResult};
use crate::domain::keys::ServerKey;
use crate::store::{Store, StoreTx};

/// The mac an empty chain starts from.
const GENESIS: &[u8] = b"tocsin audit chain v1";

/// The principal of changes made with local tools (`tocsin keys`).
pub const LOCAL_PRINCIPAL: &str = "local:tocsin-cli";

/// What a new entry says (its seq, time and mac are assigned by [`append`]).
#[derive(Debug, Clone, PartialEq)]
pub struct NewEntry {
    /// Who.
    pub principal: String,
    /// Their role.
    pub role: Role,
    /// The operation.
    pub operation: String,
    /// The resource, if any.
    pub resource: String,
    /// Where from.
    pub source_address: String,
    /// `success` or an error code.
    pub result: String,
}

/// The text the mac covers: the entry as JSON, without its mac.
fn body(entry: &AuditEntry) -> ApiResult<String> {
    let mut unsigned = entry.clone();
    unsigned.mac = String::new();
    serde_json::to_string(&unsigned).map_err(|e| ApiError::Internal(Box::new(e)))
}

fn chain_mac(key: &ServerKey, previous: &str, body: &str) -> String {
    let mut data = Vec::with_capacity(previous.len() + 1 + body.len());
    data.extend_from_slice(previous.as_bytes());
    data.push(b'\n');
    data.extend_from_slice(body.as_bytes());
    hex::encode(key.mac(&data))
}

fn genesis(key: &ServerKey) -> String {
    hex::encode(key.mac(GENESIS))
}

/// Whether `operation` changes state, and so is audited (also when refused): everything but
/// reads (`Get*`, `List*`, `Describe*`, `Test*`, the stream, `Whoami`, health, stream
/// tickets) and event ingest (`PutEvents`: the event store is its record).
pub fn changes_state(operation: &str) -> bool {
    const READS: [&str; 4] = ["Get", "List", "Describe", "Test"];
    const NOT_AUDITED: [&str; 5] = [
        "Whoami",
        "Health",
        "Stream",
        "CreateStreamTicket",
        "PutEvents",
    ];
    !READS.iter().any(|p| operation.starts_with(p)) && !NOT_AUDITED.contains(&operation)
}

/// Appends an entry at `at` (epoch seconds) to the chain, in `tx`.
pub async fn append(
    tx: &mut dyn StoreTx,
    key: &ServerKey,
    entry: NewEntry,
    at: f64,
) -> ApiResult<()> {
    let (seq, previous) = match tx.audit_head().await? {
        Some((seq, mac)) => (seq + 1, mac),
        None => (1, genesis(key)),
    };
    let mut record = AuditEntry {
        seq,
        at,
        principal: entry.principal,
        role: entry.role,
        operation: entry.operation,
        resource: entry.resource,
        source_address: entry.source_address,
        result: entry.result,
        mac: String::new(),
    };
    let text = body(&record)?;
    record.mac = chain_mac(key, &previous, &text);
    tx.insert_audit(&record, &text).await?;
    Ok(())
}

/// Where the chain breaks.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the audit log is broken at entry {seq}: {reason}")]
pub struct Broken {
    /// The first entry that does not verify.
    pub seq: i64,
    /// Why.
    pub reason: String,
}

/// Checks the whole chain: entries numbered 1, 2, 3 … without gaps, each body as stored,
/// each mac recomputed with the server key. Returns how many entries verified.
///
/// Errors: [`Broken`] at the first entry that fails; a store error as `Broken` at seq 0.
pub async fn verify(store: &dyn Store, key: &ServerKey) -> Result<i64, Broken> {
    let store_error = |e: String| Broken { seq: 0, reason: e };
    let mut previous = genesis(key);
    let mut expected_seq = 1;
    loop {
        let mut tx = store.read().await.map_err(|e| store_error(e.to_string()))?;
        let batch = tx
            .audit_rows(expected_seq - 1, 1000)
            .await
            .map_err(|e| store_error(e.to_string()))?;
        drop(tx);
        if batch.is_empty() {
            return Ok(expected_seq - 1);
        }
        for (entry, stored_body) in batch {
            if entry.seq != expected_seq {
                return Err(Broken {
                    seq: expected_seq,
                    reason: format!("entry {expected_seq} is missing (next is {})", entry.seq),
                });
            }
            let recomputed = body(&entry).map_err(|e| store_error(e.to_string()))?;
            if recomputed != stored_body {
                return Err(Broken {
                    seq: entry.seq,
                    reason: "its columns and its stored body disagree".into(),
                });
            }
            if chain_mac(key, &previous, &stored_body) != entry.mac {
                return Err(Broken {
                    seq: entry.seq,
                    reason: "its mac does not match (edited, inserted, or a neighbour removed)"
                        .into(),
                });
            }
            previous = entry.mac;
            expected_seq += 1;
        }
    }
}

/// Entries matching `query`, newest first.
///
/// Errors: `ValidationException` for a limit outside 1-1000.
pub async fn query(tx: &mut dyn StoreTx, query: &AuditQuery) -> ApiResult<Vec<AuditEntry>> {
    let limit = query.limit.unwrap_or(100);
    if !(1..=1000).contains(&limit) {
        return Err(ApiError::Validation("limit must be 1-1000.".into()));
    }
    Ok(tx.audit_query(query, limit).await?)
}
