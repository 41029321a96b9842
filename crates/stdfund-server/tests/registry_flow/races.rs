//! Writes that meet on one claim or one key at the same moment (found by the
//! twelfth attack on the registry, on PostgreSQL; SQLite serialises writers):
//! each ends as one of them would alone — never INTERNAL, never a deadlock
//! turned into ABORTED, never a claim on two issued publications.

#![allow(clippy::arithmetic_side_effects)]

use crate::publications::draft;
use crate::registry_support::{self as s, Ach, Env};
use stdfund_proto::pb;
use tonic::Code;

on_both_backends! {
    resubmissions_racing_onto_one_key_leave_one_holder = 71;
    two_drafts_issued_at_once_publish_a_claim_once = 72;
    an_objection_and_a_payment_at_once_both_stand = 73;
}

/// Six returned claims of one unit are resubmitted at once as the same new
/// achievement: one holds its key, the others are told who does
/// (`ALREADY_GRANTED`, R24) — before, a lost race on PostgreSQL was a unique
/// violation read as INTERNAL DATABASE.
async fn resubmissions_racing_onto_one_key_leave_one_holder(env: Env) {
    let code = env.code(1);
    for round in 0..3 {
        let mut ids = Vec::new();
        for i in 0..6 {
            let subject = format!("GB/T {}-2020", 71_000 + round * 10 + i);
            let id = env
                .submitted(&format!("r{round}-{i}"), &code, &Ach::lead(&subject))
                .await;
            env.decide(id, pb::ReviewDecision::Return, "请补正标准编号")
                .await;
            ids.push(id);
        }
        let target = format!("GB/T {}-2020", 71_900 + round);
        let mut tasks = Vec::new();
        for id in ids.clone() {
            let mut portal = env.portal();
            let app = s::application(&code, &Ach::lead(&target));
            tasks.push(tokio::spawn(async move {
                portal
                    .resubmit_claim(pb::ResubmitClaimRequest {
                        claim_id: id,
                        application: Some(app),
                        confirm_credit_code: false,
                    })
                    .await
                    .map(|r| r.into_inner().claim.unwrap().claim_id)
            }));
        }
        let mut held = Vec::new();
        let mut refused = Vec::new();
        for t in tasks {
            match t.await.unwrap() {
                Ok(id) => held.push(id),
                Err(e) => {
                    let m = s::expect_error(&e, Code::AlreadyExists, "ALREADY_GRANTED");
                    refused.push(m["existingClaimId"].clone());
                }
            }
        }
        assert_eq!(held.len(), 1, "round {round}: one holder, {held:?}");
        assert_eq!(refused.len(), 5, "round {round}");
        assert!(
            refused.iter().all(|r| *r == held[0].to_string()),
            "round {round}: the refusals name the holder {held:?}: {refused:?}"
        );
    }
}

/// Two drafts listing one approved claim, issued at the same moment by two
/// officials: one is issued, the other is `ALREADY_PUBLISHED` (R30).
async fn two_drafts_issued_at_once_publish_a_claim_once(env: Env) {
    env.set_budget("CITY", "10000000.00").await;
    let code = env.code(1);
    for round in 0..4 {
        let subject = format!("GB/T {}-2020", 72_000 + round);
        let claim = env
            .approved(&format!("p{round}"), &code, &Ach::lead(&subject))
            .await
            .claim_id;
        let mut drafts = Vec::new();
        for _ in 0..2 {
            let p = env
                .reviewer()
                .create_publication(draft(env.year, &[claim], 5))
                .await
                .unwrap()
                .into_inner()
                .publication
                .unwrap();
            drafts.push(p.publication_id);
        }
        let issuers = [env.reviewer(), env.admin()];
        let mut tasks = Vec::new();
        for (mut who, id) in issuers.into_iter().zip(drafts.clone()) {
            tasks.push(tokio::spawn(async move {
                who.issue_publication(pb::IssuePublicationRequest { publication_id: id })
                    .await
                    .map(|_| id)
            }));
        }
        let mut issued = Vec::new();
        let mut named = Vec::new();
        for t in tasks {
            match t.await.unwrap() {
                Ok(id) => issued.push(id),
                Err(e) => {
                    let m = s::expect_error(&e, Code::FailedPrecondition, "ALREADY_PUBLISHED");
                    assert!(e.message().contains(&claim.to_string()), "{}", e.message());
                    named.push(m["publicationId"].clone());
                }
            }
        }
        assert_eq!(issued.len(), 1, "round {round}: {issued:?} of {drafts:?}");
        assert_eq!(named, [issued[0].to_string()], "round {round}");
    }
}

/// An objection recorded while finance pays the same claim: the two wait for
/// each other instead of deadlocking (PostgreSQL aborted one after its
/// one-second deadlock timeout — the objection, so a payment it would have
/// stopped went through). Either the objection comes first and the payment
/// is refused (`OBJECTION_BLOCKS_PAYMENT`), or the payment comes first and
/// the objection is still recorded.
async fn an_objection_and_a_payment_at_once_both_stand(env: Env) {
    env.set_budget("CITY", "10000000.00").await;
    let code = env.code(1);
    let mut claims = Vec::new();
    for i in 0..8 {
        let subject = format!("GB/T {}-2020", 73_000 + i);
        claims.push(
            env.approved(&format!("o{i}"), &code, &Ach::lead(&subject))
                .await
                .claim_id,
        );
    }
    let p = env
        .reviewer()
        .create_publication(draft(env.year, &claims, 5))
        .await
        .unwrap()
        .into_inner()
        .publication
        .unwrap()
        .publication_id;
    env.reviewer()
        .issue_publication(pb::IssuePublicationRequest { publication_id: p })
        .await
        .unwrap();
    let (mut paid, mut blocked) = (0, 0);
    for (i, claim) in claims.iter().copied().enumerate() {
        let mut finance = env.finance();
        let pay = tokio::spawn(async move {
            finance
                .record_disbursement(pb::RecordDisbursementRequest {
                    claim_id: claim,
                    payment_date: s::day(0),
                    voucher_number: format!("记-{i}"),
                    amount: String::new(),
                    payer: String::new(),
                })
                .await
        });
        let mut reviewer = env.reviewer();
        let object = tokio::spawn(async move {
            reviewer
                .record_objection(pb::RecordObjectionRequest {
                    publication_id: p,
                    claim_id: claim,
                    received_on: "2026-11-20".into(),
                    objector: "张某".into(),
                    contact: "138-0000-0000".into(),
                    content: "该标准的第一起草单位另有其人".into(),
                })
                .await
        });
        object
            .await
            .unwrap()
            .unwrap_or_else(|e| panic!("objection on claim {claim}: {e:?}"));
        match pay.await.unwrap() {
            Ok(_) => paid += 1,
            Err(e) => {
                s::expect_error(&e, Code::FailedPrecondition, "OBJECTION_BLOCKS_PAYMENT");
                blocked += 1;
            }
        }
    }
    assert_eq!(paid + blocked, claims.len());
}
