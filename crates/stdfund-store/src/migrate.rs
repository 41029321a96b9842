//! Embedded schema migrations with expand/contract compatibility.
//!
//! The SQL lives in `migrations/{sqlite,postgres}/` and is compiled in with `include_str!`.
//! A migration is its SQL, optionally a Rust step (for what SQL cannot do portably:
//! timestamp normalisation, Unicode folding, hash chains) and SQL after that step. Each
//! applied migration is recorded in `store_migrations` with a SHA-256 checksum of its SQL and
//! whether older builds may run on a schema that has it (`older_builds_compatible`: an
//! additive "expand" step is; a "contract" step that changes what existing columns mean is
//! not). All pending migrations apply in one write transaction (on PostgreSQL under an
//! advisory lock, so servers starting together do not race).
//!
//! On open: an applied migration whose checksum differs from this build's stops the store;
//! applied migrations this build does not know (a newer build wrote them) are tolerated when
//! every one of them is marked compatible (and logged), and stop the store otherwise.

use sha2::{Digest, Sha256};

use crate::audit::{self, Record};
use crate::backend::{Backend, DbRow, Dialect, Stmt};
use crate::db::{Cx, FromDbRow, N};
use crate::error::StoreError;
use crate::model::{Actor, AuditAction, Timestamp};
use crate::validate;

/// What runs between a migration's SQL and its after-SQL.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Step {
    /// Nothing.
    None,
    /// 0002: normalise v1 timestamps, fold unit names, chain the v1 audit log.
    TypedRegistry,
}

/// One migration.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Migration {
    pub(crate) version: i64,
    pub(crate) name: &'static str,
    pub(crate) sql: &'static str,
    pub(crate) step: Step,
    pub(crate) after_sql: &'static str,
    pub(crate) older_builds_compatible: bool,
}

const SQLITE: &[Migration] = &[
    Migration {
        version: 1,
        name: "claim_registry",
        sql: include_str!("../migrations/sqlite/0001_claim_registry.sql"),
        step: Step::None,
        after_sql: "",
        older_builds_compatible: true,
    },
    Migration {
        version: 2,
        name: "typed_registry",
        sql: include_str!("../migrations/sqlite/0002_typed_registry.sql"),
        step: Step::TypedRegistry,
        after_sql: include_str!("../migrations/sqlite/0002_typed_registry.after.sql"),
        older_builds_compatible: false,
    },
    Migration {
        version: 3,
        name: "audit_seals",
        sql: include_str!("../migrations/sqlite/0003_audit_seals.sql"),
        step: Step::None,
        after_sql: "",
        older_builds_compatible: true,
    },
];

const POSTGRES: &[Migration] = &[
    Migration {
        version: 1,
        name: "claim_registry",
        sql: include_str!("../migrations/postgres/0001_claim_registry.sql"),
        step: Step::None,
        after_sql: "",
        older_builds_compatible: true,
    },
    Migration {
        version: 2,
        name: "typed_registry",
        sql: include_str!("../migrations/postgres/0002_typed_registry.sql"),
        step: Step::TypedRegistry,
        after_sql: include_str!("../migrations/postgres/0002_typed_registry.after.sql"),
        older_builds_compatible: false,
    },
    Migration {
        version: 3,
        name: "audit_seals",
        sql: include_str!("../migrations/postgres/0003_audit_seals.sql"),
        step: Step::None,
        after_sql: "",
        older_builds_compatible: true,
    },
];

/// The migrations of a dialect, in order.
pub(crate) fn list(dialect: Dialect) -> &'static [Migration] {
    match dialect {
        Dialect::Sqlite => SQLITE,
        Dialect::Postgres => POSTGRES,
    }
}

/// The checksum recorded for a migration: SHA-256 (hex) of its SQL and after-SQL.
pub(crate) fn checksum(m: &Migration) -> String {
    let mut h = Sha256::new();
    h.update(m.sql.as_bytes());
    h.update(m.after_sql.as_bytes());
    validate::hex(&h.finalize())
}

