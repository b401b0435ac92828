//! SQLite: contacts and contact channels.

use async_trait::async_trait;

use super::SqliteTx;
use super::rows::{bodies, body, encode, touched};
use crate::store::{StoreResult, StoredChannel, StoredContact};

#[async_trait]
impl crate::store::ContactStore for SqliteTx {
    #[tracing::instrument(level = "debug", skip_all)]
    async fn put_contact(&mut self, c: &StoredContact) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO contacts (arn, created_at, body) VALUES (?1, ?2, ?3) \
             ON CONFLICT (arn) DO UPDATE SET body = ?3",
        )
        .bind(&c.contact.contact_arn)
        .bind(c.created_at)
        .bind(encode(c)?)
        .execute(&mut *self.tx)
        .await?;
        Ok(())
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn contact(&mut self, arn: &str) -> StoreResult<Option<StoredContact>> {
        body(
            sqlx::query_scalar("SELECT body FROM contacts WHERE arn = ?").bind(arn),
            &mut self.tx,
        )
        .await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn contacts(&mut self) -> StoreResult<Vec<StoredContact>> {
        bodies(
            sqlx::query_scalar("SELECT body FROM contacts ORDER BY arn"),
            &mut self.tx,
        )
        .await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn delete_contact(&mut self, arn: &str) -> StoreResult<bool> {
        sqlx::query("DELETE FROM contact_channels WHERE contact_arn = ?")
            .bind(arn)
            .execute(&mut *self.tx)
            .await?;
        touched(
            sqlx::query("DELETE FROM contacts WHERE arn = ?").bind(arn),
            &mut self.tx,
        )
        .await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn put_channel(&mut self, c: &StoredChannel) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO contact_channels (arn, contact_arn, created_at, body) VALUES (?1, ?2, ?3, ?4) \
             ON CONFLICT (arn) DO UPDATE SET body = ?4",
        )
        .bind(&c.channel.contact_channel_arn)
        .bind(&c.channel.contact_arn)
        .bind(c.created_at)
        .bind(encode(c)?)
        .execute(&mut *self.tx)
        .await?;
        Ok(())
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn channel(&mut self, arn: &str) -> StoreResult<Option<StoredChannel>> {
        body(
            sqlx::query_scalar("SELECT body FROM contact_channels WHERE arn = ?").bind(arn),
            &mut self.tx,
        )
        .await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn channels(&mut self, contact_arn: &str) -> StoreResult<Vec<StoredChannel>> {
        bodies(
            sqlx::query_scalar(
                "SELECT body FROM contact_channels WHERE contact_arn = ? ORDER BY created_at, arn",
            )
            .bind(contact_arn),
            &mut self.tx,
        )
        .await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn delete_channel(&mut self, arn: &str) -> StoreResult<bool> {
        touched(
            sqlx::query("DELETE FROM contact_channels WHERE arn = ?").bind(arn),
            &mut self.tx,
        )
        .await
    }
}
