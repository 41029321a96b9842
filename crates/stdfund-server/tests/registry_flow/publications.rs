//! Publications (公示): a draft of approved claims with a notice period in
//! working days; issued, it is frozen; objections are recorded only within
//! its period, against its lines, and resolved once.

use crate::registry_support::{self as s, Ach, Env};
use stdfund_proto::pb;
use tonic::Code;

on_both_backends! {
    a_draft_lists_approved_claims_for_a_period_of_working_days = 40;
    an_issued_publication_is_frozen = 41;
    objections_are_recorded_only_within_the_period = 42;
    an_objection_is_resolved_once = 43;
    an_objection_stops_payment_until_the_approval_is_revoked = 44;
}

/// A CreatePublication request starting on Friday 2026-11-20.
pub fn draft(year: i32, claim_ids: &[i64], working_days: i32) -> pb::CreatePublicationRequest {
    pb::CreatePublicationRequest {
        title: format!("{year}年度标准化资助拟资助名单公示"),
        year,
        fiscal_unit: String::new(),
        claim_ids: claim_ids.to_vec(),
        period_start: "2026-11-20".into(),
        working_days,
        objection_contact: "福州市市场监督管理局标准化处 0591-00000000".into(),
    }
}

async fn create(env: &Env, req: pb::CreatePublicationRequest) -> pb::Publication {
    env.reviewer()
        .create_publication(req)
        .await
        .unwrap()
        .into_inner()
        .publication
        .unwrap()
}

/// Approved claims of this year: 300,000 (鼓楼区), 100,000 (仓山区) and a
/// discretionary 50,000.01 (鼓楼区), and one still submitted.
async fn approved_three(env: &Env) -> ([i64; 3], i64) {
    env.set_budget("CITY", "1000000.00").await;
    let code = env.code(1);
    let a = env
        .approved("a", &code, &Ach::lead("GB/T 1-2020"))
        .await
        .claim_id;
    let local = Ach::of("STANDARD_LEAD", "LOCAL", "DB35/T 2-2020");
    let b = env
        .submit_at("b", &env.code(2), "350104", &local)
        .await
        .claim_id;
    env.approve(b).await;
    let w = env
        .submitted("w", &code, &Ach::discretionary("TBT预警-3"))
        .await;
    env.approve_at(w, "50000.01").await;
    let pending = env.submitted("p", &code, &Ach::lead("GB/T 4-2020")).await;
    ([a, b, w], pending)
}

async fn issue(env: &Env, id: i64) -> Result<pb::Publication, tonic::Status> {
    let req = pb::IssuePublicationRequest { publication_id: id };
    let r = env.reviewer().issue_publication(req).await?;
    Ok(r.into_inner().publication.unwrap())
}

