//! Process metrics in the Prometheus text exposition format (`GET /metrics`), recorded with
//! the `metrics` crate and rendered by `metrics-exporter-prometheus` (no listener of its
//! own: Tocsin serves the text on its port, behind its authentication).
//!
//! Counters of what was **committed** are taken from the change feed by the feed tailer
//! ([`Observer::observe`]), so a rolled-back transaction never counts and every counter agrees with
//! the stored state:
//!
//! | metric | labels | from |
//! |---|---|---|
//! | `tocsin_events_ingested_total` | `bus` | `eventReceived` |
//! | `tocsin_events_matched_total` | `bus` | `eventReceived` with a matched rule |
//! | `tocsin_incidents_opened_total` | `plan` | `incidentCreated` |
//! | `tocsin_incidents_deduplicated_total` | `plan` | `Trigger Deduplicated` timeline entries (by how much their `count` grew: several triggers may fold in one update) |
//! | `tocsin_incidents_resolved_total` | `plan` | `Incident Resolved` timeline entries |
//! | `tocsin_deliveries_total` | `kind` (`target` or the notification kind), `outcome` (`delivered`, `failed`) | `deliveryChanged`, `notificationChanged` |
//! | `tocsin_feed_entries_total` | | every entry |
//!
//! Measured where they happen: `tocsin_commit_seconds` (histogram, each write
//! transaction's `COMMIT` including its fsync). Sampled at scrape time by the handler:
//! `tocsin_streams_open`, `tocsin_queue_depth{queue}` (deliveries, notifications,
//! runbooks, engagements, pages waiting), `tocsin_feed_position`.
//!
//! The recorder is process-wide (the `metrics` crate's global): several servers in one
//! process (tests) share it.

use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};

use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};
use tocsin_api::native::{Change, timeline_event_types as kinds};

static HANDLE: OnceLock<Option<PrometheusHandle>> = OnceLock::new();

/// Incidents whose plan the observer remembers (for labelling their later entries).
const REMEMBERED_INCIDENTS: usize = 100_000;

/// Histogram buckets for durations, seconds.
const SECONDS_BUCKETS: [f64; 12] = [
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5,
];

/// How often the recorder's pending histogram samples are folded in.
pub const UPKEEP_EVERY: std::time::Duration = std::time::Duration::from_secs(5);

/// Installs the process-wide recorder (once; later calls return the same handle) and
/// starts its upkeep thread. `None` when another recorder was installed first (then
/// nothing is rendered).
///
/// A recorder built with `build_recorder` (no listener of its own) keeps every histogram
/// sample until someone runs its upkeep: without it, memory grows with every commit until
/// `/metrics` is scraped (the 1-hour soak of issue 12 found it: about 0.45 MiB a minute at
/// 1,000 events/s). The `metrics-upkeep` thread runs it every [`UPKEEP_EVERY`].
pub fn install() -> Option<&'static PrometheusHandle> {
    let handle = HANDLE
        .get_or_init(|| {
            let recorder = PrometheusBuilder::new()
                .set_buckets_for_metric(Matcher::Suffix("_seconds".into()), &SECONDS_BUCKETS)
                .ok()?
                .build_recorder();
            let handle = recorder.handle();
            metrics::set_global_recorder(recorder).ok()?;
            describe();
            Some(handle)
        })
        .as_ref()?;
    static UPKEEP: std::sync::Once = std::sync::Once::new();
    UPKEEP.call_once(|| {
        let spawned = std::thread::Builder::new()
            .name("metrics-upkeep".into())
            .spawn(move || {
                loop {
                    std::thread::sleep(UPKEEP_EVERY);
                    handle.run_upkeep();
                }
            });
        if let Err(err) = spawned {
            tracing::warn!(%err, "could not start the metrics upkeep thread; histograms are folded in only when /metrics is scraped");
        }
    });
    Some(handle)
}

