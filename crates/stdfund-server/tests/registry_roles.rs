//! The role matrix: every RegistryService RPC is called with no token, a
//! wrong token and each role's token, and the answer is exactly what the
//! table in `registry_service.proto` says — UNAUTHENTICATED without a known
//! token, PERMISSION_DENIED (naming the role and the allowed roles) for a
//! role the RPC does not admit, and the RPC's own answer otherwise. A role
//! added to or removed from an RPC in `auth.rs` changes one of these answers
//! (or the `allowedRoles` named) and fails the test. The table here is
//! checked against the proto's, so neither can drift alone.
//!
//! Also: a portal sees only its own claims (another submitter's claim is
//! NOT_FOUND, like a missing one); a server without a tokens file refuses
//! every registry call and still estimates. On SQLite and PostgreSQL.

#![allow(
    clippy::arithmetic_side_effects,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    clippy::unwrap_used
)]

mod registry_support;

use registry_support::{self as s, Ach, Backend, Env};
use stdfund_proto::pb;
use stdfund_proto::pb::estimate_service_client::EstimateServiceClient;
use tonic::{Code, Status};

/// Who may call what. `yes`: the role may; `own`: a portal, on the claims
/// it submitted; `claim`: ListAuditLog of one claim only; `-`: refused. The
/// proto's table with the amendments it states since 1.1.0 (GetReport and
/// GetTargetProgress admit reviewers; ListAuditLog admits reviewers and
/// finance for one claim's entries).
const MATRIX: &str = "
    RPC                 portal   reviewer  finance  admin
    SubmitClaim         yes      -         -        yes
    GetClaim            own      yes       yes      yes
    ListClaims          own      yes       yes      yes
    ReviewClaim         -        yes       -        yes
    RecordDisbursement  -        -         yes      yes
    ExportPublicNotice  -        -         yes      yes
    GetReport           -        yes       yes      yes
    GetTargetProgress   -        yes       yes      yes
    ListAuditLog        -        claim     claim    yes
    SetBudget           -        -         yes      yes
    GetBudget           -        yes       yes      yes
    ReviewClaims        -        yes       -        yes
    WithdrawClaim       own      -         -        yes
    ResubmitClaim       own      -         -        yes
    AddAttachment       own      -         -        yes
    ListAttachments     own      yes       yes      yes
    GetAttachment       own      yes       yes      yes
    ListBudgets         -        yes       yes      yes
    ExportPayments      -        -         yes      yes
    ExportReport        -        yes       yes      yes
    CreatePublication   -        yes       -        yes
    IssuePublication    -        yes       -        yes
    GetPublication      -        yes       yes      yes
    ListPublications    -        yes       yes      yes
    ExportPublication   -        yes       yes      yes
    RecordObjection     -        yes       -        yes
    ResolveObjection    -        yes       -        yes
    VerifyAuditLog      -        -         -        yes
    GetCaller           yes      yes       yes      yes
";

const ROLES: [&str; 4] = ["portal", "reviewer", "finance", "admin"];

/// (rpc, the cell of each role) of a table.
type Table = Vec<(String, [String; 4])>;

fn parse(lines: impl Iterator<Item = String>) -> Table {
    lines
        .map(|l| l.split_whitespace().map(str::to_string).collect::<Vec<_>>())
        .filter(|w| !w.is_empty() && w[0] != "RPC")
        .map(|w| {
            assert_eq!(w.len(), 5, "{w:?}");
            (
                w[0].clone(),
                [w[1].clone(), w[2].clone(), w[3].clone(), w[4].clone()],
            )
        })
        .collect()
}

/// The matrix above.
fn matrix() -> Table {
    parse(MATRIX.lines().map(str::to_string))
}

/// The roles a row admits, in the order `auth.rs` names them.
fn admitted(cells: &[String; 4]) -> String {
    ROLES
        .iter()
        .zip(cells)
        .filter(|(_, c)| c.as_str() != "-")
        .map(|(r, _)| *r)
        .collect::<Vec<_>>()
        .join(", ")
}

