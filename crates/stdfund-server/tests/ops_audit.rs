//! `stdfund audit verify` against a registry whose audit log was rewritten
//! behind the store's back, as someone with write access to the database
//! would: the append-only triggers disabled, then an entry edited, one
//! deleted, a correctly hashed entry appended, and one inserted in the
//! middle (later ids shifted) — on SQLite and on a throwaway PostgreSQL.
//! The intact log prints OK with its entry count and head (exit 0); each
//! rewrite names the first broken entry and what is wrong with it (exit 1);
//! a missing database cannot be checked (exit 2, nothing created).

// Test counters, ports and timings, never money.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects
)]

mod ops_support;
mod registry_support;

use ops_support::{fresh_dir, run, text};
use registry_support as s;
use sha2::{Digest, Sha256};
use sqlx::{AssertSqlSafe, Connection, Row};
use stdfund_rules::money::Money;
use stdfund_store::{Actor, AnyStore, OpenOptions, Timestamp};

/// Entries the fixture writes.
const ENTRIES: i64 = 6;

/// A registry with [`ENTRIES`] audit entries (budgets set by an admin).
async fn populate(url: &str) {
    let options = OpenOptions {
        create_if_missing: true,
        ..OpenOptions::default()
    };
    let store = AnyStore::open(url, &options).await.unwrap();
    let admin = Actor::new("admin-chen", "admin");
    for (i, year) in (2016..2016 + ENTRIES as i32).enumerate() {
        let total = Money::parse_yuan(&format!("{}00000.00", i + 1)).unwrap();
        store
            .set_budget(year, "CITY", total, &admin, &Timestamp::now().unwrap())
            .await
            .unwrap();
    }
    store.close().await;
}

/// One submitted claim (its SUBMIT entry follows the budgets'), for the claims-table check.
async fn populate_claim(url: &str) -> i64 {
    let store = AnyStore::open(url, &OpenOptions::default()).await.unwrap();
    let filing = ops_support::lead_filing("91350100M000100Y43", "GB/T 7714-2015", "audit-claim-1");
    let id = ops_support::created(&store, filing).await;
    store.close().await;
    id
}

fn verify(url: &str) -> (Option<i32>, String) {
    let out = run(&["audit", "verify", "--database-url", url], &[]);
    let all = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    println!("{}", text(&out));
    (out.status.code(), all)
}

/// The hash of an entry, as the store's documentation defines it
/// (crates/stdfund-store/src/audit.rs): what a forger who read the code
/// would compute.
fn forged_hash(
    previous: &str,
    id: i64,
    target: &str,
    actor: &str,
    at: &str,
    after: &str,
) -> String {
    let mut h = Sha256::new();
    h.update(b"stdfund-audit-v1");
    h.update(previous.as_bytes());
    let id = id.to_string();
    for field in [
        id.as_str(),
        "",
        target,
        actor,
        "admin",
        at,
        "SET_BUDGET",
        "\0",
        after,
    ] {
        h.update((field.len() as u64).to_be_bytes());
        h.update(field.as_bytes());
    }
    let digest = h.finalize();
    let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
    format!("sha256:{hex}")
}

/// Raw SQL on the database, behind the store's back.
enum Raw {
    Sqlite(sqlx::SqliteConnection),
    Pg(sqlx::PgConnection),
}

impl Raw {
    async fn connect(url: &str) -> Raw {
        if url.starts_with("postgres") {
            Raw::Pg(sqlx::PgConnection::connect(url).await.unwrap())
        } else {
            Raw::Sqlite(sqlx::SqliteConnection::connect(url).await.unwrap())
        }
    }

    async fn exec(&mut self, sql: &str) {
        let r = match self {
            Raw::Sqlite(c) => sqlx::raw_sql(AssertSqlSafe(sql.to_string()))
                .execute(&mut *c)
                .await
                .map(|_| ()),
            Raw::Pg(c) => sqlx::raw_sql(AssertSqlSafe(sql.to_string()))
                .execute(&mut *c)
                .await
                .map(|_| ()),
        };
        r.unwrap_or_else(|e| panic!("{sql}: {e}"));
    }

