//! The registry's files read back as a spreadsheet program and a CSV reader
//! would: ExportPublicNotice, ExportPublication, ExportPayments (CSV and
//! XLSX) and ExportReport (XLSX with a chart per sheet). Identifiers stay
//! text: an all-digit credit code or voucher is `="…"` in CSV and a string
//! cell in XLSX.
#![allow(clippy::arithmetic_side_effects)]

use crate::registry_support::{self as s, Ach, Env};
use calamine::{Data, Reader};
use stdfund_proto::pb;
use tonic::Code;

on_both_backends! {
    the_public_notice_as_csv_and_xlsx = 45;
    a_publication_as_csv_and_xlsx = 46;
    the_payment_list_as_csv_and_xlsx = 48;
    the_report_workbook_has_its_sheets_and_charts = 47;
}

const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
const LEAD: &str = "标准制修订主导单位或第一起草单位";

/// The records of a CSV file (after its byte-order mark), every field as text.
fn csv_rows(bytes: &[u8]) -> Vec<Vec<String>> {
    let text = std::str::from_utf8(bytes).unwrap();
    assert!(
        text.starts_with('\u{feff}'),
        "UTF-8 BOM for spreadsheet programs"
    );
    assert!(text.contains("\r\n"), "CRLF line ends");
    csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.trim_start_matches('\u{feff}').as_bytes())
        .records()
        .map(|r| r.unwrap().iter().map(str::to_string).collect())
        .collect()
}

/// The sheets of an XLSX file: name and cells.
fn xlsx_sheets(bytes: &[u8]) -> Vec<(String, Vec<Vec<Data>>)> {
    let mut book: calamine::Xlsx<_> =
        calamine::open_workbook_from_rs(std::io::Cursor::new(bytes.to_vec())).unwrap();
    let names = book.sheet_names();
    names
        .into_iter()
        .map(|n| {
            let range = book.worksheet_range(&n).unwrap();
            (n, range.rows().map(<[Data]>::to_vec).collect())
        })
        .collect()
}

/// The parts of an XLSX (zip) file.
fn parts(bytes: &[u8]) -> Vec<String> {
    let zip = zip::ZipArchive::new(std::io::Cursor::new(bytes.to_vec())).unwrap();
    zip.file_names().map(str::to_string).collect()
}

/// A date cell of `YYYY-MM-DD`, as a spreadsheet reads it: its serial day
/// (days since 1899-12-30).
fn day_cell(iso: &str) -> Data {
    let d = stdfund_rules::date::Date::parse(iso).unwrap();
    let serial = d.days_since_epoch() + 25_569;
    Data::DateTime(calamine::ExcelDateTime::new(
        serial as f64,
        calamine::ExcelDateTimeType::DateTime,
        false,
    ))
}

fn text(s: &str) -> Data {
    Data::String(s.into())
}

fn num(v: f64) -> Data {
    Data::Float(v)
}

/// `n` empty CSV fields.
fn blanks(n: usize) -> Vec<String> {
    vec![String::new(); n]
}

fn strings(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| s.to_string()).collect()
}

/// A credit code as CSV shows it: all digits are written `="…"`.
fn shown(code: &str) -> String {
    if code.bytes().all(|b| b.is_ascii_digit()) {
        format!("=\"{code}\"")
    } else {
        code.to_string()
    }
}

fn unit(code: &str) -> String {
    format!("福州示例科技有限公司{}", &code[9..17])
}

/// The header of a notice or publication list.
const LIST_HEADER: [&str; 9] = [
    "序号 No.",
    "申报编号 Claim",
    "单位名称 Unit",
    "统一社会信用代码 Credit code",
    "所在地 Fiscal unit",
    "资助项目 Item",
    "条款 Clause",
    "标的 Subject",
    "资助金额(元) Amount",
];

/// A list line as CSV shows it: number, claim, the unit by its code, then
/// fiscal unit, item, clause, subject and amount.
fn list_line(row: &str, id: i64, code: &str, rest: [&str; 5]) -> Vec<String> {
    let mut v = strings(&[row, &id.to_string(), &unit(code), &shown(code)]);
    v.extend(strings(&rest));
    v
}

