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

ops::impl_claim_store!(PgStore, Backend::Postgres);
