//! The audit log: every change appears, in order, with its actor and role;
//! filters by claim, actor, action and China-time dates; paging; reviewers
//! and finance read one claim's history but not the whole log; the hash
//! chain verifies.

use crate::registry_support::{self as s, Ach, Env};
use stdfund_proto::pb;
use stdfund_proto::pb::AccessRole as R;
use stdfund_proto::pb::AuditAction as A;
use tonic::Code;

on_both_backends! {
    every_change_is_audited_with_actor_and_role = 60;
    the_audit_log_filters_by_actor_action_and_day = 62;
    the_audit_log_is_read_by_whom_it_may_be_and_verifies = 61;
}

fn of_claim(claim_id: i64) -> pb::ListAuditLogRequest {
    pb::ListAuditLogRequest {
        claim_id,
        ..Default::default()
    }
}

/// A claim through its life: submitted, returned, resubmitted, approved,
/// a file attached, paid. Its number.
async fn a_claim_through_its_life(env: &Env) -> i64 {
    env.set_budget("CITY", "1000000.00").await;
    let code = env.code(1);
    let industry = Ach::of("STANDARD_LEAD", "INDUSTRY", "JB/T 60-2020");
    let id = env.submitted("c", &code, &industry).await;
    env.decide(id, pb::ReviewDecision::Return, "请更正标准号")
        .await;
    let corrected = pb::ResubmitClaimRequest {
        claim_id: id,
        application: Some(s::application(&code, &Ach::lead("GB/T 60-2020"))),
        confirm_credit_code: false,
    };
    env.portal().resubmit_claim(corrected).await.unwrap();
    env.approve(id).await;
    let file = pb::AddAttachmentRequest {
        claim_id: id,
        file_name: "批准文件.pdf".into(),
        content: s::pdf("60"),
    };
    env.portal().add_attachment(file).await.unwrap();
    env.pay(id, &env.key("V"), "").await;
    id
}

async fn every_change_is_audited_with_actor_and_role(env: Env) {
    let id = a_claim_through_its_life(&env).await;
    let h = env.history(id).await;
    let who = |a: A, actor: &str, role: R| (a, actor.to_string(), role);
    assert_eq!(
        s::trail(&h),
        [
            who(A::Submit, "gateway", R::Portal),
            who(A::Return, "reviewer-li", R::Reviewer),
            who(A::Resubmit, "gateway", R::Portal),
            who(A::Approve, "reviewer-li", R::Reviewer),
            who(A::Attach, "gateway", R::Portal),
            who(A::Disburse, "finance-wang", R::Finance),
        ]
    );
    assert!(h.windows(2).all(|w| w[0].entry_id < w[1].entry_id));
    assert!(h.iter().all(|e| e.claim_id == id && e.at.is_some()));
    assert!(h.iter().all(|e| e.entry_hash.starts_with("sha256:")));
    assert!(h.iter().all(|e| e.previous_hash.starts_with("sha256:")));
    assert_eq!(h[0].target, format!("claim:{id}"));
    assert!(h[4].target.starts_with("attachment:") && h[5].target.starts_with("payment:"));
    assert!(h[0].before_json.is_empty() && !h[0].after_json.is_empty());
    let changes = h
        .iter()
        .filter(|e| e.action != A::Submit as i32 && e.action != A::Attach as i32);
    assert!(
        changes.clone().all(|e| !e.before_json.is_empty()),
        "a change shows what was before"
    );
    assert_eq!(changes.count(), 4);
    // Changes that concern no claim: the budget, under its own target.
    let mut admin = env.admin();
    let filter = pb::ListAuditLogRequest {
        actor: "finance-wang".into(),
        action: A::SetBudget as i32,
        ..Default::default()
    };
    let budgets = env.audit(&mut admin, filter).await.unwrap();
    assert!(
        budgets
            .iter()
            .all(|e| e.actor == "finance-wang" && e.claim_id == 0)
    );
    assert!(
        budgets
            .iter()
            .all(|e| e.action == A::SetBudget as i32 && e.role == R::Finance as i32)
    );
    assert!(
        budgets
            .iter()
            .any(|e| e.target == format!("budget:{}:CITY", env.year))
    );
}

