//! [`Store<DB>`], the claim store written once for both backends, and [`AnyStore`], the
//! run-time choice between them.
//!
//! Conventions for every operation:
//! * `now` is chosen by the caller; it becomes the record's timestamps and the audit entry's
//!   `at`. `actor` is recorded in the audit entry of every state change; the change and its
//!   audit entry commit in one transaction.
//! * Inputs are validated before a transaction starts.
//! * Every call gives up after [`OpenOptions::write_timeout`] with
//!   [`StoreError::Unavailable`] (except [`Store::rekey`] and [`Store::verify_audit`], which
//!   walk the whole registry; their waits for a connection are bounded the same way).

use std::collections::BTreeSet;
use std::fmt;
use std::future::Future;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use sqlx::pool::PoolConnection;
use sqlx::{Pool, Postgres, Sqlite, Transaction};
use stdfund_rules::date::Date;
use stdfund_rules::money::Money;

use crate::backend::Backend;
use crate::db::{Cx, fen};
use crate::error::StoreError;
use crate::model::{
    Actor, Attachment, AuditEntry, AuditFilter, AuditSeals, AuditVerification, BackendKind,
    BackupInfo, BatchDecision, BatchOutcome, BudgetStatus, Claim, ClaimId, ClaimPage, ClaimQuery,
    Decision, Filing, Health, KeyAdoption, KeyCollision, NewAttachment, NewObjection,
    NewPublication, Objection, ObjectionOutcome, OpenOptions, OtherFiscalUnit, Page, Payment,
    PaymentInput, Publication, RekeyInput, RekeyReport, ReportFilter, ReportRow, Resubmission,
    SubmitOutcome, Timestamp,
};
use crate::seal::AuditKey;
use crate::{audit, audit_budgets, audit_claims, audit_records};
use crate::{migrate, open, ops, validate};

/// The claim store on one database: `Store<sqlx::Sqlite>` or `Store<sqlx::Postgres>`.
/// Cheap to clone (the pool is shared).
pub struct Store<DB: Backend> {
    inner: Arc<Inner<DB>>,
}

struct Inner<DB: Backend> {
    pool: Pool<DB>,
    site: DB::Site,
    timeout: Duration,
    /// The key sealing the audit entries this store appends.
    key: Option<AuditKey>,
    /// The migrations opening applied: (version, name).
    opened_with: std::sync::OnceLock<Vec<(i64, &'static str)>>,
}

impl<DB: Backend> Clone for Store<DB> {
    fn clone(&self) -> Self {
        Store {
            inner: Arc::clone(&self.inner),
        }
    }
}

impl<DB: Backend> fmt::Debug for Store<DB> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Store")
            .field("backend", &DB::KIND)
            .field("site", &self.inner.site)
            .field("timeout", &self.inner.timeout)
            .finish_non_exhaustive()
    }
}

impl Store<Sqlite> {
    /// Opens the SQLite file at `path` (created only with
    /// [`OpenOptions::create_if_missing`]), checks its integrity and writability, and
    /// applies pending migrations.
    pub async fn open(path: impl AsRef<Path>, options: &OpenOptions) -> Result<Self, StoreError> {
        let (pool, site) = open::sqlite(path.as_ref(), options).await?;
        let store = Store::assemble(pool, site, options);
        let applied = store.migrate().await?;
        let _ = store.inner.opened_with.set(applied);
        Ok(store)
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.inner.site.path
    }

    /// A consistent copy of this store's database at `dest`; see [`backup_sqlite`].
    pub async fn backup(&self, dest: impl AsRef<Path>) -> Result<BackupInfo, StoreError> {
        backup_sqlite(self.path(), dest).await
    }
}

impl Store<Postgres> {
    /// Connects to `url` (`postgres://user:password@host:port/db?sslmode=…`), waiting at
    /// most [`OpenOptions::connect_timeout`], checks that the database is writable, and
    /// applies pending migrations.
    pub async fn connect(url: &str, options: &OpenOptions) -> Result<Self, StoreError> {
        let (pool, site) = open::postgres(url, options).await?;
        let store = Store::assemble(pool, site, options);
        let applied = store.migrate().await?;
        let _ = store.inner.opened_with.set(applied);
        Ok(store)
    }
}

/// Writes a consistent copy of the SQLite store at `src` to `dest` while writers may be
/// active (`VACUUM INTO`: one read snapshot), fsyncs it, and checks it
/// (`PRAGMA integrity_check`). `dest` must not exist.
pub async fn backup_sqlite(
    src: impl AsRef<Path>,
    dest: impl AsRef<Path>,
) -> Result<BackupInfo, StoreError> {
    open::backup_sqlite(src.as_ref(), dest.as_ref()).await
}

impl<DB: Backend> Store<DB> {
    fn assemble(pool: Pool<DB>, site: DB::Site, options: &OpenOptions) -> Self {
        Store {
            inner: Arc::new(Inner {
                pool,
                site,
                timeout: options.write_timeout,
                key: options.audit_key.clone(),
                opened_with: std::sync::OnceLock::new(),
            }),
        }
    }

    /// Which database this store uses.
    pub fn backend(&self) -> BackendKind {
        DB::KIND
    }

    /// The underlying pool, for diagnostics and tests. Writing through it bypasses the
    /// store (the database still enforces the one-time rule, the append-only audit log and
    /// the frozen publications).
    pub fn pool(&self) -> &Pool<DB> {
        &self.inner.pool
    }

