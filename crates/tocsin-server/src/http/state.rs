//! What every handler shares: the store, the compiled rules, the config, the supervisor's
//! view of the workers. Built once at start-up; cheap to clone.

use std::sync::Arc;

use tokio::sync::watch;

use crate::config::ServerConfig;
use crate::domain::error::{ApiError, ApiResult};
use crate::domain::matcher::{CompiledRules, RuleIndex};
use crate::outbound::OutboundPolicy;
use crate::store::Store;
use crate::worker::delivery::DeliveryWorker;
use crate::worker::matcher::MatcherWorker;
use crate::worker::{Supervisor, WorkerContext};

/// A rate limiter keyed by access key id.
pub type KeyedLimiter = governor::DefaultKeyedRateLimiter<String>;

/// Shared state: one `Arc`, so a clone (axum makes one per request and per middleware
/// layer) is a single atomic increment; fields are read through `Deref` to
/// [`AppStateInner`].
#[derive(Clone)]
pub struct AppState(Arc<AppStateInner>);

impl std::ops::Deref for AppState {
    type Target = AppStateInner;
    fn deref(&self) -> &AppStateInner {
        &self.0
    }
}

/// What [`AppState`] shares.
pub struct AppStateInner {
    /// Durable state.
    pub store: Arc<dyn Store>,
    /// The compiled rules of every bus, kept current by the matcher worker.
    pub rules: Arc<RuleIndex>,
    /// Start-up settings.
    pub config: Arc<ServerConfig>,
    /// Becomes `true` when the server shuts down; long-lived responses (SSE) end then.
    pub shutdown: watch::Receiver<bool>,
    /// Where outbound HTTP may go.
    pub outbound: Arc<OutboundPolicy>,
    /// The background workers and their state.
    pub supervisor: Arc<Supervisor>,
    /// Whether this node holds the scheduler lease (its leased workers run), for `/healthz`.
    pub leading: watch::Receiver<bool>,
    /// Requests per access key (`--rate-limit-per-key`), when limited.
    pub rate_limiter: Option<Arc<KeyedLimiter>>,
    /// PutEvents' group commit (its writer runs as the `ingest` worker).
    pub ingest: Arc<crate::domain::group_commit::GroupCommit>,
    /// The change feed fanned out to streams by the `feed` worker.
    pub feed: Arc<crate::worker::feed::FeedHub>,
    /// Live streams open now.
    pub open_streams: Arc<std::sync::atomic::AtomicUsize>,
    /// Access keys recently looked up (see [`crate::domain::keys::KeyCache`]).
    pub key_cache: crate::domain::keys::KeyCache,
    /// When each access key's use was last recorded (epoch seconds).
    pub key_uses: Arc<std::sync::Mutex<std::collections::HashMap<String, f64>>>,
    /// The SNS signing key (made on first use; see [`crate::domain::signing`]).
    pub signing: Arc<tokio::sync::OnceCell<crate::domain::signing::SigningKey>>,
    /// SNS signing certificates fetched by SNS receivers, by URL (PEM).
    pub sns_certs: Arc<std::sync::Mutex<std::collections::HashMap<String, Vec<u8>>>>,
}

