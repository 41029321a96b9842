//! The [`Backend`] trait: what differs between SQLite and PostgreSQL, and nothing else.
//!
//! [`Store<DB>`](crate::Store) is written once over `DB: Backend`. The trait is sealed (only
//! `sqlx::Sqlite` and `sqlx::Postgres` implement it) and its methods live on a private
//! supertrait, so they are not part of the public API. They are the few primitives the
//! generic code needs — run a statement with bound values, read rows, start a write
//! transaction — plus the per-backend checks behind [`health`](crate::Store::health) and
//! the SQLite file-identity check. Every SQL string is static text, or assembled by
//! `ops::query` from static fragments; values are always bound, never spliced in.

use std::borrow::Cow;
use std::fmt;
use std::future::Future;
use std::path::PathBuf;
use std::time::Duration;

use sqlx::postgres::{PgPool, PgRow};
use sqlx::sqlite::{SqliteConnectOptions, SqliteRow};
use sqlx::{AssertSqlSafe, Connection, Pool, Postgres, Row, Sqlite};

use crate::error::StoreError;
use crate::model::{BackendKind, Health};

/// A database the store runs on: `sqlx::Sqlite` or `sqlx::Postgres`. Sealed.
pub trait Backend: sealed::Sealed {}

impl Backend for Sqlite {}
impl Backend for Postgres {}

/// How long a health probe may take.
pub(crate) const HEALTH_TIMEOUT: Duration = Duration::from_secs(2);

/// How long the SQLite probe waits for the write lock. The store's own write
/// transactions hold it for milliseconds; another process holding it (an `sqlite3`
/// shell left inside `BEGIN`) makes every write wait its write timeout and fail. Held
/// through two probes in a row (about two seconds of waiting), the registry is
/// `NOT_SERVING` and says why, instead of answering `SERVING` while no write can pass.
pub(crate) const LOCK_WAIT: Duration = Duration::from_secs(1);

/// One bound value.
#[derive(Debug, Clone)]
pub enum Arg {
    I32(Option<i32>),
    I64(Option<i64>),
    Text(Option<String>),
    Bool(bool),
    Blob(Vec<u8>),
}

impl From<i32> for Arg {
    fn from(v: i32) -> Self {
        Arg::I32(Some(v))
    }
}
impl From<Option<i32>> for Arg {
    fn from(v: Option<i32>) -> Self {
        Arg::I32(v)
    }
}
impl From<i64> for Arg {
    fn from(v: i64) -> Self {
        Arg::I64(Some(v))
    }
}
impl From<Option<i64>> for Arg {
    fn from(v: Option<i64>) -> Self {
        Arg::I64(v)
    }
}
impl From<&str> for Arg {
    fn from(v: &str) -> Self {
        Arg::Text(Some(v.to_owned()))
    }
}
impl From<&String> for Arg {
    fn from(v: &String) -> Self {
        Arg::Text(Some(v.clone()))
    }
}
impl From<String> for Arg {
    fn from(v: String) -> Self {
        Arg::Text(Some(v))
    }
}
impl From<Option<&str>> for Arg {
    fn from(v: Option<&str>) -> Self {
        Arg::Text(v.map(str::to_owned))
    }
}
impl From<Option<String>> for Arg {
    fn from(v: Option<String>) -> Self {
        Arg::Text(v)
    }
}
impl From<&Option<String>> for Arg {
    fn from(v: &Option<String>) -> Self {
        Arg::Text(v.clone())
    }
}
impl From<bool> for Arg {
    fn from(v: bool) -> Self {
        Arg::Bool(v)
    }
}
impl From<Vec<u8>> for Arg {
    fn from(v: Vec<u8>) -> Self {
        Arg::Blob(v)
    }
}

/// A statement with its bound values (`$1`, `$2`, … in both dialects).
#[derive(Debug, Clone)]
pub struct Stmt {
    pub(crate) sql: Cow<'static, str>,
    pub(crate) args: Vec<Arg>,
}

impl Stmt {
    /// A statement from static text.
    pub(crate) fn new(sql: &'static str) -> Stmt {
        Stmt {
            sql: Cow::Borrowed(sql),
            args: Vec::new(),
        }
    }

