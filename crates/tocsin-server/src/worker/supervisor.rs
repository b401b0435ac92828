//! One supervisor for every background worker: restarts a worker that panicked, returned
//! an error or stopped before shutdown, after a back-off that doubles per crash (reset
//! after a minute of healthy running), and keeps each worker's state for `/healthz`.

use std::collections::BTreeMap;
use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use futures::FutureExt;
use tocsin_api::native::{WorkerHealth, WorkerState};
use tokio::sync::watch;

/// Why a worker stopped (it is restarted).
pub type WorkerError = crate::domain::error::BoxError;

/// A worker that ran this long without crashing gets its back-off reset.
const HEALTHY_AFTER: Duration = Duration::from_secs(60);

/// Runs workers, restarts them when they die, and reports their state.
pub struct Supervisor {
    workers: Mutex<BTreeMap<&'static str, WorkerHealth>>,
    shutdown: watch::Receiver<bool>,
    backoff: Duration,
    backoff_max: Duration,
}

impl Supervisor {
    /// A supervisor whose workers stop when `shutdown` becomes `true`, restarted after
    /// `backoff`, doubling up to `backoff_max`.
    pub fn new(
        shutdown: watch::Receiver<bool>,
        backoff: Duration,
        backoff_max: Duration,
    ) -> Arc<Self> {
        Arc::new(Self {
            workers: Mutex::new(BTreeMap::new()),
            shutdown,
            backoff,
            backoff_max,
        })
    }

    fn set(&self, name: &'static str, update: impl FnOnce(&mut WorkerHealth)) {
        if let Ok(mut workers) = self.workers.lock() {
            let entry = workers.entry(name).or_insert_with(|| WorkerHealth {
                name: name.to_owned(),
                state: WorkerState::Up,
                restarts: 0,
                last_error: None,
            });
            update(entry);
        }
    }

    /// Every worker's state, by name.
    pub fn health(&self) -> Vec<WorkerHealth> {
        self.workers
            .lock()
            .map(|w| w.values().cloned().collect())
            .unwrap_or_default()
    }

    /// Whether every worker is up.
    pub fn all_up(&self) -> bool {
        self.health().iter().all(|w| w.state == WorkerState::Up)
    }

    /// Starts worker `name`: `make` builds one run of it; a run that panics, fails, or ends
    /// before shutdown is logged, reported down, and started again after the back-off.
    pub fn spawn<F, Fut>(self: &Arc<Self>, name: &'static str, make: F)
    where
        F: Fn() -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<(), WorkerError>> + Send + 'static,
    {
        self.set(name, |_| {});
        let this = self.clone();
        tokio::spawn(async move {
            let mut shutdown = this.shutdown.clone();
            let mut backoff = this.backoff;
            loop {
                let started = Instant::now();
                this.set(name, |w| w.state = WorkerState::Up);
                let outcome = AssertUnwindSafe(make()).catch_unwind().await;
                if *shutdown.borrow() {
                    return;
                }
                let reason = match outcome {
                    Ok(Ok(())) => "stopped before shutdown".to_owned(),
                    Ok(Err(err)) => format!("failed: {err}"),
                    Err(panic) => format!("panicked: {}", panic_message(panic.as_ref())),
                };
                if started.elapsed() >= HEALTHY_AFTER {
                    backoff = this.backoff;
                }
                tracing::error!(worker = name, %reason, restart_in = ?backoff, "worker stopped; restarting");
                this.set(name, |w| {
                    w.state = WorkerState::Down;
                    w.restarts += 1;
                    w.last_error = Some(reason);
                });
                tokio::select! {
                    _ = tokio::time::sleep(backoff) => {},
                    _ = shutdown.wait_for(|s| *s) => return,
                }
                backoff = (backoff * 2).min(this.backoff_max);
            }
        });
    }
}

/// The message a panic carried (`&str` or `String` payloads), or "unknown panic".
pub(crate) fn panic_message(panic: &(dyn std::any::Any + Send)) -> String {
    panic
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown panic".to_owned())
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicU32, Ordering};

    use super::*;

    #[tokio::test]
    async fn restarts_after_panic_and_error_and_reports_state() {
        let (_stop, shutdown) = watch::channel(false);
        let sup = Supervisor::new(shutdown, Duration::from_millis(200), Duration::from_secs(1));
        let runs = Arc::new(AtomicU32::new(0));
        let counter = runs.clone();
        sup.spawn("flaky", move || {
            let n = counter.fetch_add(1, Ordering::SeqCst);
            async move {
                match n {
                    0 => panic!("first run panics"),
                    1 => Err::<(), WorkerError>("second run fails".into()),
                    _ => {
                        std::future::pending::<()>().await;
                        Ok(())
                    }
                }
            }
        });
        // Down after the panic, with the panic message.
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let h = sup.health();
            if h[0].state == WorkerState::Down {
                assert!(
                    h[0].last_error
                        .as_deref()
                        .unwrap()
                        .contains("first run panics")
                );
                assert!(!sup.all_up());
                break;
            }
            assert!(Instant::now() < deadline, "never reported down");
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        // Up again after both restarts.
        loop {
            let h = sup.health();
            if runs.load(Ordering::SeqCst) >= 3 && h[0].state == WorkerState::Up {
                assert_eq!(h[0].restarts, 2);
                assert!(
                    h[0].last_error
                        .as_deref()
                        .unwrap()
                        .contains("second run fails")
                );
                assert!(sup.all_up());
                break;
            }
            assert!(Instant::now() < deadline, "never came back up");
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    }
}
