//! `stdfund estimate --batch` as a district bureau runs it: NDJSON, CSV and
//! XLSX in; NDJSON, CSV and XLSX out; bad lines and rows in the middle; exit
//! statuses; the template filled in and run.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    missing_docs
)]

use calamine::{Data, Reader};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};

const ROOT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../..");

fn temp_dir(stem: &str) -> PathBuf {
    static N: AtomicU32 = AtomicU32::new(0);
    let dir = std::env::temp_dir().join(format!(
        "stdfund-batch-{stem}-{}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::SeqCst)
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// The binary with `args`, run from the repository, its standard streams
/// piped.
fn command(args: &[&str]) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_stdfund"));
    c.args(args)
        .current_dir(ROOT)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    c
}

/// Starts the binary with `stdout`, feeding `stdin` from a thread (joined by
/// [`finish`]) so that a large input cannot block against unread output.
fn spawn(
    args: &[&str],
    stdin: Option<&[u8]>,
    stdout: Stdio,
) -> (std::process::Child, std::thread::JoinHandle<()>) {
    let mut child = command(args).stdout(stdout).spawn().unwrap();
    let mut input = child.stdin.take().unwrap();
    let data = stdin.map(<[u8]>::to_vec);
    let feeder = std::thread::spawn(move || {
        if let Some(d) = data {
            let _ = input.write_all(&d);
        }
    });
    (child, feeder)
}

/// Waits for a [`spawn`]ed run; answers (status, stdout bytes, stderr).
fn finish(
    (child, feeder): (std::process::Child, std::thread::JoinHandle<()>),
) -> (i32, Vec<u8>, String) {
    let out = child.wait_with_output().unwrap();
    feeder.join().unwrap();
    (
        out.status.code().unwrap_or(-1),
        out.stdout,
        String::from_utf8(out.stderr).unwrap(),
    )
}

/// Runs the binary; answers (status, stdout bytes, stderr).
fn run(args: &[&str], stdin: Option<&[u8]>) -> (i32, Vec<u8>, String) {
    finish(spawn(args, stdin, Stdio::piped()))
}

fn text(b: &[u8]) -> &str {
    std::str::from_utf8(b).unwrap()
}

/// The error object of an NDJSON error line without its location, and the
/// location: `{"error":{…},"line":7}` → (`{"error":{…}}`, ("line", 7)).
fn split_error(line: &str) -> (String, (String, u64)) {
    let v: serde_json::Value = serde_json::from_str(line).unwrap();
    let (key, n) = if let Some(n) = v.get("line") {
        ("line", n.as_u64().unwrap())
    } else {
        ("row", v["row"].as_u64().unwrap())
    };
    let suffix = format!(",\"{key}\":{n}}}");
    let object = format!("{}}}", line.strip_suffix(&suffix).expect(line));
    (object, (key.to_string(), n))
}

fn example() -> String {
    std::fs::read_to_string(Path::new(ROOT).join("examples/application.json")).unwrap()
}

fn compact(json: &str) -> String {
    serde_json::to_string(&serde_json::from_str::<serde_json::Value>(json).unwrap()).unwrap()
}

#[test]
fn ndjson_of_every_vector_answers_line_for_line_what_estimate_answers() {
    let vectors =
        stdfund_testkit::vectors::load_all(&stdfund_testkit::vectors::vectors_dir()).unwrap();
    assert!(vectors.len() > 50);
    let dir = temp_dir("vectors");
    let mut ndjson = String::new();
    for (i, v) in vectors.iter().enumerate() {
        ndjson.push_str(&v.input_json());
        ndjson.push('\n');
        if i == vectors.len() / 2 {
            // A blank line is skipped but counted.
            ndjson.push_str("  \n");
        }
    }
    let input = dir.join("vectors.ndjson");
    std::fs::write(&input, &ndjson).unwrap();
    let (code, out, err) = run(&["estimate", "--batch", input.to_str().unwrap()], None);
    // The error vectors are errors, so not every line was answered.
    assert_eq!(code, 1, "{err}");
    assert!(err.is_empty(), "{err}");
    let lines: Vec<&str> = text(&out).lines().collect();
    assert_eq!(lines.len(), vectors.len());
    let mut errors = 0;
    for (i, (v, line)) in vectors.iter().zip(&lines).enumerate() {
        let file = dir.join(format!("{i}.json"));
        std::fs::write(&file, v.input_json()).unwrap();
        let (code, single, single_err) = run(
            &["estimate", "--error-format", "json", file.to_str().unwrap()],
            None,
        );
        let number = if i > vectors.len() / 2 { i + 2 } else { i + 1 };
        if code == 0 {
            assert_eq!(format!("{line}\n"), text(&single), "{}", v.id());
        } else {
            errors += 1;
            assert_eq!(code, 2, "{}", v.id());
            let (object, at) = split_error(line);
            assert_eq!(format!("{object}\n"), single_err, "{}", v.id());
            assert_eq!(at, ("line".to_string(), number as u64), "{}", v.id());
        }
    }
    assert!(errors >= 8, "the error vectors are in the batch");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn thousands_of_generated_applications_keep_their_order_across_chunks() {
    // More lines than one chunk, about 5 % of them malformed on purpose.
    let texts: Vec<String> = (0..4500u64)
        .map(|seed| serde_json::to_string(&stdfund_testkit::generate::application(seed)).unwrap())
        .collect();
    let input = texts.join("\n");
    let (code, out, err) = run(&["estimate", "--batch", "-"], Some(input.as_bytes()));
    let lines: Vec<&str> = text(&out).lines().collect();
    assert_eq!(lines.len(), texts.len(), "{err}");
    let mut errors = 0;
    for (i, (t, line)) in texts.iter().zip(&lines).enumerate() {
        match stdfund_rules::json::estimate_text(t) {
            Ok(answer) => assert_eq!(*line, answer, "line {}", i + 1),
            Err(e) => {
                errors += 1;
                let (object, at) = split_error(line);
                // The object `stdfund estimate --error-format json` prints,
                // with the value meant when the engine offers one.
                assert_eq!(
                    object,
                    stdfund_server::output::error_json_meant(&e.to_report(), e.meant().as_deref())
                );
                assert_eq!(at, ("line".to_string(), i as u64 + 1));
            }
        }
    }
    assert!(errors > 0);
    assert_eq!(code, 1);
}

#[test]
fn a_bad_line_in_the_middle_fails_alone() {
    let good = compact(&example());
    let input = format!("{good}\r\n{{\"applicant\": \n\n{good}\n");
    let (code, out, err) = run(&["estimate", "--batch"], Some(input.as_bytes()));
    assert_eq!(code, 1, "{err}");
    let lines: Vec<&str> = text(&out).lines().collect();
    assert_eq!(lines.len(), 3);
    let single = stdfund_rules::json::estimate_json(&good).unwrap();
    assert_eq!(lines[0], single);
    assert_eq!(lines[2], single);
    let v: serde_json::Value = serde_json::from_str(lines[1]).unwrap();
    assert_eq!(v["line"], 2);
    assert_eq!(v["error"]["code"], "INVALID_JSON");
    assert!(
        v["error"]["messageZh"]
            .as_str()
            .unwrap()
            .starts_with("第2行"),
        "{v}"
    );
    // Every line answered: status 0, nothing on standard error.
    let (code, out, err) = run(
        &["estimate", "--batch", "-"],
        Some(format!("{good}\n\n{good}").as_bytes()),
    );
    assert_eq!((code, err.as_str()), (0, ""));
    assert_eq!(text(&out).lines().count(), 2);
}

/// The stream's edges, across several chunks of the reader / estimator /
/// writer pipeline: a byte-order mark on line 1, white-space-only lines
/// (skipped but counted), CRLF; a full disk is OUTPUT_UNWRITABLE (status 1);
/// a reader that goes away (`… | head`) ends the run quietly.
#[test]
fn the_stream_s_edges_across_chunks() {
    let good = compact(&example());
    let single = stdfund_rules::json::estimate_json(&good).unwrap();
    let mut input = b"\xEF\xBB\xBF".to_vec();
    let mut want = Vec::new();
    for n in 1..=2500u32 {
        let line = match n % 500 {
            7 => " \t ".to_string(),
            9 => "{\"applicant\":".to_string(),
            // 700 KB of white space: parts end by their bytes too.
            11 | 12 => format!("{{{}{}", " ".repeat(700_000), &good[1..]),
            _ => good.clone(),
        };
        input.extend_from_slice(line.as_bytes());
        input.extend_from_slice(if n % 3 == 0 { b"\r\n" } else { b"\n" });
        match n % 500 {
            7 => {}
            9 => want.push(Some(n)),
            _ => want.push(None),
        }
    }
    let (code, out, err) = run(&["estimate", "--batch", "-"], Some(&input));
    assert_eq!(code, 1, "{err}");
    let lines: Vec<&str> = text(&out).lines().collect();
    assert_eq!(lines.len(), want.len());
    for (line, want) in lines.iter().zip(&want) {
        match want {
            None => assert_eq!(*line, single),
            Some(n) => {
                let v: serde_json::Value = serde_json::from_str(line).unwrap();
                assert_eq!(v["line"], *n, "{v}");
                assert_eq!(v["error"]["code"], "INVALID_JSON", "{v}");
            }
        }
    }

    if Path::new("/dev/full").exists() {
        let full = std::fs::OpenOptions::new()
            .write(true)
            .open("/dev/full")
            .unwrap();
        let (code, _, err) = finish(spawn(
            &["estimate", "--batch", "-"],
            Some(&input),
            full.into(),
        ));
        assert_eq!(code, 1, "{err}");
        assert!(err.contains("OUTPUT_UNWRITABLE"), "{err}");
    }

    // The reader of the answers reads one line and goes away.
    let (mut child, feeder) = spawn(&["estimate", "--batch", "-"], Some(&input), Stdio::piped());
    let mut first = String::new();
    std::io::BufRead::read_line(
        &mut std::io::BufReader::new(child.stdout.take().unwrap()),
        &mut first,
    )
    .unwrap();
    assert_eq!(first.trim_end(), single);
    let (code, _, err) = finish((child, feeder));
    // Status 1 because of the bad lines, not because the output went away.
    assert_eq!(code, 1, "{err}");
    assert_eq!(err, "");
}

/// A line with text after its JSON document is refused as `stdfund estimate`
/// refuses the same text: TRAILING_DATA with the engine's position, not a
/// syntax error.
#[test]
fn text_after_a_line_s_document_is_trailing_data_as_in_estimate() {
    let good = compact(&example());
    let line = format!("{good} x");
    let (code, out, err) = run(
        &["estimate", "--batch"],
        Some(format!("{line}\n").as_bytes()),
    );
    assert_eq!(code, 1, "{err}");
    let v: serde_json::Value = serde_json::from_str(text(&out).trim()).unwrap();
    assert_eq!(v["error"]["code"], "TRAILING_DATA", "{v}");
    let single = stdfund_rules::json::estimate_json(&line).unwrap_err();
    assert_eq!(v["error"]["messageEn"], single.message_en, "{v}");
}

/// The peak resident memory of a running process, in KiB (Linux).
fn peak_rss_kib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    let line = status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))
        .expect("VmHWM in /proc/PID/status");
    line.split_whitespace().nth(1).unwrap().parse().unwrap()
}

