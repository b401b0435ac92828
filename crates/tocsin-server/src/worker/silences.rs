//! The silence worker: creates, watches and expires the Alertmanager silences that
//! acknowledgements queue (see [`crate::domain::silences`]), through the SSRF-guarded
//! client, outside any transaction; each outcome is written in its own transaction with a
//! timeline entry. While a silence is active it polls `GET /api/v2/alerts` every
//! [`silences::POLL_SECS`] for the silenced alert: gone, or `endsAt` passed, is the alert's
//! resolution (Alertmanager sends no resolved notification for a silenced alert).

use std::sync::Arc;

use serde_json::json;
use tocsin_api::native::timeline_event_types as kinds;

use crate::clock;
use crate::config::ServerConfig;
use crate::domain::alerts::{self, AlertAction, AlertUpdate};
use crate::domain::silences;
use crate::domain::timeline::timeline_entry;
use crate::outbound::{self, OutboundPolicy};
use crate::store::{SilenceState, StoreResult, StoredSilence};
use crate::worker::{WorkerContext, WorkerError};

/// Failed attempts after which a silence is given up (with a timeline entry).
const MAX_ATTEMPTS: u32 = 8;

/// Talks to Alertmanagers.
#[derive(Clone)]
pub struct SilenceWorker {
    /// Store and shutdown.
    pub ctx: WorkerContext,
    /// Account (the receiver principal).
    pub config: Arc<ServerConfig>,
    /// Where outbound requests may go.
    pub policy: Arc<OutboundPolicy>,
}

/// Writes a timeline entry with its feed entry.
async fn note(
    tx: &mut dyn crate::store::StoreTx,
    event: tocsin_api::incidents::TimelineEvent,
) -> StoreResult<()> {
    tx.insert_timeline_event(&event).await?;
    tx.append_change(&tocsin_api::native::Change::TimelineEventAdded(event))
        .await?;
    Ok(())
}

/// What one request to the Alertmanager found.
enum Outcome {
    Created(String),
    Expired,
    StillFiring,
    AlertEnded,
    Failed(String),
}

