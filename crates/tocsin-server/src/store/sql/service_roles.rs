//! SQL for both backends: roles assigned to service principals.

use async_trait::async_trait;
use tocsin_api::native::ServiceRole;

use super::Tx;
use super::rows::{bodies, body, encode, touched};
use crate::store::StoreResult;

#[async_trait]
impl crate::store::ServiceRoleStore for Tx {
    #[tracing::instrument(level = "debug", skip_all)]
    async fn put_service_role(&mut self, role: &ServiceRole) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO service_roles (role_arn, body) VALUES ($1, $2) \
             ON CONFLICT (role_arn) DO UPDATE SET body = $2",
        )
        .bind(&role.role_arn)
        .bind(encode(role)?)
        .execute(&mut *self.tx)
        .await?;
        Ok(())
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn service_role(&mut self, role_arn: &str) -> StoreResult<Option<ServiceRole>> {
        body(
            sqlx::query_scalar("SELECT body FROM service_roles WHERE role_arn = $1").bind(role_arn),
            &mut self.tx,
        )
        .await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn service_roles(&mut self) -> StoreResult<Vec<ServiceRole>> {
        bodies(
            sqlx::query_scalar("SELECT body FROM service_roles ORDER BY role_arn"),
            &mut self.tx,
        )
        .await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn delete_service_role(&mut self, role_arn: &str) -> StoreResult<bool> {
        touched(
            sqlx::query("DELETE FROM service_roles WHERE role_arn = $1").bind(role_arn),
            &mut self.tx,
        )
        .await
    }
}
