//! The audit log: every change recorded once, filters and paging, append-only against the
//! database, and a hash chain that names the first entry broken behind the store's back.

use stdfund_store::{
    AuditAction, AuditFilter, AuditVerification, ClaimsVerification, RowsVerification, Store,
    StoreError,
};

use crate::common::{
    Harness, admin, all_audit, approve, audit_of, created, filing, finance, later, now, payment,
    portal, reject, reviewer, today, ts, yuan,
};

/// Every state change leaves one entry with its target; refusals and replays none; the
/// filters and keyset paging work.
pub async fn every_change_is_recorded<H: Harness>(h: &H) {
    let s = h.store();
    s.set_budget(2026, "CITY", yuan("500"), &admin(), &now())
        .await
        .unwrap();
    let c = created(s, filing("A-1", "i1", "portal-a")).await;
    // Replays and refusals: nothing.
    s.submit(
        filing("A-1", "i1", "portal-a"),
        &portal("portal-a"),
        &later(),
    )
    .await
    .unwrap();
    s.submit(
        filing("A-1", "i2", "portal-b"),
        &portal("portal-b"),
        &later(),
    )
    .await
    .unwrap();
    s.review(c.id, approve("600"), &reviewer(), &later())
        .await
        .unwrap_err();
    assert_eq!(audit_of(s, None).await.len(), 2);
    s.review(c.id, approve("200"), &reviewer(), &later())
        .await
        .unwrap();
    let paid_at = ts("2026-03-03T08:00:00.000000Z");
    s.disburse(
        c.id,
        payment("2026-03-03", "V-1", None),
        &finance(),
        &paid_at,
        today(),
    )
    .await
    .unwrap();
    let r = created(s, filing("A-2", "i3", "portal-a")).await;
    s.review(r.id, reject("not eligible"), &reviewer(), &later())
        .await
        .unwrap();
    s.set_budget(2026, "CITY", yuan("600"), &admin(), &later())
        .await
        .unwrap();

    let log = audit_of(s, None).await;
    let got: Vec<(Option<i64>, AuditAction, &str, &str)> = log
        .iter()
        .map(|e| (e.claim_id, e.action, e.actor.as_str(), e.role.as_str()))
        .collect();
    assert_eq!(
        got,
        vec![
            (None, AuditAction::SetBudget, "adm-1", "admin"),
            (Some(c.id), AuditAction::Submit, "portal-a", "portal"),
            (Some(c.id), AuditAction::Approve, "rev-1", "reviewer"),
            (Some(c.id), AuditAction::Disburse, "fin-1", "finance"),
            (Some(r.id), AuditAction::Submit, "portal-a", "portal"),
            (Some(r.id), AuditAction::Reject, "rev-1", "reviewer"),
            (None, AuditAction::SetBudget, "adm-1", "admin"),
        ]
    );
    let ids: Vec<i64> = log.iter().map(|e| e.id).collect();
    assert_eq!(ids, (1..=7).collect::<Vec<_>>(), "ids without gaps");
    assert_eq!(log[0].previous_hash, "");
    for w in log.windows(2) {
        assert_eq!(w[1].previous_hash, w[0].entry_hash);
    }
    assert_eq!(
        (log[0].target.as_str(), log[3].at.clone()),
        ("budget:2026:CITY", paid_at.clone())
    );
    assert!(log[3].target.starts_with("payment:"));
    assert_eq!(log[1].before_json, None);
    assert!(log[6].before_json.as_deref().unwrap().contains("500.00"));
    assert!(
        log[5]
            .after_json
            .as_deref()
            .unwrap()
            .contains("not eligible")
    );
    // Filters.
    let by = |f: AuditFilter| async move { all_audit(s, &f).await.len() };
    assert_eq!(
        by(AuditFilter {
            claim_id: Some(c.id),
            ..AuditFilter::default()
        })
        .await,
        3
    );
    assert_eq!(
        by(AuditFilter {
            actor: Some("rev-1".into()),
            ..AuditFilter::default()
        })
        .await,
        2
    );
    assert_eq!(
        by(AuditFilter {
            action: Some(AuditAction::Submit),
            ..AuditFilter::default()
        })
        .await,
        2
    );
    let window = AuditFilter {
        from: Some(later()),
        to: Some(paid_at.clone()),
        ..AuditFilter::default()
    };
    assert_eq!(
        by(window).await,
        3,
        "approve, reject, second budget at `later`"
    );
    // Paging two at a time gives the same entries.
    let mut paged = Vec::new();
    let mut cursor = None;
    loop {
        let p = s
            .audit_log(&AuditFilter::default(), cursor.as_deref(), 2)
            .await
            .unwrap();
        assert!(p.items.len() <= 2);
        paged.extend(p.items);
        cursor = p.next_cursor;
        if cursor.is_none() {
            break;
        }
    }
    assert_eq!(paged, log);
    // Newest first, two at a time: the same entries, the other way round,
    // filters kept.
    let newest = |claim_id| AuditFilter {
        claim_id,
        newest_first: true,
        ..AuditFilter::default()
    };
    let mut backwards = Vec::new();
    let mut cursor = None;
    loop {
        let p = s
            .audit_log(&newest(None), cursor.as_deref(), 2)
            .await
            .unwrap();
        backwards.extend(p.items);
        cursor = p.next_cursor;
        if cursor.is_none() {
            break;
        }
    }
    let mut reversed = log.clone();
    reversed.reverse();
    assert_eq!(backwards, reversed);
    let of_claim = s.audit_log(&newest(Some(c.id)), None, 10).await.unwrap();
    let ids: Vec<i64> = of_claim.items.iter().map(|e| e.id).collect();
    assert_eq!(ids.len(), 3);
    assert!(ids.windows(2).all(|w| w[0] > w[1]), "{ids:?}");
    assert_eq!(
        s.audit_log(&AuditFilter::default(), Some("x"), 2)
            .await
            .unwrap_err()
            .code(),
        "INVALID_ARGUMENT"
    );
    let v = s.verify_audit().await.unwrap();
    assert_eq!(
        v,
        AuditVerification {
            entries_checked: 7,
            first_broken: None,
            head_hash: log[6].entry_hash.clone(),
            seals: stdfund_store::SealsVerification::default(),
            claims: ClaimsVerification {
                checked: 2,
                ..ClaimsVerification::default()
            },
            budgets: RowsVerification {
                checked: 1,
                ..RowsVerification::default()
            },
            records: RowsVerification::default(),
        }
    );
}