const BOOTSTRAP_SQLITE: &str = "CREATE TABLE IF NOT EXISTS store_migrations (
    version    INTEGER PRIMARY KEY,
    name       TEXT NOT NULL,
    checksum   TEXT NOT NULL,
    applied_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    older_builds_compatible INTEGER NOT NULL DEFAULT 1 CHECK (older_builds_compatible IN (0, 1))
) STRICT";

const HAS_COMPAT_SQLITE: &str = "SELECT COUNT(*) AS n FROM pragma_table_info('store_migrations') \
    WHERE name = 'older_builds_compatible'";

const ADD_COMPAT_SQLITE: &str = "ALTER TABLE store_migrations ADD COLUMN older_builds_compatible \
    INTEGER NOT NULL DEFAULT 1 CHECK (older_builds_compatible IN (0, 1))";

const BOOTSTRAP_POSTGRES: &str = "CREATE TABLE IF NOT EXISTS store_migrations (
    version    BIGINT PRIMARY KEY,
    name       TEXT NOT NULL,
    checksum   TEXT NOT NULL,
    applied_at TEXT NOT NULL
        DEFAULT to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')
);
ALTER TABLE store_migrations
    ADD COLUMN IF NOT EXISTS older_builds_compatible BOOLEAN NOT NULL DEFAULT TRUE";

/// Advisory lock key serialising migrations on PostgreSQL ("STDFUND1" in ASCII).
const PG_MIGRATION_LOCK: i64 = 0x5354_4446_554e_4431;

struct Applied {
    version: i64,
    name: String,
    checksum: String,
    compatible: bool,
}

impl FromDbRow for Applied {
    fn from_row<R: DbRow>(r: &R) -> Result<Self, StoreError> {
        Ok(Applied {
            version: r.i64("version")?,
            name: r.text("name")?,
            checksum: r.text("checksum")?,
            compatible: r.boolean("older_builds_compatible")?,
        })
    }
}

