//! Submission: read-back, validation, idempotency, the one-time rule under concurrency and
//! as a database constraint.

use std::collections::BTreeSet;

use stdfund_store::{AnyStore, ClaimQuery, ClaimState, ClaimStatus, StoreError, SubmitOutcome};

use crate::common::{
    Harness, all_claims, audit_of, created, filing, later, now, portal, reject, reviewer, yuan,
};

/// A submitted claim reads back field for field; bad input is refused before any write.
pub async fn submit_and_read_back<H: Harness>(h: &H) {
    let s = h.store();
    let mut new = filing("GB-T-1", "idem-1", "portal-a");
    new.credit_code_confirmed = true;
    new.estimated_amount = yuan("1234.5");
    new.discretionary = true;
    let c = created(s, new.clone()).await;
    assert!(c.id > 0);
    assert_eq!(c.filing, new, "the filing reads back as filed");
    assert_eq!(c.state, ClaimState::Submitted);
    assert_eq!(c.status(), ClaimStatus::Submitted);
    assert_eq!(c.filing.estimated_amount.to_string(), "1234.50");
    assert_eq!((c.created_at.clone(), c.updated_at.clone()), (now(), now()));
    assert_eq!(
        (c.resubmissions, c.paid, c.attachment_count),
        (0, yuan("0"), 0)
    );
    assert!(c.payments.is_empty() && c.approval().is_none());
    assert_eq!(c.amount(), yuan("1234.50"));
    assert_eq!(s.claim(c.id).await.unwrap(), c);
    assert_eq!(s.claim(c.id + 1000).await.unwrap_err().code(), "NOT_FOUND");
    // Payloads are opaque: not JSON is fine, and bytes come back exactly.
    let mut odd = filing("GB-T-9", "idem-9", "portal-a");
    odd.application_json = "not json, 原样 \u{1F600}  ".into();
    let back = created(s, odd.clone()).await;
    assert_eq!(back.filing.application_json, odd.application_json);
}

/// Malformed filings are refused with INVALID_ARGUMENT and nothing is stored.
pub async fn bad_filings_are_refused<H: Harness>(h: &H) {
    let s = h.store();
    let base = || filing("GB-T-2", "idem-2", "portal-a");
    let bad: Vec<(&str, stdfund_store::Filing)> = vec![
        ("lower-case credit code", {
            let mut b = base();
            b.credit_code = b.credit_code.to_lowercase();
            b
        }),
        ("short credit code", {
            let mut b = base();
            b.credit_code = "91350100".into();
            b
        }),
        ("blank key", {
            let mut b = base();
            b.one_time_key = " ".into();
            b
        }),
        ("year before 2016", {
            let mut b = base();
            b.year = 2015;
            b
        }),
        ("NUL in a payload", {
            let mut b = base();
            b.estimate_json = "{\0}".into();
            b
        }),
        ("empty unit", {
            let mut b = base();
            b.unit_name = String::new();
            b
        }),
    ];
    for (why, b) in bad {
        let err = s.submit(b, &portal("portal-a"), &now()).await.unwrap_err();
        assert_eq!(err.code(), "INVALID_ARGUMENT", "{why}: {err}");
    }
    let err = s.submit(base(), &portal(" "), &now()).await.unwrap_err();
    assert_eq!(err.code(), "INVALID_ARGUMENT");
    assert!(all_claims(s, &ClaimQuery::default()).await.is_empty());
    assert!(audit_of(s, None).await.is_empty());
}

