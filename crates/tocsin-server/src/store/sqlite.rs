//! The embedded SQLite backend: one file, WAL, `synchronous=FULL`, migrations applied on
//! open. Writers are serialised by an in-process lock (SQLite allows one writer anyway), so
//! change-feed ids are assigned in commit order; readers run concurrently on the WAL.

use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use serde::Serialize;
use serde::de::DeserializeOwned;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{QueryBuilder, Row, Sqlite, SqlitePool, Transaction};
use tocsin_api::events::{Rule, Target};
use tocsin_api::incidents::{GetResponsePlanOutput, IncidentRecord, RelatedItem, TimelineEvent};
use tocsin_api::native::{Change, ChangeFeedEntry, Delivery, DeliveryStatus};
use tokio::sync::{Mutex, OwnedMutexGuard, watch};

use super::{
    IncidentQuery, RuleWithTargets, Store, StoreError, StoreResult, StoreTx, StoredIncident,
    StoredPlan,
};
use crate::clock;

/// A SQLite database file holding all of Tocsin's state.
#[derive(Debug, Clone)]
pub struct SqliteStore {
    pool: SqlitePool,
    writer: Arc<Mutex<()>>,
    feed: Arc<watch::Sender<i64>>,
}

impl SqliteStore {
    /// Opens (creating the file and its directory if needed) and migrates the database at
    /// `sqlite://PATH`. `sqlite::memory:` gives a private in-memory database (tests).
    pub async fn open(url: &str) -> StoreResult<Self> {
        let in_memory = url.contains(":memory:");
        if !in_memory {
            let path = url
                .trim_start_matches("sqlite://")
                .trim_start_matches("sqlite:")
                .split('?')
                .next()
                .unwrap_or_default();
            if let Some(parent) = std::path::Path::new(path).parent()
                && !parent.as_os_str().is_empty()
            {
                std::fs::create_dir_all(parent)
                    .map_err(|e| StoreError::Database(sqlx::Error::Io(e)))?;
            }
        }
        let options = SqliteConnectOptions::from_str(url)?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            // FULL: a commit is on disk before PutEvents answers (invariant 1).
            .synchronous(SqliteSynchronous::Full)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(10));
        let pool = SqlitePoolOptions::new()
            // One connection for an in-memory database: each connection would be its own DB.
            .max_connections(if in_memory { 1 } else { 8 })
            .connect_with(options)
            .await?;
        sqlx::migrate!("./migrations/sqlite")
            .run(&pool)
            .await
            .map_err(|e| StoreError::Database(e.into()))?;
        let latest: i64 = sqlx::query_scalar("SELECT COALESCE(MAX(id), 0) FROM change_feed")
            .fetch_one(&pool)
            .await?;
        let (feed, _) = watch::channel(latest);
        Ok(Self {
            pool,
            writer: Arc::new(Mutex::new(())),
            feed: Arc::new(feed),
        })
    }

    /// The connection pool, for tests that inspect the database directly.
    pub fn pool(&self) -> &SqlitePool {
        &self.pool
    }
}

#[async_trait]
impl Store for SqliteStore {
    async fn write(&self) -> StoreResult<Box<dyn StoreTx>> {
        let guard = self.writer.clone().lock_owned().await;
        let tx = self.pool.begin().await?;
        Ok(Box::new(SqliteTx {
            tx,
            _guard: Some(guard),
            last_change: None,
            feed: self.feed.clone(),
        }))
    }

    async fn read(&self) -> StoreResult<Box<dyn StoreTx>> {
        let tx = self.pool.begin().await?;
        Ok(Box::new(SqliteTx {
            tx,
            _guard: None,
            last_change: None,
            feed: self.feed.clone(),
        }))
    }

    async fn changes_after(&self, after: i64, limit: i64) -> StoreResult<Vec<ChangeFeedEntry>> {
        let rows =
            sqlx::query("SELECT id, at, body FROM change_feed WHERE id > ? ORDER BY id LIMIT ?")
                .bind(after)
                .bind(limit)
                .fetch_all(&self.pool)
                .await?;
        rows.into_iter()
            .map(|row| {
                Ok(ChangeFeedEntry {
                    id: row.try_get("id")?,
                    at: row.try_get("at")?,
                    change: decode(row.try_get::<&str, _>("body")?)?,
                })
            })
            .collect()
    }