async fn a_draft_lists_approved_claims_for_a_period_of_working_days(env: Env) {
    let e = env
        .reviewer()
        .create_publication(draft(env.year, &[], 5))
        .await
        .unwrap_err();
    s::expect_error(&e, Code::InvalidArgument, "NOTHING_TO_PUBLISH");
    let ([a, b, w], pending) = approved_three(&env).await;
    let d = |f: fn(&mut pb::CreatePublicationRequest)| {
        let mut r = draft(env.year, &[], 5);
        f(&mut r);
        r
    };
    let bad = [
        (
            draft(env.year, &[pending], 5),
            "NOT_PUBLISHABLE",
            "claim_ids",
        ),
        (draft(env.year, &[], 0), "INVALID_ARGUMENT", "working_days"),
        (draft(env.year, &[], 31), "INVALID_ARGUMENT", "working_days"),
        (d(|r| r.title = " ".into()), "MISSING_FIELD", "title"),
        (
            d(|r| r.period_start = "2026-13-01".into()),
            "INVALID_DATE",
            "period_start",
        ),
        // A period that would end after 9999-12-31: the caller's date, not
        // a damaged record.
        (
            d(|r| r.period_start = "9999-12-31".into()),
            "INVALID_DATE",
            "period_start",
        ),
        (
            d(|r| r.objection_contact.clear()),
            "MISSING_FIELD",
            "objection_contact",
        ),
        (d(|r| r.year = 2015), "INVALID_YEAR", "year"),
    ];
    for (req, reason, field) in bad {
        let e = env.reviewer().create_publication(req).await.unwrap_err();
        let m = s::expect_error(&e, Code::InvalidArgument, reason);
        assert_eq!(m["field"], field, "{reason}");
    }

    // Every approved claim of the year not yet published; five working days
    // from Friday 2026-11-20 end on Thursday 2026-11-26.
    let p = create(&env, draft(env.year, &[], 5)).await;
    assert_eq!(p.status, pb::PublicationStatus::Draft as i32);
    assert_eq!(
        (
            p.period_start.as_str(),
            p.period_end.as_str(),
            p.working_days
        ),
        ("2026-11-20", "2026-11-26", 5)
    );
    assert_eq!(
        (p.count, p.total.as_str(), p.created_by.as_str()),
        (3, "450000.01", "reviewer-li")
    );
    assert!(p.issued_by.is_empty() && p.issued_at.is_none() && p.objections.is_empty());
    let lines: Vec<(i32, i64, &str, &str, &str)> = p
        .entries
        .iter()
        .map(|e| {
            (
                e.row,
                e.claim_id,
                e.fiscal_unit_name_zh.as_str(),
                e.clause.as_str(),
                e.amount.as_str(),
            )
        })
        .collect();
    assert_eq!(
        lines,
        [
            (1, a, "鼓楼区", "五(五)1", "300000.00"),
            (2, b, "仓山区", "五(五)1", "100000.00"),
            (3, w, "鼓楼区", "五(五)9", "50000.01"),
        ]
    );
    assert_eq!(p.entries[0].credit_code, env.code(1));
    assert_eq!(p.entries[2].item_name_zh, "其他标准化项目和活动");
    // One district only, from a Saturday: one working day ends on Monday.
    let unit = create(
        &env,
        d(|r| {
            r.fiscal_unit = "350104".into();
            r.period_start = "2026-11-21".into();
            r.working_days = 1;
        }),
    )
    .await;
    assert_eq!((unit.count, unit.period_end.as_str()), (1, "2026-11-23"));
    // Chosen claims, in the order given.
    let chosen = create(&env, draft(env.year, &[w, a], 2)).await;
    let ids: Vec<i64> = chosen.entries.iter().map(|e| e.claim_id).collect();
    assert_eq!(
        (ids, chosen.period_end.as_str()),
        (vec![w, a], "2026-11-23")
    );
    let listed = env
        .finance()
        .list_publications(pb::ListPublicationsRequest { year: env.year })
        .await
        .unwrap();
    let listed = listed.into_inner().publications;
    let ids: Vec<i64> = listed.iter().map(|x| x.publication_id).collect();
    assert_eq!(
        ids,
        [chosen.publication_id, unit.publication_id, p.publication_id],
        "newest first"
    );
    assert!(listed.iter().all(|x| x.entries.is_empty()));
    assert_eq!(
        (listed[2].count, listed[2].total.as_str()),
        (3, "450000.01")
    );
}