    async fn text(&mut self, sql: &str) -> String {
        match self {
            Raw::Sqlite(c) => sqlx::query(AssertSqlSafe(sql.to_string()))
                .fetch_one(&mut *c)
                .await
                .unwrap()
                .get::<String, _>(0),
            Raw::Pg(c) => sqlx::query(AssertSqlSafe(sql.to_string()))
                .fetch_one(&mut *c)
                .await
                .unwrap()
                .get::<String, _>(0),
        }
    }

    /// What whoever holds the database's owner rights can do.
    async fn disable_audit_triggers(&mut self) {
        match self {
            Raw::Sqlite(_) => {
                self.exec(
                    "DROP TRIGGER audit_entries_no_update; DROP TRIGGER audit_entries_no_delete; \
                     DROP TRIGGER audit_head_forward_only; DROP TRIGGER audit_head_no_delete;",
                )
                .await
            }
            Raw::Pg(_) => {
                self.exec(
                    "ALTER TABLE audit_entries DISABLE TRIGGER ALL; \
                     ALTER TABLE audit_head DISABLE TRIGGER ALL;",
                )
                .await
            }
        }
    }

    /// A forged SET_BUDGET entry `id`, chained to `previous` and hashed as
    /// the store would.
    async fn insert_forged(&mut self, id: i64, previous: &str) {
        let at = "2026-01-01T00:00:00.000000Z";
        let after = r#"{"year":2030,"payer":"CITY","total":"99999999.00"}"#;
        let hash = forged_hash(previous, id, "budget:2030:CITY", "mallory", at, after);
        self.exec(&format!(
            "INSERT INTO audit_entries (id, claim_id, target, actor, role, at, action, \
             before_json, after_json, previous_hash, entry_hash) VALUES ({id}, NULL, \
             'budget:2030:CITY', 'mallory', 'admin', '{at}', 'SET_BUDGET', NULL, '{after}', \
             '{previous}', '{hash}')"
        ))
        .await;
    }

    async fn close(self) {
        match self {
            Raw::Sqlite(c) => c.close().await.unwrap(),
            Raw::Pg(c) => c.close().await.unwrap(),
        }
    }
}

