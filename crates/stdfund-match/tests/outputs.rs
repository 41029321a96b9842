//! Files in and out: feeds written in the documented layouts read back
//! equal; the drafts are valid `SubmitClaimRequest`s that the rules engine
//! assesses as payable; held keys are left out; outputs keep identifiers as
//! text; templates are accepted by the readers and match docs/templates.
#![allow(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    clippy::panic,
    clippy::expect_used,
    clippy::arithmetic_side_effects
)]

use calamine::{Data, Reader};
use rust_decimal::Decimal;
use std::collections::{BTreeSet, HashSet};
use std::io::Cursor;
use stdfund_match::feed::{self, FeedKind};
use stdfund_match::pipeline::Disposition;
use stdfund_match::synth::{self, Synth, SynthConfig};
use stdfund_match::{
    FileFormat, MatchReport, Matcher, Options, RegisterIndex, output, report, table,
};

fn data() -> Synth {
    synth::generate(SynthConfig {
        seed: 42,
        enterprises: 3_000,
        feed_rows: 600,
    })
}

fn run(data: &Synth, index: &RegisterIndex, held: &HashSet<String>) -> MatchReport {
    let mut m = Matcher::new(index);
    for kind in &FeedKind::ALL[1..] {
        for r in data.feed(*kind) {
            m.push(kind.layout().file_stem, r);
        }
    }
    m.finish(&|k| held.contains(k.as_str()), &Options::default())
}

#[test]
fn feeds_round_trip_through_both_formats() {
    let data = data();
    for format in [FileFormat::Xlsx, FileFormat::Csv] {
        let bytes = output::feed_file(FeedKind::Register, format, &data.register_rows()).unwrap();
        let sheets = table::read(format, &bytes).unwrap();
        let register = feed::read_register(&sheets).unwrap();
        assert_eq!(register.len(), data.register.len());
        for (a, b) in register.iter().zip(&data.register) {
            assert_eq!(
                (&a.credit_code, &a.name, &a.seat),
                (&b.credit_code, &b.name, &b.seat)
            );
        }
        for kind in &FeedKind::ALL[1..] {
            let bytes = output::feed_file(*kind, format, &data.feed_rows(*kind)).unwrap();
            let sheets = table::read(format, &bytes).unwrap();
            let rows = feed::read_feed(*kind, &sheets).unwrap();
            assert_eq!(rows, data.feed(*kind), "{kind:?} {format:?}");
        }
    }
}

fn proto_fields(message: &str) -> BTreeSet<String> {
    let proto = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../proto/stdfund/v1/registry_service.proto"
    ))
    .unwrap();
    let start = proto.find(&format!("message {message} {{")).unwrap();
    let body = &proto[start..start + proto[start..].find("\n}").unwrap()];
    body.lines()
        .map(str::trim)
        .filter(|l| !l.starts_with("//") && l.ends_with(';') && l.contains('='))
        .map(|l| {
            let name = l
                .split('=')
                .next()
                .unwrap()
                .split_whitespace()
                .last()
                .unwrap();
            let mut camel = String::new();
            let mut up = false;
            for c in name.chars() {
                if c == '_' {
                    up = true;
                } else if up {
                    camel.push(c.to_ascii_uppercase());
                    up = false;
                } else {
                    camel.push(c);
                }
            }
            camel
        })
        .collect()
}

