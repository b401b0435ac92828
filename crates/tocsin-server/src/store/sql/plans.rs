//! SQL for both backends: response plans.

use async_trait::async_trait;

use super::Tx;
use super::rows::{encode, plan_from_row, touched, unique_violation};
use crate::store::{StoreResult, StoredPlan};

#[async_trait]
impl crate::store::PlanStore for Tx {
    #[tracing::instrument(level = "debug", skip_all)]
    async fn insert_plan(&mut self, plan: &StoredPlan) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO response_plans (arn, name, body, created_at, updated_at) VALUES ($1, $2, $3, $4, $5)",
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

    #[tracing::instrument(level = "debug", skip_all)]
    async fn update_plan(&mut self, plan: &StoredPlan) -> StoreResult<()> {
        sqlx::query("UPDATE response_plans SET body = $1, updated_at = $2 WHERE arn = $3")
            .bind(encode(&plan.plan)?)
            .bind(plan.updated_at)
            .bind(&plan.plan.arn)
            .execute(&mut *self.tx)
            .await?;
        Ok(())
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn delete_plan(&mut self, arn: &str) -> StoreResult<bool> {
        touched(
            sqlx::query("DELETE FROM response_plans WHERE arn = $1").bind(arn),
            &mut self.tx,
        )
        .await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn plan(&mut self, arn: &str) -> StoreResult<Option<StoredPlan>> {
        let row =
            sqlx::query("SELECT body, created_at, updated_at FROM response_plans WHERE arn = $1")
                .bind(arn)
                .fetch_optional(&mut *self.tx)
                .await?;
        row.as_ref().map(plan_from_row).transpose()
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn plans(&mut self, offset: i64, limit: i64) -> StoreResult<Vec<StoredPlan>> {
        let rows = sqlx::query(
            "SELECT body, created_at, updated_at FROM response_plans ORDER BY name LIMIT $1 OFFSET $2",
        )
        .bind(limit)
        .bind(offset)
        .fetch_all(&mut *self.tx)
        .await?;
        rows.iter().map(plan_from_row).collect()
    }
}
