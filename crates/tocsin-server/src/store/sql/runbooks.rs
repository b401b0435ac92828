//! SQL for both backends: automation documents (versions and heads) and automation executions (state and
//! step executions).

use async_trait::async_trait;
use tocsin_api::ssm::StepExecution;

use super::Tx;
use super::rows::{bodies, body, encode, touched, unique_violation};
use crate::store::{StoreResult, StoredDocumentHead, StoredDocumentVersion, StoredExecution};

#[async_trait]
impl crate::store::DocumentStore for Tx {
    #[tracing::instrument(level = "debug", skip_all)]
    async fn insert_document_version(
        &mut self,
        version: &StoredDocumentVersion,
    ) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO documents (name, version, body, created_at) VALUES ($1, $2, $3, $4)",
        )
        .bind(&version.name)
        .bind(version.version)
        .bind(encode(version)?)
        .bind(version.created_at)
        .execute(&mut *self.tx)
        .await
        .map_err(|e| {
            unique_violation(
                e,
                format!("document {} version {}", version.name, version.version),
            )
        })?;
        Ok(())
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn document_version(
        &mut self,
        name: &str,
        version: i64,
    ) -> StoreResult<Option<StoredDocumentVersion>> {
        body(
            sqlx::query_scalar("SELECT body FROM documents WHERE name = $1 AND version = $2")
                .bind(name)
                .bind(version),
            &mut self.tx,
        )
        .await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn document_versions(&mut self, name: &str) -> StoreResult<Vec<StoredDocumentVersion>> {
        bodies(
            sqlx::query_scalar("SELECT body FROM documents WHERE name = $1 ORDER BY version DESC")
                .bind(name),
            &mut self.tx,
        )
        .await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn put_document_head(&mut self, head: &StoredDocumentHead) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO document_heads (name, default_version, latest_version, created_at, body) \
             VALUES ($1, $2, $3, $4, $5) ON CONFLICT (name) DO UPDATE SET \
             default_version = $2, latest_version = $3, body = $5",
        )
        .bind(&head.name)
        .bind(head.default_version)
        .bind(head.latest_version)
        .bind(head.created_at)
        .bind(encode(head)?)
        .execute(&mut *self.tx)
        .await?;
        Ok(())
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn document_head(&mut self, name: &str) -> StoreResult<Option<StoredDocumentHead>> {
        body(
            sqlx::query_scalar("SELECT body FROM document_heads WHERE name = $1").bind(name),
            &mut self.tx,
        )
        .await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn document_heads(&mut self) -> StoreResult<Vec<StoredDocumentHead>> {
        bodies(
            sqlx::query_scalar("SELECT body FROM document_heads ORDER BY name"),
            &mut self.tx,
        )
        .await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn delete_document(&mut self, name: &str) -> StoreResult<bool> {
        sqlx::query("DELETE FROM documents WHERE name = $1")
            .bind(name)
            .execute(&mut *self.tx)
            .await?;
        touched(
            sqlx::query("DELETE FROM document_heads WHERE name = $1").bind(name),
            &mut self.tx,
        )
        .await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn delete_document_version(&mut self, name: &str, version: i64) -> StoreResult<bool> {
        touched(
            sqlx::query("DELETE FROM documents WHERE name = $1 AND version = $2")
                .bind(name)
                .bind(version),
            &mut self.tx,
        )
        .await
    }
}

#[async_trait]
impl crate::store::AutomationStore for Tx {
    #[tracing::instrument(level = "debug", skip_all)]
    async fn insert_execution(&mut self, execution: &StoredExecution) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO automation_executions \
             (id, document_name, status, started_at, wake_at, incident_arn, client_token, body) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(&execution.id)
        .bind(&execution.document_name)
        .bind(&execution.status)
        .bind(execution.started_at)
        .bind(execution.wake_at)
        .bind(&execution.incident_arn)
        .bind(&execution.client_token)
        .bind(encode(execution)?)
        .execute(&mut *self.tx)
        .await
        .map_err(|e| unique_violation(e, format!("automation execution {}", execution.id)))?;
        Ok(())
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn update_execution(&mut self, execution: &StoredExecution) -> StoreResult<()> {
        sqlx::query(
            "UPDATE automation_executions SET status = $1, wake_at = $2, body = $3 WHERE id = $4",
        )
        .bind(&execution.status)
        .bind(execution.wake_at)
        .bind(encode(execution)?)
        .bind(&execution.id)
        .execute(&mut *self.tx)
        .await?;
        Ok(())
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn execution(&mut self, id: &str) -> StoreResult<Option<StoredExecution>> {
        body(
            sqlx::query_scalar("SELECT body FROM automation_executions WHERE id = $1").bind(id),
            &mut self.tx,
        )
        .await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn execution_by_token(&mut self, token: &str) -> StoreResult<Option<StoredExecution>> {
        body(
            sqlx::query_scalar("SELECT body FROM automation_executions WHERE client_token = $1")
                .bind(token),
            &mut self.tx,
        )
        .await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn executions(&mut self, offset: i64, limit: i64) -> StoreResult<Vec<StoredExecution>> {
        bodies(
            sqlx::query_scalar(
                "SELECT body FROM automation_executions ORDER BY started_at DESC, id LIMIT $1 OFFSET $2",
            )
            .bind(limit)
            .bind(offset),
            &mut self.tx,
        )
        .await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn executions_for_incident(
        &mut self,
        incident_arn: &str,
    ) -> StoreResult<Vec<StoredExecution>> {
        bodies(
            sqlx::query_scalar(
                "SELECT body FROM automation_executions WHERE incident_arn = $1 ORDER BY started_at, id",
            )
            .bind(incident_arn),
            &mut self.tx,
        )
        .await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn due_executions(&mut self, now: f64, limit: i64) -> StoreResult<Vec<String>> {
        Ok(sqlx::query_scalar(
            "SELECT id FROM automation_executions WHERE wake_at IS NOT NULL AND wake_at <= $1 \
             ORDER BY wake_at LIMIT $2",
        )
        .bind(now)
        .bind(limit)
        .fetch_all(&mut *self.tx)
        .await?)
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn next_execution_wake(&mut self) -> StoreResult<Option<f64>> {
        Ok(sqlx::query_scalar(
            "SELECT MIN(wake_at) FROM automation_executions WHERE wake_at IS NOT NULL",
        )
        .fetch_one(&mut *self.tx)
        .await?)
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn insert_step(
        &mut self,
        execution_id: &str,
        seq: i64,
        step: &StepExecution,
    ) -> StoreResult<()> {
        sqlx::query("INSERT INTO automation_steps (execution_id, seq, body) VALUES ($1, $2, $3)")
            .bind(execution_id)
            .bind(seq)
            .bind(encode(step)?)
            .execute(&mut *self.tx)
            .await
            .map_err(|e| unique_violation(e, format!("step execution {execution_id}/{seq}")))?;
        Ok(())
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn update_step(
        &mut self,
        execution_id: &str,
        seq: i64,
        step: &StepExecution,
    ) -> StoreResult<()> {
        sqlx::query("UPDATE automation_steps SET body = $1 WHERE execution_id = $2 AND seq = $3")
            .bind(encode(step)?)
            .bind(execution_id)
            .bind(seq)
            .execute(&mut *self.tx)
            .await?;
        Ok(())
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn steps(&mut self, execution_id: &str) -> StoreResult<Vec<StepExecution>> {
        bodies(
            sqlx::query_scalar(
                "SELECT body FROM automation_steps WHERE execution_id = $1 ORDER BY seq",
            )
            .bind(execution_id),
            &mut self.tx,
        )
        .await
    }
}