#[test]
fn drafts_are_submit_claim_requests_the_engine_pays() {
    let data = data();
    let index = RegisterIndex::build(data.register.clone());
    let report = run(&data, &index, &HashSet::new());
    let fields = proto_fields("SubmitClaimRequest");
    assert_eq!(
        fields,
        ["idempotencyKey", "application", "confirmCreditCode", "year"]
            .map(String::from)
            .into()
    );
    let book = stdfund_rules::ruleset::embedded().unwrap();
    let items = report::items(&report);
    let drafts = report::drafts(&report);
    assert!(drafts.len() > 100, "{}", drafts.len());
    assert_eq!(items.len(), drafts.len());
    let mut keys = HashSet::new();
    let mut idem = HashSet::new();
    for (draft, item) in drafts.iter().zip(&items) {
        let json: serde_json::Value = serde_json::from_str(&draft.to_json()).unwrap();
        let obj = json.as_object().unwrap();
        assert!(obj.keys().all(|k| fields.contains(k)), "{obj:?}");
        let key = obj["idempotencyKey"].as_str().unwrap();
        assert!(!key.is_empty() && key.len() <= 128);
        assert!(
            key.chars()
                .all(|c| c.is_ascii_alphanumeric() || "._:-".contains(c))
        );
        assert_eq!(obj["confirmCreditCode"], serde_json::Value::Bool(false));
        let year = obj["year"].as_i64().unwrap();
        assert!((2016..=9999).contains(&year));
        // The application is the proto3 JSON of EstimateRequest: the rules
        // crate's own parser (unknown fields refused) reads it.
        let text = obj["application"].to_string();
        let app = stdfund_rules::json::parse_request(&text).unwrap();
        assert_eq!(app.achievements.len(), 1);
        assert!(!app.applicant.name.0.trim().is_empty());
        let (status, payable, rk) =
            stdfund_rules::engine::assess_with(book, &app, false, |assessment| {
                let line = &assessment.lines[0];
                (
                    line.status(),
                    line.amounts.payable.as_decimal(),
                    stdfund_rules::claim::RegistryKey::of(
                        book,
                        assessment.applicant().credit_code,
                        line,
                    )
                    .map(|k| k.to_string()),
                )
            })
            .unwrap();
        assert_eq!(status, stdfund_rules::domain::LineStatus::Eligible);
        assert_eq!(payable, item.amount);
        assert!(item.amount > Decimal::ZERO);
        let rk = rk.unwrap();
        assert_eq!(rk, item.registry_key);
        assert!(keys.insert(rk), "two drafts for one registry key");
        assert!(idem.insert(key.to_string()));
        assert!(["EXACT_CODE", "EXACT_NAME"].contains(&item.outcome.as_str()));
    }
    // Totals agree across the views.
    let stats = report::stats(&report);
    let notified: Decimal = report::notifications(&report)
        .iter()
        .map(|n| n.amount)
        .sum();
    let summed: Decimal = report::summary(&report).iter().map(|s| s.amount).sum();
    assert_eq!(notified, stats.total);
    assert_eq!(summed, stats.total);
    assert_eq!(stats.payable_lines, drafts.len());
}

#[test]
fn rules_decide_roles_places_and_held_keys() {
    let data = data();
    let index = RegisterIndex::build(data.register.clone());
    let report = run(&data, &index, &HashSet::new());
    let mut outside = 0;
    let mut award_not_lead = 0;
    let mut participant_after_public_body = 0;
    for e in &report.enterprises {
        for l in &e.lines {
            let m = &report.mentions[l.mention];
            let line = l.line.as_ref();
            if !e.applicant.inside_fuzhou {
                outside += 1;
                assert!(!matches!(l.disposition, Disposition::Payable { .. }));
                assert_eq!(line.unwrap().reason_code, "OUTSIDE_FUZHOU");
            }
            if m.feed == FeedKind::Awards && m.rank > 1 && e.applicant.inside_fuzhou {
                award_not_lead += 1;
                assert_eq!(line.unwrap().reason_code, "NOT_COVERED");
            }
            if m.feed == FeedKind::Standards && m.rank == 2 {
                let first = report
                    .mentions
                    .iter()
                    .find(|x| x.feed == m.feed && x.row == m.row && x.rank == 1)
                    .unwrap();
                if first.outcome.basis_code() == "NO_ENTERPRISE_PUBLIC_BODY" {
                    participant_after_public_body += 1;
                    assert_eq!(m.proposal.item, "STANDARD_PARTICIPANT");
                }
            }
        }
    }
    assert!(outside > 0 && award_not_lead > 0 && participant_after_public_body > 0);
    // What the registry holds is left out, and nothing else changes.
    let all: Vec<String> = report::items(&report)
        .iter()
        .map(|i| i.registry_key.clone())
        .collect();
    let held: HashSet<String> = all.iter().step_by(3).cloned().collect();
    let again = run(&data, &index, &held);
    let stats = report::stats(&again);
    // Every held key is found again; a unit named twice for one standard
    // (spellings the canonical identity makes one, e.g. `ISO 9001:2015` and
    // `ISO 9001-2015`) has each of those lines marked held.
    assert!(stats.already_held >= held.len());
    assert_eq!(stats.payable_lines, all.len() - held.len());
    let remaining: HashSet<String> = report::items(&again)
        .iter()
        .map(|i| i.registry_key.clone())
        .collect();
    assert!(remaining.is_disjoint(&held));
    assert_eq!(report::other_lines(&again, true).len(), stats.already_held);
}

