//! The backend-independent store suite. Every case takes a [`Harness`] and uses only the
//! [`ClaimStore`] trait (plus the harness's raw SQL to prove what the database refuses), so
//! the same assertions run against SQLite and PostgreSQL.

use std::collections::{BTreeSet, HashMap};

use stdfund_store::{
    AnyStore, AuditAction, AuditEntry, BudgetStatus, Claim, ClaimFilter, ClaimStatus, ClaimStore,
    Decision, Disbursement, ReportFilter, ReportRow, StoreError, SubmitOutcome,
};

use super::{Harness, LATER, NOW, admin, claim, finance, placed, portal, reviewer, yuan};

// ---------------------------------------------------------------------------------------
// helpers
// ---------------------------------------------------------------------------------------

async fn created<S: ClaimStore>(s: &S, c: stdfund_store::NewClaim) -> Claim {
    let who = portal(&c.submitted_by.clone());
    match s.submit_claim(c, &who, NOW).await {
        Ok(SubmitOutcome::Created(c)) => c,
        other => panic!("expected Created, got {other:?}"),
    }
}

fn approve(amount: &str) -> Decision {
    Decision::Approve {
        amount: yuan(amount),
        receipt_json: format!(r#"{{"ruleset":"fz-2020","payable":"{amount}"}}"#),
        reason: None,
    }
}

fn reject(reason: &str) -> Decision {
    Decision::Reject {
        reason: reason.to_owned(),
    }
}

fn disbursement(municipal: &str, district: &str) -> Disbursement {
    Disbursement {
        payment_date: "2026-04-01".to_owned(),
        voucher_no: "PZ-2026-0001".to_owned(),
        municipal_share: yuan(municipal),
        district_share: yuan(district),
        share_table_id: "fz-share-provisional-1".to_owned(),
    }
}

async fn all_audit<S: ClaimStore>(s: &S, claim_id: Option<i64>) -> Vec<AuditEntry> {
    let mut out = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let page = s.audit_log(claim_id, cursor.as_deref(), 7).await.unwrap();
        out.extend(page.items);
        match page.next_cursor {
            Some(c) => cursor = Some(c),
            None => return out,
        }
    }
}

async fn all_claims<S: ClaimStore>(s: &S, filter: &ClaimFilter, page: u32) -> Vec<Claim> {
    let mut out = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let p = s
            .list_claims(filter, cursor.as_deref(), page)
            .await
            .unwrap();
        assert!(p.items.len() <= page as usize);
        out.extend(p.items);
        match p.next_cursor {
            Some(c) => cursor = Some(c),
            None => return out,
        }
    }
}

fn json(s: &str) -> serde_json::Value {
    serde_json::from_str(s).unwrap()
}

// ---------------------------------------------------------------------------------------
// cases
// ---------------------------------------------------------------------------------------

/// A submitted claim reads back field for field; bad input is refused before any write.
pub async fn submit_and_read_back<H: Harness>(h: &H) {
    let s = h.store();
    let mut new = claim("GB-T-1", "idem-1", "portal-a");
    new.variant = Some("lead".to_owned());
    new.credit_code_confirmed = true;
    new.estimated_amount = yuan("1234.5");
    let c = created(s, new.clone()).await;
    assert!(c.id > 0);
    assert_eq!(c.status, ClaimStatus::Submitted);
    assert_eq!(c.idempotency_key, new.idempotency_key);
    assert_eq!(c.submitted_by, new.submitted_by);
    assert_eq!(c.credit_code, new.credit_code);
    assert!(c.credit_code_confirmed);
    assert_eq!(c.unit_name, new.unit_name);
    assert_eq!(c.seat, new.seat);
    assert_eq!(c.fiscal_unit, new.fiscal_unit);
    assert_eq!(c.item, new.item);
    assert_eq!(c.variant.as_deref(), Some("lead"));
    assert_eq!(c.clause, new.clause);
    assert_eq!(c.subject, new.subject);
    assert_eq!(c.one_time_key, new.one_time_key);
    assert_eq!(c.achievement_date, new.achievement_date);
    assert_eq!(c.year, 2026);
    assert_eq!(c.application_json, new.application_json);
    assert_eq!(c.estimate_json, new.estimate_json);
    assert_eq!(c.estimated_amount.to_string(), "1234.50");
    assert_eq!(c.created_at, NOW);
    assert_eq!(c.updated_at, NOW);
    assert_eq!(c.reviewed_by, None);
    assert_eq!(c.approved_amount, None);
    assert_eq!(c.disbursed_at, None);
    assert_eq!(s.get_claim(c.id).await.unwrap(), c);

    let missing = s.get_claim(c.id + 1000).await.unwrap_err();
    assert_eq!(missing.code(), "NOT_FOUND");

    // Malformed input: refused with INVALID_ARGUMENT, nothing stored.
    let bad: Vec<stdfund_store::NewClaim> = vec![
        {
            let mut b = claim("GB-T-2", "idem-2", "portal-a");
            b.achievement_date = "2020-02-30".into();
            b
        },
        {
            let mut b = claim("GB-T-2", "idem-2", "portal-a");
            b.application_json = "{not json".into();
            b
        },
        {
            let mut b = claim("GB-T-2", "idem-2", "portal-a");
            b.estimated_amount = yuan("0.001");
            b
        },
        {
            let mut b = claim("GB-T-2", "idem-2", "portal-a");
            b.estimated_amount = yuan("-1");
            b
        },
        {
            let mut b = claim("GB-T-2", "idem-2", "portal-a");
            b.one_time_key = " ".into();
            b
        },
    ];
    for b in bad {
        let err = s
            .submit_claim(b, &portal("portal-a"), NOW)
            .await
            .unwrap_err();
        assert_eq!(err.code(), "INVALID_ARGUMENT", "{err}");
    }
    let err = s
        .submit_claim(
            claim("GB-T-2", "idem-2", "portal-a"),
            &portal("portal-a"),
            "today",
        )
        .await
        .unwrap_err();
    assert_eq!(err.code(), "INVALID_ARGUMENT");
    let all = all_claims(s, &ClaimFilter::default(), 10).await;
    assert_eq!(all.len(), 1);
    s.ping().await.unwrap();
    s.migrate().await.unwrap();
}

