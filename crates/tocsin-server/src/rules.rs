//! The compiled rules of every event bus, swapped atomically when rules change.
//!
//! Ingest reads the current [`CompiledRules`] without locking (`arc-swap`); a rule change
//! rebuilds the whole set from the store and swaps it in, so matching never pauses and
//! never sees half a change. Rebuilds are serialised so an older snapshot never replaces a
//! newer one.

use std::collections::HashMap;
use std::sync::Arc;

use arc_swap::ArcSwap;
use tocsin_api::events::Target;
use tocsin_pattern::{Matcher, Pattern};

use crate::store::{Store, StoreResult};

/// Where a matching event goes: one enabled rule and its targets.
#[derive(Debug, Clone, PartialEq)]
pub struct RuleRoute {
    /// The rule's ARN.
    pub rule_arn: String,
    /// The rule's targets.
    pub targets: Vec<Target>,
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
}

/// The current [`CompiledRules`], replaced whole on every rule change.
#[derive(Default)]
pub struct RuleIndex {
    current: ArcSwap<CompiledRules>,
    rebuild: tokio::sync::Mutex<()>,
}

impl RuleIndex {
    /// The current compiled rules (a cheap snapshot).
    pub fn snapshot(&self) -> Arc<CompiledRules> {
        self.current.load_full()
    }

    /// Rebuilds from the store and swaps the result in. A stored pattern that no longer
    /// parses (impossible through the API) is logged and skipped, never fatal.
    pub async fn reload(&self, store: &dyn Store) -> StoreResult<()> {
        let _serial = self.rebuild.lock().await;
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
                Ok(pattern) => per_bus
                    .entry(rule.event_bus_name.clone())
                    .or_default()
                    .push((
                        Arc::new(RuleRoute {
                            rule_arn: rule.arn.clone(),
                            targets: entry.targets,
                        }),
                        pattern,
                    )),
                Err(err) => {
                    tracing::warn!(rule = %rule.arn, %err, "skipping rule with invalid pattern")
                }
            }
        }
        let buses = per_bus
            .into_iter()
            .map(|(bus, rules)| (bus, Matcher::new(rules)))
            .collect();
        self.current.store(Arc::new(CompiledRules { buses }));
        Ok(())
    }
}
