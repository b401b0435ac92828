//! Row mapping: documents to and from the `body` JSON column, rows to stored entities,
//! and database errors to [`StoreError`].

use super::{Db, DbArguments, DbConnection};
use serde::Serialize;
use serde::de::DeserializeOwned;
use sqlx::Row;
use sqlx::query::{Query, QueryScalar};
use tocsin_api::incidents::{GetResponsePlanOutput, IncidentRecord};

use crate::store::{StoreError, StoreResult, StoredIncident, StoredPlan};

pub(super) fn encode<T: Serialize>(value: &T) -> StoreResult<String> {
    serde_json::to_string(value).map_err(|e| StoreError::Corrupt(e.to_string()))
}

pub(super) fn decode<T: DeserializeOwned>(text: &str) -> StoreResult<T> {
    serde_json::from_str(text).map_err(|e| StoreError::Corrupt(e.to_string()))
}

pub(super) fn unique_violation(err: sqlx::Error, what: impl Into<String>) -> StoreError {
    match &err {
        sqlx::Error::Database(db) if db.is_unique_violation() => {
            StoreError::AlreadyExists(what.into())
        }
        _ => StoreError::Database(err),
    }
}

pub(super) fn plan_from_row(row: &super::DbRow) -> StoreResult<StoredPlan> {
    Ok(StoredPlan {
        plan: decode::<GetResponsePlanOutput>(row.try_get::<&str, _>("body")?)?,
        created_at: row.try_get("created_at")?,
        updated_at: row.try_get("updated_at")?,
    })
}

pub(super) fn incident_from_row(row: &super::DbRow) -> StoreResult<StoredIncident> {
    Ok(StoredIncident {
        record: decode::<IncidentRecord>(row.try_get::<&str, _>("body")?)?,
        response_plan_arn: row.try_get("response_plan_arn")?,
    })
}

/// Runs a `SELECT body …` query and decodes every row's document.
pub(super) async fn bodies<'q, T: DeserializeOwned>(
    query: QueryScalar<'q, Db, String, DbArguments<'q>>,
    conn: &mut DbConnection,
) -> StoreResult<Vec<T>> {
    let rows = query.fetch_all(conn).await?;
    rows.iter().map(|body| decode(body)).collect()
}

/// Runs a `SELECT body …` query for at most one row and decodes its document.
pub(super) async fn body<'q, T: DeserializeOwned>(
    query: QueryScalar<'q, Db, String, DbArguments<'q>>,
    conn: &mut DbConnection,
) -> StoreResult<Option<T>> {
    query
        .fetch_optional(conn)
        .await?
        .as_deref()
        .map(decode)
        .transpose()
}

/// Runs an `UPDATE`/`DELETE`; returns whether it touched a row.
pub(super) async fn touched<'q>(
    query: Query<'q, Db, DbArguments<'q>>,
    conn: &mut DbConnection,
) -> StoreResult<bool> {
    Ok(query.execute(conn).await?.rows_affected() > 0)
}

/// [`crate::store::Store::queue_depths`]: work waiting, by queue name.
pub(super) async fn queue_depths(conn: &mut DbConnection) -> StoreResult<Vec<(&'static str, i64)>> {
    let (deliveries, notifications, runbooks, engagements, pages): (i64, i64, i64, i64, i64) =
        sqlx::query_as(
            "SELECT (SELECT COUNT(*) FROM deliveries WHERE status = 'PENDING'), \
                 (SELECT COUNT(*) FROM notifications WHERE status = 'PENDING'), \
                 (SELECT COUNT(*) FROM automation_executions WHERE wake_at IS NOT NULL), \
                 (SELECT COUNT(*) FROM engagements WHERE wake_at IS NOT NULL), \
                 (SELECT COUNT(*) FROM pages WHERE wake_at IS NOT NULL)",
        )
        .fetch_one(conn)
        .await?;
    Ok(vec![
        ("deliveries", deliveries),
        ("notifications", notifications),
        ("runbooks", runbooks),
        ("engagements", engagements),
        ("pages", pages),
    ])
}
