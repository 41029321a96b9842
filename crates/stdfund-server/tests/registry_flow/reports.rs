//! GetReport: rows per (year, fiscal unit, clause) — or per item — whose
//! sums are the total; GetTargetProgress: approved claims counted against
//! the 2020 targets over a period of achievement dates.
#![allow(clippy::arithmetic_side_effects)]

use crate::registry_support::{self as s, Ach, Env};
use stdfund_proto::pb;
use stdfund_rules::money::Money;
use tonic::Code;

on_both_backends! {
    report_totals_are_the_sums_of_their_rows = 55;
    the_report_by_item_and_filtered = 57;
    target_progress_counts_approved_claims_of_the_period = 56;
}

const LEAD: &str = "标准制修订主导单位或第一起草单位";

fn add(a: &str, b: &str) -> String {
    Money::parse_yuan(a)
        .unwrap()
        .checked_add(Money::parse_yuan(b).unwrap())
        .unwrap()
        .to_canonical()
}

/// The sums of the rows' figures.
fn sum(rows: &[pb::ReportRow]) -> pb::ReportFigures {
    let zero = "0.00".to_string();
    let mut t = pb::ReportFigures {
        approved_amount: zero.clone(),
        municipal_share: zero.clone(),
        district_share: zero.clone(),
        paid_amount: zero,
        ..Default::default()
    };
    for f in rows.iter().map(|r| r.figures.as_ref().unwrap()) {
        t.claims += f.claims;
        t.submitted += f.submitted;
        t.returned += f.returned;
        t.withdrawn += f.withdrawn;
        t.approved += f.approved;
        t.rejected += f.rejected;
        t.disbursed += f.disbursed;
        t.approved_amount = add(&t.approved_amount, &f.approved_amount);
        t.municipal_share = add(&t.municipal_share, &f.municipal_share);
        t.district_share = add(&t.district_share, &f.district_share);
        t.paid_amount = add(&t.paid_amount, &f.paid_amount);
    }
    t
}

/// (fiscal unit, clause, item, claims, approved amount) of each row.
fn keys(rows: &[pb::ReportRow]) -> Vec<(&str, &str, &str, i64, &str)> {
    rows.iter()
        .map(|r| {
            let f = r.figures.as_ref().unwrap();
            (
                r.fiscal_unit.as_str(),
                r.clause.as_str(),
                r.item.as_str(),
                f.claims,
                f.approved_amount.as_str(),
            )
        })
        .collect()
}

/// Claims of every status in two districts and three clauses:
///
/// | unit   | clause | claims                                          |
/// |--------|--------|-------------------------------------------------|
/// | 350102 | 五(五)1 | 300,000 paid in full; 200,000 paid 50,000       |
/// | 350102 | 五(五)2 | 150,000 rejected                                |
/// | 350102 | 五(五)3 | 60,000 (AWARD_CHINA), 30,000 (AWARD_FUJIAN)     |
/// | 350104 | 五(五)1 | submitted, returned, withdrawn                  |
async fn claims_of_every_status(env: &Env) {
    env.set_budget("CITY", "2000000.00").await;
    env.set_budget("350102", "1000000.00").await;
    let (c1, c2) = (env.code(1), env.code(2));
    let a = env
        .approved("a", &c1, &Ach::lead("GB/T 55-2020"))
        .await
        .claim_id;
    env.pay(a, &env.key("V-a"), "").await;
    let industry = Ach::of("STANDARD_LEAD", "INDUSTRY", "JB/T 55-2020");
    let b = env.approved("b", &c1, &industry).await.claim_id;
    env.pay(b, &env.key("V-b"), "50000.00").await;
    let part = Ach::of("STANDARD_PARTICIPANT", "NATIONAL", "GB/T 55-2020");
    let c = env.submitted("c", &c2, &part).await;
    env.decide(c, pb::ReviewDecision::Reject, "重复申报").await;
    let award = |item: &'static str, variant: &'static str, subject: &str| Ach {
        role: pb::Role::Lead,
        ..Ach::of(item, variant, subject)
    };
    env.approved(
        "e",
        &c1,
        &award("AWARD_CHINA", "PROJECT_FIRST", "GB/T 551-2018"),
    )
    .await;
    env.approved(
        "f",
        &c1,
        &award("AWARD_FUJIAN", "PROJECT_SECOND", "GB/T 552-2018"),
    )
    .await;
    let local = |subject: &str| Ach::of("STANDARD_LEAD", "LOCAL", subject);
    env.submit_at("g", &c2, "350104", &local("DB35/T 551-2020"))
        .await;
    let h = env
        .submit_at("h", &c2, "350104", &local("DB35/T 552-2020"))
        .await
        .claim_id;
    env.decide(h, pb::ReviewDecision::Return, "请补充材料")
        .await;
    let i = env
        .submit_at("i", &c2, "350104", &local("DB35/T 553-2020"))
        .await
        .claim_id;
    let withdraw = pb::WithdrawClaimRequest {
        claim_id: i,
        reason: String::new(),
    };
    env.portal().withdraw_claim(withdraw).await.unwrap();
}

