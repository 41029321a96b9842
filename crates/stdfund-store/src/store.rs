//! The [`ClaimStore`] trait every backend implements, and [`AnyStore`], the runtime choice
//! between them.
//!
//! The trait uses return-position `impl Future + Send` (stable since Rust 1.75) instead of the
//! `async_trait` crate: no boxing per call, and every future is `Send`, so a tonic handler can
//! await it. Such a trait is not `dyn`-compatible; a server that chooses its backend at run
//! time holds an [`AnyStore`] (an enum over the two implementations) instead of a
//! `Box<dyn ClaimStore>`. Generic code (such as the shared test suite) can take
//! `S: ClaimStore`.
//!
//! Conventions for every method:
//! * `now` is an RFC 3339 timestamp chosen by the caller; it becomes `created_at`,
//!   `updated_at`, `reviewed_at`, `disbursed_at` and the audit row's `at`.
//! * `actor` is recorded in the audit row of every state change; the change and its audit row
//!   are written in one transaction.
//! * Inputs are validated before a transaction starts; errors are [`StoreError`]s with a
//!   stable [`code`](StoreError::code).

use std::future::Future;
use std::path::Path;

use rust_decimal::Decimal;

use crate::error::StoreError;
use crate::model::{
    Actor, AuditEntry, Backend, BudgetStatus, Claim, ClaimFilter, ClaimId, Decision, Disbursement,
    NewClaim, Page, ReportFilter, ReportRow, SubmitOutcome,
};
use crate::postgres::PgStore;
use crate::sqlite::SqliteStore;

/// The claim registry's persistence interface.
pub trait ClaimStore: Send + Sync {
    /// Which database this store uses.
    fn backend(&self) -> Backend;

    /// Applies pending schema migrations (idempotent). The constructors already call it.
    fn migrate(&self) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// Checks that the database answers (for health checks).
    fn ping(&self) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// Closes the connection pool, waiting for connections in use to be returned. Later
    /// calls fail with [`StoreError::Unavailable`].
    fn close(&self) -> impl Future<Output = ()> + Send;

    /// Stores a new claim, or returns the claim this submitter already created with the same
    /// idempotency key ([`SubmitOutcome::Existing`]), or reports that another non-rejected
    /// claim holds the one-time key ([`SubmitOutcome::AlreadyGranted`]).
    ///
    /// Reusing an idempotency key for a *different* request (other application, subject,
    /// unit …) is [`StoreError::Conflict`]. The estimate is not part of that comparison.
    fn submit_claim(
        &self,
        claim: NewClaim,
        actor: &Actor,
        now: &str,
    ) -> impl Future<Output = Result<SubmitOutcome, StoreError>> + Send;

    /// Reads one claim; [`StoreError::NotFound`] if there is none.
    fn get_claim(&self, id: ClaimId) -> impl Future<Output = Result<Claim, StoreError>> + Send;

    /// Lists claims matching `filter` in ascending id order, `page_size` at a time (0 means
    /// 50; at most 1000). Pass the returned `next_cursor` to get the next page. Paging is by
    /// keyset (`id > cursor`), so rows are neither repeated nor skipped when claims are added
    /// between pages. (On PostgreSQL a claim whose insert commits *after* a page past its id
    /// was read is not seen by that walk: ids are assigned at insert, not at commit.)
    fn list_claims(
        &self,
        filter: &ClaimFilter,
        cursor: Option<&str>,
        page_size: u32,
    ) -> impl Future<Output = Result<Page<Claim>, StoreError>> + Send;

    /// Approves or rejects a SUBMITTED claim.
    ///
    /// Any other status is [`StoreError::InvalidState`]. An approval needs a budget for the
    /// claim's year ([`StoreError::BudgetNotSet`]) with enough left
    /// ([`StoreError::BudgetExceeded`], carrying total, used, left and requested); the check
    /// and the approval are atomic, so concurrent approvals never overspend.
    fn review_claim(
        &self,
        id: ClaimId,
        decision: Decision,
        actor: &Actor,
        now: &str,
    ) -> impl Future<Output = Result<Claim, StoreError>> + Send;

    /// Records the payment of an APPROVED claim (any other status is
    /// [`StoreError::InvalidState`]). The two shares must add up to the approved amount.
    fn record_disbursement(
        &self,
        id: ClaimId,
        disbursement: Disbursement,
        actor: &Actor,
        now: &str,
    ) -> impl Future<Output = Result<Claim, StoreError>> + Send;

    /// Sets (or changes) a year's budget total. A total below what is already approved for
    /// the year is [`StoreError::BudgetBelowUsed`].
    fn set_budget(
        &self,
        year: i32,
        total: Decimal,
        actor: &Actor,
        now: &str,
    ) -> impl Future<Output = Result<BudgetStatus, StoreError>> + Send;

    /// A year's budget with the amount used and left; `None` if no budget is set.
    fn budget(
        &self,
        year: i32,
    ) -> impl Future<Output = Result<Option<BudgetStatus>, StoreError>> + Send;