async fn an_issued_publication_is_frozen(env: Env) {
    let ([a, _, _], pending) = approved_three(&env).await;
    let p = create(&env, draft(env.year, &[], 5)).await;
    let issued = issue(&env, p.publication_id).await.unwrap();
    assert_eq!(issued.status, pb::PublicationStatus::Issued as i32);
    assert_eq!(issued.issued_by, "reviewer-li");
    assert!(issued.issued_at.is_some());
    assert_eq!(issued.entries, p.entries);
    let e = issue(&env, p.publication_id).await.unwrap_err();
    s::expect_error(&e, Code::FailedPrecondition, "PUBLICATION_ISSUED");
    let e = issue(&env, i64::MAX).await.unwrap_err();
    s::expect_error(&e, Code::NotFound, "NOT_FOUND");
    // Its claims are published: a new draft takes only what was approved since.
    let e = env
        .reviewer()
        .create_publication(draft(env.year, &[], 5))
        .await
        .unwrap_err();
    s::expect_error(&e, Code::InvalidArgument, "NOTHING_TO_PUBLISH");
    env.approve(pending).await;
    let next = create(&env, draft(env.year, &[], 5)).await;
    assert_eq!(
        next.entries.iter().map(|e| e.claim_id).collect::<Vec<_>>(),
        [pending]
    );
    // Paying a listed claim leaves the issued list as it was.
    env.pay(a, &env.key("V"), "").await;
    let req = pb::GetPublicationRequest {
        publication_id: p.publication_id,
    };
    let read = env
        .finance()
        .get_publication(req)
        .await
        .unwrap()
        .into_inner();
    assert_eq!(read.publication.unwrap(), issued);
    let e = env
        .finance()
        .get_publication(pb::GetPublicationRequest {
            publication_id: i64::MAX,
        })
        .await
        .unwrap_err();
    s::expect_error(&e, Code::NotFound, "NOT_FOUND");
}

/// An issued publication of claim `a` (2026-11-20 to 2026-11-26) and a
/// claim `b` approved but not on it.
async fn issued_with_one(env: &Env) -> (i64, i64, i64) {
    env.set_budget("CITY", "1000000.00").await;
    let a = env
        .approved("a", &env.code(1), &Ach::lead("GB/T 1-2020"))
        .await
        .claim_id;
    let b = env
        .approved("b", &env.code(2), &Ach::lead("GB/T 2-2020"))
        .await
        .claim_id;
    let p = create(env, draft(env.year, &[a], 5)).await.publication_id;
    (p, a, b)
}

fn objection(publication_id: i64, claim_id: i64, received_on: &str) -> pb::RecordObjectionRequest {
    pb::RecordObjectionRequest {
        publication_id,
        claim_id,
        received_on: received_on.into(),
        objector: "张某".into(),
        contact: "138-0000-0000".into(),
        content: "该标准的第一起草单位另有其人".into(),
    }
}