async fn notice(
    env: &Env,
    unit: &str,
    format: pb::NoticeFormat,
) -> Result<pb::ExportPublicNoticeResponse, tonic::Status> {
    let req = pb::ExportPublicNoticeRequest {
        year: env.year,
        fiscal_unit: unit.into(),
        format: format as i32,
    };
    env.finance()
        .export_public_notice(req)
        .await
        .map(tonic::Response::into_inner)
}

async fn the_public_notice_as_csv_and_xlsx(env: Env) {
    env.set_budget("CITY", "1000000.00").await;
    let digits = s::numeric_credit_code(env.slot * 1000 + 1);
    let (c2, c3) = (env.code(2), env.code(3));
    let a = env
        .approved("a", &digits, &Ach::lead("GB/T 45-2020"))
        .await
        .claim_id;
    let w = env
        .submitted("w", &c2, &Ach::discretionary("TBT预警-45"))
        .await;
    env.approve_at(w, "50000.01").await;
    let local = Ach::of("STANDARD_LEAD", "LOCAL", "DB35/T 45-2020");
    let c = env.submit_at("c", &c3, "350104", &local).await.claim_id;
    env.approve(c).await;
    env.pay(c, &env.key("V"), "").await;
    env.submit("pending", &c2, &Ach::lead("GB/T 46-2020")).await;
    let r = env
        .submitted("rejected", &c2, &Ach::lead("GB/T 47-2020"))
        .await;
    env.decide(r, pb::ReviewDecision::Reject, "不符合条件")
        .await;

    // CSV: approved and disbursed claims in claim order, then the total.
    let n = notice(&env, "", pb::NoticeFormat::Csv).await.unwrap();
    assert_eq!(
        n.file_name,
        format!("stdfund-public-notice-{}.csv", env.year)
    );
    assert_eq!(n.content_type, "text/csv; charset=utf-8");
    let mut total = strings(&["合计 Total(3 项)"]);
    total.extend(blanks(7));
    total.push("450000.01".into());
    let other = "其他标准化项目和活动";
    let expected = vec![
        strings(&LIST_HEADER),
        list_line(
            "1",
            a,
            &digits,
            ["鼓楼区", LEAD, "五(五)1", "GB/T 45-2020", "300000.00"],
        ),
        list_line(
            "2",
            w,
            &c2,
            ["鼓楼区", other, "五(五)9", "TBT预警-45", "50000.01"],
        ),
        list_line(
            "3",
            c,
            &c3,
            ["仓山区", LEAD, "五(五)1", "DB35/T 45-2020", "100000.00"],
        ),
        total,
    ];
    assert_eq!(csv_rows(&n.content), expected);
    assert_eq!(
        expected[1][3],
        format!("=\"{digits}\""),
        "an all-digit code stays text"
    );
    let entries: Vec<(i32, i64, &str, &str)> = n
        .entries
        .iter()
        .map(|e| (e.row, e.claim_id, e.credit_code.as_str(), e.amount.as_str()))
        .collect();
    let want = [
        (1, a, digits.as_str(), "300000.00"),
        (2, w, c2.as_str(), "50000.01"),
        (3, c, c3.as_str(), "100000.00"),
    ];
    assert_eq!(entries, want);

    // XLSX of one district: the credit code a string cell, amounts numbers.
    let x = notice(&env, "350102", pb::NoticeFormat::Xlsx)
        .await
        .unwrap();
    assert_eq!(
        x.file_name,
        format!("stdfund-public-notice-{}-350102.xlsx", env.year)
    );
    assert_eq!((x.content_type.as_str(), x.entries.len()), (XLSX, 2));
    let sheets = xlsx_sheets(&x.content);
    assert_eq!(sheets.len(), 1);
    let (name, rows) = &sheets[0];
    assert_eq!(name, "公示名单");
    assert_eq!(rows.len(), 4, "header, two lines, totals: {rows:?}");
    assert_eq!(rows[0], LIST_HEADER.map(text));
    assert_eq!(
        rows[1][..4],
        [num(1.0), num(a as f64), text(&unit(&digits)), text(&digits)]
    );
    assert_eq!((&rows[1][8], &rows[2][8]), (&num(300000.0), &num(50000.01)));
    assert_eq!(
        (&rows[3][0], &rows[3][8]),
        (&text("合计 Total(2 项)"), &num(350000.01))
    );

    let e = env
        .finance()
        .export_public_notice(pb::ExportPublicNoticeRequest {
            year: 0,
            ..Default::default()
        })
        .await
        .unwrap_err();
    s::expect_error(&e, Code::InvalidArgument, "MISSING_FIELD");
    let e = notice(&env, "", pb::NoticeFormat::Unspecified)
        .await
        .unwrap_err();
    s::expect_error(&e, Code::InvalidArgument, "INVALID_ENUM_VALUE");
}