#[test]
fn an_over_long_line_is_answered_and_passed_without_being_held() {
    let app = compact(&example());
    let mut child = command(&["estimate", "--batch", "--error-format", "json", "-"])
        .spawn()
        .unwrap();
    let mut input = child.stdin.take().unwrap();
    input.write_all(format!("{app}\n").as_bytes()).unwrap();
    // 512 MiB without a line end: the reader keeps 16 MiB of it at most.
    let chunk = vec![b' '; 1 << 20];
    input.write_all(b"{\"applicant\":").unwrap();
    for _ in 0..512 {
        input.write_all(&chunk).unwrap();
    }
    // All but the pipe's buffer has been read by now.
    let peak = peak_rss_kib(child.id());
    input.write_all(format!("\n{app}\n").as_bytes()).unwrap();
    drop(input);
    let out = child.wait_with_output().unwrap();
    assert!(
        peak < 160 * 1024,
        "peak RSS {peak} KiB while reading a 512 MiB line"
    );
    assert_eq!(out.status.code(), Some(1));
    let lines: Vec<&str> = text(&out.stdout).lines().collect();
    assert_eq!(lines.len(), 3, "{lines:?}");
    let answer = stdfund_rules::json::estimate_json(&app).unwrap();
    assert_eq!(lines[0], answer.trim_end());
    assert_eq!(lines[2], answer.trim_end());
    let (error, loc) = split_error(lines[1]);
    assert_eq!(loc, ("line".to_string(), 2));
    let v: serde_json::Value = serde_json::from_str(&error).unwrap();
    assert_eq!(v["error"]["code"], "LINE_TOO_LONG", "{v}");
    let len = (512u64 << 20) + 13;
    assert!(
        v["error"]["messageEn"]
            .as_str()
            .unwrap()
            .starts_with(&format!("line 2 is {len} bytes long")),
        "{v}"
    );
}