/// With its triggers on, the database refuses to change or remove entries or move the head
/// back.
pub async fn audit_log_is_append_only<H: Harness>(h: &H) {
    let s = h.store();
    let c = created(s, filing("T-1", "i1", "p")).await;
    s.review(c.id, reject("no"), &reviewer(), &later())
        .await
        .unwrap();
    let before = audit_of(s, None).await;
    for sql in h.audit_tamper_statements() {
        let err = h
            .raw(sql)
            .await
            .expect_err(&format!("{} accepted: {sql}", H::NAME));
        assert!(
            err.contains("append-only")
                // PostgreSQL refuses TRUNCATE of a table audit_seals refers to.
                || err.contains("foreign key")
                || err.contains("UNIQUE")
                || err.contains("CHECK")
                || err.contains("check"),
            "{sql}: {err}"
        );
    }
    assert_eq!(audit_of(s, None).await, before);
    created(s, filing("T-2", "i2", "p")).await;
    assert_eq!(audit_of(s, None).await.len(), 3);
    assert!(s.verify_audit().await.unwrap().is_intact());
}

/// Five entries (ids 1..=5) to tamper with.
async fn five_entries<H: Harness>(h: &H) {
    let s = h.store();
    s.set_budget(2026, "CITY", yuan("1000"), &admin(), &now())
        .await
        .unwrap();
    let c = created(s, filing("H-1", "i1", "p")).await;
    s.review(c.id, approve("100"), &reviewer(), &later())
        .await
        .unwrap();
    let d = created(s, filing("H-2", "i2", "p")).await;
    s.withdraw(d.id, None, &portal("p"), &later())
        .await
        .unwrap();
    assert_eq!(audit_of(s, None).await.len(), 5);
    assert!(s.verify_audit().await.unwrap().is_intact());
}

async fn broken_at<DB: stdfund_store::Backend>(s: &Store<DB>) -> (i64, String) {
    s.verify_audit()
        .await
        .unwrap()
        .first_broken
        .expect("the chain should be broken")
}