    async fn latest_change_id(&self) -> StoreResult<i64> {
        Ok(
            sqlx::query_scalar("SELECT COALESCE(MAX(id), 0) FROM change_feed")
                .fetch_one(&self.pool)
                .await?,
        )
    }

    fn subscribe(&self) -> watch::Receiver<i64> {
        self.feed.subscribe()
    }
}

/// One SQLite transaction; holds the writer lock when it is a write transaction.
struct SqliteTx {
    tx: Transaction<'static, Sqlite>,
    _guard: Option<OwnedMutexGuard<()>>,
    last_change: Option<i64>,
    feed: Arc<watch::Sender<i64>>,
}

fn encode<T: Serialize>(value: &T) -> StoreResult<String> {
    serde_json::to_string(value).map_err(|e| StoreError::Corrupt(e.to_string()))
}

fn decode<T: DeserializeOwned>(text: &str) -> StoreResult<T> {
    serde_json::from_str(text).map_err(|e| StoreError::Corrupt(e.to_string()))
}

fn unique_violation(err: sqlx::Error, what: impl Into<String>) -> StoreError {
    match &err {
        sqlx::Error::Database(db) if db.is_unique_violation() => {
            StoreError::AlreadyExists(what.into())
        }
        _ => StoreError::Database(err),
    }
}

fn plan_from_row(row: &sqlx::sqlite::SqliteRow) -> StoreResult<StoredPlan> {
    Ok(StoredPlan {
        plan: decode::<GetResponsePlanOutput>(row.try_get::<&str, _>("body")?)?,
        created_at: row.try_get("created_at")?,
        updated_at: row.try_get("updated_at")?,
    })
}

fn incident_from_row(row: &sqlx::sqlite::SqliteRow) -> StoreResult<StoredIncident> {
    Ok(StoredIncident {
        record: decode::<IncidentRecord>(row.try_get::<&str, _>("body")?)?,
        response_plan_arn: row.try_get("response_plan_arn")?,
    })
}

#[async_trait]
impl StoreTx for SqliteTx {
    async fn commit(self: Box<Self>) -> StoreResult<()> {
        let SqliteTx {
            tx,
            _guard,
            last_change,
            feed,
        } = *self;
        tx.commit().await?;
        if let Some(id) = last_change {
            feed.send_replace(id);
        }
        drop(_guard);
        Ok(())
    }

    async fn append_change(&mut self, change: &Change) -> StoreResult<i64> {
        let id: i64 =
            sqlx::query_scalar("INSERT INTO change_feed (at, body) VALUES (?, ?) RETURNING id")
                .bind(clock::now())
                .bind(encode(change)?)
                .fetch_one(&mut *self.tx)
                .await?;
        self.last_change = Some(id);
        Ok(id)
    }

    async fn client_token(&mut self, operation: &str, token: &str) -> StoreResult<Option<String>> {
        Ok(
            sqlx::query_scalar(
                "SELECT result FROM client_tokens WHERE operation = ? AND token = ?",
            )
            .bind(operation)
            .bind(token)
            .fetch_optional(&mut *self.tx)
            .await?,
        )
    }