fn describe() {
    use metrics::{Unit, describe_counter, describe_gauge, describe_histogram};
    describe_counter!(
        "tocsin_events_ingested_total",
        "Events accepted onto a bus (committed)."
    );
    describe_counter!(
        "tocsin_events_matched_total",
        "Accepted events that matched at least one rule."
    );
    describe_counter!(
        "tocsin_incidents_opened_total",
        "Incident records opened, by response plan."
    );
    describe_counter!(
        "tocsin_incidents_deduplicated_total",
        "Triggers merged into an open incident by its dedupe string, by response plan."
    );
    describe_counter!(
        "tocsin_incidents_resolved_total",
        "Incident records resolved, by response plan."
    );
    describe_counter!(
        "tocsin_deliveries_total",
        "Deliveries (HTTP targets, notifications, pages) that ended, by kind and outcome."
    );
    describe_counter!(
        "tocsin_feed_entries_total",
        "Change-feed entries committed."
    );
    describe_histogram!(
        "tocsin_commit_seconds",
        Unit::Seconds,
        "Write-transaction COMMIT latency, including the fsync."
    );
    describe_histogram!(
        "tocsin_group_commit_batch_size",
        "Ingest requests (PutEvents, receivers) written by one group-commit transaction."
    );
    describe_histogram!(
        "tocsin_group_commit_seconds",
        Unit::Seconds,
        "One group-commit batch: its writes, the commit and its fsync (and, when a request failed, the batch written again with savepoints)."
    );
    describe_gauge!("tocsin_streams_open", "Live /v1/stream connections open.");
    describe_gauge!(
        "tocsin_queue_depth",
        "Work waiting, by queue: deliveries and notifications pending, runbook executions, engagements and pages with a wake-up."
    );
    describe_gauge!(
        "tocsin_feed_position",
        "The newest change-feed id fanned out to streams."
    );
}

/// Renders every metric as Prometheus text (installing the recorder if needed).
pub fn render() -> String {
    match install() {
        Some(handle) => {
            handle.run_upkeep();
            handle.render()
        }
        None => String::new(),
    }
}

/// Records one write transaction's commit latency.
pub fn commit_latency(seconds: f64) {
    metrics::histogram!("tocsin_commit_seconds").record(seconds);
}