    /// A statement assembled from static fragments (see `ops::query`).
    pub(crate) fn assembled(sql: String, args: Vec<Arg>) -> Stmt {
        Stmt {
            sql: Cow::Owned(sql),
            args,
        }
    }

    /// Binds the next value.
    pub(crate) fn bind(mut self, v: impl Into<Arg>) -> Stmt {
        self.args.push(v.into());
        self
    }
}

/// Typed column access on a result row.
pub trait DbRow: Send {
    fn i32(&self, col: &str) -> Result<i32, StoreError>;
    fn i64(&self, col: &str) -> Result<i64, StoreError>;
    fn opt_i64(&self, col: &str) -> Result<Option<i64>, StoreError>;
    fn text(&self, col: &str) -> Result<String, StoreError>;
    fn opt_text(&self, col: &str) -> Result<Option<String>, StoreError>;
    fn boolean(&self, col: &str) -> Result<bool, StoreError>;
    fn opt_bool(&self, col: &str) -> Result<Option<bool>, StoreError>;
    fn blob(&self, col: &str) -> Result<Vec<u8>, StoreError>;
}

fn decode_err(col: &str, e: &sqlx::Error) -> StoreError {
    StoreError::corrupt(format!("column {col}: {e}"))
}

impl DbRow for SqliteRow {
    fn i32(&self, col: &str) -> Result<i32, StoreError> {
        self.try_get(col).map_err(|e| decode_err(col, &e))
    }
    fn i64(&self, col: &str) -> Result<i64, StoreError> {
        self.try_get(col).map_err(|e| decode_err(col, &e))
    }
    fn opt_i64(&self, col: &str) -> Result<Option<i64>, StoreError> {
        self.try_get(col).map_err(|e| decode_err(col, &e))
    }
    fn text(&self, col: &str) -> Result<String, StoreError> {
        self.try_get(col).map_err(|e| decode_err(col, &e))
    }
    fn opt_text(&self, col: &str) -> Result<Option<String>, StoreError> {
        self.try_get(col).map_err(|e| decode_err(col, &e))
    }
    fn boolean(&self, col: &str) -> Result<bool, StoreError> {
        self.try_get(col).map_err(|e| decode_err(col, &e))
    }
    fn opt_bool(&self, col: &str) -> Result<Option<bool>, StoreError> {
        self.try_get(col).map_err(|e| decode_err(col, &e))
    }
    fn blob(&self, col: &str) -> Result<Vec<u8>, StoreError> {
        self.try_get(col).map_err(|e| decode_err(col, &e))
    }
}

impl DbRow for PgRow {
    fn i32(&self, col: &str) -> Result<i32, StoreError> {
        self.try_get(col).map_err(|e| decode_err(col, &e))
    }
    fn i64(&self, col: &str) -> Result<i64, StoreError> {
        self.try_get(col).map_err(|e| decode_err(col, &e))
    }
    fn opt_i64(&self, col: &str) -> Result<Option<i64>, StoreError> {
        self.try_get(col).map_err(|e| decode_err(col, &e))
    }
    fn text(&self, col: &str) -> Result<String, StoreError> {
        self.try_get(col).map_err(|e| decode_err(col, &e))
    }
    fn opt_text(&self, col: &str) -> Result<Option<String>, StoreError> {
        self.try_get(col).map_err(|e| decode_err(col, &e))
    }
    fn boolean(&self, col: &str) -> Result<bool, StoreError> {
        self.try_get(col).map_err(|e| decode_err(col, &e))
    }
    fn opt_bool(&self, col: &str) -> Result<Option<bool>, StoreError> {
        self.try_get(col).map_err(|e| decode_err(col, &e))
    }
    fn blob(&self, col: &str) -> Result<Vec<u8>, StoreError> {
        self.try_get(col).map_err(|e| decode_err(col, &e))
    }
}

/// The SQL dialect, for the few statements that differ.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    Sqlite,
    Postgres,
}

