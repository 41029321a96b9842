//! Persistence for the stdfund claim registry.
//!
//! One generic implementation, [`Store<DB>`], over sqlx for SQLite (an embedded file, the
//! default) and PostgreSQL; [`AnyStore`] picks one at run time. The store knows no funding
//! rules: the server computes estimates, amounts and splits with `stdfund-rules` and passes
//! them in. It uses the rules crate's [`Money`](stdfund_rules::money::Money) and
//! [`Date`](stdfund_rules::date::Date) and nothing else of it.
//!
//! What the store guarantees, on both backends:
//! * **Typed claims**: a [`Claim`] holds its [`Filing`] and a [`ClaimState`] carrying the
//!   data of its status; payload texts are opaque and read back byte for byte.
//! * **One-time rule in the database**: a partial unique index on the one-time key over live
//!   claims (not WITHDRAWN, not REJECTED), plus `UNIQUE (submitted_by, idempotency_key)`.
//! * **Budgets**: an approval and its budget checks (CITY and, when set, the district) are
//!   one atomic step.
//! * **Payments**: dated between the approval and today, vouchers unique per payer, never
//!   more than approved and unpaid; the municipal and district parts add up to the frozen
//!   split exactly.
//! * **Audit**: every state change appends a hash-chained [`AuditEntry`] in its transaction;
//!   the database refuses to change or delete entries, and [`Store::verify_audit`] finds a
//!   chain broken behind its back.
//! * **Health**: [`Store::health`] follows the database (unreachable, file removed, replaced,
//!   read-only or corrupt); writes refuse a replaced file and give up after a bounded time.
//!
//! ```no_run
//! # async fn demo() -> Result<(), stdfund_store::StoreError> {
//! use stdfund_store::{AnyStore, OpenOptions};
//! let options = OpenOptions { create_if_missing: true, ..OpenOptions::default() };
//! let store = AnyStore::open("/var/lib/stdfund/registry.db", &options).await?;
//! assert!(store.health().await.is_serving());
//! # Ok(()) }
//! ```

mod audit;
mod audit_budgets;
mod audit_claims;
mod audit_records;
mod backend;
mod db;
pub mod error;
mod migrate;
pub mod model;
mod open;
mod ops;
mod records;
pub mod seal;
mod store;
mod validate;

pub use backend::{Backend, PgSite, SqliteSite};
pub use error::{AttachmentScope, ClaimAction, StoreError};
pub use model::*;
pub use seal::{AuditKey, AuditKeyError};
pub use store::{AnyStore, Location, Store, backup_sqlite};
pub use validate::{
    DEFAULT_PAGE_SIZE, MAX_APPLICANT_ATTACHMENT_BYTES, MAX_APPLICANT_ATTACHMENTS,
    MAX_CLAIM_ATTACHMENT_BYTES, MAX_CLAIM_ATTACHMENTS, MAX_PAGE_SIZE,
};