/// The same idempotency key and request returns the same claim; another request under the
/// key is IDEMPOTENCY_KEY_REUSED; another submitter is independent.
pub async fn idempotent_submit<H: Harness>(h: &H) {
    let s = h.store();
    let first = created(s, filing("GB-T-10", "idem-x", "portal-a")).await;
    let again = s
        .submit(
            filing("GB-T-10", "idem-x", "portal-a"),
            &portal("portal-a"),
            &later(),
        )
        .await
        .unwrap();
    assert_eq!(again, SubmitOutcome::Existing(first.clone()));
    assert_eq!(again.code(), "EXISTING");

    // A different answer (e.g. after a ruleset update) is still the same request.
    let mut re_estimated = filing("GB-T-10", "idem-x", "portal-a");
    re_estimated.estimate_json = r#"{"payable":"1.00"}"#.into();
    re_estimated.estimated_amount = yuan("1");
    let again = s
        .submit(re_estimated, &portal("portal-a"), &later())
        .await
        .unwrap();
    assert_eq!(again.claim().map(|c| c.id), Some(first.id));

    let err = s
        .submit(
            filing("GB-T-11", "idem-x", "portal-a"),
            &portal("portal-a"),
            &now(),
        )
        .await
        .unwrap_err();
    assert_eq!(
        err,
        StoreError::IdempotencyKeyReused {
            key: "idem-x".into(),
            claim_id: first.id
        }
    );
    assert_eq!(err.code(), "IDEMPOTENCY_KEY_REUSED");

    let other = created(s, filing("GB-T-12", "idem-x", "portal-b")).await;
    assert_ne!(other.id, first.id);

    // Existing returns the claim as it is now.
    s.review(first.id, reject("incomplete"), &reviewer(), &later())
        .await
        .unwrap();
    match s
        .submit(
            filing("GB-T-10", "idem-x", "portal-a"),
            &portal("portal-a"),
            &later(),
        )
        .await
        .unwrap()
    {
        SubmitOutcome::Existing(c) => assert_eq!(c.status(), ClaimStatus::Rejected),
        other => panic!("expected Existing, got {other:?}"),
    }
}