    /// Whether the database can serve, within about 2 s.
    ///
    /// SQLite: the file at the configured path is still the one opened (device and inode),
    /// writable by its mode, answers a read on a fresh connection, and passes
    /// `PRAGMA quick_check(1)` (repeated only when the file or its write-ahead log changed
    /// since it last passed, so an idle registry is probed in a few milliseconds), and its
    /// file system has the free space the store keeps ([`crate::OpenOptions::min_free_bytes`]).
    /// A removed or replaced file stays NOT_SERVING until the store is reopened; a read-only
    /// or corrupt one serves again when repaired, a full disk when space is freed. PostgreSQL: a connection of the probe's own
    /// answers within 2 s and the server accepts writes.
    pub async fn health(&self) -> Health {
        DB::probe(&self.inner.pool, &self.inner.site).await
    }

    /// Closes the pools, waiting for connections in use. Later calls fail with
    /// [`StoreError::Unavailable`].
    pub async fn close(&self) {
        self.inner.pool.close().await;
        DB::close_site(&self.inner.site).await;
    }

    /// The migrations opening this store applied, as (version, name): empty when the
    /// schema was already current.
    pub fn migrations_applied_at_open(&self) -> &[(i64, &'static str)] {
        self.inner.opened_with.get().map_or(&[], Vec::as_slice)
    }

    /// Applies pending migrations (opening already does); idempotent. Returns those
    /// applied now, as (version, name).
    pub async fn migrate(&self) -> Result<Vec<(i64, &'static str)>, StoreError> {
        // Not refused for want of free space: a store short of it still opens (to serve
        // reads, NOT_SERVING), and a migration that does not fit fails as SQLite fails it.
        let mut tx = self.begin_in_any_space().await?;
        let outcome = migrate::apply(&mut Cx::<DB>::new(&mut *tx)).await?;
        tx.commit().await?;
        for (version, name) in &outcome.unknown_compatible {
            tracing::warn!(
                version,
                name = name.as_str(),
                "the database has a migration this build does not know; it is marked \
                 compatible with older builds, so the store starts"
            );
        }
        if !outcome.applied.is_empty() {
            tracing::info!(applied = ?outcome.applied, "schema migrations applied");
        }
        Ok(outcome.applied)
    }

    /// Runs `fut`, giving up after the write timeout.
    async fn bounded<T>(
        &self,
        fut: impl Future<Output = Result<T, StoreError>>,
    ) -> Result<T, StoreError> {
        match tokio::time::timeout(self.inner.timeout, fut).await {
            Ok(out) => out,
            Err(_) => Err(StoreError::unavailable(format!(
                "the database did not answer within {} ms",
                self.inner.timeout.as_millis()
            ))),
        }
    }

    /// A pooled connection for reads.
    async fn read(&self) -> Result<PoolConnection<DB>, StoreError> {
        Ok(self.inner.pool.acquire().await?)
    }

    /// A write transaction (SQLite: `BEGIN IMMEDIATE`, after which the database file must
    /// still be the one opened; PostgreSQL: `READ COMMITTED`), refused while the database's
    /// disk is short of the free space the store keeps ([`crate::OpenOptions::min_free_bytes`]).
    async fn begin(&self) -> Result<Transaction<'static, DB>, StoreError> {
        DB::check_space(&self.inner.site)?;
        self.begin_in_any_space().await
    }

