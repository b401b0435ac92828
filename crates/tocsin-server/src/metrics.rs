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

/// Event buses whose counter handles the observer keeps.
const REMEMBERED_BUSES: usize = 1_000;

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
    /// Each bus's `tocsin_events_ingested_total` and `tocsin_events_matched_total`.
    buses: Mutex<HashMap<String, (metrics::Counter, metrics::Counter)>>,
}

impl Observer {
    /// Counts one committed change-feed entry as stored (the JSON text of a [`Change`]);
    /// returns whether the text is JSON of the stored shape (`{"kind":…,"data":…}`), which
    /// the feed tailer then sends as it is.
    ///
    /// An `eventReceived` entry, nearly every entry under load, is counted from the two
    /// fields the counters need, read in place; every other kind is decoded whole and
    /// counted by [`Observer::observe`]. Decoding every event whole was most of the feed
    /// tailer's time (`docs/benchmarks.md`, "ingest: fewer allocations").
    pub fn observe_stored(&self, body: &str) -> bool {
        #[derive(serde::Deserialize)]
        struct Stored<'a> {
            #[serde(borrow)]
            kind: std::borrow::Cow<'a, str>,
            #[serde(borrow, default)]
            data: Option<&'a serde_json::value::RawValue>,
        }
        #[derive(serde::Deserialize)]
        #[serde(rename_all = "camelCase")]
        struct Received<'a> {
            #[serde(borrow)]
            event_bus_name: std::borrow::Cow<'a, str>,
            #[serde(default)]
            matched_rules: Vec<serde::de::IgnoredAny>,
        }
        let Ok(stored) = serde_json::from_str::<Stored>(body) else {
            return false;
        };
        let received = (stored.kind == "eventReceived")
            .then(|| {
                stored
                    .data
                    .map(|d| serde_json::from_str::<Received>(d.get()))
            })
            .flatten();
        match received {
            Some(Ok(e)) => {
                metrics::counter!("tocsin_feed_entries_total").increment(1);
                self.count_event(&e.event_bus_name, !e.matched_rules.is_empty());
            }
            _ => match serde_json::from_str::<Change>(body) {
                Ok(change) => self.observe(&change),
                Err(_) => metrics::counter!("tocsin_feed_entries_total").increment(1),
            },
        }
        true
    }

    /// Counts one event received on `bus` (and matched, when `matched`), through counter
    /// handles kept per bus: a `counter!` call with a label builds and hashes its key each
    /// time.
    fn count_event(&self, bus: &str, matched: bool) {
        let Ok(mut buses) = self.buses.lock() else {
            return;
        };
        if buses.len() >= REMEMBERED_BUSES && !buses.contains_key(bus) {
            buses.clear();
        }
        let (ingested, matched_total) = buses.entry(bus.to_owned()).or_insert_with(|| {
            (
                metrics::counter!("tocsin_events_ingested_total", "bus" => bus.to_owned()),
                metrics::counter!("tocsin_events_matched_total", "bus" => bus.to_owned()),
            )
        });
        ingested.increment(1);
        if matched {
            matched_total.increment(1);
        }
    }

    /// Counts one committed change-feed entry.
    pub fn observe(&self, change: &Change) {
        metrics::counter!("tocsin_feed_entries_total").increment(1);
        match change {
            Change::EventReceived(e) => {
                self.count_event(&e.event_bus_name, !e.matched_rules.is_empty());
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
    use tocsin_api::native::EventReceived;

    /// The value of the series `name{labels}` in the rendered text (0 when absent).
    fn series(name: &str, labels: &str) -> f64 {
        let wanted = if labels.is_empty() {
            format!("{name} ")
        } else {
            format!("{name}{{{labels}}} ")
        };
        render()
            .lines()
            .find_map(|l| l.strip_prefix(&wanted))
            .map_or(0.0, |v| v.trim().parse().unwrap())
    }

    fn received(bus: &str, rules: &[&str]) -> Change {
        Change::EventReceived(EventReceived {
            event_id: uuid::Uuid::now_v7().to_string(),
            event_bus_name: bus.into(),
            source: "test".into(),
            detail_type: "Test".into(),
            matched_rules: rules.iter().map(|r| r.to_string()).collect(),
        })
    }

    /// The stored text is counted as the decoded change is: events per bus and matched
    /// events through the fast path, any other kind decoded whole; what is not JSON of
    /// the stored shape is refused (the tailer then sends it through `Rendered::of`).
    #[test]
    fn stored_entries_count_as_their_decoded_changes() {
        install();
        let bus = format!("observe-{}", uuid::Uuid::new_v4().simple());
        let labels = format!("bus=\"{bus}\"");
        let observer = Observer::default();
        let stored = |change: &Change| serde_json::to_string(change).unwrap();
        let entries = series("tocsin_feed_entries_total", "");
        assert!(observer.observe_stored(&stored(&received(&bus, &[]))));
        assert!(observer.observe_stored(&stored(&received(&bus, &["arn:rule/a", "arn:rule/b"]))));
        assert!(observer.observe_stored(&stored(&received(&bus, &["arn:rule/a"]))));
        // The decoded path agrees with the fast one.
        observer.observe(&received(&bus, &["arn:rule/a"]));
        assert_eq!(series("tocsin_events_ingested_total", &labels), 4.0);
        assert_eq!(series("tocsin_events_matched_total", &labels), 3.0);

        // Another kind goes through the whole decode.
        let timeline = tocsin_api::incidents::TimelineEvent {
            incident_record_arn: format!("arn:incident/{bus}"),
            event_id: uuid::Uuid::new_v4().to_string(),
            event_time: 1.0,
            event_updated_time: 1.0,
            event_type: kinds::INCIDENT_RESOLVED.into(),
            event_data: "{}".into(),
            event_references: None,
        };
        let resolved = series("tocsin_incidents_resolved_total", "plan=\"unknown\"");
        assert!(observer.observe_stored(&stored(&Change::TimelineEventAdded(timeline))));
        assert_eq!(
            series("tocsin_incidents_resolved_total", "plan=\"unknown\""),
            resolved + 1.0
        );

        // Not the stored shape: refused, and an unreadable event counts no event.
        for bad in [
            "not json",
            "{}",
            r#"{"data":{}}"#,
            r#"{"kind":"eventReceived""#,
        ] {
            assert!(!observer.observe_stored(bad), "{bad}");
        }
        assert!(observer.observe_stored(r#"{"kind":"eventReceived","data":{"x":1}}"#));
        assert_eq!(series("tocsin_events_ingested_total", &labels), 4.0);
        // Other tests share the recorder: the entries counted here at least.
        assert!(series("tocsin_feed_entries_total", "") >= entries + 5.0);
    }

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