async fn objections_are_recorded_only_within_the_period(env: Env) {
    let (p, a, b) = issued_with_one(&env).await;
    let object = |claim_id: i64, day: &str| objection(p, claim_id, day);
    let e = env
        .reviewer()
        .record_objection(object(a, "2026-11-20"))
        .await
        .unwrap_err();
    let m = s::expect_error(&e, Code::InvalidArgument, "INVALID_ARGUMENT");
    assert_eq!(m["field"], "publication_id", "a draft takes no objection");
    issue(&env, p).await.unwrap();

    for day in ["2026-11-19", "2026-11-27"] {
        let e = env
            .reviewer()
            .record_objection(object(a, day))
            .await
            .unwrap_err();
        let m = s::expect_error(&e, Code::FailedPrecondition, "OBJECTION_OUTSIDE_PERIOD");
        assert_eq!(m["field"], "received_on");
    }
    let e = env
        .reviewer()
        .record_objection(object(b, "2026-11-20"))
        .await
        .unwrap_err();
    let m = s::expect_error(&e, Code::FailedPrecondition, "NOT_ON_PUBLICATION");
    assert_eq!(m["field"], "claim_id");
    let with = |f: fn(&mut pb::RecordObjectionRequest)| {
        let mut r = object(a, "2026-11-20");
        f(&mut r);
        r
    };
    let bad = [
        (with(|r| r.objector.clear()), "MISSING_FIELD", "objector"),
        (with(|r| r.content.clear()), "MISSING_FIELD", "content"),
        (
            with(|r| r.received_on = "04/12/2026".into()),
            "INVALID_DATE",
            "received_on",
        ),
        (
            with(|r| r.contact = "1".repeat(101)),
            "FIELD_TOO_LONG",
            "contact",
        ),
    ];
    for (req, reason, field) in bad {
        let e = env.reviewer().record_objection(req).await.unwrap_err();
        let m = s::expect_error(&e, Code::InvalidArgument, reason);
        assert_eq!(m["field"], field);
    }
    let e = env
        .reviewer()
        .record_objection(objection(i64::MAX, a, "2026-11-20"))
        .await
        .unwrap_err();
    s::expect_error(&e, Code::NotFound, "NOT_FOUND");

    // A day received after today is refused, even inside a period (a
    // notice running from today); today itself is taken.
    let running = create(
        &env,
        pb::CreatePublicationRequest {
            period_start: s::day(0),
            ..draft(env.year, &[b], 10)
        },
    )
    .await
    .publication_id;
    issue(&env, running).await.unwrap();
    let e = env
        .reviewer()
        .record_objection(objection(running, b, &s::day(1)))
        .await
        .unwrap_err();
    let m = s::expect_error(&e, Code::FailedPrecondition, "OBJECTION_IN_FUTURE");
    assert_eq!(
        (m["field"].as_str(), m["today"].clone()),
        ("received_on", s::day(0))
    );
    let first = env
        .reviewer()
        .record_objection(objection(running, b, &s::day(0)))
        .await
        .unwrap()
        .into_inner()
        .objection
        .unwrap()
        .objection_id;
    // The same objection sent again (a form sent twice) is not a second one.
    let e = env
        .reviewer()
        .record_objection(objection(running, b, &s::day(0)))
        .await
        .unwrap_err();
    let m = s::expect_error(&e, Code::AlreadyExists, "OBJECTION_DUPLICATE");
    assert_eq!(m["existingObjectionId"], first.to_string());
    // Other words from the same objector are.
    let mut other = objection(running, b, &s::day(0));
    other.content = "另有一项材料存疑".into();
    env.reviewer().record_objection(other).await.unwrap();

    // The first and the last day of the period count.
    for day in ["2026-11-20", "2026-11-26"] {
        let o = env
            .reviewer()
            .record_objection(object(a, day))
            .await
            .unwrap()
            .into_inner();
        let o = o.objection.unwrap();
        assert_eq!((o.status, o.outcome), (pb::ObjectionStatus::Open as i32, 0));
        assert_eq!(
            (o.publication_id, o.claim_id, o.received_on.as_str()),
            (p, a, day)
        );
        assert_eq!(
            (o.recorded_by.as_str(), o.objector.as_str()),
            ("reviewer-li", "张某")
        );
    }
    let read = env
        .reviewer()
        .get_publication(pb::GetPublicationRequest { publication_id: p })
        .await
        .unwrap();
    assert_eq!(read.into_inner().publication.unwrap().objections.len(), 2);
}