fn rfc3339(t: f64) -> String {
    chrono::DateTime::from_timestamp_millis((t * 1000.0) as i64)
        .unwrap_or_default()
        .to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

impl SilenceWorker {
    async fn request(&self, client: &reqwest::Client, s: &StoredSilence, now: f64) -> Outcome {
        let base = &s.alertmanager_url;
        let result: Result<Outcome, String> = async {
            match s.state {
                SilenceState::Create => {
                    let mut body = json!({
                        "matchers": s.matchers.iter().map(|(name, value)| json!({
                            "name": name, "value": value, "isRegex": false, "isEqual": true,
                        })).collect::<Vec<_>>(),
                        "startsAt": rfc3339(now),
                        "endsAt": rfc3339(s.ends_at),
                        "createdBy": s.created_by,
                        "comment": s.comment,
                    });
                    if let Some(id) = &s.silence_id {
                        body["id"] = json!(id);
                    }
                    let url = format!("{base}/api/v2/silences");
                    outbound::check_url(&url, &self.policy).map_err(|e| e.to_string())?;
                    let r = client
                        .post(&url)
                        .json(&body)
                        .send()
                        .await
                        .map_err(|e| e.to_string())?;
                    let status = r.status();
                    let answer: serde_json::Value = r.json().await.unwrap_or_default();
                    match answer["silenceID"].as_str() {
                        Some(id) if status.is_success() => Ok(Outcome::Created(id.to_owned())),
                        _ => Err(format!("POST /api/v2/silences answered {status}: {answer}")),
                    }
                }
                SilenceState::Expire => {
                    let Some(id) = &s.silence_id else {
                        return Ok(Outcome::Expired);
                    };
                    let url = format!("{base}/api/v2/silence/{id}");
                    outbound::check_url(&url, &self.policy).map_err(|e| e.to_string())?;
                    let r = client
                        .delete(&url)
                        .send()
                        .await
                        .map_err(|e| e.to_string())?;
                    // 404: already expired or garbage-collected.
                    if r.status().is_success() || r.status() == reqwest::StatusCode::NOT_FOUND {
                        Ok(Outcome::Expired)
                    } else {
                        Err(format!(
                            "DELETE /api/v2/silence/{id} answered {}",
                            r.status()
                        ))
                    }
                }
                SilenceState::Active => {
                    let url = format!("{base}/api/v2/alerts");
                    outbound::check_url(&url, &self.policy).map_err(|e| e.to_string())?;
                    let r = client.get(&url).send().await.map_err(|e| e.to_string())?;
                    if !r.status().is_success() {
                        return Err(format!("GET /api/v2/alerts answered {}", r.status()));
                    }
                    let alerts: Vec<serde_json::Value> =
                        r.json().await.map_err(|e| e.to_string())?;
                    let alert = alerts
                        .iter()
                        .find(|a| a["fingerprint"] == s.fingerprint.as_str());
                    let ended = match alert {
                        None => true,
                        Some(a) => a["endsAt"]
                            .as_str()
                            .and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok())
                            .is_some_and(|t| (t.timestamp_millis() as f64) / 1000.0 <= now),
                    };
                    Ok(if ended {
                        Outcome::AlertEnded
                    } else {
                        Outcome::StillFiring
                    })
                }
                SilenceState::Done => Ok(Outcome::StillFiring),
            }
        }
        .await;
        result.unwrap_or_else(Outcome::Failed)
    }

    async fn act(
        &self,
        client: &reqwest::Client,
        incident: &str,
        key: &str,
        now: f64,
    ) -> StoreResult<()> {
        let Some(s) = self.ctx.store.read().await?.silence(incident, key).await? else {
            return Ok(());
        };
        if s.state == SilenceState::Active && now >= s.ends_at {
            let mut tx = self.ctx.store.write().await?;
            if let Some(mut cur) = tx.silence(incident, key).await?
                && cur.state == SilenceState::Active
            {
                cur.state = SilenceState::Done;
                cur.wake_at = None;
                tx.put_silence(&cur).await?;
            }
            return tx.commit().await;
        }
        let outcome = self.request(client, &s, now).await;
        let mut tx = self.ctx.store.write().await?;
        let Some(mut cur) = tx.silence(incident, key).await? else {
            return tx.commit().await;
        };
        let entry = |action: &str, extra: serde_json::Value| {
            let mut data = json!({
                "alertmanager": crate::domain::targets::redact_url(&cur.alertmanager_url),
                "fingerprint": cur.fingerprint,
                "action": action,
            });
            if let (Some(o), Some(e)) = (data.as_object_mut(), extra.as_object()) {
                o.extend(e.clone());
            }
            timeline_entry(incident, kinds::SILENCE_CHANGED, data, now)
        };
        match outcome {
            Outcome::Created(id) => {
                let first = cur.silence_id.is_none();
                cur.silence_id = Some(id.clone());
                cur.attempts = 0;
                cur.last_error = None;
                // Resolved while the request was out: expire what was just created.
                cur.state = match cur.state {
                    SilenceState::Done | SilenceState::Expire => SilenceState::Expire,
                    _ => SilenceState::Active,
                };
                cur.wake_at = Some(if cur.state == SilenceState::Expire {
                    now
                } else {
                    now + silences::POLL_SECS
                });
                if first {
                    note(
                        tx.as_mut(),
                        entry("created", json!({"silenceId": id, "endsAt": cur.ends_at})),
                    )
                    .await?;
                }
            }
            Outcome::Expired => {
                cur.state = SilenceState::Done;
                cur.wake_at = None;
                note(
                    tx.as_mut(),
                    entry("expired", json!({"silenceId": cur.silence_id})),
                )
                .await?;
            }
            Outcome::StillFiring => {
                if cur.state == SilenceState::Active {
                    cur.wake_at = Some(now + silences::POLL_SECS);
                }
            }
            Outcome::AlertEnded => {
                if cur.state == SilenceState::Active {
                    // The alert ended: expire the silence, so that the alert firing again
                    // is heard.
                    cur.state = SilenceState::Expire;
                    cur.wake_at = Some(now);
                    tx.put_silence(&cur).await?;
                    let receiver = key.split(':').nth(1).unwrap_or_default().to_owned();
                    let update = AlertUpdate {
                        source_key: key.to_owned(),
                        action: AlertAction::Resolve,
                        receiver,
                        ends_at: Some(now),
                        labels: Default::default(),
                        silence_url: None,
                        auto_resolve: true,
                        force: false,
                    };
                    let event_id = format!(
                        "silence-poll-{}",
                        cur.silence_id.clone().unwrap_or_default()
                    );
                    if let Err(err) =
                        alerts::apply(tx.as_mut(), &self.config, &update, &[], &event_id, now).await
                    {
                        tracing::warn!(%err, incident, "could not resolve a silenced alert");
                        drop(tx);
                        return Ok(());
                    }
                    tracing::info!(incident, fingerprint = %cur.fingerprint, "silenced alert ended at its Alertmanager");
                    // The resolution may have queued the silence's expiry: keep that.
                    return tx.commit().await;
                }
            }
            Outcome::Failed(reason) => {
                cur.attempts += 1;
                cur.last_error = Some(reason.clone());
                tracing::warn!(incident, %reason, attempt = cur.attempts, alertmanager = %crate::domain::targets::redact_url(&cur.alertmanager_url), "Alertmanager silence request failed");
                // Creating is given up after MAX_ATTEMPTS; expiring is retried until the
                // silence would end anyway (else a re-firing alert stays muted).
                let give_up = match cur.state {
                    SilenceState::Create => cur.attempts >= MAX_ATTEMPTS,
                    SilenceState::Expire => now >= cur.ends_at,
                    _ => false,
                };
                if give_up {
                    cur.state = SilenceState::Done;
                    cur.wake_at = None;
                    note(tx.as_mut(), entry("failed", json!({"reason": reason}))).await?;
                } else {
                    let backoff = 2f64.powi(cur.attempts.min(8) as i32).min(300.0);
                    cur.wake_at = Some(now + backoff);
                }
            }
        }
        tx.put_silence(&cur).await?;
        tx.commit().await
    }

    /// One pass over the due rows; returns how many.
    pub async fn pass_now(&self) -> StoreResult<usize> {
        let now = clock::now();
        let due = self.ctx.store.read().await?.due_silences(now).await?;
        if due.is_empty() {
            return Ok(0);
        }
        let client = outbound::client(self.policy.clone())
            .map_err(|e| crate::store::StoreError::Corrupt(format!("outbound client: {e}")))?;
        for (incident, key) in &due {
            self.act(&client, incident, key, now).await?;
        }
        Ok(due.len())
    }

    /// Runs until shutdown.
    pub async fn run(self) -> Result<(), WorkerError> {
        self.ctx.drain_until_shutdown("silences", &self).await;
        Ok(())
    }
}

#[async_trait::async_trait]
impl crate::worker::Outbox for SilenceWorker {
    async fn pass(&self) -> StoreResult<usize> {
        self.pass_now().await
    }

    async fn next_due(&self) -> StoreResult<Option<f64>> {
        self.ctx.store.read().await?.next_silence_wake().await
    }
}
