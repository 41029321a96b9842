//! Disbursement guards through the real `stdfund serve` (SQLite and a
//! throwaway PostgreSQL): a payment dated before the approval, after today
//! (China time, from the server's clock; also a date in 2031), a voucher
//! number the payer already used (on the same claim or another), and an
//! amount above what is approved and unpaid are each refused with a stable
//! code (`ErrorInfo` reason and the figures); the claim is unchanged after
//! each refusal. And the 公示 (public notice): an all-digit credit code stays
//! text — in the XLSX (a string cell), and in the CSV for a spreadsheet
//! program (LibreOffice, when installed, converts the CSV and the cell is
//! the exact text, where the same digits written bare become a rounded
//! number).

// Test counters, ports and timings, never money.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects,
    clippy::float_arithmetic
)]

mod ops_support;
mod registry_support;

use ops_support::{Serve, fresh_dir};
use registry_support as s;
use rust_decimal::Decimal;
use std::path::Path;
use std::str::FromStr;
use stdfund_proto::pb;
use stdfund_rules::date::Date;
use tonic::Code;

/// A valid credit code made only of digits (its check character a digit).
fn all_digit_code() -> String {
    for n in 1u32.. {
        let base = format!("91350100{n:09}");
        match stdfund_rules::ident::CreditCode::parse(&format!("{base}0")) {
            Some((c, stdfund_rules::ident::CreditCheck::Passed)) => return c.to_string(),
            Some((_, stdfund_rules::ident::CreditCheck::Mismatch { expected }))
                if expected.is_ascii_digit() =>
            {
                return format!("{base}{expected}");
            }
            _ => {}
        }
    }
    unreachable!()
}

fn serve(url: &str) -> Serve {
    let tokens = s::tokens_file();
    Serve::start(
        &[
            "--database-url",
            url,
            "--tokens-file",
            &tokens.display().to_string(),
        ],
        &[],
    )
    .unwrap_or_else(|f| panic!("serve did not start: {f:?}"))
}

