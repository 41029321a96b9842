//! Opening a store (SQLite file checks, PostgreSQL fail-fast connect) and the SQLite online
//! backup.
//!
//! SQLite connections use `journal_mode=WAL`, `synchronous=FULL` (a commit is on disk when it
//! returns), `foreign_keys=ON` and a `busy_timeout` of the write timeout. Before the pool
//! opens, an existing file must be a regular file, writable by its mode and by this process,
//! and pass `PRAGMA quick_check`; a missing one is created only with `create_if_missing`. The
//! file's device and inode are remembered so writes can refuse a replaced file.
//!
//! PostgreSQL: one connection is made directly first, within the connect timeout, so a
//! server that is down, unreachable or refusing the login fails the start quickly with its
//! real error; a read-only server (a standby) is refused. The pool then connects lazily with
//! the write timeout as its acquire timeout; a one-connection pool of its own serves the
//! health probe.

use std::path::Path;
use std::str::FromStr;

use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};
use sqlx::{Connection, Row};

use crate::backend::{HEALTH_TIMEOUT, PgSite, SqliteSite, file_identity};
use crate::error::StoreError;
use crate::model::{BackupInfo, OpenOptions};

/// Default pool sizes.
const SQLITE_POOL: u32 = 8;
const PG_POOL: u32 = 10;

fn pool_size(options: &OpenOptions, default: u32) -> u32 {
    match options.max_connections {
        0 => default,
        n => n,
    }
}

async fn quick_check(options: &SqliteConnectOptions) -> Result<(), StoreError> {
    let mut conn = sqlx::SqliteConnection::connect_with(options).await?;
    let verdict: Result<String, sqlx::Error> = async {
        sqlx::query("PRAGMA quick_check")
            .fetch_one(&mut conn)
            .await?
            .try_get(0)
    }
    .await;
    let _ = conn.close().await;
    match verdict? {
        v if v == "ok" => Ok(()),
        v => Err(StoreError::corrupt(format!(
            "the database file failed quick_check: {v}"
        ))),
    }
}

pub(crate) async fn sqlite(
    path: &Path,
    options: &OpenOptions,
) -> Result<(SqlitePool, SqliteSite), StoreError> {
    let shown = path.display().to_string();
    let exists = match std::fs::metadata(path) {
        Ok(meta) if !meta.is_file() => {
            return Err(StoreError::invalid(
                "path",
                format!("{shown} is not a regular file"),
            ));
        }
        Ok(meta) => {
            if meta.permissions().readonly() {
                return Err(StoreError::unavailable(format!(
                    "the database file {shown} is read-only"
                )));
            }
            // Opening for writing checks this process may write it.
            std::fs::OpenOptions::new()
                .write(true)
                .open(path)
                .map_err(|e| {
                    StoreError::unavailable(format!(
                        "the database file {shown} is not writable: {e}"
                    ))
                })?;
            true
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            if !options.create_if_missing {
                return Err(StoreError::DatabaseMissing { path: shown });
            }
            false
        }
        Err(e) => return Err(e.into()),
    };
    // The pool never creates the file: a connection it opens later, after
    // the file was deleted under the server, would otherwise make a new empty
    // database at the path, which the next start would take for the
    // registry. A missing file asked for is created here, once.
    let connect = SqliteConnectOptions::new()
        .filename(path)
        .create_if_missing(false)
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Full)
        .foreign_keys(true)
        .busy_timeout(options.write_timeout);
    if !exists {
        // The registry holds personal data (names, credit codes, objectors'
        // contacts): the file is the service account's alone. SQLite gives
        // its -wal and -shm files the database file's mode.
        use std::os::unix::fs::OpenOptionsExt;
        std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(path)?;
        sqlx::SqliteConnection::connect_with(&connect.clone().create_if_missing(true))
            .await?
            .close()
            .await?;
    }
    if exists {
        quick_check(
            &SqliteConnectOptions::new()
                .filename(path)
                .create_if_missing(false)
                .busy_timeout(options.write_timeout),
        )
        .await?;
    }
    let pool = SqlitePoolOptions::new()
        .max_connections(pool_size(options, SQLITE_POOL))
        .acquire_timeout(options.write_timeout)
        .before_acquire(|conn, _| Box::pin(async move { Ok(not_stuck(conn)) }))
        .connect_with(connect)
        .await?;
    let identity = file_identity(&std::fs::metadata(path)?);
    Ok((
        pool,
        SqliteSite::new(path.to_path_buf(), identity, options.min_free_bytes),
    ))
}