/// Edited with the triggers disabled: the edited entry is named; restored, the chain is
/// whole again; an entry whose stored hash was replaced is named too.
pub async fn tampering_edit_is_found<H: Harness>(h: &H) {
    five_entries(h).await;
    h.disable_audit_triggers().await;
    h.raw("UPDATE audit_entries SET actor = 'mallory' WHERE id = 3")
        .await
        .unwrap();
    let (id, why) = broken_at(h.store()).await;
    assert_eq!(id, 3, "{why}");
    assert!(why.contains("altered"), "{why}");
    h.raw("UPDATE audit_entries SET actor = 'rev-1' WHERE id = 3")
        .await
        .unwrap();
    assert!(
        h.store().verify_audit().await.unwrap().is_intact(),
        "restored"
    );
    h.raw("UPDATE audit_entries SET entry_hash = 'sha256:00' WHERE id = 4")
        .await
        .unwrap();
    assert_eq!(broken_at(h.store()).await.0, 4);
}

/// A middle entry deleted: the missing id is named.
pub async fn tampering_delete_middle_is_found<H: Harness>(h: &H) {
    five_entries(h).await;
    h.disable_audit_triggers().await;
    assert_eq!(h.raw("DELETE FROM audit_entries WHERE id = 2").await, Ok(1));
    let (id, why) = broken_at(h.store()).await;
    assert_eq!(id, 2, "{why}");
    assert!(why.contains("missing"), "{why}");
}

/// The last entry deleted: the head still names it.
pub async fn tampering_delete_last_is_found<H: Harness>(h: &H) {
    five_entries(h).await;
    h.disable_audit_triggers().await;
    assert_eq!(h.raw("DELETE FROM audit_entries WHERE id = 5").await, Ok(1));
    let v = h.store().verify_audit().await.unwrap();
    let (id, why) = v.first_broken.clone().unwrap();
    assert_eq!((id, v.entries_checked), (5, 4), "{why}");
    assert!(why.contains("missing"), "{why}");
    // Also moving the head back does not hide it from a verifier that recorded the head hash
    // earlier; the log itself now looks whole.
    h.raw(
        "UPDATE audit_head SET last_id = 4, \
         last_hash = (SELECT entry_hash FROM audit_entries WHERE id = 4)",
    )
    .await
    .unwrap();
    let v2 = h.store().verify_audit().await.unwrap();
    assert_eq!(v2.first_broken, None, "the chain looks whole");
    // The claims table does not: the withdrawal of claim 2 is in it and no longer in the log.
    let (claim, why) = v2.claims.first_diverging.clone().expect("claim 2 diverges");
    assert_eq!(claim, 2, "{why}");
    assert!(why.contains("status"), "{why}");
    assert_ne!(
        v2.head_hash, "",
        "the head hash to compare with a recorded one"
    );
}

/// A forged entry inserted: at the end (the head does not cover it) and in the middle (an id
/// taken out and replaced by a forgery).
pub async fn tampering_insert_is_found<H: Harness>(h: &H) {
    five_entries(h).await;
    h.disable_audit_triggers().await;
    h.raw(
        "INSERT INTO audit_entries (id, claim_id, target, actor, role, at, action, before_json, \
         after_json, previous_hash, entry_hash) SELECT 6, NULL, 'budget:2026:CITY', 'mallory', \
         'admin', '2026-03-09T00:00:00.000000Z', 'SET_BUDGET', NULL, '{}', entry_hash, \
         'sha256:forged' FROM audit_entries WHERE id = 5",
    )
    .await
    .unwrap();
    let (id, why) = broken_at(h.store()).await;
    assert_eq!(id, 6, "{why}");
    h.raw("DELETE FROM audit_entries WHERE id = 6")
        .await
        .unwrap();
    assert!(h.store().verify_audit().await.unwrap().is_intact());
    // Replace entry 3 by a forgery that links correctly but is not the original.
    h.raw("DELETE FROM audit_entries WHERE id = 3")
        .await
        .unwrap();
    h.raw(
        "INSERT INTO audit_entries (id, claim_id, target, actor, role, at, action, before_json, \
         after_json, previous_hash, entry_hash) SELECT 3, NULL, 'budget:2026:CITY', 'mallory', \
         'admin', '2026-03-09T00:00:00.000000Z', 'SET_BUDGET', NULL, '{}', entry_hash, \
         'sha256:forged' FROM audit_entries WHERE id = 2",
    )
    .await
    .unwrap();
    let (id, why) = broken_at(h.store()).await;
    assert_eq!(id, 3, "{why}");
}

/// The store keeps appending correctly after verification and across reopen; an error in
/// a transaction leaves the chain as it was.
pub async fn chain_survives_refusals_and_reopen<H: Harness>(h: &H) {
    let s = h.store();
    five_entries(h).await;
    let err = s
        .review(1, approve("1"), &reviewer(), &later())
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::InvalidState { .. }), "{err:?}");
    let reopened = h.reopen().await.unwrap();
    created(&reopened, filing("H-3", "i3", "p")).await;
    let v = s.verify_audit().await.unwrap();
    assert_eq!((v.entries_checked, v.first_broken), (6, None));
}

