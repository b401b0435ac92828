//! Tocsin watches itself: a delivery that dead-letters (an HTTP target's, a notification's
//! or a page's) opens an incident from the built-in response plan
//! [`PLAN_NAME`] ("Tocsin delivery failure"), in the same transaction as the outcome, so a
//! paging failure cannot go unnoticed. Failures of one target or subscription merge into
//! one open incident (dedupe string `tocsin-delivery-failure/<kind>/<name>`), each adding
//! a `Trigger Deduplicated` timeline entry.
//!
//! The plan is an ordinary response plan named `tocsin-delivery-failure`, editable like
//! any other (add its chat channel, engagements or runbooks); create it yourself to set it
//! up before anything fails, or Tocsin creates it with the first dead letter
//! ([`ensure_plan`]). A failure of a notification about an incident opened from this plan
//! itself does not open another (no loop).

use serde_json::json;
use tocsin_api::incidents::TriggerDetails;

use crate::clock;
use crate::config::ServerConfig;
use crate::domain::error::ApiResult;
use crate::domain::incidents::{self, NewIncident};
use crate::store::{StoreResult, StoreTx};

/// Name of the built-in plan.
pub const PLAN_NAME: &str = "tocsin-delivery-failure";

/// The plan's display name and incident title prefix.
pub const DISPLAY_NAME: &str = "Tocsin delivery failure";

/// The ARN of the built-in plan in `config`'s account.
pub fn plan_arn(config: &ServerConfig) -> String {
    tocsin_api::arn::response_plan(&config.account_id, PLAN_NAME)
}

/// Creates the built-in plan in `tx` when no plan has its name. Returns whether it did.
///
/// Errors: the store's.
pub async fn ensure_plan(tx: &mut dyn StoreTx, config: &ServerConfig) -> StoreResult<bool> {
    let arn = plan_arn(config);
    if tx.plan(&arn).await?.is_some() {
        return Ok(false);
    }
    crate::domain::plans::insert_simple_plan(
        tx,
        &arn,
        PLAN_NAME,
        DISPLAY_NAME,
        (
            DISPLAY_NAME,
            2,
            "Built in: Tocsin opens this incident when one of its own deliveries (an HTTP target, a notification or a page) is given up. The timeline names the delivery and the reason. Edit this plan to tell someone.",
        ),
    )
    .await?;
    Ok(true)
}

/// One dead letter.
#[derive(Debug, Clone)]
pub struct DeadLetter<'a> {
    /// `target`, or the notification's kind (`Notification`, `page`, …).
    pub kind: &'a str,
    /// What it was for: the rule and target id, or the subscription or contact channel.
    pub name: &'a str,
    /// The delivery's id in its outbox.
    pub id: i64,
    /// Why it was given up.
    pub reason: &'a str,
    /// The incident the failed notification was about, if any.
    pub incident_arn: Option<&'a str>,
}

/// Opens (or merges into) the "Tocsin delivery failure" incident for a dead letter, in
/// `tx`, creating the plan first when it does not exist. Nothing happens when the dead
/// letter was itself about an incident of that plan.
///
/// Errors: the store's, or the incident engine's.
pub async fn dead_letter(
    tx: &mut dyn StoreTx,
    config: &ServerConfig,
    letter: DeadLetter<'_>,
) -> ApiResult<()> {
    let arn = plan_arn(config);
    ensure_plan(tx, config).await?;
    if let Some(incident) = letter.incident_arn
        && let Some(stored) = tx.incident(incident).await?
        && stored.response_plan_arn == arn
    {
        return Ok(());
    }
    let now = clock::now();
    let name: String = letter.name.chars().take(200).collect();
    let new = NewIncident {
        response_plan_arn: arn,
        title: Some(
            format!("{DISPLAY_NAME}: {} {name}", letter.kind)
                .chars()
                .take(200)
                .collect(),
        ),
        impact: None,
        summary: None,
        trigger: TriggerDetails {
            source: "tocsin".into(),
            timestamp: now,
            trigger_arn: None,
            raw_data: Some(
                json!({
                    "kind": letter.kind,
                    "name": name,
                    "deliveryId": letter.id,
                    "reason": letter.reason.chars().take(1000).collect::<String>(),
                    "incidentArn": letter.incident_arn,
                })
                .to_string(),
            ),
        },
        related_items: Vec::new(),
        fallback_dedupe: Some(format!("{PLAN_NAME}/{}/{name}", letter.kind)),
        client_token: None,
        created_by: format!("arn:aws:iam::{}:role/tocsin-self-watch", config.account_id),
        invoked_by: Some("tocsin".into()),
    };
    let outcome = incidents::start_incident(tx, config, new).await?;
    tracing::warn!(
        kind = letter.kind,
        name = letter.name,
        reason = letter.reason,
        incident = outcome.arn(),
        "a delivery was given up: self-watching incident"
    );
    Ok(())
}