/// Two approved claims: 300,000 of a unit with an all-digit credit code and
/// 200,000 of another. (that code, the other, their numbers)
async fn two_approved(env: &Env) -> (String, String, i64, i64) {
    env.set_budget("CITY", "1000000.00").await;
    let digits = s::numeric_credit_code(env.slot * 1000 + 1);
    let c2 = env.code(2);
    let a = env
        .approved("a", &digits, &Ach::lead("GB/T 46-2020"))
        .await
        .claim_id;
    let industry = Ach::of("STANDARD_LEAD", "INDUSTRY", "JB/T 46-2020");
    let b = env.approved("b", &c2, &industry).await.claim_id;
    (digits, c2, a, b)
}

async fn a_publication_as_csv_and_xlsx(env: Env) {
    let (digits, c2, a, b) = two_approved(&env).await;
    let draft = crate::publications::draft(env.year, &[a, b], 5);
    let p = env
        .reviewer()
        .create_publication(draft)
        .await
        .unwrap()
        .into_inner();
    let p = p.publication.unwrap();
    let export = |format: pb::NoticeFormat| pb::ExportPublicationRequest {
        publication_id: p.publication_id,
        format: format as i32,
    };
    let f = env
        .finance()
        .export_publication(export(pb::NoticeFormat::Csv))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(
        f.file_name,
        format!("stdfund-publication-{}.csv", p.publication_id)
    );
    let mut total = strings(&["合计 Total(2 项)"]);
    total.extend(blanks(7));
    total.push("500000.00".into());
    let expected = vec![
        vec![p.title.clone()],
        strings(&["公示期 Notice period:2026-11-20 至 2026-11-26(5 个工作日 working days)"]),
        vec![format!("异议受理 Objections to:{}", p.objection_contact)],
        strings(&LIST_HEADER),
        list_line(
            "1",
            a,
            &digits,
            ["鼓楼区", LEAD, "五(五)1", "GB/T 46-2020", "300000.00"],
        ),
        list_line(
            "2",
            b,
            &c2,
            ["鼓楼区", LEAD, "五(五)1", "JB/T 46-2020", "200000.00"],
        ),
        total,
    ];
    assert_eq!(csv_rows(&f.content), expected);

    let x = env
        .reviewer()
        .export_publication(export(pb::NoticeFormat::Xlsx))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(
        (x.file_name, x.content_type.as_str()),
        (
            format!("stdfund-publication-{}.xlsx", p.publication_id),
            XLSX
        )
    );
    let sheets = xlsx_sheets(&x.content);
    let rows = &sheets[0].1;
    assert_eq!(
        (&rows[0][0], &rows[3]),
        (&text(&p.title), &LIST_HEADER.map(text).to_vec())
    );
    assert_eq!((&rows[4][3], &rows[4][8]), (&text(&digits), &num(300000.0)));
    assert_eq!(
        (&rows[6][0], &rows[6][8]),
        (&text("合计 Total(2 项)"), &num(500000.0))
    );
    let missing = pb::ExportPublicationRequest {
        publication_id: i64::MAX,
        format: pb::NoticeFormat::Csv as i32,
    };
    let e = env.finance().export_publication(missing).await.unwrap_err();
    s::expect_error(&e, Code::NotFound, "NOT_FOUND");
}