    /// APPROVED and DISBURSED claims (of one year, or all), in id order, for the public notice.
    fn approved_claims(
        &self,
        year: Option<i32>,
    ) -> impl Future<Output = Result<Vec<Claim>, StoreError>> + Send;

    /// Counts and sums grouped by (year, fiscal unit, clause), ordered by those keys.
    fn report(
        &self,
        filter: &ReportFilter,
    ) -> impl Future<Output = Result<Vec<ReportRow>, StoreError>> + Send;

    /// Audit rows (of one claim, or all) in ascending id order, paged like
    /// [`list_claims`](ClaimStore::list_claims).
    fn audit_log(
        &self,
        claim_id: Option<ClaimId>,
        cursor: Option<&str>,
        page_size: u32,
    ) -> impl Future<Output = Result<Page<AuditEntry>, StoreError>> + Send;
}

/// Either backend, chosen at run time (e.g. from `--database-url`).
#[derive(Debug, Clone)]
pub enum AnyStore {
    /// An embedded SQLite store.
    Sqlite(SqliteStore),
    /// A PostgreSQL store.
    Postgres(PgStore),
}

impl AnyStore {
    /// Opens a store from a location: a `postgres://` or `postgresql://` URL connects to
    /// PostgreSQL; anything else is a SQLite file path (a `sqlite://` prefix is stripped),
    /// created if missing. Migrations are applied either way.
    pub async fn open(location: &str) -> Result<Self, StoreError> {
        if location.starts_with("postgres://") || location.starts_with("postgresql://") {
            Ok(AnyStore::Postgres(PgStore::connect(location).await?))
        } else {
            let path = location.strip_prefix("sqlite://").unwrap_or(location);
            if path.is_empty() {
                return Err(StoreError::invalid("location", "empty database path"));
            }
            Ok(AnyStore::Sqlite(SqliteStore::open(Path::new(path)).await?))
        }
    }
}

impl From<SqliteStore> for AnyStore {
    fn from(s: SqliteStore) -> Self {
        AnyStore::Sqlite(s)
    }
}

impl From<PgStore> for AnyStore {
    fn from(s: PgStore) -> Self {
        AnyStore::Postgres(s)
    }
}

macro_rules! delegate {
    ($self:ident, $s:ident => $call:expr) => {
        match $self {
            AnyStore::Sqlite($s) => $call.await,
            AnyStore::Postgres($s) => $call.await,
        }
    };
}

impl ClaimStore for AnyStore {
    fn backend(&self) -> Backend {
        match self {
            AnyStore::Sqlite(s) => s.backend(),
            AnyStore::Postgres(s) => s.backend(),
        }
    }

    async fn migrate(&self) -> Result<(), StoreError> {
        delegate!(self, s => s.migrate())
    }

    async fn ping(&self) -> Result<(), StoreError> {
        delegate!(self, s => s.ping())
    }

    async fn close(&self) {
        delegate!(self, s => s.close())
    }

    async fn submit_claim(
        &self,
        claim: NewClaim,
        actor: &Actor,
        now: &str,
    ) -> Result<SubmitOutcome, StoreError> {
        delegate!(self, s => s.submit_claim(claim, actor, now))
    }

    async fn get_claim(&self, id: ClaimId) -> Result<Claim, StoreError> {
        delegate!(self, s => s.get_claim(id))
    }

    async fn list_claims(
        &self,
        filter: &ClaimFilter,
        cursor: Option<&str>,
        page_size: u32,
    ) -> Result<Page<Claim>, StoreError> {
        delegate!(self, s => s.list_claims(filter, cursor, page_size))
    }

    async fn review_claim(
        &self,
        id: ClaimId,
        decision: Decision,
        actor: &Actor,
        now: &str,
    ) -> Result<Claim, StoreError> {
        delegate!(self, s => s.review_claim(id, decision, actor, now))
    }

    async fn record_disbursement(
        &self,
        id: ClaimId,
        disbursement: Disbursement,
        actor: &Actor,
        now: &str,
    ) -> Result<Claim, StoreError> {
        delegate!(self, s => s.record_disbursement(id, disbursement, actor, now))
    }

    async fn set_budget(
        &self,
        year: i32,
        total: Decimal,
        actor: &Actor,
        now: &str,
    ) -> Result<BudgetStatus, StoreError> {
        delegate!(self, s => s.set_budget(year, total, actor, now))
    }

    async fn budget(&self, year: i32) -> Result<Option<BudgetStatus>, StoreError> {
        delegate!(self, s => s.budget(year))
    }

    async fn approved_claims(&self, year: Option<i32>) -> Result<Vec<Claim>, StoreError> {
        delegate!(self, s => s.approved_claims(year))
    }

    async fn report(&self, filter: &ReportFilter) -> Result<Vec<ReportRow>, StoreError> {
        delegate!(self, s => s.report(filter))
    }

    async fn audit_log(
        &self,
        claim_id: Option<ClaimId>,
        cursor: Option<&str>,
        page_size: u32,
    ) -> Result<Page<AuditEntry>, StoreError> {
        delegate!(self, s => s.audit_log(claim_id, cursor, page_size))
    }
}
