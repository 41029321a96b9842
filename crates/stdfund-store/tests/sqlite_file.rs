//! SQLite-only behaviour: connection settings, opening (missing, read-only, corrupt files),
//! health and the file-identity check when the file is deleted, replaced, made read-only or
//! corrupted (and recovery), bounded waits for the write lock, durability across reopen, and
//! the online backup while writers are active.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects,
    missing_docs
)]

mod common;

use std::io::{Read, Seek, SeekFrom, Write};
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use sqlx::{Connection, Row, Sqlite};
use stdfund_store::{
    ClaimQuery, Health, OpenOptions, Store, StoreError, SubmitOutcome, backup_sqlite,
};
use tokio::sync::Mutex;

use common::{TempDir, all_claims, filing, now, portal, test_options};

async fn open(path: &Path) -> Store<Sqlite> {
    Store::open(path, &test_options()).await.unwrap()
}

async fn submit(s: &Store<Sqlite>, otk: &str) -> Result<SubmitOutcome, StoreError> {
    s.submit(filing(otk, otk, "p"), &portal("p"), &now()).await
}

fn not_serving(h: &Health) -> &str {
    match h {
        Health::NotServing { reason } => reason,
        Health::Serving => panic!("expected NOT_SERVING"),
    }
}

fn chmod(path: &Path, mode: u32) {
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connections_use_wal_full_sync_foreign_keys_and_the_write_timeout() {
    let dir = TempDir::new("sqlite-pragmas");
    let options = OpenOptions {
        write_timeout: Duration::from_millis(2500),
        ..test_options()
    };
    let store = Store::open(dir.path().join("r.db"), &options)
        .await
        .unwrap();
    let mut conn = store.pool().acquire().await.unwrap();
    for (pragma, want) in [
        ("PRAGMA journal_mode", "wal"),
        ("PRAGMA synchronous", "2"),
        ("PRAGMA foreign_keys", "1"),
        ("PRAGMA busy_timeout", "2500"),
    ] {
        let row = sqlx::query(pragma).fetch_one(&mut *conn).await.unwrap();
        let got = row
            .try_get::<String, _>(0)
            .or_else(|_| row.try_get::<i64, _>(0).map(|n| n.to_string()))
            .unwrap();
        assert_eq!(got, want, "{pragma}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_missing_file_is_created_only_when_configured() {
    let dir = TempDir::new("sqlite-missing");
    let path = dir.path().join("nope.db");
    let err = Store::open(&path, &OpenOptions::default())
        .await
        .unwrap_err();
    assert_eq!(
        err,
        StoreError::DatabaseMissing {
            path: path.display().to_string()
        }
    );
    assert!(!path.exists(), "nothing created");
    let store = open(&path).await;
    assert!(path.exists());
    assert!(store.health().await.is_serving());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn opening_checks_writability_and_integrity() {
    let dir = TempDir::new("sqlite-open-checks");
    let path = dir.path().join("r.db");
    let store = open(&path).await;
    submit(&store, "OC-1").await.unwrap();
    store.close().await;
    chmod(&path, 0o444);
    let err = Store::open(&path, &test_options()).await.unwrap_err();
    assert_eq!(err.code(), "UNAVAILABLE", "{err}");
    assert!(err.to_string().contains("read-only"), "{err}");
    chmod(&path, 0o644);
    open(&path).await.close().await;
    // Garbage in the header: refused as corrupt, not opened as an empty registry.
    let original = std::fs::read(&path).unwrap();
    write_at(&path, 0, &[0xAB; 100]);
    let err = Store::open(&path, &test_options()).await.unwrap_err();
    assert_eq!(err.code(), "CORRUPT_DATA", "{err}");
    std::fs::write(&path, &original).unwrap();
    let store = open(&path).await;
    assert_eq!(all_claims(&store, &ClaimQuery::default()).await.len(), 1);
}

fn write_at(path: &Path, offset: u64, bytes: &[u8]) {
    let mut f = std::fs::OpenOptions::new().write(true).open(path).unwrap();
    f.seek(SeekFrom::Start(offset)).unwrap();
    f.write_all(bytes).unwrap();
    f.sync_all().unwrap();
}

fn read_at(path: &Path, offset: u64, len: usize) -> Vec<u8> {
    let mut f = std::fs::File::open(path).unwrap();
    f.seek(SeekFrom::Start(offset)).unwrap();
    let mut buf = vec![0; len];
    f.read_exact(&mut buf).unwrap();
    buf
}

/// Polls health until `want(health)` or 5 s pass; how long it took.
async fn health_within_5s(store: &Store<Sqlite>, want: impl Fn(&Health) -> bool) -> Duration {
    let start = Instant::now();
    loop {
        let h = store.health().await;
        if want(&h) {
            return start.elapsed();
        }
        assert!(
            start.elapsed() < Duration::from_secs(5),
            "health stayed {h:?}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deleted_file_is_not_serving_and_refuses_writes() {
    let dir = TempDir::new("sqlite-deleted");
    let path = dir.path().join("r.db");
    let store = open(&path).await;
    submit(&store, "DEL-1").await.unwrap();
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
    }
    health_within_5s(&store, |h| !h.is_serving()).await;
    assert!(not_serving(&store.health().await).contains("removed"));
    let err = submit(&store, "DEL-2").await.unwrap_err();
    assert_eq!(err.code(), "UNAVAILABLE");
    assert!(err.to_string().contains("removed"), "{err}");
    // A new file at the path is not the registry: still not serving, writes still refused.
    std::fs::write(&path, b"").unwrap();
    assert!(not_serving(&store.health().await).contains("replaced"));
    assert_eq!(
        submit(&store, "DEL-3").await.unwrap_err().code(),
        "UNAVAILABLE"
    );
    // Restarting on the path does not silently make a new registry without being asked.
    std::fs::remove_file(&path).unwrap();
    let err = Store::open(&path, &OpenOptions::default())
        .await
        .unwrap_err();
    assert_eq!(err.code(), "DATABASE_MISSING");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn replaced_file_is_not_serving_and_gets_no_writes() {
    let dir = TempDir::new("sqlite-replaced");
    let path = dir.path().join("r.db");
    let store = open(&path).await;
    submit(&store, "REP-1").await.unwrap();
    // Another registry (a restored backup, say) renamed over the path.
    let other = dir.path().join("other.db");
    backup_sqlite(&path, &other).await.unwrap();
    std::fs::rename(&other, &path).unwrap();
    let took = health_within_5s(&store, |h| !h.is_serving()).await;
    eprintln!("replaced file: NOT_SERVING after {took:?}");
    assert!(not_serving(&store.health().await).contains("replaced"));
    let err = submit(&store, "REP-2").await.unwrap_err();
    assert_eq!(
        err,
        StoreError::Unavailable {
            message: format!(
                "the database file {} was replaced by another file: the registry writes only \
                 to the file it opened, so restart the server to open the one now at the path \
                 (once it is checked to be the registry's database)",
                path.display()
            )
        }
    );
    // Nothing reached the file now at the path.
    let fresh = open(&path).await;
    let keys: Vec<String> = all_claims(&fresh, &ClaimQuery::default())
        .await
        .into_iter()
        .map(|c| c.filing.one_time_key)
        .collect();
    assert_eq!(keys, vec!["REP-1"]);
    assert!(fresh.health().await.is_serving());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn read_only_file_is_not_serving_until_writable_again() {
    let dir = TempDir::new("sqlite-readonly");
    let path = dir.path().join("r.db");
    let store = open(&path).await;
    submit(&store, "RO-1").await.unwrap();
    chmod(&path, 0o444);
    health_within_5s(&store, |h| !h.is_serving()).await;
    assert!(not_serving(&store.health().await).contains("read-only"));
    let err = submit(&store, "RO-2").await.unwrap_err();
    assert_eq!(err.code(), "UNAVAILABLE", "{err}");
    // Reads still work.
    assert_eq!(all_claims(&store, &ClaimQuery::default()).await.len(), 1);
    chmod(&path, 0o644);
    health_within_5s(&store, Health::is_serving).await;
    submit(&store, "RO-3").await.unwrap();
}

/// A file system with less free space than the store keeps: the store still
/// opens and reads, says NOT_SERVING with the space in MiB, and refuses
/// writes before any reaches the disk; the same file under a store keeping
/// less (here: none) serves and writes. The verdict is taken at every probe
/// and every write, so freeing space is all a recovery needs. (The machine's
/// disk is not filled: the kept space is set above any disk instead.)
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_file_system_short_of_space_is_not_serving_and_gets_no_writes() {
    let dir = TempDir::new("sqlite-space");
    let path = dir.path().join("r.db");
    let plenty = open(&path).await;
    submit(&plenty, "SP-1").await.unwrap();
    let short = Store::open(
        &path,
        &OpenOptions {
            min_free_bytes: u64::MAX,
            ..test_options()
        },
    )
    .await
    .unwrap();
    let reason = not_serving(&short.health().await).to_string();
    assert!(reason.contains("MiB free"), "{reason}");
    assert!(
        reason.contains("writes resume once space is freed"),
        "{reason}"
    );
    let err = submit(&short, "SP-2").await.unwrap_err();
    assert_eq!(err.code(), "UNAVAILABLE", "{err}");
    assert!(err.to_string().contains("MiB free"), "{err}");
    assert_eq!(all_claims(&short, &ClaimQuery::default()).await.len(), 1);
    short.close().await;
    let room = Store::open(
        &path,
        &OpenOptions {
            min_free_bytes: 0,
            ..test_options()
        },
    )
    .await
    .unwrap();
    assert!(room.health().await.is_serving());
    submit(&room, "SP-3").await.unwrap();
    assert_eq!(all_claims(&room, &ClaimQuery::default()).await.len(), 2);
    // The default keeps 16 MiB, which a test machine has.
    assert_eq!(OpenOptions::default().min_free_bytes, 16 * 1024 * 1024);
    assert!(plenty.health().await.is_serving());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn corrupt_file_is_not_serving_until_repaired() {
    let dir = TempDir::new("sqlite-corrupt");
    let path = dir.path().join("r.db");
    let store = open(&path).await;
    for i in 0..50 {
        submit(&store, &format!("CO-{i}")).await.unwrap();
    }
    sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
        .execute(store.pool())
        .await
        .unwrap();
    // Garbage in the header.
    let header = read_at(&path, 0, 100);
    write_at(&path, 0, &[0x5A; 100]);
    health_within_5s(&store, |h| !h.is_serving()).await;
    eprintln!("garbage header: {:?}", store.health().await);
    write_at(&path, 0, &header);
    health_within_5s(&store, Health::is_serving).await;
    // Garbage in a table page: quick_check finds it.
    let page_size: i64 = sqlx::query("PRAGMA page_size")
        .fetch_one(store.pool())
        .await
        .unwrap()
        .get(0);
    let page_count: i64 = sqlx::query("PRAGMA page_count")
        .fetch_one(store.pool())
        .await
        .unwrap()
        .get(0);
    let offset = (page_size * (page_count / 2)) as u64;
    let page = read_at(&path, offset, page_size as usize);
    write_at(&path, offset, &vec![0xFF; page_size as usize]);
    let took = health_within_5s(&store, |h| !h.is_serving()).await;
    eprintln!("garbage page: {:?} after {took:?}", store.health().await);
    write_at(&path, offset, &page);
    health_within_5s(&store, Health::is_serving).await;
    submit(&store, "CO-after").await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_held_write_lock_makes_writes_give_up_within_the_timeout() {
    let dir = TempDir::new("sqlite-busy");
    let path = dir.path().join("r.db");
    let options = OpenOptions {
        write_timeout: Duration::from_secs(1),
        ..test_options()
    };
    let store = Store::open(&path, &options).await.unwrap();
    let mut holder = sqlx::SqliteConnection::connect(&format!("sqlite://{}", path.display()))
        .await
        .unwrap();
    sqlx::query("BEGIN IMMEDIATE")
        .execute(&mut holder)
        .await
        .unwrap();
    let start = Instant::now();
    let err = submit(&store, "BUSY-1").await.unwrap_err();
    let took = start.elapsed();
    eprintln!("write gave up after {took:?}: {err}");
    assert_eq!(err.code(), "UNAVAILABLE", "{err}");
    assert!(err.is_retryable());
    assert!(took < Duration::from_secs(3), "{took:?}");
    sqlx::query("ROLLBACK").execute(&mut holder).await.unwrap();
    holder.close().await.unwrap();
    submit(&store, "BUSY-2").await.unwrap();
}

/// Another connection holding the write lock through two probes makes the store
/// `NOT_SERVING`, saying so; one probe finding it held is not enough (the store's own
/// writes hold it for moments), and released, the store is `SERVING` at the next probe.
/// Busy writes of its own never make it `NOT_SERVING`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_write_lock_held_elsewhere_is_not_serving() {
    let dir = TempDir::new("sqlite-lock-health");
    let path = dir.path().join("r.db");
    let store = open(&path).await;
    // The store's own writes, one after another while probes run: always SERVING.
    for i in 0..20 {
        submit(&store, &format!("OWN-{i}")).await.unwrap();
        if i % 5 == 0 {
            assert!(store.health().await.is_serving());
        }
    }
    let mut holder = sqlx::SqliteConnection::connect(&format!("sqlite://{}", path.display()))
        .await
        .unwrap();
    sqlx::query("BEGIN IMMEDIATE")
        .execute(&mut holder)
        .await
        .unwrap();
    assert!(store.health().await.is_serving(), "one probe is not enough");
    let reason = not_serving(&store.health().await).to_string();
    assert!(reason.contains("write lock"), "{reason}");
    sqlx::query("ROLLBACK").execute(&mut holder).await.unwrap();
    holder.close().await.unwrap();
    assert!(store.health().await.is_serving());
    submit(&store, "AFTER").await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn data_survives_reopen() {
    let dir = TempDir::new("sqlite-reopen");
    let path = dir.path().join("r.db");
    let store = open(&path).await;
    let SubmitOutcome::Created(c) = submit(&store, "RE-1").await.unwrap() else {
        panic!()
    };
    store.close().await;
    let reopened = open(&path).await;
    assert_eq!(reopened.claim(c.id).await.unwrap(), c);
    let again = reopened
        .submit(filing("RE-1", "i2", "q"), &portal("q"), &now())
        .await
        .unwrap();
    assert!(
        matches!(again, SubmitOutcome::AlreadyGranted { existing_claim_id, .. } if existing_claim_id == c.id)
    );
    assert!(reopened.verify_audit().await.unwrap().is_intact());
}

/// A backup taken while a writer keeps inserting: the copy opens, passes its integrity
/// check, holds every claim acknowledged before the backup began, and is a consistent
/// snapshot (claim ids 1..=n with one SUBMIT audit entry each and an intact chain).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn backup_while_writers_are_active() {
    let dir = TempDir::new("sqlite-backup");
    let path = dir.path().join("registry.db");
    let store = open(&path).await;
    fn filler(i: usize) -> stdfund_store::Filing {
        let mut f = filing(&format!("BK-{i}"), &format!("i{i}"), "p");
        f.application_json = format!(r#"{{"n":{i},"pad":"{}"}}"#, "x".repeat(4000));
        f
    }
    for i in 0..300 {
        store.submit(filler(i), &portal("p"), &now()).await.unwrap();
    }
    let acked: Arc<Mutex<Vec<i64>>> = Arc::new(Mutex::new(Vec::new()));
    let stop = Arc::new(AtomicBool::new(false));
    let writer = {
        let (store, acked, stop) = (store.clone(), acked.clone(), stop.clone());
        tokio::spawn(async move {
            let mut i = 300;
            while !stop.load(Ordering::SeqCst) {
                match store.submit(filler(i), &portal("p"), &now()).await {
                    Ok(SubmitOutcome::Created(c)) => acked.lock().await.push(c.id),
                    other => panic!("writer: {other:?}"),
                }
                i += 1;
            }
        })
    };
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
        written_during_backups += acked.lock().await.len() - before.len();
        checks.push((dest, info, before));
    }
    stop.store(true, Ordering::SeqCst);
    writer.await.unwrap();
    eprintln!("claims acknowledged while the 4 backups ran: {written_during_backups}");
    assert!(
        written_during_backups > 0,
        "no write landed during the backups"
    );
    for (dest, info, acked_before) in checks {
        assert!(info.bytes > 0);
        // As private as the registry it copies.
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(
            std::fs::metadata(&dest).unwrap().permissions().mode() & 0o777,
            0o600
        );
        let copy = open(&dest).await;
        let ids: Vec<i64> = all_claims(
            &copy,
            &ClaimQuery {
                page_size: 1000,
                ..ClaimQuery::default()
            },
        )
        .await
        .iter()
        .map(|c| c.id)
        .collect();
        assert_eq!(ids.len() as i64, info.claims);
        assert!(info.claims >= 300 + acked_before.len() as i64);
        assert_eq!(ids, (1..=info.claims).collect::<Vec<_>>());
        assert_eq!(info.audit_rows, info.claims);
        for id in &acked_before {
            assert!(
                ids.binary_search(id).is_ok(),
                "acknowledged claim {id} missing"
            );
        }
        let v = copy.verify_audit().await.unwrap();
        assert_eq!((v.entries_checked, v.first_broken), (info.claims, None));
        copy.close().await;
    }
    store.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn backup_refuses_to_overwrite_or_copy_nothing() {
    let dir = TempDir::new("sqlite-backup-refusals");
    let path = dir.path().join("r.db");
    let store = open(&path).await;
    let dest = dir.path().join("b.db");
    let info = store.backup(&dest).await.unwrap();
    assert_eq!((info.claims, info.audit_rows), (0, 0));
    let err = backup_sqlite(&path, &dest).await.unwrap_err();
    assert_eq!(err.code(), "INVALID_ARGUMENT", "{err}");
    let err = backup_sqlite(dir.path().join("missing.db"), dir.path().join("c.db"))
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::DatabaseMissing { .. }), "{err}");
    assert!(!dir.path().join("c.db").exists());
}

/// The pool never makes a new file at the path: after the registry's file is
/// deleted, connections the pool opens later (here: every connection it may
/// hold, at once) fail instead of creating an empty database that a restart
/// would take for the registry.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_pool_does_not_recreate_a_deleted_file() {
    let dir = TempDir::new("sqlite-no-recreate");
    let path = dir.path().join("r.db");
    let store = open(&path).await;
    submit(&store, "NR-1").await.unwrap();
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
    }
    let max = store.pool().options().get_max_connections();
    let mut held = Vec::new();
    for _ in 0..max {
        if let Ok(c) = tokio::time::timeout(Duration::from_secs(2), store.pool().acquire()).await {
            held.push(c);
        }
    }
    drop(held);
    assert!(!path.exists(), "a new file appeared at {}", path.display());
    health_within_5s(&store, |h| !h.is_serving()).await;
    assert!(not_serving(&store.health().await).contains("removed"));
}
