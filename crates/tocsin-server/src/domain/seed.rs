//! `tocsin serve --seed-example`: one clearly labelled example response plan and rule
//! (CloudWatch alarm → plan), written only into an empty database.

use tocsin_api::events::{Rule, RuleState, Target};
use tocsin_api::native::Change;

use crate::config::ServerConfig;
use crate::domain::arns;
use crate::store::{Store, StoreResult};

/// Name of the example response plan and rule.
pub const EXAMPLE_NAME: &str = "example-cloudwatch-alarm";

/// The example rule's pattern: any CloudWatch alarm entering ALARM.
pub const EXAMPLE_PATTERN: &str = r#"{"source":["aws.cloudwatch"],"detail-type":["CloudWatch Alarm State Change"],"detail":{"state":{"value":["ALARM"]}}}"#;

/// Seeds the example if the database has no response plan and no rule. Returns whether it
/// seeded. The matcher worker compiles the rule from its change-feed entry.
pub async fn seed_example(store: &dyn Store, cfg: &ServerConfig) -> StoreResult<bool> {
    let mut tx = store.write().await?;
    if !tx.plans(0, 1).await?.is_empty() || !tx.all_rules().await?.is_empty() {
        return Ok(false);
    }
    let plan_arn = arns::response_plan(&cfg.account_id, EXAMPLE_NAME);
    crate::domain::plans::insert_simple_plan(
        tx.as_mut(),
        &plan_arn,
        EXAMPLE_NAME,
        "EXAMPLE: CloudWatch alarm → incident",
        (
            "EXAMPLE: CloudWatch alarm is firing",
            3,
            "Seeded by `tocsin serve --seed-example`. Delete it when you have your own plans.",
        ),
    )
    .await?;
    let rule_arn = arns::rule(&cfg.region, &cfg.account_id, "default", EXAMPLE_NAME);
    tx.put_rule(&Rule {
        name: EXAMPLE_NAME.into(),
        arn: rule_arn.clone(),
        event_pattern: Some(EXAMPLE_PATTERN.into()),
        schedule_expression: None,
        state: RuleState::Enabled,
        description: Some(
            "EXAMPLE (seeded): CloudWatch alarms entering ALARM open an incident.".into(),
        ),
        role_arn: None,
        event_bus_name: "default".into(),
        created_by: Some(cfg.account_id.clone()),
    })
    .await?;
    tx.put_target(
        &rule_arn,
        &Target {
            id: "example-response-plan".into(),
            arn: plan_arn,
            role_arn: None,
            input: None,
            input_path: None,
            input_transformer: None,
            other: Default::default(),
        },
    )
    .await?;
    tx.append_change(&Change::RuleChanged { arn: rule_arn })
        .await?;
    tx.commit().await?;
    Ok(true)
}
