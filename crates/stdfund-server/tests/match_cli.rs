//! `stdfund match` as a bureau runs it, on the fixtures in `tests/match/`
//! (a synthetic register and lists shaped like the real announcements; the
//! expected figures below were worked out by hand from RULES.md, see
//! tests/match/README.md).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    missing_docs
)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicU32, Ordering};

const ROOT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../..");

fn temp_dir(stem: &str) -> PathBuf {
    static N: AtomicU32 = AtomicU32::new(0);
    let dir = std::env::temp_dir().join(format!(
        "stdfund-match-{stem}-{}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::SeqCst)
    ));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

fn stdfund(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_stdfund"))
        .args(args)
        .current_dir(ROOT)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

fn fixture_args<'a>(register: &'a str, out: &'a str, format: &'a str) -> Vec<&'a str> {
    vec![
        "match",
        "--register",
        register,
        "--standards",
        "tests/match/standards.csv",
        "--awards",
        "tests/match/awards.csv",
        "--committees",
        "tests/match/committees.csv",
        "--pilots",
        "tests/match/pilots.csv",
        "--gi",
        "tests/match/gi.csv",
        "--held-keys",
        "tests/match/held-keys.txt",
        "--out",
        out,
        "--format",
        format,
    ]
}

fn csv_rows(path: &Path) -> Vec<Vec<String>> {
    let bytes = std::fs::read(path).unwrap();
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap();
    csv::ReaderBuilder::new()
        .has_headers(true)
        .from_reader(bytes)
        .records()
        .map(|r| r.unwrap().iter().map(str::to_string).collect())
        .collect()
}

#[test]
fn the_fixtures_give_the_hand_worked_notifications() {
    let out = temp_dir("csv");
    let out_s = out.to_str().unwrap();
    let (code, stdout, stderr) = stdfund(&fixture_args("tests/match/register.csv", out_s, "csv"));
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.contains("应通知企业 Enterprises to notify: 8; 预填申报 Draft claims: 13; 预计金额 Estimated total: 2640000.00 元 yuan"), "{stdout}");
    assert!(stdout.contains("never a payment"));
    // Notifications: unit → (district, amount).
    let got: BTreeMap<String, (String, String)> = csv_rows(&out.join("notifications.csv"))
        .into_iter()
        .map(|r| (r[2].clone(), (r[1].clone(), r[7].clone())))
        .collect();
    let want: BTreeMap<String, (String, String)> = [
        (
            "福建宏远机械有限公司",
            "高新区(福州高新技术产业开发区)",
            "150000.00",
        ),
        ("福州闽榕茶业有限公司", "鼓楼区", "350000.00"),
        ("福州榕光光电股份有限公司", "鼓楼区", "1100000.00"),
        ("福州市金辰软件有限公司", "台江区", "190000.00"),
        ("福建鑫达科技股份有限公司", "马尾区", "150000.00"),
        ("连江县海丰水产有限公司", "连江县", "200000.00"),
        ("永泰县青云茶业有限公司", "永泰县", "350000.00"),
        ("福清恒瑞纺织有限责任公司", "福清市", "150000.00"),
    ]
    .into_iter()
    .map(|(u, d, a)| (u.to_string(), (d.to_string(), a.to_string())))
    .collect();
    assert_eq!(got, want);
    // Review: every non-automatic outcome, each with its basis.
    let review: Vec<(String, String, String)> = csv_rows(&out.join("review.csv"))
        .into_iter()
        .map(|r| (r[2].clone(), r[10].clone(), r[11].clone()))
        .collect();
    let has = |unit: &str, outcome: &str, basis: &str| {
        review
            .iter()
            .any(|(u, o, b)| u == unit && o == outcome && b == basis)
    };
    assert_eq!(review.len(), 11, "{review:?}");
    assert!(has(
        "福州天晟建设工程有限公司",
        "AMBIGUOUS",
        "SEVERAL_CANDIDATES"
    ));
    assert!(has(
        "福州华兴食品有限公司",
        "AMBIGUOUS",
        "SEVERAL_CANDIDATES"
    ));
    assert!(has(
        "福州市金晨软件有限公司",
        "FUZZY",
        "ONE_CHARACTER_DIFFERS"
    ));
    assert!(has(
        "福建宏远机械有限公司福州分公司",
        "FUZZY",
        "BRANCH_OF_COMPANY"
    ));
    assert!(has(
        "福州闽榕茶业股份有限公司",
        "FUZZY",
        "LEGAL_FORM_DIFFERS"
    ));
    assert!(has("北京中标检测技术有限公司", "NONE", "NOT_IN_REGISTER"));
    assert!(has(
        "福州市市场监督管理局",
        "NONE",
        "NO_ENTERPRISE_PUBLIC_BODY"
    ));
    // Not payable, with the engine's reasons.
    let reasons: Vec<(String, String)> = csv_rows(&out.join("not-payable.csv"))
        .into_iter()
        .map(|r| (r[1].clone(), r[8].clone()))
        .collect();
    for (unit, reason) in [
        ("厦门海悦电子有限公司", "OUTSIDE_FUZHOU"),
        ("平潭蓝海渔业有限公司", "OUTSIDE_FUZHOU"),
        ("福州榕光光电股份有限公司", "NOT_COVERED"),
        ("福州佳和包装有限公司", "NOT_YET_ACCEPTED"),
        ("福州晋安汇通物流有限公司", "NO_POLICY_IN_FORCE"),
        ("连江县海丰水产有限公司", "NOT_COVERED"),
    ] {
        assert!(
            reasons.iter().any(|(u, r)| u == unit && r == reason),
            "{unit} {reason}: {reasons:?}"
        );
    }
    let held = csv_rows(&out.join("already-held.csv"));
    assert_eq!(held.len(), 1);
    assert_eq!(
        held[0][11],
        "91350104MA2F9E2G08|STANDARD_LEAD|GB/T 41010-2021"
    );
    // Drafts: one SubmitClaimRequest per payable line, keys stable across runs.
    let drafts = std::fs::read_to_string(out.join("drafts.ndjson")).unwrap();
    assert_eq!(drafts.lines().count(), 13);
    for line in drafts.lines() {
        let v: serde_json::Value = serde_json::from_str(line).unwrap();
        assert_eq!(v["confirmCreditCode"], false);
        assert_eq!(
            v["application"]["achievements"].as_array().unwrap().len(),
            1
        );
    }
    let again = temp_dir("again");
    let (code, _, _) = stdfund(&fixture_args(
        "tests/match/register.csv",
        again.to_str().unwrap(),
        "csv",
    ));
    assert_eq!(code, 0);
    assert_eq!(
        drafts,
        std::fs::read_to_string(again.join("drafts.ndjson")).unwrap()
    );
    let _ = std::fs::remove_dir_all(&out);
    let _ = std::fs::remove_dir_all(&again);
}

