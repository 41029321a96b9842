//! Budgets per year and payer: the municipal budget (`CITY`) bears every
//! approved amount, a district's budget its district shares; an approval
//! needs the municipal budget and fits both; a budget never drops below what
//! is used.

use crate::registry_support::{self as s, Ach, Env};
use stdfund_proto::pb;
use tonic::Code;

on_both_backends! {
    municipal_and_district_budgets = 25;
    an_approval_must_fit_every_budget = 26;
    long_values_are_refused_without_being_quoted = 63;
}

fn set(year: i32, payer: &str, total: &str) -> pb::SetBudgetRequest {
    pb::SetBudgetRequest {
        year,
        total: total.into(),
        payer: payer.into(),
    }
}

/// (payer, payer name, total, used, left).
fn shown(b: &pb::Budget) -> (&str, &str, &str, &str, &str) {
    (&b.payer, &b.payer_name_zh, &b.total, &b.used, &b.left)
}

async fn municipal_and_district_budgets(env: Env) {
    let c = env
        .submit("lead", &env.code(1), &Ach::lead("GB/T 1-2020"))
        .await;
    let e = env
        .reviewer()
        .review_claim(s::approve(c.claim_id))
        .await
        .unwrap_err();
    let m = s::expect_error(&e, Code::FailedPrecondition, "BUDGET_NOT_SET");
    assert_eq!(
        (m["year"].clone(), m["payer"].as_str()),
        (env.year.to_string(), "CITY")
    );
    for payer in ["", "CITY", "350102"] {
        let e = env
            .reviewer()
            .get_budget(pb::GetBudgetRequest {
                year: env.year,
                payer: payer.into(),
            })
            .await
            .unwrap_err();
        let m = s::expect_error(&e, Code::NotFound, "BUDGET_NOT_SET");
        if payer == "350102" {
            // A district by its name, its code beside it.
            assert!(
                m["messageZh"].contains("鼓楼区(350102)预算尚未设置"),
                "{m:?}"
            );
            assert!(m["messageEn"].contains("Gulou District (350102)"), "{m:?}");
        }
    }
    let none = env
        .reviewer()
        .list_budgets(pb::ListBudgetsRequest { year: env.year })
        .await
        .unwrap()
        .into_inner();
    assert!(none.budgets.is_empty());

    // Malformed budgets.
    let bad = [
        (set(env.year, "350203", "1.00"), "INVALID_PAYER", "payer"),
        (set(2015, "", "1.00"), "INVALID_YEAR", "year"),
        (set(env.year, "", "-1"), "INVALID_AMOUNT", "total"),
        (set(env.year, "", "1.001"), "INVALID_AMOUNT", "total"),
        (set(env.year, "", "一百万"), "INVALID_AMOUNT", "total"),
        (set(env.year, "", ""), "MISSING_FIELD", "total"),
    ];
    for (req, reason, field) in bad {
        let e = env.finance().set_budget(req).await.unwrap_err();
        let m = s::expect_error(&e, Code::InvalidArgument, reason);
        assert_eq!(m["field"], field);
    }

    let city = env.set_budget("", "900000").await;
    assert_eq!(
        shown(&city),
        ("CITY", "市级", "900000.00", "0.00", "900000.00")
    );
    assert_eq!(city.year, env.year);
    assert!(city.updated_at.is_some());
    let city = env.set_budget("CITY", "1000000.00").await;
    assert_eq!(city.total, "1000000.00", "set again, replaced");
    // GetBudget says when, as the contract says.
    assert_eq!(env.budget("CITY").await.updated_at, city.updated_at);
    let gulou = env.set_budget("350102", "200000.00").await;
    assert_eq!(
        shown(&gulou),
        ("350102", "鼓楼区", "200000.00", "0.00", "200000.00")
    );
    env.set_budget("350104", "100000.00").await;

    // An approval uses the municipal budget and the district's share.
    env.approve(c.claim_id).await;
    let list = env
        .reviewer()
        .list_budgets(pb::ListBudgetsRequest { year: env.year })
        .await
        .unwrap()
        .into_inner();
    let got: Vec<_> = list.budgets.iter().map(shown).collect();
    assert_eq!(
        got,
        [
            ("CITY", "市级", "1000000.00", "300000.00", "700000.00"),
            ("350102", "鼓楼区", "200000.00", "150000.00", "50000.00"),
            ("350104", "仓山区", "100000.00", "0.00", "100000.00"),
        ]
    );
    assert_eq!(env.budget("350102").await, list.budgets[1]);
    let all = env
        .finance()
        .list_budgets(pb::ListBudgetsRequest { year: 0 })
        .await
        .unwrap()
        .into_inner();
    assert!(list.budgets.iter().all(|b| all.budgets.contains(b)));

    // Never below what is used; exactly what is used is fine.
    for (payer, total, used) in [
        ("CITY", "299999.99", "300000.00"),
        ("350102", "149999.99", "150000.00"),
    ] {
        let e = env
            .finance()
            .set_budget(set(env.year, payer, total))
            .await
            .unwrap_err();
        let m = s::expect_error(&e, Code::FailedPrecondition, "BUDGET_BELOW_USED");
        assert_eq!(
            (m["payer"].as_str(), m["total"].as_str(), m["used"].as_str()),
            (payer, total, used)
        );
        assert_eq!(m["field"], "total");
    }
    let city = env.set_budget("CITY", "300000.00").await;
    assert_eq!(
        (city.used.as_str(), city.left.as_str()),
        ("300000.00", "0.00")
    );
    // The audit log records each budget change with its before and after.
    let entries = env
        .audit(
            &mut env.admin(),
            pb::ListAuditLogRequest {
                action: pb::AuditAction::SetBudget as i32,
                actor: "finance-wang".into(),
                from_date: s::day(-1),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let target = format!("budget:{}:CITY", env.year);
    let mine: Vec<&pb::AuditEntry> = entries.iter().filter(|e| e.target == target).collect();
    assert_eq!(mine.len(), 3);
    assert!(mine[0].before_json.is_empty());
    assert!(mine[2].before_json.contains("1000000") && mine[2].after_json.contains("300000"));
}

async fn an_approval_must_fit_every_budget(env: Env) {
    env.set_budget("CITY", "400000.00").await;
    let code = env.code(1);
    env.approved("lead", &code, &Ach::lead("GB/T 1-2020")).await;
    let industry = env
        .submit(
            "industry",
            &code,
            &Ach::new("STANDARD_LEAD", "INDUSTRY", "JB/T 2-2020", "2020-05-01"),
        )
        .await;
    let e = env
        .reviewer()
        .review_claim(s::approve(industry.claim_id))
        .await
        .unwrap_err();
    let m = s::expect_error(&e, Code::FailedPrecondition, "BUDGET_EXCEEDED");
    let year = env.year.to_string();
    assert_eq!(
        (
            m["year"].as_str(),
            m["payer"].as_str(),
            m["total"].as_str(),
            m["used"].as_str(),
            m["left"].as_str(),
            m["requested"].as_str()
        ),
        (
            year.as_str(),
            "CITY",
            "400000.00",
            "300000.00",
            "100000.00",
            "200000.00"
        )
    );
    assert!(m["messageZh"].contains("剩余100,000.00元"), "{m:?}");
    // The English names the city, not its internal id.
    assert!(
        m["messageEn"].contains(&format!("{year} budget of the city:")),
        "{m:?}"
    );
    assert!(!m["messageEn"].contains("CITY"), "{m:?}");
    assert_eq!(
        env.claim(industry.claim_id).await.status,
        pb::ClaimStatus::Submitted as i32
    );

    // Enough municipal money, but 鼓楼区's budget has 10,000 left for a
    // district share of 100,000.
    env.set_budget("CITY", "2000000.00").await;
    env.set_budget("350102", "160000.00").await;
    let e = env
        .reviewer()
        .review_claim(s::approve(industry.claim_id))
        .await
        .unwrap_err();
    let m = s::expect_error(&e, Code::FailedPrecondition, "BUDGET_EXCEEDED");
    assert_eq!(
        (
            m["payer"].as_str(),
            m["total"].as_str(),
            m["used"].as_str(),
            m["left"].as_str(),
            m["requested"].as_str()
        ),
        ("350102", "160000.00", "150000.00", "10000.00", "100000.00")
    );
    // The district's share is said to be its share, not the approval.
    assert!(
        m["messageZh"].starts_with("本申报由鼓楼区(350102)承担的100,000.00元将超出"),
        "{m:?}"
    );
    assert!(
        m["messageEn"].starts_with(
            "the share of Gulou District (350102) in this claim, 100,000.00, would exceed"
        ),
        "{m:?}"
    );
    assert_eq!(env.budget("CITY").await.used, "300000.00");
    // A district without a budget of its own is not limited.
    let local = Ach::new("STANDARD_LEAD", "LOCAL", "DB35/T 3-2020", "2020-05-01");
    let elsewhere = env.submit_at("elsewhere", &code, "350104", &local).await;
    env.approve(elsewhere.claim_id).await;
    // Room made, the approval fits.
    env.set_budget("350102", "250000.00").await;
    env.approve(industry.claim_id).await;
    let b = env.budget("350102").await;
    assert_eq!((b.used.as_str(), b.left.as_str()), ("250000.00", "0.00"));
    assert_eq!(env.budget("CITY").await.used, "600000.00");
}

/// A refusal quotes what was typed in several places of its details; a long
/// value (a date, an amount, a payer, a page token) is refused by its length
/// instead, so that the answer stays readable by a client with a limit on
/// its trailers (grpcio: 8 KB) — not turned into RESOURCE_EXHAUSTED.
async fn long_values_are_refused_without_being_quoted(env: Env) {
    let long = "9".repeat(3000);
    let status_size = |e: &tonic::Status| {
        let mut h = http::HeaderMap::new();
        e.clone().add_header(&mut h).unwrap();
        h.iter()
            .map(|(k, v)| k.as_str().len().saturating_add(v.len()))
            .fold(0_usize, usize::saturating_add)
    };
    let e = env
        .admin()
        .set_budget(set(env.year, "CITY", &long))
        .await
        .unwrap_err();
    let m = s::expect_error(&e, Code::InvalidArgument, "FIELD_TOO_LONG");
    assert_eq!(m["field"], "total");
    assert!(status_size(&e) < 4096, "{} bytes", status_size(&e));
    let e = env
        .admin()
        .set_budget(set(env.year, &long, "1.00"))
        .await
        .unwrap_err();
    let m = s::expect_error(&e, Code::InvalidArgument, "FIELD_TOO_LONG");
    assert_eq!(m["field"], "payer");
    for token in ["A".repeat(3000), "B".repeat(900)] {
        let e = env
            .portal()
            .list_claims(pb::ListClaimsRequest {
                page_token: token.clone(),
                ..Default::default()
            })
            .await
            .unwrap_err();
        s::expect_error(&e, Code::InvalidArgument, "INVALID_PAGE_TOKEN");
        assert!(status_size(&e) < 4096, "{} bytes", status_size(&e));
    }
    let e = env
        .portal()
        .list_claims(pb::ListClaimsRequest {
            submitted_from: long.clone(),
            ..Default::default()
        })
        .await
        .unwrap_err();
    s::expect_error(&e, Code::InvalidArgument, "FIELD_TOO_LONG");
    // A short bad value is still quoted, with the advice it earns.
    let e = env
        .admin()
        .set_budget(set(env.year, "CITY", "12.5万"))
        .await
        .unwrap_err();
    let m = s::expect_error(&e, Code::InvalidArgument, "INVALID_AMOUNT");
    assert!(m["messageZh"].contains("125000.00"), "{m:?}");
    // The value offered is data too (`meant`), as in the estimate's errors
    // (D32): in an amount and in a date of a registry request.
    assert_eq!(m["meant"], "125000.00", "{m:?}");
    let e = env
        .reviewer()
        .list_claims(pb::ListClaimsRequest {
            amount_min: "20万".into(),
            ..Default::default()
        })
        .await
        .unwrap_err();
    let m = s::expect_error(&e, Code::InvalidArgument, "INVALID_AMOUNT");
    assert_eq!(
        (m["field"].as_str(), m["meant"].as_str()),
        ("amount_min", "200000.00")
    );
    let e = env
        .reviewer()
        .list_claims(pb::ListClaimsRequest {
            submitted_from: "2026/12/06".into(),
            ..Default::default()
        })
        .await
        .unwrap_err();
    let m = s::expect_error(&e, Code::InvalidArgument, "INVALID_DATE");
    assert_eq!(m["meant"], "2026-12-06", "{m:?}");
}
