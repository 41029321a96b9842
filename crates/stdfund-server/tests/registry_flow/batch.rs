//! ReviewClaims: a dry run shows what a batch would do and changes nothing;
//! a real batch is one transaction, all or nothing.

#![allow(clippy::arithmetic_side_effects)]

use crate::registry_support::{self as s, Ach, Env};
use stdfund_proto::pb;
use tonic::{Code, Status};

on_both_backends! {
    a_dry_run_shows_the_batch_and_changes_nothing = 20;
    a_batch_is_all_or_nothing = 21;
    a_batch_refuses_what_it_cannot_decide = 22;
    a_batch_over_budget_names_each_claim_with_its_budget_briefly = 75;
}

/// Claims over two budgets are named with the budget each exceeds (a 市本级
/// claim is over the city's, not a district's), and a batch of many stays a
/// short refusal: at most 10 named per budget, 100 listed, the count of all
/// (the thirteenth attack: 500 claims made trailers a client refused).
async fn a_batch_over_budget_names_each_claim_with_its_budget_briefly(env: Env) {
    env.set_budget("CITY", "700000.00").await;
    env.set_budget("350102", "150000.00").await;
    let code = env.code(1);
    let lead = |n: u32| Ach::lead(&format!("GB/T {}-2020", 75_000 + n));
    let a = env.submit_at("a", &code, "350102", &lead(1)).await.claim_id;
    let b = env.submit_at("b", &code, "350102", &lead(2)).await.claim_id;
    let c = env.submit_at("c", &code, "350103", &lead(3)).await.claim_id;
    let d = env.submit_at("d", &code, "350100", &lead(4)).await.claim_id;
    let err = review(
        &env,
        batch(&[a, b, c, d], pb::ReviewDecision::Approve, "", true),
    )
    .await
    .unwrap_err();
    let m = s::expect_error(&err, Code::FailedPrecondition, "BUDGET_EXCEEDED");
    assert_eq!(m["claimIdsOver"], format!("{b},{d}"), "{m:?}");
    assert_eq!(m["claimPayersOver"], "350102,CITY", "{m:?}");
    assert_eq!(
        (m["claimId"].clone(), m["payer"].as_str()),
        (b.to_string(), "350102")
    );
    assert_eq!(m["claimsOverTotal"], "2");
    let zh = &m["messageZh"];
    assert!(
        zh.contains(&format!(
            "鼓楼区(350102)预算不足以核准申报{b};市级预算不足以核准申报{d}"
        )),
        "{zh}"
    );
    // The district by its name in English too, not by its code alone.
    assert!(
        m["messageEn"].contains(&format!(
            "the budget of Gulou District (350102) does not hold claim(s) {b}; the budget of the city does not hold claim(s) {d}"
        )),
        "{}",
        m["messageEn"]
    );

    // Many claims over the budget: the refusal stays short.
    env.set_budget("CITY", "700000.00").await;
    let mut many = Vec::new();
    for i in 0..120 {
        many.push(
            env.submit_at(&format!("m{i}"), &code, "350100", &lead(100 + i))
                .await
                .claim_id,
        );
    }
    let err = review(&env, batch(&many, pb::ReviewDecision::Approve, "", true))
        .await
        .unwrap_err();
    let m = s::expect_error(&err, Code::FailedPrecondition, "BUDGET_EXCEEDED");
    // 700,000 holds two claims of 300,000: the other 118 are over.
    assert_eq!(m["claimsOverTotal"], "118");
    assert_eq!(m["claimIdsOver"].split(',').count(), 50);
    assert_eq!(m["claimPayersOver"].split(',').count(), 50);
    assert!(m["messageZh"].contains("等118件"), "{}", m["messageZh"]);
    assert!(
        m["messageEn"].contains("and others, 118 in all"),
        "{}",
        m["messageEn"]
    );
    // As the trailers carry it: the message percent-encoded, the details in
    // base64; well under the 8 KiB a grpcio client reads by default.
    let message: usize = err
        .message()
        .bytes()
        .map(|b| {
            if b.is_ascii_graphic() || b == b' ' {
                1
            } else {
                3
            }
        })
        .sum();
    let size = message + err.details().len().div_ceil(3) * 4;
    assert!(size < 6144, "{size} bytes of trailers");
}

