//! The shared store suite, run against SQLite (a temp file) and PostgreSQL (a throwaway
//! cluster per test, see `common/pg.rs`). Each case is one test per backend.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects,
    missing_docs
)]

mod common;

macro_rules! backend_suite {
    ($backend:ident, $harness:ty, [$($case:ident),* $(,)?]) => {
        mod $backend {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $case() {
                    let Some(h) = <$harness>::new().await else { return };
                    crate::common::suite::$case(&h).await;
                }
            )*
        }
    };
}

macro_rules! store_suite {
    ($backend:ident, $harness:ty) => {
        backend_suite!(
            $backend,
            $harness,
            [
                submit_and_read_back,
                idempotent_submit,
                one_time_rule_under_200_concurrent_submits,
                one_time_rule_is_a_database_constraint,
                rejection_frees_the_one_time_key,
                state_machine_refuses_other_transitions,
                budget_is_enforced,
                concurrent_approvals_never_overspend,
                concurrent_budget_changes_chain_in_the_audit_log,
                disbursement_and_public_notice,
                paging_is_stable,
                report_counts_and_sums,
                audit_trail_records_every_change,
                audit_log_is_append_only,
                migrations_are_checked,
                any_store_delegates,
            ]
        );
    };
}

store_suite!(sqlite, crate::common::SqliteHarness);
store_suite!(postgres, crate::common::PgHarness);