#[test]
fn the_matrix_is_the_contracts() {
    let proto = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../proto/stdfund/v1/registry_service.proto"
    ))
    .unwrap();
    let comment: Vec<String> = proto
        .lines()
        .map(|l| l.trim_start_matches("//").trim_end().to_string())
        .collect();
    let start = comment
        .iter()
        .position(|l| l.trim_start().starts_with("RPC "))
        .unwrap();
    let end = start
        + comment[start..]
            .iter()
            .position(|l| l.trim().is_empty())
            .unwrap();
    let mut table = parse(comment[start..end].iter().cloned());
    // The amendments the proto states below its table.
    let amendment = "Since 1.1.0 GetReport and GetTargetProgress also admit reviewers, and\n\
        // ListAuditLog admits reviewers and finance for the entries of one claim\n\
        // (`claim_id` set; admin alone lists every entry).";
    assert!(
        proto.contains(amendment),
        "the 1.1.0 amendment changed; update MATRIX"
    );
    for (rpc, cells) in &mut table {
        match rpc.as_str() {
            "GetReport" | "GetTargetProgress" => cells[1] = "yes".into(),
            "ListAuditLog" => [cells[1], cells[2]] = ["claim".into(), "claim".into()],
            _ => {}
        }
    }
    assert_eq!(table, matrix(), "MATRIX differs from the proto's table");
    // Every RPC of the service has a row, and no other.
    let mut declared: Vec<String> = proto
        .lines()
        .filter_map(|l| l.trim().strip_prefix("rpc "))
        .map(|l| l.split('(').next().unwrap().to_string())
        .collect();
    let mut rows: Vec<String> = table.into_iter().map(|(rpc, _)| rpc).collect();
    declared.sort();
    rows.sort();
    assert_eq!(rows, declared);
}

/// What the matrix test's calls need: a claim of the portal `gateway` with
/// an attachment, and a budget year with no approved claim.
struct Fixture {
    claim: i64,
    attachment: i64,
}

/// An id no record has.
const MISSING: i64 = 999_999_999;

async fn fixture(env: &Env) -> Fixture {
    env.set_budget("CITY", "1000000.00").await;
    let claim = env
        .submit("fixture", &env.code(1), &Ach::lead("GB/T 1-2020"))
        .await
        .claim_id;
    let file = pb::AddAttachmentRequest {
        claim_id: claim,
        file_name: "a.pdf".into(),
        content: s::pdf("a"),
    };
    let a = env
        .portal()
        .add_attachment(file)
        .await
        .unwrap()
        .into_inner();
    Fixture {
        claim,
        attachment: a.attachment.unwrap().attachment_id,
    }
}

/// Calls `rpc` with a request its admitted callers can make; `n` tells
/// callers apart where a request must differ (a new claim each).
async fn call(
    c: &mut s::Client,
    rpc: &str,
    env: &Env,
    fx: &Fixture,
    n: usize,
    one_claim: bool,
) -> Result<(), Status> {
    let year = env.year;
    let csv = pb::NoticeFormat::Csv as i32;
    let reject = pb::ReviewDecision::Reject as i32;
    let app = s::application(&env.code(2), &Ach::lead(&format!("GB/T {}-2020", 100 + n)));
    match rpc {
        "SubmitClaim" => c
            .submit_claim(env.submit_req(&format!("matrix-{n}"), app))
            .await
            .map(drop),
        "GetClaim" => c
            .get_claim(pb::GetClaimRequest {
                claim_id: fx.claim,
                view: 0,
            })
            .await
            .map(drop),
        "ListClaims" => c
            .list_claims(pb::ListClaimsRequest::default())
            .await
            .map(drop),
        "ReviewClaim" => c
            .review_claim(s::decide(MISSING, pb::ReviewDecision::Reject, "x"))
            .await
            .map(drop),
        "RecordDisbursement" => {
            let req = pb::RecordDisbursementRequest {
                claim_id: MISSING,
                payment_date: s::day(0),
                voucher_number: "V".into(),
                ..Default::default()
            };
            c.record_disbursement(req).await.map(drop)
        }
        "ExportPublicNotice" => {
            let req = pb::ExportPublicNoticeRequest {
                year,
                fiscal_unit: String::new(),
                format: csv,
            };
            c.export_public_notice(req).await.map(drop)
        }
        "GetReport" => c
            .get_report(pb::GetReportRequest {
                year,
                ..Default::default()
            })
            .await
            .map(drop),
        "GetTargetProgress" => c
            .get_target_progress(pb::GetTargetProgressRequest::default())
            .await
            .map(drop),
        "ListAuditLog" => {
            let claim_id = if one_claim { fx.claim } else { 0 };
            c.list_audit_log(pb::ListAuditLogRequest {
                claim_id,
                ..Default::default()
            })
            .await
            .map(drop)
        }
        "SetBudget" => {
            let req = pb::SetBudgetRequest {
                year,
                total: "1000000.00".into(),
                payer: String::new(),
            };
            c.set_budget(req).await.map(drop)
        }
        "GetBudget" => c
            .get_budget(pb::GetBudgetRequest {
                year,
                payer: String::new(),
            })
            .await
            .map(drop),
        "ReviewClaims" => {
            let req = pb::ReviewClaimsRequest {
                claim_ids: vec![MISSING],
                decision: reject,
                reason: "x".into(),
                dry_run: true,
                ..Default::default()
            };
            c.review_claims(req).await.map(drop)
        }
        "WithdrawClaim" => c
            .withdraw_claim(pb::WithdrawClaimRequest {
                claim_id: MISSING,
                reason: String::new(),
            })
            .await
            .map(drop),
        "ResubmitClaim" => {
            let req = pb::ResubmitClaimRequest {
                claim_id: MISSING,
                application: Some(app),
                confirm_credit_code: false,
            };
            c.resubmit_claim(req).await.map(drop)
        }
        "AddAttachment" => {
            let req = pb::AddAttachmentRequest {
                claim_id: fx.claim,
                file_name: format!("{n}.pdf"),
                content: s::pdf("m"),
            };
            c.add_attachment(req).await.map(drop)
        }
        "ListAttachments" => c
            .list_attachments(pb::ListAttachmentsRequest { claim_id: fx.claim })
            .await
            .map(drop),
        "GetAttachment" => c
            .get_attachment(pb::GetAttachmentRequest {
                attachment_id: fx.attachment,
            })
            .await
            .map(drop),
        _ => call_more(c, rpc, env, fx).await,
    }
}

