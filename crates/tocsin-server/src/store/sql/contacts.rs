//! SQL for both backends: contacts and contact channels.

use async_trait::async_trait;

use super::Tx;
use super::rows::{bodies, body, encode, touched};
use tocsin_api::native::Acknowledgement;

use crate::store::{
    DueEscalations, StoreResult, StoredChannel, StoredContact, StoredEngagement, StoredPage,
};

#[async_trait]
impl crate::store::ContactStore for Tx {
    #[tracing::instrument(level = "debug", skip_all)]
    async fn put_contact(&mut self, c: &StoredContact) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO contacts (arn, created_at, body) VALUES ($1, $2, $3) \
             ON CONFLICT (arn) DO UPDATE SET body = $3",
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
            sqlx::query_scalar("SELECT body FROM contacts WHERE arn = $1").bind(arn),
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
        sqlx::query("DELETE FROM contact_channels WHERE contact_arn = $1")
            .bind(arn)
            .execute(&mut *self.tx)
            .await?;
        touched(
            sqlx::query("DELETE FROM contacts WHERE arn = $1").bind(arn),
            &mut self.tx,
        )
        .await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn put_channel(&mut self, c: &StoredChannel) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO contact_channels (arn, contact_arn, created_at, body) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (arn) DO UPDATE SET body = $4",
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
            sqlx::query_scalar("SELECT body FROM contact_channels WHERE arn = $1").bind(arn),
            &mut self.tx,
        )
        .await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn channels(&mut self, contact_arn: &str) -> StoreResult<Vec<StoredChannel>> {
        bodies(
            sqlx::query_scalar(
                "SELECT body FROM contact_channels WHERE contact_arn = $1 ORDER BY created_at, arn",
            )
            .bind(contact_arn),
            &mut self.tx,
        )
        .await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn delete_channel(&mut self, arn: &str) -> StoreResult<bool> {
        touched(
            sqlx::query("DELETE FROM contact_channels WHERE arn = $1").bind(arn),
            &mut self.tx,
        )
        .await
    }
}

#[async_trait]
impl crate::store::EngagementStore for Tx {
    #[tracing::instrument(level = "debug", skip_all)]
    async fn put_engagement(&mut self, e: &StoredEngagement) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO engagements (arn, incident_id, started_at, wake_at, body) VALUES ($1, $2, $3, $4, $5) \
             ON CONFLICT (arn) DO UPDATE SET wake_at = $4, body = $5",
        )
        .bind(&e.engagement.engagement_arn)
        .bind(&e.engagement.incident_id)
        .bind(e.engagement.start_time.unwrap_or_default())
        .bind(e.wake_at)
        .bind(encode(e)?)
        .execute(&mut *self.tx)
        .await?;
        Ok(())
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn engagement(&mut self, arn: &str) -> StoreResult<Option<StoredEngagement>> {
        body(
            sqlx::query_scalar("SELECT body FROM engagements WHERE arn = $1").bind(arn),
            &mut self.tx,
        )
        .await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn engagements(
        &mut self,
        incident_id: Option<&str>,
    ) -> StoreResult<Vec<StoredEngagement>> {
        match incident_id {
            Some(id) => {
                bodies(
                    sqlx::query_scalar(
                        "SELECT body FROM engagements WHERE incident_id = $1 ORDER BY started_at DESC, arn",
                    )
                    .bind(id),
                    &mut self.tx,
                )
                .await
            }
            None => {
                bodies(
                    sqlx::query_scalar("SELECT body FROM engagements ORDER BY started_at DESC, arn"),
                    &mut self.tx,
                )
                .await
            }
        }
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn put_page(&mut self, p: &StoredPage) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO pages (arn, engagement_arn, contact_arn, sent_at, wake_at, body) VALUES ($1, $2, $3, $4, $5, $6) \
             ON CONFLICT (arn) DO UPDATE SET wake_at = $5, body = $6",
        )
        .bind(&p.page.page_arn)
        .bind(&p.page.engagement_arn)
        .bind(&p.page.contact_arn)
        .bind(p.page.sent_time.unwrap_or_default())
        .bind(p.wake_at)
        .bind(encode(p)?)
        .execute(&mut *self.tx)
        .await?;
        Ok(())
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn page(&mut self, arn: &str) -> StoreResult<Option<StoredPage>> {
        body(
            sqlx::query_scalar("SELECT body FROM pages WHERE arn = $1").bind(arn),
            &mut self.tx,
        )
        .await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn pages_by_engagement(&mut self, engagement_arn: &str) -> StoreResult<Vec<StoredPage>> {
        bodies(
            sqlx::query_scalar(
                "SELECT body FROM pages WHERE engagement_arn = $1 ORDER BY sent_at, arn",
            )
            .bind(engagement_arn),
            &mut self.tx,
        )
        .await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn pages_by_contact(&mut self, contact_arn: &str) -> StoreResult<Vec<StoredPage>> {
        bodies(
            sqlx::query_scalar(
                "SELECT body FROM pages WHERE contact_arn = $1 ORDER BY sent_at, arn",
            )
            .bind(contact_arn),
            &mut self.tx,
        )
        .await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn due_escalations(&mut self, now: f64) -> StoreResult<DueEscalations> {
        let mut due = DueEscalations::default();
        for (table, key, out) in [
            ("engagements", "arn", &mut due.engagements),
            ("pages", "arn", &mut due.pages),
            (
                "acknowledgements",
                "incident_arn",
                &mut due.acknowledgements,
            ),
        ] {
            *out = sqlx::query_scalar(&format!(
                "SELECT {key} FROM {table} WHERE wake_at IS NOT NULL AND wake_at <= $1 ORDER BY wake_at LIMIT 100"
            ))
            .bind(now)
            .fetch_all(&mut *self.tx)
            .await?;
        }
        Ok(due)
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn put_acknowledgement(
        &mut self,
        incident_arn: &str,
        ack: &Acknowledgement,
    ) -> StoreResult<()> {
        let wake = if ack.lapsed { None } else { ack.until };
        sqlx::query(
            "INSERT INTO acknowledgements (incident_arn, wake_at, body) VALUES ($1, $2, $3) \
             ON CONFLICT (incident_arn) DO UPDATE SET wake_at = $2, body = $3",
        )
        .bind(incident_arn)
        .bind(wake)
        .bind(encode(ack)?)
        .execute(&mut *self.tx)
        .await?;
        Ok(())
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn acknowledgement(
        &mut self,
        incident_arn: &str,
    ) -> StoreResult<Option<Acknowledgement>> {
        body(
            sqlx::query_scalar("SELECT body FROM acknowledgements WHERE incident_arn = $1")
                .bind(incident_arn),
            &mut self.tx,
        )
        .await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn next_escalation_at(&mut self) -> StoreResult<Option<f64>> {
        Ok(sqlx::query_scalar(
            "SELECT MIN(w) FROM (SELECT MIN(wake_at) AS w FROM engagements WHERE wake_at IS NOT NULL \
             UNION ALL SELECT MIN(wake_at) FROM pages WHERE wake_at IS NOT NULL \
             UNION ALL SELECT MIN(wake_at) FROM acknowledgements WHERE wake_at IS NOT NULL) AS due",
        )
        .fetch_one(&mut *self.tx)
        .await?)
    }
}
