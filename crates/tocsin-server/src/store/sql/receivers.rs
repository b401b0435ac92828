//! SQL for both backends: receivers, webhook delivery ids, alert sources, silences, heartbeats and
//! maintenance windows with their suppressions.

use async_trait::async_trait;
use sqlx::Row;

use super::Tx;
use super::rows::{bodies, body, decode, encode, touched, unique_violation};
use crate::store::{
    AlertSource, StoreResult, StoredHeartbeat, StoredReceiver, StoredSilence, StoredSuppression,
    StoredWindow,
};

#[async_trait]
impl crate::store::ReceiverStore for Tx {
    #[tracing::instrument(level = "debug", skip_all)]
    async fn insert_receiver(&mut self, r: &StoredReceiver) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO receivers (name, secret_hash, created_at, body) VALUES ($1, $2, $3, $4)",
        )
        .bind(&r.receiver.name)
        .bind(&r.secret_hash)
        .bind(r.receiver.created_at)
        .bind(encode(r)?)
        .execute(&mut *self.tx)
        .await
        .map_err(|e| unique_violation(e, format!("receiver {}", r.receiver.name)))?;
        Ok(())
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn update_receiver(&mut self, r: &StoredReceiver) -> StoreResult<()> {
        sqlx::query("UPDATE receivers SET body = $2 WHERE name = $1")
            .bind(&r.receiver.name)
            .bind(encode(r)?)
            .execute(&mut *self.tx)
            .await?;
        Ok(())
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn receiver(&mut self, name: &str) -> StoreResult<Option<StoredReceiver>> {
        body(
            sqlx::query_scalar("SELECT body FROM receivers WHERE name = $1").bind(name),
            &mut self.tx,
        )
        .await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn receiver_by_secret_hash(&mut self, hash: &str) -> StoreResult<Option<StoredReceiver>> {
        body(
            sqlx::query_scalar("SELECT body FROM receivers WHERE secret_hash = $1").bind(hash),
            &mut self.tx,
        )
        .await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn receivers(&mut self) -> StoreResult<Vec<StoredReceiver>> {
        bodies(
            sqlx::query_scalar("SELECT body FROM receivers ORDER BY name"),
            &mut self.tx,
        )
        .await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn delete_receiver(&mut self, name: &str) -> StoreResult<bool> {
        sqlx::query("DELETE FROM receiver_deliveries WHERE receiver = $1")
            .bind(name)
            .execute(&mut *self.tx)
            .await?;
        touched(
            sqlx::query("DELETE FROM receivers WHERE name = $1").bind(name),
            &mut self.tx,
        )
        .await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn first_delivery(&mut self, receiver: &str, id: &str, at: f64) -> StoreResult<bool> {
        touched(
            sqlx::query(
                "INSERT INTO receiver_deliveries (receiver, delivery_id, received_at) \
                 VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
            )
            .bind(receiver)
            .bind(id)
            .bind(at),
            &mut self.tx,
        )
        .await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn put_alert_source(&mut self, s: &AlertSource) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO alert_sources (source_key, firing, updated_at, body) \
             VALUES ($1, $2, $3, $4) ON CONFLICT (source_key) DO UPDATE SET \
             firing = $2, updated_at = $3, body = $4",
        )
        .bind(&s.source_key)
        .bind(i64::from(s.firing))
        .bind(s.updated_at)
        .bind(encode(s)?)
        .execute(&mut *self.tx)
        .await?;
        sqlx::query("DELETE FROM alert_links WHERE source_key = $1")
            .bind(&s.source_key)
            .execute(&mut *self.tx)
            .await?;
        for arn in &s.incident_arns {
            sqlx::query(
                "INSERT INTO alert_links (source_key, incident_arn) VALUES ($1, $2) \
                 ON CONFLICT DO NOTHING",
            )
            .bind(&s.source_key)
            .bind(arn)
            .execute(&mut *self.tx)
            .await?;
        }
        Ok(())
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn alert_source(&mut self, key: &str) -> StoreResult<Option<AlertSource>> {
        body(
            sqlx::query_scalar("SELECT body FROM alert_sources WHERE source_key = $1").bind(key),
            &mut self.tx,
        )
        .await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn alert_sources_of(&mut self, incident_arn: &str) -> StoreResult<Vec<AlertSource>> {
        bodies(
            sqlx::query_scalar(
                "SELECT s.body FROM alert_sources s JOIN alert_links l \
                 ON l.source_key = s.source_key WHERE l.incident_arn = $1 ORDER BY s.source_key",
            )
            .bind(incident_arn),
            &mut self.tx,
        )
        .await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn put_silence(&mut self, s: &StoredSilence) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO silences (incident_arn, source_key, wake_at, body) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (incident_arn, source_key) DO UPDATE SET wake_at = $3, body = $4",
        )
        .bind(&s.incident_arn)
        .bind(&s.source_key)
        .bind(s.wake_at)
        .bind(encode(s)?)
        .execute(&mut *self.tx)
        .await?;
        Ok(())
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn silences_of(&mut self, incident_arn: &str) -> StoreResult<Vec<StoredSilence>> {
        bodies(
            sqlx::query_scalar(
                "SELECT body FROM silences WHERE incident_arn = $1 ORDER BY source_key",
            )
            .bind(incident_arn),
            &mut self.tx,
        )
        .await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn due_silences(&mut self, now: f64) -> StoreResult<Vec<(String, String)>> {
        let rows = sqlx::query(
            "SELECT incident_arn, source_key FROM silences WHERE wake_at <= $1 \
             ORDER BY wake_at LIMIT 100",
        )
        .bind(now)
        .fetch_all(&mut *self.tx)
        .await?;
        Ok(rows
            .iter()
            .map(|r| (r.get("incident_arn"), r.get("source_key")))
            .collect())
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn silence(
        &mut self,
        incident_arn: &str,
        source_key: &str,
    ) -> StoreResult<Option<StoredSilence>> {
        body(
            sqlx::query_scalar(
                "SELECT body FROM silences WHERE incident_arn = $1 AND source_key = $2",
            )
            .bind(incident_arn)
            .bind(source_key),
            &mut self.tx,
        )
        .await
    }
}

#[async_trait]
impl crate::store::WatchStore for Tx {
    #[tracing::instrument(level = "debug", skip_all)]
    async fn put_heartbeat(&mut self, h: &StoredHeartbeat) -> StoreResult<()> {
        let wake = match h.heartbeat.state {
            tocsin_api::receivers::HeartbeatState::Missed => None,
            _ => h.heartbeat.due_at,
        };
        sqlx::query(
            "INSERT INTO heartbeats (name, wake_at, body) VALUES ($1, $2, $3) \
             ON CONFLICT (name) DO UPDATE SET wake_at = $2, body = $3",
        )
        .bind(&h.heartbeat.name)
        .bind(wake)
        .bind(encode(h)?)
        .execute(&mut *self.tx)
        .await?;
        Ok(())
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn heartbeat(&mut self, name: &str) -> StoreResult<Option<StoredHeartbeat>> {
        body(
            sqlx::query_scalar("SELECT body FROM heartbeats WHERE name = $1").bind(name),
            &mut self.tx,
        )
        .await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn heartbeats(&mut self) -> StoreResult<Vec<StoredHeartbeat>> {
        bodies(
            sqlx::query_scalar("SELECT body FROM heartbeats ORDER BY name"),
            &mut self.tx,
        )
        .await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn delete_heartbeat(&mut self, name: &str) -> StoreResult<bool> {
        touched(
            sqlx::query("DELETE FROM heartbeats WHERE name = $1").bind(name),
            &mut self.tx,
        )
        .await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn due_heartbeats(&mut self, now: f64) -> StoreResult<Vec<String>> {
        Ok(sqlx::query_scalar(
            "SELECT name FROM heartbeats WHERE wake_at <= $1 ORDER BY wake_at LIMIT 100",
        )
        .bind(now)
        .fetch_all(&mut *self.tx)
        .await?)
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn put_window(&mut self, w: &StoredWindow) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO maintenance_windows (id, created_at, wake_at, body) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (id) DO UPDATE SET wake_at = $3, body = $4",
        )
        .bind(&w.window.id)
        .bind(w.window.created_at)
        .bind(w.wake_at)
        .bind(encode(w)?)
        .execute(&mut *self.tx)
        .await?;
        Ok(())
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn window(&mut self, id: &str) -> StoreResult<Option<StoredWindow>> {
        body(
            sqlx::query_scalar("SELECT body FROM maintenance_windows WHERE id = $1").bind(id),
            &mut self.tx,
        )
        .await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn windows(&mut self) -> StoreResult<Vec<StoredWindow>> {
        bodies(
            sqlx::query_scalar("SELECT body FROM maintenance_windows ORDER BY created_at, id"),
            &mut self.tx,
        )
        .await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn delete_window(&mut self, id: &str) -> StoreResult<bool> {
        sqlx::query("DELETE FROM suppressions WHERE window_id = $1")
            .bind(id)
            .execute(&mut *self.tx)
            .await?;
        touched(
            sqlx::query("DELETE FROM maintenance_windows WHERE id = $1").bind(id),
            &mut self.tx,
        )
        .await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn due_windows(&mut self, now: f64) -> StoreResult<Vec<String>> {
        Ok(sqlx::query_scalar(
            "SELECT id FROM maintenance_windows WHERE wake_at <= $1 ORDER BY wake_at LIMIT 100",
        )
        .bind(now)
        .fetch_all(&mut *self.tx)
        .await?)
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn insert_suppression(&mut self, s: &StoredSuppression) -> StoreResult<i64> {
        let id = sqlx::query(
            "INSERT INTO suppressions (window_id, source_key, at, released, body) \
             VALUES ($1, $2, $3, 0, $4) RETURNING id",
        )
        .bind(&s.suppression.window_id)
        .bind(&s.suppression.source_key)
        .bind(s.suppression.at)
        .bind(encode(s)?)
        .fetch_one(&mut *self.tx)
        .await?
        .try_get("id")?;
        Ok(id)
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn update_suppression(
        &mut self,
        id: i64,
        s: &StoredSuppression,
        released: bool,
    ) -> StoreResult<()> {
        sqlx::query("UPDATE suppressions SET released = $2, body = $3 WHERE id = $1")
            .bind(id)
            .bind(i64::from(released))
            .bind(encode(s)?)
            .execute(&mut *self.tx)
            .await?;
        Ok(())
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn suppressions(
        &mut self,
        window_id: &str,
        unreleased_only: bool,
        limit: i64,
    ) -> StoreResult<Vec<(i64, StoredSuppression)>> {
        let rows = sqlx::query(
            "SELECT id, body FROM suppressions WHERE window_id = $1 \
             AND ($2 = 0 OR released = 0) ORDER BY id LIMIT $3",
        )
        .bind(window_id)
        .bind(i64::from(unreleased_only))
        .bind(limit)
        .fetch_all(&mut *self.tx)
        .await?;
        rows.iter()
            .map(|r| Ok((r.get("id"), decode(r.get::<&str, _>("body"))?)))
            .collect()
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn resolve_suppressions(
        &mut self,
        source_key: &str,
        window_id: Option<&str>,
    ) -> StoreResult<()> {
        sqlx::query(&format!(
            "UPDATE suppressions SET body = {} \
             WHERE source_key = $1 AND released = 0 AND ($2 IS NULL OR window_id = $2)",
            super::dialect::SET_RESOLVED
        ))
        .bind(source_key)
        .bind(window_id)
        .execute(&mut *self.tx)
        .await?;
        Ok(())
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn next_watch_wake(&mut self) -> StoreResult<Option<f64>> {
        Ok(sqlx::query_scalar(
            "SELECT MIN(w) FROM (SELECT MIN(wake_at) AS w FROM heartbeats \
             UNION ALL SELECT MIN(wake_at) FROM maintenance_windows \
             UNION ALL SELECT MIN(next_at) FROM rule_schedules) AS due",
        )
        .fetch_one(&mut *self.tx)
        .await?)
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn put_schedule(&mut self, rule_arn: &str, next_at: f64) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO rule_schedules (rule_arn, next_at) VALUES ($1, $2) \
             ON CONFLICT (rule_arn) DO UPDATE SET next_at = $2",
        )
        .bind(rule_arn)
        .bind(next_at)
        .execute(&mut *self.tx)
        .await?;
        Ok(())
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn schedule(&mut self, rule_arn: &str) -> StoreResult<Option<f64>> {
        Ok(
            sqlx::query_scalar("SELECT next_at FROM rule_schedules WHERE rule_arn = $1")
                .bind(rule_arn)
                .fetch_optional(&mut *self.tx)
                .await?,
        )
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn delete_schedule(&mut self, rule_arn: &str) -> StoreResult<()> {
        sqlx::query("DELETE FROM rule_schedules WHERE rule_arn = $1")
            .bind(rule_arn)
            .execute(&mut *self.tx)
            .await?;
        Ok(())
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn due_schedules(&mut self, now: f64) -> StoreResult<Vec<(String, f64)>> {
        Ok(sqlx::query_as(
            "SELECT rule_arn, next_at FROM rule_schedules WHERE next_at <= $1 \
             ORDER BY next_at LIMIT 100",
        )
        .bind(now)
        .fetch_all(&mut *self.tx)
        .await?)
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn next_silence_wake(&mut self) -> StoreResult<Option<f64>> {
        Ok(sqlx::query_scalar("SELECT MIN(wake_at) FROM silences")
            .fetch_one(&mut *self.tx)
            .await?)
    }
}

#[async_trait]
impl crate::store::TagStore for Tx {
    #[tracing::instrument(level = "debug", skip_all)]
    async fn put_tag(&mut self, resource_arn: &str, key: &str, value: &str) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO resource_tags (resource_arn, key, value) VALUES ($1, $2, $3) \
             ON CONFLICT (resource_arn, key) DO UPDATE SET value = $3",
        )
        .bind(resource_arn)
        .bind(key)
        .bind(value)
        .execute(&mut *self.tx)
        .await?;
        Ok(())
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn delete_tag(&mut self, resource_arn: &str, key: &str) -> StoreResult<()> {
        sqlx::query("DELETE FROM resource_tags WHERE resource_arn = $1 AND key = $2")
            .bind(resource_arn)
            .bind(key)
            .execute(&mut *self.tx)
            .await?;
        Ok(())
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn tags(&mut self, resource_arn: &str) -> StoreResult<Vec<(String, String)>> {
        Ok(sqlx::query_as(
            "SELECT key, value FROM resource_tags WHERE resource_arn = $1 ORDER BY key",
        )
        .bind(resource_arn)
        .fetch_all(&mut *self.tx)
        .await?)
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn delete_tags(&mut self, resource_arn: &str) -> StoreResult<()> {
        sqlx::query("DELETE FROM resource_tags WHERE resource_arn = $1")
            .bind(resource_arn)
            .execute(&mut *self.tx)
            .await?;
        Ok(())
    }
}

#[async_trait]
impl crate::store::ReplicationStore for Tx {
    #[tracing::instrument(level = "debug", skip_all)]
    async fn put_replication_set(
        &mut self,
        set: &tocsin_api::replication::ReplicationSet,
    ) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO replication_sets (arn, body) VALUES ($1, $2) \
             ON CONFLICT (arn) DO UPDATE SET body = $2",
        )
        .bind(&set.arn)
        .bind(encode(set)?)
        .execute(&mut *self.tx)
        .await?;
        Ok(())
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn replication_sets(
        &mut self,
    ) -> StoreResult<Vec<tocsin_api::replication::ReplicationSet>> {
        bodies(
            sqlx::query_scalar("SELECT body FROM replication_sets ORDER BY arn"),
            &mut self.tx,
        )
        .await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn delete_replication_set(&mut self, arn: &str) -> StoreResult<bool> {
        touched(
            sqlx::query("DELETE FROM replication_sets WHERE arn = $1").bind(arn),
            &mut self.tx,
        )
        .await
    }
}

#[async_trait]
impl crate::store::PolicyStore for Tx {
    #[tracing::instrument(level = "debug", skip_all)]
    async fn put_policy(
        &mut self,
        policy_id: &str,
        resource_arn: &str,
        document: &str,
        at: f64,
    ) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO resource_policies (policy_id, resource_arn, created_at, document) \
             VALUES ($1, $2, $3, $4) ON CONFLICT (policy_id) DO UPDATE SET document = $4",
        )
        .bind(policy_id)
        .bind(resource_arn)
        .bind(at)
        .bind(document)
        .execute(&mut *self.tx)
        .await?;
        Ok(())
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn policies(&mut self, resource_arn: &str) -> StoreResult<Vec<(String, String)>> {
        Ok(sqlx::query_as(
            "SELECT policy_id, document FROM resource_policies WHERE resource_arn = $1 \
             ORDER BY created_at, policy_id",
        )
        .bind(resource_arn)
        .fetch_all(&mut *self.tx)
        .await?)
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn delete_policy(&mut self, resource_arn: &str, policy_id: &str) -> StoreResult<bool> {
        touched(
            sqlx::query("DELETE FROM resource_policies WHERE resource_arn = $1 AND policy_id = $2")
                .bind(resource_arn)
                .bind(policy_id),
            &mut self.tx,
        )
        .await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn delete_policies(&mut self, resource_arn: &str) -> StoreResult<()> {
        sqlx::query("DELETE FROM resource_policies WHERE resource_arn = $1")
            .bind(resource_arn)
            .execute(&mut *self.tx)
            .await?;
        Ok(())
    }
}

#[async_trait]
impl crate::store::ResourceStore for Tx {
    #[tracing::instrument(level = "debug", skip_all)]
    async fn put_resource(
        &mut self,
        kind: &str,
        name: &str,
        body: &serde_json::Value,
    ) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO aws_resources (kind, name, body) VALUES ($1, $2, $3) \
             ON CONFLICT (kind, name) DO UPDATE SET body = $3",
        )
        .bind(kind)
        .bind(name)
        .bind(encode(body)?)
        .execute(&mut *self.tx)
        .await?;
        Ok(())
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn resource(&mut self, kind: &str, name: &str) -> StoreResult<Option<serde_json::Value>> {
        body(
            sqlx::query_scalar("SELECT body FROM aws_resources WHERE kind = $1 AND name = $2")
                .bind(kind)
                .bind(name),
            &mut self.tx,
        )
        .await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn resources(&mut self, kind: &str, prefix: &str) -> StoreResult<Vec<serde_json::Value>> {
        bodies(
            sqlx::query_scalar(
                "SELECT body FROM aws_resources WHERE kind = $1 \
                 AND substr(name, 1, length($2)) = $2 ORDER BY name",
            )
            .bind(kind)
            .bind(prefix),
            &mut self.tx,
        )
        .await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn delete_resource(&mut self, kind: &str, name: &str) -> StoreResult<bool> {
        touched(
            sqlx::query("DELETE FROM aws_resources WHERE kind = $1 AND name = $2")
                .bind(kind)
                .bind(name),
            &mut self.tx,
        )
        .await
    }
}

#[async_trait]
impl crate::store::ArchiveStore for Tx {
    #[tracing::instrument(level = "debug", skip_all)]
    async fn archive_event(
        &mut self,
        archive: &str,
        at: f64,
        event_id: &str,
        body: &str,
    ) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO archive_events (archive, at, event_id, body) VALUES ($1, $2, $3, $4) \
             ON CONFLICT DO NOTHING",
        )
        .bind(archive)
        .bind(at)
        .bind(event_id)
        .bind(body)
        .execute(&mut *self.tx)
        .await?;
        Ok(())
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn archived_events(
        &mut self,
        archive: &str,
        start: f64,
        end: f64,
        after: Option<(f64, String)>,
        limit: i64,
    ) -> StoreResult<Vec<(f64, String, String)>> {
        let (after_at, after_id) = after.unwrap_or((f64::NEG_INFINITY, String::new()));
        Ok(sqlx::query_as(
            "SELECT at, event_id, body FROM archive_events \
             WHERE archive = $1 AND at >= $2 AND at < $3 \
             AND (at > $4 OR (at = $4 AND event_id > $5)) \
             ORDER BY at, event_id LIMIT $6",
        )
        .bind(archive)
        .bind(start)
        .bind(end)
        .bind(after_at.max(-1e300))
        .bind(after_id)
        .bind(limit)
        .fetch_all(&mut *self.tx)
        .await?)
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn archive_stats(&mut self, archive: &str) -> StoreResult<(i64, i64)> {
        Ok(sqlx::query_as(
            "SELECT COUNT(*), COALESCE(SUM(length(body)), 0) FROM archive_events WHERE archive = $1",
        )
        .bind(archive)
        .fetch_one(&mut *self.tx)
        .await?)
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn expire_archived(
        &mut self,
        archive: &str,
        before: f64,
        limit: i64,
    ) -> StoreResult<u64> {
        Ok(sqlx::query(
            "DELETE FROM archive_events WHERE (archive, at, event_id) IN \
             (SELECT archive, at, event_id FROM archive_events \
             WHERE archive = $1 AND at < $2 ORDER BY at LIMIT $3)",
        )
        .bind(archive)
        .bind(before)
        .bind(limit)
        .execute(&mut *self.tx)
        .await?
        .rows_affected())
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn delete_archived(&mut self, archive: &str) -> StoreResult<()> {
        sqlx::query("DELETE FROM archive_events WHERE archive = $1")
            .bind(archive)
            .execute(&mut *self.tx)
            .await?;
        Ok(())
    }
}