/// [`call`] for budgets lists, exports, publications and the audit chain.
async fn call_more(c: &mut s::Client, rpc: &str, env: &Env, fx: &Fixture) -> Result<(), Status> {
    let year = env.year;
    let csv = pb::NoticeFormat::Csv as i32;
    match rpc {
        "ListBudgets" => c
            .list_budgets(pb::ListBudgetsRequest { year })
            .await
            .map(drop),
        "ExportPayments" => c
            .export_payments(pb::ExportPaymentsRequest { year, format: csv })
            .await
            .map(drop),
        "ExportReport" => c
            .export_report(pb::ExportReportRequest { year })
            .await
            .map(drop),
        "CreatePublication" => {
            let req = pb::CreatePublicationRequest {
                title: "公示".into(),
                year,
                period_start: "2026-12-04".into(),
                working_days: 5,
                objection_contact: "0591-00000000".into(),
                ..Default::default()
            };
            c.create_publication(req).await.map(drop)
        }
        "IssuePublication" => c
            .issue_publication(pb::IssuePublicationRequest {
                publication_id: MISSING,
            })
            .await
            .map(drop),
        "GetPublication" => c
            .get_publication(pb::GetPublicationRequest {
                publication_id: MISSING,
            })
            .await
            .map(drop),
        "ListPublications" => c
            .list_publications(pb::ListPublicationsRequest { year })
            .await
            .map(drop),
        "ExportPublication" => {
            let req = pb::ExportPublicationRequest {
                publication_id: MISSING,
                format: csv,
            };
            c.export_publication(req).await.map(drop)
        }
        "RecordObjection" => {
            let req = pb::RecordObjectionRequest {
                publication_id: MISSING,
                claim_id: fx.claim,
                received_on: "2026-12-04".into(),
                objector: "张某".into(),
                contact: String::new(),
                content: "异议".into(),
            };
            c.record_objection(req).await.map(drop)
        }
        "ResolveObjection" => {
            let req = pb::ResolveObjectionRequest {
                objection_id: MISSING,
                outcome: 1,
                resolution: "x".into(),
            };
            c.resolve_objection(req).await.map(drop)
        }
        "VerifyAuditLog" => c
            .verify_audit_log(pb::VerifyAuditLogRequest {})
            .await
            .map(drop),
        "GetCaller" => c.get_caller(pb::GetCallerRequest {}).await.map(drop),
        other => panic!("no call for the RPC {other}: add one"),
    }
}