/// Sets the scrape-time gauges.
pub fn sample(streams: usize, feed_position: i64, queues: &[(&'static str, i64)]) {
    metrics::gauge!("tocsin_streams_open").set(streams as f64);
    metrics::gauge!("tocsin_feed_position").set(feed_position as f64);
    for (queue, depth) in queues {
        metrics::gauge!("tocsin_queue_depth", "queue" => *queue).set(*depth as f64);
    }
}

/// Counts committed changes; remembers each incident's plan to label its later entries.
#[derive(Default)]
pub struct Observer {
    plans: Mutex<HashMap<String, String>>,
    /// Each "Trigger Deduplicated" entry's `count` as last seen.
    folds: Mutex<HashMap<String, u64>>,
}

impl Observer {
    /// Counts one committed change-feed entry.
    pub fn observe(&self, change: &Change) {
        metrics::counter!("tocsin_feed_entries_total").increment(1);
        match change {
            Change::EventReceived(e) => {
                let bus = e.event_bus_name.clone();
                metrics::counter!("tocsin_events_ingested_total", "bus" => bus.clone())
                    .increment(1);
                if !e.matched_rules.is_empty() {
                    metrics::counter!("tocsin_events_matched_total", "bus" => bus).increment(1);
                }
            }
            Change::IncidentCreated(w) => {
                let plan = plan_label(&w.response_plan_name, &w.response_plan_arn);
                self.remember(&w.incident.arn, &plan);
                metrics::counter!("tocsin_incidents_opened_total", "plan" => plan).increment(1);
            }
            Change::IncidentUpdated(w) => {
                self.remember(
                    &w.incident.arn,
                    &plan_label(&w.response_plan_name, &w.response_plan_arn),
                );
            }
            // A repeated trigger folds into its "Trigger Deduplicated" entry (an update),
            // and still counts once.
            Change::TimelineEventAdded(t) | Change::TimelineEventUpdated(t) => {
                let added = matches!(change, Change::TimelineEventAdded(_));
                let name = match t.event_type.as_str() {
                    kinds::TRIGGER_DEDUPLICATED => "tocsin_incidents_deduplicated_total",
                    kinds::INCIDENT_RESOLVED if added => "tocsin_incidents_resolved_total",
                    _ => return,
                };
                let by = if t.event_type == kinds::TRIGGER_DEDUPLICATED {
                    self.folded(t, added)
                } else {
                    1
                };
                let plan = self
                    .plans
                    .lock()
                    .ok()
                    .and_then(|p| p.get(&t.incident_record_arn).cloned())
                    .unwrap_or_else(|| "unknown".into());
                metrics::counter!(name, "plan" => plan).increment(by);
            }
            Change::DeliveryChanged(d) => outcome("target", d.status),
            Change::NotificationChanged(n) => outcome(&n.kind, n.status),
            _ => {}
        }
    }

    /// How many triggers a "Trigger Deduplicated" entry gained: its `count` less the count
    /// last seen (an entry first seen as an update, after a restart, counts one).
    fn folded(&self, t: &tocsin_api::incidents::TimelineEvent, added: bool) -> u64 {
        let count = serde_json::from_str::<serde_json::Value>(&t.event_data)
            .ok()
            .and_then(|d| d["count"].as_u64())
            .unwrap_or(1);
        let Ok(mut folds) = self.folds.lock() else {
            return 1;
        };
        if folds.len() >= REMEMBERED_INCIDENTS && !folds.contains_key(&t.event_id) {
            folds.clear();
        }
        let before = folds.insert(t.event_id.clone(), count);
        match before {
            Some(before) => count.saturating_sub(before),
            None if added => count,
            None => 1,
        }
    }

    fn remember(&self, incident: &str, plan: &str) {
        if let Ok(mut plans) = self.plans.lock() {
            if plans.len() >= REMEMBERED_INCIDENTS && !plans.contains_key(incident) {
                plans.clear();
            }
            plans.insert(incident.to_owned(), plan.to_owned());
        }
    }
}

fn plan_label(name: &str, arn: &str) -> String {
    if name.is_empty() {
        arn.rsplit('/').next().unwrap_or(arn).to_owned()
    } else {
        name.to_owned()
    }
}

fn outcome(kind: &str, status: tocsin_api::delivery::DeliveryStatus) {
    use tocsin_api::delivery::DeliveryStatus;
    let outcome = match status {
        DeliveryStatus::Delivered => "delivered",
        DeliveryStatus::Failed => "failed",
        DeliveryStatus::Pending => return,
    };
    metrics::counter!("tocsin_deliveries_total", "kind" => kind.to_owned(), "outcome" => outcome)
        .increment(1);
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Without its upkeep, the recorder keeps every histogram sample until a scrape: the
    /// installed recorder has a thread that folds them in (issue 12's soak).
    #[test]
    fn installing_the_recorder_starts_its_upkeep_thread() {
        assert!(install().is_some(), "the recorder is installed");
        install();
        // A new thread names itself once it runs: look for up to 5 s.
        let names = || -> Vec<String> {
            std::fs::read_dir("/proc/self/task")
                .unwrap()
                .filter_map(|t| std::fs::read_to_string(t.ok()?.path().join("comm")).ok())
                .map(|n| n.trim().to_owned())
                .collect()
        };
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
        while !names().iter().any(|n| n == "metrics-upkeep") && std::time::Instant::now() < deadline
        {
            std::thread::sleep(std::time::Duration::from_millis(10));
        }
        let names = names();
        assert_eq!(
            names.iter().filter(|n| *n == "metrics-upkeep").count(),
            1,
            "one upkeep thread however often install() runs: {names:?}"
        );
    }
}
