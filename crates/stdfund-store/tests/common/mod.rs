//! Test support shared by the integration tests: the backend harnesses (a SQLite file, a
//! throwaway PostgreSQL cluster), fixtures, and the backend-independent suite.
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
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use sqlx::{AssertSqlSafe, Postgres, Row, Sqlite};
use stdfund_rules::date::Date;
use stdfund_rules::money::{Money, Ratio};
use stdfund_store::{
    Actor, AuditEntry, AuditFilter, Backend, Claim, ClaimPage, ClaimQuery, Decision, Filing,
    FrozenSplit, OpenOptions, PaymentInput, Store, StoreError, SubmitOutcome, Timestamp,
};

/// A store under test plus raw access to its database, to prove what the database itself
/// refuses and to tamper with it behind the store's back.
pub trait Harness: Send + Sync + 'static {
    type DB: Backend;
    /// `"sqlite"` or `"postgres"`.
    const NAME: &'static str;
    fn store(&self) -> &Store<Self::DB>;
    /// Executes SQL (one or more statements) directly on the database.
    fn raw(&self, sql: &str) -> impl Future<Output = Result<u64, String>> + Send;
    /// The first column of the first row of a query, as text.
    fn raw_text(&self, sql: &str) -> impl Future<Output = Result<String, String>> + Send;
    /// Disables the audit log's protecting triggers (as someone with write access could).
    fn disable_audit_triggers(&self) -> impl Future<Output = ()> + Send;
    /// Statements that try to alter or remove audit entries; each must fail.
    fn audit_tamper_statements(&self) -> &'static [&'static str];
    /// Opens a second store on the same database.
    fn reopen(&self) -> impl Future<Output = Result<Store<Self::DB>, StoreError>> + Send;
    /// Opens a second store on the same database that seals with `key`.
    fn reopen_with_key(
        &self,
        key: stdfund_store::AuditKey,
    ) -> impl Future<Output = Result<Store<Self::DB>, StoreError>> + Send;
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

/// Options for the suite: generous timeouts, so a loaded machine does not fail the
/// concurrency cases (the timeout cases set their own).
pub fn test_options() -> OpenOptions {
    OpenOptions {
        create_if_missing: true,
        write_timeout: Duration::from_secs(60),
        max_connections: 0,
        connect_timeout: Duration::from_secs(30),
        ..OpenOptions::default()
    }
}

pub struct SqliteHarness {
    pub store: Store<Sqlite>,
    pub path: PathBuf,
    pub dir: TempDir,
}

impl SqliteHarness {
    pub async fn new() -> Option<SqliteHarness> {
        let dir = TempDir::new("sqlite");
        let path = dir.path().join("registry.db");
        let store = Store::open(&path, &test_options()).await.unwrap();
        Some(SqliteHarness { store, path, dir })
    }
}

impl Harness for SqliteHarness {
    type DB = Sqlite;
    const NAME: &'static str = "sqlite";

    fn store(&self) -> &Store<Sqlite> {
        &self.store
    }

    async fn raw(&self, sql: &str) -> Result<u64, String> {
        sqlx::raw_sql(AssertSqlSafe(sql.to_owned()))
            .execute(self.store.pool())
            .await
            .map(|r| r.rows_affected())
            .map_err(|e| e.to_string())
    }

    async fn raw_text(&self, sql: &str) -> Result<String, String> {
        let row = sqlx::query(AssertSqlSafe(sql.to_owned()))
            .fetch_one(self.store.pool())
            .await
            .map_err(|e| e.to_string())?;
        row.try_get::<String, _>(0)
            .or_else(|_| row.try_get::<i64, _>(0).map(|n| n.to_string()))
            .map_err(|e| e.to_string())
    }

    async fn disable_audit_triggers(&self) {
        self.raw(
            "DROP TRIGGER audit_entries_no_update; DROP TRIGGER audit_entries_no_delete; \
             DROP TRIGGER audit_head_forward_only; DROP TRIGGER audit_head_no_delete; \
             DROP TRIGGER audit_seals_no_update; DROP TRIGGER audit_seals_no_delete;",
        )
        .await
        .unwrap();
    }

    fn audit_tamper_statements(&self) -> &'static [&'static str] {
        &[
            "UPDATE audit_entries SET actor = 'mallory'",
            "UPDATE audit_entries SET after_json = NULL WHERE id = 1",
            "DELETE FROM audit_entries",
            "DELETE FROM audit_entries WHERE id = (SELECT MAX(id) FROM audit_entries)",
            "UPDATE audit_head SET last_id = last_id - 1",
            "UPDATE audit_head SET last_id = last_id + 1",
            "DELETE FROM audit_head",
            "INSERT INTO audit_head (id, last_id, last_hash) VALUES (2, 0, '')",
        ]
    }

    async fn reopen(&self) -> Result<Store<Sqlite>, StoreError> {
        Store::open(&self.path, &test_options()).await
    }

    async fn reopen_with_key(
        &self,
        key: stdfund_store::AuditKey,
    ) -> Result<Store<Sqlite>, StoreError> {
        let options = OpenOptions {
            audit_key: Some(key),
            ..test_options()
        };
        Store::open(&self.path, &options).await
    }
}

