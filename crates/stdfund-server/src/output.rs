//! What the command line writes: results on standard output, errors on
//! standard error, as text (Chinese first, English on its own line) or as
//! the error object that WASM and the gRPC batch return
//! (`{"error":{"code","field","messageZh","messageEn"}}`).
//!
//! Writing never panics: a reader that went away (`stdfund rules | head -1`)
//! ends the program quietly with status 0, as `print!` would have panicked
//! there ("failed printing to stdout: Broken pipe").

use std::io::{self, Write};
use std::process::ExitCode;
use stdfund_rules::ErrorReport;

/// How errors are written on standard error.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum ErrorFormat {
    /// `错误[CODE]:…` then `error[CODE]: …`.
    #[default]
    Text,
    /// One line `{"error":{"code":…,"field":…,"messageZh":…,"messageEn":…}}`,
    /// with `"meant":…` last when the refused value was probably meant as
    /// another: the object WASM and the gRPC batch return.
    Json,
}

/// The exit status of malformed input or a refused request.
pub const EXIT_INPUT: u8 = 2;

/// Writes `text` to standard output and flushes. A closed pipe is a quiet
/// success; any other failure is reported on standard error (status 1).
pub fn print(text: &str) -> ExitCode {
    match write_stdout(text) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(e) => {
            eprint_line(&format!(
                "错误:无法写入标准输出\nerror: cannot write to standard output: {e}"
            ));
            ExitCode::from(1)
        }
    }
}

/// [`print`] with a line end.
pub fn println(text: &str) -> ExitCode {
    let mut line = String::with_capacity(text.len().saturating_add(1));
    line.push_str(text);
    line.push('\n');
    print(&line)
}

fn write_stdout(text: &str) -> io::Result<()> {
    let mut out = io::stdout().lock();
    out.write_all(text.as_bytes())?;
    out.flush()
}

/// Writes a line to standard error, ignoring failures (a closed standard
/// error has nowhere left to say so).
pub fn eprint_line(text: &str) {
    let mut err = io::stderr().lock();
    let _ = err.write_all(text.as_bytes());
    let _ = err.write_all(b"\n");
    let _ = err.flush();
}

/// The error as text: the Chinese line first, the English line beside.
pub fn error_text(r: &ErrorReport) -> String {
    let (at_zh, at_en) = if r.field.is_empty() {
        (String::new(), String::new())
    } else {
        (
            format!("(字段 {})", r.field),
            format!(" (at `{}`)", r.field),
        )
    };
    format!(
        "错误[{code}]:{zh}{at_zh}\nerror[{code}]: {en}{at_en}",
        code = r.code,
        zh = r.message_zh,
        en = r.message_en
    )
}

/// The error as the boundary object `{"error": {...}}`, one line.
pub fn error_json(r: &ErrorReport) -> String {
    error_json_meant(r, None)
}

/// [`error_json`] with `meant`, the value the refused field was probably
/// meant to be, after the four values, as the WASM package writes it.
pub fn error_json_meant(r: &ErrorReport, meant: Option<&str>) -> String {
    #[derive(serde::Serialize)]
    struct Object<'a> {
        #[serde(flatten)]
        report: &'a ErrorReport,
        #[serde(skip_serializing_if = "Option::is_none")]
        meant: Option<&'a str>,
    }
    #[derive(serde::Serialize)]
    struct Wrapped<'a> {
        error: Object<'a>,
    }
    let error = Object { report: r, meant };
    serde_json::to_string(&Wrapped { error }).unwrap_or_else(|_| String::from("{}"))
}

/// Reports an error on standard error in `format`; answers status 2.
pub fn fail(r: &ErrorReport, format: ErrorFormat) -> ExitCode {
    fail_meant(r, None, format)
}

/// [`fail`] with the value the refused field was probably meant to be (in
/// the JSON object; the text's message already asks it).
pub fn fail_meant(r: &ErrorReport, meant: Option<&str>, format: ErrorFormat) -> ExitCode {
    match format {
        ErrorFormat::Text => eprint_line(&error_text(r)),
        ErrorFormat::Json => eprint_line(&error_json_meant(r, meant)),
    }
    ExitCode::from(EXIT_INPUT)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;

    fn report() -> ErrorReport {
        ErrorReport {
            code: "MISSING_FIELD".into(),
            field: "applicant.seat".into(),
            message_zh: "缺少必填字段`applicant.seat`".into(),
            message_en: "the field `applicant.seat` is required".into(),
        }
    }

    #[test]
    fn text_is_chinese_first_with_english_on_its_own_line() {
        let text = error_text(&report());
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 2, "{text}");
        assert!(lines[0].starts_with("错误[MISSING_FIELD]:"), "{text}");
        assert!(
            lines[1].starts_with("error[MISSING_FIELD]: the field"),
            "{text}"
        );
    }

    #[test]
    fn json_is_the_boundary_object() {
        let v: serde_json::Value = serde_json::from_str(&error_json(&report())).unwrap();
        assert_eq!(
            error_json_meant(&report(), Some("350102")),
            r#"{"error":{"code":"MISSING_FIELD","field":"applicant.seat","messageZh":"缺少必填字段`applicant.seat`","messageEn":"the field `applicant.seat` is required","meant":"350102"}}"#
        );
        assert!(!error_json(&report()).contains("meant"));
        assert_eq!(
            v,
            serde_json::json!({"error": {
                "code": "MISSING_FIELD",
                "field": "applicant.seat",
                "messageZh": "缺少必填字段`applicant.seat`",
                "messageEn": "the field `applicant.seat` is required"
            }})
        );
        let back: ErrorReport = serde_json::from_value(v["error"].clone()).unwrap();
        assert_eq!(back, report());
    }
}