async fn an_objection_is_resolved_once(env: Env) {
    let (p, a, _) = issued_with_one(&env).await;
    issue(&env, p).await.unwrap();
    let mut recorded = Vec::new();
    for day in ["2026-11-23", "2026-11-24"] {
        let o = env
            .reviewer()
            .record_objection(objection(p, a, day))
            .await
            .unwrap()
            .into_inner();
        recorded.push(o.objection.unwrap());
    }
    let resolve =
        |id: i64, outcome: pb::ObjectionOutcome, text: &str| pb::ResolveObjectionRequest {
            objection_id: id,
            outcome: outcome as i32,
            resolution: text.into(),
        };
    use pb::ObjectionOutcome::{Dismissed, Unspecified, Upheld};
    let first = recorded[0].objection_id;
    let e = env
        .reviewer()
        .resolve_objection(resolve(first, Unspecified, "x"))
        .await
        .unwrap_err();
    s::expect_error(&e, Code::InvalidArgument, "INVALID_ENUM_VALUE");
    let e = env
        .reviewer()
        .resolve_objection(resolve(first, Dismissed, ""))
        .await
        .unwrap_err();
    s::expect_error(&e, Code::InvalidArgument, "MISSING_FIELD");
    let text = "经核查,申报单位为第一起草单位";
    // The reviewer who approved the claim does not dismiss an objection
    // against it (the seventh attack, F5).
    let e = env
        .reviewer()
        .resolve_objection(resolve(first, Dismissed, text))
        .await
        .unwrap_err();
    let m = s::expect_error(&e, Code::FailedPrecondition, "SEPARATION_OF_DUTIES");
    assert_eq!(m["actor"], "reviewer-li");
    assert!(e.message().contains("dismiss an objection"), "{e:?}");
    let o = env
        .admin()
        .resolve_objection(resolve(first, Dismissed, text))
        .await
        .unwrap()
        .into_inner();
    let o = o.objection.unwrap();
    assert_eq!(
        (o.status, o.outcome),
        (pb::ObjectionStatus::Resolved as i32, Dismissed as i32)
    );
    assert_eq!(
        (o.resolved_by.as_str(), o.resolution.as_str()),
        ("admin-chen", text)
    );
    assert!(o.resolved_at.is_some());
    let e = env
        .reviewer()
        .resolve_objection(resolve(first, Upheld, "再议"))
        .await
        .unwrap_err();
    s::expect_error(&e, Code::FailedPrecondition, "OBJECTION_RESOLVED");
    let e = env
        .reviewer()
        .resolve_objection(resolve(i64::MAX, Upheld, "x"))
        .await
        .unwrap_err();
    s::expect_error(&e, Code::NotFound, "NOT_FOUND");
    let upheld = env
        .reviewer()
        .resolve_objection(resolve(recorded[1].objection_id, Upheld, "属实"))
        .await;
    let upheld = upheld.unwrap().into_inner().objection.unwrap();
    assert_eq!(upheld.outcome, Upheld as i32);

    let read = env
        .reviewer()
        .get_publication(pb::GetPublicationRequest { publication_id: p })
        .await
        .unwrap();
    assert_eq!(
        read.into_inner().publication.unwrap().objections,
        [o, upheld]
    );
    let h = env.history(a).await;
    let actions: Vec<pb::AuditAction> = s::trail(&h).into_iter().map(|t| t.0).collect();
    use pb::AuditAction::*;
    assert_eq!(
        actions,
        [
            Submit,
            Approve,
            ObjectionRecord,
            ObjectionRecord,
            ObjectionResolve,
            ObjectionResolve
        ]
    );
    assert_eq!(
        (h[4].actor.as_str(), h[4].role),
        ("admin-chen", pb::AccessRole::Admin as i32)
    );
    assert_eq!(h[2].target, format!("objection:{first}"));
}