/// The claim a tampered table shows first, and what is wrong with it.
async fn diverging<H: Harness>(h: &H) -> (i64, String) {
    let v = h.store().verify_audit().await.unwrap();
    assert_eq!(v.first_broken, None, "the chain itself is intact");
    assert!(!v.is_intact());
    v.claims.first_diverging.expect("a diverging claim")
}

/// Rows changed behind the store's back, with the log left alone: each change to a
/// claim's money, status, key or payments names the claim and the field; a deleted row
/// names the claim the log still has; a row inserted with no entry cannot be compared and
/// is named as such; every restore makes the registry intact again.
pub async fn claims_table_is_compared_with_the_log<H: Harness>(h: &H) {
    let s = h.store();
    s.set_budget(2026, "CITY", yuan("900"), &admin(), &now())
        .await
        .unwrap();
    let c = created(s, filing("K-1", "i1", "portal-a")).await;
    s.review(c.id, approve("300"), &reviewer(), &later())
        .await
        .unwrap();
    s.disburse(
        c.id,
        payment("2026-03-03", "V-1", Some("100")),
        &finance(),
        &later(),
        today(),
    )
    .await
    .unwrap();
    let r = created(s, filing("K-2", "i2", "portal-a")).await;
    s.review(r.id, reject("不符合条件"), &reviewer(), &later())
        .await
        .unwrap();
    let v = s.verify_audit().await.unwrap();
    assert!(v.is_intact(), "{v:?}");
    assert_eq!(v.claims.checked, 2);
    assert_eq!(v.claims.unverifiable, 0);
    let (c, r) = (c.id, r.id);
    let cases = [
        (
            format!("UPDATE claims SET paid_fen = paid_fen + 10000 WHERE id = {c}"),
            format!("UPDATE claims SET paid_fen = paid_fen - 10000 WHERE id = {c}"),
            c,
            "paid",
        ),
        (
            format!(
                "UPDATE claims SET approved_amount_fen = approved_amount_fen + 60000, \
                 municipal_fen = municipal_fen + 60000 WHERE id = {c}"
            ),
            format!(
                "UPDATE claims SET approved_amount_fen = approved_amount_fen - 60000, \
                 municipal_fen = municipal_fen - 60000 WHERE id = {c}"
            ),
            c,
            "approval",
        ),
        (
            format!("UPDATE claims SET status = 'RETURNED' WHERE id = {r}"),
            format!("UPDATE claims SET status = 'REJECTED' WHERE id = {r}"),
            r,
            "status",
        ),
        (
            format!("UPDATE claims SET one_time_key = 'forged' WHERE id = {r}"),
            format!(
                "UPDATE claims SET one_time_key = (SELECT one_time_key FROM claims WHERE id = {c}) || '-2' WHERE id = {r}"
            ),
            r,
            "one_time_key",
        ),
        (
            format!("UPDATE payments SET voucher = 'V-9' WHERE claim_id = {c}"),
            format!("UPDATE payments SET voucher = 'V-1' WHERE claim_id = {c}"),
            c,
            "payments",
        ),
        // The payloads: the application a later approval is computed from, and the
        // approval's frozen record.
        (
            format!("UPDATE claims SET application_json = application_json || ' ' WHERE id = {r}"),
            format!(
                "UPDATE claims SET application_json = \
                 substr(application_json, 1, length(application_json) - 1) WHERE id = {r}"
            ),
            r,
            "application_json",
        ),
        (
            format!("UPDATE claims SET record_json = record_json || ' ' WHERE id = {c}"),
            format!(
                "UPDATE claims SET record_json = substr(record_json, 1, length(record_json) - 1) \
                 WHERE id = {c}"
            ),
            c,
            "approval",
        ),
    ];
    // Whoever edits the tables behind the store's back can also lift their guards.
    let unguard = if H::NAME == "sqlite" {
        "DROP TRIGGER payments_no_update; DROP TRIGGER payments_no_delete; \
         DROP TRIGGER claims_no_delete;"
    } else {
        "ALTER TABLE payments DISABLE TRIGGER ALL; ALTER TABLE claims DISABLE TRIGGER ALL;"
    };
    h.raw(unguard).await.unwrap();
    let key_r = h
        .raw_text(&format!("SELECT one_time_key FROM claims WHERE id = {r}"))
        .await
        .unwrap();
    for (tamper, restore, id, field) in cases {
        assert_eq!(h.raw(&tamper).await, Ok(1), "{tamper}");
        let (got, why) = diverging(h).await;
        assert_eq!(got, id, "{tamper}: {why}");
        assert!(why.starts_with("it differs from audit entry"), "{why}");
        assert!(why.contains(field), "{tamper}: {why}");
        if field == "one_time_key" {
            h.raw(&format!(
                "UPDATE claims SET one_time_key = '{key_r}' WHERE id = {r}"
            ))
            .await
            .unwrap();
        } else {
            assert_eq!(h.raw(&restore).await, Ok(1), "{restore}");
        }
        assert!(s.verify_audit().await.unwrap().is_intact(), "{restore}");
    }
    // A row that does not read as a claim is named, not a failure to check.
    h.raw(&format!(
        "UPDATE claims SET status = 'PAID_TWICE' WHERE id = {r}"
    ))
    .await
    .unwrap_or_else(|e| {
        // PostgreSQL and SQLite CHECK the status: nothing to read then.
        assert!(e.contains("CHECK") || e.contains("check"), "{e}");
        0
    });
    if !s.verify_audit().await.unwrap().is_intact() {
        let (got, why) = diverging(h).await;
        assert_eq!(got, r, "{why}");
        h.raw(&format!(
            "UPDATE claims SET status = 'REJECTED' WHERE id = {r}"
        ))
        .await
        .unwrap();
    }
    // A claim inserted with no entry: unverifiable, named.
    let copied = h
        .raw(&format!(
            "INSERT INTO claims (idempotency_key, submitted_by, request_hash, credit_code, \
             credit_code_confirmed, unit_name, unit_name_folded, seat, fiscal_unit, item, \
             variant, clause, subject, subject_as_given, one_time_key, achievement_date, year, \
             estimated_amount_fen, discretionary, application_json, estimate_json, status, \
             created_at, updated_at) \
             SELECT 'forged', submitted_by, request_hash, credit_code, credit_code_confirmed, \
             unit_name, unit_name_folded, seat, fiscal_unit, item, variant, clause, subject, \
             subject_as_given, 'forged-key', achievement_date, year, estimated_amount_fen, \
             discretionary, application_json, estimate_json, 'SUBMITTED', created_at, updated_at \
             FROM claims WHERE id = {c}"
        ))
        .await;
    assert_eq!(copied, Ok(1));
    let v = s.verify_audit().await.unwrap();
    assert!(
        v.is_intact(),
        "an unverifiable claim is not a divergence: {v:?}"
    );
    assert_eq!(v.claims.unverifiable, 1);
    assert_eq!(v.claims.unverifiable_named.len(), 1);
    let forged = v.claims.unverifiable_named[0];
    assert!(forged > r);
    // Reviewed through the store, it is compared from then on, and still named: the log
    // never saw it submitted.
    s.review(forged, approve("300"), &reviewer(), &later())
        .await
        .unwrap();
    let v = s.verify_audit().await.unwrap();
    assert!(v.is_intact(), "{v:?}");
    assert_eq!(
        (v.claims.checked, v.claims.unverifiable_named.clone()),
        (3, vec![forged])
    );
    // A row changed and then changed again through the store: the store logs the forged
    // value as where it started, so the log itself shows the row was changed between.
    let laundered = created(s, filing("K-3", "i3", "portal-a")).await.id;
    h.raw(&format!(
        "UPDATE claims SET estimated_amount_fen = estimated_amount_fen * 10 WHERE id = {laundered}"
    ))
    .await
    .unwrap();
    s.review(laundered, approve("100"), &reviewer(), &later())
        .await
        .unwrap();
    let (got, why) = diverging(h).await;
    assert_eq!(got, laundered, "{why}");
    assert!(why.contains("changed between them"), "{why}");
    assert!(why.contains("estimated_amount"), "{why}");
    // A deleted row: the log still names the claim.
    let delete = if H::NAME == "sqlite" {
        format!("PRAGMA foreign_keys = OFF; DELETE FROM claims WHERE id = {r}")
    } else {
        format!("DELETE FROM claims WHERE id = {r}")
    };
    h.raw(&delete).await.unwrap();
    assert_eq!(
        h.raw_text(&format!("SELECT COUNT(*) FROM claims WHERE id = {r}"))
            .await
            .unwrap(),
        "0"
    );
    let (got, why) = diverging(h).await;
    assert_eq!(got, r, "{why}");
    assert!(why.contains("deleted"), "{why}");
}