/// The same idempotency key from the same submitter returns the same claim, also when the
/// twins race; reusing a key for a different request is a conflict.
pub async fn idempotent_submit<H: Harness>(h: &H) {
    let s = h.store();
    let first = created(s, claim("GB-T-10", "idem-x", "portal-a")).await;
    let again = s
        .submit_claim(
            claim("GB-T-10", "idem-x", "portal-a"),
            &portal("portal-a"),
            LATER,
        )
        .await
        .unwrap();
    assert_eq!(again, SubmitOutcome::Existing(first.clone()));
    assert_eq!(again.code(), "EXISTING");

    // A different estimate (e.g. after a ruleset update) is still the same request.
    let mut re_estimated = claim("GB-T-10", "idem-x", "portal-a");
    re_estimated.estimate_json = r#"{"payable":"1.00"}"#.into();
    re_estimated.estimated_amount = yuan("1");
    let again = s
        .submit_claim(re_estimated, &portal("portal-a"), LATER)
        .await
        .unwrap();
    assert_eq!(again.claim().map(|c| c.id), Some(first.id));

    // Same key, different request: conflict.
    let err = s
        .submit_claim(
            claim("GB-T-11", "idem-x", "portal-a"),
            &portal("portal-a"),
            NOW,
        )
        .await
        .unwrap_err();
    assert_eq!(err.code(), "CONFLICT", "{err}");

    // Same key, other submitter: independent.
    let other = created(s, claim("GB-T-12", "idem-x", "portal-b")).await;
    assert_ne!(other.id, first.id);

    // Existing returns the claim as it is now.
    s.review_claim(first.id, reject("incomplete"), &reviewer(), LATER)
        .await
        .unwrap();
    match s
        .submit_claim(
            claim("GB-T-10", "idem-x", "portal-a"),
            &portal("portal-a"),
            LATER,
        )
        .await
        .unwrap()
    {
        SubmitOutcome::Existing(c) => {
            assert_eq!(c.id, first.id);
            assert_eq!(c.status, ClaimStatus::Rejected);
        }
        other => panic!("expected Existing, got {other:?}"),
    }

    // 20 concurrent twins: one claim, everyone gets its id.
    let mut tasks = Vec::new();
    for _ in 0..20 {
        let s = s.clone();
        tasks.push(tokio::spawn(async move {
            s.submit_claim(
                claim("GB-T-13", "idem-race", "portal-c"),
                &portal("portal-c"),
                NOW,
            )
            .await
        }));
    }
    let mut ids = BTreeSet::new();
    let mut created_count = 0;
    for t in tasks {
        match t.await.unwrap().unwrap() {
            SubmitOutcome::Created(c) => {
                created_count += 1;
                ids.insert(c.id);
            }
            SubmitOutcome::Existing(c) => {
                ids.insert(c.id);
            }
            other => panic!("twin got {other:?}"),
        }
    }
    assert_eq!(created_count, 1);
    assert_eq!(ids.len(), 1);
    let submits = all_audit(s, ids.first().copied()).await;
    assert_eq!(submits.len(), 1, "one SUBMIT audit row for the raced claim");
}

/// 200 concurrent submissions of one one-time key with different idempotency keys: exactly
/// one claim, 199 ALREADY_GRANTED naming it.
pub async fn one_time_rule_under_200_concurrent_submits<H: Harness>(h: &H) {
    let s = h.store();
    let mut tasks = Vec::new();
    for i in 0..200 {
        let s = s.clone();
        tasks.push(tokio::spawn(async move {
            let submitter = format!("portal-{}", i % 7);
            s.submit_claim(
                claim("GB-T-200", &format!("idem-{i}"), &submitter),
                &portal(&submitter),
                NOW,
            )
            .await
        }));
    }
    let mut created_ids = Vec::new();
    let mut granted_to = Vec::new();
    for t in tasks {
        match t.await.unwrap() {
            Ok(SubmitOutcome::Created(c)) => created_ids.push(c.id),
            Ok(SubmitOutcome::AlreadyGranted { existing_claim_id }) => {
                granted_to.push(existing_claim_id)
            }
            other => panic!("unexpected {other:?}"),
        }
    }
    assert_eq!(created_ids.len(), 1, "exactly one Created");
    assert_eq!(granted_to.len(), 199, "199 AlreadyGranted");
    assert!(granted_to.iter().all(|id| *id == created_ids[0]));
    let holders: Vec<Claim> = all_claims(s, &ClaimFilter::default(), 100)
        .await
        .into_iter()
        .filter(|c| c.one_time_key == "GB-T-200")
        .collect();
    assert_eq!(holders.len(), 1);
    assert_eq!(all_audit(s, None).await.len(), 1);
}

