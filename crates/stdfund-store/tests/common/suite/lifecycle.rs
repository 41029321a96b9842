//! States and transitions: review, return and resubmit, withdraw, and every refusal.

use stdfund_store::{
    Actor, AuditAction, BatchDecision, ClaimState, ClaimStatus, Decision, Note, Resubmission,
    StoreError, SubmitOutcome,
};

use crate::common::{
    Harness, admin, approve, audit_of, created, filing, finance, later, now, payment, portal,
    record, reject, reviewer, send_back, split, today, ts, yuan,
};

fn invalid_state(err: &StoreError) -> (ClaimStatus, &'static str, Vec<ClaimStatus>) {
    match err {
        StoreError::InvalidState {
            actual,
            action,
            allowed,
            ..
        } => (*actual, action.as_str(), allowed.to_vec()),
        other => panic!("expected InvalidState, got {other:?}"),
    }
}

/// Approve, reject and return each set their state's data; the approval is frozen.
pub async fn review_sets_typed_states<H: Harness>(h: &H) {
    let s = h.store();
    s.set_budget(2026, "CITY", yuan("1000000"), &admin(), &now())
        .await
        .unwrap();
    let a = created(s, filing("ST-1", "i1", "p")).await;
    let r = created(s, filing("ST-2", "i2", "p")).await;
    let b = created(s, filing("ST-3", "i3", "p")).await;
    let approved = s
        .review(a.id, approve("100.01"), &reviewer(), &later())
        .await
        .unwrap();
    let ClaimState::Approved(ap) = &approved.state else {
        panic!("{:?}", approved.state)
    };
    assert_eq!((ap.by.as_str(), &ap.at), ("rev-1", &later()));
    assert_eq!(ap.amount, yuan("100.01"));
    assert_eq!(ap.split, split("100.01"));
    assert_eq!(
        ap.split.municipal.checked_add(ap.split.district),
        Some(ap.amount)
    );
    assert_eq!(ap.record_json, record("100.01"));
    assert_eq!(ap.reason, None);
    assert_eq!(approved.amount(), yuan("100.01"));
    assert_eq!(approved.updated_at, later());

    let rejected = s
        .review(r.id, reject("wrong unit"), &reviewer(), &later())
        .await
        .unwrap();
    let note = Note {
        by: "rev-1".into(),
        at: later(),
        reason: "wrong unit".into(),
    };
    assert_eq!(rejected.state, ClaimState::Rejected(note));
    let returned = s
        .review(
            b.id,
            send_back("attach the certificate"),
            &reviewer(),
            &later(),
        )
        .await
        .unwrap();
    assert!(
        matches!(&returned.state, ClaimState::Returned(n) if n.reason == "attach the certificate")
    );
    for (c, action) in [
        (a.id, AuditAction::Approve),
        (r.id, AuditAction::Reject),
        (b.id, AuditAction::Return),
    ] {
        let log = audit_of(s, Some(c)).await;
        assert_eq!(log.len(), 2);
        assert_eq!(log[1].action, action);
        assert_eq!(log[1].target, format!("claim:{c}"));
    }
    // The approval's audit entry carries the frozen record.
    let log = audit_of(s, Some(a.id)).await;
    assert!(log[1].after_json.as_deref().unwrap().contains("fz-2016"));
}

