//! Honest health, as an operator sees it, against the real `stdfund serve`:
//! the registry's `grpc.health.v1` status follows its database.
//!
//! SQLite: the file removed, moved away and back, replaced, made read-only
//! and corrupted under a running server — the registry turns NOT_SERVING
//! within 5 s (the time is printed), writes are refused with UNAVAILABLE,
//! one WARN line names the reason, `stdfund_registry_database_up` is 0, and
//! it comes back to SERVING (INFO line, gauge 1) when the file does, without
//! a restart. EstimateService and the overall `""` stay SERVING. A removed
//! file is not silently re-created on restart when `create_database` is off.
//!
//! While the registry is NOT_SERVING, writes are refused at once (no wait,
//! nothing written into a damaged file).
//!
//! PostgreSQL (a throwaway cluster, stopped and started mid-run): the same
//! health transitions, a write caught before the probe notices gives up
//! within the write timeout with UNAVAILABLE, and `stdfund serve` with PostgreSQL down (refusing, or a
//! black hole that never answers) fails within the connect timeout with a
//! clear message.

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

use ops_support::{ESTIMATE, REGISTRY, Serve, chmod, fresh_dir, run, text, wait_health};
use registry_support as s;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};
use tonic::Code;
use tonic_health::pb::health_check_response::ServingStatus;

/// The promise: NOT_SERVING (and back) within this.
const WITHIN: Duration = Duration::from_secs(5);

/// A SQLite registry created and migrated by `stdfund migrate` (so the file
/// holds its pages, no WAL left), and a tokens file.
fn prepared_sqlite(stem: &str) -> (PathBuf, PathBuf) {
    let dir = fresh_dir(stem);
    let db = dir.join("registry.sqlite");
    let url = format!("sqlite://{}", db.display());
    let out = run(&["migrate", "--database-url", &url], &[]);
    assert!(out.status.success(), "{}", text(&out));
    (db, s::tokens_file())
}

fn serve_sqlite(db: &Path, tokens: &Path) -> Serve {
    Serve::start(
        &[
            "--database-url",
            &format!("sqlite://{}", db.display()),
            "--tokens-file",
            &tokens.display().to_string(),
            "--create-database",
            "false",
        ],
        &[],
    )
    .unwrap_or_else(|f| panic!("serve did not start: {f:?}"))
}

/// Submits a fresh claim with the portal token; the call's result code.
async fn submit(addr: &str, n: u32) -> (Code, Duration) {
    let ch = s::channel(addr.parse().unwrap()).await;
    let app = s::application(
        &s::credit_code(n),
        &s::Ach::new(
            "STANDARD_LEAD",
            "NATIONAL",
            &format!("GB/T {}-2020", 20_000 + n),
            "2020-05-01",
        ),
    );
    let started = Instant::now();
    let r = s::client(&ch, Some(s::PORTAL))
        .submit_claim(s::submit(&format!("ops-{n}"), app, 2021))
        .await;
    let took = started.elapsed();
    match r {
        Ok(_) => (Code::Ok, took),
        Err(e) => {
            if e.code() == Code::Unavailable {
                // A stable reason for clients to retry on.
                let (reason, _) = s::info(&e);
                assert_eq!(reason, "UNAVAILABLE", "{e:?}");
            }
            (e.code(), took)
        }
    }
}

/// The server's WARN line about the registry database, with its reason.
fn warn_reason(server: &Serve) -> String {
    let r = server
        .wait_record(Duration::from_secs(5), |r| {
            r["level"] == "WARN"
                && r["message"]
                    .as_str()
                    .is_some_and(|m| m.contains("registry database unavailable"))
        })
        .unwrap_or_else(|| panic!("no WARN line: {:#?}", server.log()));
    r["reason"].as_str().unwrap_or_default().to_string()
}

fn transitions(server: &Serve) -> (usize, usize) {
    let rs = server.records();
    let count = |m: &str| {
        rs.iter()
            .filter(|r| r["message"].as_str().is_some_and(|x| x.contains(m)))
            .count()
    };
    (
        count("registry database unavailable"),
        count("registry database available again"),
    )
}

