//! The registry's health follows its database.
//!
//! A background task asks the store ([`AnyStore::health`]) once a second
//! ([`POLL_INTERVAL`]) and sets the `grpc.health.v1` status of
//! `stdfund.v1.RegistryService`: `NOT_SERVING` while the database cannot
//! serve (PostgreSQL unreachable or not answering within 2 s; the SQLite
//! file at the configured path removed, replaced by another file, made
//! read-only, failing `PRAGMA quick_check` (run beside the probes, which
//! never wait for it), its file system down to less
//! than the 16 MiB of free space the store keeps, below which it refuses
//! writes itself, or its write lock held by another connection through two
//! probes), `SERVING` again as soon as it can, without a restart. A probe is bounded by the store (2 s), so a
//! failure shows within about 3 s.
//!
//! What it does not touch: `stdfund.v1.EstimateService` needs no database and
//! stays `SERVING`; the overall service `""` means "the process serves" and
//! stays `SERVING` until shutdown. Each transition logs one line (`WARN` with
//! the reason when the database fails, `INFO` when it recovers) and sets the
//! gauge `stdfund_registry_database_up` (1 or 0).
//!
//! While the database is down, the registry refuses every call that writes
//! at once with `UNAVAILABLE` ([`Registry::set_database_up`]): a client is
//! not kept waiting for the write timeout, and nothing is written into a
//! damaged file. Reads are still attempted. The verdict is at most one probe
//! interval old.
//!
//! The task stops before the shutdown turns every status `NOT_SERVING`, so a
//! last probe cannot turn the registry back to `SERVING` during the drain.

use crate::metrics::Metrics;
use crate::registry::Registry;
use std::sync::Arc;
use std::time::Duration;
use stdfund_proto::service_names;
use stdfund_store::{AnyStore, Health};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;
use tonic_health::ServingStatus;
use tonic_health::server::HealthReporter;

/// How often the database is probed.
pub const POLL_INTERVAL: Duration = Duration::from_secs(1);

/// The longest one probe may take here (the store bounds its own probe to
/// 2 s; this is a second fence around it).
const PROBE_LIMIT: Duration = Duration::from_secs(3);

/// The running watch; [`DatabaseWatch::stop`] ends it.
#[derive(Debug)]
pub struct DatabaseWatch {
    stop: Option<oneshot::Sender<()>>,
    task: JoinHandle<()>,
}

impl DatabaseWatch {
    /// Starts probing the registry's store every `interval`, reporting
    /// through `health`, `metrics` and the registry's write gate
    /// ([`Registry::set_database_up`]). The store was just opened (which
    /// checks it), so the registry starts `SERVING` and the database counts
    /// as up.
    pub fn start(
        registry: Registry,
        health: HealthReporter,
        metrics: Arc<Metrics>,
        interval: Duration,
    ) -> DatabaseWatch {
        metrics.set_database_up(true);
        registry.set_database_up(true);
        let store: AnyStore = registry.store().clone();
        let (stop_tx, mut stop_rx) = oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            let mut up = true;
            // The reason last logged: a changed one is logged again (a file
            // removed, then another file put at the path).
            let mut said = String::new();
            let mut ticks = tokio::time::interval(interval);
            ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                tokio::select! {
                    _ = &mut stop_rx => return,
                    _ = ticks.tick() => {}
                }
                let probe = tokio::time::timeout(PROBE_LIMIT, store.health());
                let verdict = tokio::select! {
                    _ = &mut stop_rx => return,
                    h = probe => h.unwrap_or_else(|_| Health::NotServing {
                        reason: format!(
                            "the database health probe did not end within {} s",
                            PROBE_LIMIT.as_secs()
                        ),
                    }),
                };
                match (up, verdict) {
                    (true, Health::NotServing { reason }) => {
                        up = false;
                        tracing::warn!(
                            service = service_names::REGISTRY,
                            %reason,
                            "registry database unavailable: health NOT_SERVING"
                        );
                        said = reason;
                        metrics.set_database_up(false);
                        registry.set_database_up(false);
                        health_status(&health, ServingStatus::NotServing).await;
                    }
                    (false, Health::Serving) => {
                        up = true;
                        tracing::info!(
                            service = service_names::REGISTRY,
                            "registry database available again: health SERVING"
                        );
                        metrics.set_database_up(true);
                        registry.set_database_up(true);
                        health_status(&health, ServingStatus::Serving).await;
                    }
                    (false, Health::NotServing { reason }) if reason != said => {
                        tracing::warn!(
                            service = service_names::REGISTRY,
                            %reason,
                            "registry database still unavailable, for another reason: health NOT_SERVING"
                        );
                        said = reason;
                    }
                    (false, Health::NotServing { reason }) => {
                        tracing::debug!(%reason, "registry database still unavailable");
                    }
                    (true, Health::Serving) => {}
                }
            }
        });
        DatabaseWatch {
            stop: Some(stop_tx),
            task,
        }
    }

    /// Stops the task and waits for it to end.
    pub async fn stop(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        let _ = (&mut self.task).await;
    }
}

impl Drop for DatabaseWatch {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn health_status(health: &HealthReporter, status: ServingStatus) {
    health
        .set_service_status(service_names::REGISTRY, status)
        .await;
}
