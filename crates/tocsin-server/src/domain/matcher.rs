//! The compiled rules of every event bus, swapped atomically when rules change.
//!
//! Ingest reads the current [`CompiledRules`] without locking (`arc-swap`). The matcher
//! worker ([`crate::worker::matcher`]) follows the change feed: when it sees `RuleChanged`
//! entries it rebuilds the whole set from the store, swaps it in, and records the feed id
//! it has compiled up to ([`RuleIndex::compiled_id`]). Rule changes answer only once that id
//! has reached their own feed entry ([`RuleIndex::wait_compiled`]): read-your-writes, and a
//! rule stored by a request whose client went away still gets compiled.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::time::Duration;

use arc_swap::ArcSwap;
use tocsin_pattern::{Matcher, Pattern};
use tokio::sync::watch;

use crate::domain::targets::{RouteTarget, compile_target};
use crate::store::{Store, StoreResult};

/// Where a matching event goes: one enabled rule and its targets.
#[derive(Debug, Clone, PartialEq)]
pub struct RuleRoute {
    /// The rule's ARN.
    pub rule_arn: String,
    /// The rule's name.
    pub rule_name: String,
    /// The rule's targets.
    pub targets: Vec<RouteTarget>,
}

/// A maintenance window, compiled: its pattern, resolved pattern and schedule.
#[derive(Debug)]
pub struct CompiledWindow {
    /// Its id.
    pub id: String,
    pattern: Pattern,
    resolved: Option<Pattern>,
    schedule: crate::domain::windows::Schedule,
}

/// Every enabled rule with a pattern, compiled per bus, with the maintenance windows and
/// heartbeats that watch the same events.
#[derive(Default)]
pub struct CompiledRules {
    buses: HashMap<String, Matcher<Arc<RuleRoute>>>,
    windows: Vec<CompiledWindow>,
    heartbeats: HashMap<String, Vec<(String, Pattern)>>,
    /// Custom event buses (`default` always exists).
    custom_buses: HashSet<String>,
    /// Enabled scheduled rules by ARN: where their `Scheduled Event`s go.
    scheduled: HashMap<String, Arc<RuleRoute>>,
    /// Archives per bus: (name, pattern; every event when `None`).
    archives: HashMap<String, Vec<(String, Option<Pattern>)>>,
    /// Admin-set change patterns ([`crate::domain::findings`]).
    change_patterns: Vec<Pattern>,
}

impl CompiledRules {
    /// Whether `event` is a change an incident's findings or recent changes show: a
    /// CodeDeploy or CloudFormation change, or an event matching a change pattern.
    pub fn is_change(&self, event: &serde_json::Value) -> bool {
        crate::domain::findings::is_aws_change(event)
            || self.change_patterns.iter().any(|p| p.matches(event))
    }

    /// The archives on `event_bus_name` that keep `event`.
    pub fn archiving(&self, event_bus_name: &str, event: &serde_json::Value) -> Vec<&str> {
        self.archives
            .get(event_bus_name)
            .map(|list| {
                list.iter()
                    .filter(|(_, p)| p.as_ref().is_none_or(|p| p.matches(event)))
                    .map(|(name, _)| name.as_str())
                    .collect()
            })
            .unwrap_or_default()
    }

    /// The route of an enabled scheduled rule (its targets), by ARN.
    pub fn scheduled(&self, rule_arn: &str) -> Option<Arc<RuleRoute>> {
        self.scheduled.get(rule_arn).cloned()
    }

    /// Whether the event bus `name` exists (as of the compiled feed id).
    pub fn has_bus(&self, name: &str) -> bool {
        name == tocsin_api::events::DEFAULT_EVENT_BUS || self.custom_buses.contains(name)
    }

    /// The routes of the rules on `event_bus_name` that `event` matches.
    pub fn matching(&self, event_bus_name: &str, event: &serde_json::Value) -> Vec<Arc<RuleRoute>> {
        self.buses
            .get(event_bus_name)
            .map(|m| m.matching_rules(event))
            .unwrap_or_default()
    }