/// The budgets table against the log: a total changed behind the store's back is named
/// with both figures; a deleted budget row is named; a row the log never set is counted as
/// unverifiable; each restore makes the registry intact again; and a forged total laundered
/// by a later `SetBudget` names the entry that found it.
pub async fn budgets_table_is_compared_with_the_log<H: Harness>(h: &H) {
    let s = h.store();
    s.set_budget(2026, "CITY", yuan("900"), &admin(), &now())
        .await
        .unwrap();
    s.set_budget(2026, "CITY", yuan("1000"), &admin(), &later())
        .await
        .unwrap();
    s.set_budget(2027, "CITY", yuan("500"), &admin(), &later())
        .await
        .unwrap();
    let v = s.verify_audit().await.unwrap();
    assert!(v.is_intact(), "{v:?}");
    assert_eq!((v.budgets.checked, v.budgets.unverifiable), (2, 0));
    let budget_diverging = || async {
        let v = s.verify_audit().await.unwrap();
        assert_eq!(v.first_broken, None, "the chain itself is intact");
        assert!(!v.is_intact());
        assert_eq!(v.claims.first_diverging, None);
        v.budgets.first_diverging.expect("a diverging budget")
    };
    let intact = || async {
        let v = s.verify_audit().await.unwrap();
        assert!(v.is_intact(), "{v:?}");
        v
    };
    // Raised behind the store's back.
    let raise = "UPDATE budgets SET total_fen = 500000000 WHERE year = 2026";
    assert_eq!(h.raw(raise).await, Ok(1));
    let (key, why) = budget_diverging().await;
    assert_eq!(key, "2026/CITY");
    assert!(
        why.contains("\"5000000.00\" in the table") && why.contains("\"1000.00\" in the log"),
        "{why}"
    );
    let restore = "UPDATE budgets SET total_fen = 100000 WHERE year = 2026";
    assert_eq!(h.raw(restore).await, Ok(1));
    intact().await;
    // Deleted: the log still has it.
    assert_eq!(h.raw("DELETE FROM budgets WHERE year = 2027").await, Ok(1));
    let (key, why) = budget_diverging().await;
    assert_eq!(key, "2027/CITY");
    assert!(why.contains("its row was deleted"), "{why}");
    let back = "INSERT INTO budgets (year, payer, total_fen, updated_at) \
                VALUES (2027, 'CITY', 50000, '2026-01-01T00:00:00.000000Z')";
    assert_eq!(h.raw(back).await, Ok(1));
    intact().await;
    // A row the log never set: counted, named, not a divergence by itself.
    let inserted = "INSERT INTO budgets (year, payer, total_fen, updated_at) \
                    VALUES (2030, 'CITY', 100, '2026-01-01T00:00:00.000000Z')";
    assert_eq!(h.raw(inserted).await, Ok(1));
    let v = intact().await;
    assert_eq!(v.budgets.unverifiable, 1);
    assert_eq!(v.budgets.unverifiable_named, ["2030/CITY"]);
    assert_eq!(h.raw("DELETE FROM budgets WHERE year = 2030").await, Ok(1));
    // Laundered: raised again, then set through the store, which logs the forged total as
    // the one it found.
    assert_eq!(h.raw(raise).await, Ok(1));
    s.set_budget(2026, "CITY", yuan("5000001"), &admin(), &later())
        .await
        .unwrap();
    let (key, why) = budget_diverging().await;
    assert_eq!(key, "2026/CITY");
    assert!(
        why.contains("found the total \"5000000.00\"") && why.contains("had set \"1000.00\""),
        "{why}"
    );
}