async fn report(
    env: &Env,
    req: pb::GetReportRequest,
) -> Result<pb::GetReportResponse, tonic::Status> {
    env.finance()
        .get_report(req)
        .await
        .map(tonic::Response::into_inner)
}

fn of_year(env: &Env, by_item: bool) -> pb::GetReportRequest {
    pb::GetReportRequest {
        year: env.year,
        by_item,
        ..Default::default()
    }
}

async fn report_totals_are_the_sums_of_their_rows(env: Env) {
    claims_of_every_status(&env).await;
    let rep = report(&env, of_year(&env, false)).await.unwrap();
    assert_eq!(
        keys(&rep.rows),
        [
            ("350102", "五(五)1", "STANDARD_LEAD", 2, "500000.00"),
            ("350102", "五(五)2", "STANDARD_PARTICIPANT", 1, "0.00"),
            ("350102", "五(五)3", "", 2, "90000.00"),
            ("350104", "五(五)1", "STANDARD_LEAD", 3, "0.00"),
        ]
    );
    assert!(rep.rows.iter().all(|r| r.year == env.year));
    let first = &rep.rows[0];
    assert_eq!(
        (
            first.fiscal_unit_name_zh.as_str(),
            first.item_name_zh.as_str()
        ),
        ("鼓楼区", LEAD)
    );
    assert_eq!(rep.rows[3].fiscal_unit_name_zh, "仓山区");
    let total = rep.total.clone().unwrap();
    assert_eq!(total, sum(&rep.rows), "the total is the sum of the rows");
    let counts = (
        total.claims,
        total.submitted,
        total.returned,
        total.withdrawn,
    );
    assert_eq!(counts, (8, 1, 1, 1));
    assert_eq!((total.approved, total.rejected, total.disbursed), (3, 1, 1));
    assert_eq!(
        (total.approved_amount.as_str(), total.paid_amount.as_str()),
        ("590000.00", "350000.00")
    );
    let shares = (
        total.municipal_share.as_str(),
        total.district_share.as_str(),
    );
    assert_eq!(shares, ("175000.00", "175000.00"), "the paid shares");
    let f = first.figures.clone().unwrap();
    assert_eq!(
        (f.approved, f.disbursed, f.paid_amount.as_str()),
        (1, 1, "350000.00")
    );
    let last = rep.rows[3].figures.clone().unwrap();
    assert_eq!((last.submitted, last.returned, last.withdrawn), (1, 1, 1));
    // Every budget of the year: the city's, then 鼓楼区's (its share).
    let budgets: Vec<(&str, &str)> = rep
        .budgets
        .iter()
        .map(|b| (b.payer.as_str(), b.used.as_str()))
        .collect();
    assert_eq!(budgets, [("CITY", "590000.00"), ("350102", "295000.00")]);
}