#[test]
fn a_standard_dated_after_today_is_not_proposed_until_it_is_completed() {
    let dir = temp_dir("future");
    std::fs::create_dir_all(&dir).unwrap();
    let feed = dir.join("standards.csv");
    let fixture =
        std::fs::read_to_string(Path::new(ROOT).join("tests/match/standards.csv")).unwrap();
    let head: Vec<&str> = fixture.lines().take(2).collect();
    std::fs::write(
        &feed,
        format!(
            "{}\n1,GB/T 41001-2021,茉莉花茶加工技术规程,,国家标准,2021-10-11,2022-05-01,福州闽榕茶业有限公司,\n\
             2,GB/T 49999-2099,未来标准,,国家标准,2099-03-01,2099-06-01,福州闽榕茶业有限公司,\n\
             3,GB/T 49998,无年代号标准,,国家标准,2021-03-01,2021-06-01,福州闽榕茶业有限公司,\n\
             4,GB/T 49997-2098,年代号在未来的标准,,国家标准,2021-03-01,2021-06-01,福州闽榕茶业有限公司,\n",
            head.join("\n")
        ),
    )
    .unwrap();
    let out = dir.join("out");
    let (code, _, stderr) = stdfund(&[
        "match",
        "--register",
        "tests/match/register.csv",
        "--standards",
        feed.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--format",
        "csv",
    ]);
    assert_eq!(code, 0, "{stderr}");
    let drafts = std::fs::read_to_string(out.join("drafts.ndjson")).unwrap();
    assert!(drafts.contains("GB/T 41001-2021"), "{drafts}");
    assert!(
        !drafts.contains("49999"),
        "a future standard was drafted: {drafts}"
    );
    let rows = csv_rows(&out.join("not-payable.csv"));
    let row = rows
        .iter()
        .find(|r| r.iter().any(|c| c.contains("49999")))
        .unwrap_or_else(|| panic!("{rows:?}"));
    assert_eq!(row[8], "ACHIEVEMENT_IN_FUTURE", "{row:?}");
    assert!(
        row.iter().any(|c| c.contains("成果完成后方可申报")),
        "{row:?}"
    );
    // A standard number without its year: the registry would refuse the
    // draft, so it is not proposed, and the sheet says why.
    assert!(!drafts.contains("49998"), "{drafts}");
    let row = rows
        .iter()
        .find(|r| r.iter().any(|c| c.contains("49998")))
        .unwrap_or_else(|| panic!("{rows:?}"));
    assert_eq!(row[8], "STANDARD_YEAR_MISSING", "{row:?}");
    assert!(row.iter().any(|c| c.contains("年代号")), "{row:?}");
    // A year after this year names an edition not yet published (R28).
    assert!(!drafts.contains("49997"), "{drafts}");
    let row = rows
        .iter()
        .find(|r| r.iter().any(|c| c.contains("49997")))
        .unwrap_or_else(|| panic!("{rows:?}"));
    assert_eq!(row[8], "STANDARD_YEAR_IN_FUTURE", "{row:?}");
    assert!(row.iter().any(|c| c.contains("该版本尚未发布")), "{row:?}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn an_xlsx_register_and_xlsx_outputs() {
    let dir = temp_dir("xlsx");
    std::fs::create_dir_all(&dir).unwrap();
    // The register as a bureau exports it from a spreadsheet.
    let sheets = stdfund_match::table::read(
        stdfund_match::FileFormat::Csv,
        &std::fs::read(Path::new(ROOT).join("tests/match/register.csv")).unwrap(),
    )
    .unwrap();
    let register = stdfund_match::feed::read_register(&sheets).unwrap();
    let rows: Vec<Vec<String>> = register
        .iter()
        .map(|e| vec![e.credit_code.clone(), e.name.clone(), e.seat.clone()])
        .collect();
    let bytes = stdfund_match::output::feed_file(
        stdfund_match::FeedKind::Register,
        stdfund_match::FileFormat::Xlsx,
        &rows,
    )
    .unwrap();
    let register_path = dir.join("register.xlsx");
    std::fs::write(&register_path, bytes).unwrap();
    let out = dir.join("out");
    let (code, stdout, stderr) = stdfund(&fixture_args(
        register_path.to_str().unwrap(),
        out.to_str().unwrap(),
        "xlsx",
    ));
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stdout.contains("预计金额 Estimated total: 2640000.00"),
        "{stdout}"
    );
    for f in [
        "notifications.xlsx",
        "review.xlsx",
        "summary.xlsx",
        "drafts.ndjson",
    ] {
        assert!(out.join(f).is_file(), "{f}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn unreadable_inputs_exit_2_naming_file_and_row() {
    let dir = temp_dir("bad");
    std::fs::create_dir_all(&dir).unwrap();
    let bad = dir.join("standards.csv");
    std::fs::write(
        &bad,
        "标准编号,标准级别,发布日期,起草单位\nGB/T 1-2021,国家标准,2021-10-11,福州闽榕茶业有限公司\nGB/T 2-2021,国家标准,2021年13月1日,福州闽榕茶业有限公司\n",
    )
    .unwrap();
    let out = dir.join("out");
    let (code, _, stderr) = stdfund(&[
        "match",
        "--register",
        "tests/match/register.csv",
        "--standards",
        bad.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(code, 2);
    assert!(stderr.contains("error[INVALID_DATE]"), "{stderr}");
    assert!(stderr.contains("standards.csv 第3行 row 3"), "{stderr}");
    // Month 13 is named for what it is, not as a date in another form.
    assert!(
        stderr.contains("日期「2021年13月1日」不是实际存在的日期"),
        "{stderr}"
    );
    assert!(
        !out.exists(),
        "nothing is written when an input is unreadable"
    );
    let (code, _, stderr) = stdfund(&[
        "match",
        "--register",
        "tests/match/no-such-register.csv",
        "--standards",
        "tests/match/standards.csv",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(code, 2);
    assert!(
        stderr.contains("error[FILE_UNREADABLE]: tests/match/no-such-register.csv"),
        "{stderr}"
    );
    let (code, _, stderr) = stdfund(&[
        "match",
        "--register",
        "tests/match/standards.csv",
        "--standards",
        "tests/match/standards.csv",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(code, 2);
    assert!(stderr.contains("error[HEADER_NOT_FOUND]"), "{stderr}");
    let (code, _, stderr) = stdfund(&[
        "match",
        "--register",
        "tests/match/register.csv",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(code, 2, "{stderr}");
    let (code, _, stderr) = stdfund(&[
        "match",
        "--register",
        "tests/match/register.csv",
        "--standards",
        "tests/match/standards.csv",
        "--year",
        "2015",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(code, 2);
    assert!(stderr.contains("INVALID_YEAR"), "{stderr}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn templates_are_written_as_committed() {
    let dir = temp_dir("templates");
    let (code, stdout, stderr) = stdfund(&["match", "--write-templates", dir.to_str().unwrap()]);
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.contains("standards.xlsx"));
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    assert_eq!(names.len(), 12);
    for name in names {
        assert_eq!(
            std::fs::read(dir.join(&name)).unwrap(),
            std::fs::read(Path::new(ROOT).join("docs/templates").join(&name)).unwrap(),
            "docs/templates/{name} is not current: run `bash tools/bless.sh`"
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}