#[test]
fn the_largest_request_within_the_limits_is_read() {
    // Every text at its 200-character limit, each character a non-BMP one
    // escaped as a surrogate pair (12 bytes): 200 achievements of 20
    // funding entries.
    let long = |last: u32| {
        let mut s = "\\ud83d\\ude00".repeat(199);
        s.push_str(&format!("\\u{:04x}", 0x4e00 + last));
        s
    };
    let funding = format!(
        "{{\"level\":\"FUNDING_LEVEL_PROVINCIAL\",\"amount\":\"1.00\",\"source\":\"{}\"}}",
        long(0)
    );
    let achievements: Vec<String> = (0..200)
        .map(|i| {
            format!(
                "{{\"id\":\"{}\",\"item\":\"STANDARD_LEAD\",\"variant\":\"NATIONAL\",\"subject\":\"{}\",\"date\":\"2020-05-01\",\"higherLevelFunding\":[{}]}}",
                long(i),
                long(0),
                vec![funding.as_str(); 20].join(",")
            )
        })
        .collect();
    let line = format!(
        "{{\"applicant\":{{\"creditCode\":\"91350100M000100Y43\",\"name\":\"{}\",\"seat\":\"350102\"}},\"achievements\":[{}]}}",
        long(0),
        achievements.join(",")
    );
    assert!(
        line.len() < stdfund_server::batch::MAX_LINE_BYTES,
        "{} bytes",
        line.len()
    );
    let (code, out, err) = run(
        &["estimate", "--batch", "--error-format", "json", "-"],
        Some(format!("{line}\n").as_bytes()),
    );
    // Read, and refused for what it says (the subject is no standard
    // number), not for its length.
    assert_eq!(code, 1, "{err}");
    let (error, _) = split_error(text(&out).trim_end());
    let v: serde_json::Value = serde_json::from_str(&error).unwrap();
    assert_eq!(v["error"]["code"], "INVALID_STANDARD_NUMBER", "{v}");
}