/// Payments are only ever added, each by the entry that records it: a payment row inserted
/// behind the store's back is found, and stays found after the next payment through the
/// store (which logs the table as it found it); a payment row deleted is found, and stays
/// found likewise; a claim's paid amount must be what its payments add up to.
pub async fn payments_deleted_or_inserted_are_found<H: Harness>(h: &H) {
    let s = h.store();
    s.set_budget(2026, "CITY", yuan("900"), &admin(), &now())
        .await
        .unwrap();
    let c = created(s, filing("PY-1", "i1", "portal-a")).await.id;
    let d = created(s, filing("PY-2", "i2", "portal-a")).await.id;
    for id in [c, d] {
        s.review(id, approve("300"), &reviewer(), &later())
            .await
            .unwrap();
    }
    let pay = |id, voucher: &'static str, amount: &'static str| async move {
        s.disburse(
            id,
            payment("2026-03-03", voucher, Some(amount)),
            &finance(),
            &later(),
            today(),
        )
        .await
        .unwrap();
    };
    pay(c, "V-1", "100").await;
    assert!(s.verify_audit().await.unwrap().is_intact());
    let unguard = if H::NAME == "sqlite" {
        "DROP TRIGGER payments_no_update; DROP TRIGGER payments_no_delete;"
    } else {
        "ALTER TABLE payments DISABLE TRIGGER ALL;"
    };
    h.raw(unguard).await.unwrap();
    // Inserted into an unpaid claim (its paid amount left alone): found; and after a
    // payment through the store, found still.
    let insert = format!(
        "INSERT INTO payments (claim_id, payment_date, voucher, voucher_seq, payer, amount_fen, \
         municipal_fen, district_fen, paid_by, recorded_at) \
         SELECT {d}, payment_date, 'FORGED-1', 0, payer, 25000000, 25000000, 0, paid_by, \
         recorded_at FROM payments WHERE claim_id = {c}"
    );
    assert_eq!(h.raw(&insert).await, Ok(1), "{insert}");
    let (got, why) = diverging(h).await;
    assert_eq!(got, d, "{why}");
    pay(d, "V-2", "1").await;
    let (got, why) = diverging(h).await;
    assert_eq!(got, d, "{why}");
    assert!(
        why.contains("payments") && (why.contains("inserted") || why.contains("changed between")),
        "{why}"
    );
    // Deleted, paid left alone: found; and after the rest is paid through the store,
    // found still (claim c comes first).
    assert_eq!(
        h.raw(&format!("DELETE FROM payments WHERE claim_id = {c}"))
            .await,
        Ok(1)
    );
    let (got, why) = diverging(h).await;
    assert_eq!(got, c, "{why}");
    assert!(why.contains("payments"), "{why}");
    pay(c, "V-3", "200").await;
    let (got, why) = diverging(h).await;
    assert_eq!(got, c, "{why}");
    assert!(
        why.contains("payment") && (why.contains("deleted") || why.contains("changed between")),
        "{why}"
    );
}

