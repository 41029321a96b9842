//! The whole claim life cycle over gRPC, on SQLite and on PostgreSQL (a
//! throwaway cluster; under CI=true it must run): budget → submit → approve
//! (recomputed, frozen) → disburse (shares and share table) → public notice
//! (CSV and XLSX, opened and read back) → report → target progress → the
//! audit log holds every change. Along the way: a budget overrun shows its
//! figures, a discretionary claim needs an amount and a reason, a credit
//! code failing its check needs a confirmation that is recorded, lines that
//! cannot be paid are refused with their reason code, a participation claim
//! on a standard the unit leads is CONFLICTS_WITH_LEAD, and the one-time key
//! ignores the stated level.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod registry_support;

use registry_support as s;
use std::io::Read;
use stdfund_proto::pb;
use tonic::Code;

fn approve(claim_id: i64) -> pb::ReviewClaimRequest {
    pb::ReviewClaimRequest {
        claim_id,
        decision: pb::ReviewDecision::Approve as i32,
        reason: String::new(),
        reviewer_amount: String::new(),
        ..Default::default()
    }
}

async fn life_cycle(database_url: &str) {
    let server = s::start(database_url).await;
    let ch = s::channel(server.addr()).await;
    let mut portal = s::client(&ch, Some(s::PORTAL));
    let mut reviewer = s::client(&ch, Some(s::REVIEWER));
    let mut finance = s::client(&ch, Some(s::FINANCE));
    let mut admin = s::client(&ch, Some(s::ADMIN));
    // Every state change the test makes; the audit log must hold exactly these.
    let mut changes: Vec<(i64, pb::AuditAction, &str)> = Vec::new();

    // Budget for 2021: 400,000.00 yuan.
    let b = finance
        .set_budget(pb::SetBudgetRequest {
            year: 2021,
            total: "400000.00".into(),
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner()
        .budget
        .unwrap();
    assert_eq!(
        (b.total.as_str(), b.used.as_str(), b.left.as_str()),
        ("400000.00", "0.00", "400000.00")
    );
    assert!(b.updated_at.is_some());
    changes.push((0, pb::AuditAction::SetBudget, "finance-wang"));

    // 1. Submit a national standard led by the unit: 30万.
    let code = s::credit_code(1);
    let lead = s::Ach::new("STANDARD_LEAD", "NATIONAL", "GB/T 12345-2020", "2020-05-01");
    let r = portal
        .submit_claim(s::submit("flow-lead", s::application(&code, &lead), 2021))
        .await
        .unwrap()
        .into_inner();
    assert!(r.created);
    let c = r.claim.unwrap();
    assert_eq!(c.status, pb::ClaimStatus::Submitted as i32);
    assert_eq!(c.estimated_amount, "300000.00");
    assert_eq!(c.clause, "五(五)1");
    assert_eq!(c.fiscal_unit, "350102");
    assert_eq!(c.year, 2021);
    assert!(c.credit_code_check_passed && !c.credit_code_confirmed);
    assert_eq!(c.estimate.as_ref().unwrap().total, "300000.00");
    assert_eq!(
        c.application.as_ref().unwrap().achievements[0].subject,
        "GB/T 12345-2020"
    );
    let lead_id = c.claim_id;
    changes.push((lead_id, pb::AuditAction::Submit, "gateway"));

    // The one-time key ignores the stated level: the same standard as INDUSTRY.
    let again = s::Ach::new("STANDARD_LEAD", "INDUSTRY", "GB/T 12345-2020", "2020-05-01");
    let e = portal
        .submit_claim(s::submit(
            "flow-lead-again",
            s::application(&code, &again),
            2021,
        ))
        .await
        .unwrap_err();
    let m = s::expect_error(&e, Code::AlreadyExists, "ALREADY_GRANTED");
    assert_eq!(m["existingClaimId"], lead_id.to_string());
    // Participation in a standard the unit leads.
    let part = s::Ach::new(
        "STANDARD_PARTICIPANT",
        "NATIONAL",
        "GB/T 12345-2020",
        "2020-05-01",
    );
    let e = portal
        .submit_claim(s::submit("flow-part", s::application(&code, &part), 2021))
        .await
        .unwrap_err();
    let m = s::expect_error(&e, Code::FailedPrecondition, "CONFLICTS_WITH_LEAD");
    assert_eq!(m["existingClaimId"], lead_id.to_string());
    // Another unit may participate in the same standard.
    let other_unit = s::credit_code(2);
    let r = portal
        .submit_claim(s::submit(
            "flow-part-other",
            s::application(&other_unit, &part),
            2021,
        ))
        .await
        .unwrap()
        .into_inner();
    let part_id = r.claim.unwrap().claim_id;
    changes.push((part_id, pb::AuditAction::Submit, "gateway"));

    // Lines that cannot be paid are refused with their reason code.
    let refused = [
        (
            s::Ach::new(
                "STANDARD_PARTICIPANT",
                "LOCAL",
                "DB35/T 9-2020",
                "2020-05-01",
            ),
            "350102",
            "NOT_COVERED",
        ),
        (
            s::Ach::new("STANDARD_LEAD", "NATIONAL", "GB/T 9-2020", "2020-05-01"),
            "350128",
            "OUTSIDE_FUZHOU",
        ),
        (
            s::Ach::new("STANDARD_LEAD", "NATIONAL", "GB/T 9-2015", "2015-05-01"),
            "350102",
            "NO_POLICY_IN_FORCE",
        ),
        (
            s::Ach::new(
                "DEMONSTRATION_PILOT",
                "NATIONAL",
                "试点-2020-9",
                "2020-05-01",
            ),
            "350102",
            "NOT_YET_ACCEPTED",
        ),
    ];
    for (i, (a, seat, reason)) in refused.iter().enumerate() {
        let e = portal
            .submit_claim(s::submit(
                &format!("flow-refused-{i}"),
                s::application_at(&s::credit_code(9), seat, a),
                2021,
            ))
            .await
            .unwrap_err();
        let m = s::expect_error(&e, Code::FailedPrecondition, reason);
        assert_eq!(m["reasonCode"], *reason);
    }
    // More than one achievement, or none, is not a claim.
    let mut two = s::application(&s::credit_code(9), &lead);
    two.achievements.push(two.achievements[0].clone());
    two.achievements[1].id = "a2".into();
    let e = portal
        .submit_claim(s::submit("flow-two", two, 2021))
        .await
        .unwrap_err();
    s::expect_error(&e, Code::InvalidArgument, "CLAIM_NEEDS_ONE_ACHIEVEMENT");

    // 2. Approve: recomputed and frozen with its receipt and split.
    let e = reviewer
        .review_claim(pb::ReviewClaimRequest {
            reviewer_amount: "1.00".into(),
            ..approve(lead_id)
        })
        .await
        .unwrap_err();
    s::expect_error(&e, Code::InvalidArgument, "REVIEWER_AMOUNT_NOT_ALLOWED");
    let c = reviewer
        .review_claim(approve(lead_id))
        .await
        .unwrap()
        .into_inner()
        .claim
        .unwrap();
    changes.push((lead_id, pb::AuditAction::Approve, "reviewer-li"));
    assert_eq!(c.status, pb::ClaimStatus::Approved as i32);
    let review = c.review.unwrap();
    assert_eq!(review.decision, pb::ReviewDecision::Approve as i32);
    assert_eq!(review.reviewed_by, "reviewer-li");
    assert_eq!(review.approved_amount, "300000.00");
    assert!(!review.amount_set_by_reviewer);
    let frozen = review.approval_assessment.unwrap();
    assert_eq!(frozen.total, "300000.00");
    let receipt = frozen.receipt.unwrap();
    assert!(receipt.input_hash.starts_with("sha256:"));
    assert_eq!(receipt.rulesets[0].id, "fz-2016");
    let split = review.approved_split.unwrap();
    assert_eq!(
        (
            split.municipal_share.as_str(),
            split.district_share.as_str()
        ),
        ("150000.00", "150000.00")
    );
    assert!(split.share_tables[0].provisional);
    // Approving twice is refused by state.
    let e = reviewer.review_claim(approve(lead_id)).await.unwrap_err();
    let m = s::expect_error(&e, Code::FailedPrecondition, "INVALID_STATE");
    assert_eq!(m["status"], "APPROVED");

    // 3. Budget overrun shows the figures: 200,000 asked, 100,000 left.
    let industry = s::Ach::new("STANDARD_LEAD", "INDUSTRY", "JB/T 777-2020", "2020-07-01");
    let big = portal
        .submit_claim(s::submit(
            "flow-big",
            s::application(&code, &industry),
            2021,
        ))
        .await
        .unwrap()
        .into_inner()
        .claim
        .unwrap()
        .claim_id;
    changes.push((big, pb::AuditAction::Submit, "gateway"));
    let e = reviewer.review_claim(approve(big)).await.unwrap_err();
    let m = s::expect_error(&e, Code::FailedPrecondition, "BUDGET_EXCEEDED");
    assert_eq!(m["year"], "2021");
    assert_eq!(m["total"], "400000.00");
    assert_eq!(m["used"], "300000.00");
    assert_eq!(m["left"], "100000.00");
    assert_eq!(m["requested"], "200000.00");
    let e = reviewer
        .review_claim(pb::ReviewClaimRequest {
            claim_id: big,
            decision: pb::ReviewDecision::Reject as i32,
            reason: String::new(),
            reviewer_amount: String::new(),
            ..Default::default()
        })
        .await
        .unwrap_err();
    s::expect_error(&e, Code::InvalidArgument, "MISSING_FIELD");
    let c = reviewer
        .review_claim(pb::ReviewClaimRequest {
            claim_id: big,
            decision: pb::ReviewDecision::Reject as i32,
            reason: "预算不足,下一年度重新申报".into(),
            reviewer_amount: String::new(),
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner()
        .claim
        .unwrap();
    changes.push((big, pb::AuditAction::Reject, "reviewer-li"));
    assert_eq!(c.status, pb::ClaimStatus::Rejected as i32);
    assert_eq!(c.review.unwrap().reason, "预算不足,下一年度重新申报");

    // No budget for 2022.
    let y2022 = portal
        .submit_claim(s::submit(
            "flow-2022",
            s::application(
                &code,
                &s::Ach::new("STANDARD_LEAD", "LOCAL", "DB35/T 2022-2021", "2021-03-01"),
            ),
            2022,
        ))
        .await
        .unwrap()
        .into_inner()
        .claim
        .unwrap()
        .claim_id;
    changes.push((y2022, pb::AuditAction::Submit, "gateway"));
    let e = reviewer.review_claim(approve(y2022)).await.unwrap_err();
    s::expect_error(&e, Code::FailedPrecondition, "BUDGET_NOT_SET");
    let e = reviewer
        .get_budget(pb::GetBudgetRequest {
            year: 2022,
            ..Default::default()
        })
        .await
        .unwrap_err();
    s::expect_error(&e, Code::NotFound, "BUDGET_NOT_SET");

    // 4. Discretionary (五(五)9): a reviewer sets amount and reason.
    let wto = s::Ach::new(
        "OTHER_ACTIVITY",
        "WTO_TBT_WARNING",
        "TBT预警-2020-01",
        "2020-09-01",
    );
    let c = admin
        .submit_claim(s::submit("flow-wto", s::application(&code, &wto), 2021))
        .await
        .unwrap()
        .into_inner()
        .claim
        .unwrap();
    assert_eq!(c.estimated_amount, "0.00");
    let wto_id = c.claim_id;
    changes.push((wto_id, pb::AuditAction::Submit, "admin-chen"));
    let e = reviewer.review_claim(approve(wto_id)).await.unwrap_err();
    let m = s::expect_error(&e, Code::InvalidArgument, "MISSING_FIELD");
    assert_eq!(m["field"], "reviewer_amount");
    let e = reviewer
        .review_claim(pb::ReviewClaimRequest {
            reviewer_amount: "50000.00".into(),
            ..approve(wto_id)
        })
        .await
        .unwrap_err();
    let m = s::expect_error(&e, Code::InvalidArgument, "MISSING_FIELD");
    assert_eq!(m["field"], "reason");
    for bad in ["0.00", "-5", "1.234", "五万"] {
        let e = reviewer
            .review_claim(pb::ReviewClaimRequest {
                reviewer_amount: bad.into(),
                reason: "x".into(),
                ..approve(wto_id)
            })
            .await
            .unwrap_err();
        s::expect_error(&e, Code::InvalidArgument, "INVALID_AMOUNT");
    }
    let c = reviewer
        .review_claim(pb::ReviewClaimRequest {
            reviewer_amount: "50000.01".into(),
            reason: "WTO/TBT预警项目,按评审会议纪要核定".into(),
            ..approve(wto_id)
        })
        .await
        .unwrap()
        .into_inner()
        .claim
        .unwrap();
    changes.push((wto_id, pb::AuditAction::Approve, "reviewer-li"));
    let review = c.review.unwrap();
    assert_eq!(review.approved_amount, "50000.01");
    assert!(review.amount_set_by_reviewer);
    let split = review.approved_split.unwrap();
    // 50000.01 × 0.5 = 25000.005 → 25000.01 (half-up); the rest is municipal.
    assert_eq!(
        (
            split.municipal_share.as_str(),
            split.district_share.as_str()
        ),
        ("25000.00", "25000.01")
    );
    assert_eq!(
        review.approval_assessment.unwrap().lines[0].status,
        pb::LineStatus::Discretionary as i32
    );

    // 5. Credit code failing its check: refused, then confirmed and recorded.
    let bad = s::bad_check_code(3);
    let gi = s::Ach {
        approved: true,
        ..s::Ach::new(
            "GEOGRAPHICAL_INDICATION",
            "AGRICULTURAL_GI",
            "福州茉莉花茶",
            "2020-10-01",
        )
    };
    let e = portal
        .submit_claim(s::submit("flow-gi", s::application(&bad, &gi), 2021))
        .await
        .unwrap_err();
    let m = s::expect_error(&e, Code::FailedPrecondition, "CREDIT_CODE_CHECK_MISMATCH");
    assert_eq!(m["expected"], s::credit_code(3)[17..]);
    let c = portal
        .submit_claim(pb::SubmitClaimRequest {
            confirm_credit_code: true,
            ..s::submit("flow-gi", s::application(&bad, &gi), 2021)
        })
        .await
        .unwrap()
        .into_inner()
        .claim
        .unwrap();
    assert!(c.credit_code_confirmed && !c.credit_code_check_passed);
    assert_eq!(c.credit_code, bad);
    let gi_id = c.claim_id;
    changes.push((gi_id, pb::AuditAction::Submit, "gateway"));

    // 6. Disburse the lead claim.
    let e = finance
        .record_disbursement(pb::RecordDisbursementRequest {
            claim_id: gi_id,
            payment_date: "2021-03-01".into(),
            voucher_number: "V-0".into(),
            ..Default::default()
        })
        .await
        .unwrap_err();
    s::expect_error(&e, Code::FailedPrecondition, "INVALID_STATE");
    let e = finance
        .record_disbursement(pb::RecordDisbursementRequest {
            claim_id: lead_id,
            payment_date: "2021-02-30".into(),
            voucher_number: "V-1".into(),
            ..Default::default()
        })
        .await
        .unwrap_err();
    s::expect_error(&e, Code::InvalidArgument, "INVALID_DATE");
    let c = finance
        .record_disbursement(pb::RecordDisbursementRequest {
            claim_id: lead_id,
            payment_date: "2021-03-01".into(),
            voucher_number: "记-2021-03-0001".into(),
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner()
        .claim
        .unwrap();
    changes.push((lead_id, pb::AuditAction::Disburse, "finance-wang"));
    assert_eq!(c.status, pb::ClaimStatus::Disbursed as i32);
    let d = c.disbursement.unwrap();
    assert_eq!(d.payment_date, "2021-03-01");
    assert_eq!(d.voucher_number, "记-2021-03-0001");
    assert_eq!(
        (d.municipal_share.as_str(), d.district_share.as_str()),
        ("150000.00", "150000.00")
    );
    assert_eq!(d.share_table_id, "fz-share-provisional");
    assert!(
        d.share_table.unwrap().provisional,
        "the provisional table is named"
    );
    assert_eq!(d.recorded_by, "finance-wang");
    let c = admin
        .get_claim(pb::GetClaimRequest {
            claim_id: lead_id,
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner()
        .claim
        .unwrap();
    assert_eq!(c.disbursement.unwrap().voucher_number, "记-2021-03-0001");

    // 7. Public notice, CSV: the two claims approved for 2021, in claim order.
    let n = finance
        .export_public_notice(pb::ExportPublicNoticeRequest {
            year: 2021,
            fiscal_unit: String::new(),
            format: pb::NoticeFormat::Csv as i32,
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(n.file_name, "stdfund-public-notice-2021.csv");
    assert_eq!(n.content_type, "text/csv; charset=utf-8");
    assert_eq!(n.entries.len(), 2);
    let text = String::from_utf8(n.content.clone()).unwrap();
    assert!(text.starts_with('\u{feff}'), "UTF-8 BOM for Excel");
    let lines: Vec<&str> = text
        .trim_start_matches('\u{feff}')
        .trim_end()
        .split("\r\n")
        .collect();
    assert_eq!(lines.len(), 3);
    assert_eq!(
        lines[0],
        "序号,申报编号,单位名称,统一社会信用代码,所在地,资助项目,条款,标的,资助金额(元)"
    );
    let unit = format!("福州示例科技有限公司{}", &code[9..17]);
    assert_eq!(
        lines[1],
        format!(
            "1,{lead_id},{unit},{code},鼓楼区,标准制修订主导单位或第一起草单位,五(五)1,GB/T 12345-2020,300000.00"
        )
    );
    assert_eq!(
        lines[2],
        format!(
            "2,{wto_id},{unit},{code},鼓楼区,其他标准化项目和活动,五(五)9,TBT预警-2020-01,50000.01"
        )
    );
    // XLSX: open the archive, read the sheet's XML, find the same rows.
    let x = finance
        .export_public_notice(pb::ExportPublicNoticeRequest {
            year: 2021,
            fiscal_unit: "350102".into(),
            format: pb::NoticeFormat::Xlsx as i32,
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(x.file_name, "stdfund-public-notice-2021-350102.xlsx");
    assert_eq!(x.entries, n.entries);
    use calamine::Reader;
    let mut book: calamine::Xlsx<_> =
        calamine::open_workbook_from_rs(std::io::Cursor::new(x.content)).unwrap();
    assert_eq!(book.sheet_names(), ["公示名单"]);
    let range = book.worksheet_range("公示名单").unwrap();
    let rows: Vec<Vec<String>> = range
        .rows()
        .map(|r| r.iter().map(|c| c.to_string()).collect())
        .collect();
    assert_eq!(rows.len(), 4, "header, two lines, totals: {rows:?}");
    assert!(rows[0][8].contains("资助金额(元)"));
    assert_eq!(rows[1][1], lead_id.to_string());
    assert!(rows[1].iter().any(|c| c.contains(&unit)));
    assert_eq!(rows[1][8], "300000");
    assert_eq!(rows[2][8], "50000.01");
    assert!(rows[2].iter().any(|c| c.contains("其他标准化项目和活动")));
    assert!(rows[3][0].contains("合计"));

    // Another district: no rows.
    let empty = finance
        .export_public_notice(pb::ExportPublicNoticeRequest {
            year: 2021,
            fiscal_unit: "350104".into(),
            format: pb::NoticeFormat::Csv as i32,
        })
        .await
        .unwrap()
        .into_inner();
    assert!(empty.entries.is_empty());

    // 8. Report for 2021.
    let rep = finance
        .get_report(pb::GetReportRequest {
            year: 2021,
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner();
    let total = rep.total.clone().unwrap();
    // lead (disbursed), participation by another unit and GI (submitted),
    // the overrun (rejected), WTO/TBT (approved); the 2022 claim is not here.
    assert_eq!(total.claims, 5, "{rep:?}");
    assert_eq!(
        (
            total.submitted,
            total.approved,
            total.rejected,
            total.disbursed
        ),
        (2, 1, 1, 1)
    );
    assert_eq!(total.approved_amount, "350000.01");
    assert_eq!(
        (
            total.municipal_share.as_str(),
            total.district_share.as_str()
        ),
        ("150000.00", "150000.00")
    );
    let clause1 = rep
        .rows
        .iter()
        .find(|r| r.clause == "五(五)1" && r.fiscal_unit == "350102")
        .unwrap();
    assert_eq!(clause1.fiscal_unit_name_zh, "鼓楼区");
    let f = clause1.figures.as_ref().unwrap();
    assert_eq!((f.claims, f.disbursed, f.rejected), (2, 1, 1));
    assert_eq!(rep.budgets.len(), 1);
    let b = &rep.budgets[0];
    assert_eq!(
        (b.year, b.total.as_str(), b.used.as_str(), b.left.as_str()),
        (2021, "400000.00", "350000.01", "49999.99")
    );

    // 9. The 2020 targets: one new national standard, one group standard none.
    let p = finance
        .get_target_progress(pb::GetTargetProgressRequest::default())
        .await
        .unwrap()
        .into_inner();
    assert_eq!(
        (p.period_from.as_str(), p.period_to.as_str()),
        ("2016-04-25", "2020-12-31")
    );
    let t = |id: &str| p.targets.iter().find(|t| t.target_id == id).unwrap();
    assert_eq!(t("NEW_STANDARDS").achieved, 1);
    assert_eq!(
        t("NEW_STANDARDS").visibility,
        pb::TargetVisibility::Partial as i32
    );
    assert_eq!(t("GROUP_STANDARDS").achieved, 0);
    assert_eq!(
        t("ENTERPRISE_STANDARDS_PUBLIC").visibility,
        pb::TargetVisibility::None as i32
    );
    assert!(
        t("ENTERPRISE_STANDARDS_PUBLIC")
            .note_zh
            .contains("无法统计")
    );
    assert_eq!(t("PILOTS_COMBINED").figure, 50);
    let narrow = finance
        .get_target_progress(pb::GetTargetProgressRequest {
            period_from: "2020-06-01".into(),
            period_to: String::new(),
        })
        .await
        .unwrap()
        .into_inner();
    let nt = narrow
        .targets
        .iter()
        .find(|t| t.target_id == "NEW_STANDARDS")
        .unwrap();
    assert_eq!(
        nt.achieved, 0,
        "the standard of 2020-05-01 lies before the period"
    );

    // 10. The audit log holds every change, in order, with who and role; paged.
    let mut entries = Vec::new();
    let mut token = String::new();
    loop {
        let page = admin
            .list_audit_log(pb::ListAuditLogRequest {
                claim_id: 0,
                page_size: 3,
                page_token: token.clone(),
                ..Default::default()
            })
            .await
            .unwrap()
            .into_inner();
        entries.extend(page.entries);
        if page.next_page_token.is_empty() {
            break;
        }
        token = page.next_page_token;
    }
    let got: Vec<(i64, i32, String)> = entries
        .iter()
        .map(|e| (e.claim_id, e.action, e.actor.clone()))
        .collect();
    let want: Vec<(i64, i32, String)> = changes
        .iter()
        .map(|(id, a, who)| (*id, *a as i32, who.to_string()))
        .collect();
    assert_eq!(got, want);
    let roles: Vec<i32> = entries.iter().map(|e| e.role).collect();
    assert!(
        roles
            .iter()
            .all(|r| *r != pb::AccessRole::Unspecified as i32)
    );
    // The confirmation of the credit code is in the audit entry of the submission.
    let gi_audit = entries.iter().find(|e| e.claim_id == gi_id).unwrap();
    assert!(gi_audit.before_json.is_empty());
    let after: serde_json::Value = serde_json::from_str(&gi_audit.after_json).unwrap();
    assert_eq!(after["credit_code_confirmed"], true);
    // The approval's audit entry holds the frozen receipt.
    let approve_audit = entries
        .iter()
        .find(|e| e.claim_id == lead_id && e.action == pb::AuditAction::Approve as i32)
        .unwrap();
    let after: serde_json::Value = serde_json::from_str(&approve_audit.after_json).unwrap();
    assert!(
        after["receipt_json"]
            .as_str()
            .unwrap()
            .contains("\"approvedAmount\":\"300000.00\"")
    );
    // One claim's entries.
    let one = admin
        .list_audit_log(pb::ListAuditLogRequest {
            claim_id: lead_id,
            page_size: 0,
            page_token: String::new(),
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner();
    let actions: Vec<i32> = one.entries.iter().map(|e| e.action).collect();
    assert_eq!(
        actions,
        [
            pb::AuditAction::Submit as i32,
            pb::AuditAction::Approve as i32,
            pb::AuditAction::Disburse as i32
        ]
    );

    // Listing with filters.
    let approved = reviewer
        .list_claims(pb::ListClaimsRequest {
            year: 2021,
            status: pb::ClaimStatus::Approved as i32,
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner();
    let ids: Vec<i64> = approved.claims.iter().map(|c| c.claim_id).collect();
    assert_eq!(ids, [wto_id]);
    let e = reviewer
        .list_claims(pb::ListClaimsRequest {
            page_token: "not-a-token".into(),
            ..Default::default()
        })
        .await
        .unwrap_err();
    s::expect_error(&e, Code::InvalidArgument, "INVALID_PAGE_TOKEN");
    server.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_claim_life_cycle() {
    life_cycle(&s::sqlite_url()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_claim_life_cycle() {
    let Some(cluster) = s::pg::PgCluster::start_or_skip() else {
        return;
    };
    life_cycle(&cluster.url("postgres")).await;
}
