//! `stdfund registry collisions` after `stdfund migrate` re-keys a registry
//! written by an older build: two live claims stored under old,
//! non-canonical one-time keys (`GB/T 054321-2020` and `GB/T 54321-2020`,
//! one achievement under the canonical identity of RULES.md §5) are not
//! merged; `migrate` reports the collision and points to the command, which
//! lists it (table or JSON) and exits 3 until a reviewer withdraws one claim
//! of the pair, then 0. On SQLite and on a throwaway PostgreSQL.

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

use ops_support::{created, fresh_dir, run, text};
use registry_support as s;
use sqlx::{AssertSqlSafe, Connection};
use stdfund_store::{Actor, AnyStore, OpenOptions, Timestamp};

/// A claim as an older build stored it: the subject as then normalised and
/// the one-time key built from it.
fn collisions(url: &str, json: bool) -> (Option<i32>, String) {
    let mut args = vec!["registry", "collisions", "--database-url", url];
    if json {
        args.extend(["--format", "json"]);
    }
    let out = run(&args, &[]);
    println!("{}", text(&out));
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

async fn scenario(url: &str) {
    let migrate = run(&["migrate", "--database-url", url], &[]);
    assert!(migrate.status.success(), "{}", text(&migrate));
    // A new database: its migrations named, then nothing more to apply.
    let said = String::from_utf8_lossy(&migrate.stdout).to_string();
    assert!(
        said.contains(
            "3 migration(s) applied: 0001 claim_registry, 0002 typed_registry, 0003 audit_seals"
        ),
        "{said}"
    );
    let again = run(&["migrate", "--database-url", url], &[]);
    assert!(
        String::from_utf8_lossy(&again.stdout)
            .contains("no migration to apply: the schema was already current"),
        "{}",
        text(&again)
    );
    // None yet.
    let (code, out) = collisions(url, false);
    assert_eq!(code, Some(0), "{out}");
    assert!(out.contains("no one-time-key collisions"), "{out}");

    // Two claims an older build kept apart.
    let code = s::credit_code(54321);
    let options = OpenOptions::default();
    let store = AnyStore::open(url, &options).await.unwrap();
    let zero = created(
        &store,
        ops_support::lead_filing(&code, "GB/T 054321-2020", "old-1"),
    )
    .await;
    let plain = created(
        &store,
        ops_support::lead_filing(&code, "GB/T 54321-2020", "old-2"),
    )
    .await;
    store.close().await;

    // Re-keying finds them and points to the command.
    let migrate = run(&["migrate", "--database-url", url], &[]);
    assert!(migrate.status.success(), "{}", text(&migrate));
    let said = String::from_utf8_lossy(&migrate.stdout);
    assert!(said.contains("1 collision(s) for a reviewer"), "{said}");
    assert!(said.contains("stdfund registry collisions"), "{said}");

    // The table.
    let (status, out) = collisions(url, false);
    assert_eq!(status, Some(3), "{out}");
    for needle in [
        "一次性键 One-time key",
        "待复核 standing",
        &format!("{code}|STANDARD_LEAD|GB/T 54321-2020"),
        "GB/T 054321-2020",
        "1 项待复核 standing",
    ] {
        assert!(out.contains(needle), "{needle}\n{out}");
    }
    // JSON.
    let (status, out) = collisions(url, true);
    assert_eq!(status, Some(3), "{out}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["standing"], 1, "{v}");
    let c = &v["collisions"][0];
    assert_eq!(v["collisions"].as_array().unwrap().len(), 1, "{v}");
    assert_eq!(c["claimId"], zero, "{v}");
    assert_eq!(c["holderClaimId"], plain, "{v}");
    assert_eq!(c["resolved"], false);
    assert_eq!(c["claim"]["status"], "SUBMITTED");
    assert_eq!(c["claim"]["subjectAsGiven"], "GB/T 054321-2020");
    assert_eq!(
        c["oneTimeKey"],
        format!("{code}|STANDARD_LEAD|GB/T 54321-2020")
    );

    // Migrating again records nothing new.
    let migrate = run(&["migrate", "--database-url", url], &[]);
    assert!(migrate.status.success(), "{}", text(&migrate));
    let (_, out) = collisions(url, true);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["collisions"].as_array().unwrap().len(), 1, "{v}");

    // A reviewer resolves it: one claim of the pair withdrawn.
    let store = AnyStore::open(url, &options).await.unwrap();
    store
        .withdraw(
            zero,
            Some("duplicate of the claim on GB/T 54321-2020".into()),
            &Actor::new("admin-chen", "admin"),
            &Timestamp::now().unwrap(),
        )
        .await
        .unwrap();
    store.close().await;
    let (status, out) = collisions(url, false);
    assert_eq!(status, Some(0), "{out}");
    assert!(out.contains("已解决 resolved"), "{out}");
    assert!(out.contains("0 项待复核 standing"), "{out}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn collisions_from_rekeying_are_listed_until_resolved_on_sqlite() {
    let dir = fresh_dir("collisions");
    scenario(&format!(
        "sqlite://{}",
        dir.join("registry.sqlite").display()
    ))
    .await;
    // A database that is not there: exit 2, and none is created.
    let missing = dir.join("missing.sqlite");
    let (code, _) = collisions(&format!("sqlite://{}", missing.display()), false);
    assert_eq!(code, Some(2));
    assert!(!missing.exists());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn collisions_from_rekeying_are_listed_until_resolved_on_postgres() {
    let Some(cluster) = s::pg::PgCluster::start_or_skip() else {
        return;
    };
    let mut c = sqlx::PgConnection::connect(&cluster.url("postgres"))
        .await
        .unwrap();
    sqlx::raw_sql(AssertSqlSafe("CREATE DATABASE collisions".to_string()))
        .execute(&mut c)
        .await
        .unwrap();
    c.close().await.unwrap();
    scenario(&cluster.url("collisions")).await;
}
