//! SQL for both backends: incident records, timeline entries and related items.

use async_trait::async_trait;
use sqlx::QueryBuilder;

use super::Db;
use tocsin_api::incidents::{RelatedItem, TimelineEvent};

use super::Tx;
use super::rows::{bodies, body, encode, incident_from_row, touched, unique_violation};
use crate::store::{IncidentQuery, StoreResult, StoredIncident, TimelineQuery};

/// Overwrites an incident: `$1` status, `$2` impact, `$3` body, `$4` ARN (also run by
/// SQLite's direct writer, `sqlite/direct.rs`).
pub(super) const UPDATE_INCIDENT: &str =
    "UPDATE incidents SET status = $1, impact = $2, body = $3 WHERE arn = $4";

/// Overwrites a timeline entry: `$1` incident ARN, `$2` entry id, `$3` event time, `$4`
/// body (also run by SQLite's direct writer).
pub(super) const UPDATE_TIMELINE_EVENT: &str = "UPDATE timeline_events SET event_time = $3, body = $4 \
     WHERE incident_arn = $1 AND event_id = $2";

#[async_trait]
impl crate::store::IncidentStore for Tx {
    #[tracing::instrument(level = "debug", skip_all)]
    async fn insert_incident(&mut self, incident: &StoredIncident) -> StoreResult<()> {
        let r = &incident.record;
        sqlx::query(
            "INSERT INTO incidents (arn, response_plan_arn, status, impact, dedupe_string, creation_time, body) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(&r.arn)
        .bind(&incident.response_plan_arn)
        .bind(r.status.as_str())
        .bind(r.impact)
        .bind(&r.dedupe_string)
        .bind(r.creation_time)
        .bind(encode(r)?)
        .execute(&mut *self.tx)
        .await
        .map_err(|e| unique_violation(e, format!("open incident with dedupe string {}", r.dedupe_string)))?;
        Ok(())
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn update_incident(&mut self, incident: &StoredIncident) -> StoreResult<()> {
        let r = &incident.record;
        sqlx::query(UPDATE_INCIDENT)
            .bind(r.status.as_str())
            .bind(r.impact)
            .bind(encode(r)?)
            .bind(&r.arn)
            .execute(&mut *self.tx)
            .await
            .map_err(|e| {
                unique_violation(
                    e,
                    format!("open incident with dedupe string {}", r.dedupe_string),
                )
            })?;
        Ok(())
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn incident(&mut self, arn: &str) -> StoreResult<Option<StoredIncident>> {
        let row = sqlx::query("SELECT body, response_plan_arn FROM incidents WHERE arn = $1")
            .bind(arn)
            .fetch_optional(&mut *self.tx)
            .await?;
        row.as_ref().map(incident_from_row).transpose()
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn open_incident_by_dedupe(
        &mut self,
        dedupe: &str,
    ) -> StoreResult<Option<StoredIncident>> {
        let row = sqlx::query(
            "SELECT body, response_plan_arn FROM incidents WHERE dedupe_string = $1 AND status = 'OPEN'",
        )
        .bind(dedupe)
        .fetch_optional(&mut *self.tx)
        .await?;
        row.as_ref().map(incident_from_row).transpose()
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn incidents(&mut self, query: &IncidentQuery) -> StoreResult<Vec<StoredIncident>> {
        if query.nothing {
            return Ok(Vec::new());
        }
        let mut sql: QueryBuilder<Db> =
            QueryBuilder::new("SELECT body, response_plan_arn FROM incidents WHERE 1 = 1");
        if !query.created_by.is_empty() {
            sql.push(" AND ")
                .push(super::dialect::json_text(&[
                    "incidentRecordSource",
                    "createdBy",
                ]))
                .push(" IN (");
            let mut list = sql.separated(", ");
            for who in &query.created_by {
                list.push_bind(who.as_str());
            }
            sql.push(")");
        }
        if !query.statuses.is_empty() {
            sql.push(" AND status IN (");
            let mut list = sql.separated(", ");
            for status in &query.statuses {
                list.push_bind(status.as_str());
            }
            sql.push(")");
        }
        if !query.impacts.is_empty() {
            sql.push(" AND impact IN (");
            let mut list = sql.separated(", ");
            for impact in &query.impacts {
                list.push_bind(*impact);
            }
            sql.push(")");
        }
        if let Some(after) = query.created_after {
            sql.push(" AND creation_time > ").push_bind(after);
        }
        if let Some(before) = query.created_before {
            sql.push(" AND creation_time < ").push_bind(before);
        }
        sql.push(" ORDER BY creation_time DESC, arn LIMIT ")
            .push_bind(query.limit)
            .push(" OFFSET ")
            .push_bind(query.offset);
        let rows = sql.build().fetch_all(&mut *self.tx).await?;
        rows.iter().map(incident_from_row).collect()
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn insert_timeline_event(&mut self, event: &TimelineEvent) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO timeline_events (event_id, incident_arn, event_time, body) VALUES ($1, $2, $3, $4)",
        )
        .bind(&event.event_id)
        .bind(&event.incident_record_arn)
        .bind(event.event_time)
        .bind(encode(event)?)
        .execute(&mut *self.tx)
        .await
        .map_err(|e| unique_violation(e, format!("timeline event {}", event.event_id)))?;
        Ok(())
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn timeline_page(
        &mut self,
        incident_arn: &str,
        query: &TimelineQuery,
    ) -> StoreResult<Vec<TimelineEvent>> {
        if query.nothing {
            return Ok(Vec::new());
        }
        let mut sql: QueryBuilder<Db> =
            QueryBuilder::new("SELECT body FROM timeline_events WHERE incident_arn = ");
        sql.push_bind(incident_arn);
        if !query.event_types.is_empty() {
            sql.push(" AND ")
                .push(super::dialect::json_text(&["eventType"]))
                .push(" IN (");
            let mut list = sql.separated(", ");
            for t in &query.event_types {
                list.push_bind(t.as_str());
            }
            sql.push(")");
        }
        if let Some(after) = query.after {
            sql.push(" AND event_time > ").push_bind(after);
        }
        if let Some(before) = query.before {
            sql.push(" AND event_time < ").push_bind(before);
        }
        sql.push(if query.descending {
            " ORDER BY event_time DESC, seq DESC LIMIT "
        } else {
            " ORDER BY event_time, seq LIMIT "
        })
        .push_bind(query.limit)
        .push(" OFFSET ")
        .push_bind(query.offset);
        let rows: Vec<String> = sql.build_query_scalar().fetch_all(&mut *self.tx).await?;
        rows.iter().map(|b| super::rows::decode(b)).collect()
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn timeline_events(&mut self, incident_arn: &str) -> StoreResult<Vec<TimelineEvent>> {
        bodies(
            sqlx::query_scalar(
                "SELECT body FROM timeline_events WHERE incident_arn = $1 ORDER BY event_time, seq",
            )
            .bind(incident_arn),
            &mut self.tx,
        )
        .await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn timeline_event(
        &mut self,
        incident_arn: &str,
        event_id: &str,
    ) -> StoreResult<Option<TimelineEvent>> {
        body(
            sqlx::query_scalar(
                "SELECT body FROM timeline_events WHERE incident_arn = $1 AND event_id = $2",
            )
            .bind(incident_arn)
            .bind(event_id),
            &mut self.tx,
        )
        .await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn delete_incident(&mut self, arn: &str) -> StoreResult<bool> {
        for table in [
            "DELETE FROM timeline_events WHERE incident_arn = $1",
            "DELETE FROM related_items WHERE incident_arn = $1",
            "DELETE FROM acknowledgements WHERE incident_arn = $1",
            "DELETE FROM alert_links WHERE incident_arn = $1",
        ] {
            sqlx::query(table).bind(arn).execute(&mut *self.tx).await?;
        }
        super::rows::touched(
            sqlx::query("DELETE FROM incidents WHERE arn = $1").bind(arn),
            &mut self.tx,
        )
        .await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn update_timeline_event(&mut self, event: &TimelineEvent) -> StoreResult<bool> {
        super::rows::touched(
            sqlx::query(UPDATE_TIMELINE_EVENT)
                .bind(&event.incident_record_arn)
                .bind(&event.event_id)
                .bind(event.event_time)
                .bind(encode(event)?),
            &mut self.tx,
        )
        .await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn delete_timeline_event(
        &mut self,
        incident_arn: &str,
        event_id: &str,
    ) -> StoreResult<bool> {
        super::rows::touched(
            sqlx::query("DELETE FROM timeline_events WHERE incident_arn = $1 AND event_id = $2")
                .bind(incident_arn)
                .bind(event_id),
            &mut self.tx,
        )
        .await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn recent_timeline_events(&mut self, limit: i64) -> StoreResult<Vec<TimelineEvent>> {
        bodies(
            sqlx::query_scalar(
                "SELECT body FROM timeline_events ORDER BY event_time DESC, seq DESC LIMIT $1",
            )
            .bind(limit.max(0)),
            &mut self.tx,
        )
        .await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn latest_timeline_event(
        &mut self,
        incident_arn: &str,
    ) -> StoreResult<Option<TimelineEvent>> {
        body(sqlx::query_scalar(
            "SELECT body FROM timeline_events WHERE incident_arn = $1 ORDER BY event_time DESC, seq DESC LIMIT 1",
        )
        .bind(incident_arn), &mut self.tx).await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn insert_related_item(
        &mut self,
        incident_arn: &str,
        identity: &str,
        item: &RelatedItem,
    ) -> StoreResult<bool> {
        touched(sqlx::query(
            "INSERT INTO related_items (incident_arn, generated_id, identity, body) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (incident_arn, identity) DO NOTHING",
        )
        .bind(incident_arn)
        .bind(item.generated_id.as_deref().unwrap_or_default())
        .bind(identity)
        .bind(encode(item)?), &mut self.tx).await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn delete_related_item(
        &mut self,
        incident_arn: &str,
        identity: &str,
    ) -> StoreResult<bool> {
        touched(
            sqlx::query("DELETE FROM related_items WHERE incident_arn = $1 AND identity = $2")
                .bind(incident_arn)
                .bind(identity),
            &mut self.tx,
        )
        .await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn related_items_page(
        &mut self,
        incident_arn: &str,
        offset: i64,
        limit: i64,
    ) -> StoreResult<Vec<RelatedItem>> {
        bodies(
            sqlx::query_scalar(
                "SELECT body FROM related_items WHERE incident_arn = $1 ORDER BY seq LIMIT $2 OFFSET $3",
            )
            .bind(incident_arn)
            .bind(limit)
            .bind(offset),
            &mut self.tx,
        )
        .await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn related_items(&mut self, incident_arn: &str) -> StoreResult<Vec<RelatedItem>> {
        bodies(
            sqlx::query_scalar(
                "SELECT body FROM related_items WHERE incident_arn = $1 ORDER BY seq",
            )
            .bind(incident_arn),
            &mut self.tx,
        )
        .await
    }
}
