//! The claim registry as a client uses it, stage by stage, over real gRPC
//! calls to the in-process server, each test on SQLite and on PostgreSQL (a
//! throwaway cluster; under `CI=true` it must run):
//!
//! * [`submit`]: created or existing, idempotency, the credit-code check and
//!   its confirmation, lines that cannot be claimed, the one-time key;
//! * [`review`]: approval freezes the line, discretionary amounts, reject,
//!   return for correction and resubmission, withdrawal;
//! * [`batch`]: ReviewClaims, its dry run, all or nothing;
//! * [`budgets`]: municipal and district budgets and their guards;
//! * [`disburse`]: payment guards and partial payments;
//! * [`attachments`]: files checked by content, bytes kept exactly;
//! * [`races`]: writes meeting on one claim or key at the same moment;
//! * [`publications`]: drafts, issue, notice period, objections;
//! * [`exports`]: the CSV and XLSX files read back as a spreadsheet would;
//! * [`reports`]: GetReport and the 2020 targets;
//! * [`audit`]: the audit log, its filters and who may read it.
//!
//! One server per backend serves the whole binary
//! (`registry_support::shared_server`); each test takes a slot of its own
//! (its budget year, credit codes and idempotency keys) so that tests
//! running side by side never count each other's claims.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

#[path = "../registry_support/mod.rs"]
mod registry_support;

/// Runs each listed `async fn name(env: Env)` on both backends, as the tests
/// `name::sqlite` and `name::postgres`, with the slot given.
macro_rules! on_both_backends {
    ($($name:ident = $slot:literal;)*) => {
        $(
            mod $name {
                use crate::registry_support::{Backend, Env};

                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn sqlite() {
                    let env = Env::new(Backend::Sqlite, $slot, stringify!($name)).await;
                    super::$name(env.unwrap()).await;
                }

                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn postgres() {
                    if let Some(env) = Env::new(Backend::Postgres, $slot, stringify!($name)).await {
                        super::$name(env).await;
                    }
                }
            }
        )*
    };
}

mod attachments;
mod audit;
mod batch;
mod budgets;
mod disburse;
mod exports;
mod publications;
mod races;
mod reports;
mod review;
mod submit;
