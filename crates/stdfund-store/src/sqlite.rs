//! The embedded SQLite backend ([`SqliteStore`]) and the online backup ([`backup_sqlite`]).
//!
//! Every connection is opened with `journal_mode=WAL`, `synchronous=FULL` (a commit is on disk
//! when it returns), `foreign_keys=ON` and a 30 s `busy_timeout`. Writes begin with
//! `BEGIN IMMEDIATE`, taking SQLite's single write lock before the first read, so a
//! read-check-write sequence (one-time key, budget) can never interleave with another writer
//! and never fails half-way with `SQLITE_BUSY` on lock upgrade. Readers are not blocked (WAL).

use std::path::{Path, PathBuf};
use std::time::Duration;

use rust_decimal::Decimal;
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};
use sqlx::{Connection, Row, Sqlite, Transaction};

use crate::error::StoreError;
use crate::model::{
    Actor, AuditEntry, Backend, BackupInfo, BudgetStatus, Claim, ClaimFilter, ClaimId, Decision,
    Disbursement, NewClaim, Page, ReportFilter, ReportRow, SubmitOutcome,
};
use crate::store::ClaimStore;
use crate::{migrate, ops};

/// How long a connection waits for SQLite's write lock before giving up with
/// [`StoreError::Unavailable`].
pub const SQLITE_BUSY_TIMEOUT: Duration = Duration::from_secs(30);

/// Default number of pooled connections (writes are serialised by SQLite anyway; the extra
/// connections serve concurrent readers).
pub const SQLITE_DEFAULT_POOL_SIZE: u32 = 8;

/// The claim store on an embedded SQLite file.
#[derive(Debug, Clone)]
pub struct SqliteStore {
    pool: SqlitePool,
    path: PathBuf,
}

fn connect_options(path: &Path, create: bool) -> SqliteConnectOptions {
    SqliteConnectOptions::new()
        .filename(path)
        .create_if_missing(create)
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Full)
        .foreign_keys(true)
        .busy_timeout(SQLITE_BUSY_TIMEOUT)
}

impl SqliteStore {
    /// Opens (creating if missing) the database file at `path` and applies pending migrations.
    pub async fn open(path: impl AsRef<Path>) -> Result<Self, StoreError> {
        Self::open_with_pool_size(path, SQLITE_DEFAULT_POOL_SIZE).await
    }

    /// Like [`open`](Self::open) with a chosen maximum number of pooled connections.
    pub async fn open_with_pool_size(
        path: impl AsRef<Path>,
        max_connections: u32,
    ) -> Result<Self, StoreError> {
        let path = path.as_ref().to_path_buf();
        let pool = SqlitePoolOptions::new()
            .max_connections(max_connections.max(1))
            .acquire_timeout(SQLITE_BUSY_TIMEOUT)
            .connect_with(connect_options(&path, true))
            .await?;
        let store = SqliteStore { pool, path };
        store.migrate().await?;
        Ok(store)
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The underlying pool, for diagnostics and tests. Writing through it bypasses the
    /// store's invariants (the database still enforces the one-time rule and the
    /// append-only audit log).
    pub fn pool(&self) -> &SqlitePool {
        &self.pool
    }

    /// A consistent copy of this store's database at `dest`; see [`backup_sqlite`].
    pub async fn backup(&self, dest: impl AsRef<Path>) -> Result<BackupInfo, StoreError> {
        backup_sqlite(&self.path, dest).await
    }

    async fn write(&self) -> Result<Transaction<'static, Sqlite>, StoreError> {
        Ok(self.pool.begin_with("BEGIN IMMEDIATE").await?)
    }
}

ops::impl_claim_store!(SqliteStore, Backend::Sqlite);

fn path_str<'a>(field: &'static str, p: &'a Path) -> Result<&'a str, StoreError> {
    p.to_str()
        .ok_or_else(|| StoreError::invalid(field, format!("{} is not UTF-8", p.display())))
}

/// Writes a consistent copy of the SQLite store at `src` to `dest`, while writers may be
/// active, and checks it.
///
/// Uses `VACUUM INTO` on a connection of its own: SQLite copies one read snapshot, so the copy
/// holds exactly the transactions committed before the backup's read began (every claim
/// acknowledged before the call is in it) and nothing half-written. Writers keep going
/// meanwhile (WAL). The copy is then fsynced (file and directory), opened, checked with
/// `PRAGMA integrity_check`, and its claims and audit rows are counted.
///
/// `dest` must not exist. The file system work is blocking; it is short next to the copy.
pub async fn backup_sqlite(
    src: impl AsRef<Path>,
    dest: impl AsRef<Path>,
) -> Result<BackupInfo, StoreError> {
    let (src, dest) = (src.as_ref(), dest.as_ref());
    let dest_str = path_str("dest", dest)?;
    if dest.exists() {
        return Err(StoreError::invalid(
            "dest",
            format!("{} already exists", dest.display()),
        ));
    }
    if !src.is_file() {
        return Err(StoreError::invalid(
            "src",
            format!("{} is not a database file", src.display()),
        ));
    }
    let source_options = SqliteConnectOptions::new()
        .filename(src)
        .create_if_missing(false)
        .busy_timeout(SQLITE_BUSY_TIMEOUT);
    let mut source = sqlx::SqliteConnection::connect_with(&source_options).await?;
    let copied = sqlx::query("VACUUM INTO $1")
        .bind(dest_str)
        .execute(&mut source)
        .await;
    source.close().await?;
    copied?;

    std::fs::File::open(dest)?.sync_all()?;
    if let Some(dir) = dest.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::File::open(dir)?.sync_all()?;
    }

    let copy_options = SqliteConnectOptions::new()
        .filename(dest)
        .create_if_missing(false)
        .read_only(true);
    let mut copy = sqlx::SqliteConnection::connect_with(&copy_options).await?;
    let checked = check_copy(&mut copy).await;
    copy.close().await?;
    let (claims, audit_rows) = checked?;
    let bytes = std::fs::metadata(dest)?.len();
    Ok(BackupInfo {
        claims,
        audit_rows,
        bytes,
    })
}

async fn check_copy(conn: &mut sqlx::SqliteConnection) -> Result<(i64, i64), StoreError> {
    let rows = sqlx::query("PRAGMA integrity_check")
        .fetch_all(&mut *conn)
        .await?;
    let verdicts = rows
        .iter()
        .map(|r| r.try_get::<String, _>(0))
        .collect::<Result<Vec<_>, _>>()?;
    if verdicts != ["ok"] {
        return Err(StoreError::corrupt(format!(
            "backup failed its integrity check: {}",
            verdicts.join("; ")
        )));
    }
    let claims: i64 = sqlx::query("SELECT COUNT(*) FROM claims")
        .fetch_one(&mut *conn)
        .await?
        .try_get(0)?;
    let audit_rows: i64 = sqlx::query("SELECT COUNT(*) FROM audit_log")
        .fetch_one(&mut *conn)
        .await?
        .try_get(0)?;
    Ok((claims, audit_rows))
}