    /// [`Store::begin`] without the free-space check.
    async fn begin_in_any_space(&self) -> Result<Transaction<'static, DB>, StoreError> {
        let tx = match self.inner.pool.begin_with(DB::BEGIN_WRITE).await {
            Ok(tx) => tx,
            // A connection that cannot be opened because the file is gone or
            // replaced is reported as that, not as SQLite's "unable to open".
            Err(e) => {
                DB::check_site(&self.inner.site)?;
                return Err(e.into());
            }
        };
        DB::check_site(&self.inner.site)?;
        Ok(tx)
    }

    /// A read-only snapshot for reads that must see one state (verification).
    async fn snapshot(&self) -> Result<Transaction<'static, DB>, StoreError> {
        Ok(self.inner.pool.begin_with(DB::BEGIN_SNAPSHOT).await?)
    }

    /// Stores a new claim, or returns the claim this submitter already created with the same idempotency key and the same request ([`SubmitOutcome::Existing`]), or reports that another live claim holds the one-time key ([`SubmitOutcome::AlreadyGranted`]).
    ///
    /// Idempotency is per (submitter, idempotency key) with a fingerprint over the client's fields (not the estimate): the same key with another request is [`StoreError::IdempotencyKeyReused`].
    pub async fn submit(
        &self,
        filing: Filing,
        actor: &Actor,
        now: &Timestamp,
    ) -> Result<SubmitOutcome, StoreError> {
        validate::actor(actor)?;
        validate::filing(&filing)?;
        let hash = validate::request_hash(&filing);
        self.bounded(async {
            let mut tx = self.begin().await?;
            let out = ops::claims::submit(
                &mut Cx::<DB>::sealing(&mut *tx, self.inner.key.as_ref()),
                &filing,
                &hash,
                actor,
                now,
            )
            .await?;
            tx.commit().await?;
            Ok(out)
        })
        .await
    }

    /// One claim with its payments; [`StoreError::NotFound`] if there is none.
    pub async fn claim(&self, id: ClaimId) -> Result<Claim, StoreError> {
        self.bounded(async {
            let mut conn = self.read().await?;
            ops::claim_with_payments(&mut Cx::<DB>::new(&mut *conn), id).await
        })
        .await
    }

    /// The review queue: filtered, searched, sorted, keyset-paged claims (without payments), with counts per status when asked.
    pub async fn claims(&self, query: &ClaimQuery) -> Result<ClaimPage, StoreError> {
        self.bounded(async {
            let mut conn = self.read().await?;
            ops::query::claims(&mut Cx::<DB>::new(&mut *conn), query).await
        })
        .await
    }

    /// Decides a SUBMITTED claim: approve (budget-checked atomically, amount, split and record frozen), reject (frees the key) or return for correction (keeps it).
    pub async fn review(
        &self,
        id: ClaimId,
        decision: Decision,
        actor: &Actor,
        now: &Timestamp,
    ) -> Result<Claim, StoreError> {
        validate::actor(actor)?;
        ops::claims::check_decision(&decision)?;
        self.bounded(async {
            let mut tx = self.begin().await?;
            let out = ops::claims::review(
                &mut Cx::<DB>::sealing(&mut *tx, self.inner.key.as_ref()),
                id,
                &decision,
                actor,
                now,
            )
            .await?;
            tx.commit().await?;
            Ok(out)
        })
        .await
    }

    /// Decides many SUBMITTED claims in one transaction, all or none. With `dry_run` everything is done and checked, the figures reported, and the transaction rolled back.
    pub async fn review_batch(
        &self,
        decision: BatchDecision,
        dry_run: bool,
        actor: &Actor,
        now: &Timestamp,
    ) -> Result<BatchOutcome, StoreError> {
        validate::actor(actor)?;
        ops::claims::check_batch(&decision)?;
        self.bounded(async {
            let mut tx = self.begin().await?;
            let out = ops::claims::review_batch(
                &mut Cx::<DB>::sealing(&mut *tx, self.inner.key.as_ref()),
                &decision,
                dry_run,
                actor,
                now,
            )
            .await?;
            if dry_run {
                tx.rollback().await?;
            } else {
                tx.commit().await?;
            }
            Ok(out)
        })
        .await
    }

    /// Withdraws a SUBMITTED or RETURNED claim (frees its key). Only its submitter may, unless the actor's role is `admin`; anyone else gets [`StoreError::NotFound`].
    pub async fn withdraw(
        &self,
        id: ClaimId,
        reason: Option<String>,
        actor: &Actor,
        now: &Timestamp,
    ) -> Result<Claim, StoreError> {
        validate::actor(actor)?;
        let reason = reason.unwrap_or_default();
        validate::optional_text("reason", &reason)?;
        self.bounded(async {
            let mut tx = self.begin().await?;
            let out = ops::claims::withdraw(
                &mut Cx::<DB>::sealing(&mut *tx, self.inner.key.as_ref()),
                id,
                &reason,
                actor,
                now,
            )
            .await?;
            tx.commit().await?;
            Ok(out)
        })
        .await
    }

    /// Resubmits a RETURNED claim with a corrected filing (same submitter rule as [`withdraw`](Self::withdraw)); counts the resubmission and keeps the history in the audit log.
    pub async fn resubmit(
        &self,
        id: ClaimId,
        r: Resubmission,
        actor: &Actor,
        now: &Timestamp,
    ) -> Result<Claim, StoreError> {
        validate::actor(actor)?;
        validate::filing(&r.filing)?;
        self.bounded(async {
            let mut tx = self.begin().await?;
            let out = ops::claims::resubmit(
                &mut Cx::<DB>::sealing(&mut *tx, self.inner.key.as_ref()),
                id,
                &r,
                actor,
                now,
            )
            .await?;
            tx.commit().await?;
            Ok(out)
        })
        .await
    }

    /// Sets the total of the (year, payer) budget; below what approvals use is [`StoreError::BudgetBelowUsed`].
    pub async fn set_budget(
        &self,
        year: i32,
        payer: &str,
        total: Money,
        actor: &Actor,
        now: &Timestamp,
    ) -> Result<BudgetStatus, StoreError> {
        validate::actor(actor)?;
        validate::year("year", year)?;
        validate::text("payer", payer)?;
        fen("total", total)?;
        self.bounded(async {
            let mut tx = self.begin().await?;
            let out = ops::money::set_budget(
                &mut Cx::<DB>::sealing(&mut *tx, self.inner.key.as_ref()),
                year,
                payer,
                total,
                actor,
                now,
            )
            .await?;
            tx.commit().await?;
            Ok(out)
        })
        .await
    }

    /// The (year, payer) budget with its use; `None` when none is set.
    pub async fn budget(&self, year: i32, payer: &str) -> Result<Option<BudgetStatus>, StoreError> {
        self.bounded(async {
            let mut conn = self.read().await?;
            ops::money::budget_status(&mut Cx::<DB>::new(&mut *conn), year, payer).await
        })
        .await
    }

    /// Every budget (of one year, or all): by year, CITY first, then payers in byte order.
    pub async fn budgets(&self, year: Option<i32>) -> Result<Vec<BudgetStatus>, StoreError> {
        self.bounded(async {
            let mut conn = self.read().await?;
            ops::money::budgets(&mut Cx::<DB>::new(&mut *conn), year).await
        })
        .await
    }

    /// Records a payment towards an APPROVED claim; the claim becomes DISBURSED when fully paid. `today` is the China date of the server clock.
    pub async fn disburse(
        &self,
        id: ClaimId,
        p: PaymentInput,
        actor: &Actor,
        now: &Timestamp,
        today: Date,
    ) -> Result<Claim, StoreError> {
        validate::actor(actor)?;
        validate::text("voucher", &p.voucher)?;
        validate::text("payer", &p.payer)?;
        self.bounded(async {
            let mut tx = self.begin().await?;
            let out = ops::money::disburse(
                &mut Cx::<DB>::sealing(&mut *tx, self.inner.key.as_ref()),
                id,
                &p,
                actor,
                now,
                today,
            )
            .await?;
            tx.commit().await?;
            Ok(out)
        })
        .await
    }

    /// Every payment (of claims of one budget year, or all) with its claim (without payments), in payment id order.
    pub async fn payments(&self, year: Option<i32>) -> Result<Vec<(Payment, Claim)>, StoreError> {
        self.bounded(async {
            let mut conn = self.read().await?;
            ops::money::payments(&mut Cx::<DB>::new(&mut *conn), year).await
        })
        .await
    }

    /// Stores a file with a claim (portal actors: only on their own claims).
    pub async fn add_attachment(
        &self,
        claim_id: ClaimId,
        a: NewAttachment,
        actor: &Actor,
        now: &Timestamp,
    ) -> Result<Attachment, StoreError> {
        validate::actor(actor)?;
        ops::publish::check_attachment(&a)?;
        self.bounded(async {
            let mut tx = self.begin().await?;
            let out = ops::publish::add_attachment(
                &mut Cx::<DB>::sealing(&mut *tx, self.inner.key.as_ref()),
                claim_id,
                a,
                actor,
                now,
            )
            .await?;
            tx.commit().await?;
            Ok(out)
        })
        .await
    }

    /// A claim's attachments (metadata), in id order.
    pub async fn attachments(&self, claim_id: ClaimId) -> Result<Vec<Attachment>, StoreError> {
        self.bounded(async {
            let mut conn = self.read().await?;
            ops::publish::attachments(&mut Cx::<DB>::new(&mut *conn), claim_id).await
        })
        .await
    }

    /// One attachment with its bytes.
    pub async fn attachment(&self, id: i64) -> Result<(Attachment, Vec<u8>), StoreError> {
        self.bounded(async {
            let mut conn = self.read().await?;
            ops::publish::attachment(&mut Cx::<DB>::new(&mut *conn), id).await
        })
        .await
    }

    /// Creates a publication draft with its lines.
    pub async fn create_publication(
        &self,
        p: NewPublication,
        actor: &Actor,
        now: &Timestamp,
    ) -> Result<Publication, StoreError> {
        validate::actor(actor)?;
        ops::publish::check_publication(&p)?;
        self.bounded(async {
            let mut tx = self.begin().await?;
            let out = ops::publish::create_publication(
                &mut Cx::<DB>::sealing(&mut *tx, self.inner.key.as_ref()),
                &p,
                actor,
                now,
            )
            .await?;
            tx.commit().await?;
            Ok(out)
        })
        .await
    }

    /// Issues a draft; it is frozen from then on.
    pub async fn issue_publication(
        &self,
        id: i64,
        actor: &Actor,
        now: &Timestamp,
    ) -> Result<Publication, StoreError> {
        validate::actor(actor)?;
        self.bounded(async {
            let mut tx = self.begin().await?;
            let out = ops::publish::issue_publication(
                &mut Cx::<DB>::sealing(&mut *tx, self.inner.key.as_ref()),
                id,
                actor,
                now,
            )
            .await?;
            tx.commit().await?;
            Ok(out)
        })
        .await
    }

    /// One publication with its lines and objections.
    pub async fn publication(&self, id: i64) -> Result<Publication, StoreError> {
        self.bounded(async {
            let mut conn = self.read().await?;
            ops::publish::publication(&mut Cx::<DB>::new(&mut *conn), id).await
        })
        .await
    }

    /// One objection.
    pub async fn objection(&self, id: i64) -> Result<Objection, StoreError> {
        self.bounded(async {
            let mut conn = self.read().await?;
            ops::publish::objection(&mut Cx::<DB>::new(&mut *conn), id, false).await
        })
        .await
    }

    /// The fiscal units other than the claim's own under which its applicant filed (its
    /// other claims, and the claim's own filings before a resubmission).
    pub async fn other_fiscal_units(
        &self,
        claim: &Claim,
    ) -> Result<Vec<OtherFiscalUnit>, StoreError> {
        self.bounded(async {
            let mut conn = self.read().await?;
            ops::query::other_fiscal_units(&mut Cx::<DB>::new(&mut *conn), claim).await
        })
        .await
    }

    /// The objections recorded against a claim, oldest first.
    pub async fn claim_objections(&self, claim_id: ClaimId) -> Result<Vec<Objection>, StoreError> {
        self.bounded(async {
            let mut conn = self.read().await?;
            ops::publish::claim_objections(&mut Cx::<DB>::new(&mut *conn), claim_id).await
        })
        .await
    }

    /// Publications (of one year, or all), newest first, without lines and objections.
    pub async fn publications(&self, year: Option<i32>) -> Result<Vec<Publication>, StoreError> {
        self.bounded(async {
            let mut conn = self.read().await?;
            ops::publish::publications(&mut Cx::<DB>::new(&mut *conn), year).await
        })
        .await
    }

    /// The claims listed on ISSUED publications of a year.
    pub async fn published_claim_ids(&self, year: i32) -> Result<BTreeSet<ClaimId>, StoreError> {
        self.bounded(async {
            let mut conn = self.read().await?;
            ops::publish::published_claim_ids(&mut Cx::<DB>::new(&mut *conn), year).await
        })
        .await
    }

    /// Records an objection against a claim on an issued publication, received within its period.
    pub async fn record_objection(
        &self,
        o: NewObjection,
        actor: &Actor,
        now: &Timestamp,
        today: Date,
    ) -> Result<Objection, StoreError> {
        validate::actor(actor)?;
        ops::publish::check_objection(&o)?;
        self.bounded(async {
            let mut tx = self.begin().await?;
            let out = ops::publish::record_objection(
                &mut Cx::<DB>::sealing(&mut *tx, self.inner.key.as_ref()),
                &o,
                actor,
                now,
                today,
            )
            .await?;
            tx.commit().await?;
            Ok(out)
        })
        .await
    }

    /// Resolves an open objection.
    pub async fn resolve_objection(
        &self,
        id: i64,
        outcome: ObjectionOutcome,
        resolution: String,
        actor: &Actor,
        now: &Timestamp,
    ) -> Result<Objection, StoreError> {
        validate::actor(actor)?;
        validate::text("resolution", &resolution)?;
        self.bounded(async {
            let mut tx = self.begin().await?;
            let out = ops::publish::resolve_objection(
                &mut Cx::<DB>::sealing(&mut *tx, self.inner.key.as_ref()),
                id,
                outcome,
                &resolution,
                actor,
                now,
            )
            .await?;
            tx.commit().await?;
            Ok(out)
        })
        .await
    }

    /// APPROVED and DISBURSED claims (of a year, of a fiscal unit), in id order, without payments.
    pub async fn approved_claims(
        &self,
        year: Option<i32>,
        fiscal_unit: Option<&str>,
    ) -> Result<Vec<Claim>, StoreError> {
        self.bounded(async {
            let mut conn = self.read().await?;
            ops::query::approved_claims(&mut Cx::<DB>::new(&mut *conn), year, fiscal_unit).await
        })
        .await
    }

    /// Counts and sums per (year, fiscal unit, clause, item), in byte order of those keys.
    pub async fn report(&self, filter: &ReportFilter) -> Result<Vec<ReportRow>, StoreError> {
        self.bounded(async {
            let mut conn = self.read().await?;
            ops::query::report(&mut Cx::<DB>::new(&mut *conn), filter).await
        })
        .await
    }

    /// Audit entries in id order (newest first with [`AuditFilter::newest_first`]), filtered,
    /// keyset-paged.
    pub async fn audit_log(
        &self,
        filter: &AuditFilter,
        cursor: Option<&str>,
        page_size: u32,
    ) -> Result<Page<AuditEntry>, StoreError> {
        self.bounded(async {
            let mut conn = self.read().await?;
            audit::page(&mut Cx::<DB>::new(&mut *conn), filter, cursor, page_size).await
        })
        .await
    }

    /// Recomputes the audit hash chain and names the first broken entry; when the chain is
    /// intact, compares every claim with what the log says of it.
    pub async fn verify_audit(&self) -> Result<AuditVerification, StoreError> {
        let mut tx = self.snapshot().await?;
        let key = self.inner.key.as_ref();
        let mut out = audit::verify(&mut Cx::<DB>::new(&mut *tx), key).await?;
        if out.first_broken.is_none() {
            // A broken chain says nothing reliable about claims.
            out.claims =
                audit_claims::verify(&mut Cx::<DB>::sealing(&mut *tx, self.inner.key.as_ref()))
                    .await?;
            out.budgets =
                audit_budgets::verify(&mut Cx::<DB>::sealing(&mut *tx, self.inner.key.as_ref()))
                    .await?;
            out.records =
                audit_records::verify(&mut Cx::<DB>::sealing(&mut *tx, self.inner.key.as_ref()))
                    .await?;
        }
        tx.rollback().await?;
        Ok(out)
    }

    /// Which entries of the audit log carry seals ([`crate::seal`]).
    pub async fn audit_seals(&self) -> Result<AuditSeals, StoreError> {
        self.bounded(async {
            let mut conn = self.read().await?;
            audit::seals(&mut Cx::<DB>::new(&mut *conn)).await
        })
        .await
    }

    /// Takes the store's audit key ([`OpenOptions::audit_key`]) as the log's: refused with
    /// [`StoreError::AuditKeyMismatch`] when the log is sealed under another key; seals the
    /// last entry of a log that has entries and no seal yet. `Ok(None)` without a key.
    /// A server calls it once it has opened the store, before it serves.
    pub async fn adopt_audit_key(&self) -> Result<Option<KeyAdoption>, StoreError> {
        let Some(key) = self.inner.key.as_ref() else {
            return Ok(None);
        };
        self.bounded(async {
            let mut tx = self.begin_in_any_space().await?;
            let out = audit::adopt(&mut Cx::<DB>::new(&mut *tx), key).await?;
            tx.commit().await?;
            Ok(Some(out))
        })
        .await
    }

    /// Re-keys every live claim with `f` in one transaction; a key another live claim holds is recorded as a collision, never merged.
    pub async fn rekey(
        &self,
        f: &(dyn Fn(&RekeyInput) -> Option<String> + Send + Sync),
        actor: &Actor,
        now: &Timestamp,
    ) -> Result<RekeyReport, StoreError> {
        validate::actor(actor)?;
        let mut tx = self.begin().await?;
        let out = ops::rekey::rekey(
            &mut Cx::<DB>::sealing(&mut *tx, self.inner.key.as_ref()),
            f,
            actor,
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(out)
    }

    /// Every recorded key collision, in id order.
    pub async fn key_collisions(&self) -> Result<Vec<KeyCollision>, StoreError> {
        self.bounded(async {
            let mut conn = self.read().await?;
            ops::rekey::key_collisions(&mut Cx::<DB>::new(&mut *conn)).await
        })
        .await
    }

    /// The one-time keys the registry holds: those of every claim that is not withdrawn or
    /// rejected (a submitted, returned, approved or disbursed claim holds its key). A new
    /// claim with one of these keys is refused as already granted.
    pub async fn held_keys(&self) -> Result<BTreeSet<String>, StoreError> {
        self.bounded(async {
            let mut conn = self.read().await?;
            ops::query::held_keys(&mut Cx::<DB>::new(&mut *conn)).await
        })
        .await
    }
}