async fn the_payment_list_as_csv_and_xlsx(env: Env) {
    let (digits, c2, a, b) = two_approved(&env).await;
    // Every payment, an all-digit voucher kept as text.
    env.pay(a, "2026120201", "100000.00").await;
    env.pay(a, "2026120202", "").await;
    let voucher = env.key("记-001");
    env.pay(b, &voucher, "").await;
    let payments = |format: pb::NoticeFormat| pb::ExportPaymentsRequest {
        year: env.year,
        format: format as i32,
    };
    let f = env
        .finance()
        .export_payments(payments(pb::NoticeFormat::Csv))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(f.file_name, format!("stdfund-payments-{}.csv", env.year));
    let rows = csv_rows(&f.content);
    let (y, today) = (env.year.to_string(), s::day(0));
    assert_eq!(
        rows[0],
        [format!(
            "福州市标准化资助拨付清单({y}年度) Payment list, {y}"
        )]
    );
    assert_eq!((rows[1].len(), rows[1][8].as_str()), (13, "凭证号 Voucher"));
    let line = |n: &str, id: i64, code: &str, voucher: &str, amounts: [&str; 3]| {
        let id = id.to_string();
        let mut v = strings(&[
            n,
            &id,
            &unit(code),
            &shown(code),
            "鼓楼区",
            LEAD,
            &y,
            &today,
            voucher,
            "市级",
        ]);
        v.extend(strings(&amounts));
        v
    };
    let halves = ["100000.00", "50000.00", "50000.00"];
    assert_eq!(rows[2], line("1", a, &digits, "=\"2026120201\"", halves));
    let rest = ["200000.00", "100000.00", "100000.00"];
    assert_eq!(rows[3], line("2", a, &digits, "=\"2026120202\"", rest));
    assert_eq!(rows[4], line("3", b, &c2, &voucher, rest));
    let mut total = strings(&["合计 Total"]);
    total.extend(blanks(9));
    total.extend(strings(&["500000.00", "250000.00", "250000.00"]));
    assert_eq!((rows.len(), &rows[5]), (6, &total));

    let x = env
        .finance()
        .export_payments(payments(pb::NoticeFormat::Xlsx))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(
        (x.file_name, x.content_type.as_str()),
        (format!("stdfund-payments-{}.xlsx", env.year), XLSX)
    );
    let sheets = xlsx_sheets(&x.content);
    assert_eq!(sheets[0].0, "拨付清单");
    let rows = &sheets[0].1;
    assert_eq!(
        rows[2][3..11],
        [
            text(&digits),
            text("鼓楼区"),
            text(LEAD),
            num(f64::from(env.year)),
            day_cell(&today),
            text("2026120201"),
            text("市级"),
            num(100000.0)
        ]
    );
    assert_eq!(
        (&rows[5][0], &rows[5][10], &rows[5][12]),
        (&text("合计 Total"), &num(500000.0), &num(250000.0))
    );
    let e = env
        .finance()
        .export_payments(payments(pb::NoticeFormat::Unspecified))
        .await
        .unwrap_err();
    s::expect_error(&e, Code::InvalidArgument, "INVALID_ENUM_VALUE");
}