async fn the_report_by_item_and_filtered(env: Env) {
    claims_of_every_status(&env).await;
    let all = report(&env, of_year(&env, false)).await.unwrap();
    // Per item, clause 五(五)3 shows its two awards apart; same total.
    let by_item = report(&env, of_year(&env, true)).await.unwrap();
    assert_eq!(
        keys(&by_item.rows)[2..4],
        [
            ("350102", "五(五)3", "AWARD_CHINA", 1, "60000.00"),
            ("350102", "五(五)3", "AWARD_FUJIAN", 1, "30000.00")
        ]
    );
    assert_eq!(by_item.rows[3].item_name_zh, "福建省标准贡献奖");
    assert_eq!(by_item.rows.len(), 5);
    assert_eq!(by_item.total, all.total);
    assert_eq!(by_item.total.unwrap(), sum(&by_item.rows));

    // Filters: each total is the sum of its rows.
    let unit = pb::GetReportRequest {
        fiscal_unit: "350104".into(),
        ..of_year(&env, false)
    };
    let unit = report(&env, unit).await.unwrap();
    assert_eq!(
        keys(&unit.rows),
        [("350104", "五(五)1", "STANDARD_LEAD", 3, "0.00")]
    );
    assert_eq!(unit.total.clone().unwrap(), sum(&unit.rows));
    let clause = pb::GetReportRequest {
        clause: "五(五)3".into(),
        ..of_year(&env, false)
    };
    let clause_rows = report(&env, clause).await.unwrap();
    assert_eq!(
        keys(&clause_rows.rows),
        [("350102", "五(五)3", "", 2, "90000.00")]
    );
    assert_eq!(clause_rows.total.clone().unwrap(), sum(&clause_rows.rows));
    let item = pb::GetReportRequest {
        item: "AWARD_FUJIAN".into(),
        ..of_year(&env, true)
    };
    let item_rows = report(&env, item).await.unwrap();
    assert_eq!(
        keys(&item_rows.rows),
        [("350102", "五(五)3", "AWARD_FUJIAN", 1, "30000.00")]
    );
    let none = pb::GetReportRequest {
        fiscal_unit: "350105".into(),
        ..of_year(&env, false)
    };
    let none = report(&env, none).await.unwrap();
    assert!(none.rows.is_empty());
    assert_eq!((none.total.unwrap().claims, none.budgets.len()), (0, 2));
    let e = report(
        &env,
        pb::GetReportRequest {
            year: 2015,
            ..Default::default()
        },
    )
    .await
    .unwrap_err();
    s::expect_error(&e, Code::InvalidArgument, "INVALID_YEAR");

    // A filter is read as an official types it (a unit's name, full-width
    // brackets, an id in lower case) and gives the same rows; one that names
    // nothing is refused, never an empty report that reads as "no claims".
    for (fiscal_unit, clause, item) in [
        ("仓山区", "", ""),
        ("福州市仓山区", "", ""),
        ("", "五（五）3", ""),
        ("", "", "award_fujian"),
    ] {
        let req = pb::GetReportRequest {
            fiscal_unit: fiscal_unit.into(),
            clause: clause.into(),
            item: item.into(),
            ..of_year(&env, !item.is_empty())
        };
        let got = report(&env, req).await.unwrap();
        let want = if !fiscal_unit.is_empty() {
            &unit
        } else if !clause.is_empty() {
            &clause_rows
        } else {
            &item_rows
        };
        assert_eq!(&got, want, "{fiscal_unit}{clause}{item}");
    }
    for (fiscal_unit, clause, item, code) in [
        ("350203", "", "", "UNKNOWN_FISCAL_UNIT"),
        ("仓山", "", "", "UNKNOWN_FISCAL_UNIT"),
        ("", "五(五)10", "", "UNKNOWN_CLAUSE"),
        ("", "", "AWARD", "UNKNOWN_ITEM"),
    ] {
        let req = pb::GetReportRequest {
            fiscal_unit: fiscal_unit.into(),
            clause: clause.into(),
            item: item.into(),
            ..of_year(&env, false)
        };
        let e = report(&env, req).await.unwrap_err();
        s::expect_error(&e, Code::InvalidArgument, code);
    }
    // The registry is shared by the tests of this binary: this one's year only.
    let listed = |fiscal_unit: &str| pb::ListClaimsRequest {
        fiscal_unit: fiscal_unit.into(),
        year: env.year,
        ..Default::default()
    };
    let by_name = env
        .reviewer()
        .list_claims(listed("仓山区"))
        .await
        .unwrap()
        .into_inner();
    let by_code = env
        .reviewer()
        .list_claims(listed("350104"))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(by_name.claims.len(), 3);
    assert_eq!(by_name, by_code);
    let e = env
        .reviewer()
        .list_claims(listed("厦门"))
        .await
        .unwrap_err();
    s::expect_error(&e, Code::InvalidArgument, "UNKNOWN_FISCAL_UNIT");
}