pub struct PgHarness {
    // Dropped first: the pools go before the cluster stops.
    pub store: Store<Postgres>,
    pub url: String,
    pub cluster: pg::PgCluster,
}

impl PgHarness {
    /// A fresh cluster and database per test. `None` (with SKIPPED printed) only outside CI
    /// when no PostgreSQL binaries are installed.
    pub async fn new() -> Option<PgHarness> {
        let cluster = pg::PgCluster::start_or_skip()?;
        let url = pg::create_database(&cluster, "stdfund_test").await;
        let store = Store::connect(&url, &test_options())
            .await
            .unwrap_or_else(|e| panic!("connecting the store to {url}: {e}"));
        Some(PgHarness {
            store,
            url,
            cluster,
        })
    }
}

impl Harness for PgHarness {
    type DB = Postgres;
    const NAME: &'static str = "postgres";

    fn store(&self) -> &Store<Postgres> {
        &self.store
    }

    async fn raw(&self, sql: &str) -> Result<u64, String> {
        sqlx::raw_sql(AssertSqlSafe(sql.to_owned()))
            .execute(self.store.pool())
            .await
            .map(|r| r.rows_affected())
            .map_err(|e| e.to_string())
    }

    async fn raw_text(&self, sql: &str) -> Result<String, String> {
        let row = sqlx::query(AssertSqlSafe(sql.to_owned()))
            .fetch_one(self.store.pool())
            .await
            .map_err(|e| e.to_string())?;
        row.try_get::<String, _>(0)
            .or_else(|_| row.try_get::<i64, _>(0).map(|n| n.to_string()))
            .or_else(|_| row.try_get::<i32, _>(0).map(|n| n.to_string()))
            .map_err(|e| e.to_string())
    }

    async fn disable_audit_triggers(&self) {
        self.raw(
            "ALTER TABLE audit_entries DISABLE TRIGGER ALL; \
             ALTER TABLE audit_head DISABLE TRIGGER ALL; \
             ALTER TABLE audit_seals DISABLE TRIGGER ALL;",
        )
        .await
        .unwrap();
    }

    fn audit_tamper_statements(&self) -> &'static [&'static str] {
        &[
            "UPDATE audit_entries SET actor = 'mallory'",
            "UPDATE audit_entries SET after_json = NULL WHERE id = 1",
            "DELETE FROM audit_entries",
            "DELETE FROM audit_entries WHERE id = (SELECT MAX(id) FROM audit_entries)",
            "TRUNCATE audit_entries",
            "TRUNCATE audit_entries, audit_head",
            "TRUNCATE claims CASCADE",
            "UPDATE audit_head SET last_id = last_id - 1",
            "UPDATE audit_head SET last_id = last_id + 1",
            "DELETE FROM audit_head",
            "TRUNCATE audit_head",
            "INSERT INTO audit_head (id, last_id, last_hash) VALUES (2, 0, '')",
        ]
    }

    async fn reopen(&self) -> Result<Store<Postgres>, StoreError> {
        Store::connect(&self.url, &test_options()).await
    }

    async fn reopen_with_key(
        &self,
        key: stdfund_store::AuditKey,
    ) -> Result<Store<Postgres>, StoreError> {
        let options = OpenOptions {
            audit_key: Some(key),
            ..test_options()
        };
        Store::connect(&self.url, &options).await
    }
}

// ----------------------------------------------------------------------------------------
// Fixtures
// ----------------------------------------------------------------------------------------

pub fn ts(s: &str) -> Timestamp {
    Timestamp::parse(s).unwrap()
}

/// 2026-03-01 09:30 in China.
pub fn now() -> Timestamp {
    ts("2026-03-01T01:30:00.000000Z")
}

/// 2026-03-02 10:00 in China.
pub fn later() -> Timestamp {
    ts("2026-03-02T02:00:00.000000Z")
}

pub fn date(s: &str) -> Date {
    Date::parse(s).unwrap()
}

/// "Today" for payments in the suite.
pub fn today() -> Date {
    date("2026-06-30")
}

