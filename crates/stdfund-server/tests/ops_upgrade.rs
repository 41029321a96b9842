//! Rolling upgrades with the real binary (docs/OPERATIONS.md, "Upgrade with
//! migrations"): a newer build's additive migration, declared compatible
//! with older builds, is in the database — this build still starts (`serve`
//! logs a WARN naming it and serves writes; `migrate` and `audit verify`
//! work), as an old replica restarting during a rolling upgrade must. A
//! contracting migration declared incompatible stops `serve` and `migrate`
//! with the clear message naming it. On SQLite and a throwaway PostgreSQL.

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

use ops_support::{Serve, fresh_dir, run, text};
use registry_support as s;
use sqlx::{AssertSqlSafe, Connection};
use tonic::Code;

async fn raw(url: &str, sql: &str) {
    if url.starts_with("postgres") {
        let mut c = sqlx::PgConnection::connect(url).await.unwrap();
        sqlx::raw_sql(AssertSqlSafe(sql.to_string()))
            .execute(&mut c)
            .await
            .unwrap();
        c.close().await.unwrap();
    } else {
        let mut c = sqlx::SqliteConnection::connect(url).await.unwrap();
        sqlx::raw_sql(AssertSqlSafe(sql.to_string()))
            .execute(&mut c)
            .await
            .unwrap();
        c.close().await.unwrap();
    }
}

async fn submit(addr: &str, n: u32) -> Code {
    let ch = s::channel(addr.parse().unwrap()).await;
    let app = s::application(
        &s::credit_code(n),
        &s::Ach::new(
            "STANDARD_LEAD",
            "NATIONAL",
            &format!("GB/T {}-2020", 40_000 + n),
            "2020-05-01",
        ),
    );
    match s::client(&ch, Some(s::PORTAL))
        .submit_claim(s::submit(&format!("up-{n}"), app, 2021))
        .await
    {
        Ok(_) => Code::Ok,
        Err(e) => e.code(),
    }
}

async fn scenario(url: &str) {
    let tokens = s::tokens_file();
    let tokens = tokens.display().to_string();
    let out = run(&["migrate", "--database-url", url], &[]);
    assert!(out.status.success(), "{}", text(&out));

    // What a newer build's additive (expand) migration 4 does.
    raw(
        url,
        "ALTER TABLE claims ADD COLUMN reviewer_note TEXT; \
         INSERT INTO store_migrations (version, name, checksum, older_builds_compatible) \
         VALUES (4, 'reviewer_note', 'checksum-of-a-newer-build', TRUE)",
    )
    .await;
    let server = Serve::start(&["--database-url", url, "--tokens-file", &tokens], &[])
        .unwrap_or_else(|f| panic!("this build must start on a compatible newer schema: {f:?}"));
    let warned = server
        .wait_record(std::time::Duration::from_secs(5), |r| {
            r["level"] == "WARN" && r["name"] == "reviewer_note" && r["version"] == 4
        })
        .unwrap_or_else(|| panic!("no WARN about migration 4: {:#?}", server.log()));
    assert!(
        warned["message"]
            .as_str()
            .unwrap()
            .contains("compatible with older builds"),
        "{warned}"
    );
    assert_eq!(submit(&server.addr, 1).await, Code::Ok);
    assert_eq!(
        ops_support::health(&server.addr, ops_support::REGISTRY).await,
        tonic_health::pb::health_check_response::ServingStatus::Serving
    );
    server.stop();
    let out = run(&["migrate", "--database-url", url], &[]);
    assert!(out.status.success(), "{}", text(&out));
    let out = run(&["audit", "verify", "--database-url", url], &[]);
    assert!(out.status.success(), "{}", text(&out));

    // A contracting migration 5, declared incompatible with older builds.
    raw(
        url,
        "INSERT INTO store_migrations (version, name, checksum, older_builds_compatible) \
         VALUES (5, 'drop_seat', 'checksum-of-a-newer-build', FALSE)",
    )
    .await;
    let failed = Serve::start(&["--database-url", url, "--tokens-file", &tokens], &[])
        .err()
        .expect("this build must refuse a schema with an incompatible newer migration");
    assert_eq!(failed.status.and_then(|s| s.code()), Some(1), "{failed:?}");
    for needle in [
        "migration 5 (drop_seat)",
        "not compatible with older builds",
        "newer stdfund",
    ] {
        assert!(
            failed.stderr.contains(needle),
            "{needle}\n{}",
            failed.stderr
        );
    }
    assert!(
        !failed.stderr.contains("reviewer_note"),
        "{}",
        failed.stderr
    );
    let out = run(&["migrate", "--database-url", url], &[]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("migration 5 (drop_seat)"),
        "{}",
        text(&out)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_older_build_runs_on_expanded_schemas_and_refuses_contracted_ones_on_sqlite() {
    let dir = fresh_dir("upgrade");
    scenario(&format!(
        "sqlite://{}",
        dir.join("registry.sqlite").display()
    ))
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_older_build_runs_on_expanded_schemas_and_refuses_contracted_ones_on_postgres() {
    let Some(cluster) = s::pg::PgCluster::start_or_skip() else {
        return;
    };
    scenario(&cluster.url("postgres")).await;
}

/// `stdfund migrate` creates a missing SQLite file only as `serve` would:
/// with `create_database` off (deployments), a missing file is refused and
/// none is created; with it on (the default, the first run), it says that it
/// created a new, empty registry.
#[test]
fn migrate_creates_a_missing_database_only_when_allowed() {
    let dir = fresh_dir("migrate-create");
    let path = dir.join("lost.sqlite");
    let url = format!("sqlite://{}", path.display());
    let refused = run(
        &["migrate", "--database-url", &url],
        &[("STDFUND_CREATE_DATABASE", "false")],
    );
    assert_eq!(refused.status.code(), Some(1), "{}", text(&refused));
    assert!(
        text(&refused).contains("DATABASE_MISSING"),
        "{}",
        text(&refused)
    );
    assert!(!path.exists(), "no file may be created");
    let created = run(&["migrate", "--database-url", &url], &[]);
    assert_eq!(created.status.code(), Some(0), "{}", text(&created));
    assert!(
        text(&created).contains("created a new, empty registry database"),
        "{}",
        text(&created)
    );
    assert!(path.exists());
    let again = run(&["migrate", "--database-url", &url], &[]);
    assert!(!text(&again).contains("created a new"), "{}", text(&again));
}