/// The one-time rule is the database's: a row inserted behind the store's back is refused
/// while a live claim holds the key and accepted once that claim is rejected.
pub async fn one_time_rule_is_a_database_constraint<H: Harness>(h: &H) {
    let s = h.store();
    let c = created(s, claim("RAW-1", "idem-raw", "portal-a")).await;
    const COPY: &str = "INSERT INTO claims (idempotency_key, submitted_by, request_hash, \
        credit_code, credit_code_confirmed, unit_name, seat, fiscal_unit, item, variant, \
        clause, subject, one_time_key, achievement_date, year, application_json, \
        estimate_json, estimated_amount_fen, status, created_at, updated_at) \
        SELECT 'raw-copy', submitted_by, request_hash, credit_code, credit_code_confirmed, \
        unit_name, seat, fiscal_unit, item, variant, clause, subject, one_time_key, \
        achievement_date, year, application_json, estimate_json, estimated_amount_fen, \
        'SUBMITTED', created_at, updated_at FROM claims WHERE one_time_key = 'RAW-1' \
        AND idempotency_key = 'idem-raw'";
    let err = h.raw(COPY).await.unwrap_err();
    assert!(
        err.to_lowercase().contains("unique"),
        "expected a unique violation, got {err}"
    );
    s.review_claim(c.id, reject("duplicate"), &reviewer(), LATER)
        .await
        .unwrap();
    assert_eq!(h.raw(COPY).await, Ok(1));
    // The store itself now sees that copy as the holder.
    match s
        .submit_claim(
            claim("RAW-1", "idem-raw-2", "portal-b"),
            &portal("portal-b"),
            NOW,
        )
        .await
        .unwrap()
    {
        SubmitOutcome::AlreadyGranted { existing_claim_id } => {
            assert_ne!(existing_claim_id, c.id)
        }
        other => panic!("expected AlreadyGranted, got {other:?}"),
    }
}

/// A rejected claim frees its one-time key; the next claim holds it.
pub async fn rejection_frees_the_one_time_key<H: Harness>(h: &H) {
    let s = h.store();
    let a = created(s, claim("GB-T-30", "idem-a", "portal-a")).await;
    let blocked = s
        .submit_claim(
            claim("GB-T-30", "idem-b", "portal-b"),
            &portal("portal-b"),
            NOW,
        )
        .await
        .unwrap();
    assert_eq!(
        blocked,
        SubmitOutcome::AlreadyGranted {
            existing_claim_id: a.id
        }
    );
    assert_eq!(blocked.code(), "ALREADY_GRANTED");
    let rejected = s
        .review_claim(a.id, reject("wrong unit"), &reviewer(), LATER)
        .await
        .unwrap();
    assert_eq!(rejected.status, ClaimStatus::Rejected);
    assert_eq!(rejected.review_reason.as_deref(), Some("wrong unit"));
    let b = created(s, claim("GB-T-30", "idem-b", "portal-b")).await;
    assert_ne!(b.id, a.id);
    let c = s
        .submit_claim(
            claim("GB-T-30", "idem-c", "portal-c"),
            &portal("portal-c"),
            NOW,
        )
        .await
        .unwrap();
    assert_eq!(
        c,
        SubmitOutcome::AlreadyGranted {
            existing_claim_id: b.id
        }
    );
    // Rejected twice over: a third claim gets the key after the second rejection.
    s.review_claim(b.id, reject("again"), &reviewer(), LATER)
        .await
        .unwrap();
    let c = created(s, claim("GB-T-30", "idem-c", "portal-c")).await;
    assert!(c.id > b.id);
}

/// Only SUBMITTED → APPROVED/REJECTED and APPROVED → DISBURSED; refused transitions change
/// nothing and write no audit row.
pub async fn state_machine_refuses_other_transitions<H: Harness>(h: &H) {
    let s = h.store();
    s.set_budget(2026, yuan("1000000"), &admin(), NOW)
        .await
        .unwrap();
    let a = created(s, claim("SM-1", "i1", "p")).await;
    let r = created(s, claim("SM-2", "i2", "p")).await;

    // Disbursing a SUBMITTED claim.
    let err = s
        .record_disbursement(a.id, disbursement("50", "50"), &finance(), NOW)
        .await
        .unwrap_err();
    match &err {
        StoreError::InvalidState {
            claim_id,
            actual,
            expected,
            ..
        } => {
            assert_eq!(*claim_id, a.id);
            assert_eq!(*actual, ClaimStatus::Submitted);
            assert_eq!(*expected, ClaimStatus::Approved);
        }
        other => panic!("expected InvalidState, got {other:?}"),
    }
    assert_eq!(err.code(), "INVALID_STATE");

    s.review_claim(a.id, approve("100"), &reviewer(), LATER)
        .await
        .unwrap();
    s.review_claim(r.id, reject("no"), &reviewer(), LATER)
        .await
        .unwrap();
    let audit_before = all_audit(s, None).await.len();

    for (id, decision) in [
        (a.id, approve("100")),
        (a.id, reject("changed my mind")),
        (r.id, approve("100")),
        (r.id, reject("twice")),
    ] {
        let err = s
            .review_claim(id, decision, &reviewer(), LATER)
            .await
            .unwrap_err();
        match err {
            StoreError::InvalidState {
                expected, actual, ..
            } => {
                assert_eq!(expected, ClaimStatus::Submitted);
                assert_ne!(actual, ClaimStatus::Submitted);
            }
            other => panic!("expected InvalidState, got {other:?}"),
        }
    }
    let err = s
        .record_disbursement(r.id, disbursement("50", "50"), &finance(), NOW)
        .await
        .unwrap_err();
    assert_eq!(err.code(), "INVALID_STATE");

    s.record_disbursement(a.id, disbursement("50", "50"), &finance(), NOW)
        .await
        .unwrap();
    let err = s
        .record_disbursement(a.id, disbursement("50", "50"), &finance(), NOW)
        .await
        .unwrap_err();
    assert!(matches!(
        err,
        StoreError::InvalidState {
            actual: ClaimStatus::Disbursed,
            ..
        }
    ));
    let err = s
        .review_claim(a.id, reject("late"), &reviewer(), LATER)
        .await
        .unwrap_err();
    assert_eq!(err.code(), "INVALID_STATE");

    // Unknown claims.
    let err = s
        .review_claim(999_999, approve("1"), &reviewer(), LATER)
        .await
        .unwrap_err();
    assert_eq!(err.code(), "NOT_FOUND");
    let err = s
        .record_disbursement(999_999, disbursement("1", "0"), &finance(), LATER)
        .await
        .unwrap_err();
    assert_eq!(err.code(), "NOT_FOUND");

    // Malformed decisions.
    let c = created(s, claim("SM-3", "i3", "p")).await;
    for bad in [
        reject("  "),
        approve("0.001"),
        Decision::Approve {
            amount: yuan("1"),
            receipt_json: "not json".into(),
            reason: None,
        },
    ] {
        let err = s
            .review_claim(c.id, bad, &reviewer(), LATER)
            .await
            .unwrap_err();
        assert_eq!(err.code(), "INVALID_ARGUMENT", "{err}");
    }
    assert_eq!(
        s.get_claim(c.id).await.unwrap().status,
        ClaimStatus::Submitted
    );
    // One more row for c's SUBMIT and one for the disbursement; none for the refusals.
    assert_eq!(all_audit(s, None).await.len(), audit_before + 2);
}

