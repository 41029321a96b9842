//! SQLite-only behaviour: connection settings, durability across reopen, and the online
//! backup (`backup_sqlite`) while writers are active.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects,
    missing_docs
)]

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use sqlx::Row;
use stdfund_store::{
    ClaimFilter, ClaimStore, SqliteStore, StoreError, SubmitOutcome, backup_sqlite,
};
use tokio::sync::Mutex;

use common::{NOW, TempDir, claim, portal};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connections_use_wal_full_sync_and_foreign_keys() {
    let dir = TempDir::new("sqlite-pragmas");
    let store = SqliteStore::open(dir.path().join("r.db")).await.unwrap();
    let mut conn = store.pool().acquire().await.unwrap();
    let mode: String = sqlx::query("PRAGMA journal_mode")
        .fetch_one(&mut *conn)
        .await
        .unwrap()
        .get(0);
    assert_eq!(mode, "wal");
    let sync: i64 = sqlx::query("PRAGMA synchronous")
        .fetch_one(&mut *conn)
        .await
        .unwrap()
        .get(0);
    assert_eq!(sync, 2, "synchronous=FULL");
    let fk: i64 = sqlx::query("PRAGMA foreign_keys")
        .fetch_one(&mut *conn)
        .await
        .unwrap()
        .get(0);
    assert_eq!(fk, 1);
    let busy: i64 = sqlx::query("PRAGMA busy_timeout")
        .fetch_one(&mut *conn)
        .await
        .unwrap()
        .get(0);
    assert_eq!(busy, 30_000);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn data_survives_reopen() {
    let dir = TempDir::new("sqlite-reopen");
    let path = dir.path().join("r.db");
    let store = SqliteStore::open(&path).await.unwrap();
    let c = match store
        .submit_claim(claim("RE-1", "i1", "p"), &portal("p"), NOW)
        .await
        .unwrap()
    {
        SubmitOutcome::Created(c) => c,
        other => panic!("{other:?}"),
    };
    store.close().await;
    let reopened = SqliteStore::open(&path).await.unwrap();
    assert_eq!(reopened.get_claim(c.id).await.unwrap(), c);
    // The one-time rule holds across the reopen.
    let again = reopened
        .submit_claim(claim("RE-1", "i2", "q"), &portal("q"), NOW)
        .await
        .unwrap();
    assert_eq!(
        again,
        SubmitOutcome::AlreadyGranted {
            existing_claim_id: c.id
        }
    );
}

/// A backup taken while a writer keeps inserting: the copy opens, passes its integrity
/// check, holds every claim acknowledged before the backup began, and is a consistent
/// snapshot (claim ids 1..=n with one SUBMIT audit row each).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn backup_while_writers_are_active() {
    let dir = TempDir::new("sqlite-backup");
    let path = dir.path().join("registry.db");
    let store = SqliteStore::open(&path).await.unwrap();

    // Bulk, so that a copy takes long enough for writes to land during it.
    fn filler(i: usize) -> stdfund_store::NewClaim {
        let mut c = claim(&format!("BK-{i}"), &format!("i{i}"), "p");
        c.application_json = format!(r#"{{"n":{i},"pad":"{}"}}"#, "x".repeat(4000));
        c
    }
    for i in 0..300 {
        store
            .submit_claim(filler(i), &portal("p"), NOW)
            .await
            .unwrap();
    }

    let acked: Arc<Mutex<Vec<i64>>> = Arc::new(Mutex::new(Vec::new()));
    let stop = Arc::new(AtomicBool::new(false));
    let writer = {
        let (store, acked, stop) = (store.clone(), acked.clone(), stop.clone());
        tokio::spawn(async move {
            let mut i = 300;
            while !stop.load(Ordering::SeqCst) {
                match store.submit_claim(filler(i), &portal("p"), NOW).await {
                    Ok(SubmitOutcome::Created(c)) => acked.lock().await.push(c.id),
                    other => panic!("writer: {other:?}"),
                }
                i += 1;
            }
        })
    };
    // Let the writer get going.
    let start = Instant::now();
    while acked.lock().await.len() < 20 {
        assert!(start.elapsed() < Duration::from_secs(60), "writer stalled");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }

    let mut written_during_backups = 0;
    let mut checks = Vec::new();
    for n in 0..4 {
        let before: Vec<i64> = acked.lock().await.clone();
        let dest = dir.path().join(format!("backup-{n}.db"));
        let info = backup_sqlite(&path, &dest).await.unwrap();
        let after_len = acked.lock().await.len();
        written_during_backups += after_len - before.len();
        checks.push((dest, info, before));
    }
    stop.store(true, Ordering::SeqCst);
    writer.await.unwrap();
    eprintln!("claims acknowledged while the 4 backups ran: {written_during_backups}");
    assert!(
        written_during_backups > 0,
        "no write completed while the backups ran; the test did not exercise concurrency"
    );

    for (dest, info, acked_before) in checks {
        assert!(info.bytes > 0);
        let copy = SqliteStore::open(&dest).await.unwrap();
        let ids: Vec<i64> = {
            let mut out = Vec::new();
            let mut cursor: Option<String> = None;
            loop {
                let p = copy
                    .list_claims(&ClaimFilter::default(), cursor.as_deref(), 1000)
                    .await
                    .unwrap();
                out.extend(p.items.iter().map(|c| c.id));
                cursor = p.next_cursor;
                if cursor.is_none() {
                    break;
                }
            }
            out
        };
        assert_eq!(ids.len() as i64, info.claims);
        assert!(info.claims >= 300 + acked_before.len() as i64);
        // Consistent snapshot: a prefix of the commit order, each claim with its audit row.
        assert_eq!(ids, (1..=info.claims).collect::<Vec<_>>());
        assert_eq!(info.audit_rows, info.claims);
        for id in &acked_before {
            assert!(
                ids.binary_search(id).is_ok(),
                "acknowledged claim {id} missing"
            );
        }
        let last = copy.get_claim(info.claims).await.unwrap();
        assert!(last.application_json.contains("\"pad\""));
        copy.close().await;
    }
    store.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn backup_refuses_to_overwrite_or_copy_nothing() {
    let dir = TempDir::new("sqlite-backup-refusals");
    let path = dir.path().join("r.db");
    let store = SqliteStore::open(&path).await.unwrap();
    let dest = dir.path().join("b.db");
    let info = store.backup(&dest).await.unwrap();
    assert_eq!((info.claims, info.audit_rows), (0, 0));
    let err = backup_sqlite(&path, &dest).await.unwrap_err();
    assert_eq!(err.code(), "INVALID_ARGUMENT", "{err}");
    let err = backup_sqlite(dir.path().join("missing.db"), dir.path().join("c.db"))
        .await
        .unwrap_err();
    assert!(
        matches!(err, StoreError::InvalidInput { field: "src", .. }),
        "{err}"
    );
    assert!(!dir.path().join("c.db").exists());
}
