//! What the `stdfund` command line prints, as a user sees it: tables aligned
//! by display width with Chinese in them, labelled statuses and amounts in
//! 万元, errors Chinese first naming the file and the JSON position, the
//! `--error-format json` object, and a closed pipe ending every subcommand
//! quietly.
#![allow(
    clippy::arithmetic_side_effects,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::unwrap_used,
    missing_docs
)]

use std::io::Write;
use std::process::{Command, Stdio};
use unicode_width::UnicodeWidthStr;

const ROOT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../..");

fn stdfund(args: &[&str], stdin: Option<&str>) -> (i32, String, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_stdfund"))
        .args(args)
        .current_dir(ROOT)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut input = child.stdin.take().unwrap();
    if let Some(text) = stdin {
        input.write_all(text.as_bytes()).unwrap();
    }
    drop(input);
    let out = child.wait_with_output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

/// The `|`-separated tables in `text`: per table, its rows of cells (the
/// `|---|` rule excluded).
fn tables(text: &str) -> Vec<Vec<Vec<String>>> {
    let mut out: Vec<Vec<Vec<String>>> = Vec::new();
    let mut current: Vec<Vec<String>> = Vec::new();
    for line in text.lines() {
        if line.starts_with('|') && line.ends_with('|') {
            let inner = &line[1..line.len() - 1];
            let cells: Vec<String> = inner.split('|').map(String::from).collect();
            current.push(cells);
        } else if !current.is_empty() {
            out.push(std::mem::take(&mut current));
        }
    }
    if !current.is_empty() {
        out.push(current);
    }
    out
}

/// Every column of every table has one display width on every row, and at
/// least one row holds Chinese text.
fn assert_aligned(text: &str) -> usize {
    let found = tables(text);
    assert!(!found.is_empty(), "no table in\n{text}");
    for table in &found {
        let columns = table[0].len();
        let mut with_chinese = 0;
        for row in table {
            assert_eq!(row.len(), columns, "ragged row {row:?}");
            if row.iter().any(|c| c.width() != c.chars().count()) {
                with_chinese += 1;
            }
        }
        assert!(with_chinese > 1, "no Chinese rows in {table:?}");
        for col in 0..columns {
            let widths: Vec<usize> = table.iter().map(|r| r[col].width()).collect();
            assert!(
                widths.iter().all(|w| *w == widths[0]),
                "column {col} has display widths {widths:?} in\n{text}"
            );
        }
    }
    found.len()
}

#[test]
fn estimate_table_columns_line_up_by_display_width() {
    let (code, out, err) = stdfund(
        &["estimate", "examples/application.json", "--format", "table"],
        None,
    );
    assert_eq!(code, 0, "{err}");
    assert_eq!(assert_aligned(&out), 1);
    // The line rows: labelled outcome, amounts with separators and 万元.
    let t = &tables(&out)[0];
    let header: Vec<&str> = t[0].iter().map(|c| c.trim()).collect();
    assert_eq!(
        header,
        [
            "成果 Achievement",
            "条款 Clause",
            "结论 Outcome",
            "标的 Subject",
            "市级标准额 Municipal amount",
            "上级已资助 Higher-level funding",
            "应付 Payable"
        ]
    );
    let first: Vec<&str> = t[2].iter().map(|c| c.trim()).collect();
    assert_eq!(
        first,
        [
            "c1",
            "五(五)1",
            "可获资助 ELIGIBLE",
            "GB/T 12345-2020",
            "300,000.00 (30万元)",
            "100,000.00 (10万元)",
            "200,000.00 (20万元)"
        ]
    );
    assert!(
        t.iter()
            .any(|r| r[2].trim() == "待评审核定 DISCRETIONARY" && r[3].contains("福州")),
        "{out}"
    );
    assert!(
        out.contains("合计 Total payable: 1,270,000.00 (127万元)\n"),
        "{out}"
    );
    assert!(!out.contains("市级 C") && !out.contains("上级 H"), "{out}");
}

#[test]
fn rules_tables_line_up_by_display_width() {
    let (code, out, err) = stdfund(&["rules"], None);
    assert_eq!(code, 0, "{err}");
    // Per ruleset: the items and the variants with their amounts.
    assert_eq!(assert_aligned(&out) % 2, 0);
    assert!(out.contains("不资助 NOT_COVERED"), "{out}");
}

#[test]
fn an_unreadable_file_is_named_chinese_first() {
    let (code, out, err) = stdfund(&["estimate", "no/such/application.json"], None);
    assert_eq!(code, 2);
    assert!(out.is_empty());
    let lines: Vec<&str> = err.lines().collect();
    assert_eq!(lines.len(), 2, "{err}");
    assert_eq!(
        lines[0],
        "错误[INPUT_UNREADABLE]:无法读取文件`no/such/application.json`:文件不存在"
    );
    assert!(
        lines[1].starts_with("error[INPUT_UNREADABLE]: cannot read `no/such/application.json`"),
        "{err}"
    );
}

/// No Latin letters in a Chinese line, apart from the code, backquoted
/// names (the file) and the name of the format, JSON.
fn chinese_line_has_no_english(line: &str) -> bool {
    let mut outside = String::new();
    let mut quoted = false;
    for c in line.chars() {
        if c == '`' {
            quoted = !quoted;
        } else if !quoted {
            outside.push(c);
        }
    }
    let outside = outside.split_once(']').map_or(outside.as_str(), |(_, r)| r);
    let outside = outside.replace("JSON", "");
    !outside.chars().any(|c| c.is_ascii_alphabetic())
}

#[test]
fn invalid_json_names_the_file_and_the_position() {
    let dir = std::env::temp_dir().join(format!("stdfund-cli-output-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("bad.json");
    std::fs::write(&file, "{\n  \"applicant\": {\"creditCode\": \"x\",, }\n}\n").unwrap();
    let path = file.display().to_string();
    let (code, out, err) = stdfund(&["estimate", &path], None);
    assert_eq!(code, 2);
    assert!(out.is_empty());
    let lines: Vec<&str> = err.lines().collect();
    assert_eq!(lines.len(), 2, "{err}");
    assert!(lines[0].starts_with("错误[INVALID_JSON]:"), "{err}");
    assert!(lines[0].contains(&format!("`{path}`")), "{err}");
    assert!(lines[0].contains("第2行第35列"), "{err}");
    assert!(chinese_line_has_no_english(lines[0]), "{err}");
    assert!(lines[1].starts_with("error[INVALID_JSON]:"), "{err}");
    assert!(lines[1].contains("(2:35)"), "{err}");
    assert!(!err.contains(".?"), "{err}");

    // A comma after the last item, on the line before: said as such.
    let (code, _, err) = stdfund(
        &["estimate"],
        Some(
            "{\"applicant\": {\"creditCode\": \"x\"},\n \"achievements\": [\n  {\"id\": \"a\"},\n ]\n}",
        ),
    );
    assert_eq!(code, 2);
    let zh = err.lines().next().unwrap();
    assert!(zh.contains("第4行第2列"), "{err}");
    assert!(zh.contains("最后一项后面不能有逗号"), "{err}");
    assert!(
        err.lines()
            .nth(1)
            .unwrap()
            .contains("no comma after the last item"),
        "{err}"
    );

    // From standard input, and truncated.
    let (code, _, err) = stdfund(&["estimate"], Some("{\"applicant\": {"));
    assert_eq!(code, 2);
    let zh = err.lines().next().unwrap();
    assert!(zh.contains("标准输入第1行第15列"), "{err}");
    assert!(chinese_line_has_no_english(zh), "{err}");
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn a_file_not_in_utf8_is_said_with_what_to_do() {
    let dir = std::env::temp_dir().join(format!("stdfund-cli-gbk-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("gbk.json");
    // `{"applicant": {"name": "福州"}}` with 福州 in GBK.
    let mut bytes = b"{\"applicant\": {\"name\": \"".to_vec();
    bytes.extend_from_slice(&[0xB8, 0xA3, 0xD6, 0xDD]);
    bytes.extend_from_slice(b"\"}}");
    std::fs::write(&file, bytes).unwrap();
    let (code, _, err) = stdfund(&["estimate", &file.display().to_string()], None);
    assert_eq!(code, 2);
    assert!(err.starts_with("错误[INPUT_UNREADABLE]:"), "{err}");
    assert!(err.contains("另存为UTF-8编码"), "{err}");
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn a_field_error_is_chinese_first_with_the_field() {
    let (code, out, err) = stdfund(
        &["estimate", "-"],
        Some(r#"{"applicant":{"creditCode":"123","seat":"350102"}}"#),
    );
    assert_eq!(code, 2);
    assert!(out.is_empty());
    let lines: Vec<&str> = err.lines().collect();
    assert_eq!(lines.len(), 2, "{err}");
    assert!(
        lines[0].starts_with("错误[INVALID_CREDIT_CODE]:标准输入:"),
        "{err}"
    );
    assert!(lines[0].ends_with("(字段 applicant.creditCode)"), "{err}");
    assert!(lines[1].ends_with("(at `applicant.creditCode`)"), "{err}");
}

#[test]
fn a_mistyped_item_or_category_lists_what_may_be_written() {
    let application = |item: &str, variant: &str| {
        format!(
            r#"{{"applicant":{{"creditCode":"91350100M000100Y43","seat":"350102"}},"achievements":[{{"id":"a","item":"{item}","variant":"{variant}","subject":"GB/T 1-2020","date":"2020-05-01"}}]}}"#
        )
    };
    let catalog = serde_json::to_value(stdfund_rules::json::catalog().unwrap()).unwrap();
    let items = catalog["rulesets"][0]["document"]["items"]
        .as_array()
        .unwrap();

    let (code, _, err) = stdfund(
        &["estimate", "-"],
        Some(&application("STANDARD_LEED", "NATIONAL")),
    );
    assert_eq!(code, 2, "{err}");
    let lines: Vec<&str> = err.lines().collect();
    assert_eq!(lines.len(), 2, "{err}");
    assert!(
        lines[0].starts_with("错误[UNKNOWN_ITEM]:标准输入:"),
        "{err}"
    );
    assert!(lines[0].contains("可填写的资助项目:"), "{err}");
    assert!(lines[1].contains("the items are: "), "{err}");
    for item in items {
        let id = item["id"].as_str().unwrap();
        let zh = item["nameZh"].as_str().unwrap();
        assert!(lines[0].contains(&format!("`{id}`({zh})")), "{id} in {err}");
        assert!(lines[1].contains(&format!("`{id}`")), "{id} in {err}");
    }
    assert!(
        chinese_line_has_no_english(lines[0].split("(字段").next().unwrap()),
        "{err}"
    );

    // After the engine's guess, a new sentence.
    let (_, _, err) = stdfund(
        &["estimate", "-"],
        Some(&application("standard_lead", "NATIONAL")),
    );
    assert!(
        err.contains("?可填写的资助项目:") || err.contains("？可填写的资助项目:"),
        "{err}"
    );
    assert!(!err.contains("?;") && !err.contains("?; "), "{err}");

    let (code, _, err) = stdfund(
        &["estimate", "-"],
        Some(&application("STANDARD_LEAD", "NATION")),
    );
    assert_eq!(code, 2, "{err}");
    let lines: Vec<&str> = err.lines().collect();
    assert!(lines[0].starts_with("错误[UNKNOWN_VARIANT]:"), "{err}");
    assert!(
        lines[0].contains("资助项目`STANDARD_LEAD`可填写的类别:"),
        "{err}"
    );
    let lead = items.iter().find(|i| i["id"] == "STANDARD_LEAD").unwrap();
    for v in lead["variants"].as_array().unwrap() {
        let id = v["id"].as_str().unwrap();
        assert!(
            lines[0].contains(&format!("`{id}`({})", v["nameZh"].as_str().unwrap())),
            "{id} in {err}"
        );
    }
    assert!(
        !lines[0].contains("`GI_PRODUCT_PROTECTION`"),
        "only the item's categories: {err}"
    );
    assert!(
        chinese_line_has_no_english(lines[0].split("(字段").next().unwrap()),
        "{err}"
    );

    // The JSON object stays the engine's, without the list.
    let input = application("STANDARD_LEED", "NATIONAL");
    let (_, _, err) = stdfund(&["estimate", "--error-format", "json", "-"], Some(&input));
    let engine = stdfund_rules::json::estimate_json(&input).unwrap_err();
    let v: serde_json::Value = serde_json::from_str(err.trim()).unwrap();
    assert_eq!(
        v,
        serde_json::json!({"error": serde_json::to_value(&engine).unwrap()})
    );
}

#[test]
fn error_format_json_prints_the_boundary_object() {
    let input = r#"{"applicant":{"creditCode":"123","seat":"350102"}}"#;
    let (code, out, err) = stdfund(&["estimate", "--error-format", "json", "-"], Some(input));
    assert_eq!(code, 2);
    assert!(out.is_empty());
    let v: serde_json::Value = serde_json::from_str(err.trim()).unwrap();
    // Exactly the engine's report, as WASM and the gRPC batch carry it.
    let engine = stdfund_rules::json::estimate_json(input).unwrap_err();
    assert_eq!(
        v,
        serde_json::json!({"error": serde_json::to_value(&engine).unwrap()})
    );
    let keys: Vec<&String> = v["error"].as_object().unwrap().keys().collect();
    assert_eq!(keys, ["code", "field", "messageZh", "messageEn"]);

    // A value the engine reads as meant comes last, as `meant`, as WASM and
    // the gRPC batch carry it (a second user test found it missing here).
    let input = r#"{"applicant":{"creditCode":"９１３５０１８１ＭＡ３ＫＬＭ４５６Ｋ","name":"福州示例","seat":"350102"},"achievements":[]}"#;
    let (code, _, err) = stdfund(&["estimate", "--error-format", "json", "-"], Some(input));
    assert_eq!(code, 2);
    let v: serde_json::Value = serde_json::from_str(err.trim()).unwrap();
    let keys: Vec<&String> = v["error"].as_object().unwrap().keys().collect();
    assert_eq!(keys, ["code", "field", "messageZh", "messageEn", "meant"]);
    assert_eq!(v["error"]["meant"], "91350181MA3KLM456K");

    // File-level errors have the same shape.
    let (code, _, err) = stdfund(&["estimate", "nope.json", "--error-format", "json"], None);
    assert_eq!(code, 2);
    let v: serde_json::Value = serde_json::from_str(err.trim()).unwrap();
    assert_eq!(v["error"]["code"], "INPUT_UNREADABLE");
    assert_eq!(v["error"]["field"], "");
    assert!(
        v["error"]["messageZh"]
            .as_str()
            .unwrap()
            .contains("文件不存在")
    );
}

/// Runs `stdfund args` with a standard output whose reader is already
/// closed, so that every write fails with EPIPE.
#[allow(clippy::incompatible_msrv)] // std::io::pipe (1.87); tests only.
fn closed_pipe(args: &[&str], stdin: &str, envs: &[(&str, &str)]) -> (Option<i32>, String) {
    let (reader, writer) = std::io::pipe().unwrap();
    drop(reader);
    let mut child = Command::new(env!("CARGO_BIN_EXE_stdfund"))
        .args(args)
        .envs(envs.iter().copied())
        .current_dir(ROOT)
        .stdin(Stdio::piped())
        .stdout(writer)
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut input = child.stdin.take().unwrap();
    let _ = input.write_all(stdin.as_bytes());
    drop(input);
    let out = child.wait_with_output().unwrap();
    (out.status.code(), String::from_utf8(out.stderr).unwrap())
}

#[test]
fn a_closed_pipe_ends_every_subcommand_quietly() {
    let dir = std::env::temp_dir().join(format!("stdfund-cli-pipe-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let db = format!("sqlite://{}", dir.join("pipe.sqlite").display());
    let app = std::fs::read_to_string(format!("{ROOT}/examples/application.json")).unwrap();
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (
            vec!["estimate", "examples/application.json", "--format", "table"],
            "",
        ),
        (vec!["estimate", "examples/application.json"], ""),
        (vec!["estimate", "-", "--format", "table"], &app),
        (vec!["rules"], ""),
        (vec!["rules", "--format", "json"], ""),
        (vec!["--help"], ""),
        (vec!["serve", "--help"], ""),
        (vec!["--version"], ""),
        (vec!["serve", "--print-config"], ""),
        (vec!["token", "hash"], "a-token-for-the-pipe-test"),
        (vec!["migrate", "--database-url", &db], ""),
    ];
    for (args, stdin) in cases {
        let (code, err) = closed_pipe(&args, stdin, &[]);
        assert_eq!(code, Some(0), "{args:?}: {err}");
        assert_eq!(err, "", "{args:?} wrote on stderr");
    }
    std::fs::remove_dir_all(&dir).ok();
}
