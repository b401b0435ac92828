//! `GET /v1/insights`: how incidents went over the last days (a Tocsin extension; Incident
//! Manager has per-incident metrics only): opened per day by impact, time to first
//! acknowledgement and to resolve per response plan (median and p90), the noisiest
//! triggers and plans, and the dedupe ratio.

use serde::{Deserialize, Serialize};

/// Incidents opened on one UTC day.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DayCount {
    /// The day, `YYYY-MM-DD` (UTC).
    pub day: String,
    /// Opened per impact, index 0 = impact 1 (critical).
    pub by_impact: [u64; 5],
}

/// Median and 90th percentile of durations, seconds (none: no sample).
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Durations {
    /// How many durations there were.
    pub samples: u64,
    /// Their median, seconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub median: Option<f64>,
    /// Their 90th percentile (nearest rank), seconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub p90: Option<f64>,
}

impl Durations {
    /// The median and p90 of `values` (nearest-rank percentiles; order does not matter).
    pub fn of(mut values: Vec<f64>) -> Self {
        values.retain(|v| v.is_finite());
        values.sort_by(f64::total_cmp);
        Self {
            samples: values.len() as u64,
            median: percentile(&values, 50.0),
            p90: percentile(&values, 90.0),
        }
    }
}

/// The `p`th percentile (0 < p ≤ 100) of ascending `sorted` by nearest rank: the smallest
/// value with at least p % of the values at or below it; none for no values.
pub fn percentile(sorted: &[f64], p: f64) -> Option<f64> {
    if sorted.is_empty() {
        return None;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    Some(sorted[rank.clamp(1, sorted.len()) - 1])
}

/// One response plan's incidents over the period.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PlanInsight {
    /// The plan.
    pub response_plan_arn: String,
    /// Its display name (or name; the ARN's name when it was deleted).
    pub name: String,
    /// Incidents it opened.
    pub opened: u64,
    /// Triggers merged into those incidents by their dedupe string.
    pub deduplicated: u64,
    /// Time to first acknowledgement (or accepted page), of the incidents that had one.
    pub time_to_acknowledge: Durations,
    /// Time to resolve, of the incidents resolved.
    pub time_to_resolve: Durations,
}

/// One trigger over the period: the rule whose target opened the incident (its ARN, the
/// incident's `incidentRecordSource.resourceArn`), or, for incidents no rule opened, their
/// source (`aws.ssm-incidents.custom`, a receiver's).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TriggerInsight {
    /// The trigger's ARN, or its source (`aws.cloudwatch`, `alertmanager`) when it had none.
    pub trigger: String,
    /// Its source.
    pub source: String,
    /// Incidents it opened.
    pub opened: u64,
    /// Its triggers merged into open incidents.
    pub deduplicated: u64,
}

impl TriggerInsight {
    /// Everything it fired: incidents opened plus triggers merged.
    pub fn fired(&self) -> u64 {
        self.opened + self.deduplicated
    }
}

/// `GET /v1/insights?days=N&responsePlanArn=…`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Insights {
    /// Start of the period, epoch seconds (midnight UTC, `days` − 1 days ago).
    pub from: f64,
    /// End of the period (now), epoch seconds.
    pub to: f64,
    /// Days covered.
    pub days: u32,
    /// Every day of the period, oldest first (days without incidents included).
    pub per_day: Vec<DayCount>,
    /// Incidents opened in the period.
    pub opened: u64,
    /// Triggers merged into them.
    pub deduplicated: u64,
    /// `deduplicated / (opened + deduplicated)`: the share of triggers that opened nothing
    /// new (0 when nothing fired).
    pub dedupe_ratio: f64,
    /// Over every plan.
    pub time_to_acknowledge: Durations,
    /// Over every plan.
    pub time_to_resolve: Durations,
    /// Per response plan, noisiest (most triggers: opened + deduplicated) first.
    pub plans: Vec<PlanInsight>,
    /// The noisiest triggers (at most 10), most triggers first.
    pub triggers: Vec<TriggerInsight>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_rank_percentiles() {
        assert_eq!(percentile(&[], 50.0), None);
        assert_eq!(percentile(&[7.0], 90.0), Some(7.0));
        let ten: Vec<f64> = (1..=10).map(f64::from).collect();
        assert_eq!(percentile(&ten, 50.0), Some(5.0));
        assert_eq!(percentile(&ten, 90.0), Some(9.0));
        let d = Durations::of(vec![30.0, 10.0, 20.0, f64::NAN]);
        assert_eq!((d.samples, d.median, d.p90), (3, Some(20.0), Some(30.0)));
    }
}
