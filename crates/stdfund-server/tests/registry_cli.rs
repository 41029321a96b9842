//! The registry's operator commands with the real `stdfund` binary:
//! `stdfund backup` while claims are being submitted through a running
//! `stdfund serve` (issue 5's acceptance test: the copy opens and holds every
//! claim acknowledged before the backup began), `stdfund migrate` on SQLite
//! and PostgreSQL, and `stdfund token hash`.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod ops_support;
mod registry_support;

use ops_support::{Serve, stdfund};
use registry_support as s;
use std::collections::BTreeSet;
use std::io::Write;
use std::process::Stdio;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use stdfund_store::{AnyStore, AuditFilter, ClaimQuery, OpenOptions};

#[test]
fn backup_while_claims_are_submitted_holds_every_acknowledged_claim() {
    let live = s::temp_path("live", "sqlite");
    let url = format!("sqlite://{}", live.display());
    let tokens = s::tokens_file();
    let server = Serve::start(
        &[
            "--database-url",
            &url,
            "--tokens-file",
            &tokens.display().to_string(),
        ],
        &[],
    )
    .unwrap_or_else(|f| panic!("serve did not start: {f:?}"));
    let addr = server.addr.clone();
    let copy = s::temp_path("backup", "sqlite");

    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let acked: Arc<Mutex<Vec<i64>>> = Arc::new(Mutex::new(Vec::new()));
    let stop_flag = Arc::new(AtomicBool::new(false));
    let (before, copy_ids, copy_audit, total_acked) = rt.block_on(async {
        let ch = s::channel(addr.parse().unwrap()).await;
        let mut writers = Vec::new();
        for w in 0..4u32 {
            let ch = ch.clone();
            let acked = acked.clone();
            let stop_flag = stop_flag.clone();
            writers.push(tokio::spawn(async move {
                let mut portal = s::client(&ch, Some(s::PORTAL));
                let mut n = 0u32;
                while !stop_flag.load(Ordering::Relaxed) {
                    n += 1;
                    let code = s::credit_code(w * 100_000 + n);
                    let app = s::application(
                        &code,
                        &s::Ach::new(
                            "STANDARD_LEAD",
                            "GROUP",
                            &format!("T/FZ {n}-2020"),
                            "2020-05-01",
                        ),
                    );
                    let r = portal
                        .submit_claim(s::submit(&format!("w{w}-{n}"), app, 2021))
                        .await
                        .unwrap()
                        .into_inner();
                    // Acknowledged: the server answered with the stored claim.
                    acked.lock().unwrap().push(r.claim.unwrap().claim_id);
                }
            }));
        }
        // Let claims flow, then take the backup while they keep coming.
        while acked.lock().unwrap().len() < 150 {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        let before: BTreeSet<i64> = acked.lock().unwrap().iter().copied().collect();
        let copy_path = copy.clone();
        let url2 = url.clone();
        let out = tokio::task::spawn_blocking(move || {
            stdfund()
                .args(["backup", "--to"])
                .arg(&copy_path)
                .env("STDFUND_DATABASE_URL", &url2)
                .output()
                .unwrap()
        })
        .await
        .unwrap();
        assert!(
            out.status.success(),
            "backup failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let said = String::from_utf8_lossy(&out.stdout).to_string();
        assert!(said.contains("integrity ok"), "{said}");
        // Writers go on after the backup began.
        tokio::time::sleep(Duration::from_millis(200)).await;
        stop_flag.store(true, Ordering::Relaxed);
        for w in writers {
            w.await.unwrap();
        }
        let total_acked = acked.lock().unwrap().len();
        assert!(total_acked > before.len(), "writers kept going");

        // Open the copy as a registry database and read everything back.
        let store = AnyStore::open(
            &format!("sqlite://{}", copy.display()),
            &OpenOptions::default(),
        )
        .await
        .unwrap();
        let mut ids = BTreeSet::new();
        let mut cursor: Option<String> = None;
        loop {
            let page = store
                .claims(&ClaimQuery {
                    cursor: cursor.clone(),
                    page_size: 500,
                    ..ClaimQuery::default()
                })
                .await
                .unwrap();
            ids.extend(page.claims.iter().map(|c| c.id));
            match page.next_cursor {
                Some(c) => cursor = Some(c),
                None => break,
            }
        }
        let mut audit = 0usize;
        let mut cursor: Option<String> = None;
        loop {
            let page = store
                .audit_log(&AuditFilter::default(), cursor.as_deref(), 500)
                .await
                .unwrap();
            audit += page.items.len();
            match page.next_cursor {
                Some(c) => cursor = Some(c),
                None => break,
            }
        }
        store.close().await;
        (before, ids, audit, total_acked)
    });
    drop(rt);
    server.stop();

    let missing: Vec<&i64> = before.difference(&copy_ids).collect();
    assert!(
        missing.is_empty(),
        "claims acknowledged before the backup are missing from the copy: {missing:?}"
    );
    // One snapshot: every claim in the copy has its audit row, nothing torn.
    assert_eq!(copy_audit, copy_ids.len());
    assert!(copy_ids.len() <= total_acked);
    println!(
        "backup: {} claims acknowledged before it began, {} in the copy, {} acknowledged in all",
        before.len(),
        copy_ids.len(),
        total_acked
    );

    // The destination must not exist; PostgreSQL is pg_dump's job.
    let again = stdfund()
        .args(["backup", "--to"])
        .arg(&copy)
        .env("STDFUND_DATABASE_URL", &url)
        .output()
        .unwrap();
    assert_eq!(again.status.code(), Some(1));
    let said = String::from_utf8_lossy(&again.stderr);
    assert!(said.starts_with("错误[BACKUP_EXISTS]:备份文件"), "{said}");
    assert!(said.contains("already exists"), "{said}");
    let lines: Vec<&str> = said.lines().collect();
    assert_eq!(lines.len(), 2, "{said}");
    assert!(lines[1].starts_with("error[BACKUP_EXISTS]: "), "{said}");
    assert!(
        !said.contains("  "),
        "no run of spaces from a wrapped literal: {said}"
    );
    // A destination in a directory that does not exist is said in Chinese too.
    let nowhere = stdfund()
        .args(["backup", "--to"])
        .arg(copy.with_file_name("no-such-dir").join("b.sqlite"))
        .env("STDFUND_DATABASE_URL", &url)
        .output()
        .unwrap();
    assert_eq!(nowhere.status.code(), Some(1));
    let said = String::from_utf8_lossy(&nowhere.stderr);
    assert!(said.starts_with("错误["), "{said}");
    assert!(said.contains("no-such-dir不存在"), "{said}");
    assert!(
        said.lines().nth(1).is_some_and(|l| l.starts_with("error[")),
        "{said}"
    );
    let pg = stdfund()
        .args([
            "backup",
            "--database-url",
            "postgres://u:secret@db/stdfund",
            "--to",
            "x.sqlite",
        ])
        .output()
        .unwrap();
    assert_eq!(pg.status.code(), Some(2));
    let err = String::from_utf8_lossy(&pg.stderr);
    assert!(err.contains("pg_dump") && !err.contains("secret"), "{err}");
}

#[test]
fn migrate_creates_and_upgrades_a_database() {
    let file = s::temp_path("migrate", "sqlite");
    let out = stdfund()
        .args(["migrate", "--database-url"])
        .arg(format!("sqlite://{}", file.display()))
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    assert!(file.is_file());
    assert!(String::from_utf8_lossy(&out.stdout).contains("up to date"));
    // Twice is fine.
    let out = stdfund()
        .arg("migrate")
        .env(
            "STDFUND_DATABASE_URL",
            format!("sqlite://{}", file.display()),
        )
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    // A database that cannot be opened fails.
    let out = stdfund()
        .args([
            "migrate",
            "--database-url",
            "sqlite:///nonexistent/dir/x.sqlite",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{out:?}");

    if let Some(cluster) = s::pg::PgCluster::start_or_skip() {
        let out = stdfund()
            .args(["migrate", "--database-url", &cluster.url("postgres")])
            .output()
            .unwrap();
        assert!(out.status.success(), "{out:?}");
        assert!(String::from_utf8_lossy(&out.stdout).contains("(postgres) is up to date"));
    }
}

#[test]
fn token_hash_prints_the_tokens_file_line() {
    let run = |args: &[&str], input: &str| {
        let mut child = stdfund()
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        child
            .stdin
            .take()
            .unwrap()
            .write_all(input.as_bytes())
            .unwrap();
        child.wait_with_output().unwrap()
    };
    // printf %s dev-portal-token | sha256sum (deploy/compose/tokens.dev.toml)
    let out = run(&["token", "hash"], "dev-portal-token\n");
    assert!(out.status.success());
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim_end(),
        "sha256 = \"8d2406d20e8b10d92890219ea10ceaa0911b28b4f67f5c5835a91768610044e5\""
    );
    let out = run(
        &["token", "hash", "--name", "gw", "--role", "portal"],
        "dev-portal-token",
    );
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout).to_string();
    // The entry parses as a tokens file and the token maps to it.
    let tokens = stdfund_server::auth::Tokens::parse(&text, false).unwrap();
    assert_eq!(tokens.len(), 1);
    let out = run(&["token", "hash"], "");
    assert_eq!(out.status.code(), Some(2));
    let out = run(&["token", "hash", "--name", "x", "--role", "root"], "t");
    assert_eq!(out.status.code(), Some(2));
}