fn batch(
    ids: &[i64],
    decision: pb::ReviewDecision,
    reason: &str,
    dry_run: bool,
) -> pb::ReviewClaimsRequest {
    pb::ReviewClaimsRequest {
        claim_ids: ids.to_vec(),
        decision: decision as i32,
        reason: reason.into(),
        dry_run,
        ..Default::default()
    }
}

/// (payer, total, used, left) of budgets.
fn figures(b: &[pb::Budget]) -> Vec<(String, String, String, String)> {
    b.iter()
        .map(|b| {
            (
                b.payer.clone(),
                b.total.clone(),
                b.used.clone(),
                b.left.clone(),
            )
        })
        .collect()
}

fn row(payer: &str, total: &str, used: &str, left: &str) -> (String, String, String, String) {
    (payer.into(), total.into(), used.into(), left.into())
}

async fn a_dry_run_shows_the_batch_and_changes_nothing(env: Env) {
    env.set_budget("CITY", "1000000.00").await;
    env.set_budget("350102", "500000.00").await;
    let a = env
        .submit("a", &env.code(1), &Ach::lead("GB/T 1-2020"))
        .await;
    let b = env
        .submit(
            "b",
            &env.code(1),
            &Ach::new("STANDARD_LEAD", "INDUSTRY", "JB/T 2-2020", "2020-05-01"),
        )
        .await;
    let c = env
        .submit_at(
            "c",
            &env.code(2),
            "350104",
            &Ach::new("STANDARD_LEAD", "LOCAL", "DB35/T 3-2020", "2020-05-01"),
        )
        .await;
    let ids = [a.claim_id, b.claim_id, c.claim_id];
    let budgets_before = env
        .finance()
        .list_budgets(pb::ListBudgetsRequest { year: env.year })
        .await
        .unwrap()
        .into_inner();

    let r = env
        .reviewer()
        .review_claims(batch(&ids, pb::ReviewDecision::Approve, "", true))
        .await
        .unwrap()
        .into_inner();
    assert!(r.dry_run);
    assert_eq!((r.count, r.total.as_str()), (3, "600000.00"));
    assert_eq!(
        figures(&r.budgets_before),
        [
            row("CITY", "1000000.00", "0.00", "1000000.00"),
            row("350102", "500000.00", "0.00", "500000.00")
        ]
    );
    // The district of 鼓楼区 bears half of 300,000 and of 200,000; 仓山区 has no budget.
    assert_eq!(
        figures(&r.budgets_after),
        [
            row("CITY", "1000000.00", "600000.00", "400000.00"),
            row("350102", "500000.00", "250000.00", "250000.00")
        ]
    );
    // The claims in the order asked, as they are: nothing was approved.
    let listed: Vec<(i64, i32)> = r.claims.iter().map(|c| (c.claim_id, c.status)).collect();
    assert_eq!(
        listed,
        ids.map(|id| (id, pb::ClaimStatus::Submitted as i32))
    );

    for id in ids {
        assert_eq!(
            env.claim(id).await.status,
            pb::ClaimStatus::Submitted as i32
        );
        assert_eq!(
            env.history(id).await.len(),
            1,
            "no audit entry for a dry run"
        );
    }
    let budgets_after = env
        .finance()
        .list_budgets(pb::ListBudgetsRequest { year: env.year })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(budgets_after, budgets_before);

    // A dry rejection: no amount.
    let r = env
        .reviewer()
        .review_claims(batch(&ids[..2], pb::ReviewDecision::Reject, "预览", true))
        .await
        .unwrap()
        .into_inner();
    assert_eq!((r.count, r.total.as_str(), r.dry_run), (2, "0.00", true));
    assert_eq!(
        env.claim(a.claim_id).await.status,
        pb::ClaimStatus::Submitted as i32
    );
    // A dry run is checked like a real one.
    env.set_budget("CITY", "500000.00").await;
    let e = env
        .reviewer()
        .review_claims(batch(&ids, pb::ReviewDecision::Approve, "", true))
        .await
        .unwrap_err();
    let m = s::expect_error(&e, Code::FailedPrecondition, "BUDGET_EXCEEDED");
    assert_eq!(
        (m["payer"].as_str(), m["total"].as_str()),
        ("CITY", "500000.00")
    );
}