    /// The first maintenance window active at `t` (epoch seconds) whose pattern `event`
    /// matches.
    pub fn suppressing_window(&self, event: &serde_json::Value, t: f64) -> Option<&CompiledWindow> {
        self.windows
            .iter()
            .find(|w| w.pattern.matches(event) && w.schedule.active(t))
    }

    /// The windows whose resolved pattern `event` matches (it resolves what each of them
    /// suppressed from the same source).
    pub fn windows_resolved_by(&self, event: &serde_json::Value) -> Vec<&str> {
        self.windows
            .iter()
            .filter(|w| w.resolved.as_ref().is_some_and(|p| p.matches(event)))
            .map(|w| w.id.as_str())
            .collect()
    }

    /// Whether a window with this id is compiled (windows never change after creation, so
    /// a known one needs no recompilation).
    pub fn has_window(&self, id: &str) -> bool {
        self.windows.iter().any(|w| w.id == id)
    }

    /// The heartbeats on `event_bus_name` that `event` beats.
    pub fn beating(&self, event_bus_name: &str, event: &serde_json::Value) -> Vec<String> {
        self.heartbeats
            .get(event_bus_name)
            .into_iter()
            .flatten()
            .filter(|(_, p)| p.matches(event))
            .map(|(name, _)| name.clone())
            .collect()
    }

    /// Number of compiled rules across buses.
    pub fn len(&self) -> usize {
        self.buses.values().map(Matcher::len).sum()
    }

    /// Whether no rule is compiled.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Compiles every enabled rule with a pattern in `store`. A stored pattern that no
    /// longer parses (impossible through the API) is logged and skipped, never fatal.
    pub async fn load(store: &dyn Store) -> StoreResult<Self> {
        let all = store.read().await?.all_rules().await?;
        let mut per_bus: HashMap<String, Vec<(Arc<RuleRoute>, Pattern)>> = HashMap::new();
        let mut scheduled = HashMap::new();
        for entry in all {
            let rule = entry.rule;
            if !rule.state.is_enabled() {
                continue;
            }
            let route = Arc::new(RuleRoute {
                rule_arn: rule.arn.clone(),
                rule_name: rule.name.clone(),
                targets: entry
                    .targets
                    .into_iter()
                    .filter_map(|t| compile_target(&rule.arn, t))
                    .collect(),
            });
            if rule.schedule_expression.is_some() {
                scheduled.insert(rule.arn.clone(), route.clone());
            }
            let Some(text) = rule.event_pattern.as_deref() else {
                continue;
            };
            match Pattern::parse(text) {
                Ok(pattern) => {
                    per_bus
                        .entry(rule.event_bus_name.clone())
                        .or_default()
                        .push((route, pattern));
                }
                Err(err) => {
                    tracing::warn!(rule = %rule.arn, %err, "skipping rule with invalid pattern")
                }
            }
        }
        let buses = per_bus
            .into_iter()
            .map(|(bus, rules)| (bus, Matcher::new(rules)))
            .collect();
        let mut tx = store.read().await?;
        let mut windows = Vec::new();
        for stored in tx.windows().await? {
            let w = stored.window;
            if stored.wake_at.is_none() {
                continue; // ended: no occurrence left
            }
            let compiled = (|| {
                Some(CompiledWindow {
                    id: w.id.clone(),
                    pattern: Pattern::parse(&w.event_pattern).ok()?,
                    resolved: match &w.resolved_pattern {
                        Some(p) => Some(Pattern::parse(p).ok()?),
                        None => None,
                    },
                    schedule: crate::domain::windows::Schedule::of(&w).ok()?,
                })
            })();
            match compiled {
                Some(c) => windows.push(c),
                None => {
                    tracing::warn!(window = %w.id, "skipping a maintenance window that no longer compiles")
                }
            }
        }
        let mut heartbeats: HashMap<String, Vec<(String, Pattern)>> = HashMap::new();
        for stored in tx.heartbeats().await? {
            let h = stored.heartbeat;
            match Pattern::parse(&h.event_pattern) {
                Ok(p) => heartbeats
                    .entry(h.event_bus_name)
                    .or_default()
                    .push((h.name, p)),
                Err(err) => {
                    tracing::warn!(heartbeat = %h.name, %err, "skipping a heartbeat whose pattern no longer parses")
                }
            }
        }
        let custom_buses = tx
            .resources(crate::domain::buses::KIND, "")
            .await?
            .into_iter()
            .filter_map(|b| b["name"].as_str().map(str::to_owned))
            .collect();
        let mut archives: HashMap<String, Vec<(String, Option<Pattern>)>> = HashMap::new();
        for body in tx.resources(crate::domain::archives::ARCHIVE, "").await? {
            let (Some(name), Some(bus)) = (body["name"].as_str(), body["event_bus_name"].as_str())
            else {
                continue;
            };
            let pattern = match body["event_pattern"].as_str().map(Pattern::parse) {
                None => None,
                Some(Ok(p)) => Some(p),
                Some(Err(err)) => {
                    tracing::warn!(archive = name, %err, "skipping an archive whose pattern no longer parses");
                    continue;
                }
            };
            archives
                .entry(bus.to_owned())
                .or_default()
                .push((name.to_owned(), pattern));
        }
        let change_patterns = tx
            .resources(crate::domain::findings::CHANGE_PATTERN, "")
            .await?
            .into_iter()
            .filter_map(|b| Pattern::parse(b["eventPattern"].as_str()?).ok())
            .collect();
        Ok(CompiledRules {
            buses,
            windows,
            heartbeats,
            custom_buses,
            scheduled,
            archives,
            change_patterns,
        })
    }
}

