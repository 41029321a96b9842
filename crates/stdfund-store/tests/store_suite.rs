//! The shared store suite, run against SQLite (a file per test) and PostgreSQL (a throwaway
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

/// One `#[tokio::test]` per case and backend.
macro_rules! backend_suite {
    ($backend:ident, $harness:ty, [$($module:ident :: $case:ident),* $(,)?]) => {
        mod $backend {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $case() {
                    let Some(h) = <$harness>::new().await else { return };
                    crate::common::suite::$module::$case(&h).await;
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
                claims::submit_and_read_back,
                claims::bad_filings_are_refused,
                claims::idempotent_submit,
                claims::idempotent_twins_race,
                claims::one_time_rule_under_200_concurrent_submits,
                claims::one_time_key_groups_lead_and_participant,
                claims::one_time_rule_is_a_database_constraint,
                claims::any_store_delegates,
                lifecycle::review_sets_typed_states,
                lifecycle::refused_transitions_change_nothing,
                lifecycle::resubmit_keeps_history,
                lifecycle::resubmit_refusals,
                lifecycle::withdraw_frees_the_key,
                lifecycle::held_keys_are_the_live_claims,
                money::city_budget_is_enforced,
                money::district_budgets,
                money::concurrent_approvals_never_overspend,
                money::concurrent_budget_changes_chain,
                money::batch_review_all_or_none,
                money::payment_guards,
                money::partial_payments_add_up,
                money::report_counts_and_sums,
                publish::attachments_round_trip,
                publish::attachment_limits,
                publish::attachment_limits_hold_under_concurrent_adds,
                publish::publications_and_objections,
                publish::records_are_compared_with_the_log,
                audit::every_change_is_recorded,
                audit::audit_log_is_append_only,
                audit::tampering_edit_is_found,
                audit::tampering_delete_middle_is_found,
                audit::tampering_delete_last_is_found,
                audit::tampering_insert_is_found,
                audit::chain_survives_refusals_and_reopen,
                audit::claims_table_is_compared_with_the_log,
                audit::budgets_table_is_compared_with_the_log,
                audit::payments_deleted_or_inserted_are_found,
                audit::an_overspent_budget_is_found,
                audit::seals_vouch_for_the_log,
                queue::keyset_paging_is_stable,
                queue::filters_sorts_and_counts,
                queue::search_reads_a_number_with_other_brackets,
                schema::migrations_are_checked,
                schema::future_migrations_expand_contract,
                schema::rekey_with_collisions,
                schema::healthy_store_is_serving,
            ]
        );
    };
}

store_suite!(sqlite, crate::common::SqliteHarness);
store_suite!(postgres, crate::common::PgHarness);