/// Only SUBMITTED claims are reviewed; refusals name the allowed states and change nothing.
pub async fn refused_transitions_change_nothing<H: Harness>(h: &H) {
    let s = h.store();
    s.set_budget(2026, "CITY", yuan("1000000"), &admin(), &now())
        .await
        .unwrap();
    let a = created(s, filing("SM-1", "i1", "p")).await;
    let r = created(s, filing("SM-2", "i2", "p")).await;
    let w = created(s, filing("SM-3", "i3", "p")).await;
    s.review(a.id, approve("100"), &reviewer(), &later())
        .await
        .unwrap();
    s.review(r.id, reject("no"), &reviewer(), &later())
        .await
        .unwrap();
    s.withdraw(w.id, None, &portal("p"), &later())
        .await
        .unwrap();
    let entries = audit_of(s, None).await.len();
    for id in [a.id, r.id, w.id] {
        for d in [approve("1"), reject("again"), send_back("again")] {
            let err = s.review(id, d, &reviewer(), &later()).await.unwrap_err();
            let (actual, action, allowed) = invalid_state(&err);
            assert_ne!(actual, ClaimStatus::Submitted);
            assert_eq!((action, allowed), ("review", vec![ClaimStatus::Submitted]));
            assert_eq!(err.code(), "INVALID_STATE");
        }
    }
    for id in [a.id, r.id, w.id] {
        let err = s
            .withdraw(id, None, &portal("p"), &later())
            .await
            .unwrap_err();
        let (_, action, allowed) = invalid_state(&err);
        assert_eq!(action, "withdraw");
        assert_eq!(allowed, vec![ClaimStatus::Submitted, ClaimStatus::Returned]);
        let err = s
            .resubmit(
                id,
                Resubmission {
                    filing: filing("SM-1", "i1", "p"),
                },
                &portal("p"),
                &later(),
            )
            .await
            .unwrap_err();
        assert_eq!(invalid_state(&err).2, vec![ClaimStatus::Returned]);
    }
    let err = s
        .disburse(
            r.id,
            payment("2026-03-05", "V-1", None),
            &finance(),
            &later(),
            today(),
        )
        .await
        .unwrap_err();
    assert_eq!(invalid_state(&err).1, "disburse");
    // Unknown claims.
    for err in [
        s.review(999_999, approve("1"), &reviewer(), &later())
            .await
            .unwrap_err(),
        s.withdraw(999_999, None, &admin(), &later())
            .await
            .unwrap_err(),
        s.disburse(
            999_999,
            payment("2026-03-05", "V-2", None),
            &finance(),
            &later(),
            today(),
        )
        .await
        .unwrap_err(),
    ] {
        assert_eq!(err.code(), "NOT_FOUND");
    }
    // Malformed decisions.
    let c = created(s, filing("SM-4", "i4", "p")).await;
    let mut unbalanced = approve("10");
    if let Decision::Approve { split, .. } = &mut unbalanced {
        split.district = yuan("6");
    }
    let zero = Decision::Approve {
        amount: yuan("0"),
        set_by_reviewer: true,
        split: split("0"),
        record_json: record("0"),
        reason: None,
        resubmissions: 0,
    };
    for bad in [reject("  "), send_back(""), unbalanced, zero] {
        let err = s
            .review(c.id, bad, &reviewer(), &later())
            .await
            .unwrap_err();
        assert_eq!(err.code(), "INVALID_ARGUMENT", "{err}");
    }
    assert_eq!(
        s.claim(c.id).await.unwrap().status(),
        ClaimStatus::Submitted
    );
    assert_eq!(
        audit_of(s, None).await.len(),
        entries + 1,
        "only c's SUBMIT"
    );
}