/// What a SQLite store knows about the file it opened.
#[derive(Debug)]
pub struct SqliteSite {
    pub(crate) path: PathBuf,
    pub(crate) identity: FileIdentity,
    /// The free space kept on the file's file system ([`crate::OpenOptions::min_free_bytes`]).
    pub(crate) min_free_bytes: u64,
    /// `PRAGMA quick_check`, which reads the whole file, run beside the probes
    /// ([`QuickCheck`]).
    pub(crate) quick: std::sync::Arc<QuickCheck>,
    /// Whether the last probe found the write lock held by another connection for
    /// [`LOCK_WAIT`]: two such probes in a row make the registry `NOT_SERVING`.
    pub(crate) lock_busy: std::sync::atomic::AtomicBool,
}

/// Size and modification time of the database file and its write-ahead log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stamps(Vec<(u64, Option<std::time::SystemTime>)>);

impl SqliteSite {
    /// Whether a write could start: `BEGIN IMMEDIATE` (rolled back at once, nothing
    /// written) on a connection of its own, waiting up to [`LOCK_WAIT`]. Refused twice in
    /// a row, the database is `NOT_SERVING`; any other failure to get the lock is left to
    /// the read check, which sees a removed or unreadable file.
    async fn write_lock(&self) -> Health {
        use std::sync::atomic::Ordering;
        let attempt = async {
            let options = SqliteConnectOptions::new()
                .filename(&self.path)
                .create_if_missing(false)
                .busy_timeout(LOCK_WAIT);
            let mut conn = sqlx::SqliteConnection::connect_with(&options).await?;
            let begun = sqlx::query("BEGIN IMMEDIATE").execute(&mut conn).await;
            if begun.is_ok() {
                sqlx::query("ROLLBACK").execute(&mut conn).await?;
            }
            let _ = conn.close().await;
            begun.map(|_| ())
        };
        let busy = match tokio::time::timeout(LOCK_WAIT.saturating_mul(2), attempt).await {
            Ok(Ok(())) => false,
            Ok(Err(e)) => crate::error::is_sqlite_busy(&e),
            Err(_) => true,
        };
        let before = self.lock_busy.swap(busy, Ordering::Relaxed);
        if busy && before {
            Health::NotServing {
                reason: format!(
                    "another connection has held the database's write lock for over {} s (an \
                     sqlite3 shell inside a transaction?): no write can pass",
                    LOCK_WAIT.as_secs().saturating_mul(2)
                ),
            }
        } else {
            Health::Serving
        }
    }

    /// A site for a freshly opened file.
    pub(crate) fn new(path: PathBuf, identity: FileIdentity, min_free_bytes: u64) -> SqliteSite {
        SqliteSite {
            path,
            identity,
            min_free_bytes,
            quick: std::sync::Arc::new(QuickCheck::default()),
            lock_busy: std::sync::atomic::AtomicBool::new(false),
        }
    }

    fn stamps(&self) -> Stamps {
        let wal = PathBuf::from(format!("{}-wal", self.path.display()));
        Stamps(
            [self.path.as_path(), wal.as_path()]
                .iter()
                .map(|p| match std::fs::metadata(p) {
                    Ok(m) => (m.len(), m.modified().ok()),
                    Err(_) => (0, None),
                })
                .collect(),
        )
    }
}

/// `PRAGMA quick_check` of a SQLite file, run in a task of its own beside the health
/// probes: it reads the whole file, which on a registry of gigabytes takes seconds, and a
/// probe that waited for it answered "did not answer within 2 s" — `NOT_SERVING`, writes
/// refused — for as long as writes kept changing the file (found by attacking the registry
/// under upload load, 2026-12-05). A check starts when the file changed since the last one
/// passed, one at a time, and not sooner after the last than ten times as long as that one
/// took (at least a second); its failure makes the probes `NOT_SERVING` until a later check
/// of the changed file passes.
#[derive(Debug, Default)]
pub(crate) struct QuickCheck {
    /// The files' sizes and modification times when a check last passed.
    passed: std::sync::Mutex<Option<Stamps>>,
    /// Why the last check failed, if it did.
    failed: std::sync::Mutex<Option<String>>,
    /// Whether a check is running.
    running: std::sync::atomic::AtomicBool,
    /// When the last check started, and how long it took.
    last: std::sync::Mutex<Option<(std::time::Instant, Duration)>>,
}