/// A budget raised behind the store's back for one approval and put back agrees with the
/// log again, but its approvals now use more than its total: found.
pub async fn an_overspent_budget_is_found<H: Harness>(h: &H) {
    let s = h.store();
    s.set_budget(2026, "CITY", yuan("300"), &admin(), &now())
        .await
        .unwrap();
    let c = created(s, filing("OS-1", "i1", "portal-a")).await.id;
    let d = created(s, filing("OS-2", "i2", "portal-a")).await.id;
    s.review(c, approve("300"), &reviewer(), &later())
        .await
        .unwrap();
    assert_eq!(
        s.review(d, approve("300"), &reviewer(), &later())
            .await
            .unwrap_err()
            .code(),
        "BUDGET_EXCEEDED"
    );
    assert!(s.verify_audit().await.unwrap().is_intact());
    let total = |fen: i64| format!("UPDATE budgets SET total_fen = {fen} WHERE year = 2026");
    assert_eq!(h.raw(&total(60_000)).await, Ok(1));
    s.review(d, approve("300"), &reviewer(), &later())
        .await
        .unwrap();
    assert_eq!(h.raw(&total(30_000)).await, Ok(1));
    let v = s.verify_audit().await.unwrap();
    assert!(!v.is_intact(), "{v:?}");
    let (key, why) = v.budgets.first_diverging.unwrap();
    assert_eq!(key, "2026/CITY");
    assert!(why.contains("more than its total"), "{why}");
}

fn audit_key(fill: u8) -> stdfund_store::AuditKey {
    stdfund_store::AuditKey::from_secret(&[fill; 40]).unwrap()
}

