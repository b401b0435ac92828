//! Rule backtesting (native; no peer has it): a draft event pattern run over the events an
//! archive kept in a time range. It answers how many events would have matched, how many
//! incidents a response plan would have opened from them after deduplication (one per
//! distinct dedupe string: the plan's own, or the rule-and-resources string a rule target
//! derives; incidents are assumed to stay open for the range), a sample of the events that
//! matched, and the nearest misses: events that satisfied the most of the pattern's fields
//! before one failed, each with the deciding field and the reason (`Pattern::explain`).

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::config::ServerConfig;
use crate::domain::error::{ApiError, ApiResult};
use crate::domain::{archives, events, rules, validate};
use crate::store::StoreTx;

/// Most archived events one backtest reads.
pub const MAX_SCANNED: usize = 100_000;
/// Events read per query.
const BATCH: i64 = 1000;
/// Near misses and matched events shown.
const SAMPLE: usize = 10;

/// `POST /v1/rules/backtest`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BacktestRequest {
    /// The archive whose events are replayed in memory.
    pub archive_name: String,
    /// The draft pattern.
    pub event_pattern: String,
    /// Epoch seconds (inclusive); the archive's beginning when absent.
    #[serde(default)]
    pub start_time: Option<f64>,
    /// Epoch seconds (exclusive); now when absent.
    #[serde(default)]
    pub end_time: Option<f64>,
    /// The plan the rule would target (its dedupe string decides the incident count).
    #[serde(default)]
    pub response_plan_arn: Option<String>,
    /// The rule name the draft would have (part of the derived dedupe string).
    #[serde(default)]
    pub rule_name: Option<String>,
}

/// Runs a backtest. Answers `{scanned, matched, incidents, truncated, matchedSample:
/// [event], nearMisses: [event + {field, reason, fieldsPassed, fieldsTotal}]}`, each event
/// as `{eventId, time, source, detailType}`.
///
/// Errors: `ValidationException` (times, names), `InvalidEventPatternException`,
/// `ResourceNotFoundException` (the archive or the plan).
pub async fn run(
    tx: &mut dyn StoreTx,
    config: &ServerConfig,
    req: BacktestRequest,
    now: f64,
) -> ApiResult<Value> {
    let pattern = rules::parse_pattern(&req.event_pattern)?;
    let archive = archives::archive(tx, &req.archive_name)
        .await?
        .ok_or_else(|| {
            ApiError::NotFound(format!("Archive {} does not exist.", req.archive_name))
        })?;
    let start = req.start_time.unwrap_or(0.0);
    let end = req.end_time.unwrap_or(now + 1.0);
    if start >= end {
        return Err(ApiError::Validation(
            "startTime must be before endTime.".into(),
        ));
    }
    let plan_dedupe = match &req.response_plan_arn {
        Some(arn) => {
            let plan = tx.plan(arn).await?.ok_or_else(|| {
                ApiError::NotFound(format!("Response plan {arn} does not exist."))
            })?;
            plan.plan
                .incident_template
                .dedupe_string
                .filter(|d| !d.is_empty())
        }
        None => None,
    };
    let rule_name = req.rule_name.as_deref().unwrap_or("backtest");
    validate::name("ruleName", rule_name, 64, ".-_", "[\\.\\-_A-Za-z0-9]+")?;
    let rule_arn = crate::domain::arns::rule(
        &config.region,
        &config.account_id,
        &archive.event_bus_name,
        rule_name,
    );
    let summary = |id: &str, e: &Value| {
        json!({
            "eventId": id,
            "time": e["time"],
            "source": e["source"],
            "detailType": e["detail-type"],
        })
    };
    let (mut scanned, mut matched) = (0usize, 0usize);
    let mut dedupes = std::collections::BTreeSet::new();
    let mut sample = Vec::new();
    let mut near: Vec<(f64, usize, Value)> = Vec::new();
    let mut cursor = None;
    let mut truncated = false;
    loop {
        let page = tx
            .archived_events(&archive.name, start, end, cursor.clone(), BATCH)
            .await?;
        for (_, id, body) in &page {
            if scanned == MAX_SCANNED {
                truncated = true;
                break;
            }
            scanned += 1;
            let Ok(event) = serde_json::from_str::<Value>(body) else {
                continue;
            };
            let why = pattern.explain(&event);
            if why.matched {
                matched += 1;
                dedupes.insert(
                    plan_dedupe
                        .clone()
                        .unwrap_or_else(|| events::derived_dedupe(&rule_arn, &event)),
                );
                if sample.len() < SAMPLE {
                    sample.push(summary(id, &event));
                }
            } else if why.fields_passed > 0 {
                let closeness = why.fields_passed as f64 / why.fields_total.max(1) as f64;
                let mut entry = summary(id, &event);
                entry["field"] = json!(why.deciding_field);
                entry["reason"] = json!(why.reason);
                entry["fieldsPassed"] = json!(why.fields_passed);
                entry["fieldsTotal"] = json!(why.fields_total);
                near.push((closeness, scanned, entry));
                if near.len() > 4 * SAMPLE {
                    near.sort_by(|a, b| b.0.total_cmp(&a.0).then(b.1.cmp(&a.1)));
                    near.truncate(SAMPLE);
                }
            }
        }
        if truncated || (page.len() as i64) < BATCH {
            break;
        }
        cursor = page.last().map(|(at, id, _)| (*at, id.clone()));
    }
    near.sort_by(|a, b| b.0.total_cmp(&a.0).then(b.1.cmp(&a.1)));
    near.truncate(SAMPLE);
    Ok(json!({
        "scanned": scanned,
        "matched": matched,
        "incidents": dedupes.len(),
        "truncated": truncated,
        "matchedSample": sample,
        "nearMisses": near.into_iter().map(|(_, _, e)| e).collect::<Vec<_>>(),
    }))
}