async fn review(
    env: &Env,
    req: pb::ReviewClaimsRequest,
) -> Result<pb::ReviewClaimsResponse, Status> {
    env.reviewer()
        .review_claims(req)
        .await
        .map(tonic::Response::into_inner)
}

async fn a_batch_is_all_or_nothing(env: Env) {
    env.set_budget("CITY", "700000.00").await;
    let code = env.code(1);
    let a = env.submitted("a", &code, &Ach::lead("GB/T 1-2020")).await;
    let b = env
        .submitted(
            "b",
            &code,
            &Ach::of("STANDARD_LEAD", "INDUSTRY", "JB/T 2-2020"),
        )
        .await;
    let c = env
        .submitted(
            "c",
            &code,
            &Ach::of("STANDARD_LEAD", "LOCAL", "DB35/T 3-2020"),
        )
        .await;
    let d = env
        .approved(
            "d",
            &code,
            &Ach::of("STANDARD_LEAD", "LOCAL", "DB35/T 4-2020"),
        )
        .await
        .claim_id;
    let e = env.submitted("e", &code, &Ach::lead("GB/T 5-2020")).await;
    let approve = |ids: &[i64]| batch(ids, pb::ReviewDecision::Approve, "", false);

    // One claim already approved: the whole batch fails, nothing changes.
    let err = review(&env, approve(&[a, b, d])).await.unwrap_err();
    let m = s::expect_error(&err, Code::FailedPrecondition, "INVALID_STATE");
    assert_eq!(
        (m["claimId"].clone(), m["status"].as_str()),
        (d.to_string(), "APPROVED")
    );
    // Over budget at the fourth claim: nothing changes either.
    let err = review(&env, approve(&[a, b, c, e])).await.unwrap_err();
    let m = s::expect_error(&err, Code::FailedPrecondition, "BUDGET_EXCEEDED");
    // Said of the batch: the budget before it (100,000 of 700,000 used by d),
    // what the batch asks of it through the claim that does not fit (a, b, c
    // and e: 900,000), and that claim.
    assert_eq!(
        (
            m["total"].as_str(),
            m["used"].as_str(),
            m["left"].as_str(),
            m["requested"].as_str(),
            m["claimId"].clone()
        ),
        (
            "700000.00",
            "100000.00",
            "600000.00",
            "900000.00",
            e.to_string()
        )
    );
    // Every claim that does not fit is named (here e alone), and the
    // message names them in both languages.
    assert_eq!(m["claimIdsOver"], e.to_string());
    assert!(
        m["messageZh"].contains(&format!("不足以核准申报{e}")),
        "{m:?}"
    );
    // With e first, e and a use the 600,000 left; b and c, after them, do
    // not fit: each is checked, not only the first.
    let err = review(&env, approve(&[e, a, b, c])).await.unwrap_err();
    let m = s::expect_error(&err, Code::FailedPrecondition, "BUDGET_EXCEEDED");
    assert_eq!(m["claimIdsOver"], format!("{b},{c}"), "{m:?}");
    // Left out, the rest fits (a dry run: the batch that fits comes below).
    let dry = review(&env, batch(&[e, a], pb::ReviewDecision::Approve, "", true))
        .await
        .unwrap();
    assert_eq!((dry.count, dry.dry_run), (2, true));
    for id in [a, b, c, e] {
        assert_eq!(
            env.claim(id).await.status,
            pb::ClaimStatus::Submitted as i32,
            "claim {id}"
        );
        assert_eq!(env.history(id).await.len(), 1);
    }
    assert_eq!(env.budget("CITY").await.used, "100000.00");

    // The batch that fits: every claim approved, in one go, in the order asked.
    let r = review(&env, approve(&[c, b, a])).await.unwrap();
    assert!(!r.dry_run);
    assert_eq!((r.count, r.total.as_str()), (3, "600000.00"));
    let got: Vec<(i64, i32, String)> = r
        .claims
        .iter()
        .map(|x| {
            (
                x.claim_id,
                x.status,
                x.review.as_ref().unwrap().approved_amount.clone(),
            )
        })
        .collect();
    let ok = pb::ClaimStatus::Approved as i32;
    assert_eq!(
        got,
        [
            (c, ok, "100000.00".into()),
            (b, ok, "200000.00".into()),
            (a, ok, "300000.00".into())
        ]
    );
    assert_eq!(
        figures(&r.budgets_before),
        [row("CITY", "700000.00", "100000.00", "600000.00")]
    );
    assert_eq!(
        figures(&r.budgets_after),
        [row("CITY", "700000.00", "700000.00", "0.00")]
    );
    assert_eq!(env.budget("CITY").await.used, "700000.00");
    let h = env.history(b).await;
    assert_eq!(
        s::trail(&h)[1],
        (
            pb::AuditAction::Approve,
            "reviewer-li".into(),
            pb::AccessRole::Reviewer
        )
    );
}