pub(crate) async fn postgres(
    url: &str,
    options: &OpenOptions,
) -> Result<(PgPool, PgSite), StoreError> {
    let connect = PgConnectOptions::from_str(url)
        .map_err(|e| StoreError::invalid("database_url", e.to_string()))?;
    let first = async {
        let mut conn = sqlx::PgConnection::connect_with(&connect).await?;
        let read_only: String = sqlx::query("SHOW transaction_read_only")
            .fetch_one(&mut conn)
            .await?
            .try_get(0)?;
        let _ = conn.close().await;
        if read_only == "on" {
            return Err(StoreError::unavailable(
                "the PostgreSQL server accepts no writes (a standby or read-only database)",
            ));
        }
        Ok(())
    };
    match tokio::time::timeout(options.connect_timeout, first).await {
        Ok(result) => result?,
        Err(_) => {
            return Err(StoreError::unavailable(format!(
                "PostgreSQL did not answer within {} ms",
                options.connect_timeout.as_millis()
            )));
        }
    }
    let pool = PgPoolOptions::new()
        .max_connections(pool_size(options, PG_POOL))
        .acquire_timeout(options.write_timeout)
        .before_acquire(|conn, _| Box::pin(async move { Ok(not_stuck(conn)) }))
        .connect_lazy_with(connect.clone());
    let health_pool = PgPoolOptions::new()
        .max_connections(1)
        .acquire_timeout(HEALTH_TIMEOUT)
        .connect_lazy_with(connect);
    Ok((pool, PgSite { health_pool }))
}

/// Whether a pooled connection may be handed out: not when sqlx still counts
/// a transaction open on it. That happens when the database ended the
/// transaction itself — SQLite rolls back on a full disk (`SQLITE_FULL`), so
/// the ROLLBACK that follows fails with "no transaction is active" and sqlx
/// never lowers its count — after which every `BEGIN` on the connection
/// would fail ("non-zero transaction depth") until a restart. Such a
/// connection is closed instead, and a new one opened. (A transaction
/// dropped unfinished is rolled back before the connection is pooled again,
/// so a sound connection always counts zero here.)
fn not_stuck<C: sqlx::Connection>(conn: &C) -> bool {
    if conn.is_in_transaction() {
        tracing::warn!(
            "a pooled database connection was left inside a transaction the database had \
             already ended (a failed commit or rollback); it is closed and replaced"
        );
        return false;
    }
    true
}

fn path_str<'a>(field: &'static str, p: &'a Path) -> Result<&'a str, StoreError> {
    p.to_str()
        .ok_or_else(|| StoreError::invalid(field, format!("{} is not UTF-8", p.display())))
}

/// How long the backup's own connections wait for a lock.
const BACKUP_BUSY_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(30);

pub(crate) async fn backup_sqlite(src: &Path, dest: &Path) -> Result<BackupInfo, StoreError> {
    let dest_str = path_str("dest", dest)?;
    if dest.exists() {
        return Err(StoreError::invalid(
            "dest",
            format!("{} already exists", dest.display()),
        ));
    }
    if !src.exists() {
        return Err(StoreError::DatabaseMissing {
            path: src.display().to_string(),
        });
    }
    if !src.is_file() {
        return Err(StoreError::invalid(
            "src",
            format!("{} is not a database file", src.display()),
        ));
    }
    // A copy of the registry is as private as the registry: the service
    // account's alone (VACUUM INTO fills an empty file it is given).
    {
        use std::os::unix::fs::OpenOptionsExt;
        std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(dest)?;
    }
    let source_options = SqliteConnectOptions::new()
        .filename(src)
        .create_if_missing(false)
        .busy_timeout(BACKUP_BUSY_TIMEOUT);
    let mut source = sqlx::SqliteConnection::connect_with(&source_options).await?;
    let copied = sqlx::query("VACUUM INTO $1")
        .bind(dest_str)
        .execute(&mut source)
        .await;
    source.close().await?;
    if let Err(e) = copied {
        let _ = std::fs::remove_file(dest);
        return Err(e.into());
    }

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
    let audit_rows: i64 = sqlx::query("SELECT COUNT(*) FROM audit_entries")
        .fetch_one(&mut *conn)
        .await?
        .try_get(0)?;
    Ok((claims, audit_rows))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    /// A transaction the database ended itself (as SQLite does on a full
    /// disk) leaves sqlx counting it open; the pool must not hand that
    /// connection out again, or every later write fails until a restart.
    #[tokio::test]
    async fn a_connection_whose_transaction_the_database_ended_is_replaced() {
        let dir = std::env::temp_dir().join(format!("stdfund-stuck-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("reg.sqlite");
        let options = OpenOptions {
            create_if_missing: true,
            max_connections: 1,
            ..OpenOptions::default()
        };
        let (pool, _) = sqlite(&path, &options).await.unwrap();
        // Created for the service account alone, its write-ahead log alike.
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(
            std::fs::metadata(&path).unwrap().permissions().mode() & 0o777,
            0o600
        );
        for _ in 0..3 {
            let mut tx = pool.begin_with("BEGIN IMMEDIATE").await.unwrap();
            // The database, not sqlx, ends the transaction.
            sqlx::query("ROLLBACK").execute(&mut *tx).await.unwrap();
            drop(tx);
            // The one pooled connection: without the check, "attempted to
            // call begin_with at non-zero transaction depth".
            let mut tx = pool
                .begin_with("BEGIN IMMEDIATE")
                .await
                .expect("a write after the database ended one");
            sqlx::query("SELECT 1").execute(&mut *tx).await.unwrap();
            tx.commit().await.unwrap();
        }
        let wal = dir.join("reg.sqlite-wal");
        assert_eq!(
            std::fs::metadata(&wal).unwrap().permissions().mode() & 0o777,
            0o600
        );
        pool.close().await;
        let _ = std::fs::remove_dir_all(&dir);
    }
}
