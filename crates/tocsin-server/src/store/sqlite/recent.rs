//! SQLite: the change-feed rows the ingest writer's direct connection wrote last, kept in
//! memory so the feed tailer (and a stream catching up) need not read them back.
//!
//! Under ingest load every direct commit woke the tailer, which sent
//! `SELECT … FROM change_feed WHERE id > ?` to sqlx's connection thread and waited for the
//! answer: two thread hand-overs and a query per commit, about a tenth of the server's CPU
//! with one event per request. The direct writer now hands the rows it wrote here, still
//! under the writer lock, before it announces them; [`Recent::after`] answers from them when
//! that is the same answer the database would give, and says "ask the database" otherwise.
//!
//! Invariant: the rows kept are ones committed, in id order. A read is answered from memory
//! only when the kept rows run without a gap from `after + 1` up to `limit` rows or to the
//! newest id announced; change-feed ids are unique, so no committed row can lie between two
//! consecutive ids, and rows written by a transaction (never kept) show as a gap.

use std::collections::VecDeque;
use std::sync::{Mutex, PoisonError};

use crate::store::FeedRow;

/// Rows kept; older ones are dropped as new ones arrive (about 4 MiB of typical entries:
/// a quarter of a second at 60,000 events/s, slack for a tailer or matcher pass delayed).
pub(super) const KEPT: usize = 16_384;

/// The last [`KEPT`] rows written by the direct connection.
#[derive(Debug, Default)]
pub(super) struct Recent {
    rows: Mutex<VecDeque<FeedRow>>,
}

impl Recent {
    /// Keeps `rows` (just committed, ids above every row kept so far).
    pub(super) fn push(&self, rows: impl IntoIterator<Item = FeedRow>) {
        let mut kept = self.rows.lock().unwrap_or_else(PoisonError::into_inner);
        for row in rows {
            if kept.back().is_some_and(|last| last.id >= row.id) {
                // Never expected (ids grow under the writer lock); start again rather than
                // keep rows out of order.
                kept.clear();
            }
            if kept.len() == KEPT {
                kept.pop_front();
            }
            kept.push_back(row);
        }
    }

    /// The rows with ids above `after`, at most `limit`, when the kept rows are exactly
    /// what `SELECT … WHERE id > after ORDER BY id LIMIT limit` returns given that `newest`
    /// is the newest id announced; `None` when only the database can tell.
    pub(super) fn after(&self, after: i64, limit: i64, newest: i64) -> Option<Vec<FeedRow>> {
        if after >= newest {
            // Nothing announced after it: only the database knows of rows written outside
            // this process (the tailer's pass every 5 s looks for them).
            return None;
        }
        let kept = self.rows.lock().unwrap_or_else(PoisonError::into_inner);
        let start = kept.partition_point(|row| row.id <= after);
        let limit = usize::try_from(limit).ok()?;
        let mut out = Vec::with_capacity(limit.min(kept.len() - start));
        let mut expected = after + 1;
        for row in kept.iter().skip(start) {
            if out.len() == limit || row.id > newest {
                break;
            }
            if row.id != expected {
                return None;
            }
            out.push(row.clone());
            expected += 1;
        }
        (out.len() == limit || expected > newest).then_some(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(id: i64) -> FeedRow {
        FeedRow {
            id,
            at: 1.0,
            body: format!("{{\"n\":{id}}}"),
        }
    }

    fn ids(rows: Option<Vec<FeedRow>>) -> Option<Vec<i64>> {
        rows.map(|r| r.into_iter().map(|r| r.id).collect())
    }

    #[test]
    fn answers_only_when_the_kept_rows_run_without_a_gap_to_the_newest() {
        let recent = Recent::default();
        recent.push((1..=5).map(row));
        assert_eq!(ids(recent.after(0, 500, 5)), Some(vec![1, 2, 3, 4, 5]));
        assert_eq!(ids(recent.after(3, 500, 5)), Some(vec![4, 5]));
        assert_eq!(ids(recent.after(3, 1, 5)), Some(vec![4]));
        // Row 6 was written by a transaction: not kept, so the database must answer.
        recent.push([row(7)]);
        assert_eq!(ids(recent.after(5, 500, 7)), None);
        assert_eq!(ids(recent.after(6, 500, 7)), Some(vec![7]));
        // Up to the limit the rows are known even with a gap after them.
        assert_eq!(ids(recent.after(3, 2, 7)), Some(vec![4, 5]));
        // Rows above the newest announced are not returned (not yet announced).
        recent.push([row(8)]);
        assert_eq!(ids(recent.after(6, 500, 7)), Some(vec![7]));
        // Nothing announced after `after`: the database (another process may have written).
        assert_eq!(ids(recent.after(8, 500, 8)), None);
        // Older than anything kept: the database.
        assert_eq!(ids(recent.after(-1, 500, 8)), None);
        assert_eq!(ids(recent.after(0, 0, 8)), Some(vec![]));
    }

    #[test]
    fn keeps_the_newest_rows_and_starts_again_on_an_id_out_of_order() {
        let recent = Recent::default();
        recent.push((1..=(KEPT as i64 + 10)).map(row));
        let newest = KEPT as i64 + 10;
        assert_eq!(recent.after(5, 500, newest), None);
        assert_eq!(
            recent.after(10, 3, newest).map(|r| r.len()),
            Some(3),
            "row 11 is the oldest kept"
        );
        recent.push([row(3)]);
        assert_eq!(ids(recent.after(2, 500, 3)), Some(vec![3]));
        assert_eq!(recent.after(10, 500, newest), None);
    }
}
