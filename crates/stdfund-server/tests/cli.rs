//! The `stdfund estimate` and `stdfund rules` commands as a user runs them.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::io::Write;
use std::process::{Command, Stdio};

fn stdfund(args: &[&str], stdin: Option<&str>) -> (i32, String, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_stdfund"))
        .args(args)
        .current_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/../.."))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    if let Some(text) = stdin {
        let written = child.stdin.take().unwrap().write_all(text.as_bytes());
        // A command may stop reading early (an input over its limit).
        if let Err(e) = written {
            assert_eq!(e.kind(), std::io::ErrorKind::BrokenPipe, "{e}");
        }
    } else {
        drop(child.stdin.take());
    }
    let out = child.wait_with_output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

#[test]
fn estimate_of_one_line_per_clause_prints_the_amounts_of_rules_md() {
    let (code, out, err) = stdfund(&["estimate", "examples/application.json"], None);
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let lines = v["lines"].as_array().unwrap();
    let got: Vec<(&str, &str, &str)> = lines
        .iter()
        .map(|l| {
            (
                l["clause"].as_str().unwrap(),
                l["reasonCode"].as_str().unwrap(),
                l["payable"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            ("五(五)1", "ELIGIBLE", "200000.00"), // 30万 national lead, 10万 provincial: top-up 20万
            ("五(五)2", "ELIGIBLE", "200000.00"), // 20万 international participation
            ("五(五)3", "ELIGIBLE", "60000.00"),  // 中国标准创新贡献奖 first prize 6万
            ("五(五)3", "ELIGIBLE", "10000.00"),  // 福建省标准贡献奖 third prize 1万
            ("五(五)4", "ELIGIBLE", "300000.00"), // national TC secretariat 30万
            ("五(五)5", "ELIGIBLE", "150000.00"), // provincial pilot 15万
            ("五(五)6", "ELIGIBLE", "100000.00"), // municipal research 10万
            ("五(五)7", "ELIGIBLE", "50000.00"),  // AAAA 5万
            ("五(五)8", "ELIGIBLE", "200000.00"), // GI 20万
            ("五(五)9", "DISCRETIONARY", "0.00"), // reviewer sets it
        ]
    );
    assert_eq!(lines[0]["higherLevelFundingCounted"], "100000.00");
    assert_eq!(v["total"], "1270000.00");
    assert_eq!(v["split"]["districtShare"], "635000.00");
    assert_eq!(v["split"]["shareTables"][0]["provisional"], true);
    assert!(
        v["receipt"]["rulesets"][0]["hash"]
            .as_str()
            .unwrap()
            .starts_with("sha256:")
    );
    assert!(
        v["receipt"]["inputHash"]
            .as_str()
            .unwrap()
            .starts_with("sha256:")
    );
}

#[test]
fn the_table_format_is_readable_and_cites_the_text() {
    let (code, out, _) = stdfund(
        &["estimate", "examples/application.json", "--format", "table"],
        None,
    );
    assert_eq!(code, 0);
    for needle in [
        "合计 Total payable: 1,270,000.00 (127万元)",
        "暂定 PROVISIONAL",
        "补足差额200000.00元",
        "凭据 Receipt",
        "依据 Citations",
        "50万元、30万元、20万元",
    ] {
        assert!(out.contains(needle), "missing {needle} in\n{out}");
    }
}

#[test]
fn malformed_input_exits_2_with_a_stable_code() {
    let (code, out, err) = stdfund(
        &["estimate", "-"],
        Some(r#"{"applicant":{"creditCode":"123","seat":"350102"}}"#),
    );
    assert_eq!(code, 2);
    assert!(out.is_empty());
    assert!(
        err.contains("INVALID_CREDIT_CODE") && err.contains("applicant.creditCode"),
        "{err}"
    );
    let (code, _, err) = stdfund(&["estimate"], Some("{not json"));
    assert_eq!(code, 2);
    assert!(err.contains("INVALID_JSON"), "{err}");
    let (code, _, err) = stdfund(&["estimate", "no/such/file.json"], None);
    assert_eq!(code, 2);
    assert!(err.contains("INPUT_UNREADABLE"), "{err}");
}

#[test]
fn a_file_saved_by_notepad_and_full_width_punctuation_are_what_a_clerk_types() {
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../..");
    let app = std::fs::read_to_string(format!("{root}/examples/application.json")).unwrap();
    let (_, plain, _) = stdfund(&["estimate", "-"], Some(&app));
    // UTF-8 with a byte order mark and CRLF line ends: the same answer.
    let bom = format!("\u{feff}{}", app.replace('\n', "\r\n"));
    let (code, out, err) = stdfund(&["estimate", "-"], Some(&bom));
    assert_eq!(code, 0, "{err}");
    assert_eq!(out, plain);
    // A full-width colon typed by a Chinese input method: named, with the
    // column counted in characters as an editor counts them.
    let (code, _, err) = stdfund(&["estimate", "-"], Some("{\n  \"名称\"：1}"));
    assert_eq!(code, 2);
    assert!(err.contains("第2行第7列"), "{err}");
    assert!(err.contains("`：`是全角字符,JSON须用半角的`:`"), "{err}");
    assert!(
        err.contains("line 2, column 7") && err.contains("full-width"),
        "{err}"
    );
    let (_, _, err) = stdfund(
        &["estimate", "-"],
        Some(r#"{"applicant":{"name":"a"，"seat":"350102"}}"#),
    );
    assert!(err.contains("`，`是全角字符"), "{err}");
    // The table shows a subject's rewrite beside its canonical form.
    let (code, out, err) = stdfund(
        &["estimate", "examples/application.json", "--format", "table"],
        None,
    );
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains("(填写为 as typed: gb/t\u{3000}12345—2020)"),
        "{out}"
    );
}

#[test]
fn a_table_without_achievements_says_so() {
    let (code, out, err) = stdfund(
        &["estimate", "-", "--format", "table"],
        Some(
            r#"{"applicant":{"creditCode":"91350100M000100Y43","seat":"350102"},"achievements":[]}"#,
        ),
    );
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("未填写成果"), "{out}");
    assert!(!out.contains("说明 Explanations"), "{out}");
    assert!(out.contains("合计 Total payable: 0.00"), "{out}");
}

#[test]
fn an_input_over_16_mib_is_refused_unread_and_one_under_it_answered() {
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../..");
    let app = std::fs::read_to_string(format!("{root}/examples/application.json")).unwrap();
    let dir = std::env::temp_dir().join(format!("stdfund-cli-large-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let limit = 16usize << 20;
    // White space is JSON: padded up to the limit, the application is
    // answered as it is without the padding.
    let fits = dir.join("fits.json");
    let mut padded = app.trim_end().to_string();
    padded.push_str(&" ".repeat(limit - padded.len()));
    std::fs::write(&fits, &padded).unwrap();
    let (code, out, err) = stdfund(&["estimate", fits.to_str().unwrap()], None);
    assert_eq!(code, 0, "{err}");
    let (_, plain, _) = stdfund(&["estimate", "examples/application.json"], None);
    assert_eq!(out, plain);
    // One byte more is refused, from a file or from standard input.
    padded.push(' ');
    let over = dir.join("over.json");
    std::fs::write(&over, &padded).unwrap();
    let (code, out, err) = stdfund(&["estimate", over.to_str().unwrap()], None);
    assert_eq!(code, 2, "{err}");
    assert!(out.is_empty());
    assert!(err.contains("INPUT_TOO_LARGE"), "{err}");
    assert!(err.contains("16777216"), "{err}");
    // 64 MiB offered; the command stops reading after 16 MiB.
    let (code, _, err) = stdfund(
        &["estimate", "--error-format", "json", "-"],
        Some(&" ".repeat(64 << 20)),
    );
    assert_eq!(code, 2);
    let v: serde_json::Value = serde_json::from_str(&err).unwrap();
    assert_eq!(v["error"]["code"], "INPUT_TOO_LARGE", "{v}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn rules_lists_items_amounts_and_hash() {
    let (code, out, _) = stdfund(&["rules"], None);
    assert_eq!(code, 0);
    for needle in [
        "fz-2016 1.1.0",
        "2016-04-25",
        "sha256:",
        "| 五(五)1     | STANDARD_LEAD ",
        "50 万元",
        "AAAAA",
        "不资助 NOT_COVERED",
        "评审核定 DISCRETIONARY",
        "暂定 PROVISIONAL",
    ] {
        assert!(out.contains(needle), "missing {needle}");
    }
    let (code, out, _) = stdfund(&["rules", "--format", "json"], None);
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["rulesets"][0]["document"]["id"], "fz-2016");
}