/// Submits and approves a claim; its id and approved amount.
async fn approved(ch: &tonic::transport::Channel, code: &str, number: u32) -> (i64, Decimal) {
    let app = s::application(
        code,
        &s::Ach::new(
            "STANDARD_LEAD",
            "NATIONAL",
            &format!("GB/T {number}-2020"),
            "2020-05-01",
        ),
    );
    let claim = s::client(ch, Some(s::PORTAL))
        .submit_claim(s::submit(&format!("pay-{number}"), app, 2021))
        .await
        .unwrap()
        .into_inner()
        .claim
        .unwrap();
    let reviewed = s::client(ch, Some(s::REVIEWER))
        .review_claim(pb::ReviewClaimRequest {
            claim_id: claim.claim_id,
            decision: pb::ReviewDecision::Approve as i32,
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner()
        .claim
        .unwrap();
    let amount = reviewed.review.unwrap().approved_amount;
    (claim.claim_id, Decimal::from_str(&amount).unwrap())
}

fn payment(id: i64, date: &str, voucher: &str, amount: &str) -> pb::RecordDisbursementRequest {
    pb::RecordDisbursementRequest {
        claim_id: id,
        payment_date: date.to_string(),
        voucher_number: voucher.to_string(),
        amount: amount.to_string(),
        payer: String::new(),
    }
}

async fn paid(ch: &tonic::transport::Channel, id: i64) -> (String, i32) {
    let c = s::get_claim(s::client(ch, Some(s::FINANCE)), id)
        .await
        .claim
        .unwrap();
    (c.paid_amount, c.status)
}

async fn scenario(url: &str) {
    let server = serve(url);
    let ch = s::channel(server.addr.parse().unwrap()).await;
    s::client(&ch, Some(s::ADMIN))
        .set_budget(pb::SetBudgetRequest {
            year: 2021,
            total: "5000000.00".into(),
            ..Default::default()
        })
        .await
        .unwrap();
    let digits = all_digit_code();
    let (a, amount) = approved(&ch, &digits, 30001).await;
    let (b, _) = approved(&ch, &s::credit_code(30002), 30002).await;
    assert!(amount > Decimal::from(100));
    let mut finance = s::client(&ch, Some(s::FINANCE));
    // The server's today in China (UTC+8): the approval was made today.
    let today = stdfund_store::Timestamp::now().unwrap().china_date();
    let day = |d: Option<Date>| d.unwrap().to_string();

    let refused = [
        (
            "before the approval",
            payment(a, &day(today.add_days(-1)), "PZ-1", ""),
            Code::FailedPrecondition,
            "PAYMENT_BEFORE_APPROVAL",
            ("approvedOn", today.to_string()),
        ),
        (
            "tomorrow",
            payment(a, &day(today.add_days(1)), "PZ-1", ""),
            Code::FailedPrecondition,
            "PAYMENT_IN_FUTURE",
            ("today", today.to_string()),
        ),
        (
            "in 2031",
            payment(a, "2031-06-30", "PZ-1", ""),
            Code::FailedPrecondition,
            "PAYMENT_IN_FUTURE",
            ("today", today.to_string()),
        ),
        (
            "above the approved amount",
            payment(
                a,
                &today.to_string(),
                "PZ-1",
                &(amount + Decimal::new(1, 2)).to_string(),
            ),
            Code::FailedPrecondition,
            "PAYMENT_EXCEEDS_UNPAID",
            ("unpaid", format!("{amount:.2}")),
        ),
        (
            "not a date",
            payment(a, "2021-02-30", "PZ-1", ""),
            Code::InvalidArgument,
            "INVALID_DATE",
            ("field", "payment_date".to_string()),
        ),
    ];
    for (what, req, code, reason, (key, value)) in refused {
        let e = finance.record_disbursement(req).await.unwrap_err();
        let m = s::expect_error(&e, code, reason);
        assert_eq!(m.get(key), Some(&value), "{what}: {m:?}");
        assert_eq!(
            paid(&ch, a).await,
            ("0.00".to_string(), pb::ClaimStatus::Approved as i32),
            "{what}"
        );
    }

    // A part payment, then more than what is left of it.
    finance
        .record_disbursement(payment(a, &today.to_string(), "PZ-1", "100.00"))
        .await
        .unwrap();
    let left = amount - Decimal::from(100);
    let e = finance
        .record_disbursement(payment(
            a,
            &today.to_string(),
            "PZ-2",
            &(left + Decimal::new(1, 2)).to_string(),
        ))
        .await
        .unwrap_err();
    let m = s::expect_error(&e, Code::FailedPrecondition, "PAYMENT_EXCEEDS_UNPAID");
    assert_eq!(m["unpaid"], format!("{left:.2}"));
    // The same voucher again, on the same claim and on another.
    let e = finance
        .record_disbursement(payment(a, &today.to_string(), "PZ-1", ""))
        .await
        .unwrap_err();
    let m = s::expect_error(&e, Code::AlreadyExists, "VOUCHER_REUSED");
    assert_eq!(m["existingClaimId"], a.to_string());
    let e = finance
        .record_disbursement(payment(b, &today.to_string(), "PZ-1", ""))
        .await
        .unwrap_err();
    let m = s::expect_error(&e, Code::AlreadyExists, "VOUCHER_REUSED");
    assert_eq!(m["existingClaimId"], a.to_string());
    // The rest, with a fresh voucher: paid in full.
    finance
        .record_disbursement(payment(a, &today.to_string(), "PZ-2", ""))
        .await
        .unwrap();
    assert_eq!(
        paid(&ch, a).await,
        (format!("{amount:.2}"), pb::ClaimStatus::Disbursed as i32)
    );
    // Nothing left to pay.
    let e = finance
        .record_disbursement(payment(a, &today.to_string(), "PZ-3", "0.01"))
        .await
        .unwrap_err();
    assert_eq!(e.code(), Code::FailedPrecondition, "{e:?}");

    // The 公示: the all-digit credit code stays text.
    let notice = |format: pb::NoticeFormat| pb::ExportPublicNoticeRequest {
        year: 2021,
        fiscal_unit: String::new(),
        format: format as i32,
    };
    let csv = finance
        .export_public_notice(notice(pb::NoticeFormat::Csv))
        .await
        .unwrap()
        .into_inner();
    let text = String::from_utf8(csv.content.clone()).unwrap();
    let text = text.strip_prefix('\u{feff}').unwrap();
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let records: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    let header = records
        .iter()
        .position(|r| r.iter().any(|c| c.contains("统一社会信用代码")))
        .unwrap();
    let col = records[header]
        .iter()
        .position(|c| c.contains("统一社会信用代码"))
        .unwrap();
    let cells: Vec<&str> = records[header + 1..]
        .iter()
        .filter_map(|r| r.get(col))
        .collect();
    assert!(
        cells.contains(&format!("=\"{digits}\"").as_str()),
        "{cells:?}"
    );
    assert!(cells.contains(&s::credit_code(30002).as_str()), "{cells:?}");
    spreadsheet_reads_text(&csv.content, &digits);

    let xlsx = finance
        .export_public_notice(notice(pb::NoticeFormat::Xlsx))
        .await
        .unwrap()
        .into_inner();
    let cell = xlsx_cell_of(&xlsx.content, &digits);
    assert_eq!(cell, calamine::Data::String(digits.clone()));
    server.stop();
}

/// The cell holding `value` (as text or as a number) in the first sheet.
fn xlsx_cell_of(content: &[u8], value: &str) -> calamine::Data {
    use calamine::Reader;
    let mut book: calamine::Xlsx<_> =
        calamine::open_workbook_from_rs(std::io::Cursor::new(content.to_vec())).unwrap();
    let range = book.worksheet_range_at(0).unwrap().unwrap();
    let digits_as_number = f64::from_str(value).unwrap();
    range
        .rows()
        .flat_map(|r| r.iter())
        .find(|c| match c {
            calamine::Data::String(s) => s.contains(value),
            calamine::Data::Float(f) => (*f - digits_as_number).abs() < 1e6,
            _ => false,
        })
        .cloned()
        .unwrap_or_else(|| panic!("no cell with {value}"))
}

/// When LibreOffice is installed: the CSV opened by a spreadsheet program
/// keeps the all-digit code as the exact text; the same digits written bare
/// (the control) become a rounded number.
fn spreadsheet_reads_text(csv: &[u8], digits: &str) {
    let Ok(version) = std::process::Command::new("soffice")
        .arg("--version")
        .output()
    else {
        println!("SKIPPED the spreadsheet check: LibreOffice (soffice) is not installed");
        return;
    };
    println!("{}", String::from_utf8_lossy(&version.stdout).trim());
    let dir = fresh_dir("notice-lo");
    let notice = dir.join("notice.csv");
    std::fs::write(&notice, csv).unwrap();
    let control = dir.join("control.csv");
    std::fs::write(
        &control,
        format!("\u{feff}编号,统一社会信用代码\r\n1,{digits}\r\n"),
    )
    .unwrap();
    for f in [&notice, &control] {
        convert(&dir, f);
    }
    let read = |p: &Path| std::fs::read(p.with_extension("xlsx")).unwrap();
    assert_eq!(
        xlsx_cell_of(&read(&notice), digits),
        calamine::Data::String(digits.to_string())
    );
    let bare = xlsx_cell_of(&read(&control), digits);
    assert!(
        matches!(bare, calamine::Data::Float(_)),
        "the control should have become a number: {bare:?}"
    );
    assert_ne!(bare.to_string(), digits);
}

fn convert(dir: &Path, csv: &Path) {
    let out = std::process::Command::new("soffice")
        .arg(format!(
            "-env:UserInstallation=file://{}",
            dir.join("profile").display()
        ))
        .args([
            "--headless",
            "--infilter=CSV:44,34,76,1",
            "--convert-to",
            "xlsx",
            "--outdir",
        ])
        .arg(dir)
        .arg(csv)
        .output()
        .unwrap();
    assert!(
        csv.with_extension("xlsx").exists(),
        "soffice did not convert {}: {}{}",
        csv.display(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn disbursement_guards_on_sqlite() {
    let dir = fresh_dir("disburse");
    scenario(&format!(
        "sqlite://{}",
        dir.join("registry.sqlite").display()
    ))
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn disbursement_guards_on_postgres() {
    let Some(cluster) = s::pg::PgCluster::start_or_skip() else {
        return;
    };
    scenario(&cluster.url("postgres")).await;
}