async fn a_batch_refuses_what_it_cannot_decide(env: Env) {
    env.set_budget("CITY", "1000000.00").await;
    let code = env.code(1);
    let a = env.submitted("a", &code, &Ach::lead("GB/T 1-2020")).await;
    let b = env.submitted("b", &code, &Ach::lead("GB/T 2-2020")).await;
    let wto = env
        .submitted("wto", &code, &Ach::discretionary("TBT预警-9"))
        .await;
    use pb::ReviewDecision::{Approve, Reject, Return};
    let cases = [
        (batch(&[a, wto], Approve, "", false), "BATCH_DISCRETIONARY"),
        (batch(&[a, a], Approve, "", false), "DUPLICATE_CLAIM"),
        (batch(&[a], Return, "x", false), "INVALID_ENUM_VALUE"),
        (batch(&[], Approve, "", false), "MISSING_FIELD"),
        (batch(&[a, b], Reject, "", false), "MISSING_FIELD"),
        (batch(&[a, -1], Reject, "x", false), "MISSING_FIELD"),
        (
            batch(&(1..=501).collect::<Vec<_>>(), Reject, "x", false),
            "TOO_MANY_ENTRIES",
        ),
    ];
    for (req, reason) in cases {
        let err = review(&env, req).await.unwrap_err();
        s::expect_error(&err, Code::InvalidArgument, reason);
    }
    let err = review(&env, batch(&[a, i64::MAX], Approve, "", false))
        .await
        .unwrap_err();
    s::expect_error(&err, Code::NotFound, "NOT_FOUND");
    for id in [a, b, wto] {
        assert_eq!(
            env.claim(id).await.status,
            pb::ClaimStatus::Submitted as i32
        );
    }
    assert_eq!(env.budget("CITY").await.used, "0.00");

    // A batch rejection: no amount; the keys are freed.
    let r = review(&env, batch(&[b, wto], Reject, "年度预算已用完", false))
        .await
        .unwrap();
    assert_eq!((r.count, r.total.as_str()), (2, "0.00"));
    assert!(
        r.claims
            .iter()
            .all(|x| x.status == pb::ClaimStatus::Rejected as i32)
    );
    assert!(
        r.claims
            .iter()
            .all(|x| x.review.as_ref().unwrap().reason == "年度预算已用完")
    );
    env.submit("b-again", &code, &Ach::lead("GB/T 2-2020"))
        .await;
    env.submit("wto-again", &code, &Ach::discretionary("TBT预警-9"))
        .await;
}