async fn the_audit_log_filters_by_actor_action_and_day(env: Env) {
    let id = a_claim_through_its_life(&env).await;
    let h = env.history(id).await;
    let mut admin = env.admin();
    let by_actor = pb::ListAuditLogRequest {
        actor: "gateway".into(),
        ..of_claim(id)
    };
    let mine = env.audit(&mut admin, by_actor).await.unwrap();
    let actions: Vec<A> = s::trail(&mine).into_iter().map(|t| t.0).collect();
    assert_eq!(actions, [A::Submit, A::Resubmit, A::Attach]);
    let by_action = pb::ListAuditLogRequest {
        action: A::Approve as i32,
        ..of_claim(id)
    };
    assert_eq!(
        env.audit(&mut admin, by_action).await.unwrap(),
        [h[3].clone()]
    );
    let nobody = pb::ListAuditLogRequest {
        actor: "nobody".into(),
        ..of_claim(id)
    };
    assert!(env.audit(&mut admin, nobody).await.unwrap().is_empty());
    // By China-time day: everything happened today.
    let days = |from: String, to: String| pb::ListAuditLogRequest {
        from_date: from,
        to_date: to,
        ..of_claim(id)
    };
    assert_eq!(
        env.audit(&mut admin, days(s::day(0), s::day(0)))
            .await
            .unwrap(),
        h
    );
    assert_eq!(
        env.audit(&mut admin, days(s::day(-30), String::new()))
            .await
            .unwrap(),
        h
    );
    assert!(
        env.audit(&mut admin, days(String::new(), s::day(-1)))
            .await
            .unwrap()
            .is_empty()
    );
    assert!(
        env.audit(&mut admin, days(s::day(1), String::new()))
            .await
            .unwrap()
            .is_empty()
    );
    let e = env
        .audit(&mut admin, days("2026-02-30".into(), String::new()))
        .await
        .unwrap_err();
    s::expect_error(&e, Code::InvalidArgument, "INVALID_DATE");
    let unknown = pb::ListAuditLogRequest {
        action: 99,
        ..of_claim(id)
    };
    let e = env.audit(&mut admin, unknown).await.unwrap_err();
    s::expect_error(&e, Code::InvalidArgument, "INVALID_ENUM_VALUE");

    // Pages of two: the same entries, in order, nothing repeated.
    let mut paged = Vec::new();
    let mut token = String::new();
    loop {
        let req = pb::ListAuditLogRequest {
            page_size: 2,
            page_token: token.clone(),
            ..of_claim(id)
        };
        let page = admin.list_audit_log(req).await.unwrap().into_inner();
        assert!(page.entries.len() <= 2);
        paged.extend(page.entries);
        if page.next_page_token.is_empty() {
            break;
        }
        token = page.next_page_token;
    }
    assert_eq!(paged, h);
    // Newest first, by pages of two: the same entries the other way round.
    let mut backwards = Vec::new();
    let mut token = String::new();
    loop {
        let req = pb::ListAuditLogRequest {
            page_size: 2,
            page_token: token.clone(),
            newest_first: true,
            ..of_claim(id)
        };
        let page = admin.list_audit_log(req).await.unwrap().into_inner();
        backwards.extend(page.entries);
        if page.next_page_token.is_empty() {
            break;
        }
        token = page.next_page_token;
    }
    backwards.reverse();
    assert_eq!(backwards, h);
}

async fn the_audit_log_is_read_by_whom_it_may_be_and_verifies(env: Env) {
    let id = env
        .submit("c", &env.code(1), &Ach::lead("GB/T 61-2020"))
        .await
        .claim_id;
    let full = env.history(id).await;
    assert_eq!(full.len(), 1);
    // Reviewers and finance: one claim's history, as the administrator sees it.
    for mut c in [env.reviewer(), env.finance()] {
        assert_eq!(env.audit(&mut c, of_claim(id)).await.unwrap(), full);
        let e = env
            .audit(&mut c, pb::ListAuditLogRequest::default())
            .await
            .unwrap_err();
        let m = s::expect_error(&e, Code::PermissionDenied, "PERMISSION_DENIED");
        assert_eq!(m["allowedRoles"], "admin");
        let e = env
            .audit(
                &mut c,
                pb::ListAuditLogRequest {
                    actor: "gateway".into(),
                    ..Default::default()
                },
            )
            .await
            .unwrap_err();
        s::expect_error(&e, Code::PermissionDenied, "PERMISSION_DENIED");
    }
    // The portal, not even its own claim's.
    let e = env
        .audit(&mut env.portal(), of_claim(id))
        .await
        .unwrap_err();
    let m = s::expect_error(&e, Code::PermissionDenied, "PERMISSION_DENIED");
    assert_eq!(m["role"], "portal");
    // The administrator: every entry.
    let mut admin = env.admin();
    let every = env
        .audit(
            &mut admin,
            pb::ListAuditLogRequest {
                page_size: 500,
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert!(every.iter().any(|e| e.entry_id == full[0].entry_id));
    assert!(
        every.windows(2).all(|w| w[0].entry_id < w[1].entry_id),
        "oldest first"
    );
    let bad = [
        (
            pb::ListAuditLogRequest {
                claim_id: -1,
                ..Default::default()
            },
            "INVALID_ARGUMENT",
        ),
        (
            pb::ListAuditLogRequest {
                page_size: -1,
                ..Default::default()
            },
            "INVALID_ARGUMENT",
        ),
        (
            pb::ListAuditLogRequest {
                page_token: "not-a-token".into(),
                ..Default::default()
            },
            "INVALID_PAGE_TOKEN",
        ),
    ];
    for (req, reason) in bad {
        let e = admin.list_audit_log(req).await.unwrap_err();
        s::expect_error(&e, Code::InvalidArgument, reason);
    }

    // The chain: intact, every entry checked, ending in a hash the log shows.
    let v = admin
        .verify_audit_log(pb::VerifyAuditLogRequest {})
        .await
        .unwrap()
        .into_inner();
    assert!(v.intact, "{v:?}");
    assert_eq!((v.first_broken_entry_id, v.problem.as_str()), (0, ""));
    assert!(v.entries_checked >= full[0].entry_id, "{v:?}");
    assert!(v.head_hash.starts_with("sha256:"));
    let head = env
        .audit(
            &mut admin,
            pb::ListAuditLogRequest {
                from_date: s::day(0),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert!(
        head.iter().any(|e| e.entry_hash == v.head_hash),
        "the head is an entry of the log"
    );
    let again = admin
        .verify_audit_log(pb::VerifyAuditLogRequest {})
        .await
        .unwrap()
        .into_inner();
    assert!(again.intact && again.entries_checked >= v.entries_checked);
}
