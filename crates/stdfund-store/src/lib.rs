//! Persistence for the stdfund claim registry.
//!
//! One trait, [`ClaimStore`], with two implementations: [`SqliteStore`] (an embedded file, the
//! default) and [`PgStore`] (PostgreSQL, for scale). [`AnyStore`] picks one at run time.
//! The store knows nothing about the funding rules: the server computes estimates, amounts and
//! shares with `stdfund-rules` and passes the results in.
//!
//! What the store guarantees, on both backends:
//! * **One-time rule in the database**: a partial unique index on `one_time_key` over claims
//!   that are not REJECTED, plus `UNIQUE (submitted_by, idempotency_key)`. Under any number of
//!   concurrent submissions of one key exactly one claim is created; the others get
//!   [`SubmitOutcome::AlreadyGranted`] (or [`SubmitOutcome::Existing`] for a repeated
//!   idempotency key).
//! * **State machine**: SUBMITTED → APPROVED | REJECTED, APPROVED → DISBURSED, nothing else.
//! * **Budget**: an approval and the check of the year's remaining budget are one atomic step.
//! * **Audit**: every state change (submission, review, disbursement, budget change) appends
//!   an audit row in the same transaction; the database refuses UPDATE and DELETE on the audit
//!   table (and TRUNCATE on PostgreSQL).
//! * **Exact money**: amounts are stored as integer fen and exposed as [`Decimal`] yuan.
//!
//! ```no_run
//! # async fn demo() -> Result<(), stdfund_store::StoreError> {
//! use stdfund_store::{AnyStore, ClaimStore};
//! let store = AnyStore::open("/var/lib/stdfund/registry.db").await?; // or postgres://…
//! store.ping().await?;
//! # Ok(()) }
//! ```
//!
//! [`Decimal`]: rust_decimal::Decimal

pub mod error;
mod migrate;
pub mod model;
pub mod money;
mod ops;
pub mod postgres;
mod sql;
pub mod sqlite;
pub mod store;
mod validate;

pub use error::StoreError;
pub use model::{
    Actor, AuditAction, AuditEntry, Backend, BackupInfo, BudgetStatus, Claim, ClaimFilter, ClaimId,
    ClaimStatus, Decision, Disbursement, NewClaim, Page, ReportFilter, ReportRow, SubmitOutcome,
};
pub use postgres::PgStore;
pub use sqlite::{SqliteStore, backup_sqlite};
pub use store::{AnyStore, ClaimStore};
pub use validate::{DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE};