#[test]
fn the_input_that_cannot_be_read_exits_2() {
    let dir = temp_dir("unreadable");
    let cases: Vec<(Vec<String>, &str)> = vec![
        (vec!["no/such/file.ndjson".into()], "INPUT_UNREADABLE"),
        (vec!["README.md".into()], "UNSUPPORTED_FORMAT"),
        (
            {
                let p = dir.join("x.xlsx");
                std::fs::write(&p, b"not a workbook").unwrap();
                vec![p.to_str().unwrap().into()]
            },
            "FILE_UNREADABLE",
        ),
        (
            {
                let p = dir.join("x.csv");
                std::fs::write(&p, "a,b\n1,2\n").unwrap();
                vec![p.to_str().unwrap().into()]
            },
            "HEADER_NOT_FOUND",
        ),
        (
            vec![
                "examples/application.json".into(),
                "--output".into(),
                dir.join("out.pdf").to_str().unwrap().into(),
            ],
            "UNSUPPORTED_FORMAT",
        ),
    ];
    for (args, code_expected) in cases {
        let mut all = vec!["estimate", "--batch", "--error-format", "json"];
        all.extend(args.iter().map(String::as_str));
        let (code, out, err) = run(&all, None);
        assert_eq!(code, 2, "{args:?}: {err}");
        assert!(out.is_empty());
        let v: serde_json::Value = serde_json::from_str(err.trim()).expect(&err);
        assert_eq!(v["error"]["code"], code_expected, "{args:?}");
    }
    // An unreadable spreadsheet writes nothing, not even an empty output.
    for out in ["out.xlsx", "out.csv", "out.ndjson"] {
        let target = dir.join(out);
        let (code, _, _) = run(
            &[
                "estimate",
                "--batch",
                dir.join("x.csv").to_str().unwrap(),
                "--output",
                target.to_str().unwrap(),
            ],
            None,
        );
        assert_eq!(code, 2);
        assert!(!target.exists(), "{out}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// Cells of a sheet as text.
fn sheet_rows(path: &Path, sheet: &str) -> Vec<Vec<String>> {
    let mut wb = calamine::open_workbook_auto(path).unwrap();
    let range = wb.worksheet_range(sheet).unwrap();
    range
        .rows()
        .map(|r| {
            r.iter()
                .map(|c| match c {
                    Data::Empty => String::new(),
                    Data::String(s) => s.clone(),
                    Data::Float(f) if f.fract() == 0.0 => format!("{}", *f as i64),
                    Data::Float(f) => f.to_string(),
                    Data::Int(i) => i.to_string(),
                    other => other.to_string(),
                })
                .collect()
        })
        .collect()
}

fn column(rows: &[Vec<String>], header: &str) -> usize {
    rows.iter()
        .find_map(|r| r.iter().position(|c| c == header))
        .unwrap_or_else(|| panic!("no column {header}"))
}

fn two_applications_with_a_bad_one() -> String {
    let good = compact(&example());
    let outside = good
        .replace("\"350102\"", "\"350203\"")
        .replace("91350100M000100Y43", "91350203MA34WQ1E0C");
    format!("{good}\n{{\"applicant\":{{\"seat\":\"350102\"}}}}\n{outside}\n")
}

#[test]
fn xlsx_output_reads_back_with_lines_units_and_summary() {
    let dir = temp_dir("xlsx-out");
    let out = dir.join("answers.xlsx");
    let (code, stdout, err) = run(
        &["estimate", "--batch", "--output", out.to_str().unwrap()],
        Some(two_applications_with_a_bad_one().as_bytes()),
    );
    assert_eq!(code, 1, "{err}");
    assert!(stdout.is_empty());
    let lines = sheet_rows(&out, "明细 Lines");
    assert_eq!(lines[0][0], "行号 Row");
    assert_eq!(lines.len(), 1 + 10 + 1 + 10);
    let payable = column(&lines, "应付(元) Payable");
    let status = column(&lines, "状态 Status");
    let reason = column(&lines, "原因 Reason");
    let share = column(&lines, "分担比例表 Share table");
    let credit = column(&lines, "统一社会信用代码 Credit code");
    assert_eq!(lines[1][0], "1");
    assert_eq!(lines[1][credit], "91350100M000100Y43");
    assert_eq!(lines[1][payable], "200000");
    assert_eq!(lines[1][status], "可获资助 eligible");
    assert!(
        lines[1][share].contains("暂定 provisional"),
        "{:?}",
        lines[1]
    );
    assert_eq!(lines[10][status], "待评审核定 amount set by a reviewer");
    // Line 2 of the input is refused as a whole.
    assert_eq!(lines[11][0], "2");
    assert_eq!(lines[11][status], "错误 error");
    assert_eq!(lines[11][column(&lines, "代码 Code")], "MISSING_FIELD");
    // The third application is outside Fuzhou.
    assert_eq!(lines[12][0], "3");
    assert_eq!(
        lines[12][reason],
        "不在政策适用地区 outside the policy's area"
    );
    let units = sheet_rows(&out, "单位汇总 Units");
    // Two units, the refused line that names none, the total.
    assert_eq!(units.len(), 1 + 2 + 1 + 1);
    let errors = column(&units, "错误行 Rows in error");
    let total = column(&units, "应付合计(元) Total payable");
    let district = column(&units, "区县承担(元) District share");
    let split = column(&units, "分担 Split");
    assert_eq!(units[1][total], "1270000");
    assert_eq!(units[1][district], "635000");
    assert!(
        units[1][split].starts_with("暂定 provisional"),
        "{:?}",
        units[1]
    );
    assert_eq!(units[2][total], "0");
    assert_eq!(units[3][1], "未归入单位的行 Rows without a unit");
    assert_eq!(units[3][errors], "1");
    assert_eq!(units[4][0], "合计 Total");
    assert_eq!(units[4][total], "1270000");
    // The total's errors are the summary's.
    assert_eq!(units[4][errors], "1");
    let summary = sheet_rows(&out, "汇总 Summary");
    let find = |label: &str| {
        summary
            .iter()
            .find(|r| r[0].trim() == label)
            .unwrap_or_else(|| panic!("{label}: {summary:?}"))
            .clone()
    };
    assert!(summary[0][0].contains("暂定"), "{summary:?}");
    assert_eq!(find("已测算申请 Applications answered")[1], "2");
    assert_eq!(find("已测算成果 Lines answered")[1], "20");
    assert_eq!(find("可获资助 eligible")[1], "9");
    assert_eq!(find("可获资助 eligible")[2], "1270000");
    assert_eq!(find("错误行 Rows in error")[1], "1");
    assert_eq!(
        find("区县承担(暂定) District share (provisional)")[2],
        "635000"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn csv_output_is_three_files_that_read_back() {
    let dir = temp_dir("csv-out");
    let out = dir.join("answers.csv");
    let (code, _, err) = run(
        &[
            "estimate",
            "--batch",
            "-",
            "--output",
            out.to_str().unwrap(),
            "--view",
            "summary",
        ],
        Some(two_applications_with_a_bad_one().as_bytes()),
    );
    assert_eq!(code, 1, "{err}");
    let read = |p: &Path| -> Vec<csv::StringRecord> {
        let bytes = std::fs::read(p).unwrap();
        assert!(bytes.starts_with(b"\xEF\xBB\xBF"));
        csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_reader(&bytes[3..])
            .records()
            .map(Result::unwrap)
            .collect()
    };
    let lines = read(&out);
    assert_eq!(&lines[0][17], "应付(元) Payable");
    assert_eq!(&lines[1][17], "200000.00");
    // The summary view has no explanations.
    assert_eq!(&lines[1][21], "");
    assert_eq!(&lines[11][12], "错误 error");
    let units = read(&dir.join("answers.units.csv"));
    assert_eq!(&units[1][12], "1270000.00");
    let summary = read(&dir.join("answers.summary.csv"));
    assert!(
        summary
            .iter()
            .any(|r| &r[0] == "应付合计 Total payable" && &r[2] == "1270000.00")
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// The example application as rows of the batch layout, keyed by header.
fn example_rows() -> Vec<Vec<(&'static str, String)>> {
    let v: serde_json::Value = serde_json::from_str(&example()).unwrap();
    let a = &v["applicant"];
    v["achievements"]
        .as_array()
        .unwrap()
        .iter()
        .enumerate()
        .map(|(i, x)| {
            let s = |k: &str| x[k].as_str().unwrap_or("").to_string();
            let funding = x["higherLevelFunding"].as_array();
            let f = |k: &str| {
                funding
                    .map(|l| {
                        l.iter()
                            .map(|e| e[k].as_str().unwrap().to_string())
                            .collect::<Vec<_>>()
                            .join(";")
                    })
                    .unwrap_or_default()
            };
            let level = f("level").replace("FUNDING_LEVEL_PROVINCIAL", "省级");
            let mut row = vec![
                (
                    "统一社会信用代码 Credit code",
                    a["creditCode"].as_str().unwrap().to_string(),
                ),
                ("成果编号 Achievement ID", s("id")),
                ("资助项目 Item", s("item")),
                ("类别 Variant", s("variant")),
                ("成果 Subject", s("subject")),
                ("成果日期 Date", s("date")),
                ("角色 Role", s("role").replace("ROLE_LEAD", "主导")),
                (
                    "已验收 Accepted",
                    if x["accepted"] == true { "是" } else { "" }.into(),
                ),
                (
                    "已批准 Approved",
                    if x["approved"] == true { "是" } else { "否" }.into(),
                ),
                ("上级资助级别 Funding level", level),
                ("上级资助金额 Funding amount", f("amount")),
                ("上级资助来源 Funding source", f("source")),
            ];
            if i == 0 {
                row.push(("单位名称 Name", a["name"].as_str().unwrap().to_string()));
                row.push(("所在地 Seat", a["seat"].as_str().unwrap().to_string()));
            }
            row
        })
        .collect()
}

#[test]
fn the_xlsx_template_filled_in_answers_as_the_json_application_does() {
    let dir = temp_dir("template-xlsx");
    let template = dir.join("batch.xlsx");
    let (code, _, err) = run(
        &["estimate", "--batch-template", template.to_str().unwrap()],
        None,
    );
    assert_eq!(code, 0, "{err}");
    // The template committed in docs/templates is the one the command writes.
    assert!(
        std::fs::read(&template).unwrap()
            == std::fs::read(Path::new(ROOT).join("docs/templates/batch.xlsx")).unwrap(),
        "docs/templates/batch.xlsx is not current (its items-and-variants sheet follows the \
         catalogue): run `bash tools/bless.sh`"
    );
    let headers = sheet_rows(&template, "批量测算 Batch").remove(0);
    assert_eq!(headers.len(), 14);
    let notes = sheet_rows(&template, "项目与类别 Items and variants");
    assert!(
        notes
            .iter()
            .any(|r| r[0] == "STANDARD_LEAD" && r[3] == "NATIONAL" && r[7] == "30")
    );
    // Fill it in: a title row above the header is fine; an amount typed as a
    // number cell is read as the number.
    let filled = dir.join("filled.xlsx");
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    ws.write_string(0, 0, "2021年度标准化资助批量测算").unwrap();
    for (c, h) in headers.iter().enumerate() {
        ws.write_string(1, c as u16, h).unwrap();
    }
    for (r, row) in example_rows().iter().enumerate() {
        for (h, value) in row {
            let c = headers.iter().position(|x| x == h).unwrap() as u16;
            let r = r as u32 + 2;
            if *h == "上级资助金额 Funding amount" && !value.is_empty() {
                ws.write_number(r, c, value.parse::<f64>().unwrap())
                    .unwrap();
            } else {
                ws.write_string(r, c, value).unwrap();
            }
        }
    }
    wb.save(&filled).unwrap();
    let (code, out, err) = run(&["estimate", "--batch", filled.to_str().unwrap()], None);
    assert_eq!(code, 0, "{err}");
    let lines: Vec<&str> = text(&out).lines().collect();
    assert_eq!(lines.len(), 1);
    // Byte for byte the answer to the same application as JSON: the same
    // canonical request, so even the receipt's input hash is equal.
    assert_eq!(
        lines[0],
        stdfund_rules::json::estimate_json(&example()).unwrap()
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn the_csv_template_filled_in_with_a_bad_row_in_the_middle() {
    let dir = temp_dir("template-csv");
    let template = dir.join("batch.csv");
    let (code, _, err) = run(
        &["estimate", "--batch-template", template.to_str().unwrap()],
        None,
    );
    assert_eq!(code, 0, "{err}");
    let bytes = std::fs::read(&template).unwrap();
    assert!(
        bytes == std::fs::read(Path::new(ROOT).join("docs/templates/batch.csv")).unwrap(),
        "docs/templates/batch.csv is not current: run `bash tools/bless.sh`"
    );
    let mut w = csv::Writer::from_writer(bytes);
    let headers: Vec<String> = {
        let t = std::fs::read_to_string(&template).unwrap();
        t.trim_start_matches('\u{feff}')
            .trim()
            .split(',')
            .map(String::from)
            .collect()
    };
    let cell = |row: &[(&str, String)], h: &str| {
        row.iter()
            .find(|(k, _)| *k == h)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let mut rows = example_rows();
    // Row 5 of the file: a date that is no date; a second unit's row after it.
    rows[3].retain(|(k, _)| *k != "成果日期 Date");
    rows[3].push(("成果日期 Date", "2020-02-30".into()));
    let other = vec![
        (
            "统一社会信用代码 Credit code",
            "91350104MA2F9E2G08".to_string(),
        ),
        ("单位名称 Name", "福州佳和包装有限公司".into()),
        ("所在地 Seat", "350104".into()),
        ("资助项目 Item", "标准制修订主导单位或第一起草单位".into()),
        ("类别 Variant", "地方标准".into()),
        ("成果 Subject", "DB35/T 9-2020".into()),
        ("成果日期 Date", "2020年5月1日".into()),
    ];
    rows.insert(5, other);
    for row in &rows {
        let record: Vec<String> = headers.iter().map(|h| cell(row, h)).collect();
        w.write_record(&record).unwrap();
    }
    let filled = dir.join("filled.csv");
    std::fs::write(&filled, w.into_inner().unwrap()).unwrap();
    let (code, out, err) = run(&["estimate", "--batch", filled.to_str().unwrap()], None);
    assert_eq!(code, 1, "{err}");
    let lines: Vec<&str> = text(&out).lines().collect();
    assert_eq!(lines.len(), 3, "{}", text(&out));
    // The bad row, named by its row number in the file (header = row 1).
    let (_, at) = split_error(lines[0]);
    assert_eq!(at, ("row".to_string(), 5));
    let e: serde_json::Value = serde_json::from_str(lines[0]).unwrap();
    assert_eq!(e["error"]["code"], "INVALID_DATE");
    assert_eq!(e["error"]["field"], "成果日期 Date");
    // The first unit's nine other rows.
    let a: serde_json::Value = serde_json::from_str(lines[1]).unwrap();
    assert_eq!(a["lines"].as_array().unwrap().len(), 9);
    assert_eq!(a["total"], "1260000.00");
    // The second unit, typed with names instead of ids.
    let b: serde_json::Value = serde_json::from_str(lines[2]).unwrap();
    assert_eq!(b["lines"][0]["item"], "STANDARD_LEAD");
    assert_eq!(b["lines"][0]["variant"], "LOCAL");
    assert_eq!(b["lines"][0]["achievementId"], "r7");
    assert_eq!(b["total"], "100000.00");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn the_template_needs_a_spreadsheet_name() {
    for name in ["t.pdf", "t.ods", "t.xls"] {
        let (code, _, err) = run(&["estimate", "--batch-template", name], None);
        assert_eq!(code, 2, "{name}");
        assert!(err.contains("UNSUPPORTED_FORMAT"), "{err}");
        assert!(!Path::new(ROOT).join(name).exists());
    }
}

#[test]
fn the_template_never_overwrites_a_workbook() {
    let dir = temp_dir("template-exists");
    let filled = dir.join("units.xlsx");
    std::fs::write(&filled, b"a filled-in workbook").unwrap();
    let (code, _, err) = run(
        &["estimate", "--batch-template", filled.to_str().unwrap()],
        None,
    );
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("OUTPUT_EXISTS") && err.contains("未覆盖"),
        "{err}"
    );
    assert_eq!(std::fs::read(&filled).unwrap(), b"a filled-in workbook");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn the_output_cannot_be_the_input() {
    let dir = temp_dir("output-is-input");
    let input = dir.join("requests.ndjson");
    let requests = format!("{}\n", compact(&example()));
    std::fs::write(&input, &requests).unwrap();
    let path = input.to_str().unwrap();
    // The same file by its name, by another spelling of it, and through
    // standard input.
    let other = dir.join(".").join("requests.ndjson");
    for args in [
        vec!["estimate", "--batch", path, "--output", path],
        vec![
            "estimate",
            "--batch",
            path,
            "--output",
            other.to_str().unwrap(),
        ],
    ] {
        let (code, _, err) = run(&args, None);
        assert_eq!(code, 2, "{err}");
        assert!(err.contains("OUTPUT_IS_INPUT"), "{err}");
        assert_eq!(std::fs::read_to_string(&input).unwrap(), requests);
    }
    let out = command(&["estimate", "--batch", "-", "--output", path])
        .stdin(std::fs::File::open(&input).unwrap())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("OUTPUT_IS_INPUT"));
    assert_eq!(std::fs::read_to_string(&input).unwrap(), requests);
    // A spreadsheet answered into itself is refused alike.
    let sheet = dir.join("units.csv");
    std::fs::copy(Path::new(ROOT).join("docs/templates/batch.csv"), &sheet).unwrap();
    let before = std::fs::read(&sheet).unwrap();
    let s = sheet.to_str().unwrap();
    let (code, _, err) = run(&["estimate", "--batch", s, "--output", s], None);
    assert_eq!(code, 2, "{err}");
    assert_eq!(std::fs::read(&sheet).unwrap(), before);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn the_synthetic_batch_answers_alike_as_ndjson_and_as_xlsx() {
    let dir = temp_dir("synth");
    let out = Command::new(env!("CARGO_BIN_EXE_stdfund-batch-synth"))
        .args([
            "--out",
            dir.to_str().unwrap(),
            "--achievements",
            "1203",
            "--per-unit",
            "4",
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let ndjson = dir.join("batch-1203.ndjson");
    let xlsx = dir.join("batch-1203.xlsx");
    let (code, from_ndjson, err) = run(&["estimate", "--batch", ndjson.to_str().unwrap()], None);
    assert_eq!(code, 0, "{err}");
    let (code, from_xlsx, err) = run(&["estimate", "--batch", xlsx.to_str().unwrap()], None);
    assert_eq!(code, 0, "{err}");
    // One application per four rows; the same canonical requests, so the
    // same bytes, receipts included.
    assert_eq!(text(&from_ndjson).lines().count(), 301);
    assert_eq!(from_ndjson, from_xlsx);
    // The generated lines cover every status.
    let answers = text(&from_ndjson);
    for status in [
        "LINE_STATUS_ELIGIBLE",
        "LINE_STATUS_INELIGIBLE",
        "LINE_STATUS_PENDING",
    ] {
        assert!(answers.contains(status), "{status}");
    }
    assert!(answers.contains("DUPLICATE_IN_REQUEST") || answers.contains("OUTSIDE_FUZHOU"));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_progress_bar_only_on_a_terminal_and_only_after_a_second() {
    // util-linux `script` gives the command a terminal (Debian has it; a
    // machine without it cannot run this check).
    if Command::new("script").arg("--version").output().is_err() {
        eprintln!("`script` is not installed: the terminal check is not run");
        return;
    }
    let dir = temp_dir("tty");
    let line = compact(&example());
    std::fs::write(dir.join("one.ndjson"), format!("{line}\n")).unwrap();
    let slow = format!(
        "(cat {one}; sleep 1.6; cat {one}) | {bin} estimate --batch - > {out}",
        one = dir.join("one.ndjson").display(),
        bin = env!("CARGO_BIN_EXE_stdfund"),
        out = dir.join("out.ndjson").display(),
    );
    let typescript = dir.join("typescript");
    let status = Command::new("script")
        .args(["-qec", &slow, typescript.to_str().unwrap()])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .status()
        .unwrap();
    assert!(status.success());
    let shown = String::from_utf8_lossy(&std::fs::read(&typescript).unwrap()).into_owned();
    assert!(shown.contains("测算中 estimating"), "{shown}");
    assert!(
        shown.contains("2 applications answered, 0 rows in error"),
        "{shown}"
    );
    assert_eq!(
        std::fs::read_to_string(dir.join("out.ndjson"))
            .unwrap()
            .lines()
            .count(),
        2
    );
    // A quick run on a terminal shows no bar, only the closing count.
    let quick = format!(
        "{bin} estimate --batch {one} > {out}",
        one = dir.join("one.ndjson").display(),
        bin = env!("CARGO_BIN_EXE_stdfund"),
        out = dir.join("out.ndjson").display(),
    );
    let status = Command::new("script")
        .args(["-qec", &quick, typescript.to_str().unwrap()])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .status()
        .unwrap();
    assert!(status.success());
    let shown = String::from_utf8_lossy(&std::fs::read(&typescript).unwrap()).into_owned();
    assert!(!shown.contains("estimating"), "{shown}");
    assert!(shown.contains("1 applications answered"), "{shown}");
    let _ = std::fs::remove_dir_all(&dir);
}
