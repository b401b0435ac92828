//! The compiled rules of every event bus, swapped atomically when rules change.
//!
//! Ingest reads the current [`CompiledRules`] without locking (`arc-swap`). The matcher
//! worker ([`crate::worker::matcher`]) follows the change feed: when it sees `RuleChanged`
//! entries it rebuilds the whole set from the store, swaps it in, and records the feed id
//! it has compiled up to ([`RuleIndex::compiled_id`]). Rule changes answer only once that id
//! has reached their own feed entry ([`RuleIndex::wait_compiled`]): read-your-writes, and a
//! rule stored by a request whose client went away still gets compiled.

use std::collections::HashMap;
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

/// Every enabled rule with a pattern, compiled per bus.
#[derive(Default)]
pub struct CompiledRules {
    buses: HashMap<String, Matcher<Arc<RuleRoute>>>,
}

impl CompiledRules {
    /// The routes of the rules on `event_bus_name` that `event` matches.
    pub fn matching(&self, event_bus_name: &str, event: &serde_json::Value) -> Vec<Arc<RuleRoute>> {
        self.buses
            .get(event_bus_name)
            .map(|m| m.matching_rules(event))
            .unwrap_or_default()
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
        for entry in all {
            let rule = entry.rule;
            if !rule.state.is_enabled() {
                continue;
            }
            let Some(text) = rule.event_pattern.as_deref() else {
                continue;
            };
            match Pattern::parse(text) {
                Ok(pattern) => {
                    let targets = entry
                        .targets
                        .into_iter()
                        .filter_map(|t| compile_target(&rule.arn, t))
                        .collect();
                    let route = RuleRoute {
                        rule_arn: rule.arn.clone(),
                        rule_name: rule.name.clone(),
                        targets,
                    };
                    per_bus
                        .entry(rule.event_bus_name.clone())
                        .or_default()
                        .push((Arc::new(route), pattern));
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
        Ok(CompiledRules { buses })
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
