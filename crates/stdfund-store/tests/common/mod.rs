//! Test support shared by the integration tests: the backend harnesses, fixtures and the
//! backend-independent suite.
#![allow(
    dead_code,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects
)]

pub mod pg;
pub mod suite;

use std::future::Future;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::atomic::{AtomicU32, Ordering};

use rust_decimal::Decimal;
use stdfund_store::{Actor, ClaimStore, NewClaim, PgStore, SqliteStore};

/// A store under test plus raw access to its database (to prove what the database itself
/// refuses).
pub trait Harness: Send + Sync + 'static {
    type Store: ClaimStore + Clone + 'static;
    /// `"sqlite"` or `"postgres"`.
    const NAME: &'static str;
    fn store(&self) -> &Self::Store;
    /// Executes one statement directly on the database, bypassing the store.
    fn raw(&self, sql: &'static str) -> impl Future<Output = Result<u64, String>> + Send;
    /// Statements that try to alter or remove audit rows; each must fail.
    fn audit_tamper_statements(&self) -> &'static [&'static str];
}

/// A unique directory under the target's test scratch space, removed on drop.
pub struct TempDir(pub PathBuf);

impl TempDir {
    pub fn new(prefix: &str) -> TempDir {
        static SEQ: AtomicU32 = AtomicU32::new(0);
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.subsec_nanos())
            .unwrap_or(0);
        let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!(
            "{prefix}-{}-{}-{nanos}",
            std::process::id(),
            SEQ.fetch_add(1, Ordering::Relaxed)
        ));
        std::fs::create_dir_all(&dir).unwrap();
        TempDir(dir)
    }

    pub fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

pub struct SqliteHarness {
    pub store: SqliteStore,
    pub dir: TempDir,
}

impl SqliteHarness {
    pub async fn new() -> Option<SqliteHarness> {
        let dir = TempDir::new("sqlite");
        let store = SqliteStore::open(dir.path().join("registry.db"))
            .await
            .unwrap();
        Some(SqliteHarness { store, dir })
    }
}

impl Harness for SqliteHarness {
    type Store = SqliteStore;
    const NAME: &'static str = "sqlite";

    fn store(&self) -> &SqliteStore {
        &self.store
    }

    async fn raw(&self, sql: &'static str) -> Result<u64, String> {
        sqlx::query(sql)
            .execute(self.store.pool())
            .await
            .map(|r| r.rows_affected())
            .map_err(|e| e.to_string())
    }

    fn audit_tamper_statements(&self) -> &'static [&'static str] {
        &[
            "UPDATE audit_log SET actor = 'mallory'",
            "UPDATE audit_log SET after_json = NULL WHERE id = (SELECT MIN(id) FROM audit_log)",
            "DELETE FROM audit_log",
            "DELETE FROM audit_log WHERE id = (SELECT MAX(id) FROM audit_log)",
        ]
    }
}

pub struct PgHarness {
    // Dropped first: the pool goes before the cluster stops.
    pub store: PgStore,
    pub cluster: pg::PgCluster,
}

impl PgHarness {
    /// A fresh cluster and database per test. `None` (with the reason printed) only outside
    /// CI when no PostgreSQL binaries are installed.
    pub async fn new() -> Option<PgHarness> {
        let cluster = pg::PgCluster::start_or_skip()?;
        let url = pg::create_database(&cluster, "stdfund_test").await;
        let store = PgStore::connect(&url)
            .await
            .unwrap_or_else(|e| panic!("connecting the store to {url}: {e}"));
        Some(PgHarness { store, cluster })
    }
}

impl Harness for PgHarness {
    type Store = PgStore;
    const NAME: &'static str = "postgres";

    fn store(&self) -> &PgStore {
        &self.store
    }

    async fn raw(&self, sql: &'static str) -> Result<u64, String> {
        sqlx::query(sql)
            .execute(self.store.pool())
            .await
            .map(|r| r.rows_affected())
            .map_err(|e| e.to_string())
    }

    fn audit_tamper_statements(&self) -> &'static [&'static str] {
        &[
            "UPDATE audit_log SET actor = 'mallory'",
            "UPDATE audit_log SET after_json = NULL WHERE id = (SELECT MIN(id) FROM audit_log)",
            "DELETE FROM audit_log",
            "DELETE FROM audit_log WHERE id = (SELECT MAX(id) FROM audit_log)",
            "TRUNCATE audit_log",
            "TRUNCATE audit_log, claims, budgets",
        ]
    }
}

// ----------------------------------------------------------------------------------------
// Fixtures
// ----------------------------------------------------------------------------------------

pub const NOW: &str = "2026-03-01T09:30:00+08:00";
pub const LATER: &str = "2026-03-02T10:00:00+08:00";

pub fn yuan(s: &str) -> Decimal {
    Decimal::from_str(s).unwrap()
}

pub fn portal(subject: &str) -> Actor {
    Actor::new(subject, "portal")
}

pub fn reviewer() -> Actor {
    Actor::new("rev-1", "reviewer")
}

pub fn finance() -> Actor {
    Actor::new("fin-1", "finance")
}

pub fn admin() -> Actor {
    Actor::new("adm-1", "admin")
}

/// A claim whose one-time key is `otk`, submitted by `submitter` with idempotency key `idem`.
pub fn claim(otk: &str, idem: &str, submitter: &str) -> NewClaim {
    NewClaim {
        idempotency_key: idem.to_owned(),
        submitted_by: submitter.to_owned(),
        credit_code: "91350100M000100Y43".to_owned(),
        credit_code_confirmed: false,
        unit_name: "福州某某科技有限公司".to_owned(),
        seat: "350102".to_owned(),
        fiscal_unit: "350102".to_owned(),
        item: "national_standard_lead".to_owned(),
        variant: None,
        clause: "1".to_owned(),
        subject: format!("GB/T {otk}-2020"),
        one_time_key: otk.to_owned(),
        achievement_date: "2020-06-30".to_owned(),
        year: 2026,
        application_json: format!(r#"{{"subject":"{otk}","lines":[1,2,3]}}"#),
        estimate_json: r#"{"payable":"300000.00"}"#.to_owned(),
        estimated_amount: yuan("300000.00"),
    }
}

/// Sets a claim's budget year, fiscal unit and clause.
pub fn placed(mut c: NewClaim, year: i32, fiscal_unit: &str, clause: &str) -> NewClaim {
    c.year = year;
    c.fiscal_unit = fiscal_unit.to_owned();
    c.clause = clause.to_owned();
    c
}