/// The answer of an admitted caller to [`call`]'s request: OK, or the
/// RPC's own refusal of a record that does not exist.
fn admitted_answer(rpc: &str) -> (Code, &'static str) {
    match rpc {
        "ReviewClaim" | "RecordDisbursement" | "ReviewClaims" | "WithdrawClaim"
        | "ResubmitClaim" | "IssuePublication" | "GetPublication" | "ExportPublication"
        | "RecordObjection" | "ResolveObjection" => (Code::NotFound, "NOT_FOUND"),
        "CreatePublication" => (Code::InvalidArgument, "NOTHING_TO_PUBLISH"),
        _ => (Code::Ok, ""),
    }
}

#[track_caller]
fn check(got: Result<(), Status>, want: (Code, &str), what: &str) {
    match (got, want) {
        (Ok(()), (Code::Ok, _)) => {}
        (Err(e), (code, reason)) if code != Code::Ok => {
            s::expect_error(&e, code, reason);
        }
        (got, want) => panic!("{what}: got {got:?}, want {want:?}"),
    }
}

async fn every_rpc_answers_every_caller_as_the_matrix_says(env: Env) {
    let fx = fixture(&env).await;
    let ch = env.ch.clone();
    let callers: [(&str, Option<&str>); 6] = [
        ("no token", None),
        ("wrong token", Some("not-a-configured-token")),
        ("portal", Some(s::PORTAL)),
        ("reviewer", Some(s::REVIEWER)),
        ("finance", Some(s::FINANCE)),
        ("admin", Some(s::ADMIN)),
    ];
    let mut checked = 0;
    for (rpc, cells) in matrix() {
        for (n, (who, token)) in callers.iter().enumerate() {
            let mut c = s::client(&ch, *token);
            let what = format!("{rpc} × {who}");
            let got = call(&mut c, &rpc, &env, &fx, n, true).await;
            let refused = format!("{what}: answered, but the matrix refuses it");
            let Some(i) = ROLES.iter().position(|r| r == who) else {
                let e = got.expect_err(&refused);
                let m = s::expect_error(&e, Code::Unauthenticated, "UNAUTHENTICATED");
                assert!(!m.contains_key("role"), "{what}");
                checked += 1;
                continue;
            };
            if cells[i] == "-" {
                let e = got.expect_err(&refused);
                let m = s::expect_error(&e, Code::PermissionDenied, "PERMISSION_DENIED");
                assert_eq!(m["role"], *who, "{what}");
                assert_eq!(
                    m["allowedRoles"],
                    admitted(&cells),
                    "{what}: the roles auth.rs admits"
                );
            } else {
                check(got, admitted_answer(&rpc), &what);
            }
            // One claim's entries only: the whole log stays the admin's.
            if cells[i] == "claim" {
                let e = call(&mut c, &rpc, &env, &fx, n, false)
                    .await
                    .expect_err(&format!("{what}: the whole log answered"));
                let m = s::expect_error(&e, Code::PermissionDenied, "PERMISSION_DENIED");
                assert_eq!(
                    (m["role"].as_str(), m["allowedRoles"].as_str()),
                    (*who, "admin")
                );
            }
            checked += 1;
        }
    }
    assert_eq!(checked, 29 * 6);

    // GetCaller names each token as the tokens file does, with its role.
    for (name, role, token) in s::CALLERS {
        let me = s::client(&ch, Some(token))
            .get_caller(pb::GetCallerRequest {})
            .await
            .unwrap()
            .into_inner();
        assert_eq!(me.name, name);
        let want = match role {
            "portal" => pb::AccessRole::Portal,
            "reviewer" => pb::AccessRole::Reviewer,
            "finance" => pb::AccessRole::Finance,
            "admin" => pb::AccessRole::Admin,
            other => panic!("role {other}"),
        };
        assert_eq!(me.role(), want, "{name}");
    }

    // A header that is not `Bearer <token>` is UNAUTHENTICATED too.
    for header in ["Basic YWRtaW46YWRtaW4=", "Bearer", "admin-token"] {
        let mut req = tonic::Request::new(pb::ListClaimsRequest::default());
        req.metadata_mut()
            .insert("authorization", header.parse().unwrap());
        let e = s::client(&ch, None).list_claims(req).await.unwrap_err();
        s::expect_error(&e, Code::Unauthenticated, "UNAUTHENTICATED");
    }
    // Estimates and the catalogue need no token.
    let mut est = EstimateServiceClient::new(ch.clone());
    est.get_catalog(pb::GetCatalogRequest {}).await.unwrap();
    let a = est
        .estimate(s::application(&env.code(3), &Ach::lead("GB/T 8-2020")))
        .await
        .unwrap();
    assert_eq!(a.into_inner().total, "300000.00");
}