/// Approvals need a budget and cannot exceed what is left; the error carries the figures.
pub async fn budget_is_enforced<H: Harness>(h: &H) {
    let s = h.store();
    let a = created(s, claim("B-1", "i1", "p")).await;
    let b = created(s, claim("B-2", "i2", "p")).await;
    let c = created(s, claim("B-3", "i3", "p")).await;
    let other_year = created(s, placed(claim("B-4", "i4", "p"), 2027, "350102", "1")).await;

    let err = s
        .review_claim(a.id, approve("600"), &reviewer(), LATER)
        .await
        .unwrap_err();
    assert!(
        matches!(err, StoreError::BudgetNotSet { year: 2026 }),
        "{err:?}"
    );
    assert_eq!(err.code(), "BUDGET_NOT_SET");
    assert_eq!(s.budget(2026).await.unwrap(), None);

    let set = s
        .set_budget(2026, yuan("1000.00"), &admin(), NOW)
        .await
        .unwrap();
    assert_eq!(
        set,
        BudgetStatus {
            year: 2026,
            total: yuan("1000"),
            used: yuan("0"),
            left: yuan("1000")
        }
    );
    let approved = s
        .review_claim(a.id, approve("600.00"), &reviewer(), LATER)
        .await
        .unwrap();
    assert_eq!(approved.status, ClaimStatus::Approved);
    assert_eq!(approved.approved_amount, Some(yuan("600")));
    assert_eq!(approved.reviewed_by.as_deref(), Some("rev-1"));
    assert_eq!(approved.reviewed_at.as_deref(), Some(LATER));
    assert_eq!(approved.updated_at, LATER);
    assert_eq!(
        approved.receipt_json.as_deref(),
        Some(r#"{"ruleset":"fz-2020","payable":"600.00"}"#)
    );

    let err = s
        .review_claim(b.id, approve("400.01"), &reviewer(), LATER)
        .await
        .unwrap_err();
    match &err {
        StoreError::BudgetExceeded {
            year,
            total,
            used,
            left,
            requested,
        } => {
            assert_eq!(*year, 2026);
            assert_eq!(total.to_string(), "1000.00");
            assert_eq!(used.to_string(), "600.00");
            assert_eq!(left.to_string(), "400.00");
            assert_eq!(requested.to_string(), "400.01");
        }
        other => panic!("expected BudgetExceeded, got {other:?}"),
    }
    assert_eq!(err.code(), "BUDGET_EXCEEDED");
    assert_eq!(
        s.get_claim(b.id).await.unwrap().status,
        ClaimStatus::Submitted
    );

    // Exactly what is left is fine; then nothing is left.
    s.review_claim(b.id, approve("400"), &reviewer(), LATER)
        .await
        .unwrap();
    let st = s.budget(2026).await.unwrap().unwrap();
    assert_eq!((st.used, st.left), (yuan("1000"), yuan("0")));
    let err = s
        .review_claim(c.id, approve("0.01"), &reviewer(), LATER)
        .await
        .unwrap_err();
    assert_eq!(err.code(), "BUDGET_EXCEEDED");
    // A zero approval still fits.
    s.review_claim(c.id, approve("0"), &reviewer(), LATER)
        .await
        .unwrap();

    // Rejections do not use budget; disbursed claims still do.
    s.record_disbursement(a.id, disbursement("300", "300"), &finance(), LATER)
        .await
        .unwrap();
    assert_eq!(s.budget(2026).await.unwrap().unwrap().used, yuan("1000"));

    // Lowering below what is used is refused; raising works.
    let err = s
        .set_budget(2026, yuan("999.99"), &admin(), LATER)
        .await
        .unwrap_err();
    assert!(
        matches!(&err, StoreError::BudgetBelowUsed { year: 2026, used, .. } if *used == yuan("1000")),
        "{err:?}"
    );
    let raised = s
        .set_budget(2026, yuan("1500"), &admin(), LATER)
        .await
        .unwrap();
    assert_eq!(raised.left, yuan("500"));

    // Another year has its own budget.
    let err = s
        .review_claim(other_year.id, approve("1"), &reviewer(), LATER)
        .await
        .unwrap_err();
    assert_eq!(err.code(), "BUDGET_NOT_SET");
    let err = s
        .set_budget(2027, yuan("1.001"), &admin(), LATER)
        .await
        .unwrap_err();
    assert_eq!(err.code(), "INVALID_ARGUMENT");
}

/// Concurrent approvals never overspend: with room for 10 of 15, exactly 10 succeed.
pub async fn concurrent_approvals_never_overspend<H: Harness>(h: &H) {
    let s = h.store();
    s.set_budget(2026, yuan("1000"), &admin(), NOW)
        .await
        .unwrap();
    let mut ids = Vec::new();
    for i in 0..15 {
        ids.push(
            created(s, claim(&format!("CA-{i}"), &format!("i{i}"), "p"))
                .await
                .id,
        );
    }
    let mut tasks = Vec::new();
    for id in ids {
        let s = s.clone();
        tasks.push(tokio::spawn(async move {
            s.review_claim(id, approve("100"), &reviewer(), LATER).await
        }));
    }
    let (mut ok, mut exceeded) = (0, 0);
    for t in tasks {
        match t.await.unwrap() {
            Ok(c) => {
                assert_eq!(c.status, ClaimStatus::Approved);
                ok += 1;
            }
            Err(StoreError::BudgetExceeded { left, .. }) => {
                assert_eq!(left, yuan("0"));
                exceeded += 1;
            }
            Err(e) => panic!("unexpected {e:?}"),
        }
    }
    assert_eq!((ok, exceeded), (10, 5));
    let st = s.budget(2026).await.unwrap().unwrap();
    assert_eq!((st.used, st.left), (yuan("1000"), yuan("0")));
}

/// A disbursement stores payment date, voucher and shares (which must add up), and the
/// public notice lists approved and disbursed claims.
pub async fn disbursement_and_public_notice<H: Harness>(h: &H) {
    let s = h.store();
    s.set_budget(2026, yuan("1000000"), &admin(), NOW)
        .await
        .unwrap();
    s.set_budget(2025, yuan("1000000"), &admin(), NOW)
        .await
        .unwrap();
    let paid = created(s, claim("D-1", "i1", "p")).await;
    let approved = created(s, claim("D-2", "i2", "p")).await;
    let rejected = created(s, claim("D-3", "i3", "p")).await;
    let pending = created(s, claim("D-4", "i4", "p")).await;
    let old = created(s, placed(claim("D-5", "i5", "p"), 2025, "350104", "2")).await;
    s.review_claim(paid.id, approve("1000.00"), &reviewer(), LATER)
        .await
        .unwrap();
    s.review_claim(approved.id, approve("20"), &reviewer(), LATER)
        .await
        .unwrap();
    s.review_claim(rejected.id, reject("no"), &reviewer(), LATER)
        .await
        .unwrap();
    s.review_claim(old.id, approve("7"), &reviewer(), LATER)
        .await
        .unwrap();

    let err = s
        .record_disbursement(paid.id, disbursement("500.00", "499.98"), &finance(), LATER)
        .await
        .unwrap_err();
    assert_eq!(err.code(), "INVALID_ARGUMENT", "{err}");
    let err = s
        .record_disbursement(
            paid.id,
            Disbursement {
                payment_date: "2026-13-01".into(),
                ..disbursement("500", "500")
            },
            &finance(),
            LATER,
        )
        .await
        .unwrap_err();
    assert_eq!(err.code(), "INVALID_ARGUMENT");

    let d = s
        .record_disbursement(paid.id, disbursement("500.01", "499.99"), &finance(), LATER)
        .await
        .unwrap();
    assert_eq!(d.status, ClaimStatus::Disbursed);
    assert_eq!(d.payment_date.as_deref(), Some("2026-04-01"));
    assert_eq!(d.voucher_no.as_deref(), Some("PZ-2026-0001"));
    assert_eq!(
        d.municipal_share.map(|x| x.to_string()).as_deref(),
        Some("500.01")
    );
    assert_eq!(
        d.district_share.map(|x| x.to_string()).as_deref(),
        Some("499.99")
    );
    assert_eq!(d.share_table_id.as_deref(), Some("fz-share-provisional-1"));
    assert_eq!(d.disbursed_by.as_deref(), Some("fin-1"));
    assert_eq!(d.disbursed_at.as_deref(), Some(LATER));
    assert_eq!(d.approved_amount, Some(yuan("1000")));
    assert_eq!(s.get_claim(paid.id).await.unwrap(), d);

    let notice: Vec<i64> = s
        .approved_claims(Some(2026))
        .await
        .unwrap()
        .iter()
        .map(|c| c.id)
        .collect();
    assert_eq!(notice, vec![paid.id, approved.id]);
    let all: Vec<i64> = s
        .approved_claims(None)
        .await
        .unwrap()
        .iter()
        .map(|c| c.id)
        .collect();
    assert_eq!(all, vec![paid.id, approved.id, old.id]);
    assert!(!all.contains(&pending.id));
    assert!(s.approved_claims(Some(2024)).await.unwrap().is_empty());
}

/// Keyset paging: every claim exactly once, in id order, also when claims are added between
/// pages; filters apply; bad cursors are refused.
pub async fn paging_is_stable<H: Harness>(h: &H) {
    let s = h.store();
    for i in 0..25 {
        let unit = if i % 2 == 0 { "350102" } else { "350104" };
        let clause = if i % 3 == 0 { "1" } else { "2" };
        let year = if i < 20 { 2026 } else { 2025 };
        created(
            s,
            placed(
                claim(&format!("P-{i}"), &format!("i{i}"), &format!("p{}", i % 4)),
                year,
                unit,
                clause,
            ),
        )
        .await;
    }
    let f = ClaimFilter::default();
    let p1 = s.list_claims(&f, None, 10).await.unwrap();
    assert_eq!(p1.items.len(), 10);
    let c1 = p1.next_cursor.clone().unwrap();
    // Reading the same page again gives the same answer.
    assert_eq!(s.list_claims(&f, None, 10).await.unwrap(), p1);

    // New claims arrive between pages.
    for i in 25..28 {
        created(s, claim(&format!("P-{i}"), &format!("i{i}"), "p-late")).await;
    }
    let p2 = s.list_claims(&f, Some(&c1), 10).await.unwrap();
    let p3 = s
        .list_claims(&f, p2.next_cursor.as_deref(), 10)
        .await
        .unwrap();
    assert_eq!(p3.items.len(), 8);
    assert_eq!(p3.next_cursor, None);
    let ids: Vec<i64> = [p1.items, p2.items, p3.items]
        .concat()
        .iter()
        .map(|c| c.id)
        .collect();
    assert_eq!(ids.len(), 28);
    assert!(ids.windows(2).all(|w| w[0] < w[1]), "ascending, no repeats");

    // A page size that divides the total: the last full page may point at an empty one.
    let exact = all_claims(s, &f, 7).await;
    assert_eq!(exact.len(), 28);
    // Page size 0 means the default; huge sizes are clamped.
    assert_eq!(s.list_claims(&f, None, 0).await.unwrap().items.len(), 28);
    assert_eq!(
        s.list_claims(&f, None, u32::MAX).await.unwrap().items.len(),
        28
    );

    // Filters, each with paging.
    let unit = ClaimFilter {
        fiscal_unit: Some("350104".into()),
        ..ClaimFilter::default()
    };
    let got = all_claims(s, &unit, 3).await;
    assert_eq!(got.len(), 12);
    assert!(got.iter().all(|c| c.fiscal_unit == "350104"));
    let combo = ClaimFilter {
        year: Some(2026),
        fiscal_unit: Some("350102".into()),
        clause: Some("1".into()),
        status: Some(ClaimStatus::Submitted),
        submitted_by: None,
    };
    let got = all_claims(s, &combo, 2).await;
    // i in 0..20 with i even and i % 3 == 0: 0, 6, 12, 18; plus the three late ones.
    assert_eq!(got.len(), 7);
    let mine = ClaimFilter {
        submitted_by: Some("p1".into()),
        ..ClaimFilter::default()
    };
    assert_eq!(all_claims(s, &mine, 2).await.len(), 6);
    let approved = ClaimFilter {
        status: Some(ClaimStatus::Approved),
        ..ClaimFilter::default()
    };
    assert!(all_claims(s, &approved, 5).await.is_empty());
    let y2025 = ClaimFilter {
        year: Some(2025),
        ..ClaimFilter::default()
    };
    assert_eq!(all_claims(s, &y2025, 2).await.len(), 5);

    for bad in ["", "abc", "-5", "0", "1.5"] {
        let err = s.list_claims(&f, Some(bad), 10).await.unwrap_err();
        assert_eq!(err.code(), "INVALID_ARGUMENT", "cursor {bad:?}");
    }
}

/// Report rows per (year, fiscal unit, clause) with exact counts and sums.
pub async fn report_counts_and_sums<H: Harness>(h: &H) {
    let s = h.store();
    s.set_budget(2026, yuan("1000000"), &admin(), NOW)
        .await
        .unwrap();
    s.set_budget(2025, yuan("1000000"), &admin(), NOW)
        .await
        .unwrap();
    // (year, unit, clause, final state, approved, municipal, district)
    let plan: [(i32, &str, &str, &str, &str, &str, &str); 9] = [
        (2026, "350102", "1", "disbursed", "100.10", "50.05", "50.05"),
        (
            2026,
            "350102",
            "1",
            "disbursed",
            "200.01",
            "100.01",
            "100.00",
        ),
        (2026, "350102", "1", "approved", "0.99", "", ""),
        (2026, "350102", "1", "rejected", "", "", ""),
        (2026, "350102", "2", "submitted", "", "", ""),
        (2026, "350104", "1", "approved", "1000", "", ""),
        (2026, "350104", "1", "disbursed", "3", "1.5", "1.5"),
        (2025, "350102", "1", "disbursed", "10", "6", "4"),
        (2025, "350102", "1", "submitted", "", "", ""),
    ];
    for (i, (year, unit, clause, state, amount, m, d)) in plan.iter().enumerate() {
        let c = created(
            s,
            placed(
                claim(&format!("R-{i}"), &format!("i{i}"), "p"),
                *year,
                unit,
                clause,
            ),
        )
        .await;
        match *state {
            "submitted" => {}
            "rejected" => {
                s.review_claim(c.id, reject("no"), &reviewer(), LATER)
                    .await
                    .unwrap();
            }
            _ => {
                s.review_claim(c.id, approve(amount), &reviewer(), LATER)
                    .await
                    .unwrap();
                if *state == "disbursed" {
                    s.record_disbursement(c.id, disbursement(m, d), &finance(), LATER)
                        .await
                        .unwrap();
                }
            }
        }
    }
    let row = |year, unit: &str, clause: &str, counts: [i64; 5], sums: [&str; 3]| ReportRow {
        year,
        fiscal_unit: unit.to_owned(),
        clause: clause.to_owned(),
        claims: counts[0],
        submitted: counts[1],
        approved: counts[2],
        rejected: counts[3],
        disbursed: counts[4],
        approved_amount: yuan(sums[0]),
        municipal_share: yuan(sums[1]),
        district_share: yuan(sums[2]),
    };
    let expected = vec![
        row(2025, "350102", "1", [2, 1, 0, 0, 1], ["10", "6", "4"]),
        row(
            2026,
            "350102",
            "1",
            [4, 0, 1, 1, 2],
            ["301.10", "150.06", "150.05"],
        ),
        row(2026, "350102", "2", [1, 1, 0, 0, 0], ["0", "0", "0"]),
        row(2026, "350104", "1", [2, 0, 1, 0, 1], ["1003", "1.5", "1.5"]),
    ];
    let got = s.report(&ReportFilter::default()).await.unwrap();
    assert_eq!(got, expected);
    assert_eq!(got[1].approved_amount.to_string(), "301.10");

    let only_2026 = s
        .report(&ReportFilter {
            year: Some(2026),
            ..ReportFilter::default()
        })
        .await
        .unwrap();
    assert_eq!(only_2026, expected[1..].to_vec());
    let unit_clause = s
        .report(&ReportFilter {
            year: None,
            fiscal_unit: Some("350102".into()),
            clause: Some("1".into()),
        })
        .await
        .unwrap();
    assert_eq!(unit_clause, vec![expected[0].clone(), expected[1].clone()]);
    assert!(
        s.report(&ReportFilter {
            year: Some(2030),
            ..ReportFilter::default()
        })
        .await
        .unwrap()
        .is_empty()
    );
    // The report's approved sum agrees with the budget's used amount.
    assert_eq!(s.budget(2026).await.unwrap().unwrap().used, yuan("1304.10"));
}

/// Every state change leaves exactly one audit row, written with the change; refusals and
/// idempotent replays leave none.
pub async fn audit_trail_records_every_change<H: Harness>(h: &H) {
    let s = h.store();
    s.set_budget(2026, yuan("500"), &admin(), NOW)
        .await
        .unwrap();
    let c = created(s, claim("A-1", "i1", "portal-a")).await;
    // Replays and refusals: no rows.
    s.submit_claim(claim("A-1", "i1", "portal-a"), &portal("portal-a"), LATER)
        .await
        .unwrap();
    s.submit_claim(claim("A-1", "i2", "portal-b"), &portal("portal-b"), LATER)
        .await
        .unwrap();
    s.review_claim(c.id, approve("600"), &reviewer(), LATER)
        .await
        .unwrap_err();
    s.record_disbursement(c.id, disbursement("1", "1"), &finance(), LATER)
        .await
        .unwrap_err();
    assert_eq!(all_audit(s, None).await.len(), 2);

    s.review_claim(c.id, approve("200"), &reviewer(), LATER)
        .await
        .unwrap();
    s.record_disbursement(
        c.id,
        disbursement("100", "100"),
        &finance(),
        "2026-03-03T08:00:00Z",
    )
    .await
    .unwrap();
    let r = created(s, claim("A-2", "i3", "portal-a")).await;
    s.review_claim(r.id, reject("not eligible"), &reviewer(), LATER)
        .await
        .unwrap();
    s.set_budget(2026, yuan("600"), &admin(), LATER)
        .await
        .unwrap();

    let log = all_audit(s, None).await;
    let actions: Vec<(Option<i64>, AuditAction, &str, &str)> = log
        .iter()
        .map(|e| (e.claim_id, e.action, e.actor.as_str(), e.role.as_str()))
        .collect();
    assert_eq!(
        actions,
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
    assert!(log.windows(2).all(|w| w[0].id < w[1].id));
    assert_eq!(log[3].at, "2026-03-03T08:00:00Z");

    // Before/after snapshots.
    assert_eq!(log[0].before_json, None);
    assert_eq!(
        json(log[0].after_json.as_deref().unwrap()),
        serde_json::json!({"year": 2026, "total": "500.00"})
    );
    assert_eq!(
        json(log[6].before_json.as_deref().unwrap())["total"],
        "500.00"
    );
    assert_eq!(log[1].before_json, None);
    let submitted = json(log[1].after_json.as_deref().unwrap());
    assert_eq!(submitted["status"], "SUBMITTED");
    assert_eq!(submitted["id"], c.id);
    assert_eq!(submitted["application_json"], c.application_json.as_str());
    let before = json(log[2].before_json.as_deref().unwrap());
    let after = json(log[2].after_json.as_deref().unwrap());
    assert_eq!(before["status"], "SUBMITTED");
    assert_eq!(after["status"], "APPROVED");
    assert_eq!(after["approved_amount"], "200.00");
    assert_eq!(before["approved_amount"], serde_json::Value::Null);
    let paid = json(log[3].after_json.as_deref().unwrap());
    assert_eq!(paid["status"], "DISBURSED");
    assert_eq!(paid["municipal_share"], "100.00");
    assert_eq!(paid["voucher_no"], "PZ-2026-0001");
    assert_eq!(
        json(log[5].after_json.as_deref().unwrap())["review_reason"],
        "not eligible"
    );

    // Per claim.
    let for_c: Vec<AuditAction> = all_audit(s, Some(c.id))
        .await
        .iter()
        .map(|e| e.action)
        .collect();
    assert_eq!(
        for_c,
        vec![
            AuditAction::Submit,
            AuditAction::Approve,
            AuditAction::Disburse
        ]
    );
    // Paging: two at a time, same rows.
    let mut paged = Vec::new();
    let mut cursor = None;
    loop {
        let p = s.audit_log(None, cursor.as_deref(), 2).await.unwrap();
        assert!(p.items.len() <= 2);
        paged.extend(p.items);
        cursor = p.next_cursor;
        if cursor.is_none() {
            break;
        }
    }
    assert_eq!(paged, log);
    assert_eq!(
        s.audit_log(None, Some("x"), 2).await.unwrap_err().code(),
        "INVALID_ARGUMENT"
    );
}

/// The database refuses UPDATE and DELETE (and TRUNCATE on PostgreSQL) of audit rows, and
/// DELETE of claims.
pub async fn audit_log_is_append_only<H: Harness>(h: &H) {
    let s = h.store();
    let c = created(s, claim("T-1", "i1", "p")).await;
    s.review_claim(c.id, reject("no"), &reviewer(), LATER)
        .await
        .unwrap();
    let before = all_audit(s, None).await;
    assert_eq!(before.len(), 2);
    for sql in h.audit_tamper_statements() {
        let err = h
            .raw(sql)
            .await
            .expect_err(&format!("{} accepted: {sql}", H::NAME));
        assert!(err.contains("append-only"), "{sql}: {err}");
    }
    let err = h.raw("DELETE FROM claims").await.unwrap_err();
    assert!(
        err.contains("never deleted") || err.contains("append-only"),
        "{err}"
    );
    assert_eq!(all_audit(s, None).await, before);
    assert_eq!(
        s.get_claim(c.id).await.unwrap().status,
        ClaimStatus::Rejected
    );
    // Appending still works.
    created(s, claim("T-2", "i2", "p")).await;
    assert_eq!(all_audit(s, None).await.len(), 3);
}

/// Migrations are idempotent, and an altered or unknown applied migration stops the store.
pub async fn migrations_are_checked<H: Harness>(h: &H) {
    let s = h.store();
    s.migrate().await.unwrap();
    s.migrate().await.unwrap();
    assert_eq!(
        h.raw("UPDATE store_migrations SET checksum = 'tampered' WHERE version = 1")
            .await,
        Ok(1)
    );
    let err = s.migrate().await.unwrap_err();
    assert_eq!(err.code(), "MIGRATION", "{err}");
    h.raw("DELETE FROM store_migrations WHERE version = 1")
        .await
        .unwrap();
    h.raw("INSERT INTO store_migrations (version, name, checksum) VALUES (999, 'future', 'x')")
        .await
        .unwrap();
    let err = s.migrate().await.unwrap_err();
    assert_eq!(err.code(), "MIGRATION");
    assert!(err.to_string().contains("999"), "{err}");
}

/// `AnyStore` delegates to the backend it wraps.
pub async fn any_store_delegates<H: Harness>(h: &H)
where
    AnyStore: From<H::Store>,
{
    let any = AnyStore::from(h.store().clone());
    assert_eq!(any.backend().to_string(), H::NAME);
    any.ping().await.unwrap();
    let c = match any
        .submit_claim(claim("ANY-1", "i1", "p"), &portal("p"), NOW)
        .await
        .unwrap()
    {
        SubmitOutcome::Created(c) => c,
        other => panic!("{other:?}"),
    };
    assert_eq!(h.store().get_claim(c.id).await.unwrap(), c);
    assert_eq!(any.get_claim(c.id).await.unwrap(), c);
    let mut counts: HashMap<&str, usize> = HashMap::new();
    for e in all_audit(&any, None).await {
        *counts.entry(e.action.as_str()).or_default() += 1;
    }
    assert_eq!(counts.get("SUBMIT"), Some(&1));
    any.close().await;
    let err = h.store().get_claim(c.id).await.unwrap_err();
    assert_eq!(err.code(), "UNAVAILABLE", "closed pool: {err}");
}

/// Concurrent budget settings of a new year take turns: the audit rows form a chain (each
/// "before" is the previous "after") and exactly one has no "before".
pub async fn concurrent_budget_changes_chain_in_the_audit_log<H: Harness>(h: &H) {
    let s = h.store();
    let mut tasks = Vec::new();
    for i in 1..=12 {
        let s = s.clone();
        tasks.push(tokio::spawn(async move {
            s.set_budget(2030, yuan(&format!("{i}000")), &admin(), NOW)
                .await
        }));
    }
    for t in tasks {
        t.await.unwrap().unwrap();
    }
    let log = all_audit(s, None).await;
    assert_eq!(log.len(), 12);
    assert_eq!(log.iter().filter(|e| e.before_json.is_none()).count(), 1);
    assert_eq!(log[0].before_json, None);
    for w in log.windows(2) {
        assert_eq!(w[1].before_json, w[0].after_json, "audit chain broken");
    }
    let last_total = json(log[11].after_json.as_deref().unwrap())["total"].clone();
    let st = s.budget(2030).await.unwrap().unwrap();
    assert_eq!(serde_json::json!(st.total.to_string()), last_total);
}
