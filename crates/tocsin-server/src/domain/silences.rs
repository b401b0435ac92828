//! Acknowledgement goes back to Alertmanager: acknowledging an incident fed by Alertmanager
//! alerts queues one silence per firing alert (equality matchers on all its labels,
//! `createdBy` the responder, the note as comment, ending when the acknowledgement
//! expires); resolving the incident queues their expiry. The silence worker
//! ([`crate::worker::silences`]) talks to the Alertmanager (API v2) through the
//! SSRF-guarded client, after the commit.
//!
//! Alertmanager sends no resolved notification for a silenced alert, so while a silence is
//! active the worker polls `GET /api/v2/alerts` for its fingerprint and treats the alert's
//! disappearance or passed `endsAt` as its resolution.
//!
//! An acknowledgement without expiry silences for [`UNTIL_RESOLVED_SECS`] (7 days, the
//! longest acknowledgement); resolving expires it earlier.

use crate::domain::error::ApiResult;
use crate::store::{SilenceState, StoreTx, StoredSilence};

/// How long the silence of an acknowledgement without expiry lasts: 7 days.
pub const UNTIL_RESOLVED_SECS: f64 = 7.0 * 24.0 * 3600.0;
/// How often an active silence's alert is polled, seconds.
pub const POLL_SECS: f64 = 2.0;

/// Queues silences for the firing Alertmanager alerts of an acknowledged incident (or
/// moves the end of the ones it has).
pub async fn on_acknowledged(
    tx: &mut dyn StoreTx,
    incident_arn: &str,
    ack: &tocsin_api::native::Acknowledgement,
    now: f64,
) -> ApiResult<usize> {
    let ends_at = ack.until.unwrap_or(now + UNTIL_RESOLVED_SECS);
    let mut queued = 0;
    for source in tx.alert_sources_of(incident_arn).await? {
        let Some(fingerprint) = source.source_key.rsplit(':').next().map(str::to_owned) else {
            continue;
        };
        let (Some(url), true) = (source.silence_url.clone(), source.firing) else {
            continue;
        };
        if !source.source_key.starts_with("alertmanager:") || source.labels.is_empty() {
            continue;
        }
        let existing = tx.silence(incident_arn, &source.source_key).await?;
        let silence = StoredSilence {
            incident_arn: incident_arn.to_owned(),
            source_key: source.source_key.clone(),
            fingerprint,
            alertmanager_url: url.trim_end_matches('/').to_owned(),
            matchers: source.labels.clone(),
            created_by: ack.name.clone(),
            comment: ack
                .note
                .clone()
                .unwrap_or_else(|| format!("Acknowledged in Tocsin ({incident_arn})")),
            ends_at,
            state: SilenceState::Create,
            silence_id: existing.and_then(|e| e.silence_id),
            attempts: 0,
            last_error: None,
            wake_at: Some(now),
        };
        tx.put_silence(&silence).await?;
        queued += 1;
    }
    Ok(queued)
}

/// Queues the expiry of a resolved incident's silences.
pub async fn on_resolved(tx: &mut dyn StoreTx, incident_arn: &str, now: f64) -> ApiResult<()> {
    for mut s in tx.silences_of(incident_arn).await? {
        let next = match (s.state, &s.silence_id) {
            (SilenceState::Done | SilenceState::Expire, _) => continue,
            (_, Some(_)) => SilenceState::Expire,
            (_, None) => SilenceState::Done,
        };
        s.state = next;
        s.wake_at = (next == SilenceState::Expire).then_some(now);
        tx.put_silence(&s).await?;
    }
    Ok(())
}
