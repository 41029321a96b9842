//! The role matrix: every RegistryService RPC × {no token, a wrong token,
//! portal, reviewer, finance, admin} gets UNAUTHENTICATED, PERMISSION_DENIED,
//! or (any other answer) is authorised — exactly as the table in
//! `registry_service.proto` says. Estimates need no token; a server without a
//! tokens file refuses every registry call and still estimates; a portal
//! sees only its own claims.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod registry_support;

use registry_support as s;
use stdfund_proto::pb;
use stdfund_proto::pb::estimate_service_client::EstimateServiceClient;
use tonic::{Code, Status};

const RPCS: [&str; 11] = [
    "SubmitClaim",
    "GetClaim",
    "ListClaims",
    "ReviewClaim",
    "RecordDisbursement",
    "ExportPublicNotice",
    "GetReport",
    "GetTargetProgress",
    "ListAuditLog",
    "SetBudget",
    "GetBudget",
];

/// The roles allowed per RPC, as the contract's table gives them.
fn allowed(rpc: &str) -> &'static [&'static str] {
    match rpc {
        "SubmitClaim" => &["portal", "admin"],
        "GetClaim" | "ListClaims" => &["portal", "reviewer", "finance", "admin"],
        "ReviewClaim" => &["reviewer", "admin"],
        "RecordDisbursement" | "ExportPublicNotice" | "GetReport" | "GetTargetProgress"
        | "SetBudget" => &["finance", "admin"],
        "ListAuditLog" => &["admin"],
        "GetBudget" => &["reviewer", "finance", "admin"],
        other => panic!("unknown rpc {other}"),
    }
}

