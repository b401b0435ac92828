//! SQL for both backends: the audit chain. Each row keeps the exact text its mac covers (`body`), so
//! verification never depends on how JSON is serialised today; the columns beside it serve
//! queries and must agree with it.

use async_trait::async_trait;
use sqlx::{QueryBuilder, Row};

use super::Db;
use tocsin_api::audit::{AuditEntry, AuditQuery};

use super::Tx;
use super::rows::decode;
use crate::store::StoreResult;

fn entry(row: &super::DbRow) -> StoreResult<(AuditEntry, String)> {
    let body: String = row.try_get("body")?;
    let mut entry: AuditEntry = decode(&body)?;
    // The columns are what an editor would change; read them, not the body's copy.
    entry.seq = row.try_get("seq")?;
    entry.at = row.try_get("at")?;
    entry.principal = row.try_get("principal")?;
    entry.operation = row.try_get("operation")?;
    entry.mac = row.try_get("mac")?;
    Ok((entry, body))
}

#[async_trait]
impl crate::store::AuditStore for Tx {
    #[tracing::instrument(level = "debug", skip_all)]
    async fn audit_head(&mut self) -> StoreResult<Option<(i64, String)>> {
        let row = sqlx::query("SELECT seq, mac FROM audit_log ORDER BY seq DESC LIMIT 1")
            .fetch_optional(&mut *self.tx)
            .await?;
        row.map(|r| Ok((r.try_get("seq")?, r.try_get("mac")?)))
            .transpose()
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn insert_audit(&mut self, entry: &AuditEntry, body: &str) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO audit_log (seq, at, principal, operation, body, mac) VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(entry.seq)
        .bind(entry.at)
        .bind(&entry.principal)
        .bind(&entry.operation)
        .bind(body)
        .bind(&entry.mac)
        .execute(&mut *self.tx)
        .await?;
        Ok(())
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn audit_rows(
        &mut self,
        after: i64,
        limit: i64,
    ) -> StoreResult<Vec<(AuditEntry, String)>> {
        let rows = sqlx::query(
            "SELECT seq, at, principal, operation, body, mac FROM audit_log WHERE seq > $1 ORDER BY seq LIMIT $2",
        )
        .bind(after)
        .bind(limit)
        .fetch_all(&mut *self.tx)
        .await?;
        rows.iter().map(entry).collect()
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn audit_query(
        &mut self,
        query: &AuditQuery,
        limit: i64,
    ) -> StoreResult<Vec<AuditEntry>> {
        let mut sql: QueryBuilder<Db> = QueryBuilder::new(
            "SELECT seq, at, principal, operation, body, mac FROM audit_log WHERE 1 = 1",
        );
        if let Some(p) = &query.principal {
            sql.push(" AND principal = ").push_bind(p.clone());
        }
        if let Some(o) = &query.operation {
            sql.push(" AND operation = ").push_bind(o.clone());
        }
        if let Some(a) = query.after {
            sql.push(" AND at >= ").push_bind(a);
        }
        if let Some(b) = query.before {
            sql.push(" AND at < ").push_bind(b);
        }
        sql.push(" ORDER BY seq DESC LIMIT ").push_bind(limit);
        let rows = sql.build().fetch_all(&mut *self.tx).await?;
        rows.iter().map(|r| entry(r).map(|(e, _)| e)).collect()
    }
}