/// Waits for the registry to turn NOT_SERVING and checks what holds then:
/// the other services SERVING, writes UNAVAILABLE, the gauge 0, the WARN
/// line. Returns the time to NOT_SERVING and the logged reason.
async fn expect_outage(server: &Serve, what: &str, n: u32) -> (Duration, String) {
    let took = wait_health(&server.addr, REGISTRY, ServingStatus::NotServing, WITHIN).await;
    println!("{what}: NOT_SERVING after {took:?}");
    assert_eq!(
        ops_support::health(&server.addr, ESTIMATE).await,
        ServingStatus::Serving
    );
    assert_eq!(
        ops_support::health(&server.addr, "").await,
        ServingStatus::Serving
    );
    let (code, write_took) = submit(&server.addr, n).await;
    assert_eq!(
        code,
        Code::Unavailable,
        "{what}: a write must be refused, got {code:?}"
    );
    println!("{what}: write refused UNAVAILABLE after {write_took:?}");
    // Refused at once: the server knows the database is down.
    assert!(write_took < Duration::from_secs(1), "{write_took:?}");
    assert_eq!(
        server.metric("stdfund_registry_database_up").await,
        Some(0.0)
    );
    let reason = warn_reason(server);
    (took, reason)
}

async fn expect_recovery(server: &Serve, what: &str, n: u32) {
    let took = wait_health(&server.addr, REGISTRY, ServingStatus::Serving, WITHIN).await;
    println!("{what}: SERVING again after {took:?}");
    assert_eq!(submit(&server.addr, n).await.0, Code::Ok);
    assert_eq!(
        server.metric("stdfund_registry_database_up").await,
        Some(1.0)
    );
    server
        .wait_record(Duration::from_secs(5), |r| {
            r["level"] == "INFO"
                && r["message"]
                    .as_str()
                    .is_some_and(|m| m.contains("registry database available again"))
        })
        .unwrap_or_else(|| panic!("no INFO recovery line: {:#?}", server.log()));
}

