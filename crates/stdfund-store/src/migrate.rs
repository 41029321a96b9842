//! Embedded schema migrations, one ordered list per backend.
//!
//! The SQL lives in `migrations/sqlite/` and `migrations/postgres/` and is compiled into the
//! binary with `include_str!`, so a deployed server needs no files besides its database. Each
//! applied migration is recorded in `store_migrations` with a SHA-256 checksum of its text.
//! Applying is idempotent and runs in one transaction (on PostgreSQL under an advisory lock,
//! so several servers starting at once do not race). The store refuses to run when the
//! database has a migration this build does not know (a newer build wrote it) or when an
//! applied migration's text has changed.
//!
//! `sqlx::migrate!` is not used: it needs the `macros` feature (a proc-macro build of its own)
//! and this list is small.

use sha2::{Digest, Sha256};

use crate::error::StoreError;
use crate::sql::{DbRow, Dialect, Exec, FromDbRow, args};

/// One migration step.
pub(crate) struct Migration {
    pub(crate) version: i64,
    pub(crate) name: &'static str,
    pub(crate) sql: &'static str,
}

pub(crate) const SQLITE: &[Migration] = &[Migration {
    version: 1,
    name: "claim_registry",
    sql: include_str!("../migrations/sqlite/0001_claim_registry.sql"),
}];

pub(crate) const POSTGRES: &[Migration] = &[Migration {
    version: 1,
    name: "claim_registry",
    sql: include_str!("../migrations/postgres/0001_claim_registry.sql"),
}];

const BOOTSTRAP_SQLITE: &str = "CREATE TABLE IF NOT EXISTS store_migrations (
    version    INTEGER PRIMARY KEY,
    name       TEXT NOT NULL,
    checksum   TEXT NOT NULL,
    applied_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
) STRICT";

const BOOTSTRAP_POSTGRES: &str = "CREATE TABLE IF NOT EXISTS store_migrations (
    version    BIGINT PRIMARY KEY,
    name       TEXT NOT NULL,
    checksum   TEXT NOT NULL,
    applied_at TEXT NOT NULL
        DEFAULT to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')
)";

/// Advisory lock key serialising migrations on PostgreSQL ("STDFUND1" in ASCII).
const PG_MIGRATION_LOCK: i64 = 0x5354_4446_554e_4431;

struct AppliedRow {
    version: i64,
    name: String,
    checksum: String,
}

impl FromDbRow for AppliedRow {
    fn from_row<R: DbRow>(r: &R) -> Result<Self, StoreError> {
        Ok(AppliedRow {
            version: r.i64("version")?,
            name: r.text("name")?,
            checksum: r.text("checksum")?,
        })
    }
}

pub(crate) fn checksum(sql: &str) -> String {
    let digest = Sha256::digest(sql.as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// The migrations for a dialect.
pub(crate) fn list(dialect: Dialect) -> &'static [Migration] {
    match dialect {
        Dialect::Sqlite => SQLITE,
        Dialect::Postgres => POSTGRES,
    }
}

/// Applies every pending migration on `c`, which must be inside a write transaction.
/// Returns how many were applied.
pub(crate) async fn apply<C: Exec>(c: &mut C) -> Result<usize, StoreError> {
    let bootstrap = match C::DIALECT {
        Dialect::Sqlite => BOOTSTRAP_SQLITE,
        Dialect::Postgres => {
            c.execute("SELECT pg_advisory_xact_lock($1)", args![PG_MIGRATION_LOCK])
                .await?;
            BOOTSTRAP_POSTGRES
        }
    };
    c.execute_script(bootstrap).await?;
    let applied = c
        .fetch_all::<AppliedRow>(
            "SELECT version, name, checksum FROM store_migrations ORDER BY version",
            args![],
        )
        .await?;
    let known = list(C::DIALECT);
    for row in &applied {
        let Some(m) = known.iter().find(|m| m.version == row.version) else {
            return Err(StoreError::Migration {
                message: format!(
                    "the database has migration {} ({}) which this build does not know; \
                     it was written by a newer stdfund",
                    row.version, row.name
                ),
            });
        };
        if checksum(m.sql) != row.checksum {
            return Err(StoreError::Migration {
                message: format!(
                    "migration {} ({}) differs from the one applied to the database",
                    m.version, m.name
                ),
            });
        }
    }
    let mut count = 0usize;
    for m in known {
        if applied.iter().any(|a| a.version == m.version) {
            continue;
        }
        c.execute_script(m.sql).await?;
        c.execute(
            "INSERT INTO store_migrations (version, name, checksum) VALUES ($1, $2, $3)",
            args![m.version, m.name, checksum(m.sql)],
        )
        .await?;
        count = count.saturating_add(1);
    }
    Ok(count)
}