/// An open objection stops the payment until it is resolved; an upheld one
/// until the reviewer revokes the approval (REJECT on the APPROVED claim,
/// allowed only then and only while nothing is paid), which frees its
/// budget and its one-time key. The bureau sees the objections on the
/// claim; the portal does not.
async fn an_objection_stops_payment_until_the_approval_is_revoked(env: Env) {
    let (p, a, b) = issued_with_one(&env).await;
    // b is on no publication: an approval without an upheld objection is
    // not revoked.
    let e = env
        .reviewer()
        .review_claim(s::decide(b, pb::ReviewDecision::Reject, "改判"))
        .await
        .unwrap_err();
    s::expect_error(&e, Code::FailedPrecondition, "INVALID_STATE");
    issue(&env, p).await.unwrap();
    let o = env
        .reviewer()
        .record_objection(objection(p, a, "2026-11-23"))
        .await
        .unwrap()
        .into_inner()
        .objection
        .unwrap();
    let pay = |voucher: &str| pb::RecordDisbursementRequest {
        claim_id: a,
        payment_date: s::day(0),
        voucher_number: voucher.into(),
        amount: String::new(),
        payer: String::new(),
    };
    let e = env
        .finance()
        .record_disbursement(pay("V-1"))
        .await
        .unwrap_err();
    let m = s::expect_error(&e, Code::FailedPrecondition, "OBJECTION_BLOCKS_PAYMENT");
    assert_eq!(m["objectionId"], o.objection_id.to_string());
    assert!(
        e.message().contains("尚未处理") || e.message().contains("not yet resolved"),
        "{}",
        e.message()
    );
    env.reviewer()
        .resolve_objection(pb::ResolveObjectionRequest {
            objection_id: o.objection_id,
            outcome: pb::ObjectionOutcome::Upheld as i32,
            resolution: "经核查异议成立,拟撤销资助".into(),
        })
        .await
        .unwrap();
    let e = env
        .finance()
        .record_disbursement(pay("V-2"))
        .await
        .unwrap_err();
    s::expect_error(&e, Code::FailedPrecondition, "OBJECTION_BLOCKS_PAYMENT");

    // The bureau reads the objection on the claim; the portal does not.
    let get = pb::GetClaimRequest {
        claim_id: a,
        ..Default::default()
    };
    let read = env
        .finance()
        .get_claim(get)
        .await
        .unwrap()
        .into_inner()
        .claim
        .unwrap();
    assert_eq!(read.objections.len(), 1);
    assert_eq!(
        read.objections[0].outcome,
        pb::ObjectionOutcome::Upheld as i32
    );
    let own = env
        .portal()
        .get_claim(get)
        .await
        .unwrap()
        .into_inner()
        .claim
        .unwrap();
    assert!(own.objections.is_empty());

    // Revoked: rejected, the key free again, the budget no longer used.
    let before = env.budget("CITY").await;
    let revoked = env
        .reviewer()
        .review_claim(s::decide(
            a,
            pb::ReviewDecision::Reject,
            "异议成立,撤销核准",
        ))
        .await
        .unwrap()
        .into_inner()
        .claim
        .unwrap();
    assert_eq!(revoked.status, pb::ClaimStatus::Rejected as i32);
    assert_eq!(revoked.note.unwrap().reason, "异议成立,撤销核准");
    let after = env.budget("CITY").await;
    assert_ne!(before.used, after.used);
    let e = env
        .reviewer()
        .review_claim(s::decide(a, pb::ReviewDecision::Reject, "再次"))
        .await
        .unwrap_err();
    s::expect_error(&e, Code::FailedPrecondition, "INVALID_STATE");
    let again = env
        .submit("again", &env.code(1), &Ach::lead("GB/T 1-2020"))
        .await
        .claim_id;
    // The same achievement filed again comes to the reviewer with how it
    // fared before: revoked on an upheld objection, and why.
    let read = env.reviewed(again).await;
    assert_eq!(read.ended_claims.len(), 1, "{:?}", read.ended_claims);
    assert_eq!(read.ended_claims_total, 1);
    let ended = &read.ended_claims[0];
    assert_eq!(
        (
            ended.claim_id,
            ended.status,
            ended.reason.as_str(),
            ended.upheld_objections
        ),
        (a, pb::ClaimStatus::Rejected as i32, "异议成立,撤销核准", 1)
    );
    assert_eq!(ended.subject, "GB/T 1-2020");
    assert!(
        read.similar_claims.is_empty(),
        "a live look-alike is another notice"
    );
    // Not for the applicant, and not on the revoked claim itself.
    let own = env
        .portal()
        .get_claim(pb::GetClaimRequest {
            claim_id: again,
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner();
    assert!(own.ended_claims.is_empty());
    assert!(env.reviewed(a).await.ended_claims.is_empty());
    let h = env.history(a).await;
    let last = s::trail(&h).last().cloned().unwrap();
    assert_eq!(last.0, pb::AuditAction::Reject);
}