fn locked<T>(m: &std::sync::Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

impl QuickCheck {
    /// Forgets every verdict (the file was removed or replaced).
    fn reset(&self) {
        *locked(&self.passed) = None;
        *locked(&self.failed) = None;
    }

    /// Why the file failed its last check, if it did.
    fn failure(&self) -> Option<String> {
        locked(&self.failed).clone()
    }

    /// Starts a check of `path` if one is due.
    fn start_if_due(self: &std::sync::Arc<Self>, path: &std::path::Path, stamps: Stamps) {
        use std::sync::atomic::Ordering;
        if locked(&self.passed).as_ref() == Some(&stamps) {
            return;
        }
        let due = locked(&self.last).is_none_or(|(at, took)| {
            at.elapsed() >= took.saturating_mul(10).max(Duration::from_secs(1))
        });
        if !due || self.running.swap(true, Ordering::AcqRel) {
            return;
        }
        let me = std::sync::Arc::clone(self);
        let path = path.to_path_buf();
        tokio::spawn(async move {
            let started = std::time::Instant::now();
            let verdict: Result<String, StoreError> = async {
                let options = SqliteConnectOptions::new()
                    .filename(&path)
                    .create_if_missing(false)
                    .read_only(true);
                let mut conn = sqlx::SqliteConnection::connect_with(&options).await?;
                let row = sqlx::query("PRAGMA quick_check(1)")
                    .fetch_one(&mut conn)
                    .await;
                let _ = conn.close().await;
                Ok(row?.try_get::<String, _>(0)?)
            }
            .await;
            match verdict {
                Ok(v) if v == "ok" => {
                    *locked(&me.passed) = Some(stamps);
                    *locked(&me.failed) = None;
                }
                Ok(v) => {
                    *locked(&me.passed) = None;
                    *locked(&me.failed) =
                        Some(format!("the database file failed quick_check: {v}"));
                }
                Err(e) => {
                    *locked(&me.passed) = None;
                    *locked(&me.failed) = Some(format!("the database cannot be read: {e}"));
                }
            }
            *locked(&me.last) = Some((started, started.elapsed()));
            me.running.store(false, Ordering::Release);
        });
    }
}

/// Device and inode of a file (a deleted-and-recreated or renamed-over file differs).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FileIdentity {
    dev: u64,
    ino: u64,
}

/// What a PostgreSQL store keeps for its health probe: a one-connection pool of its own, so
/// a busy main pool does not make the probe fail.
#[derive(Debug, Clone)]
pub struct PgSite {
    pub(crate) health_pool: PgPool,
}

#[cfg(unix)]
pub(crate) fn file_identity(meta: &std::fs::Metadata) -> FileIdentity {
    use std::os::unix::fs::MetadataExt;
    FileIdentity {
        dev: meta.dev(),
        ino: meta.ino(),
    }
}

#[cfg(not(unix))]
pub(crate) fn file_identity(meta: &std::fs::Metadata) -> FileIdentity {
    // Without inodes, the creation time stands in for the identity.
    let created = meta
        .created()
        .ok()
        .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
        .map_or(0, |d| u64::try_from(d.as_nanos()).unwrap_or(u64::MAX));
    FileIdentity {
        dev: 0,
        ino: created,
    }
}

/// Whether anyone may write the file according to its mode (root ignores permission bits,
/// so the mode is checked, not `access(2)`).
#[cfg(unix)]
fn mode_writable(meta: &std::fs::Metadata) -> bool {
    use std::os::unix::fs::PermissionsExt;
    meta.permissions().mode() & 0o222 != 0
}

#[cfg(not(unix))]
fn mode_writable(meta: &std::fs::Metadata) -> bool {
    !meta.permissions().readonly()
}

