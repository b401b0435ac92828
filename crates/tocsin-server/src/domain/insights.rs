//! `GET /v1/insights`: how incidents went over the last `days` days
//! ([`tocsin_api::insights::Insights`]), computed from the incident records and their
//! timelines: opened per UTC day by impact, time to first acknowledgement (the first
//! "Incident Acknowledged" or "Page Accepted" entry, as [`crate::domain::views::metrics`])
//! and time to resolve per response plan, the noisiest triggers and plans, and the dedupe
//! ratio (every "Trigger Deduplicated" entry counts its folded `count`).

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, NaiveTime, Utc};
use tocsin_api::insights::{DayCount, Durations, Insights, PlanInsight, TriggerInsight};
use tocsin_api::native::timeline_event_types as kinds;

use crate::domain::error::{ApiError, ApiResult};
use crate::store::{IncidentQuery, StoreTx};
use tocsin_api::arn as arns;

/// Longest period asked for, days.
pub const MAX_DAYS: u32 = 366;
/// Period when none is asked for, days.
pub const DEFAULT_DAYS: u32 = 30;
/// Noisiest triggers listed.
pub const TOP_TRIGGERS: usize = 10;

/// What one incident contributes.
struct Seen {
    plan: String,
    day: usize,
    impact: usize,
    deduplicated: u64,
    tta: Option<f64>,
    ttr: Option<f64>,
    trigger: (String, String),
}

/// The insights of the `days` days ending at `now` (epoch seconds), for one response plan
/// when `plan` is given.
///
/// Errors: `ValidationException` for `days` outside 1..=[`MAX_DAYS`].
pub async fn insights(
    tx: &mut dyn StoreTx,
    days: u32,
    plan: Option<&str>,
    now: f64,
) -> ApiResult<Insights> {
    if !(1..=MAX_DAYS).contains(&days) {
        return Err(ApiError::Validation(format!(
            "days ({days}) must be from 1 to {MAX_DAYS}."
        )));
    }
    let now_t = DateTime::<Utc>::from_timestamp_millis((now * 1000.0) as i64)
        .ok_or_else(|| ApiError::Validation("now is out of range".into()))?;
    let first_day = now_t.date_naive() - Duration::days(i64::from(days) - 1);
    let from = first_day.and_time(NaiveTime::MIN).and_utc().timestamp() as f64;
    let mut per_day: Vec<DayCount> = (0..days)
        .map(|i| DayCount {
            day: (first_day + Duration::days(i64::from(i)))
                .format("%Y-%m-%d")
                .to_string(),
            by_impact: [0; 5],
        })
        .collect();

    let mut seen = Vec::new();
    let period = crate::domain::views::every_incident(
        tx,
        IncidentQuery {
            created_after: Some(from - 0.001),
            created_before: Some(now + 0.001),
            ..Default::default()
        },
    )
    .await?;
    for stored in period {
        if plan.is_some_and(|p| p != stored.response_plan_arn) {
            continue;
        }
        let record = &stored.record;
        let timeline = tx.timeline_events(&record.arn).await?;
        let metrics = crate::domain::views::metrics(record, &timeline);
        let deduplicated = timeline
            .iter()
            .filter(|e| e.event_type == kinds::TRIGGER_DEDUPLICATED)
            .map(|e| {
                serde_json::from_str::<serde_json::Value>(&e.event_data)
                    .ok()
                    .and_then(|d| d["count"].as_u64())
                    .unwrap_or(1)
            })
            .sum();
        let source = &record.incident_record_source;
        let trigger = source
            .resource_arn
            .clone()
            .filter(|a| !a.is_empty())
            .unwrap_or_else(|| source.source.clone());
        seen.push(Seen {
            plan: stored.response_plan_arn.clone(),
            day: (((record.creation_time - from) / 86_400.0).floor().max(0.0) as usize)
                .min(days as usize - 1),
            impact: (record.impact.clamp(1, 5) - 1) as usize,
            deduplicated,
            tta: metrics.time_to_first_acknowledgement,
            ttr: metrics.time_to_resolve,
            trigger: (trigger, source.source.clone()),
        });
    }

    let mut plans: BTreeMap<String, (PlanInsight, Vec<f64>, Vec<f64>)> = BTreeMap::new();
    let mut triggers: BTreeMap<(String, String), TriggerInsight> = BTreeMap::new();
    let (mut all_tta, mut all_ttr) = (Vec::new(), Vec::new());
    let (mut opened, mut deduplicated) = (0u64, 0u64);
    for s in seen {
        per_day[s.day].by_impact[s.impact] += 1;
        opened += 1;
        deduplicated += s.deduplicated;
        let entry = plans.entry(s.plan.clone()).or_insert_with(|| {
            (
                PlanInsight {
                    response_plan_arn: s.plan.clone(),
                    ..Default::default()
                },
                Vec::new(),
                Vec::new(),
            )
        });
        entry.0.opened += 1;
        entry.0.deduplicated += s.deduplicated;
        if let Some(t) = s.tta {
            entry.1.push(t);
            all_tta.push(t);
        }
        if let Some(t) = s.ttr {
            entry.2.push(t);
            all_ttr.push(t);
        }
        let t = triggers
            .entry(s.trigger.clone())
            .or_insert_with(|| TriggerInsight {
                trigger: s.trigger.0.clone(),
                source: s.trigger.1.clone(),
                ..Default::default()
            });
        t.opened += 1;
        t.deduplicated += s.deduplicated;
    }
    let mut plan_list = Vec::with_capacity(plans.len());
    for (arn, (mut p, tta, ttr)) in plans {
        p.name = match tx.plan(&arn).await? {
            Some(stored) => stored.plan.label().to_owned(),
            None => arns::response_plan_name(&arn).unwrap_or(&arn).to_owned(),
        };
        p.time_to_acknowledge = Durations::of(tta);
        p.time_to_resolve = Durations::of(ttr);
        plan_list.push(p);
    }
    plan_list.sort_by(|a, b| {
        (b.opened + b.deduplicated)
            .cmp(&(a.opened + a.deduplicated))
            .then_with(|| a.name.cmp(&b.name))
    });
    let mut trigger_list: Vec<TriggerInsight> = triggers.into_values().collect();
    trigger_list.sort_by(|a, b| {
        b.fired()
            .cmp(&a.fired())
            .then_with(|| a.trigger.cmp(&b.trigger))
    });
    trigger_list.truncate(TOP_TRIGGERS);
    let fired = opened + deduplicated;
    Ok(Insights {
        from,
        to: now,
        days,
        per_day,
        opened,
        deduplicated,
        dedupe_ratio: if fired == 0 {
            0.0
        } else {
            deduplicated as f64 / fired as f64
        },
        time_to_acknowledge: Durations::of(all_tta),
        time_to_resolve: Durations::of(all_ttr),
        plans: plan_list,
        triggers: trigger_list,
    })
}
