//! SQL for both backends: access keys and server facts.

use async_trait::async_trait;
use sqlx::Row;
use tocsin_api::auth::{AccessKey, Role};

use super::Tx;
use super::rows::{touched, unique_violation};
use crate::store::{StoreError, StoreResult, StoredKey};

const KEY_COLUMNS: &str = "access_key_id, name, role, created_at, last_used_at, enabled";

fn key_from_row(row: &super::DbRow) -> StoreResult<AccessKey> {
    let role: String = row.try_get("role")?;
    Ok(AccessKey {
        access_key_id: row.try_get("access_key_id")?,
        name: row.try_get("name")?,
        role: Role::parse(&role)
            .ok_or_else(|| StoreError::Corrupt(format!("unknown role {role}")))?,
        created_at: row.try_get("created_at")?,
        last_used_at: row.try_get("last_used_at")?,
        enabled: row.try_get::<i64, _>("enabled")? != 0,
    })
}

#[async_trait]
impl crate::store::KeyStore for Tx {
    #[tracing::instrument(level = "debug", skip_all)]
    async fn insert_key(&mut self, key: &StoredKey) -> StoreResult<()> {
        let k = &key.key;
        sqlx::query(
            "INSERT INTO access_keys (access_key_id, name, role, secret_nonce, secret_sealed, created_at, last_used_at, enabled) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(&k.access_key_id)
        .bind(&k.name)
        .bind(k.role.as_str())
        .bind(&key.nonce)
        .bind(&key.sealed)
        .bind(k.created_at)
        .bind(k.last_used_at)
        .bind(i64::from(k.enabled))
        .execute(&mut *self.tx)
        .await
        .map_err(|e| unique_violation(e, format!("access key {}", k.access_key_id)))?;
        Ok(())
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn key(&mut self, access_key_id: &str) -> StoreResult<Option<StoredKey>> {
        let row = sqlx::query(&format!(
            "SELECT {KEY_COLUMNS}, secret_nonce, secret_sealed FROM access_keys WHERE access_key_id = $1"
        ))
        .bind(access_key_id)
        .fetch_optional(&mut *self.tx)
        .await?;
        row.map(|row| {
            Ok(StoredKey {
                key: key_from_row(&row)?,
                nonce: row.try_get("secret_nonce")?,
                sealed: row.try_get("secret_sealed")?,
            })
        })
        .transpose()
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn keys(&mut self) -> StoreResult<Vec<AccessKey>> {
        let rows = sqlx::query(&format!(
            "SELECT {KEY_COLUMNS} FROM access_keys ORDER BY created_at, access_key_id"
        ))
        .fetch_all(&mut *self.tx)
        .await?;
        rows.iter().map(key_from_row).collect()
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn set_key_enabled(&mut self, access_key_id: &str, enabled: bool) -> StoreResult<bool> {
        touched(
            sqlx::query("UPDATE access_keys SET enabled = $1 WHERE access_key_id = $2")
                .bind(i64::from(enabled))
                .bind(access_key_id),
            &mut self.tx,
        )
        .await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn touch_key(&mut self, access_key_id: &str, at: f64) -> StoreResult<()> {
        sqlx::query("UPDATE access_keys SET last_used_at = $1 WHERE access_key_id = $2")
            .bind(at)
            .bind(access_key_id)
            .execute(&mut *self.tx)
            .await?;
        Ok(())
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn delete_key(&mut self, access_key_id: &str) -> StoreResult<bool> {
        touched(
            sqlx::query("DELETE FROM access_keys WHERE access_key_id = $1").bind(access_key_id),
            &mut self.tx,
        )
        .await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn meta(&mut self, name: &str) -> StoreResult<Option<String>> {
        Ok(
            sqlx::query_scalar("SELECT value FROM server_meta WHERE name = $1")
                .bind(name)
                .fetch_optional(&mut *self.tx)
                .await?,
        )
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn set_meta(&mut self, name: &str, value: &str) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO server_meta (name, value) VALUES ($1, $2) \
             ON CONFLICT (name) DO UPDATE SET value = excluded.value",
        )
        .bind(name)
        .bind(value)
        .execute(&mut *self.tx)
        .await?;
        Ok(())
    }
}
