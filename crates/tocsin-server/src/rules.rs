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
use tocsin_pattern::transform::TargetInput;
use tocsin_pattern::{Matcher, Pattern};

use crate::delivery::{HttpTarget, is_http_target};

use crate::store::{Store, StoreResult};

/// A target, compiled: what it receives and, for HTTP targets, where and how.
#[derive(Debug, Clone, PartialEq)]
pub struct RouteTarget {
    /// The target as stored.
    pub target: Target,
    /// Its `Input`/`InputPath`/`InputTransformer`, validated.
    pub input: TargetInput,
    /// Its HTTP settings, when its `Arn` is an http(s) URL.
    pub http: Option<HttpTarget>,
}

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

/// Compiles a stored target; `None` (logged) if it no longer validates.
fn compile_target(rule_arn: &str, target: Target) -> Option<RouteTarget> {
    let transformer = target.input_transformer.as_ref().map(|t| {
        (
            t.input_paths_map.clone().unwrap_or_default(),
            t.input_template.clone(),
        )
    });
    let input = TargetInput::new(
        target.input.as_deref(),
        target.input_path.as_deref(),
        transformer.as_ref().map(|(p, t)| (p, t.as_str())),
    );
    let http = is_http_target(&target.arn)
        .then(|| HttpTarget::from_target(&target).map_err(|e| e.to_string()));
    match (input, http.transpose()) {
        (Ok(input), Ok(http)) => Some(RouteTarget {
            target,
            input,
            http,
        }),
        (Err(e), _) => {
            tracing::warn!(rule = rule_arn, target = %target.id, %e, "skipping target with invalid input settings");
            None
        }
        (_, Err(e)) => {
            tracing::warn!(rule = rule_arn, target = %target.id, %e, "skipping HTTP target with invalid settings");
            None
        }
    }
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
        self.current.store(Arc::new(CompiledRules { buses }));
        Ok(())
    }
}