pub fn yuan(s: &str) -> Money {
    Money::parse_yuan(s).unwrap()
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

/// A filing whose one-time key is `otk`, submitted by `submitter` with idempotency key `idem`.
pub fn filing(otk: &str, idem: &str, submitter: &str) -> Filing {
    Filing {
        idempotency_key: idem.to_owned(),
        submitted_by: submitter.to_owned(),
        credit_code: "91350100M000100Y43".to_owned(),
        credit_code_confirmed: false,
        unit_name: "福州某某科技有限公司".to_owned(),
        seat: "350102".to_owned(),
        fiscal_unit: "350102".to_owned(),
        item: "NATIONAL_STANDARD".to_owned(),
        variant: "LEAD".to_owned(),
        clause: "五(五)1".to_owned(),
        subject: format!("GB/T {otk}-2020"),
        subject_as_given: format!("GB/T  {otk}-2020"),
        one_time_key: otk.to_owned(),
        achievement_date: date("2020-06-30"),
        year: 2026,
        estimated_amount: yuan("300000.00"),
        discretionary: false,
        application_json: format!(r#"{{"subject":"{otk}","lines":[1,2,3]}}"#),
        estimate_json: r#"{"payable":"300000.00"}"#.to_owned(),
    }
}

/// Sets a filing's budget year, fiscal unit and clause.
pub fn placed(mut f: Filing, year: i32, fiscal_unit: &str, clause: &str) -> Filing {
    f.year = year;
    f.fiscal_unit = fiscal_unit.to_owned();
    f.clause = clause.to_owned();
    f
}

/// A split of `amount` at the district ratio 0.50 for fiscal unit 350102.
pub fn split(amount: &str) -> FrozenSplit {
    split_for("350102", amount)
}

pub fn split_for(unit: &str, amount: &str) -> FrozenSplit {
    let amount = yuan(amount);
    let district = amount.share(Ratio::parse("0.50").unwrap()).unwrap();
    FrozenSplit {
        fiscal_unit: unit.to_owned(),
        municipal: amount.checked_sub(district).unwrap(),
        district,
        share_table_id: "fz-share-2016".to_owned(),
        share_table_version: "1.0.0".to_owned(),
        district_ratio: "0.50".to_owned(),
        provisional: true,
    }
}

pub fn record(amount: &str) -> String {
    format!(r#"{{"ruleset":"fz-2016","payable":"{amount}"}}"#)
}

pub fn approve(amount: &str) -> Decision {
    Decision::Approve {
        amount: yuan(amount),
        set_by_reviewer: false,
        split: split(amount),
        record_json: record(amount),
        reason: None,
        resubmissions: 0,
    }
}

pub fn reject(reason: &str) -> Decision {
    Decision::Reject {
        reason: reason.to_owned(),
        resubmissions: 0,
    }
}

pub fn send_back(reason: &str) -> Decision {
    Decision::Return {
        reason: reason.to_owned(),
        resubmissions: 0,
    }
}

pub fn payment(on: &str, voucher: &str, amount: Option<&str>) -> PaymentInput {
    PaymentInput {
        payment_date: date(on),
        voucher: voucher.to_owned(),
        payer: "CITY".to_owned(),
        amount: amount.map(yuan),
    }
}

pub async fn created<DB: Backend>(s: &Store<DB>, f: Filing) -> Claim {
    let who = portal(&f.submitted_by.clone());
    match s.submit(f, &who, &now()).await {
        Ok(SubmitOutcome::Created(c)) => c,
        other => panic!("expected Created, got {other:?}"),
    }
}

pub async fn all_audit<DB: Backend>(s: &Store<DB>, filter: &AuditFilter) -> Vec<AuditEntry> {
    let mut out = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let page = s.audit_log(filter, cursor.as_deref(), 7).await.unwrap();
        out.extend(page.items);
        match page.next_cursor {
            Some(c) => cursor = Some(c),
            None => return out,
        }
    }
}

pub async fn audit_of<DB: Backend>(s: &Store<DB>, claim_id: Option<i64>) -> Vec<AuditEntry> {
    all_audit(
        s,
        &AuditFilter {
            claim_id,
            ..AuditFilter::default()
        },
    )
    .await
}

/// Every page of a query; asserts page sizes.
pub async fn all_pages<DB: Backend>(s: &Store<DB>, q: &ClaimQuery) -> Vec<ClaimPage> {
    let mut out = Vec::new();
    let mut q = q.clone();
    loop {
        let p = s.claims(&q).await.unwrap();
        assert!(p.claims.len() <= q.page_size.max(1) as usize || q.page_size == 0);
        let next = p.next_cursor.clone();
        out.push(p);
        match next {
            Some(c) => q.cursor = Some(c),
            None => return out,
        }
    }
}

pub async fn all_claims<DB: Backend>(s: &Store<DB>, q: &ClaimQuery) -> Vec<Claim> {
    all_pages(s, q)
        .await
        .into_iter()
        .flat_map(|p| p.claims)
        .collect()
}
