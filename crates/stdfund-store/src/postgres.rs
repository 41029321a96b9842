//! The PostgreSQL backend ([`PgStore`]).
//!
//! Connects by URL with a connection pool (TLS via rustls when the URL asks for it, e.g.
//! `sslmode=require`). Writes run in `READ COMMITTED` transactions, set explicitly so a server
//! whose default isolation is different behaves the same; transitions lock the claim row
//! (`SELECT … FOR UPDATE`) and approvals also lock the year's budget row, so the budget check
//! and the approval are atomic. The schema's partial unique index enforces the one-time rule,
//! and triggers make the audit log append-only (UPDATE, DELETE and TRUNCATE raise).

use std::str::FromStr;
use std::time::Duration;

use rust_decimal::Decimal;
use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};
use sqlx::{Connection, Postgres, Transaction};

use crate::error::StoreError;
use crate::model::{
    Actor, AuditEntry, Backend, BudgetStatus, Claim, ClaimFilter, ClaimId, Decision, Disbursement,
    NewClaim, Page, ReportFilter, ReportRow, SubmitOutcome,
};
use crate::store::ClaimStore;
use crate::{migrate, ops};

/// Default maximum number of pooled connections.
pub const PG_DEFAULT_POOL_SIZE: u32 = 10;

/// How long a call waits for a pooled connection before failing with
/// [`StoreError::Unavailable`].
pub const PG_ACQUIRE_TIMEOUT: Duration = Duration::from_secs(30);

/// The claim store on a PostgreSQL database.
#[derive(Debug, Clone)]
pub struct PgStore {
    pool: PgPool,
}

impl PgStore {
    /// Connects to `url` (`postgres://user:password@host:port/db?sslmode=…`) with a pool of
    /// [`PG_DEFAULT_POOL_SIZE`] connections and applies pending migrations.
    pub async fn connect(url: &str) -> Result<Self, StoreError> {
        Self::connect_with_pool_size(url, PG_DEFAULT_POOL_SIZE).await
    }

    /// Like [`connect`](Self::connect) with a chosen maximum number of pooled connections.
    pub async fn connect_with_pool_size(
        url: &str,
        max_connections: u32,
    ) -> Result<Self, StoreError> {
        let options = PgConnectOptions::from_str(url)
            .map_err(|e| StoreError::invalid("database_url", e.to_string()))?;
        Self::connect_with(options, max_connections).await
    }

    /// Connects with explicit options and applies pending migrations.
    pub async fn connect_with(
        options: PgConnectOptions,
        max_connections: u32,
    ) -> Result<Self, StoreError> {
        let pool = PgPoolOptions::new()
            .max_connections(max_connections.max(1))
            .acquire_timeout(PG_ACQUIRE_TIMEOUT)
            .connect_with(options)
            .await?;
        let store = PgStore { pool };
        store.migrate().await?;
        Ok(store)
    }

    /// The underlying pool, for diagnostics and tests. Writing through it bypasses the
    /// store's invariants (the database still enforces the one-time rule and the
    /// append-only audit log).
    pub fn pool(&self) -> &PgPool {
        &self.pool
    }

    async fn write(&self) -> Result<Transaction<'static, Postgres>, StoreError> {
        Ok(self
            .pool
            .begin_with("BEGIN ISOLATION LEVEL READ COMMITTED")
            .await?)
    }
}

impl ClaimStore for PgStore {
    fn backend(&self) -> Backend {
        Backend::Postgres
    }

    async fn migrate(&self) -> Result<(), StoreError> {
        let mut tx = self.write().await?;
        migrate::apply(&mut *tx).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn ping(&self) -> Result<(), StoreError> {
        let mut conn = self.pool.acquire().await?;
        conn.ping().await?;
        Ok(())
    }

    async fn close(&self) {
        self.pool.close().await;
    }

    async fn submit_claim(
        &self,
        claim: NewClaim,
        actor: &Actor,
        now: &str,
    ) -> Result<SubmitOutcome, StoreError> {
        ops::actor_ok(actor)?;
        let prepared = ops::prepare_claim(claim, now)?;
        let mut tx = self.write().await?;
        let out = ops::submit(&mut *tx, &prepared, actor, now).await?;
        tx.commit().await?;
        Ok(out)
    }

    async fn get_claim(&self, id: ClaimId) -> Result<Claim, StoreError> {
        let mut conn = self.pool.acquire().await?;
        ops::get_claim(&mut *conn, id).await
    }

    async fn list_claims(
        &self,
        filter: &ClaimFilter,
        cursor: Option<&str>,
        page_size: u32,
    ) -> Result<Page<Claim>, StoreError> {
        let mut conn = self.pool.acquire().await?;
        ops::list_claims(&mut *conn, filter, cursor, page_size).await
    }

    async fn review_claim(
        &self,
        id: ClaimId,
        decision: Decision,
        actor: &Actor,
        now: &str,
    ) -> Result<Claim, StoreError> {
        let decision = ops::prepare_decision(decision, actor, now)?;
        let mut tx = self.write().await?;
        let claim = ops::review(&mut *tx, id, &decision, actor, now).await?;
        tx.commit().await?;
        Ok(claim)
    }

    async fn record_disbursement(
        &self,
        id: ClaimId,
        disbursement: Disbursement,
        actor: &Actor,
        now: &str,
    ) -> Result<Claim, StoreError> {
        let prepared = ops::prepare_disbursement(disbursement, actor, now)?;
        let mut tx = self.write().await?;
        let claim = ops::disburse(&mut *tx, id, &prepared, actor, now).await?;
        tx.commit().await?;
        Ok(claim)
    }

    async fn set_budget(
        &self,
        year: i32,
        total: Decimal,
        actor: &Actor,
        now: &str,
    ) -> Result<BudgetStatus, StoreError> {
        let total_fen = ops::prepare_budget(year, total, actor, now)?;
        let mut tx = self.write().await?;
        let status = ops::set_budget(&mut *tx, year, total_fen, actor, now).await?;
        tx.commit().await?;
        Ok(status)
    }

    async fn budget(&self, year: i32) -> Result<Option<BudgetStatus>, StoreError> {
        let mut conn = self.pool.acquire().await?;
        ops::budget(&mut *conn, year).await
    }

    async fn approved_claims(&self, year: Option<i32>) -> Result<Vec<Claim>, StoreError> {
        let mut conn = self.pool.acquire().await?;
        ops::approved_claims(&mut *conn, year).await
    }

    async fn report(&self, filter: &ReportFilter) -> Result<Vec<ReportRow>, StoreError> {
        let mut conn = self.pool.acquire().await?;
        ops::report(&mut *conn, filter).await
    }

    async fn audit_log(
        &self,
        claim_id: Option<ClaimId>,
        cursor: Option<&str>,
        page_size: u32,
    ) -> Result<Page<AuditEntry>, StoreError> {
        let mut conn = self.pool.acquire().await?;
        ops::audit_log(&mut *conn, claim_id, cursor, page_size).await
    }
}
