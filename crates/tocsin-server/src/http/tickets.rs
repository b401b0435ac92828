//! Single-use stream tickets: browsers' `EventSource` cannot send an `Authorization`
//! header, so a signed-in app trades its key for a ticket (`POST /v1/stream-tickets`) and
//! opens `GET /v1/stream?ticket=…`. No long-lived secret goes into a URL. A ticket is kept
//! in the database (as the SHA-256 of its text, among the client tokens, operation
//! `stream-ticket`) for 60 s and is taken once, so it works on any node of a database
//! shared by several, and a copy of the database holds no usable ticket.

use std::time::Duration;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::clock;
use crate::domain::identity::{Caller, Role};
use crate::domain::keys;
use crate::store::{Store, StoreError};

/// How long a stream ticket is valid.
pub const TICKET_TTL: Duration = Duration::from_secs(60);

/// The client-token operation tickets are kept under.
const OPERATION: &str = "stream-ticket";

/// What a ticket stands for: the caller that asked for it.
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Issued {
    principal: String,
    role: Role,
    access_key_id: String,
    name: String,
    source_address: String,
}

/// The stored form of a ticket's text.
fn digest(ticket: &str) -> String {
    hex::encode(Sha256::digest(ticket.as_bytes()))
}

/// Issues a ticket for `caller`, valid for [`TICKET_TTL`] on any node.
///
/// Errors: database errors.
pub async fn issue(store: &dyn Store, caller: &Caller) -> Result<String, StoreError> {
    let ticket = keys::new_secret();
    let issued = Issued {
        principal: caller.principal.clone(),
        role: caller.role,
        access_key_id: caller.access_key_id.clone(),
        name: caller.name.clone(),
        source_address: caller.source_address.clone(),
    };
    let result = serde_json::to_string(&issued).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    let mut tx = store.write().await?;
    tx.put_client_token(OPERATION, &digest(&ticket), &result)
        .await?;
    tx.commit().await?;
    Ok(ticket)
}

/// Redeems a ticket once; `None` if unknown, used or expired.
///
/// Errors: database errors.
pub async fn redeem(store: &dyn Store, ticket: &str) -> Result<Option<Caller>, StoreError> {
    let mut tx = store.write().await?;
    let taken = tx.take_client_token(OPERATION, &digest(ticket)).await?;
    tx.commit().await?;
    let Some((result, at)) = taken else {
        return Ok(None);
    };
    if clock::now() - at >= TICKET_TTL.as_secs_f64() {
        return Ok(None);
    }
    let issued: Issued =
        serde_json::from_str(&result).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    Ok(Some(Caller {
        principal: issued.principal,
        role: issued.role,
        access_key_id: issued.access_key_id,
        name: issued.name,
        source_address: issued.source_address,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::sqlite::SqliteStore;

    #[tokio::test]
    async fn tickets_are_single_use_and_stored_only_as_a_digest() {
        let store = SqliteStore::open("sqlite::memory:").await.unwrap();
        let t = issue(&store, &Caller::anonymous_admin()).await.unwrap();
        assert_eq!(t.len(), 40);
        let stored: Vec<String> =
            sqlx::query_scalar("SELECT token FROM client_tokens WHERE operation = 'stream-ticket'")
                .fetch_all(store.pool())
                .await
                .unwrap();
        assert_eq!(stored, [digest(&t)]);
        assert_eq!(
            redeem(&store, &t).await.unwrap().map(|c| c.name),
            Some("anonymous".to_owned())
        );
        assert_eq!(redeem(&store, &t).await.unwrap(), None, "used");
        assert_eq!(redeem(&store, "nope").await.unwrap(), None);
    }
}
