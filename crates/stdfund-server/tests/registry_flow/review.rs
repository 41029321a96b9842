//! ReviewClaim: approval recomputes the line and freezes amount, split and
//! assessment; a discretionary line needs the reviewer's amount and reason;
//! rejection needs a reason and frees the one-time key; a claim returned for
//! correction is resubmitted as the same claim; a withdrawal frees the key.

use crate::registry_support::{self as s, Ach, Env};
use stdfund_proto::pb;
use stdfund_proto::pb::ReviewDecision::{Reject, Return};
use tonic::Code;

on_both_backends! {
    approval_freezes_amount_split_and_assessment = 10;
    discretionary_approval_needs_amount_and_reason = 11;
    rejection_needs_a_reason_and_frees_the_key = 12;
    a_returned_claim_is_corrected_and_resubmitted = 13;
    withdrawal_frees_the_one_time_key = 14;
    a_correction_cannot_take_a_key_another_claim_holds = 15;
    one_person_does_not_hold_two_duties_on_one_claim = 66;
    a_decision_lands_only_on_the_application_the_reviewer_read = 67;
}

/// A reviewer decides on the claim as they read it (`seen_resubmissions`):
/// returned by another official and resubmitted with another standard in
/// the meantime, the claim is refused to their approval, rejection or
/// return and to their batch (`ABORTED` `CLAIM_CHANGED`, nothing written);
/// decided on what it now holds, it goes through.
async fn a_decision_lands_only_on_the_application_the_reviewer_read(env: Env) {
    env.set_budget("CITY", "1000000.00").await;
    let read = env
        .submit("stale", &env.code(1), &Ach::lead("GB/T 67001-2021"))
        .await;
    assert_eq!(read.resubmissions, 0);
    env.admin()
        .review_claim(s::decide(read.claim_id, Return, "请更正标准号"))
        .await
        .unwrap();
    env.portal()
        .resubmit_claim(pb::ResubmitClaimRequest {
            claim_id: read.claim_id,
            application: Some(s::application(&env.code(1), &Ach::lead("GB/T 67002-2021"))),
            confirm_credit_code: false,
        })
        .await
        .unwrap();
    let changed = |e: &tonic::Status| {
        let meta = s::expect_error(e, Code::Aborted, "CLAIM_CHANGED");
        assert_eq!(meta["claimId"], read.claim_id.to_string(), "{meta:?}");
        assert!(meta["messageZh"].contains("重新提交"), "{meta:?}");
    };
    for (decision, reason) in [
        (pb::ReviewDecision::Approve, ""),
        (Reject, "不符合条件"),
        (Return, "请补充材料"),
    ] {
        let e = env
            .reviewer()
            .review_claim(pb::ReviewClaimRequest {
                seen_resubmissions: Some(0),
                ..s::decide(read.claim_id, decision, reason)
            })
            .await
            .unwrap_err();
        changed(&e);
    }
    let e = env
        .reviewer()
        .review_claims(pb::ReviewClaimsRequest {
            claim_ids: vec![read.claim_id],
            decision: Reject.into(),
            reason: "不符合条件".into(),
            seen_resubmissions: vec![0],
            ..Default::default()
        })
        .await
        .unwrap_err();
    changed(&e);
    // One count per claim, none negative.
    let other = env
        .submit("fresh", &env.code(2), &Ach::lead("GB/T 67003-2021"))
        .await;
    for seen in [vec![1], vec![1, 0, 0], vec![1, -1]] {
        let e = env
            .reviewer()
            .review_claims(pb::ReviewClaimsRequest {
                claim_ids: vec![read.claim_id, other.claim_id],
                decision: pb::ReviewDecision::Approve.into(),
                seen_resubmissions: seen.clone(),
                ..Default::default()
            })
            .await
            .unwrap_err();
        let meta = s::expect_error(&e, Code::InvalidArgument, "INVALID_ARGUMENT");
        assert_eq!(meta["field"], "seen_resubmissions", "{seen:?} {meta:?}");
    }
    let e = env
        .reviewer()
        .review_claim(pb::ReviewClaimRequest {
            seen_resubmissions: Some(-1),
            ..s::approve(read.claim_id)
        })
        .await
        .unwrap_err();
    s::expect_error(&e, Code::InvalidArgument, "INVALID_ARGUMENT");
    // A count the claim never had is not called a resubmission.
    let e = env
        .reviewer()
        .review_claim(pb::ReviewClaimRequest {
            seen_resubmissions: Some(5),
            ..s::approve(read.claim_id)
        })
        .await
        .unwrap_err();
    let meta = s::expect_error(&e, Code::Aborted, "CLAIM_CHANGED");
    assert!(meta["messageZh"].contains("并不存在"), "{meta:?}");
    // Nothing was decided.
    let now = env.claim(read.claim_id).await;
    assert_eq!(now.status, pb::ClaimStatus::Submitted as i32);
    assert_eq!(now.resubmissions, 1);
    assert!(now.review.is_none(), "{now:?}");
    // Decided on what it now holds, the batch goes through.
    let out = env
        .reviewer()
        .review_claims(pb::ReviewClaimsRequest {
            claim_ids: vec![read.claim_id, other.claim_id],
            decision: pb::ReviewDecision::Approve.into(),
            seen_resubmissions: vec![1, 0],
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(out.count, 2);
    let approved = env.claim(read.claim_id).await;
    assert_eq!(approved.status, pb::ClaimStatus::Approved as i32);
    assert_eq!(approved.subject, "GB/T 67002-2021");
}

/// Separation of duties (不相容职务分离): an admin who submitted a claim
/// cannot approve, reject or return it, alone or in a batch; an admin who
/// approved a claim cannot record its payment; another person can. Nothing
/// changes on a refusal (the sixth attack: one admin token submitted,
/// approved and paid one claim alone).
async fn one_person_does_not_hold_two_duties_on_one_claim(env: Env) {
    env.set_budget("CITY", "1000000.00").await;
    let own = env
        .admin()
        .submit_claim(env.submit_req(
            "own",
            s::application(&env.code(1), &Ach::lead("GB/T 66001-2021")),
        ))
        .await
        .unwrap()
        .into_inner()
        .claim
        .unwrap();
    let refused = |e: &tonic::Status| {
        let meta = s::expect_error(e, Code::FailedPrecondition, "SEPARATION_OF_DUTIES");
        assert_eq!(meta["actor"], "admin-chen", "{meta:?}");
        assert!(meta["messageZh"].contains("不相容职务分离"), "{meta:?}");
    };
    let e = env
        .admin()
        .review_claim(s::approve(own.claim_id))
        .await
        .unwrap_err();
    refused(&e);
    let e = env
        .admin()
        .review_claim(pb::ReviewClaimRequest {
            claim_id: own.claim_id,
            decision: pb::ReviewDecision::Reject.into(),
            reason: "重复".into(),
            ..Default::default()
        })
        .await
        .unwrap_err();
    refused(&e);
    let other = env
        .submit("other", &env.code(2), &Ach::lead("GB/T 66002-2021"))
        .await;
    let e = env
        .admin()
        .review_claims(pb::ReviewClaimsRequest {
            claim_ids: vec![other.claim_id, own.claim_id],
            decision: pb::ReviewDecision::Approve.into(),
            ..Default::default()
        })
        .await
        .unwrap_err();
    refused(&e);
    // Nothing was decided.
    for id in [own.claim_id, other.claim_id] {
        let c = env.claim(id).await;
        assert_eq!(c.status, pb::ClaimStatus::Submitted as i32, "{id}");
    }
    // Another person reviews it.
    env.approve(own.claim_id).await;
    // The admin approves the gateway's claim, and cannot pay it.
    let approved = env
        .admin()
        .review_claim(s::approve(other.claim_id))
        .await
        .unwrap()
        .into_inner()
        .claim
        .unwrap();
    assert_eq!(approved.status, pb::ClaimStatus::Approved as i32);
    let e = env
        .admin()
        .record_disbursement(pb::RecordDisbursementRequest {
            claim_id: other.claim_id,
            payment_date: s::day(0),
            voucher_number: env.key("SOD-1"),
            amount: String::new(),
            payer: String::new(),
        })
        .await
        .unwrap_err();
    refused(&e);
    assert_eq!(env.claim(other.claim_id).await.paid_amount, "0.00");
    // Finance pays it; the admin pays the claim the reviewer approved.
    env.pay(other.claim_id, &env.key("SOD-2"), "").await;
    env.admin()
        .record_disbursement(pb::RecordDisbursementRequest {
            claim_id: own.claim_id,
            payment_date: s::day(0),
            voucher_number: env.key("SOD-3"),
            amount: String::new(),
            payer: String::new(),
        })
        .await
        .unwrap();

    // An admin who resubmits the gateway's returned claim with an
    // application of their own is its submitter now (the seventh attack, F3).
    let third = env
        .submit("third", &env.code(3), &Ach::lead("GB/T 66003-2021"))
        .await;
    env.decide(third.claim_id, pb::ReviewDecision::Return, "请更正")
        .await;
    env.admin()
        .resubmit_claim(pb::ResubmitClaimRequest {
            claim_id: third.claim_id,
            application: Some(s::application(&env.code(3), &Ach::lead("GB/T 66004-2021"))),
            confirm_credit_code: false,
        })
        .await
        .unwrap();
    let e = env
        .admin()
        .review_claim(s::approve(third.claim_id))
        .await
        .unwrap_err();
    refused(&e);
    assert!(e.message().contains("resubmitted by admin-chen"), "{e:?}");
    env.approve(third.claim_id).await;
}

async fn approval_freezes_amount_split_and_assessment(env: Env) {
    env.set_budget("CITY", "1000000.00").await;
    let c = env
        .submit("lead", &env.code(1), &Ach::lead("GB/T 12345-2020"))
        .await;
    let e = env
        .reviewer()
        .review_claim(pb::ReviewClaimRequest {
            reviewer_amount: "1.00".into(),
            ..s::approve(c.claim_id)
        })
        .await
        .unwrap_err();
    let m = s::expect_error(&e, Code::InvalidArgument, "REVIEWER_AMOUNT_NOT_ALLOWED");
    assert_eq!(m["field"], "reviewer_amount");

    let a = env.approve(c.claim_id).await;
    assert_eq!(a.status, pb::ClaimStatus::Approved as i32);
    assert_eq!(a.estimate, c.estimate, "the submission's estimate is kept");
    let review = a.review.clone().unwrap();
    assert_eq!(review.decision, pb::ReviewDecision::Approve as i32);
    assert_eq!(review.reviewed_by, "reviewer-li");
    assert!(review.reviewed_at.is_some());
    assert_eq!(review.approved_amount, "300000.00");
    assert!(!review.amount_set_by_reviewer);
    let frozen = review.approval_assessment.clone().unwrap();
    assert_eq!(frozen.total, "300000.00");
    let receipt = frozen.receipt.unwrap();
    assert!(receipt.input_hash.starts_with("sha256:"));
    assert_eq!(receipt.rulesets[0].id, "fz-2016");
    let split = review.approved_split.clone().unwrap();
    assert_eq!(split.fiscal_unit, "350102");
    assert_eq!(
        (
            split.municipal_share.as_str(),
            split.district_share.as_str()
        ),
        ("150000.00", "150000.00")
    );
    let table = &split.share_tables[0];
    assert_eq!(
        (table.id.as_str(), table.district_ratio.as_str()),
        ("fz-share-provisional", "0.50")
    );
    assert!(table.provisional && !table.note_zh.is_empty());

    // Read back later, by anyone allowed: the same frozen review.
    let read = env
        .finance()
        .get_claim(pb::GetClaimRequest {
            claim_id: c.claim_id,
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner()
        .claim
        .unwrap();
    assert_eq!(read.review, Some(review.clone()));
    let summary = env
        .reviewer()
        .get_claim(pb::GetClaimRequest {
            claim_id: c.claim_id,
            view: pb::ClaimView::Summary as i32,
        })
        .await
        .unwrap()
        .into_inner()
        .claim
        .unwrap();
    assert!(summary.application.is_none() && summary.estimate.is_none());
    let sr = summary.review.unwrap();
    assert!(sr.approval_assessment.is_none());
    assert_eq!(
        (sr.approved_amount, sr.approved_split),
        (review.approved_amount, review.approved_split)
    );
    // The audit entry holds what was frozen.
    let h = env.history(c.claim_id).await;
    let after: serde_json::Value = serde_json::from_str(&h[1].after_json).unwrap();
    assert_eq!(after["approval"]["amount"], "300000.00");
    assert_eq!(after["approval"]["split"]["district"], "150000.00");
    assert!(
        after["approval"]["record_json"]
            .as_str()
            .unwrap()
            .contains("\"total\":\"300000.00\"")
    );

    // 市本级 (350100): its 0 district share is decided, not provisional
    // (D24); the approved split says so, with the entry's own note, as the
    // estimate does.
    let city = env
        .submit_at(
            "city",
            &env.code(2),
            "350100",
            &Ach::lead("GB/T 22345-2020"),
        )
        .await;
    let estimated = city
        .estimate
        .as_ref()
        .unwrap()
        .split
        .as_ref()
        .unwrap()
        .share_tables[0]
        .clone();
    assert!(!estimated.provisional, "{estimated:?}");
    let approved = env.approve(city.claim_id).await;
    let split = approved.review.unwrap().approved_split.unwrap();
    assert_eq!(
        (split.fiscal_unit.as_str(), split.district_share.as_str()),
        ("350100", "0.00")
    );
    let t = &split.share_tables[0];
    assert!(!t.provisional, "{t:?}");
    assert_eq!(
        (t.note_zh.as_str(), t.note_en.as_str()),
        (estimated.note_zh.as_str(), estimated.note_en.as_str())
    );

    // Approving twice, an unknown claim, no decision.
    let e = env
        .reviewer()
        .review_claim(s::approve(c.claim_id))
        .await
        .unwrap_err();
    let m = s::expect_error(&e, Code::FailedPrecondition, "INVALID_STATE");
    assert_eq!(
        (m["status"].as_str(), m["expectedStatus"].as_str()),
        ("APPROVED", "SUBMITTED")
    );
    let e = env
        .reviewer()
        .review_claim(s::approve(i64::MAX))
        .await
        .unwrap_err();
    s::expect_error(&e, Code::NotFound, "NOT_FOUND");
    let e = env
        .reviewer()
        .review_claim(pb::ReviewClaimRequest {
            claim_id: c.claim_id,
            ..Default::default()
        })
        .await
        .unwrap_err();
    s::expect_error(&e, Code::InvalidArgument, "INVALID_ENUM_VALUE");
    // Both approvals: 300,000.00 of the district unit's, 300,000.00 of 市本级.
    let b = env.budget("CITY").await;
    assert_eq!(
        (b.used.as_str(), b.left.as_str()),
        ("600000.00", "400000.00")
    );
}

async fn discretionary_approval_needs_amount_and_reason(env: Env) {
    env.set_budget("CITY", "1000000.00").await;
    let r = env
        .admin()
        .submit_claim(env.submit_req(
            "wto",
            s::application(&env.code(1), &Ach::discretionary("TBT预警-2020-01")),
        ))
        .await
        .unwrap()
        .into_inner();
    let c = r.claim.unwrap();
    assert_eq!(
        (
            c.estimated_amount.as_str(),
            c.discretionary,
            c.clause.as_str()
        ),
        ("0.00", true, "五(五)9")
    );
    assert_eq!(c.submitted_by, "admin-chen");
    let id = c.claim_id;
    let e = env
        .reviewer()
        .review_claim(s::approve(id))
        .await
        .unwrap_err();
    let m = s::expect_error(&e, Code::InvalidArgument, "MISSING_FIELD");
    assert_eq!(m["field"], "reviewer_amount");
    let e = env
        .reviewer()
        .review_claim(pb::ReviewClaimRequest {
            reviewer_amount: "50000.00".into(),
            ..s::approve(id)
        })
        .await
        .unwrap_err();
    let m = s::expect_error(&e, Code::InvalidArgument, "MISSING_FIELD");
    assert_eq!(m["field"], "reason");
    // A reason that shows nothing is no reason (B17).
    for invisible in [
        "\u{200B}",
        "\u{00AD}",
        "\u{2060}",
        "\u{FEFF}",
        "\u{200D}\u{200C}",
        "\u{FE0F}",
    ] {
        let e = env
            .reviewer()
            .review_claim(pb::ReviewClaimRequest {
                reviewer_amount: "50000.00".into(),
                reason: invisible.into(),
                ..s::approve(id)
            })
            .await
            .unwrap_err();
        let m = s::expect_error(&e, Code::InvalidArgument, "MISSING_FIELD");
        assert_eq!(m["field"], "reason", "{invisible:?}");
    }
    for bad in ["0.00", "-5", "1.234", "五万", "1e5"] {
        let e = env
            .reviewer()
            .review_claim(pb::ReviewClaimRequest {
                reviewer_amount: bad.into(),
                reason: "x".into(),
                ..s::approve(id)
            })
            .await
            .unwrap_err();
        let m = s::expect_error(&e, Code::InvalidArgument, "INVALID_AMOUNT");
        assert_eq!(m["field"], "reviewer_amount", "{bad}");
    }
    assert_eq!(
        env.claim(id).await.status,
        pb::ClaimStatus::Submitted as i32
    );

    let a = env.approve_at(id, "50000.01").await;
    let review = a.review.unwrap();
    assert_eq!(review.approved_amount, "50000.01");
    assert!(review.amount_set_by_reviewer);
    assert_eq!(review.reason, "按评审会议纪要核定");
    // 50000.01 × 0.50 = 25000.005 → 25000.01 (half up); the rest is municipal.
    let split = review.approved_split.unwrap();
    assert_eq!(
        (
            split.municipal_share.as_str(),
            split.district_share.as_str()
        ),
        ("25000.00", "25000.01")
    );
    let line = &review.approval_assessment.unwrap().lines[0];
    assert_eq!(line.status, pb::LineStatus::Discretionary as i32);
    assert_eq!(env.budget("CITY").await.used, "50000.01");
}

async fn rejection_needs_a_reason_and_frees_the_key(env: Env) {
    let ach = Ach::lead("GB/T 300-2020");
    let c = env.submit("first", &env.code(1), &ach).await;
    for nothing in ["", "\u{200B}", "\u{2060}\u{00AD}"] {
        let e = env
            .reviewer()
            .review_claim(s::decide(c.claim_id, Reject, nothing))
            .await
            .unwrap_err();
        let m = s::expect_error(&e, Code::InvalidArgument, "MISSING_FIELD");
        assert_eq!(m["field"], "reason", "{nothing:?}");
    }
    let e = env
        .reviewer()
        .review_claim(pb::ReviewClaimRequest {
            reviewer_amount: "1.00".into(),
            ..s::decide(c.claim_id, Reject, "材料不全")
        })
        .await
        .unwrap_err();
    s::expect_error(&e, Code::InvalidArgument, "REVIEWER_AMOUNT_NOT_ALLOWED");
    let e = env
        .reviewer()
        .review_claim(s::decide(c.claim_id, Reject, &"长".repeat(501)))
        .await
        .unwrap_err();
    s::expect_error(&e, Code::InvalidArgument, "FIELD_TOO_LONG");

    let r = env.decide(c.claim_id, Reject, "标准文本与申报不符").await;
    assert_eq!(r.status, pb::ClaimStatus::Rejected as i32);
    let review = r.review.unwrap();
    assert_eq!(review.decision, Reject as i32);
    assert_eq!(
        (review.reason.as_str(), review.reviewed_by.as_str()),
        ("标准文本与申报不符", "reviewer-li")
    );
    assert!(review.approved_amount.is_empty() && review.approved_split.is_none());
    let note = r.note.unwrap();
    assert_eq!(
        (note.by.as_str(), note.reason.as_str()),
        ("reviewer-li", "标准文本与申报不符")
    );
    let e = env
        .reviewer()
        .review_claim(s::decide(c.claim_id, Reject, "again"))
        .await
        .unwrap_err();
    let m = s::expect_error(&e, Code::FailedPrecondition, "INVALID_STATE");
    assert_eq!(m["status"], "REJECTED");

    // The key is free again: the achievement can be claimed anew.
    let anew = env.submit("second", &env.code(1), &ach).await;
    assert_ne!(anew.claim_id, c.claim_id);
    assert_eq!(anew.one_time_key, c.one_time_key);
    let h = env.history(c.claim_id).await;
    assert_eq!(
        s::trail(&h),
        [
            (
                pb::AuditAction::Submit,
                "gateway".into(),
                pb::AccessRole::Portal
            ),
            (
                pb::AuditAction::Reject,
                "reviewer-li".into(),
                pb::AccessRole::Reviewer
            ),
        ]
    );
}

async fn a_returned_claim_is_corrected_and_resubmitted(env: Env) {
    env.set_budget("CITY", "1000000.00").await;
    let code = env.code(1);
    let wrong = Ach::new("STANDARD_LEAD", "INDUSTRY", "JB/T 777-2020", "2020-05-01");
    let c = env.submit("draft", &code, &wrong).await;
    assert_eq!(c.estimated_amount, "200000.00");
    let e = env
        .reviewer()
        .review_claim(s::decide(c.claim_id, Return, " "))
        .await
        .unwrap_err();
    s::expect_error(&e, Code::InvalidArgument, "MISSING_FIELD");
    let r = env
        .decide(c.claim_id, Return, "标准号有误,请核对后补正")
        .await;
    assert_eq!(r.status, pb::ClaimStatus::Returned as i32);
    assert_eq!(r.review.unwrap().decision, Return as i32);
    assert_eq!(r.note.unwrap().reason, "标准号有误,请核对后补正");
    let e = env
        .reviewer()
        .review_claim(s::approve(c.claim_id))
        .await
        .unwrap_err();
    let m = s::expect_error(&e, Code::FailedPrecondition, "INVALID_STATE");
    assert_eq!(m["status"], "RETURNED");

    let fixed = Ach::lead("GB/T 777-2020");
    let resubmit = |app: pb::EstimateRequest| pb::ResubmitClaimRequest {
        claim_id: c.claim_id,
        application: Some(app),
        confirm_credit_code: false,
    };
    let e = env
        .portal()
        .resubmit_claim(resubmit(s::application(&env.code(2), &fixed)))
        .await
        .unwrap_err();
    let m = s::expect_error(&e, Code::InvalidArgument, "CREDIT_CODE_CHANGED");
    assert_eq!(m["field"], "application.applicant.credit_code");
    let mut two = s::application(&code, &fixed);
    two.achievements.push(two.achievements[0].clone());
    let e = env
        .portal()
        .resubmit_claim(resubmit(two))
        .await
        .unwrap_err();
    s::expect_error(&e, Code::InvalidArgument, "CLAIM_NEEDS_ONE_ACHIEVEMENT");

    let again = env
        .portal()
        .resubmit_claim(resubmit(s::application(&code, &fixed)))
        .await
        .unwrap()
        .into_inner()
        .claim
        .unwrap();
    assert_eq!(again.claim_id, c.claim_id, "the same claim");
    assert_eq!(again.status, pb::ClaimStatus::Submitted as i32);
    assert_eq!(again.resubmissions, 1);
    assert_eq!(again.idempotency_key, c.idempotency_key);
    assert_eq!(again.submitted_at, c.submitted_at);
    assert_eq!(
        (again.variant.as_str(), again.subject.as_str()),
        ("NATIONAL", "GB/T 777-2020")
    );
    assert_eq!(again.estimated_amount, "300000.00", "estimated again");
    assert_eq!(again.estimate.as_ref().unwrap().total, "300000.00");
    assert_ne!(again.one_time_key, c.one_time_key);
    assert!(again.note.is_none() && again.review.is_none());
    let e = env
        .portal()
        .resubmit_claim(resubmit(s::application(&code, &fixed)))
        .await
        .unwrap_err();
    let m = s::expect_error(&e, Code::FailedPrecondition, "INVALID_STATE");
    assert_eq!(m["status"], "SUBMITTED");

    // The history keeps both versions.
    let h = env.history(c.claim_id).await;
    assert_eq!(
        s::trail(&h),
        [
            (
                pb::AuditAction::Submit,
                "gateway".into(),
                pb::AccessRole::Portal
            ),
            (
                pb::AuditAction::Return,
                "reviewer-li".into(),
                pb::AccessRole::Reviewer
            ),
            (
                pb::AuditAction::Resubmit,
                "gateway".into(),
                pb::AccessRole::Portal
            ),
        ]
    );
    let before: serde_json::Value = serde_json::from_str(&h[2].before_json).unwrap();
    let after: serde_json::Value = serde_json::from_str(&h[2].after_json).unwrap();
    assert_eq!(
        (
            before["variant"].as_str(),
            before["estimated_amount"].as_str()
        ),
        (Some("INDUSTRY"), Some("200000.00"))
    );
    assert_eq!(
        (
            after["variant"].as_str(),
            after["estimated_amount"].as_str()
        ),
        (Some("NATIONAL"), Some("300000.00"))
    );
    assert_eq!(after["resubmissions"], 1);

    // Approved at the corrected amount; the old achievement's key is free.
    let a = env.approve(c.claim_id).await;
    assert_eq!(a.review.unwrap().approved_amount, "300000.00");
    env.submit("old-key", &code, &wrong).await;
}

async fn withdrawal_frees_the_one_time_key(env: Env) {
    env.set_budget("CITY", "1000000.00").await;
    let ach = Ach::lead("GB/T 400-2020");
    let c = env.submit("first", &env.code(1), &ach).await;
    let withdraw = |claim_id: i64, reason: &str| pb::WithdrawClaimRequest {
        claim_id,
        reason: reason.into(),
    };
    let w = env
        .portal()
        .withdraw_claim(withdraw(c.claim_id, "重复申报"))
        .await
        .unwrap()
        .into_inner()
        .claim
        .unwrap();
    assert_eq!(w.status, pb::ClaimStatus::Withdrawn as i32);
    let note = w.note.unwrap();
    assert_eq!(
        (note.by.as_str(), note.reason.as_str()),
        ("gateway", "重复申报")
    );
    let e = env
        .portal()
        .withdraw_claim(withdraw(c.claim_id, ""))
        .await
        .unwrap_err();
    let m = s::expect_error(&e, Code::FailedPrecondition, "INVALID_STATE");
    assert_eq!(m["status"], "WITHDRAWN");
    let e = env
        .reviewer()
        .review_claim(s::approve(c.claim_id))
        .await
        .unwrap_err();
    s::expect_error(&e, Code::FailedPrecondition, "INVALID_STATE");

    // The key is free: a new claim takes it.
    let anew = env.submit("second", &env.code(1), &ach).await;
    assert_eq!(anew.one_time_key, c.one_time_key);
    assert_ne!(anew.claim_id, c.claim_id);

    // A returned claim may be withdrawn (without a reason); an approved one not.
    env.decide(anew.claim_id, Return, "请补充证明材料").await;
    let w = env
        .portal()
        .withdraw_claim(withdraw(anew.claim_id, ""))
        .await
        .unwrap()
        .into_inner()
        .claim
        .unwrap();
    assert_eq!(w.status, pb::ClaimStatus::Withdrawn as i32);
    assert_eq!(w.note.unwrap().reason, "");
    let approved = env.approved("third", &env.code(1), &ach).await;
    let e = env
        .portal()
        .withdraw_claim(withdraw(approved.claim_id, ""))
        .await
        .unwrap_err();
    let m = s::expect_error(&e, Code::FailedPrecondition, "INVALID_STATE");
    assert_eq!(
        (m["status"].as_str(), m["expectedStatus"].as_str()),
        ("APPROVED", "SUBMITTED,RETURNED")
    );

    // An administrator may withdraw anyone's claim; the audit names who did.
    let theirs = env
        .submit("fourth", &env.code(2), &Ach::lead("GB/T 401-2020"))
        .await;
    env.admin()
        .withdraw_claim(withdraw(theirs.claim_id, "单位申请撤回"))
        .await
        .unwrap();
    let h = env.history(theirs.claim_id).await;
    assert_eq!(
        s::trail(&h),
        [
            (
                pb::AuditAction::Submit,
                "gateway".into(),
                pb::AccessRole::Portal
            ),
            (
                pb::AuditAction::Withdraw,
                "admin-chen".into(),
                pb::AccessRole::Admin
            ),
        ]
    );
}

async fn a_correction_cannot_take_a_key_another_claim_holds(env: Env) {
    let code = env.code(1);
    let held = env
        .submitted("held", &code, &Ach::lead("GB/T 15-2020"))
        .await;
    let c = env
        .submitted("draft", &code, &Ach::lead("GB/T 16-2020"))
        .await;
    env.decide(c, Return, "请核对标准号").await;
    let resubmit = |a: &Ach| pb::ResubmitClaimRequest {
        claim_id: c,
        application: Some(s::application(&code, a)),
        confirm_credit_code: false,
    };
    // The corrected achievement is one another live claim holds.
    let e = env
        .portal()
        .resubmit_claim(resubmit(&Ach::lead("gb/t 15—2020")))
        .await
        .unwrap_err();
    let m = s::expect_error(&e, Code::AlreadyExists, "ALREADY_GRANTED");
    assert_eq!(m["existingClaimId"], held.to_string());
    // Participation in the standard the unit leads.
    let part = Ach::of("STANDARD_PARTICIPANT", "NATIONAL", "GB/T 15-2020");
    let e = env
        .portal()
        .resubmit_claim(resubmit(&part))
        .await
        .unwrap_err();
    let m = s::expect_error(&e, Code::FailedPrecondition, "CONFLICTS_WITH_LEAD");
    assert_eq!(m["existingClaimId"], held.to_string());
    // A line that cannot be claimed is refused as at submission.
    let pending = Ach::of("DEMONSTRATION_PILOT", "NATIONAL", "试点-15");
    let e = env
        .portal()
        .resubmit_claim(resubmit(&pending))
        .await
        .unwrap_err();
    s::expect_error(&e, Code::FailedPrecondition, "NOT_YET_ACCEPTED");
    let claim = env.claim(c).await;
    assert_eq!(
        (claim.status, claim.resubmissions),
        (pb::ClaimStatus::Returned as i32, 0)
    );
    assert_eq!(claim.subject, "GB/T 16-2020", "unchanged");
}
