//! The matcher worker: follows the change feed and recompiles the rules when it sees a
//! `RuleChanged` entry, recording the feed id it has compiled up to. Rule changes wait for
//! that id (read-your-writes), and nothing a request does after its commit can keep a
//! stored rule from being compiled.

use std::sync::Arc;
use std::time::Duration;

use tocsin_api::native::Change;

use crate::domain::matcher::{CompiledRules, RuleIndex};
use crate::worker::{WorkerContext, WorkerError};

/// Feed entries read per query.
const BATCH: i64 = 1000;

/// What the matcher worker needs.
#[derive(Clone)]
pub struct MatcherWorker {
    /// The store whose change feed and rules it reads, and the shutdown signal.
    pub ctx: WorkerContext,
    /// The index it keeps current.
    pub index: Arc<RuleIndex>,
}

impl MatcherWorker {
    /// Reads the feed after the compiled id; recompiles if a rule changed. Returns whether
    /// there may be more to read.
    ///
    /// Rows are read as stored and only their `kind` is looked at; just the kinds that
    /// change what is compiled are decoded whole. Nearly every row under load is an
    /// `eventReceived` entry, and decoding each whole, from the database, every 5 s (plain
    /// events woke no worker) took a fifth of a core at 60,000 events/s and kept a read
    /// open long enough that the WAL could not start again (`docs/benchmarks.md`). A row
    /// that does not parse is skipped: it cannot be a change this worker acts on, and it
    /// must not stop the rules from being compiled.
    pub async fn catch_up(&self) -> Result<bool, WorkerError> {
        let from = self.index.compiled_id();
        let rows = self.ctx.store.feed_rows_after(from, BATCH).await?;
        let Some(last) = rows.last().map(|r| r.id) else {
            return Ok(false);
        };
        let current = self.index.snapshot();
        if rows.iter().any(|row| changes_rules(&row.body, &current)) {
            // Read after the entries were committed, so the rules include them.
            let rules = CompiledRules::load(self.ctx.store.as_ref()).await?;
            tracing::debug!(feed_id = last, rules = rules.len(), "matcher recompiled");
            self.index.install(rules, last);
        } else {
            self.index.mark_compiled(last);
        }
        Ok(rows.len() as i64 == BATCH)
    }

    /// Follows the feed until shutdown: a pass after commits, at most one per
    /// [`crate::worker::PASS_GAP`], so each reads the rows just written (from the store's
    /// memory, on SQLite) rather than a backlog from the database.
    pub async fn run(self) -> Result<(), WorkerError> {
        let mut wake = self.ctx.store.subscribe();
        let mut last = tokio::time::Instant::now() - crate::worker::PASS_GAP;
        loop {
            if *self.ctx.shutdown.borrow() {
                return Ok(());
            }
            crate::worker::pace(&mut last).await;
            crate::worker::hooks::checkpoint("matcher").await;
            wake.borrow_and_update();
            if self.catch_up().await? {
                continue;
            }
            // At most 5 s: a safety net for commits another node made (PostgreSQL).
            if !self
                .ctx
                .wait_for_commit(&mut wake, Duration::from_secs(5))
                .await
            {
                return Ok(());
            }
        }
    }
}

/// Whether the stored change `body` changes what is compiled: a rule, heartbeat, event
/// bus, archive or change pattern changed, or a maintenance window was created or deleted
/// (windows never change after creation: a suppression count or a boundary does not
/// count). Only those kinds are decoded.
fn changes_rules(body: &str, current: &CompiledRules) -> bool {
    #[derive(serde::Deserialize)]
    struct Kind<'a> {
        #[serde(borrow)]
        kind: std::borrow::Cow<'a, str>,
    }
    let Ok(Kind { kind }) = serde_json::from_str::<Kind>(body) else {
        return false;
    };
    match kind.as_ref() {
        "ruleChanged"
        | "heartbeatChanged"
        | "eventBusChanged"
        | "archiveChanged"
        | "changePatternChanged" => true,
        "maintenanceWindowChanged" => match serde_json::from_str::<Change>(body) {
            Ok(Change::MaintenanceWindowChanged { window, id }) => {
                window.is_none() || !current.has_window(&id)
            }
            // Of the kind but unreadable: compiling again is always safe.
            _ => true,
        },
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tocsin_api::native::EventReceived;

    /// The kinds are read from the stored text: each kind that changes what is compiled is
    /// recognised as serialized (a renamed variant fails here), and the rest are not.
    #[test]
    fn only_the_kinds_that_change_the_rules_are_acted_on() {
        let rules = CompiledRules::default();
        let stored = |c: Change| serde_json::to_string(&c).unwrap();
        for change in [
            Change::RuleChanged {
                arn: "arn:rule/r".into(),
            },
            Change::HeartbeatChanged {
                name: "h".into(),
                deleted: false,
            },
            Change::EventBusChanged {
                name: "b".into(),
                deleted: true,
            },
            Change::ArchiveChanged {
                name: "a".into(),
                deleted: false,
            },
            Change::ChangePatternChanged { name: "p".into() },
            Change::MaintenanceWindowChanged {
                window: None,
                id: "w".into(),
            },
        ] {
            let body = stored(change);
            assert!(changes_rules(&body, &rules), "{body}");
        }
        let event = Change::EventReceived(EventReceived {
            event_id: "e".into(),
            event_bus_name: "default".into(),
            source: "s".into(),
            detail_type: "d".into(),
            matched_rules: vec!["arn:rule/r".into()],
        });
        let tags = Change::TagsChanged {
            resource_arn: "arn:plan/p".into(),
        };
        for body in [stored(event), stored(tags), "not json".into(), "{}".into()] {
            assert!(!changes_rules(&body, &rules), "{body}");
        }
        // A window of the kind that does not parse: compiling again is the safe answer.
        assert!(changes_rules(
            r#"{"kind":"maintenanceWindowChanged","data":{"window":7}}"#,
            &rules
        ));
    }
}
