//! Changes to what the matcher compiles (rules and their targets, heartbeats, maintenance
//! windows) apply to ingest only once the matcher has compiled them: an engine function
//! making one returns a [`RuleChange`], and the HTTP layer answers after the matcher has
//! reached its feed id (read-your-writes).

/// The result of a change to what the matcher compiles (a rule or its targets, a heartbeat,
/// a maintenance window) and the id of the feed entry it wrote (`None` when nothing
/// changed): the HTTP layer answers once the matcher has reached that id
/// (`rule_change!`, read-your-writes).
#[derive(Debug, Clone, PartialEq)]
pub struct RuleChange<T> {
    /// What the operation answers.
    pub output: T,
    /// The feed id the matcher must reach before the change is visible to ingest.
    pub feed_id: Option<i64>,
}