/// Seals under an audit key: a log that gets a key is sealed at its last entry, every
/// entry appended with the key is sealed, and from the first sealed entry on an entry
/// without a seal, a forged seal, a seal under another key, removed seals and seals of
/// removed entries are breaks. The seals are append-only; another key is refused.
pub async fn seals_vouch_for_the_log<H: Harness>(h: &H) {
    let plain = h.store();
    five_entries(h).await;
    let v = plain.verify_audit().await.unwrap();
    assert!(v.is_intact());
    assert_eq!(v.seals.sealed_from, None);

    // The key is taken: the last entry is sealed.
    let key = audit_key(7);
    let keyed = h.reopen_with_key(key.clone()).await.unwrap();
    assert_eq!(
        keyed.adopt_audit_key().await.unwrap(),
        Some(stdfund_store::KeyAdoption::Adopted { entry: 5 })
    );
    // Taking it again changes nothing.
    assert_eq!(
        keyed.adopt_audit_key().await.unwrap(),
        Some(stdfund_store::KeyAdoption::AlreadySealed {
            first_sealed: 5,
            unsealed_after: 0
        })
    );
    created(&keyed, filing("S-1", "s1", "p")).await;
    let v = keyed.verify_audit().await.unwrap();
    assert!(v.is_intact(), "{:?}", v.first_broken);
    assert_eq!(v.entries_checked, 6);
    assert_eq!(v.seals.sealed_from, Some(5));
    assert_eq!(v.seals.key_id.as_deref(), Some(key.id()));
    let seals = keyed.audit_seals().await.unwrap();
    assert_eq!(
        (seals.entries, seals.first_sealed, seals.last_sealed),
        (6, Some(5), Some(6))
    );
    assert_eq!(seals.last_key_id.as_deref(), Some(key.id()));

    // Another key is refused before it writes anything.
    let other = h.reopen_with_key(audit_key(8)).await.unwrap();
    let err = other.adopt_audit_key().await.unwrap_err();
    assert!(
        matches!(err, StoreError::AuditKeyMismatch { entry: 6, .. }),
        "{err:?}"
    );
    assert_eq!(err.code(), "AUDIT_KEY_MISMATCH");
    // ... and verifying with it names the first sealed entry.
    let (id, why) = broken_at(&other).await;
    assert_eq!(id, 5, "{why}");
    assert!(why.contains("another key"), "{why}");

    // The seals are append-only while the triggers stand.
    for sql in [
        "UPDATE audit_seals SET seal = 'hmac-sha256:00'",
        "DELETE FROM audit_seals",
    ] {
        assert!(h.raw(sql).await.is_err(), "{sql} was allowed");
    }

    // A well-formed entry appended without the key (hash chain intact): a break, with the
    // key and without it.
    created(plain, filing("S-2", "s2", "p")).await;
    for (store, what) in [(&keyed, "keyed"), (plain, "plain")] {
        let (id, why) = broken_at(store).await;
        assert_eq!(id, 7, "{what}: {why}");
        assert!(why.contains("no seal"), "{what}: {why}");
    }

    // A forged seal on it: only the key can tell.
    h.disable_audit_triggers().await;
    h.raw(&format!(
        "INSERT INTO audit_seals (entry_id, key_id, seal) VALUES (7, '{}', 'hmac-sha256:{}')",
        key.id(),
        "0".repeat(64)
    ))
    .await
    .unwrap();
    let (id, why) = broken_at(&keyed).await;
    assert_eq!(id, 7, "{why}");
    assert!(why.contains("not made with the audit key"), "{why}");
    let v = plain.verify_audit().await.unwrap();
    assert!(v.is_intact(), "{:?}", v.first_broken);
    assert_eq!((v.seals.sealed_from, v.seals.key_id), (Some(5), None));

    // Every seal removed: with the key, the log is unsealed, which is a break.
    h.raw("DELETE FROM audit_seals").await.unwrap();
    let (id, why) = broken_at(&keyed).await;
    assert_eq!(id, 7, "{why}");
    assert!(why.contains("no entry of the log is sealed"), "{why}");
    // ... and the store holding the key writes nothing on top of it: a seal
    // on the next entry would vouch for the log as the remover left it (the
    // seventh attack, F2).
    let err = keyed
        .set_budget(2031, "CITY", yuan("1"), &admin(), &now())
        .await
        .unwrap_err();
    assert!(
        matches!(err, StoreError::AuditSealsRemoved { entries: 7 }),
        "{err:?}"
    );
    assert_eq!(err.code(), "AUDIT_SEALS_REMOVED");
    assert_eq!(keyed.audit_seals().await.unwrap().entries, 7);

    // A seal of an entry the log no longer has: entries were removed.
    let off = if H::NAME == "sqlite" {
        "PRAGMA foreign_keys = OFF; "
    } else {
        ""
    };
    h.raw(&format!(
        "{off}INSERT INTO audit_seals (entry_id, key_id, seal) VALUES (99, '{}', 'hmac-sha256:00')",
        key.id()
    ))
    .await
    .unwrap();
    let (id, why) = broken_at(plain).await;
    assert_eq!(id, 8, "{why}");
    assert!(why.contains("seals of entries after the last one"), "{why}");
}