fn add_file(claim_id: i64) -> pb::AddAttachmentRequest {
    pb::AddAttachmentRequest {
        claim_id,
        file_name: "a.pdf".into(),
        content: s::pdf("a"),
    }
}

fn get(claim_id: i64) -> pb::GetClaimRequest {
    pb::GetClaimRequest { claim_id, view: 0 }
}

fn withdraw(claim_id: i64) -> pb::WithdrawClaimRequest {
    pb::WithdrawClaimRequest {
        claim_id,
        reason: String::new(),
    }
}

/// The other portal's refusals, RPC by RPC, of a claim and its attachment
/// that are not its own.
async fn others_refusals(env: &Env, claim: i64, file: i64) -> Vec<(&'static str, Status)> {
    let app = s::application(&env.code(1), &Ach::lead("GB/T 1-2020"));
    let resubmit = pb::ResubmitClaimRequest {
        claim_id: claim,
        application: Some(app),
        confirm_credit_code: false,
    };
    let list = pb::ListAttachmentsRequest { claim_id: claim };
    let fetch = pb::GetAttachmentRequest {
        attachment_id: file,
    };
    let mut other = env.portal2();
    vec![
        ("GetClaim", other.get_claim(get(claim)).await.unwrap_err()),
        (
            "WithdrawClaim",
            other.withdraw_claim(withdraw(claim)).await.unwrap_err(),
        ),
        (
            "ResubmitClaim",
            other.resubmit_claim(resubmit).await.unwrap_err(),
        ),
        (
            "AddAttachment",
            other.add_attachment(add_file(claim)).await.unwrap_err(),
        ),
        (
            "ListAttachments",
            other.list_attachments(list).await.unwrap_err(),
        ),
        (
            "GetAttachment",
            other.get_attachment(fetch).await.unwrap_err(),
        ),
    ]
}

async fn another_portals_claim_does_not_exist(env: Env) {
    let mine = env
        .submitted("mine", &env.code(1), &Ach::lead("GB/T 1-2020"))
        .await;
    let a = env
        .portal()
        .add_attachment(add_file(mine))
        .await
        .unwrap()
        .into_inner();
    let a = a.attachment.unwrap();
    // Returned: withdrawing and resubmitting are open to its submitter.
    env.decide(mine, pb::ReviewDecision::Return, "请补正").await;

    let refusals = others_refusals(&env, mine, a.attachment_id).await;
    for (rpc, e) in &refusals {
        let m = s::expect_error(e, Code::NotFound, "NOT_FOUND");
        let id = if *rpc == "GetAttachment" {
            a.attachment_id
        } else {
            mine
        };
        assert_eq!(m["id"], id.to_string(), "{rpc}");
        assert!(
            !e.message().contains("gateway"),
            "{rpc}: nothing about the owner"
        );
    }
    // Exactly as a claim that does not exist.
    let missing = env.portal2().get_claim(get(MISSING)).await.unwrap_err();
    let shape = |e: &Status, id: i64| e.message().replace(&id.to_string(), "#");
    assert_eq!(shape(&refusals[0].1, mine), shape(&missing, MISSING));
    // Nothing changed.
    assert_eq!(
        env.claim(mine).await.status,
        pb::ClaimStatus::Returned as i32
    );
    let files = env
        .admin()
        .list_attachments(pb::ListAttachmentsRequest { claim_id: mine })
        .await;
    assert_eq!(
        files.unwrap().into_inner().attachments,
        std::slice::from_ref(&a)
    );

    // The owner may do each of these.
    let mut owner = env.portal();
    owner.get_claim(get(mine)).await.unwrap();
    owner
        .get_attachment(pb::GetAttachmentRequest {
            attachment_id: a.attachment_id,
        })
        .await
        .unwrap();
    owner
        .list_attachments(pb::ListAttachmentsRequest { claim_id: mine })
        .await
        .unwrap();
    owner.add_attachment(add_file(mine)).await.unwrap();
    let app = s::application(&env.code(1), &Ach::lead("GB/T 1-2020"));
    let resubmit = pb::ResubmitClaimRequest {
        claim_id: mine,
        application: Some(app),
        confirm_credit_code: false,
    };
    let again = owner
        .resubmit_claim(resubmit)
        .await
        .unwrap()
        .into_inner()
        .claim
        .unwrap();
    assert_eq!(again.status, pb::ClaimStatus::Submitted as i32);
    let gone = owner
        .withdraw_claim(withdraw(mine))
        .await
        .unwrap()
        .into_inner()
        .claim
        .unwrap();
    assert_eq!(gone.status, pb::ClaimStatus::Withdrawn as i32);
}