/// Return → resubmit: the claim keeps its id and key (held while returned), takes the new
/// filing, counts the resubmission, and the audit log keeps both filings.
pub async fn resubmit_keeps_history<H: Harness>(h: &H) {
    let s = h.store();
    let c = created(s, filing("RS-1", "i1", "portal-a")).await;
    s.review(
        c.id,
        send_back("wrong standard number"),
        &reviewer(),
        &later(),
    )
    .await
    .unwrap();
    // Returned claims hold their key.
    let blocked = s
        .submit(
            filing("RS-1", "other", "portal-b"),
            &portal("portal-b"),
            &now(),
        )
        .await
        .unwrap();
    assert!(
        matches!(blocked, SubmitOutcome::AlreadyGranted { existing_claim_id, .. } if existing_claim_id == c.id)
    );

    let mut fixed = filing("RS-2", "ignored-key", "portal-a");
    fixed.subject_as_given = "GB/T RS-2—2020".into();
    fixed.application_json = r#"{"fixed":true}"#.into();
    fixed.estimated_amount = yuan("200000");
    let t = ts("2026-03-05T03:00:00.000000Z");
    let again = s
        .resubmit(
            c.id,
            Resubmission {
                filing: fixed.clone(),
            },
            &portal("portal-a"),
            &t,
        )
        .await
        .unwrap();
    assert_eq!(again.id, c.id);
    assert_eq!(again.state, ClaimState::Submitted);
    assert_eq!(again.resubmissions, 1);
    assert_eq!(
        (again.created_at.clone(), again.updated_at.clone()),
        (now(), t)
    );
    assert_eq!(again.filing.one_time_key, "RS-2");
    assert_eq!(again.filing.application_json, r#"{"fixed":true}"#);
    assert_eq!(
        again.filing.idempotency_key, "i1",
        "the claim keeps its idempotency key"
    );
    // The old key is free, the new one held.
    created(s, filing("RS-1", "i9", "portal-c")).await;
    let log = audit_of(s, Some(c.id)).await;
    let actions: Vec<_> = log.iter().map(|e| e.action).collect();
    assert_eq!(
        actions,
        vec![
            AuditAction::Submit,
            AuditAction::Return,
            AuditAction::Resubmit
        ]
    );
    let before = log[2].before_json.as_deref().unwrap();
    let after = log[2].after_json.as_deref().unwrap();
    assert!(
        before.contains("RS-1") && before.contains("lines"),
        "{before}"
    );
    assert!(after.contains("RS-2") && after.contains("fixed"), "{after}");
    // The same submit request now finds the resubmitted claim.
    let same = s
        .submit(
            filing("RS-1", "i1", "portal-a"),
            &portal("portal-a"),
            &later(),
        )
        .await
        .unwrap();
    assert_eq!(same.claim().map(|x| x.id), Some(c.id));

    // An approval computed before the resubmission assesses the old
    // application: refused, nothing written (the seventh attack, F1); one
    // computed from the claim as it now stands is given.
    s.set_budget(2026, "CITY", yuan("1000000"), &admin(), &now())
        .await
        .unwrap();
    let err = s
        .review(c.id, approve("300000"), &reviewer(), &later())
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            StoreError::ClaimChanged {
                seen: 0,
                now: 1,
                ..
            }
        ),
        "{err:?}"
    );
    assert_eq!(err.code(), "CLAIM_CHANGED");
    // So are a rejection and a return decided on the old application, alone
    // or in a batch.
    for stale in [reject("old"), send_back("old")] {
        let err = s
            .review(c.id, stale, &reviewer(), &later())
            .await
            .unwrap_err();
        assert_eq!(err.code(), "CLAIM_CHANGED", "{err:?}");
    }
    let batch = BatchDecision::Reject {
        ids: vec![(c.id, 0)],
        reason: "old".into(),
    };
    let err = s
        .review_batch(batch, false, &reviewer(), &later())
        .await
        .unwrap_err();
    assert_eq!(err.code(), "CLAIM_CHANGED", "{err:?}");
    assert_eq!(s.claim(c.id).await.unwrap().state, ClaimState::Submitted);
    let mut current = approve("200000");
    if let Decision::Approve { resubmissions, .. } = &mut current {
        *resubmissions = 1;
    }
    let approved = s
        .review(c.id, current, &reviewer(), &later())
        .await
        .unwrap();
    assert_eq!(approved.status(), ClaimStatus::Approved);
}