fn xlsx_sheet(bytes: &[u8], sheet: &str) -> Vec<Vec<Data>> {
    let mut wb = calamine::open_workbook_auto_from_rs(Cursor::new(bytes)).unwrap();
    let range = wb.worksheet_range(sheet).unwrap();
    range.rows().map(<[Data]>::to_vec).collect()
}

#[test]
fn outputs_keep_identifiers_as_text_and_are_deterministic() {
    let mut data = data();
    // An all-digit credit code is what a spreadsheet would turn into a number.
    let digits = data
        .register
        .iter()
        .position(|e| e.seat == "350102")
        .unwrap();
    let code = (0..100)
        .map(|n| format!("9135010200000{n:04}"))
        .find_map(|first| {
            let c = synth::check_character(&first)?;
            c.is_ascii_digit().then(|| format!("{first}{c}"))
        })
        .unwrap();
    let old = std::mem::replace(&mut data.register[digits].credit_code, code.clone());
    let name = data.register[digits].name.clone();
    data.standards.push(stdfund_match::FeedRecord::Standard(
        stdfund_match::feed::StandardRow {
            row: 9_999,
            number: "GB/T 99999-2021".into(),
            title: "全数字信用代码".into(),
            level: stdfund_match::feed::StandardLevel::National,
            date: "2021-06-01".into(),
            units: vec![stdfund_match::feed::UnitRef {
                name,
                code: Some(code.clone()),
            }],
        },
    ));
    assert_ne!(old, code);
    let index = RegisterIndex::build(data.register.clone());
    let report = run(&data, &index, &HashSet::new());
    let files = output::write_all(&report, &index, FileFormat::Xlsx).unwrap();
    let names: Vec<&str> = files.iter().map(|f| f.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "notifications.xlsx",
            "review.xlsx",
            "summary.xlsx",
            "drafts.ndjson"
        ]
    );
    let notifications = &files[0].bytes;
    let rows = xlsx_sheet(notifications, "通知名单 Notifications");
    assert_eq!(
        rows[0][3],
        Data::String("统一社会信用代码 Credit code".into())
    );
    assert!(rows.len() > 10);
    for r in &rows[1..] {
        assert!(
            matches!(&r[3], Data::String(s) if s.len() == 18),
            "{:?}",
            r[3]
        );
        assert!(matches!(&r[4], Data::String(_)), "{:?}", r[4]);
    }
    assert!(rows[1..].iter().any(|r| r[3] == Data::String(code.clone())));
    let items = xlsx_sheet(notifications, "明细 Items");
    assert_eq!(items.len(), report::items(&report).len() + 1);
    // The summary has its chart.
    let summary = &files[2].bytes;
    assert!(summary.windows(20).any(|w| w == b"xl/charts/chart1.xml"));
    let pivot = xlsx_sheet(summary, "汇总 Summary");
    assert_eq!(pivot[0][0], Data::String("县(市)区 District".into()));
    // The review workbook: review, not payable, already held.
    let mut wb = calamine::open_workbook_auto_from_rs(Cursor::new(files[1].bytes.clone())).unwrap();
    assert_eq!(
        wb.sheet_names(),
        [
            "待复核 Review",
            "不予提示 Not payable",
            "已登记 Already held"
        ]
    );
    let review = wb.worksheet_range("待复核 Review").unwrap();
    assert_eq!(review.height(), report::review(&report, &index).len() + 1);
    // Drafts: one JSON object per line.
    let drafts = String::from_utf8(files[3].bytes.clone()).unwrap();
    assert_eq!(drafts.lines().count(), report::drafts(&report).len());
    // Same input, same bytes.
    assert_eq!(
        files,
        output::write_all(&report, &index, FileFormat::Xlsx).unwrap()
    );
    // CSV: read back with the csv crate, codes unchanged.
    let files = output::write_all(&report, &index, FileFormat::Csv).unwrap();
    let csv_file = files
        .iter()
        .find(|f| f.name == "notifications.csv")
        .unwrap();
    assert!(csv_file.bytes.starts_with(b"\xEF\xBB\xBF"));
    let mut reader = csv::Reader::from_reader(&csv_file.bytes[3..]);
    let raw: Vec<String> = reader
        .records()
        .map(|r| r.unwrap()[3].to_string())
        .collect();
    // A spreadsheet shows `="…"` as the text inside, never as a number.
    for cell in &raw {
        let looks_numeric = cell.bytes().all(|b| b.is_ascii_digit());
        assert!(
            !looks_numeric,
            "a credit code a spreadsheet would turn into a number: {cell}"
        );
    }
    let codes: Vec<&str> = raw.iter().map(|c| output::csv_unwrap(c)).collect();
    assert!(codes.contains(&code.as_str()));
    assert_eq!(codes.len(), report::notifications(&report).len());
}