/// Every scenario on databases made by `fresh(name)`.
async fn scenarios<F, Fut>(fresh: F)
where
    F: Fn(&'static str) -> Fut,
    Fut: std::future::Future<Output = String>,
{
    // Intact.
    let url = fresh("intact").await;
    populate(&url).await;
    let (code, out) = verify(&url);
    assert_eq!(code, Some(0), "{out}");
    assert!(
        out.contains(&format!("audit log intact: {ENTRIES} entries")),
        "{out}"
    );
    assert!(out.contains("head: sha256:"), "{out}");
    assert!(
        out.contains("claims agree with the log: 0 claims compared"),
        "{out}"
    );
    assert!(
        out.contains(&format!(
            "budgets agree with the log: {ENTRIES} budgets compared"
        )),
        "{out}"
    );

    // A budget row no entry wrote: named, exit 0; with --strict, exit 1.
    let url = fresh("unwritten").await;
    populate(&url).await;
    let mut db = Raw::connect(&url).await;
    db.exec(
        "INSERT INTO budgets (year, payer, total_fen, updated_at) \
         VALUES (2099, 'CITY', 100, '2026-01-01T00:00:00.000000Z')",
    )
    .await;
    db.close().await;
    let (code, out) = verify(&url);
    assert_eq!(code, Some(0), "{out}");
    assert!(out.contains("1 budgets no entry of the log wrote"), "{out}");
    let strict = run(
        &["audit", "verify", "--strict", "--database-url", &url],
        &[],
    );
    assert_eq!(strict.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&strict.stdout).contains("strict: 1 rows cannot be compared"),
        "{}",
        String::from_utf8_lossy(&strict.stdout)
    );

    // A budget's total raised in its row, the log left alone.
    let url = fresh("budget").await;
    populate(&url).await;
    let mut db = Raw::connect(&url).await;
    db.exec("UPDATE budgets SET total_fen = 999999900 WHERE year = 2017")
        .await;
    db.close().await;
    let (code, out) = verify(&url);
    assert_eq!(code, Some(1), "{out}");
    assert!(
        out.contains("budgets table BROKEN at budget 2017/CITY"),
        "{out}"
    );
    assert!(
        out.contains("the total is \"9999999.00\" in the table, \"200000.00\" in the log"),
        "{out}"
    );

    // A claim's amount raised in its row, the log left alone.
    let url = fresh("claim").await;
    populate(&url).await;
    let claim = populate_claim(&url).await;
    let (code, out) = verify(&url);
    assert_eq!(code, Some(0), "{out}");
    assert!(out.contains("1 claims compared"), "{out}");
    let mut db = Raw::connect(&url).await;
    db.exec(&format!(
        "UPDATE claims SET estimated_amount_fen = 60000000 WHERE id = {claim}"
    ))
    .await;
    // And a claim inserted with no entry at all.
    db.exec(&format!(
        "INSERT INTO claims (idempotency_key, submitted_by, request_hash, credit_code, \
         credit_code_confirmed, unit_name, unit_name_folded, seat, fiscal_unit, item, variant, \
         clause, subject, subject_as_given, one_time_key, achievement_date, year, \
         estimated_amount_fen, discretionary, application_json, estimate_json, status, \
         created_at, updated_at) SELECT 'forged', submitted_by, request_hash, credit_code, \
         credit_code_confirmed, unit_name, unit_name_folded, seat, fiscal_unit, item, variant, \
         clause, subject, subject_as_given, 'forged-key', achievement_date, year, \
         estimated_amount_fen, discretionary, application_json, estimate_json, status, \
         created_at, updated_at FROM claims WHERE id = {claim}"
    ))
    .await;
    db.close().await;
    let (code, out) = verify(&url);
    assert_eq!(code, Some(1), "{out}");
    assert!(
        out.contains(&format!("claims table BROKEN at claim {claim}")),
        "{out}"
    );
    assert!(
        out.contains("estimated_amount is \"600000.00\" in the table"),
        "{out}"
    );
    assert!(
        out.contains(&format!("hash chain of {} entries is intact", ENTRIES + 1)),
        "{out}"
    );
    assert!(
        out.contains("not comparable from their submission: 1 claims"),
        "{out}"
    );

    // An entry edited.
    let url = fresh("edited").await;
    populate(&url).await;
    let mut db = Raw::connect(&url).await;
    db.disable_audit_triggers().await;
    db.exec("UPDATE audit_entries SET actor = 'mallory' WHERE id = 3")
        .await;
    db.close().await;
    let (code, out) = verify(&url);
    assert_eq!(code, Some(1), "{out}");
    assert!(out.contains("BROKEN at entry 3"), "{out}");
    assert!(out.contains("was altered"), "{out}");

    // An entry deleted.
    let url = fresh("deleted").await;
    populate(&url).await;
    let mut db = Raw::connect(&url).await;
    db.disable_audit_triggers().await;
    db.exec("DELETE FROM audit_entries WHERE id = 2").await;
    db.close().await;
    let (code, out) = verify(&url);
    assert_eq!(code, Some(1), "{out}");
    assert!(out.contains("BROKEN at entry 2"), "{out}");
    assert!(out.contains("entry 2 is missing"), "{out}");

    // A correctly hashed entry appended at the end.
    let url = fresh("appended").await;
    populate(&url).await;
    let mut db = Raw::connect(&url).await;
    db.disable_audit_triggers().await;
    let last = db
        .text(&format!(
            "SELECT entry_hash FROM audit_entries WHERE id = {ENTRIES}"
        ))
        .await;
    db.insert_forged(ENTRIES + 1, &last).await;
    db.close().await;
    let (code, out) = verify(&url);
    assert_eq!(code, Some(1), "{out}");
    assert!(
        out.contains(&format!("BROKEN at entry {}", ENTRIES + 1)),
        "{out}"
    );
    assert!(out.contains("behind the store's back"), "{out}");

    // A correctly hashed entry inserted in the middle (later ids shifted).
    let url = fresh("inserted").await;
    populate(&url).await;
    let mut db = Raw::connect(&url).await;
    db.disable_audit_triggers().await;
    db.exec("UPDATE audit_entries SET id = id + 1000 WHERE id >= 3")
        .await;
    db.exec("UPDATE audit_entries SET id = id - 999 WHERE id >= 1000")
        .await;
    let second = db
        .text("SELECT entry_hash FROM audit_entries WHERE id = 2")
        .await;
    db.insert_forged(3, &second).await;
    db.close().await;
    let (code, out) = verify(&url);
    assert_eq!(code, Some(1), "{out}");
    assert!(out.contains("BROKEN at entry 4"), "{out}");
    assert!(out.contains("does not follow entry 3"), "{out}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn audit_verify_names_the_first_broken_entry_on_sqlite() {
    let dir = fresh_dir("audit");
    scenarios(|name| {
        let path = dir.join(format!("{name}.sqlite"));
        async move { format!("sqlite://{}", path.display()) }
    })
    .await;

    // A database that is not there: exit 2, and none is created.
    let missing = dir.join("missing.sqlite");
    let (code, out) = verify(&format!("sqlite://{}", missing.display()));
    assert_eq!(code, Some(2), "{out}");
    assert!(out.contains("DATABASE_MISSING"), "{out}");
    assert!(!missing.exists());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn audit_verify_names_the_first_broken_entry_on_postgres() {
    let Some(cluster) = s::pg::PgCluster::start_or_skip() else {
        return;
    };
    let admin = cluster.url("postgres");
    let cluster = &cluster;
    scenarios(|name| {
        let admin = admin.clone();
        async move {
            let mut c = sqlx::PgConnection::connect(&admin).await.unwrap();
            sqlx::raw_sql(AssertSqlSafe(format!("CREATE DATABASE audit_{name}")))
                .execute(&mut c)
                .await
                .unwrap();
            c.close().await.unwrap();
            cluster.url(&format!("audit_{name}"))
        }
    })
    .await;
}

fn verify_with(url: &str, extra: &[&str]) -> (Option<i32>, String) {
    let mut args = vec!["audit", "verify", "--database-url", url];
    args.extend_from_slice(extra);
    let out = run(&args, &[]);
    println!("{}", text(&out));
    (
        out.status.code(),
        format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
    )
}

/// `stdfund serve` run until it exits by itself (at most 20 s): its status
/// and output.
fn serve_until_exit(args: &[&str]) -> (Option<i32>, String) {
    let mut child = ops_support::stdfund()
        .arg("serve")
        .args(args)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while child.try_wait().unwrap().is_none() {
        if std::time::Instant::now() > deadline {
            child.kill().unwrap();
            panic!("serve did not exit");
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    let out = child.wait_with_output().unwrap();
    (out.status.code(), text(&out))
}

/// The audit key, as an operator uses it: `migrate --adopt-audit-key` seals the
/// log; `audit verify` checks the seals with the key, notes them without
/// it (and `--strict` fails), names another key and an entry appended
/// without the key; `migrate` and `serve` without the key (or with another)
/// refuse a sealed log; a short or missing key file is refused.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_audit_key_seals_the_log_and_is_required_once_it_does() {
    let dir = fresh_dir("audit-key");
    let url = format!("sqlite://{}", dir.join("r.sqlite").display());
    populate(&url).await;
    let key = dir.join("audit.key");
    std::fs::write(&key, format!("{}\n", "ab".repeat(32))).unwrap();
    let other = dir.join("other.key");
    std::fs::write(&other, "cd".repeat(32)).unwrap();
    let short = dir.join("short.key");
    std::fs::write(&short, "tooshort").unwrap();
    let key_s = key.to_str().unwrap();

    // Unsealed: verify says so.
    let (code, out) = verify_with(&url, &[]);
    assert_eq!(code, Some(0), "{out}");
    assert!(out.contains("未封签 not sealed"), "{out}");

    // A log with entries and no seal is not sealed on any start: it could be
    // one whose seals were removed (the seventh attack, F2). serve and
    // migrate refuse it; the operator adopts the key explicitly.
    let m = run(
        &["migrate", "--database-url", &url, "--audit-key-file", key_s],
        &[],
    );
    assert_eq!(m.status.code(), Some(1), "{}", text(&m));
    assert!(text(&m).contains("AUDIT_KEY_NOT_ADOPTED"), "{}", text(&m));
    assert!(text(&m).contains("--adopt-audit-key"), "{}", text(&m));
    let common = [
        "--listen",
        "127.0.0.1:0",
        "--metrics-listen",
        "off",
        "--database-url",
        url.as_str(),
    ];
    let (code, out) = serve_until_exit(&[&common[..], &["--audit-key-file", key_s]].concat());
    assert_ne!(code, Some(0), "{out}");
    assert!(out.contains("AUDIT_KEY_NOT_ADOPTED"), "{out}");
    // The flag needs the key.
    let m = run(
        &["migrate", "--database-url", &url, "--adopt-audit-key"],
        &[],
    );
    assert_eq!(m.status.code(), Some(2), "{}", text(&m));
    // migrate --adopt-audit-key adopts it: the last entry is sealed.
    let m = run(
        &[
            "migrate",
            "--database-url",
            &url,
            "--audit-key-file",
            key_s,
            "--adopt-audit-key",
        ],
        &[],
    );
    assert!(m.status.success(), "{}", text(&m));
    let said = String::from_utf8_lossy(&m.stdout).to_string();
    assert!(
        said.contains(&format!("its last entry ({ENTRIES}) vouches")),
        "{said}"
    );
    let (code, out) = verify_with(&url, &["--audit-key-file", key_s]);
    assert_eq!(code, Some(0), "{out}");
    assert!(
        out.contains(&format!(
            "封签有效 seals verified: every entry from {ENTRIES} on"
        )),
        "{out}"
    );
    // Without the key: noted, and --strict fails.
    let (code, out) = verify_with(&url, &[]);
    assert_eq!(code, Some(0), "{out}");
    assert!(out.contains("封签未核验"), "{out}");
    let (code, out) = verify_with(&url, &["--strict"]);
    assert_eq!(code, Some(1), "{out}");
    // Another key: the seal is named.
    let (code, out) = verify_with(&url, &["--audit-key-file", other.to_str().unwrap()]);
    assert_eq!(code, Some(1), "{out}");
    assert!(out.contains(&format!("BROKEN at entry {ENTRIES}")), "{out}");
    assert!(out.contains("another key"), "{out}");
    // A short key or a missing file: cannot check (2).
    let (code, out) = verify_with(&url, &["--audit-key-file", short.to_str().unwrap()]);
    assert_eq!(code, Some(2), "{out}");
    assert!(out.contains("AUDIT_KEY_TOO_SHORT"), "{out}");
    let missing = dir.join("missing.key");
    let (code, out) = verify_with(&url, &["--audit-key-file", missing.to_str().unwrap()]);
    assert_eq!(code, Some(2), "{out}");
    assert!(out.contains("AUDIT_KEY_UNREADABLE"), "{out}");

    // Writers refuse a sealed log without its key, or with another.
    let m = run(&["migrate", "--database-url", &url], &[]);
    assert_eq!(m.status.code(), Some(1), "{}", text(&m));
    assert!(text(&m).contains("AUDIT_KEY_REQUIRED"), "{}", text(&m));
    let m = run(
        &[
            "migrate",
            "--database-url",
            &url,
            "--audit-key-file",
            other.to_str().unwrap(),
        ],
        &[],
    );
    assert_eq!(m.status.code(), Some(1), "{}", text(&m));
    assert!(text(&m).contains("AUDIT_KEY_MISMATCH"), "{}", text(&m));
    let (code, out) = serve_until_exit(&common);
    assert_ne!(code, Some(0), "{out}");
    assert!(out.contains("AUDIT_KEY_REQUIRED"), "{out}");

    // An entry appended by a store without the key (an older build, or
    // anyone with write access and the code): the chain is intact, the seal
    // is missing, and verify names it with the key or without.
    let store = AnyStore::open(&url, &OpenOptions::default()).await.unwrap();
    store
        .set_budget(
            2030,
            "CITY",
            Money::parse_yuan("1.00").unwrap(),
            &Actor::new("mallory", "admin"),
            &Timestamp::now().unwrap(),
        )
        .await
        .unwrap();
    store.close().await;
    for extra in [&["--audit-key-file", key_s][..], &[][..]] {
        let (code, out) = verify_with(&url, extra);
        assert_eq!(code, Some(1), "{out}");
        assert!(
            out.contains(&format!("BROKEN at entry {}", ENTRIES + 1)),
            "{out}"
        );
        assert!(out.contains("has no seal"), "{out}");
    }
}