/// Resubmission refusals: another submitter (NOT_FOUND), a changed credit code, a key another
/// live claim holds.
pub async fn resubmit_refusals<H: Harness>(h: &H) {
    let s = h.store();
    let holder = created(s, filing("RR-HELD", "i0", "portal-z")).await;
    let c = created(s, filing("RR-1", "i1", "portal-a")).await;
    s.review(c.id, send_back("fix"), &reviewer(), &later())
        .await
        .unwrap();
    let r = |f| Resubmission { filing: f };
    let err = s
        .resubmit(
            c.id,
            r(filing("RR-1", "i1", "portal-a")),
            &portal("portal-b"),
            &later(),
        )
        .await
        .unwrap_err();
    assert_eq!(err.code(), "NOT_FOUND");
    let mut other_code = filing("RR-1", "i1", "portal-a");
    other_code.credit_code = "91350100M000100Y44".into();
    let err = s
        .resubmit(c.id, r(other_code), &portal("portal-a"), &later())
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            StoreError::InvalidInput {
                field: "filing.credit_code",
                ..
            }
        ),
        "{err}"
    );
    let err = s
        .resubmit(
            c.id,
            r(filing("RR-HELD", "i1", "portal-a")),
            &portal("portal-a"),
            &later(),
        )
        .await
        .unwrap_err();
    // The holder, typed: the server answers ALREADY_GRANTED (or
    // CONFLICTS_WITH_LEAD) with it, as at submission.
    match &err {
        StoreError::KeyHeld { claim_id, key, .. } => {
            assert_eq!(*claim_id, holder.id);
            assert_eq!(*key, holder.filing.one_time_key);
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(err.code(), "ALREADY_GRANTED");
    // An admin may resubmit for the applicant.
    let ok = s
        .resubmit(
            c.id,
            r(filing("RR-1", "i1", "portal-a")),
            &admin(),
            &later(),
        )
        .await
        .unwrap();
    assert_eq!((ok.status(), ok.resubmissions), (ClaimStatus::Submitted, 1));
}

/// Withdrawal by the submitter frees the key; others are told the claim does not exist.
pub async fn withdraw_frees_the_key<H: Harness>(h: &H) {
    let s = h.store();
    let c = created(s, filing("WD-1", "i1", "portal-a")).await;
    let err = s
        .withdraw(c.id, None, &portal("portal-b"), &later())
        .await
        .unwrap_err();
    assert_eq!(
        err,
        StoreError::NotFound {
            what: "claim",
            id: c.id.to_string()
        }
    );
    let err = s
        .withdraw(c.id, None, &Actor::new("rev-2", "reviewer"), &later())
        .await
        .unwrap_err();
    assert_eq!(err.code(), "NOT_FOUND");
    let w = s
        .withdraw(
            c.id,
            Some("filed twice".into()),
            &portal("portal-a"),
            &later(),
        )
        .await
        .unwrap();
    assert_eq!(
        w.state,
        ClaimState::Withdrawn(Note {
            by: "portal-a".into(),
            at: later(),
            reason: "filed twice".into()
        })
    );
    let again = created(s, filing("WD-1", "i2", "portal-b")).await;
    assert!(again.id > c.id);
    // A returned claim can be withdrawn too, without a reason; an admin may do it.
    s.review(again.id, send_back("x"), &reviewer(), &later())
        .await
        .unwrap();
    let w = s
        .withdraw(again.id, None, &admin(), &later())
        .await
        .unwrap();
    assert!(matches!(&w.state, ClaimState::Withdrawn(n) if n.reason.is_empty() && n.by == "adm-1"));
    let log = audit_of(s, Some(again.id)).await;
    assert_eq!(log.last().map(|e| e.action), Some(AuditAction::Withdraw));
}

/// The held keys are those of live claims: submitted, returned, approved; a withdrawn or
/// rejected claim frees its key, and a new claim on it holds it again.
pub async fn held_keys_are_the_live_claims<H: Harness>(h: &H)
where
    stdfund_store::AnyStore: From<stdfund_store::Store<H::DB>>,
{
    let s = h.store();
    assert!(s.held_keys().await.unwrap().is_empty());
    let a = created(s, filing("HK-A", "ia", "portal-a")).await;
    let b = created(s, filing("HK-B", "ib", "portal-a")).await;
    let c = created(s, filing("HK-C", "ic", "portal-a")).await;
    let d = created(s, filing("HK-D", "id", "portal-a")).await;
    s.review(b.id, send_back("fix"), &reviewer(), &later())
        .await
        .unwrap();
    s.review(c.id, reject("no"), &reviewer(), &later())
        .await
        .unwrap();
    s.withdraw(d.id, None, &portal("portal-a"), &later())
        .await
        .unwrap();
    let held: Vec<String> = s.held_keys().await.unwrap().into_iter().collect();
    assert_eq!(held, ["HK-A", "HK-B"]);
    assert_eq!(a.filing.one_time_key, "HK-A");
    created(s, filing("HK-C", "ic2", "portal-b")).await;
    let any = stdfund_store::AnyStore::from(s.clone());
    let held: Vec<String> = any.held_keys().await.unwrap().into_iter().collect();
    assert_eq!(held, ["HK-A", "HK-B", "HK-C"]);
}
