//! SQL for both backends: rules and targets.

use async_trait::async_trait;
use sqlx::Row;
use tocsin_api::events::{Rule, Target};

use super::Tx;
use super::rows::{bodies, body, decode, encode, touched};
use crate::store::{RuleWithTargets, StoreResult};

#[async_trait]
impl crate::store::RuleStore for Tx {
    #[tracing::instrument(level = "debug", skip_all)]
    async fn put_rule(&mut self, rule: &Rule) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO rules (arn, event_bus_name, name, body) VALUES ($1, $2, $3, $4) \
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

    #[tracing::instrument(level = "debug", skip_all)]
    async fn rule(&mut self, arn: &str) -> StoreResult<Option<Rule>> {
        body(
            sqlx::query_scalar("SELECT body FROM rules WHERE arn = $1").bind(arn),
            &mut self.tx,
        )
        .await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn rules(
        &mut self,
        event_bus_name: &str,
        prefix: &str,
        offset: i64,
        limit: i64,
    ) -> StoreResult<Vec<Rule>> {
        bodies(sqlx::query_scalar(
            "SELECT body FROM rules WHERE event_bus_name = $1 AND substr(name, 1, length($2)) = $3 \
             ORDER BY name LIMIT $4 OFFSET $5",
        )
        .bind(event_bus_name)
        .bind(prefix)
        .bind(prefix)
        .bind(limit)
        .bind(offset), &mut self.tx).await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn rule_count(&mut self, event_bus_name: &str) -> StoreResult<i64> {
        Ok(
            sqlx::query_scalar("SELECT COUNT(*) FROM rules WHERE event_bus_name = $1")
                .bind(event_bus_name)
                .fetch_one(&mut *self.tx)
                .await?,
        )
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn delete_rule(&mut self, arn: &str) -> StoreResult<bool> {
        touched(
            sqlx::query("DELETE FROM rules WHERE arn = $1").bind(arn),
            &mut self.tx,
        )
        .await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn put_target(&mut self, rule_arn: &str, target: &Target) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO targets (rule_arn, target_id, body) VALUES ($1, $2, $3) \
             ON CONFLICT (rule_arn, target_id) DO UPDATE SET body = excluded.body",
        )
        .bind(rule_arn)
        .bind(&target.id)
        .bind(encode(target)?)
        .execute(&mut *self.tx)
        .await?;
        Ok(())
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn delete_target(&mut self, rule_arn: &str, target_id: &str) -> StoreResult<bool> {
        touched(
            sqlx::query("DELETE FROM targets WHERE rule_arn = $1 AND target_id = $2")
                .bind(rule_arn)
                .bind(target_id),
            &mut self.tx,
        )
        .await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn targets(&mut self, rule_arn: &str) -> StoreResult<Vec<Target>> {
        bodies(
            sqlx::query_scalar("SELECT body FROM targets WHERE rule_arn = $1 ORDER BY target_id")
                .bind(rule_arn),
            &mut self.tx,
        )
        .await
    }

    #[tracing::instrument(level = "debug", skip_all)]
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
}
