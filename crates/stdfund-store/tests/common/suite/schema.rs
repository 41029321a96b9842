//! Migrations (checksums, expand/contract compatibility with future migrations) and
//! re-keying with collisions.

use stdfund_store::{AuditAction, ClaimStatus, RekeyInput, StoreError, SubmitOutcome};

use crate::common::{
    Harness, admin, approve, audit_of, created, filing, later, now, portal, reviewer, yuan,
};

/// Migrations are idempotent; a changed applied migration stops the store.
pub async fn migrations_are_checked<H: Harness>(h: &H) {
    let s = h.store();
    s.migrate().await.unwrap();
    s.migrate().await.unwrap();
    assert_eq!(
        h.raw("UPDATE store_migrations SET checksum = 'tampered' WHERE version = 2")
            .await,
        Ok(1)
    );
    let err = h.reopen().await.unwrap_err();
    assert_eq!(err.code(), "MIGRATION", "{err}");
    assert!(err.to_string().contains("differs"), "{err}");
}

/// A future additive migration marked compatible: this build starts on it and works. Marked
/// incompatible: it refuses with the clear message.
pub async fn future_migrations_expand_contract<H: Harness>(h: &H) {
    let s = h.store();
    created(s, filing("FM-1", "i1", "p")).await;
    // What a newer build's additive migration 4 would do.
    h.raw("ALTER TABLE claims ADD COLUMN reviewer_note TEXT")
        .await
        .unwrap();
    h.raw(
        "INSERT INTO store_migrations (version, name, checksum, older_builds_compatible) \
         VALUES (4, 'reviewer_note', 'abc', TRUE)",
    )
    .await
    .unwrap();
    let newer = h
        .reopen()
        .await
        .expect("a compatible future migration must not stop the store");
    let c = created(&newer, filing("FM-2", "i2", "p")).await;
    assert_eq!(newer.claim(c.id).await.unwrap(), c);
    assert!(newer.verify_audit().await.unwrap().is_intact());
    // A contracting migration 5.
    h.raw(
        "INSERT INTO store_migrations (version, name, checksum, older_builds_compatible) \
         VALUES (5, 'drop_seat', 'def', FALSE)",
    )
    .await
    .unwrap();
    let err = h.reopen().await.unwrap_err();
    match &err {
        StoreError::Migration { message } => {
            assert!(message.contains("5 (drop_seat)"), "{message}");
            assert!(message.contains("newer stdfund"), "{message}");
            assert!(!message.contains("reviewer_note"), "{message}");
        }
        other => panic!("expected MIGRATION, got {other:?}"),
    }
}

/// Re-keying moves live claims to canonical keys in one transaction, records collisions
/// once, never merges or rejects, and skips claims that no longer hold a key.
pub async fn rekey_with_collisions<H: Harness>(h: &H) {
    let s = h.store();
    s.set_budget(2026, "CITY", yuan("100000"), &admin(), &now())
        .await
        .unwrap();
    let a = created(s, filing("gb/t 1-2020", "i1", "p")).await;
    let b = created(s, filing("GB/T 1—2020", "i2", "q")).await;
    let c = created(s, filing("gb/t 2-2020", "i3", "p")).await;
    let canonical_owner = created(s, filing("GB/T 3-2020", "i4", "p")).await;
    let d = created(s, filing("gb/t 3-2020", "i5", "q")).await;
    let gone = created(s, filing("gb/t 4-2020", "i6", "p")).await;
    s.review(a.id, approve("100"), &reviewer(), &later())
        .await
        .unwrap();
    s.withdraw(gone.id, None, &portal("p"), &later())
        .await
        .unwrap();
    let canonical = |r: &RekeyInput| -> Option<String> {
        Some(r.one_time_key.to_uppercase().replace('—', "-"))
    };
    let report = s.rekey(&canonical, &admin(), &later()).await.unwrap();
    let moved: Vec<(i64, String, String)> = report.rekeyed.clone();
    assert_eq!(
        moved,
        vec![
            (a.id, "gb/t 1-2020".into(), "GB/T 1-2020".into()),
            (c.id, "gb/t 2-2020".into(), "GB/T 2-2020".into()),
        ]
    );
    let mut collisions: Vec<(i64, i64, String, bool)> = report
        .collisions
        .iter()
        .map(|k| {
            (
                k.claim_id,
                k.holder_claim_id,
                k.one_time_key.clone(),
                k.resolved,
            )
        })
        .collect();
    collisions.sort();
    assert_eq!(
        collisions,
        vec![
            (b.id, a.id, "GB/T 1-2020".into(), false),
            (d.id, canonical_owner.id, "GB/T 3-2020".into(), false),
        ]
    );
    // Nothing merged or rejected: every claim keeps its status; b and d keep their keys.
    assert_eq!(s.claim(a.id).await.unwrap().status(), ClaimStatus::Approved);
    assert_eq!(
        s.claim(b.id).await.unwrap().filing.one_time_key,
        "GB/T 1—2020"
    );
    assert_eq!(
        s.claim(d.id).await.unwrap().filing.one_time_key,
        "gb/t 3-2020"
    );
    assert_eq!(
        s.claim(gone.id).await.unwrap().filing.one_time_key,
        "gb/t 4-2020"
    );
    let rekeys = audit_of(s, None)
        .await
        .into_iter()
        .filter(|e| e.action == AuditAction::Rekey)
        .count();
    assert_eq!(rekeys, 2);
    // The re-keyed rows agree with the log: a re-keying's entry names only the key.
    let v = s.verify_audit().await.unwrap();
    assert!(v.is_intact(), "{v:?}");
    assert_eq!(v.claims.unverifiable, 0, "{v:?}");
    // The new key holds: a new claim with it is ALREADY_GRANTED to a.
    let out = s
        .submit(filing("GB/T 1-2020", "i7", "r"), &portal("r"), &now())
        .await
        .unwrap();
    assert!(
        matches!(out, SubmitOutcome::AlreadyGranted { existing_claim_id, .. } if existing_claim_id == a.id)
    );
    // Running again records nothing new and moves nothing.
    let again = s.rekey(&canonical, &admin(), &later()).await.unwrap();
    assert!(again.rekeyed.is_empty());
    assert_eq!(again.collisions.len(), 2);
    assert_eq!(s.key_collisions().await.unwrap().len(), 2);
    // A reviewer resolves one by withdrawing the duplicate: it shows as resolved.
    s.withdraw(
        b.id,
        Some("duplicate of the lead's claim".into()),
        &admin(),
        &later(),
    )
    .await
    .unwrap();
    let listed = s.key_collisions().await.unwrap();
    let resolved: Vec<(i64, bool)> = listed.iter().map(|k| (k.claim_id, k.resolved)).collect();
    assert!(
        resolved.contains(&(b.id, true)) && resolved.contains(&(d.id, false)),
        "{resolved:?}"
    );
    assert!(s.verify_audit().await.unwrap().is_intact());
}

/// A healthy database is SERVING, and fast.
pub async fn healthy_store_is_serving<H: Harness>(h: &H) {
    let started = std::time::Instant::now();
    let health = h.store().health().await;
    assert!(health.is_serving(), "{health:?}");
    assert!(started.elapsed() < std::time::Duration::from_secs(2));
}