#[test]
fn templates_are_read_and_match_the_committed_ones() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/templates");
    for format in [FileFormat::Xlsx, FileFormat::Csv] {
        for file in output::templates(format).unwrap() {
            let sheets = table::read(format, &file.bytes).unwrap();
            let kind = FeedKind::ALL
                .into_iter()
                .find(|k| file.name.starts_with(k.layout().file_stem))
                .unwrap();
            if kind == FeedKind::Register {
                assert!(feed::read_register(&sheets).unwrap().is_empty());
            } else {
                assert!(feed::read_feed(kind, &sheets).unwrap().is_empty());
            }
            let committed = std::fs::read(format!("{dir}/{}", file.name)).unwrap_or_default();
            assert!(
                committed == file.bytes,
                "docs/templates/{} is not current: run `bash tools/bless.sh` (or `stdfund match --write-templates docs/templates`)",
                file.name
            );
        }
    }
}

#[test]
fn unreadable_inputs_name_the_row_and_column() {
    let csv =
        "标准编号,标准级别,发布日期,起草单位\nGB/T 1-2021,国家标准,2021-13-01,福州甲科技有限公司\n";
    let sheets = table::read(FileFormat::Csv, csv.as_bytes()).unwrap();
    let e = &feed::read_feed(FeedKind::Standards, &sheets).unwrap_err()[0];
    assert_eq!((e.code, e.row), ("INVALID_DATE", Some(2)));
    assert!(
        e.display_in("s.csv")
            .contains("s.csv 第2行 row 2 「发布日期 Publication date」")
    );
    let sheets = table::read(FileFormat::Csv, "单位名称,所在地\n".as_bytes()).unwrap();
    assert_eq!(
        feed::read_register(&sheets).unwrap_err()[0].code,
        "HEADER_NOT_FOUND"
    );
    // A credit code typed into a number cell has lost its digits.
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    ws.write_string(0, 0, "统一社会信用代码").unwrap();
    ws.write_string(0, 1, "单位名称").unwrap();
    ws.write_string(0, 2, "所在地").unwrap();
    ws.write_number(1, 0, 913_501_020_000_000_001.0).unwrap();
    ws.write_string(1, 1, "福州甲科技有限公司").unwrap();
    ws.write_string(1, 2, "350102").unwrap();
    let bytes = wb.save_to_buffer().unwrap();
    let sheets = table::read(FileFormat::Xlsx, &bytes).unwrap();
    let e = &feed::read_register(&sheets).unwrap_err()[0];
    assert_eq!((e.code, e.row), ("CODE_AS_NUMBER", Some(2)));
    assert!(table::read(FileFormat::Xlsx, b"not a workbook").is_err());
}