impl SqliteSite {
    /// Why the file at the configured path is not the writable file the store opened, if so.
    pub(crate) fn file_problem(&self) -> Option<String> {
        match std::fs::metadata(&self.path) {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Some(format!(
                "the database file {} was removed: writes resume when the same file is moved \
                 back; a copy or a restored backup is another file, opened by a restart",
                self.path.display()
            )),
            Err(e) => Some(format!(
                "the database file {} cannot be examined: {e}",
                self.path.display()
            )),
            // Never healed on its own: the store writes only to the file it
            // opened, so another file at the path (a copy moved back from
            // another file system, a restored backup) waits for a restart
            // (the tenth user test met it NOT_SERVING for good, unexplained).
            Ok(meta) if file_identity(&meta) != self.identity => Some(format!(
                "the database file {} was replaced by another file: the registry writes only \
                 to the file it opened, so restart the server to open the one now at the path \
                 (once it is checked to be the registry's database)",
                self.path.display()
            )),
            Ok(meta) if !mode_writable(&meta) => Some(format!(
                "the database file {} is read-only",
                self.path.display()
            )),
            Ok(_) => None,
        }
    }

    /// Whether the file system holding the file has less free space than the store keeps.
    pub(crate) fn space_problem(&self) -> Option<String> {
        let free = free_bytes(&self.path)?;
        (free < self.min_free_bytes).then(|| {
            format!(
                "the file system of the database file {} has {} free, less than the {} the \
                 registry keeps free so that no write meets a full disk; writes resume once \
                 space is freed",
                self.path.display(),
                mib(free),
                mib(self.min_free_bytes)
            )
        })
    }
}

/// Bytes in MiB with one decimal, for messages.
fn mib(bytes: u64) -> String {
    let tenths = bytes.saturating_mul(10) / (1024 * 1024);
    format!("{}.{} MiB", tenths / 10, tenths % 10)
}

/// The space an unprivileged process may still use on the file system holding `path`
/// (`statvfs(2)`: available blocks × fragment size); `None` when it cannot be read.
#[cfg(unix)]
fn free_bytes(path: &std::path::Path) -> Option<u64> {
    let st = rustix::fs::statvfs(path).ok()?;
    Some(st.f_bavail.saturating_mul(st.f_frsize))
}

#[cfg(not(unix))]
fn free_bytes(_path: &std::path::Path) -> Option<u64> {
    None
}

pub(crate) mod sealed {
    use super::*;

    /// The primitives behind [`Backend`](super::Backend); private to the crate.
    pub trait Sealed: sqlx::Database {
        /// Which backend.
        const KIND: BackendKind;
        /// Its dialect.
        const DIALECT: Dialect;
        /// How a write transaction starts.
        const BEGIN_WRITE: &'static str;
        /// How a read-only snapshot starts.
        const BEGIN_SNAPSHOT: &'static str;
        /// The row type, with typed access.
        type Rec: DbRow;
        /// Backend-specific state of an open store (file identity, health pool).
        type Site: Send + Sync + fmt::Debug + 'static;

        /// Runs a statement; the number of rows affected.
        fn exec(
            conn: &mut Self::Connection,
            st: Stmt,
        ) -> impl Future<Output = Result<u64, StoreError>> + Send;

        /// Runs a query; all rows.
        fn rows(
            conn: &mut Self::Connection,
            st: Stmt,
        ) -> impl Future<Output = Result<Vec<Self::Rec>, StoreError>> + Send;

        /// Runs a script of several statements without bound values (migrations).
        fn script(
            conn: &mut Self::Connection,
            sql: &'static str,
        ) -> impl Future<Output = Result<(), StoreError>> + Send;

        /// Refuses a write when the database behind the store is no longer the one it
        /// opened (SQLite: the file at the path was removed, replaced or made read-only).
        fn check_site(site: &Self::Site) -> Result<(), StoreError>;

        /// Refuses a write while the database's disk has less free space than the store
        /// keeps (SQLite; PostgreSQL watches its own disk).
        fn check_space(site: &Self::Site) -> Result<(), StoreError>;

        /// The health probe.
        fn probe(pool: &Pool<Self>, site: &Self::Site) -> impl Future<Output = Health> + Send;

        /// Closes backend-specific resources.
        fn close_site(site: &Self::Site) -> impl Future<Output = ()> + Send;
    }
}