impl AppState {
    /// Builds state over a store: compiles its rules and starts the background workers
    /// (`matcher`, `delivery`, `runbooks`, `notify`, `escalation`, `watch`, `silences`,
    /// `archives`, `retention`, `ingest`, `feed`) under the supervisor; `delivery` to
    /// `retention` only while this node holds the scheduler lease
    /// ([`crate::worker::lease`]). Must be called inside a Tokio runtime.
    /// Returns the state and the sender that signals shutdown (workers and streams stop).
    ///
    /// Errors: the store could not be read.
    pub async fn new(
        store: Arc<dyn Store>,
        config: ServerConfig,
    ) -> Result<(Self, watch::Sender<bool>), crate::store::StoreError> {
        crate::metrics::install();
        let rules = Arc::new(RuleIndex::default());
        // The position first: changes committed after it are replayed by the matcher worker.
        let position = store.latest_change_id().await?;
        rules.install(CompiledRules::load(store.as_ref()).await?, position);
        let (tx, rx) = watch::channel(false);
        let rate_limiter = std::num::NonZeroU32::new(config.rate_limit_per_key).map(|per_second| {
            let burst = per_second.saturating_mul(std::num::NonZeroU32::MIN.saturating_add(1));
            Arc::new(governor::RateLimiter::keyed(
                governor::Quota::per_second(per_second).allow_burst(burst),
            ))
        });
        let outbound = Arc::new(OutboundPolicy {
            allow: config.outbound_allow.clone(),
            extra_roots_pem: config.outbound_roots_pem.clone(),
        });
        let supervisor =
            Supervisor::new(rx.clone(), config.worker_backoff, config.worker_backoff_max);
        let ctx = WorkerContext {
            store: store.clone(),
            shutdown: rx.clone(),
        };
        // The workers whose work must be done once across nodes run only while this node
        // holds the scheduler lease (at once and for good on SQLite).
        let leading = crate::worker::lease::hold(store.clone(), rx.clone());
        let matcher = MatcherWorker {
            ctx: ctx.clone(),
            index: rules.clone(),
        };
        supervisor.spawn("matcher", move || matcher.clone().run());
        let config = Arc::new(config);
        let delivery = DeliveryWorker::new(ctx.clone(), outbound.clone(), config.clone());
        {
            let leading = leading.clone();
            supervisor.spawn("delivery", move || {
                let delivery = delivery.clone();
                crate::worker::lease::while_leading(leading.clone(), move || delivery.clone().run())
            });
        }
        let runbooks = crate::worker::runbooks::RunbookWorker {
            ctx: ctx.clone(),
            config: config.clone(),
            rules: rules.clone(),
            outbound: outbound.clone(),
        };
        {
            let leading = leading.clone();
            supervisor.spawn("runbooks", move || {
                let runbooks = runbooks.clone();
                crate::worker::lease::while_leading(leading.clone(), move || runbooks.clone().run())
            });
        }
        let signing: Arc<tokio::sync::OnceCell<crate::domain::signing::SigningKey>> =
            Arc::default();
        let notify = crate::worker::notify::NotifyWorker {
            ctx: ctx.clone(),
            config: config.clone(),
            policy: outbound.clone(),
            signing: signing.clone(),
        };
        {
            let leading = leading.clone();
            supervisor.spawn("notify", move || {
                let notify = notify.clone();
                crate::worker::lease::while_leading(leading.clone(), move || notify.clone().run())
            });
        }
        let escalation = crate::worker::escalation::EscalationWorker {
            ctx: ctx.clone(),
            config: config.clone(),
        };
        {
            let leading = leading.clone();
            supervisor.spawn("escalation", move || {
                let escalation = escalation.clone();
                crate::worker::lease::while_leading(leading.clone(), move || {
                    escalation.clone().run()
                })
            });
        }
        let watch = crate::worker::watch::WatchWorker {
            ctx: ctx.clone(),
            config: config.clone(),
            rules: rules.clone(),
        };
        {
            let leading = leading.clone();
            supervisor.spawn("watch", move || {
                let watch = watch.clone();
                crate::worker::lease::while_leading(leading.clone(), move || watch.clone().run())
            });
        }
        let archive_worker = crate::worker::archives::ArchiveWorker {
            ctx: ctx.clone(),
            config: config.clone(),
            rules: rules.clone(),
        };
        {
            let leading = leading.clone();
            supervisor.spawn("archives", move || {
                let archive_worker = archive_worker.clone();
                crate::worker::lease::while_leading(leading.clone(), move || {
                    archive_worker.clone().run()
                })
            });
        }
        let silences = crate::worker::silences::SilenceWorker {
            ctx: ctx.clone(),
            config: config.clone(),
            policy: outbound.clone(),
        };
        {
            let leading = leading.clone();
            supervisor.spawn("silences", move || {
                let silences = silences.clone();
                crate::worker::lease::while_leading(leading.clone(), move || silences.clone().run())
            });
        }
        let retention = crate::worker::retention::RetentionWorker {
            ctx: ctx.clone(),
            retention: Arc::new(config.retention.clone()),
        };
        {
            let leading = leading.clone();
            supervisor.spawn("retention", move || {
                let retention = retention.clone();
                crate::worker::lease::while_leading(leading.clone(), move || {
                    retention.clone().run()
                })
            });
        }
        let checkpoint = crate::worker::checkpoint::CheckpointWorker { ctx: ctx.clone() };
        supervisor.spawn("checkpoint", move || checkpoint.clone().run());
        if let Some(crate::config::SecretUrl(url)) = config.heartbeat_url.clone() {
            let pulse = crate::worker::pulse::Pulse {
                ctx: ctx.clone(),
                supervisor: supervisor.clone(),
                url,
                interval: config.heartbeat_interval,
            };
            supervisor.spawn("heartbeat", move || pulse.clone().run());
        }
        let ingest = Arc::new(crate::domain::group_commit::GroupCommit::new(store.clone()));
        {
            let ingest = ingest.clone();
            supervisor.spawn("ingest", move || crate::worker::ingest::run(ingest.clone()));
        }
        let feed = Arc::new(crate::worker::feed::FeedHub::new(position));
        let tailer = crate::worker::feed::FeedTailer {
            ctx: ctx.clone(),
            hub: feed.clone(),
            observer: Arc::default(),
        };
        supervisor.spawn("feed", move || tailer.clone().run());
        Ok((
            Self(Arc::new(AppStateInner {
                store,
                rules,
                config,
                shutdown: rx,
                outbound,
                supervisor,
                leading,
                rate_limiter,
                feed,
                ingest,
                open_streams: Arc::default(),
                key_cache: Default::default(),
                key_uses: Arc::default(),
                signing,
                sns_certs: Arc::default(),
            })),
            tx,
        ))
    }

    /// Waits until the matcher has compiled the rule change written at `feed_id` (nothing
    /// to wait for when `None`), at most `config.matcher_wait`.
    ///
    /// Errors: `InternalException` when the matcher does not get there in time; the change
    /// is stored and applies once it does.
    pub async fn await_matcher(&self, feed_id: Option<i64>) -> ApiResult<()> {
        match feed_id {
            None => Ok(()),
            Some(id) => self
                .rules
                .wait_compiled(id, self.config.matcher_wait)
                .await
                .map_err(|e| ApiError::Internal(Box::new(e))),
        }
    }
}