/// The current [`CompiledRules`], replaced whole on every rule change, and the change-feed
/// id it reflects.
pub struct RuleIndex {
    current: ArcSwap<CompiledRules>,
    compiled: watch::Sender<i64>,
}

impl Default for RuleIndex {
    fn default() -> Self {
        Self {
            current: ArcSwap::default(),
            compiled: watch::channel(0).0,
        }
    }
}

/// The matcher did not reach a feed id in time (it is down or far behind).
#[derive(Debug, thiserror::Error)]
#[error(
    "the rule change (change-feed id {wanted}) is stored but the matcher has compiled only up to {compiled}; it applies once the matcher catches up (see /healthz)"
)]
pub struct NotCompiledYet {
    /// The feed id waited for.
    pub wanted: i64,
    /// The feed id compiled when the wait ended.
    pub compiled: i64,
}

impl RuleIndex {
    /// The current compiled rules (a cheap snapshot).
    pub fn snapshot(&self) -> Arc<CompiledRules> {
        self.current.load_full()
    }

    /// The change-feed id the current rules reflect: every rule change with an id up to
    /// this one is compiled in.
    pub fn compiled_id(&self) -> i64 {
        *self.compiled.borrow()
    }

    /// Swaps in `rules`, compiled from a store state that includes every change up to
    /// `feed_id`. Ids only move forward.
    pub fn install(&self, rules: CompiledRules, feed_id: i64) {
        self.current.store(Arc::new(rules));
        self.mark_compiled(feed_id);
    }

    /// Records that nothing up to `feed_id` changes the rules (the entries read were not
    /// rule changes). Ids only move forward.
    pub fn mark_compiled(&self, feed_id: i64) {
        self.compiled.send_if_modified(|id| {
            let newer = feed_id > *id;
            if newer {
                *id = feed_id;
            }
            newer
        });
    }

    /// Waits until the compiled id reaches `feed_id`, at most `limit`.
    pub async fn wait_compiled(&self, feed_id: i64, limit: Duration) -> Result<(), NotCompiledYet> {
        let mut rx = self.compiled.subscribe();
        match tokio::time::timeout(limit, rx.wait_for(|id| *id >= feed_id)).await {
            Ok(Ok(_)) => Ok(()),
            _ => Err(NotCompiledYet {
                wanted: feed_id,
                compiled: self.compiled_id(),
            }),
        }
    }
}