fn bind_sqlite<'q>(
    mut q: sqlx::query::Query<'q, Sqlite, sqlx::sqlite::SqliteArguments>,
    args: Vec<Arg>,
) -> sqlx::query::Query<'q, Sqlite, sqlx::sqlite::SqliteArguments> {
    for a in args {
        q = match a {
            Arg::I32(v) => q.bind(v),
            Arg::I64(v) => q.bind(v),
            Arg::Text(v) => q.bind(v),
            Arg::Bool(v) => q.bind(v),
            Arg::Blob(v) => q.bind(v),
        };
    }
    q
}

fn bind_pg<'q>(
    mut q: sqlx::query::Query<'q, Postgres, sqlx::postgres::PgArguments>,
    args: Vec<Arg>,
) -> sqlx::query::Query<'q, Postgres, sqlx::postgres::PgArguments> {
    for a in args {
        q = match a {
            Arg::I32(v) => q.bind(v),
            Arg::I64(v) => q.bind(v),
            Arg::Text(v) => q.bind(v),
            Arg::Bool(v) => q.bind(v),
            Arg::Blob(v) => q.bind(v),
        };
    }
    q
}

impl sealed::Sealed for Sqlite {
    const KIND: BackendKind = BackendKind::Sqlite;
    const DIALECT: Dialect = Dialect::Sqlite;
    const BEGIN_WRITE: &'static str = "BEGIN IMMEDIATE";
    const BEGIN_SNAPSHOT: &'static str = "BEGIN DEFERRED";
    type Rec = SqliteRow;
    type Site = SqliteSite;

    async fn exec(conn: &mut sqlx::SqliteConnection, st: Stmt) -> Result<u64, StoreError> {
        let q = bind_sqlite(sqlx::query(AssertSqlSafe(st.sql)), st.args);
        Ok(q.execute(&mut *conn).await?.rows_affected())
    }

    async fn rows(
        conn: &mut sqlx::SqliteConnection,
        st: Stmt,
    ) -> Result<Vec<SqliteRow>, StoreError> {
        let q = bind_sqlite(sqlx::query(AssertSqlSafe(st.sql)), st.args);
        Ok(q.fetch_all(&mut *conn).await?)
    }

    async fn script(
        conn: &mut sqlx::SqliteConnection,
        sql: &'static str,
    ) -> Result<(), StoreError> {
        sqlx::raw_sql(sql).execute(&mut *conn).await?;
        Ok(())
    }

    fn check_site(site: &SqliteSite) -> Result<(), StoreError> {
        match site.file_problem() {
            Some(problem) => Err(StoreError::unavailable(problem)),
            None => Ok(()),
        }
    }

    fn check_space(site: &SqliteSite) -> Result<(), StoreError> {
        match site.space_problem() {
            Some(problem) => Err(StoreError::unavailable(problem)),
            None => Ok(()),
        }
    }

    async fn probe(_pool: &Pool<Sqlite>, site: &SqliteSite) -> Health {
        if let Some(reason) = site.file_problem() {
            site.quick.reset();
            return Health::NotServing { reason };
        }
        if let Some(reason) = site.space_problem() {
            return Health::NotServing { reason };
        }
        let stamps = site.stamps();
        // A connection of its own, opened afresh: a pooled connection may answer from its
        // page cache what the file no longer holds.
        let read = async {
            let options = SqliteConnectOptions::new()
                .filename(&site.path)
                .create_if_missing(false)
                .read_only(true);
            let mut conn = sqlx::SqliteConnection::connect_with(&options).await?;
            let read = sqlx::query("SELECT version FROM store_migrations LIMIT 1")
                .fetch_optional(&mut conn)
                .await;
            let _ = conn.close().await;
            read.map(|_| ()).map_err(StoreError::from)
        };
        match tokio::time::timeout(HEALTH_TIMEOUT, read).await {
            Ok(Ok(())) => {}
            Ok(Err(e)) => {
                return Health::NotServing {
                    reason: format!("the database cannot be read: {e}"),
                };
            }
            Err(_) => {
                return Health::NotServing {
                    reason: format!(
                        "the database did not answer within {} s",
                        HEALTH_TIMEOUT.as_secs()
                    ),
                };
            }
        }
        site.quick.start_if_due(&site.path, stamps);
        if let Some(reason) = site.quick.failure() {
            return Health::NotServing { reason };
        }
        site.write_lock().await
    }