fn companions(db: &Path) -> [PathBuf; 3] {
    [
        db.to_path_buf(),
        PathBuf::from(format!("{}-wal", db.display())),
        PathBuf::from(format!("{}-shm", db.display())),
    ]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_file_removed_is_an_outage_and_never_a_new_empty_registry() {
    let (db, tokens) = prepared_sqlite("removed");
    let server = serve_sqlite(&db, &tokens);
    assert_eq!(
        ops_support::health(&server.addr, REGISTRY).await,
        ServingStatus::Serving
    );
    assert_eq!(submit(&server.addr, 1).await.0, Code::Ok);
    assert_eq!(
        server.metric("stdfund_registry_database_up").await,
        Some(1.0)
    );
    for f in companions(&db) {
        let _ = std::fs::remove_file(f);
    }
    let (_, reason) = expect_outage(&server, "file removed", 2).await;
    assert!(reason.contains("was removed"), "{reason}");
    // Still down a few probes later, logged once.
    tokio::time::sleep(Duration::from_millis(2500)).await;
    assert_eq!(
        ops_support::health(&server.addr, REGISTRY).await,
        ServingStatus::NotServing
    );
    assert_eq!(transitions(&server), (1, 0));
    server.stop();
    assert!(!db.exists(), "the server re-created the removed file");

    // A restart does not make a new, empty registry in its place.
    let again = Serve::start(
        &[
            "--database-url",
            &format!("sqlite://{}", db.display()),
            "--tokens-file",
            &tokens.display().to_string(),
            "--create-database",
            "false",
        ],
        &[],
    );
    let failed = match again {
        Ok(_) => panic!("serve started without its database file"),
        Err(f) => f,
    };
    assert_eq!(failed.status.and_then(|s| s.code()), Some(1), "{failed:?}");
    for needle in [
        "does not exist",
        "create_database",
        "STDFUND_CREATE_DATABASE",
        // In Chinese first, as every start-up refusal.
        "无法启动申报登记库:数据库文件",
    ] {
        assert!(
            failed.stderr.contains(needle),
            "{needle}: {}",
            failed.stderr
        );
    }
    assert!(!db.exists(), "a new database file was created");
    // The same through the environment (what deploy/ sets).
    let env = Serve::start(
        &["--tokens-file", &tokens.display().to_string()],
        &[
            (
                "STDFUND_DATABASE_URL",
                &format!("sqlite://{}", db.display()),
            ),
            ("STDFUND_CREATE_DATABASE", "false"),
        ],
    );
    assert!(env.is_err());
    assert!(!db.exists());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_file_moved_away_and_back_recovers_without_restart() {
    let (db, tokens) = prepared_sqlite("moved");
    let server = serve_sqlite(&db, &tokens);
    assert_eq!(submit(&server.addr, 11).await.0, Code::Ok);
    let aside = db.with_extension("aside");
    std::fs::rename(&db, &aside).unwrap();
    let (_, reason) = expect_outage(&server, "file moved away", 12).await;
    assert!(reason.contains("was removed"), "{reason}");
    std::fs::rename(&aside, &db).unwrap();
    expect_recovery(&server, "file moved back", 13).await;
    assert_eq!(transitions(&server), (1, 1));
    server.stop();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_file_replaced_refuses_writes() {
    let (db, tokens) = prepared_sqlite("replaced");
    let server = serve_sqlite(&db, &tokens);
    assert_eq!(submit(&server.addr, 21).await.0, Code::Ok);
    // Another file renamed over the path (what a careless restore does).
    let other = db.with_extension("other");
    let out = run(
        &[
            "backup",
            "--database-url",
            &format!("sqlite://{}", db.display()),
            "--to",
            &other.display().to_string(),
        ],
        &[],
    );
    assert!(out.status.success(), "{}", text(&out));
    std::fs::rename(&other, &db).unwrap();
    let (_, reason) = expect_outage(&server, "file replaced", 22).await;
    assert!(reason.contains("replaced by another file"), "{reason}");
    assert!(reason.contains("restart the server"), "{reason}");
    server.stop();
}

/// A file removed, then a copy of it put back (another inode, as a move
/// from another file system makes): the registry stays NOT_SERVING and the
/// log says, the second time, that the file is another one and to restart
/// (the tenth user test read "was removed" for good).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_file_removed_then_copied_back_says_to_restart() {
    let (db, tokens) = prepared_sqlite("copied-back");
    let server = serve_sqlite(&db, &tokens);
    assert_eq!(submit(&server.addr, 41).await.0, Code::Ok);
    let aside = db.with_extension("aside");
    std::fs::copy(&db, &aside).unwrap();
    std::fs::remove_file(&db).unwrap();
    let (_, reason) = expect_outage(&server, "file removed", 42).await;
    assert!(reason.contains("was removed"), "{reason}");
    std::fs::rename(&aside, &db).unwrap();
    let again = |rs: &[serde_json::Value]| {
        rs.iter()
            .filter(|r| {
                r["message"]
                    .as_str()
                    .is_some_and(|m| m.contains("for another reason"))
            })
            .map(|r| r["reason"].as_str().unwrap_or_default().to_owned())
            .collect::<Vec<String>>()
    };
    let start = std::time::Instant::now();
    while again(&server.records()).is_empty() && start.elapsed() < WITHIN {
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let logged = again(&server.records());
    assert_eq!(logged.len(), 1, "{logged:?}");
    assert!(logged[0].contains("replaced by another file"), "{logged:?}");
    assert!(logged[0].contains("restart the server"), "{logged:?}");
    assert_eq!(
        ops_support::health(&server.addr, REGISTRY).await,
        ServingStatus::NotServing
    );
    server.stop();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_file_read_only_then_writable_again() {
    let (db, tokens) = prepared_sqlite("readonly");
    let server = serve_sqlite(&db, &tokens);
    assert_eq!(submit(&server.addr, 31).await.0, Code::Ok);
    chmod(&db, 0o444);
    let (_, reason) = expect_outage(&server, "file read-only", 32).await;
    assert!(reason.contains("read-only"), "{reason}");
    chmod(&db, 0o644);
    expect_recovery(&server, "file writable again", 33).await;
    server.stop();

    // A read-only file also stops the start, with the reason.
    chmod(&db, 0o444);
    let failed = Serve::start(
        &[
            "--database-url",
            &format!("sqlite://{}", db.display()),
            "--tokens-file",
            &tokens.display().to_string(),
        ],
        &[],
    )
    .err()
    .expect("serve started on a read-only database");
    assert!(failed.stderr.contains("read-only"), "{}", failed.stderr);
    chmod(&db, 0o644);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_file_corrupted_then_restored() {
    let (db, tokens) = prepared_sqlite("corrupt");
    let server = serve_sqlite(&db, &tokens);
    let original = std::fs::read(&db).unwrap();
    assert!(original.len() > 3 * 4096, "{}", original.len());
    // Every page after the first (the header stays, so the file still opens
    // as SQLite) overwritten in place: same file, same inode.
    let mut damaged = original.clone();
    for (i, b) in damaged.iter_mut().enumerate().skip(4096) {
        *b = (i % 251) as u8;
    }
    std::fs::write(&db, &damaged).unwrap();
    let (_, reason) = expect_outage(&server, "file corrupted", 41).await;
    // What SQLite says depends on which pages the damage hit first (and on
    // what the WAL still held): a failed quick_check, a malformed image, or
    // a schema it no longer finds.
    assert!(
        [
            "quick_check",
            "malformed",
            "no such table",
            "not a database"
        ]
        .iter()
        .any(|w| reason.contains(w)),
        "{reason}"
    );
    std::fs::write(&db, &original).unwrap();
    expect_recovery(&server, "file restored", 42).await;
    server.stop();

    // A corrupt file also stops the start.
    std::fs::write(&db, &damaged).unwrap();
    for f in &companions(&db)[1..] {
        let _ = std::fs::remove_file(f);
    }
    let failed = Serve::start(
        &[
            "--database-url",
            &format!("sqlite://{}", db.display()),
            "--tokens-file",
            &tokens.display().to_string(),
        ],
        &[],
    )
    .err()
    .expect("serve started on a corrupt database");
    assert!(
        failed.stderr.contains("quick_check") || failed.stderr.contains("malformed"),
        "{}",
        failed.stderr
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_stopped_and_started_mid_run() {
    let Some(cluster) = s::pg::PgCluster::start_or_skip() else {
        return;
    };
    let url = cluster.url("postgres");
    let tokens = s::tokens_file();
    let server = Serve::start(
        &[
            "--database-url",
            &url,
            "--tokens-file",
            &tokens.display().to_string(),
            "--write-timeout-seconds",
            "3",
        ],
        &[],
    )
    .unwrap_or_else(|f| panic!("serve did not start: {f:?}"));
    assert_eq!(
        ops_support::health(&server.addr, REGISTRY).await,
        ServingStatus::Serving
    );
    assert_eq!(submit(&server.addr, 51).await.0, Code::Ok);
    cluster.stop();
    // A write sent before the health probe notices waits for the database
    // at most the write timeout (3 s here), then UNAVAILABLE.
    let (code, took) = submit(&server.addr, 50).await;
    println!("PostgreSQL stopped: first write {code:?} after {took:?}");
    assert_eq!(code, Code::Unavailable);
    assert!(took < Duration::from_millis(3800), "{took:?}");
    let (_, reason) = expect_outage(&server, "PostgreSQL stopped", 52).await;
    assert!(reason.contains("PostgreSQL"), "{reason}");
    cluster.resume();
    expect_recovery(&server, "PostgreSQL started again", 53).await;
    assert_eq!(transitions(&server), (1, 1));
    server.stop();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_down_at_start_fails_fast_with_a_clear_message() {
    let tokens = s::tokens_file();
    let tokens = tokens.display().to_string();
    // Nothing listens: a port bound and never listened on refuses every
    // connection. (A stopped cluster's port is not enough: once free, a
    // parallel test's listener, or the client's own ephemeral port in a TCP
    // self-connect, can answer on it, and the start then times out instead.)
    let refusing = tokio::net::TcpSocket::new_v4().unwrap();
    refusing.bind("127.0.0.1:0".parse().unwrap()).unwrap();
    let url = format!(
        "postgres://postgres@127.0.0.1:{}/postgres",
        refusing.local_addr().unwrap().port()
    );
    let failed = Serve::start(&["--database-url", &url, "--tokens-file", &tokens], &[])
        .err()
        .expect("serve started without PostgreSQL");
    println!("PostgreSQL refusing: serve failed after {:?}", failed.after);
    assert_eq!(failed.status.and_then(|s| s.code()), Some(1), "{failed:?}");
    assert!(failed.after < Duration::from_secs(7), "{:?}", failed.after);
    println!("{}", failed.stderr);
    assert!(
        failed.stderr.contains("cannot open postgres://")
            && failed.stderr.contains("claim registry")
            && failed.stderr.to_lowercase().contains("connection refused"),
        "{}",
        failed.stderr
    );

    // A black hole: connections are accepted and never answered.
    let hole = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = hole.local_addr().unwrap().port();
    let held = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    {
        let held = held.clone();
        std::thread::spawn(move || {
            for c in hole.incoming().map_while(Result::ok) {
                held.lock().unwrap().push(c);
            }
        });
    }
    let failed = Serve::start(
        &[
            "--database-url",
            &format!("postgres://postgres@127.0.0.1:{port}/postgres"),
            "--tokens-file",
            &tokens,
        ],
        &[],
    )
    .err()
    .expect("serve started against a black hole");
    println!(
        "PostgreSQL black hole: serve failed after {:?}",
        failed.after
    );
    assert_eq!(failed.status.and_then(|s| s.code()), Some(1), "{failed:?}");
    assert!(
        failed.after >= Duration::from_secs(4) && failed.after < Duration::from_secs(10),
        "{:?}",
        failed.after
    );
    assert!(
        failed.stderr.contains("did not answer within 5000 ms"),
        "{}",
        failed.stderr
    );
}