async fn target_progress_counts_approved_claims_of_the_period(env: Env) {
    // Achievement dates in March 2017 belong to this test alone.
    env.set_budget("CITY", "3000000.00").await;
    let (a, b) = (env.code(1), env.code(2));
    let on = |item: &'static str, variant: &'static str, subject: &str, date: &'static str| {
        Ach::new(item, variant, subject, date)
    };
    env.approved(
        "group",
        &a,
        &on("STANDARD_LEAD", "GROUP", "T/FZBZ 56-2017", "2017-03-01"),
    )
    .await;
    env.approved(
        "gb-a",
        &a,
        &on("STANDARD_LEAD", "NATIONAL", "GB/T 56-2017", "2017-03-02"),
    )
    .await;
    env.approved(
        "gb-b",
        &b,
        &on("STANDARD_LEAD", "NATIONAL", "GB/T 56-2017", "2017-03-02"),
    )
    .await;
    env.approved(
        "tc",
        &a,
        &on(
            "TC_SECRETARIAT",
            "NATIONAL_TC_SC",
            "SAC/TC 560",
            "2017-03-03",
        ),
    )
    .await;
    let pilot = Ach {
        accepted: true,
        ..on(
            "DEMONSTRATION_PILOT",
            "NATIONAL",
            "试点-2017-56",
            "2017-03-06",
        )
    };
    env.approved("pilot", &a, &pilot).await;
    env.submit(
        "pending",
        &a,
        &on("STANDARD_LEAD", "INDUSTRY", "JB/T 56-2017", "2017-03-04"),
    )
    .await;
    env.approved(
        "april",
        &a,
        &on("STANDARD_LEAD", "LOCAL", "DB35/T 56-2017", "2017-04-03"),
    )
    .await;

    let progress = |from: &str, to: &str| pb::GetTargetProgressRequest {
        period_from: from.into(),
        period_to: to.into(),
    };
    let p = env
        .reviewer()
        .get_target_progress(progress("2017-03-01", "2017-03-31"))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(
        (p.period_from.as_str(), p.period_to.as_str()),
        ("2017-03-01", "2017-03-31")
    );
    assert_eq!(p.ruleset.as_ref().unwrap().id, "fz-2016");
    let t = |p: &pb::GetTargetProgressResponse, id: &str| {
        p.targets
            .iter()
            .find(|t| t.target_id == id)
            .unwrap()
            .clone()
    };
    let got: Vec<(&str, i64)> = [
        "GROUP_STANDARDS",
        "NEW_STANDARDS",
        "NATIONAL_TC_HOSTED",
        "PILOTS_COMBINED",
    ]
    .into_iter()
    .map(|id| (id, t(&p, id).achieved))
    .collect();
    // Two units leading one standard: one new standard.
    assert_eq!(
        got,
        [
            ("GROUP_STANDARDS", 1),
            ("NEW_STANDARDS", 1),
            ("NATIONAL_TC_HOSTED", 1),
            ("PILOTS_COMBINED", 1)
        ]
    );
    assert_eq!(t(&p, "GROUP_STANDARDS").counted, ["STANDARD_LEAD/GROUP"]);
    assert_eq!(t(&p, "GROUP_STANDARDS").figure, 15);
    assert_eq!(
        t(&p, "NEW_STANDARDS").visibility,
        pb::TargetVisibility::Partial as i32
    );
    let enterprise = t(&p, "ENTERPRISE_STANDARDS_PUBLIC");
    assert_eq!(
        (enterprise.visibility, enterprise.achieved),
        (pb::TargetVisibility::None as i32, 0)
    );
    assert!(enterprise.note_zh.contains("无法统计"), "{enterprise:?}");
    assert_eq!(t(&p, "PILOTS_COMBINED").figure, 50);
    assert_eq!(p.targets.last().unwrap().target_id, "PILOTS_COMBINED");

    // A longer period takes in April's standard.
    let april = env
        .finance()
        .get_target_progress(progress("2017-03-01", "2017-04-30"))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(t(&april, "NEW_STANDARDS").achieved, 2);
    // By default: the ruleset's start to the end of 2020, every claim counted.
    let all = env
        .finance()
        .get_target_progress(progress("", ""))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(
        (all.period_from.as_str(), all.period_to.as_str()),
        ("2016-04-25", "2020-12-31")
    );
    assert!(t(&all, "NEW_STANDARDS").achieved >= 2);
    for (from, to) in [
        ("2017-04-01", "2017-03-01"),
        ("2017-3-1", ""),
        ("", "31/12/2020"),
    ] {
        let e = env
            .finance()
            .get_target_progress(progress(from, to))
            .await
            .unwrap_err();
        s::expect_error(&e, Code::InvalidArgument, "INVALID_DATE");
    }
}