async fn the_report_workbook_has_its_sheets_and_charts(env: Env) {
    env.set_budget("CITY", "1000000.00").await;
    let code = env.code(1);
    let a = env
        .approved("a", &code, &Ach::lead("GB/T 47-2020"))
        .await
        .claim_id;
    env.pay(a, &env.key("V"), "").await;
    let local = Ach::new("STANDARD_LEAD", "LOCAL", "DB35/T 47-2020", "2020-05-01");
    let b = env
        .submit_at("b", &env.code(2), "350104", &local)
        .await
        .claim_id;
    env.approve(b).await;
    env.submit(
        "c",
        &env.code(3),
        &Ach::new(
            "STANDARD_PARTICIPANT",
            "NATIONAL",
            "GB/T 48-2020",
            "2020-05-01",
        ),
    )
    .await;
    let d = env
        .submit(
            "d",
            &code,
            &Ach::new("STANDARD_LEAD", "INDUSTRY", "JB/T 47-2020", "2020-05-01"),
        )
        .await
        .claim_id;
    env.decide(d, pb::ReviewDecision::Reject, "重复").await;
    let e = env
        .submit(
            "e",
            &env.code(4),
            &Ach::new("STANDARD_LEAD", "NATIONAL", "GB/T 49-2020", "2020-05-01"),
        )
        .await
        .claim_id;
    env.decide(e, pb::ReviewDecision::Return, "请补充材料")
        .await;

    let r = env
        .reviewer()
        .export_report(pb::ExportReportRequest { year: env.year })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(
        (r.file_name, r.content_type.as_str()),
        (format!("stdfund-report-{}.xlsx", env.year), XLSX)
    );
    let sheets = xlsx_sheets(&r.content);
    let names: Vec<&str> = sheets.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(
        names,
        ["按县(市)区", "按资助项目", "按年度", "预算执行", "2020目标"]
    );
    // claims, submitted, returned, approved, disbursed, rejected, withdrawn,
    // approved amount, paid: every row adds up to its claims.
    let figures = |label: &str, f: [f64; 9]| {
        let mut v = vec![text(label)];
        v.extend(f.map(num));
        v
    };
    let y = env.year;
    let by_unit = &sheets[0].1;
    let title = format!(
        "福州市标准化资助统计({y}年度,截至{}) Standardization grants, {y}, as of ",
        s::day(0)
    );
    match &by_unit[0][0] {
        Data::String(t) => assert!(t.starts_with(&title), "{t}"),
        other => panic!("{other:?}"),
    }
    assert_eq!(
        by_unit[1][..4],
        [
            text("县(市)区 District"),
            text("申报数 Claims"),
            text("待审核 Submitted"),
            text("退回补正 Returned")
        ]
    );
    assert_eq!(
        by_unit[2],
        figures(
            "鼓楼区",
            [4.0, 1.0, 1.0, 0.0, 1.0, 1.0, 0.0, 300000.0, 300000.0]
        )
    );
    assert_eq!(
        by_unit[3],
        figures("仓山区", [1.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 100000.0, 0.0])
    );
    assert_eq!(
        by_unit[4],
        figures(
            "合计 Total",
            [5.0, 1.0, 1.0, 1.0, 1.0, 1.0, 0.0, 400000.0, 300000.0]
        )
    );
    let by_item = &sheets[1].1;
    // In the policy's order: 五(五)1, then 五(五)2.
    assert_eq!(
        by_item[2],
        figures(
            LEAD,
            [4.0, 0.0, 1.0, 1.0, 1.0, 1.0, 0.0, 400000.0, 300000.0]
        )
    );
    assert_eq!(
        by_item[3],
        figures(
            "参与制修订标准的单位",
            [1.0, 1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0]
        )
    );
    let by_year = &sheets[2].1;
    assert_eq!(
        by_year[2],
        figures(
            &format!("{y}年"),
            [5.0, 1.0, 1.0, 1.0, 1.0, 1.0, 0.0, 400000.0, 300000.0]
        )
    );
    // Every budget of the year, the city's first.
    let budgets = &sheets[3].1;
    assert_eq!(
        budgets[2],
        vec![
            num(f64::from(y)),
            text("市级 City"),
            num(1000000.0),
            num(400000.0),
            num(600000.0)
        ]
    );
    let targets = &sheets[4].1;
    assert_eq!(
        targets[0][..3],
        [
            text("目标 Target"),
            text("目标值 Figure"),
            text("已统计 Counted")
        ]
    );
    assert!(targets.len() > 7, "one row per target: {targets:?}");

    // Each sheet carries its chart.
    let files = parts(&r.content);
    let charts: Vec<&String> = files
        .iter()
        .filter(|f| f.starts_with("xl/charts/chart"))
        .collect();
    assert_eq!(charts.len(), 4, "{files:?}");
    assert!(files.contains(&"xl/charts/chart1.xml".to_string()));

    // The workbook agrees with GetReport.
    let rep = env
        .reviewer()
        .get_report(pb::GetReportRequest {
            year: env.year,
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner();
    let t = rep.total.unwrap();
    assert_eq!(
        (t.claims, t.approved_amount.as_str(), t.paid_amount.as_str()),
        (5, "400000.00", "300000.00")
    );
    let e = env
        .finance()
        .export_report(pb::ExportReportRequest { year: 2015 })
        .await
        .unwrap_err();
    s::expect_error(&e, Code::InvalidArgument, "INVALID_YEAR");
}