async fn a_portal_lists_only_its_own_claims(env: Env) {
    let (code1, code2) = (env.code(1), env.code(2));
    let mine = env
        .submitted("mine", &code1, &Ach::lead("GB/T 1-2020"))
        .await;
    let app = s::application(&code2, &Ach::lead("GB/T 2-2020"));
    let theirs = env
        .portal2()
        .submit_claim(env.submit_req("theirs", app))
        .await
        .unwrap();
    let theirs = theirs.into_inner().claim.unwrap().claim_id;
    let year = pb::ListClaimsRequest {
        year: env.year,
        ..Default::default()
    };
    for (mut c, own, other_code) in [
        (env.portal(), mine, &code2),
        (env.portal2(), theirs, &code1),
    ] {
        let list = c.list_claims(year.clone()).await.unwrap().into_inner();
        let ids: Vec<i64> = list.claims.iter().map(|x| x.claim_id).collect();
        assert_eq!((ids, list.total_count), (vec![own], 1));
        assert_eq!(list.status_counts.iter().map(|s| s.count).sum::<i64>(), 1);
        // Searching for the other unit finds nothing.
        let search = pb::ListClaimsRequest {
            query: other_code.clone(),
            ..year.clone()
        };
        let found = c.list_claims(search).await.unwrap().into_inner();
        assert_eq!((found.claims.len(), found.total_count), (0, 0));
        // A search text of 50,000 characters (a `LIKE` pattern SQLite
        // refuses) is the caller's error, never the server's.
        for long in ["a".repeat(50_001), "%".repeat(49_000), "福".repeat(201)] {
            let e = c
                .list_claims(pb::ListClaimsRequest {
                    query: long,
                    ..year.clone()
                })
                .await
                .unwrap_err();
            let m = s::expect_error(&e, Code::InvalidArgument, "FIELD_TOO_LONG");
            assert_eq!(m["field"], "query");
        }
    }
    // Everyone else sees both.
    for mut c in [env.reviewer(), env.finance(), env.admin()] {
        let all = c.list_claims(year.clone()).await.unwrap().into_inner();
        assert_eq!(all.total_count, 2);
        assert_eq!(
            all.claims.iter().map(|x| x.claim_id).collect::<Vec<_>>(),
            [mine, theirs]
        );
    }
}

macro_rules! on_both_backends {
    ($($name:ident = $slot:literal;)*) => {
        $(
            mod $name {
                use crate::registry_support::{Backend, Env};

                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn sqlite() {
                    let env = Env::new(Backend::Sqlite, $slot, stringify!($name)).await;
                    super::$name(env.unwrap()).await;
                }

                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn postgres() {
                    if let Some(env) = Env::new(Backend::Postgres, $slot, stringify!($name)).await {
                        super::$name(env).await;
                    }
                }
            }
        )*
    };
}

on_both_backends! {
    every_rpc_answers_every_caller_as_the_matrix_says = 1;
    another_portals_claim_does_not_exist = 2;
    a_portal_lists_only_its_own_claims = 4;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_a_tokens_file_the_registry_refuses_everything_and_estimates_work() {
    let settings = s::settings(&s::sqlite_url(), false);
    let server = stdfund_server::server::start(&settings).await.unwrap();
    let ch = s::channel(server.addr()).await;
    // Calls need an Env for their requests; the shared server's gives one.
    let env = Env::new(Backend::Sqlite, 3, "without_a_tokens_file")
        .await
        .unwrap();
    let fx = Fixture {
        claim: 1,
        attachment: 1,
    };
    for (rpc, _) in matrix() {
        for token in [None, Some(s::ADMIN)] {
            let e = call(&mut s::client(&ch, token), &rpc, &env, &fx, 0, true)
                .await
                .unwrap_err();
            let m = s::expect_error(&e, Code::Unauthenticated, "UNAUTHENTICATED");
            assert_eq!(m["tokensConfigured"], "false", "{rpc}");
            assert!(e.message().contains("no tokens are configured"), "{e:?}");
        }
    }
    let mut est = EstimateServiceClient::new(ch.clone());
    est.get_catalog(pb::GetCatalogRequest {}).await.unwrap();
    server.shutdown().await.unwrap();
}