/// Either backend, chosen at run time (e.g. from `--database-url`).
#[derive(Debug, Clone)]
pub enum AnyStore {
    /// An embedded SQLite store.
    Sqlite(Store<Sqlite>),
    /// A PostgreSQL store.
    Postgres(Store<Postgres>),
}

impl From<Store<Sqlite>> for AnyStore {
    fn from(s: Store<Sqlite>) -> Self {
        AnyStore::Sqlite(s)
    }
}

impl From<Store<Postgres>> for AnyStore {
    fn from(s: Store<Postgres>) -> Self {
        AnyStore::Postgres(s)
    }
}

/// Where a store is: read from a `--database-url`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Location<'a> {
    /// A SQLite file.
    Sqlite(&'a std::path::Path),
    /// A PostgreSQL URL.
    Postgres(&'a str),
}

impl<'a> Location<'a> {
    /// `postgres://…` or `postgresql://…` is PostgreSQL; `sqlite://PATH`, `sqlite:PATH` (sqlx's
    /// spelling) or a plain path is a SQLite file. Refused, so that a misspelt URL never
    /// opens (and creates) a new, empty registry under a strange file name: another
    /// scheme (`mysql://…`), an empty path, and query options (`?mode=ro`), which are not
    /// read.
    pub fn parse(location: &'a str) -> Result<Self, StoreError> {
        if location.starts_with("postgres://") || location.starts_with("postgresql://") {
            return Ok(Location::Postgres(location));
        }
        let path = location
            .strip_prefix("sqlite://")
            .or_else(|| location.strip_prefix("sqlite:"))
            .unwrap_or(location);
        if let Some((scheme, _)) = path.split_once("://") {
            return Err(StoreError::invalid(
                "database_url",
                format!(
                    "`{scheme}://` is not a database this registry uses: give `sqlite://PATH` (or a \
                     file path) or `postgres://…`"
                ),
            ));
        }
        if path.trim().is_empty() {
            return Err(StoreError::invalid(
                "database_url",
                "the SQLite file path is empty: give `sqlite://PATH` or a file path",
            ));
        }
        if path.contains('?') {
            return Err(StoreError::invalid(
                "database_url",
                format!(
                    "`{location}` has URL options (`?…`), which are not read: give the SQLite file's \
                     path alone (the server sets the connection's options itself)"
                ),
            ));
        }
        Ok(Location::Sqlite(std::path::Path::new(path)))
    }
}

impl AnyStore {
    /// Opens a store from a location ([`Location::parse`]).
    pub async fn open(location: &str, options: &OpenOptions) -> Result<Self, StoreError> {
        match Location::parse(location)? {
            Location::Postgres(url) => Ok(AnyStore::Postgres(Store::connect(url, options).await?)),
            Location::Sqlite(path) => Ok(AnyStore::Sqlite(Store::open(path, options).await?)),
        }
    }

    /// See [`Store::backend`].
    pub fn backend(&self) -> BackendKind {
        match self {
            AnyStore::Sqlite(s) => s.backend(),
            AnyStore::Postgres(s) => s.backend(),
        }
    }

    /// See [`Store::health`].
    pub async fn health(&self) -> Health {
        match self {
            AnyStore::Sqlite(s) => s.health().await,
            AnyStore::Postgres(s) => s.health().await,
        }
    }

    /// See [`Store::close`].
    pub async fn close(&self) {
        match self {
            AnyStore::Sqlite(s) => s.close().await,
            AnyStore::Postgres(s) => s.close().await,
        }
    }

    /// See [`Store::migrations_applied_at_open`].
    pub fn migrations_applied_at_open(&self) -> &[(i64, &'static str)] {
        match self {
            AnyStore::Sqlite(s) => s.migrations_applied_at_open(),
            AnyStore::Postgres(s) => s.migrations_applied_at_open(),
        }
    }

    /// See [`Store::migrate`].
    pub async fn migrate(&self) -> Result<Vec<(i64, &'static str)>, StoreError> {
        match self {
            AnyStore::Sqlite(s) => s.migrate().await,
            AnyStore::Postgres(s) => s.migrate().await,
        }
    }

    /// See [`Store::submit`].
    pub async fn submit(
        &self,
        filing: Filing,
        actor: &Actor,
        now: &Timestamp,
    ) -> Result<SubmitOutcome, StoreError> {
        match self {
            AnyStore::Sqlite(s) => s.submit(filing, actor, now).await,
            AnyStore::Postgres(s) => s.submit(filing, actor, now).await,
        }
    }

    /// See [`Store::claim`].
    pub async fn claim(&self, id: ClaimId) -> Result<Claim, StoreError> {
        match self {
            AnyStore::Sqlite(s) => s.claim(id).await,
            AnyStore::Postgres(s) => s.claim(id).await,
        }
    }

    /// See [`Store::claims`].
    pub async fn claims(&self, query: &ClaimQuery) -> Result<ClaimPage, StoreError> {
        match self {
            AnyStore::Sqlite(s) => s.claims(query).await,
            AnyStore::Postgres(s) => s.claims(query).await,
        }
    }

    /// See [`Store::review`].
    pub async fn review(
        &self,
        id: ClaimId,
        decision: Decision,
        actor: &Actor,
        now: &Timestamp,
    ) -> Result<Claim, StoreError> {
        match self {
            AnyStore::Sqlite(s) => s.review(id, decision, actor, now).await,
            AnyStore::Postgres(s) => s.review(id, decision, actor, now).await,
        }
    }

    /// See [`Store::review_batch`].
    pub async fn review_batch(
        &self,
        decision: BatchDecision,
        dry_run: bool,
        actor: &Actor,
        now: &Timestamp,
    ) -> Result<BatchOutcome, StoreError> {
        match self {
            AnyStore::Sqlite(s) => s.review_batch(decision, dry_run, actor, now).await,
            AnyStore::Postgres(s) => s.review_batch(decision, dry_run, actor, now).await,
        }
    }

    /// See [`Store::withdraw`].
    pub async fn withdraw(
        &self,
        id: ClaimId,
        reason: Option<String>,
        actor: &Actor,
        now: &Timestamp,
    ) -> Result<Claim, StoreError> {
        match self {
            AnyStore::Sqlite(s) => s.withdraw(id, reason, actor, now).await,
            AnyStore::Postgres(s) => s.withdraw(id, reason, actor, now).await,
        }
    }

    /// See [`Store::resubmit`].
    pub async fn resubmit(
        &self,
        id: ClaimId,
        r: Resubmission,
        actor: &Actor,
        now: &Timestamp,
    ) -> Result<Claim, StoreError> {
        match self {
            AnyStore::Sqlite(s) => s.resubmit(id, r, actor, now).await,
            AnyStore::Postgres(s) => s.resubmit(id, r, actor, now).await,
        }
    }

    /// See [`Store::set_budget`].
    pub async fn set_budget(
        &self,
        year: i32,
        payer: &str,
        total: Money,
        actor: &Actor,
        now: &Timestamp,
    ) -> Result<BudgetStatus, StoreError> {
        match self {
            AnyStore::Sqlite(s) => s.set_budget(year, payer, total, actor, now).await,
            AnyStore::Postgres(s) => s.set_budget(year, payer, total, actor, now).await,
        }
    }

    /// See [`Store::budget`].
    pub async fn budget(&self, year: i32, payer: &str) -> Result<Option<BudgetStatus>, StoreError> {
        match self {
            AnyStore::Sqlite(s) => s.budget(year, payer).await,
            AnyStore::Postgres(s) => s.budget(year, payer).await,
        }
    }

    /// See [`Store::budgets`].
    pub async fn budgets(&self, year: Option<i32>) -> Result<Vec<BudgetStatus>, StoreError> {
        match self {
            AnyStore::Sqlite(s) => s.budgets(year).await,
            AnyStore::Postgres(s) => s.budgets(year).await,
        }
    }

    /// See [`Store::disburse`].
    pub async fn disburse(
        &self,
        id: ClaimId,
        p: PaymentInput,
        actor: &Actor,
        now: &Timestamp,
        today: Date,
    ) -> Result<Claim, StoreError> {
        match self {
            AnyStore::Sqlite(s) => s.disburse(id, p, actor, now, today).await,
            AnyStore::Postgres(s) => s.disburse(id, p, actor, now, today).await,
        }
    }

    /// See [`Store::payments`].
    pub async fn payments(&self, year: Option<i32>) -> Result<Vec<(Payment, Claim)>, StoreError> {
        match self {
            AnyStore::Sqlite(s) => s.payments(year).await,
            AnyStore::Postgres(s) => s.payments(year).await,
        }
    }

    /// See [`Store::add_attachment`].
    pub async fn add_attachment(
        &self,
        claim_id: ClaimId,
        a: NewAttachment,
        actor: &Actor,
        now: &Timestamp,
    ) -> Result<Attachment, StoreError> {
        match self {
            AnyStore::Sqlite(s) => s.add_attachment(claim_id, a, actor, now).await,
            AnyStore::Postgres(s) => s.add_attachment(claim_id, a, actor, now).await,
        }
    }

    /// See [`Store::attachments`].
    pub async fn attachments(&self, claim_id: ClaimId) -> Result<Vec<Attachment>, StoreError> {
        match self {
            AnyStore::Sqlite(s) => s.attachments(claim_id).await,
            AnyStore::Postgres(s) => s.attachments(claim_id).await,
        }
    }

    /// See [`Store::attachment`].
    pub async fn attachment(&self, id: i64) -> Result<(Attachment, Vec<u8>), StoreError> {
        match self {
            AnyStore::Sqlite(s) => s.attachment(id).await,
            AnyStore::Postgres(s) => s.attachment(id).await,
        }
    }

    /// See [`Store::create_publication`].
    pub async fn create_publication(
        &self,
        p: NewPublication,
        actor: &Actor,
        now: &Timestamp,
    ) -> Result<Publication, StoreError> {
        match self {
            AnyStore::Sqlite(s) => s.create_publication(p, actor, now).await,
            AnyStore::Postgres(s) => s.create_publication(p, actor, now).await,
        }
    }

    /// See [`Store::issue_publication`].
    pub async fn issue_publication(
        &self,
        id: i64,
        actor: &Actor,
        now: &Timestamp,
    ) -> Result<Publication, StoreError> {
        match self {
            AnyStore::Sqlite(s) => s.issue_publication(id, actor, now).await,
            AnyStore::Postgres(s) => s.issue_publication(id, actor, now).await,
        }
    }

    /// See [`Store::publication`].
    pub async fn publication(&self, id: i64) -> Result<Publication, StoreError> {
        match self {
            AnyStore::Sqlite(s) => s.publication(id).await,
            AnyStore::Postgres(s) => s.publication(id).await,
        }
    }

    /// See [`Store::objection`].
    pub async fn objection(&self, id: i64) -> Result<Objection, StoreError> {
        match self {
            AnyStore::Sqlite(s) => s.objection(id).await,
            AnyStore::Postgres(s) => s.objection(id).await,
        }
    }

    /// See [`Store::other_fiscal_units`].
    pub async fn other_fiscal_units(
        &self,
        claim: &Claim,
    ) -> Result<Vec<OtherFiscalUnit>, StoreError> {
        match self {
            AnyStore::Sqlite(s) => s.other_fiscal_units(claim).await,
            AnyStore::Postgres(s) => s.other_fiscal_units(claim).await,
        }
    }

    /// See [`Store::claim_objections`].
    pub async fn claim_objections(&self, claim_id: ClaimId) -> Result<Vec<Objection>, StoreError> {
        match self {
            AnyStore::Sqlite(s) => s.claim_objections(claim_id).await,
            AnyStore::Postgres(s) => s.claim_objections(claim_id).await,
        }
    }

    /// See [`Store::publications`].
    pub async fn publications(&self, year: Option<i32>) -> Result<Vec<Publication>, StoreError> {
        match self {
            AnyStore::Sqlite(s) => s.publications(year).await,
            AnyStore::Postgres(s) => s.publications(year).await,
        }
    }

    /// See [`Store::published_claim_ids`].
    pub async fn published_claim_ids(&self, year: i32) -> Result<BTreeSet<ClaimId>, StoreError> {
        match self {
            AnyStore::Sqlite(s) => s.published_claim_ids(year).await,
            AnyStore::Postgres(s) => s.published_claim_ids(year).await,
        }
    }

    /// See [`Store::record_objection`].
    pub async fn record_objection(
        &self,
        o: NewObjection,
        actor: &Actor,
        now: &Timestamp,
        today: Date,
    ) -> Result<Objection, StoreError> {
        match self {
            AnyStore::Sqlite(s) => s.record_objection(o, actor, now, today).await,
            AnyStore::Postgres(s) => s.record_objection(o, actor, now, today).await,
        }
    }

    /// See [`Store::resolve_objection`].
    pub async fn resolve_objection(
        &self,
        id: i64,
        outcome: ObjectionOutcome,
        resolution: String,
        actor: &Actor,
        now: &Timestamp,
    ) -> Result<Objection, StoreError> {
        match self {
            AnyStore::Sqlite(s) => {
                s.resolve_objection(id, outcome, resolution, actor, now)
                    .await
            }
            AnyStore::Postgres(s) => {
                s.resolve_objection(id, outcome, resolution, actor, now)
                    .await
            }
        }
    }

    /// See [`Store::approved_claims`].
    pub async fn approved_claims(
        &self,
        year: Option<i32>,
        fiscal_unit: Option<&str>,
    ) -> Result<Vec<Claim>, StoreError> {
        match self {
            AnyStore::Sqlite(s) => s.approved_claims(year, fiscal_unit).await,
            AnyStore::Postgres(s) => s.approved_claims(year, fiscal_unit).await,
        }
    }

    /// See [`Store::report`].
    pub async fn report(&self, filter: &ReportFilter) -> Result<Vec<ReportRow>, StoreError> {
        match self {
            AnyStore::Sqlite(s) => s.report(filter).await,
            AnyStore::Postgres(s) => s.report(filter).await,
        }
    }

    /// See [`Store::audit_log`].
    pub async fn audit_log(
        &self,
        filter: &AuditFilter,
        cursor: Option<&str>,
        page_size: u32,
    ) -> Result<Page<AuditEntry>, StoreError> {
        match self {
            AnyStore::Sqlite(s) => s.audit_log(filter, cursor, page_size).await,
            AnyStore::Postgres(s) => s.audit_log(filter, cursor, page_size).await,
        }
    }

    /// See [`Store::verify_audit`].
    pub async fn verify_audit(&self) -> Result<AuditVerification, StoreError> {
        match self {
            AnyStore::Sqlite(s) => s.verify_audit().await,
            AnyStore::Postgres(s) => s.verify_audit().await,
        }
    }

    /// See [`Store::audit_seals`].
    pub async fn audit_seals(&self) -> Result<AuditSeals, StoreError> {
        match self {
            AnyStore::Sqlite(s) => s.audit_seals().await,
            AnyStore::Postgres(s) => s.audit_seals().await,
        }
    }

    /// See [`Store::adopt_audit_key`].
    pub async fn adopt_audit_key(&self) -> Result<Option<KeyAdoption>, StoreError> {
        match self {
            AnyStore::Sqlite(s) => s.adopt_audit_key().await,
            AnyStore::Postgres(s) => s.adopt_audit_key().await,
        }
    }

    /// See [`Store::rekey`].
    pub async fn rekey(
        &self,
        f: &(dyn Fn(&RekeyInput) -> Option<String> + Send + Sync),
        actor: &Actor,
        now: &Timestamp,
    ) -> Result<RekeyReport, StoreError> {
        match self {
            AnyStore::Sqlite(s) => s.rekey(f, actor, now).await,
            AnyStore::Postgres(s) => s.rekey(f, actor, now).await,
        }
    }

    /// See [`Store::key_collisions`].
    pub async fn key_collisions(&self) -> Result<Vec<KeyCollision>, StoreError> {
        match self {
            AnyStore::Sqlite(s) => s.key_collisions().await,
            AnyStore::Postgres(s) => s.key_collisions().await,
        }
    }

    /// See [`Store::held_keys`].
    pub async fn held_keys(&self) -> Result<BTreeSet<String>, StoreError> {
        match self {
            AnyStore::Sqlite(s) => s.held_keys().await,
            AnyStore::Postgres(s) => s.held_keys().await,
        }
    }
}

#[cfg(test)]
mod location_tests {
    #![allow(clippy::unwrap_used)]
    use super::Location;
    use std::path::Path;

    #[test]
    fn a_database_url_names_one_database_or_is_refused() {
        for (url, file) in [
            ("sqlite://reg.sqlite", "reg.sqlite"),
            (
                "sqlite:///var/lib/stdfund/reg.sqlite",
                "/var/lib/stdfund/reg.sqlite",
            ),
            ("sqlite:reg.sqlite", "reg.sqlite"),
            ("./stdfund.sqlite", "./stdfund.sqlite"),
        ] {
            assert_eq!(
                Location::parse(url).unwrap(),
                Location::Sqlite(Path::new(file)),
                "{url}"
            );
        }
        assert_eq!(
            Location::parse("postgresql://u@h/db").unwrap(),
            Location::Postgres("postgresql://u@h/db")
        );
        for url in [
            "sqlite:",
            "sqlite://",
            " ",
            "mysql://h/db",
            "sqlite://reg.sqlite?mode=ro",
            "reg.sqlite?mode=rwc",
        ] {
            let e = Location::parse(url).unwrap_err();
            assert_eq!(e.code(), "INVALID_ARGUMENT", "{url}: {e}");
        }
    }
}