    async fn close_site(_site: &SqliteSite) {}
}

impl sealed::Sealed for Postgres {
    const KIND: BackendKind = BackendKind::Postgres;
    const DIALECT: Dialect = Dialect::Postgres;
    const BEGIN_WRITE: &'static str = "BEGIN ISOLATION LEVEL READ COMMITTED";
    const BEGIN_SNAPSHOT: &'static str = "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY";
    type Rec = PgRow;
    type Site = PgSite;

    async fn exec(conn: &mut sqlx::PgConnection, st: Stmt) -> Result<u64, StoreError> {
        let q = bind_pg(sqlx::query(AssertSqlSafe(st.sql)), st.args);
        Ok(q.execute(&mut *conn).await?.rows_affected())
    }

    async fn rows(conn: &mut sqlx::PgConnection, st: Stmt) -> Result<Vec<PgRow>, StoreError> {
        let q = bind_pg(sqlx::query(AssertSqlSafe(st.sql)), st.args);
        Ok(q.fetch_all(&mut *conn).await?)
    }

    async fn script(conn: &mut sqlx::PgConnection, sql: &'static str) -> Result<(), StoreError> {
        sqlx::raw_sql(sql).execute(&mut *conn).await?;
        Ok(())
    }

    fn check_space(_site: &PgSite) -> Result<(), StoreError> {
        Ok(())
    }

    fn check_site(_site: &PgSite) -> Result<(), StoreError> {
        Ok(())
    }

    async fn probe(_pool: &Pool<Postgres>, site: &PgSite) -> Health {
        let check = async {
            let mut conn = site.health_pool.acquire().await?;
            let read_only: String = sqlx::query("SELECT current_setting('transaction_read_only')")
                .fetch_one(&mut *conn)
                .await?
                .try_get(0)?;
            Ok::<bool, StoreError>(read_only == "on")
        };
        match tokio::time::timeout(HEALTH_TIMEOUT, check).await {
            Ok(Ok(false)) => Health::Serving,
            Ok(Ok(true)) => Health::NotServing {
                reason: "PostgreSQL accepts no writes (a standby or read-only database)".into(),
            },
            Ok(Err(e)) => Health::NotServing {
                reason: format!("PostgreSQL is unreachable: {e}"),
            },
            Err(_) => Health::NotServing {
                reason: format!(
                    "PostgreSQL did not answer within {} s",
                    HEALTH_TIMEOUT.as_secs()
                ),
            },
        }
    }

    async fn close_site(site: &PgSite) {
        site.health_pool.close().await;
    }
}

#[cfg(test)]
mod quick_check_tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use std::sync::Arc;
    use std::sync::atomic::Ordering;

    /// A check that took long is not started again sooner than ten times as long after it
    /// (the probes never wait for it either way); an unchanged file is not checked again.
    #[tokio::test]
    async fn checks_back_off_by_their_own_duration() {
        let q = Arc::new(QuickCheck::default());
        let stamps = Stamps(vec![(1, None)]);
        *locked(&q.last) = Some((std::time::Instant::now(), Duration::from_secs(5)));
        q.start_if_due(
            std::path::Path::new("/nonexistent/stdfund.db"),
            stamps.clone(),
        );
        assert!(
            !q.running.load(Ordering::Acquire),
            "started within 50 s of a 5 s check"
        );
        *locked(&q.passed) = Some(stamps.clone());
        *locked(&q.last) = None;
        q.start_if_due(std::path::Path::new("/nonexistent/stdfund.db"), stamps);
        assert!(
            !q.running.load(Ordering::Acquire),
            "started on an unchanged file"
        );
        // Due: a check of a file that cannot be opened fails, and says so.
        q.start_if_due(
            std::path::Path::new("/nonexistent/stdfund.db"),
            Stamps(vec![(2, None)]),
        );
        for _ in 0..100 {
            if q.failure().is_some() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        assert!(q.failure().unwrap().contains("cannot be read"));
    }
}