/// Calls one RPC with a minimal request; only the status code matters here.
async fn call(c: &mut s::Client, rpc: &str) -> Result<(), Status> {
    let app = s::application(
        &s::credit_code(7),
        &s::Ach::new("STANDARD_LEAD", "NATIONAL", "GB/T 7-2020", "2020-05-01"),
    );
    match rpc {
        "SubmitClaim" => c
            .submit_claim(s::submit("matrix-1", app, 2021))
            .await
            .map(drop),
        "GetClaim" => c
            .get_claim(pb::GetClaimRequest {
                claim_id: 1,
                ..Default::default()
            })
            .await
            .map(drop),
        "ListClaims" => c
            .list_claims(pb::ListClaimsRequest::default())
            .await
            .map(drop),
        "ReviewClaim" => c
            .review_claim(pb::ReviewClaimRequest {
                claim_id: 999,
                decision: pb::ReviewDecision::Reject as i32,
                reason: "matrix".into(),
                reviewer_amount: String::new(),
                ..Default::default()
            })
            .await
            .map(drop),
        "RecordDisbursement" => c
            .record_disbursement(pb::RecordDisbursementRequest {
                claim_id: 999,
                payment_date: "2021-03-01".into(),
                voucher_number: "V-1".into(),
                ..Default::default()
            })
            .await
            .map(drop),
        "ExportPublicNotice" => c
            .export_public_notice(pb::ExportPublicNoticeRequest {
                year: 2021,
                fiscal_unit: String::new(),
                format: pb::NoticeFormat::Csv as i32,
            })
            .await
            .map(drop),
        "GetReport" => c
            .get_report(pb::GetReportRequest::default())
            .await
            .map(drop),
        "GetTargetProgress" => c
            .get_target_progress(pb::GetTargetProgressRequest::default())
            .await
            .map(drop),
        "ListAuditLog" => c
            .list_audit_log(pb::ListAuditLogRequest::default())
            .await
            .map(drop),
        "SetBudget" => c
            .set_budget(pb::SetBudgetRequest {
                year: 2021,
                total: "1000000.00".into(),
                ..Default::default()
            })
            .await
            .map(drop),
        "GetBudget" => c
            .get_budget(pb::GetBudgetRequest {
                year: 2021,
                ..Default::default()
            })
            .await
            .map(drop),
        other => panic!("unknown rpc {other}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_rpc_checks_every_role() {
    let server = s::start(&s::sqlite_url()).await;
    let ch = s::channel(server.addr()).await;
    let callers: [(&str, Option<&str>); 6] = [
        ("no token", None),
        ("wrong token", Some("not-a-configured-token")),
        ("portal", Some(s::PORTAL)),
        ("reviewer", Some(s::REVIEWER)),
        ("finance", Some(s::FINANCE)),
        ("admin", Some(s::ADMIN)),
    ];
    let mut checked = 0;
    for rpc in RPCS {
        for (who, token) in callers {
            let mut c = s::client(&ch, token);
            let got = call(&mut c, rpc).await;
            let code = got.as_ref().err().map_or(Code::Ok, Status::code);
            match who {
                "no token" | "wrong token" => {
                    assert_eq!(code, Code::Unauthenticated, "{rpc} × {who}: {got:?}");
                    let st = got.unwrap_err();
                    s::expect_error(&st, Code::Unauthenticated, "UNAUTHENTICATED");
                }
                role if allowed(rpc).contains(&role) => assert!(
                    code != Code::Unauthenticated && code != Code::PermissionDenied,
                    "{rpc} × {who} must be authorised: {got:?}"
                ),
                role => {
                    assert_eq!(code, Code::PermissionDenied, "{rpc} × {who}: {got:?}");
                    let m = s::expect_error(
                        &got.unwrap_err(),
                        Code::PermissionDenied,
                        "PERMISSION_DENIED",
                    );
                    assert_eq!(m["role"], role);
                }
            }
            checked += 1;
        }
    }
    assert_eq!(checked, 66);

    // A malformed header is UNAUTHENTICATED too.
    let mut raw = s::client(&ch, None);
    let mut req = tonic::Request::new(pb::ListClaimsRequest::default());
    req.metadata_mut()
        .insert("authorization", "Basic YWRtaW46YWRtaW4=".parse().unwrap());
    let e = raw.list_claims(req).await.unwrap_err();
    assert_eq!(e.code(), Code::Unauthenticated);

    // Estimates and the catalogue need no token.
    let mut est = EstimateServiceClient::new(ch.clone());
    est.get_catalog(pb::GetCatalogRequest {}).await.unwrap();
    est.get_engine_info(pb::GetEngineInfoRequest {})
        .await
        .unwrap();
    let a = est
        .estimate(s::application(
            &s::credit_code(8),
            &s::Ach::new("STANDARD_LEAD", "NATIONAL", "GB/T 8-2020", "2020-05-01"),
        ))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(a.total, "300000.00");
    server.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_a_tokens_file_the_registry_refuses_everything_and_estimates_work() {
    let settings = s::settings(&s::sqlite_url(), false);
    let server = stdfund_server::server::start(&settings).await.unwrap();
    let ch = s::channel(server.addr()).await;
    for rpc in RPCS {
        for token in [None, Some(s::ADMIN)] {
            let e = call(&mut s::client(&ch, token), rpc).await.unwrap_err();
            let m = s::expect_error(&e, Code::Unauthenticated, "UNAUTHENTICATED");
            assert_eq!(m["tokensConfigured"], "false", "{rpc}");
            assert!(e.message().contains("no tokens are configured"), "{e:?}");
        }
    }
    let mut est = EstimateServiceClient::new(ch.clone());
    est.get_catalog(pb::GetCatalogRequest {}).await.unwrap();
    server.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_portal_sees_only_its_own_claims() {
    let server = s::start(&s::sqlite_url()).await;
    let ch = s::channel(server.addr()).await;
    let mut p1 = s::client(&ch, Some(s::PORTAL));
    let mut p2 = s::client(&ch, Some(s::PORTAL_2));
    let mut reviewer = s::client(&ch, Some(s::REVIEWER));
    let mut ids = Vec::new();
    for (n, c) in [(11u32, &mut p1), (12, &mut p2)] {
        let app = s::application(
            &s::credit_code(n),
            &s::Ach::new(
                "STANDARD_LEAD",
                "NATIONAL",
                &format!("GB/T {n}-2020"),
                "2020-05-01",
            ),
        );
        let r = c
            .submit_claim(s::submit(&format!("own-{n}"), app, 2021))
            .await
            .unwrap()
            .into_inner();
        ids.push(r.claim.unwrap().claim_id);
    }
    // Own claim: visible; the other portal's: NOT_FOUND, like a missing one.
    let own = p1
        .get_claim(pb::GetClaimRequest {
            claim_id: ids[0],
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(own.claim.unwrap().submitted_by, "gateway");
    let e = p1
        .get_claim(pb::GetClaimRequest {
            claim_id: ids[1],
            ..Default::default()
        })
        .await
        .unwrap_err();
    s::expect_error(&e, Code::NotFound, "NOT_FOUND");
    let listed = p1
        .list_claims(pb::ListClaimsRequest::default())
        .await
        .unwrap()
        .into_inner();
    let seen: Vec<i64> = listed.claims.iter().map(|c| c.claim_id).collect();
    assert_eq!(seen, [ids[0]]);
    // A reviewer sees both.
    let all = reviewer
        .list_claims(pb::ListClaimsRequest::default())
        .await
        .unwrap()
        .into_inner();
    assert_eq!(all.claims.len(), 2);
    server.shutdown().await.unwrap();
}