    async fn put_client_token(
        &mut self,
        operation: &str,
        token: &str,
        result: &str,
    ) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO client_tokens (operation, token, result, created_at) VALUES (?, ?, ?, ?)",
        )
        .bind(operation)
        .bind(token)
        .bind(result)
        .bind(clock::now())
        .execute(&mut *self.tx)
        .await
        .map_err(|e| unique_violation(e, format!("client token {token}")))?;
        Ok(())
    }

    async fn insert_plan(&mut self, plan: &StoredPlan) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO response_plans (arn, name, body, created_at, updated_at) VALUES (?, ?, ?, ?, ?)",
        )
        .bind(&plan.plan.arn)
        .bind(&plan.plan.name)
        .bind(encode(&plan.plan)?)
        .bind(plan.created_at)
        .bind(plan.updated_at)
        .execute(&mut *self.tx)
        .await
        .map_err(|e| unique_violation(e, format!("response plan {}", plan.plan.name)))?;
        Ok(())
    }

    async fn update_plan(&mut self, plan: &StoredPlan) -> StoreResult<()> {
        sqlx::query("UPDATE response_plans SET body = ?, updated_at = ? WHERE arn = ?")
            .bind(encode(&plan.plan)?)
            .bind(plan.updated_at)
            .bind(&plan.plan.arn)
            .execute(&mut *self.tx)
            .await?;
        Ok(())
    }

    async fn delete_plan(&mut self, arn: &str) -> StoreResult<bool> {
        let done = sqlx::query("DELETE FROM response_plans WHERE arn = ?")
            .bind(arn)
            .execute(&mut *self.tx)
            .await?;
        Ok(done.rows_affected() > 0)
    }

    async fn plan(&mut self, arn: &str) -> StoreResult<Option<StoredPlan>> {
        let row =
            sqlx::query("SELECT body, created_at, updated_at FROM response_plans WHERE arn = ?")
                .bind(arn)
                .fetch_optional(&mut *self.tx)
                .await?;
        row.as_ref().map(plan_from_row).transpose()
    }

    async fn plans(&mut self, offset: i64, limit: i64) -> StoreResult<Vec<StoredPlan>> {
        let rows = sqlx::query(
            "SELECT body, created_at, updated_at FROM response_plans ORDER BY name LIMIT ? OFFSET ?",
        )
        .bind(limit)
        .bind(offset)
        .fetch_all(&mut *self.tx)
        .await?;
        rows.iter().map(plan_from_row).collect()
    }

    async fn insert_incident(&mut self, incident: &StoredIncident) -> StoreResult<()> {
        let r = &incident.record;
        sqlx::query(
            "INSERT INTO incidents (arn, response_plan_arn, status, impact, dedupe_string, creation_time, body) \
             VALUES (?, ?, ?, ?, ?, ?, ?)",
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

    async fn update_incident(&mut self, incident: &StoredIncident) -> StoreResult<()> {
        let r = &incident.record;
        sqlx::query("UPDATE incidents SET status = ?, impact = ?, body = ? WHERE arn = ?")
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

    async fn incident(&mut self, arn: &str) -> StoreResult<Option<StoredIncident>> {
        let row = sqlx::query("SELECT body, response_plan_arn FROM incidents WHERE arn = ?")
            .bind(arn)
            .fetch_optional(&mut *self.tx)
            .await?;
        row.as_ref().map(incident_from_row).transpose()
    }

    async fn open_incident_by_dedupe(
        &mut self,
        dedupe: &str,
    ) -> StoreResult<Option<StoredIncident>> {
        let row = sqlx::query(
            "SELECT body, response_plan_arn FROM incidents WHERE dedupe_string = ? AND status = 'OPEN'",
        )
        .bind(dedupe)
        .fetch_optional(&mut *self.tx)
        .await?;
        row.as_ref().map(incident_from_row).transpose()
    }

    async fn incidents(&mut self, query: &IncidentQuery) -> StoreResult<Vec<StoredIncident>> {
        let mut sql: QueryBuilder<Sqlite> =
            QueryBuilder::new("SELECT body, response_plan_arn FROM incidents WHERE 1 = 1");
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

    async fn insert_timeline_event(&mut self, event: &TimelineEvent) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO timeline_events (event_id, incident_arn, event_time, body) VALUES (?, ?, ?, ?)",
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

    async fn timeline_events(&mut self, incident_arn: &str) -> StoreResult<Vec<TimelineEvent>> {
        let rows: Vec<String> = sqlx::query_scalar(
            "SELECT body FROM timeline_events WHERE incident_arn = ? ORDER BY event_time, seq",
        )
        .bind(incident_arn)
        .fetch_all(&mut *self.tx)
        .await?;
        rows.iter().map(|body| decode(body)).collect()
    }

    async fn latest_timeline_event(
        &mut self,
        incident_arn: &str,
    ) -> StoreResult<Option<TimelineEvent>> {
        let row: Option<String> = sqlx::query_scalar(
            "SELECT body FROM timeline_events WHERE incident_arn = ? ORDER BY event_time DESC, seq DESC LIMIT 1",
        )
        .bind(incident_arn)
        .fetch_optional(&mut *self.tx)
        .await?;
        row.as_deref().map(decode).transpose()
    }

    async fn insert_related_item(
        &mut self,
        incident_arn: &str,
        identity: &str,
        item: &RelatedItem,
    ) -> StoreResult<bool> {
        let done = sqlx::query(
            "INSERT INTO related_items (incident_arn, generated_id, identity, body) VALUES (?, ?, ?, ?) \
             ON CONFLICT (incident_arn, identity) DO NOTHING",
        )
        .bind(incident_arn)
        .bind(item.generated_id.as_deref().unwrap_or_default())
        .bind(identity)
        .bind(encode(item)?)
        .execute(&mut *self.tx)
        .await?;
        Ok(done.rows_affected() > 0)
    }

    async fn related_items(&mut self, incident_arn: &str) -> StoreResult<Vec<RelatedItem>> {
        let rows: Vec<String> = sqlx::query_scalar(
            "SELECT body FROM related_items WHERE incident_arn = ? ORDER BY seq",
        )
        .bind(incident_arn)
        .fetch_all(&mut *self.tx)
        .await?;
        rows.iter().map(|body| decode(body)).collect()
    }

    async fn put_rule(&mut self, rule: &Rule) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO rules (arn, event_bus_name, name, body) VALUES (?, ?, ?, ?) \
             ON CONFLICT (arn) DO UPDATE SET body = excluded.body",
        )
        .bind(&rule.arn)
        .bind(&rule.event_bus_name)
        .bind(&rule.name)
        .bind(encode(rule)?)
        .execute(&mut *self.tx)
        .await?;
        Ok(())
    }

    async fn rule(&mut self, arn: &str) -> StoreResult<Option<Rule>> {
        let row: Option<String> = sqlx::query_scalar("SELECT body FROM rules WHERE arn = ?")
            .bind(arn)
            .fetch_optional(&mut *self.tx)
            .await?;
        row.as_deref().map(decode).transpose()
    }

    async fn rules(
        &mut self,
        event_bus_name: &str,
        prefix: &str,
        offset: i64,
        limit: i64,
    ) -> StoreResult<Vec<Rule>> {
        let rows: Vec<String> = sqlx::query_scalar(
            "SELECT body FROM rules WHERE event_bus_name = ? AND substr(name, 1, length(?)) = ? \
             ORDER BY name LIMIT ? OFFSET ?",
        )
        .bind(event_bus_name)
        .bind(prefix)
        .bind(prefix)
        .bind(limit)
        .bind(offset)
        .fetch_all(&mut *self.tx)
        .await?;
        rows.iter().map(|body| decode(body)).collect()
    }

    async fn delete_rule(&mut self, arn: &str) -> StoreResult<bool> {
        let done = sqlx::query("DELETE FROM rules WHERE arn = ?")
            .bind(arn)
            .execute(&mut *self.tx)
            .await?;
        Ok(done.rows_affected() > 0)
    }

    async fn put_target(&mut self, rule_arn: &str, target: &Target) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO targets (rule_arn, target_id, body) VALUES (?, ?, ?) \
             ON CONFLICT (rule_arn, target_id) DO UPDATE SET body = excluded.body",
        )
        .bind(rule_arn)
        .bind(&target.id)
        .bind(encode(target)?)
        .execute(&mut *self.tx)
        .await?;
        Ok(())
    }

    async fn delete_target(&mut self, rule_arn: &str, target_id: &str) -> StoreResult<bool> {
        let done = sqlx::query("DELETE FROM targets WHERE rule_arn = ? AND target_id = ?")
            .bind(rule_arn)
            .bind(target_id)
            .execute(&mut *self.tx)
            .await?;
        Ok(done.rows_affected() > 0)
    }

    async fn targets(&mut self, rule_arn: &str) -> StoreResult<Vec<Target>> {
        let rows: Vec<String> =
            sqlx::query_scalar("SELECT body FROM targets WHERE rule_arn = ? ORDER BY target_id")
                .bind(rule_arn)
                .fetch_all(&mut *self.tx)
                .await?;
        rows.iter().map(|body| decode(body)).collect()
    }

    async fn all_rules(&mut self) -> StoreResult<Vec<RuleWithTargets>> {
        let rules: Vec<String> = sqlx::query_scalar("SELECT body FROM rules ORDER BY arn")
            .fetch_all(&mut *self.tx)
            .await?;
        let targets =
            sqlx::query("SELECT rule_arn, body FROM targets ORDER BY rule_arn, target_id")
                .fetch_all(&mut *self.tx)
                .await?;
        let mut by_rule: std::collections::HashMap<String, Vec<Target>> = Default::default();
        for row in &targets {
            by_rule
                .entry(row.try_get("rule_arn")?)
                .or_default()
                .push(decode(row.try_get::<&str, _>("body")?)?);
        }
        rules
            .iter()
            .map(|body| {
                let rule: Rule = decode(body)?;
                let targets = by_rule.remove(&rule.arn).unwrap_or_default();
                Ok(RuleWithTargets { rule, targets })
            })
            .collect()
    }

    async fn insert_delivery(&mut self, delivery: &mut Delivery) -> StoreResult<i64> {
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO deliveries (status, next_attempt_at, body) VALUES (?, ?, '{}') RETURNING id",
        )
        .bind(delivery.status.as_str())
        .bind(delivery.created_at)
        .fetch_one(&mut *self.tx)
        .await?;
        delivery.id = id;
        sqlx::query("UPDATE deliveries SET body = ? WHERE id = ?")
            .bind(encode(&*delivery)?)
            .bind(id)
            .execute(&mut *self.tx)
            .await?;
        Ok(id)
    }

    async fn update_delivery(
        &mut self,
        delivery: &Delivery,
        next_attempt_at: f64,
    ) -> StoreResult<()> {
        sqlx::query("UPDATE deliveries SET status = ?, next_attempt_at = ?, body = ? WHERE id = ?")
            .bind(delivery.status.as_str())
            .bind(next_attempt_at)
            .bind(encode(delivery)?)
            .bind(delivery.id)
            .execute(&mut *self.tx)
            .await?;
        Ok(())
    }

    async fn due_deliveries(&mut self, now: f64, limit: i64) -> StoreResult<Vec<Delivery>> {
        let rows: Vec<String> = sqlx::query_scalar(
            "SELECT body FROM deliveries WHERE status = 'PENDING' AND next_attempt_at <= ? \
             ORDER BY next_attempt_at, id LIMIT ?",
        )
        .bind(now)
        .bind(limit)
        .fetch_all(&mut *self.tx)
        .await?;
        rows.iter().map(|body| decode(body)).collect()
    }

    async fn deliveries(
        &mut self,
        status: Option<DeliveryStatus>,
        limit: i64,
    ) -> StoreResult<Vec<Delivery>> {
        let rows: Vec<String> = sqlx::query_scalar(
            "SELECT body FROM deliveries WHERE (?1 IS NULL OR status = ?1) ORDER BY id DESC LIMIT ?2",
        )
        .bind(status.map(DeliveryStatus::as_str))
        .bind(limit)
        .fetch_all(&mut *self.tx)
        .await?;
        rows.iter().map(|body| decode(body)).collect()
    }

    async fn next_delivery_at(&mut self) -> StoreResult<Option<f64>> {
        Ok(sqlx::query_scalar(
            "SELECT MIN(next_attempt_at) FROM deliveries WHERE status = 'PENDING'",
        )
        .fetch_one(&mut *self.tx)
        .await?)
    }

    async fn insert_event(
        &mut self,
        event_id: &str,
        event_bus_name: &str,
        received_at: f64,
        envelope: &str,
    ) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO events (event_id, event_bus_name, received_at, body) VALUES (?, ?, ?, ?)",
        )
        .bind(event_id)
        .bind(event_bus_name)
        .bind(received_at)
        .bind(envelope)
        .execute(&mut *self.tx)
        .await?;
        Ok(())
    }
}