/// 20 concurrent twins (same submitter, key and request): one claim, one SUBMIT entry.
pub async fn idempotent_twins_race<H: Harness>(h: &H) {
    let s = h.store();
    let mut tasks = Vec::new();
    for _ in 0..20 {
        let s = s.clone();
        tasks.push(tokio::spawn(async move {
            s.submit(
                filing("GB-T-13", "idem-race", "portal-c"),
                &portal("portal-c"),
                &now(),
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
    assert_eq!((created_count, ids.len()), (1, 1));
    assert_eq!(audit_of(s, ids.first().copied()).await.len(), 1);
}

/// 200 concurrent submissions of one one-time key under different idempotency keys: exactly
/// one claim, 199 ALREADY_GRANTED naming it and its item.
pub async fn one_time_rule_under_200_concurrent_submits<H: Harness>(h: &H) {
    let s = h.store();
    let mut tasks = Vec::new();
    for i in 0..200 {
        let s = s.clone();
        tasks.push(tokio::spawn(async move {
            let submitter = format!("portal-{}", i % 7);
            s.submit(
                filing("GB-T-200", &format!("idem-{i}"), &submitter),
                &portal(&submitter),
                &now(),
            )
            .await
        }));
    }
    let mut created_ids = Vec::new();
    let mut granted_to = Vec::new();
    for t in tasks {
        match t.await.unwrap() {
            Ok(SubmitOutcome::Created(c)) => created_ids.push(c.id),
            Ok(SubmitOutcome::AlreadyGranted {
                existing_claim_id,
                existing_item,
            }) => {
                assert_eq!(existing_item, "NATIONAL_STANDARD");
                granted_to.push(existing_claim_id);
            }
            other => panic!("unexpected {other:?}"),
        }
    }
    assert_eq!((created_ids.len(), granted_to.len()), (1, 199));
    assert!(granted_to.iter().all(|id| *id == created_ids[0]));
    assert_eq!(all_claims(s, &ClaimQuery::default()).await.len(), 1);
    assert_eq!(audit_of(s, None).await.len(), 1);
}

/// The key groups what the server says belongs together: a participant's claim with the
/// lead's key is ALREADY_GRANTED naming the lead's item.
pub async fn one_time_key_groups_lead_and_participant<H: Harness>(h: &H) {
    let s = h.store();
    let mut lead = filing("GROUP-1", "i-lead", "portal-a");
    lead.item = "NATIONAL_STANDARD".into();
    lead.variant = "LEAD".into();
    let lead = created(s, lead).await;
    let mut participant = filing("GROUP-1", "i-part", "portal-b");
    participant.variant = "PARTICIPANT".into();
    participant.item = "NATIONAL_STANDARD_PARTICIPANT".into();
    let out = s
        .submit(participant.clone(), &portal("portal-b"), &now())
        .await
        .unwrap();
    assert_eq!(
        out,
        SubmitOutcome::AlreadyGranted {
            existing_claim_id: lead.id,
            existing_item: "NATIONAL_STANDARD".into()
        }
    );
    assert_eq!(out.code(), "ALREADY_GRANTED");
    // Once the lead's claim is rejected, the participant's claim takes the key.
    s.review(lead.id, reject("not the lead"), &reviewer(), &later())
        .await
        .unwrap();
    let c = created(s, participant).await;
    assert_eq!(c.filing.variant, "PARTICIPANT");
}

/// The one-time rule is the database's: a row inserted behind the store's back is refused
/// while a live claim (also a RETURNED one) holds the key, and accepted once it is rejected.
pub async fn one_time_rule_is_a_database_constraint<H: Harness>(h: &H) {
    let s = h.store();
    let c = created(s, filing("RAW-1", "idem-raw", "portal-a")).await;
    s.review(
        c.id,
        crate::common::send_back("fix it"),
        &reviewer(),
        &later(),
    )
    .await
    .unwrap();
    const COPY: &str = "INSERT INTO claims (idempotency_key, submitted_by, request_hash, \
        credit_code, credit_code_confirmed, unit_name, unit_name_folded, seat, fiscal_unit, \
        item, variant, clause, subject, subject_as_given, one_time_key, achievement_date, \
        year, estimated_amount_fen, discretionary, application_json, estimate_json, status, \
        created_at, updated_at) \
        SELECT 'raw-copy', submitted_by, request_hash, credit_code, credit_code_confirmed, \
        unit_name, unit_name_folded, seat, fiscal_unit, item, variant, clause, subject, \
        subject_as_given, one_time_key, achievement_date, year, estimated_amount_fen, \
        discretionary, application_json, estimate_json, 'SUBMITTED', created_at, updated_at \
        FROM claims WHERE idempotency_key = 'idem-raw'";
    let err = h.raw(COPY).await.unwrap_err();
    assert!(err.to_lowercase().contains("unique"), "{err}");
    s.withdraw(
        c.id,
        Some("changed my mind".into()),
        &portal("portal-a"),
        &later(),
    )
    .await
    .unwrap();
    assert_eq!(h.raw(COPY).await, Ok(1));
    match s
        .submit(
            filing("RAW-1", "idem-raw-2", "portal-b"),
            &portal("portal-b"),
            &now(),
        )
        .await
        .unwrap()
    {
        SubmitOutcome::AlreadyGranted {
            existing_claim_id, ..
        } => assert_ne!(existing_claim_id, c.id),
        other => panic!("expected AlreadyGranted, got {other:?}"),
    }
    let err = h.raw("DELETE FROM claims").await.unwrap_err();
    assert!(
        err.contains("never deleted") || err.contains("append-only"),
        "{err}"
    );
}

/// `AnyStore` delegates to the store it wraps.
pub async fn any_store_delegates<H: Harness>(h: &H)
where
    AnyStore: From<stdfund_store::Store<H::DB>>,
{
    let any = AnyStore::from(h.store().clone());
    assert_eq!(any.backend().as_str(), H::NAME);
    assert!(any.health().await.is_serving());
    let c = match any
        .submit(filing("ANY-1", "i1", "p"), &portal("p"), &now())
        .await
        .unwrap()
    {
        SubmitOutcome::Created(c) => c,
        other => panic!("{other:?}"),
    };
    assert_eq!(h.store().claim(c.id).await.unwrap(), c);
    assert_eq!(any.claim(c.id).await.unwrap(), c);
    assert!(any.verify_audit().await.unwrap().is_intact());
    any.close().await;
    let err = h.store().claim(c.id).await.unwrap_err();
    assert_eq!(err.code(), "UNAVAILABLE", "closed pool: {err}");
}