/// What [`apply`] found and did.
#[derive(Debug, Default)]
pub(crate) struct Outcome {
    /// Migrations applied now: (version, name).
    pub(crate) applied: Vec<(i64, &'static str)>,
    /// Applied migrations this build does not know, all marked compatible: (version, name).
    pub(crate) unknown_compatible: Vec<(i64, String)>,
}

/// Applies every pending migration on `cx`, which must be inside a write transaction.
pub(crate) async fn apply<DB: Backend>(cx: &mut Cx<'_, DB>) -> Result<Outcome, StoreError> {
    match DB::DIALECT {
        Dialect::Sqlite => {
            cx.script(BOOTSTRAP_SQLITE).await?;
            let N(has) = cx.one(Stmt::new(HAS_COMPAT_SQLITE)).await?;
            if has == 0 {
                cx.exec(Stmt::new(ADD_COMPAT_SQLITE)).await?;
            }
        }
        Dialect::Postgres => {
            cx.exec(Stmt::new("SELECT pg_advisory_xact_lock($1)").bind(PG_MIGRATION_LOCK))
                .await?;
            cx.script(BOOTSTRAP_POSTGRES).await?;
        }
    }
    let applied: Vec<Applied> = cx
        .all(Stmt::new(
            "SELECT version, name, checksum, older_builds_compatible FROM store_migrations \
             ORDER BY version",
        ))
        .await?;
    let known = list(DB::DIALECT);
    let mut outcome = Outcome::default();
    let mut incompatible = Vec::new();
    for row in &applied {
        match known.iter().find(|m| m.version == row.version) {
            Some(m) if checksum(m) != row.checksum => {
                return Err(StoreError::Migration {
                    message: format!(
                        "migration {} ({}) differs from the one applied to the database",
                        m.version, m.name
                    ),
                });
            }
            Some(_) => {}
            None if row.compatible => {
                outcome
                    .unknown_compatible
                    .push((row.version, row.name.clone()));
            }
            None => incompatible.push(format!("{} ({})", row.version, row.name)),
        }
    }
    if !incompatible.is_empty() {
        return Err(StoreError::Migration {
            message: format!(
                "the database has migration {} which this build does not know and which is not \
                 compatible with older builds; it was written by a newer stdfund",
                incompatible.join(", ")
            ),
        });
    }
    for m in known {
        if applied.iter().any(|a| a.version == m.version) {
            continue;
        }
        cx.script(m.sql).await?;
        match m.step {
            Step::None => {}
            Step::TypedRegistry => typed_registry_step(cx).await?,
        }
        if !m.after_sql.is_empty() {
            cx.script(m.after_sql).await?;
        }
        cx.exec(
            Stmt::new(
                "INSERT INTO store_migrations (version, name, checksum, older_builds_compatible) \
                 VALUES ($1, $2, $3, $4)",
            )
            .bind(m.version)
            .bind(m.name)
            .bind(checksum(m))
            .bind(m.older_builds_compatible),
        )
        .await?;
        outcome.applied.push((m.version, m.name));
    }
    Ok(outcome)
}

// ---------------------------------------------------------------------------------------------
// The Rust step of 0002
// ---------------------------------------------------------------------------------------------

struct V1Claim {
    id: i64,
    unit_name: String,
    created_at: String,
    updated_at: String,
    note_at: Option<String>,
    approved_at: Option<String>,
}

impl FromDbRow for V1Claim {
    fn from_row<R: DbRow>(r: &R) -> Result<Self, StoreError> {
        Ok(V1Claim {
            id: r.i64("id")?,
            unit_name: r.text("unit_name")?,
            created_at: r.text("created_at")?,
            updated_at: r.text("updated_at")?,
            note_at: r.opt_text("note_at")?,
            approved_at: r.opt_text("approved_at")?,
        })
    }
}

struct V1Stamp {
    key: i64,
    key2: String,
    at: String,
}

impl FromDbRow for V1Stamp {
    fn from_row<R: DbRow>(r: &R) -> Result<Self, StoreError> {
        Ok(V1Stamp {
            key: r.i64("k")?,
            key2: r.text("k2")?,
            at: r.text("at")?,
        })
    }
}

struct V1Audit {
    claim_id: Option<i64>,
    target: String,
    actor: String,
    role: String,
    at: String,
    action: String,
    before: Option<String>,
    after: Option<String>,
}

impl FromDbRow for V1Audit {
    fn from_row<R: DbRow>(r: &R) -> Result<Self, StoreError> {
        Ok(V1Audit {
            claim_id: r.opt_i64("claim_id")?,
            target: r.text("target")?,
            actor: r.text("actor")?,
            role: r.text("role")?,
            at: r.text("at")?,
            action: r.text("action")?,
            before: r.opt_text("before_json")?,
            after: r.opt_text("after_json")?,
        })
    }
}

fn v1_ts(what: &str, text: &str) -> Result<Timestamp, StoreError> {
    Timestamp::from_rfc3339(text).map_err(|_| StoreError::Migration {
        message: format!("{what}: {text:?} is not an RFC 3339 timestamp"),
    })
}

const V1_AUDIT_SQLITE: &str = "SELECT claim_id, actor, role, at, action, before_json, after_json, \
    CASE WHEN claim_id IS NOT NULL THEN 'claim:' || claim_id \
         WHEN action = 'SET_BUDGET' \
         THEN 'budget:' || COALESCE(json_extract(after_json, '$.year'), '') || ':CITY' \
         ELSE '' END AS target \
    FROM audit_log ORDER BY id";

const V1_AUDIT_POSTGRES: &str = "SELECT claim_id, actor, role, at, action, before_json, \
    after_json, \
    CASE WHEN claim_id IS NOT NULL THEN 'claim:' || claim_id \
         WHEN action = 'SET_BUDGET' \
         THEN 'budget:' || COALESCE(after_json::json ->> 'year', '') || ':CITY' \
         ELSE '' END AS target \
    FROM audit_log ORDER BY id";

/// Normalises the v1 timestamps (any RFC 3339 spelling) to the fixed UTC form, fills the
/// folded unit names, and copies `audit_log` into the hash chain in its order.
async fn typed_registry_step<DB: Backend>(cx: &mut Cx<'_, DB>) -> Result<(), StoreError> {
    let claims: Vec<V1Claim> = cx
        .all(Stmt::new(
            "SELECT id, unit_name, created_at, updated_at, note_at, approved_at FROM claims \
             ORDER BY id",
        ))
        .await?;
    for c in claims {
        let what = |col: &str| format!("claim {} {col}", c.id);
        let note_at = c
            .note_at
            .as_deref()
            .map(|t| v1_ts(&what("note_at"), t))
            .transpose()?;
        let approved_at = c
            .approved_at
            .as_deref()
            .map(|t| v1_ts(&what("approved_at"), t))
            .transpose()?;
        cx.exec(
            Stmt::new(
                "UPDATE claims SET unit_name_folded = $1, created_at = $2, updated_at = $3, \
                 note_at = $4, approved_at = $5 WHERE id = $6",
            )
            .bind(validate::fold(&c.unit_name))
            .bind(v1_ts(&what("created_at"), &c.created_at)?.as_str())
            .bind(v1_ts(&what("updated_at"), &c.updated_at)?.as_str())
            .bind(note_at.as_ref().map(Timestamp::as_str))
            .bind(approved_at.as_ref().map(Timestamp::as_str))
            .bind(c.id),
        )
        .await?;
    }
    let payments: Vec<V1Stamp> = cx
        .all(Stmt::new(
            "SELECT id AS k, '' AS k2, recorded_at AS at FROM payments ORDER BY id",
        ))
        .await?;
    for p in payments {
        let at = v1_ts(&format!("payment {} recorded_at", p.key), &p.at)?;
        cx.exec(
            Stmt::new("UPDATE payments SET recorded_at = $1 WHERE id = $2")
                .bind(at.as_str())
                .bind(p.key),
        )
        .await?;
    }
    let budgets: Vec<V1Stamp> = cx
        .all(Stmt::new(
            "SELECT CAST(year AS BIGINT) AS k, payer AS k2, updated_at AS at FROM budgets \
             ORDER BY year, payer",
        ))
        .await?;
    for b in budgets {
        let at = v1_ts(&format!("budget {} updated_at", b.key), &b.at)?;
        cx.exec(
            Stmt::new("UPDATE budgets SET updated_at = $1 WHERE year = $2 AND payer = $3")
                .bind(at.as_str())
                .bind(i32::try_from(b.key).unwrap_or(i32::MAX))
                .bind(b.key2),
        )
        .await?;
    }
    let audit_sql = match DB::DIALECT {
        Dialect::Sqlite => V1_AUDIT_SQLITE,
        Dialect::Postgres => V1_AUDIT_POSTGRES,
    };
    let rows: Vec<V1Audit> = cx.all(Stmt::new(audit_sql)).await?;
    for (n, row) in rows.into_iter().enumerate() {
        let at = v1_ts(&format!("audit_log row {}", n.saturating_add(1)), &row.at)?;
        let action: AuditAction = row.action.parse().map_err(|_| StoreError::Migration {
            message: format!("audit_log has an unknown action {:?}", row.action),
        })?;
        audit::append(
            cx,
            &Actor::new(row.actor, row.role),
            &at,
            Record {
                claim_id: row.claim_id,
                target: row.target,
                action,
                before: row.before,
                after: row.after,
            },
        )
        .await?;
    }
    Ok(())
}
