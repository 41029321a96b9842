//! Estimating one item of a batch: an NDJSON line (exactly what `stdfund
//! estimate` answers for it) or a spreadsheet application (its rows as one
//! `EstimateRequest`, built as the engine's input DTO).
//!
//! The engine refuses a malformed application as a whole. For a
//! spreadsheet, a refusal that names one achievement (`achievements[3].date`)
//! fails that row alone: the row becomes an error and the rest of the unit is
//! estimated again without it. A refusal of the applicant (credit code,
//! seat) fails every row of the unit.

use super::layout::Col;
use super::sheet::{AppIn, RowIn};
use super::{Answered, AppOut, Echo, LineOut, Loc, Outcome, RowError, ShareOut, Want};
use stdfund_rules::ErrorReport;
use stdfund_rules::domain::{Assessment, FundingLevel, Role};
use stdfund_rules::json::dto::{self, EnumIn, View};
use stdfund_rules::json::{self, write};
use stdfund_rules::reasons::{Cx, Lang};

/// The canonical JSON and/or the typed rows of an assessment.
fn render(a: &Assessment<'_, '_>, view: View, want: Want) -> (String, Option<AppOut>) {
    let json = if want.json {
        write::assessment(a, view)
    } else {
        String::new()
    };
    (json, want.table.then(|| app_out(a, view)))
}

fn app_out(a: &Assessment<'_, '_>, view: View) -> AppOut {
    let full = view == View::Full;
    let p = a.applicant();
    let unit = a.fiscal_unit();
    let lines = a
        .lines
        .iter()
        .map(|line| {
            let ach = line.achievement;
            let cx = Cx {
                line,
                assessment: a,
            };
            let mut explanation_zh = String::new();
            let mut explanation_en = String::new();
            if full {
                line.reason.explain(cx, Lang::Zh, &mut explanation_zh);
                line.reason.explain(cx, Lang::En, &mut explanation_en);
            }
            let mut one_time_key = String::new();
            ach.key().write_to(&mut one_time_key);
            LineOut {
                achievement_id: ach.id.to_string(),
                item: ach.item.to_string(),
                item_zh: line.item.map(|i| i.doc.name_zh.clone()).unwrap_or_default(),
                variant: ach.variant.to_string(),
                variant_zh: line
                    .variant
                    .map(|v| v.doc.name_zh.clone())
                    .unwrap_or_default(),
                clause: line.clause().unwrap_or_default().to_string(),
                subject: ach.subject.text.clone(),
                subject_as_given: ach.subject_as_given.to_string(),
                date: ach.date.to_string(),
                status: line.status(),
                reason: line.reason.code(),
                amounts: line.amounts,
                share_table: line
                    .share_table
                    .map(|t| format!("{} {}", t.id, t.version))
                    .unwrap_or_default(),
                provisional: line.share_table.is_some_and(|t| t.provisional),
                explanation_zh,
                explanation_en,
                one_time_key,
            }
        })
        .collect();
    let mut warnings = Vec::with_capacity(a.warnings.len());
    for w in &a.warnings {
        let (mut zh, mut en) = (String::new(), String::new());
        if full {
            w.message(a, Lang::Zh, &mut zh);
            w.message(a, Lang::En, &mut en);
        }
        warnings.push((w.code().as_str().to_string(), zh, en));
    }
    AppOut {
        credit_code: p.credit_code.as_str().to_string(),
        check_passed: p.check.passed(),
        name: p.name.to_string(),
        seat: p.seat.to_string(),
        fiscal_unit: unit.map(|u| u.code.clone()).unwrap_or_default(),
        fiscal_unit_zh: unit.map(|u| u.name_zh.clone()).unwrap_or_default(),
        fiscal_unit_en: unit.map(|u| u.name_en.clone()).unwrap_or_default(),
        total: a.total,
        municipal_share: a.municipal_share,
        district_share: a.district_share,
        share_tables: a
            .share_tables
            .iter()
            .map(|t| ShareOut {
                id: t.table.id.clone(),
                version: t.table.version.clone(),
                provisional: t.table.provisional,
                ratio: {
                    let mut s = String::new();
                    t.ratio.write_to(&mut s);
                    s
                },
            })
            .collect(),
        warnings,
        lines,
    }
}

/// An INVALID_JSON report for an NDJSON line that is not JSON, naming the
/// line and column; `None` when it is JSON (the engine then reports), as
/// `stdfund estimate` decides.
fn syntax_error(line: u64, text: &str) -> Option<ErrorReport> {
    let (_, column, zh, what) = crate::cli::json_syntax(text)?;
    Some(ErrorReport {
        code: "INVALID_JSON".into(),
        field: String::new(),
        message_zh: format!("第{line}行第{column}列不是有效的JSON:{zh}"),
        message_en: format!("line {line} is not valid JSON at column {column}: {what}"),
    })
}

/// Reads one NDJSON line (without its line end) and assesses it, handing
/// the assessment and its view to `f`; the error is what `stdfund estimate`
/// reports for the same text.
fn assess_line<T>(
    number: u64,
    bytes: &[u8],
    view: Option<View>,
    f: impl FnOnce(&Assessment<'_, '_>, View) -> T,
) -> Result<T, (ErrorReport, Option<String>)> {
    let Ok(text) = std::str::from_utf8(bytes) else {
        return Err((
            ErrorReport {
                code: "INVALID_JSON".into(),
                field: String::new(),
                message_zh: format!("第{number}行不是UTF-8编码的文本"),
                message_en: format!("line {number} is not UTF-8 text"),
            },
            None,
        ));
    };
    json::parse_request(text)
        .and_then(|request| json::assess_in_view(&request, view, f))
        .map_err(|e| match syntax_error(number, text) {
            Some(report) => (report, None),
            None => (e.to_report(), e.meant()),
        })
}

/// Estimates one NDJSON line (without its line end): the canonical answer
/// `stdfund estimate` gives for the same text, or its error.
pub fn line(number: u64, bytes: &[u8], want: Want) -> Outcome {
    let loc = Loc::Line(number);
    match assess_line(number, bytes, want.view, |a, view| render(a, view, want)) {
        Ok((json, app)) => {
            let locs = vec![loc; app.as_ref().map_or(0, |a| a.lines.len())];
            Outcome {
                errors: Vec::new(),
                answer: Some(Answered {
                    first: loc,
                    json,
                    app,
                    locs,
                }),
            }
        }
        Err((report, meant)) => error(number, report, meant),
    }
}

/// An NDJSON line's error, with the value it was probably meant to be.
fn line_error(number: u64, report: ErrorReport, meant: Option<String>) -> RowError {
    RowError {
        loc: Loc::Line(number),
        report,
        echo: Box::new(Echo {
            meant,
            ..Echo::default()
        }),
    }
}

/// The outcome of an NDJSON line answered by an error without being read.
pub fn error(number: u64, report: ErrorReport, meant: Option<String>) -> Outcome {
    Outcome {
        errors: vec![line_error(number, report, meant)],
        answer: None,
    }
}

/// [`line`] for NDJSON output, appended to `out` as its output line (the
/// answer, or the error naming the line); true when answered.
pub fn line_into(number: u64, bytes: &[u8], view: Option<View>, out: &mut String) -> bool {
    let answered = match assess_line(number, bytes, view, |a, view| {
        write::assessment_into(out, a, view);
    }) {
        Ok(()) => true,
        Err((report, meant)) => {
            error_into(number, report, meant, out);
            return false;
        }
    };
    out.push('\n');
    answered
}

/// [`error`] for NDJSON output: the error line naming the line, appended
/// to `out`.
pub fn error_into(number: u64, report: ErrorReport, meant: Option<String>, out: &mut String) {
    out.push_str(&super::error_line(&line_error(number, report, meant)));
    out.push('\n');
}

fn role(text: &str) -> EnumIn<Role> {
    match Role::from_name(text) {
        Some(Role::Unspecified) => EnumIn::Unset,
        Some(r) => EnumIn::Set(r),
        None if text.is_empty() => EnumIn::Unset,
        None => EnumIn::UnknownName(text.to_string()),
    }
}

fn funding_level(text: &str) -> EnumIn<FundingLevel> {
    match FundingLevel::from_name(text) {
        Some(l) => EnumIn::Set(l),
        None if text.is_empty() => EnumIn::Unset,
        None => EnumIn::UnknownName(text.to_string()),
    }
}

/// The engine's request for a unit's rows.
fn request<'a>(app: &'a AppIn, rows: &[&'a RowIn], view: Option<View>) -> dto::EstimateRequest<'a> {
    dto::EstimateRequest {
        applicant: dto::Applicant {
            credit_code: dto::Str::from(app.credit_code.as_str()),
            name: dto::Str::from(app.name.as_str()),
            seat: dto::Str::from(app.seat.as_str()),
        },
        achievements: rows
            .iter()
            .map(|r| dto::Achievement {
                id: dto::Str::from(r.id.as_str()),
                item: dto::Str::from(r.item.as_str()),
                variant: dto::Str::from(r.variant.as_str()),
                subject: dto::Str::from(r.subject.as_str()),
                date: dto::Str::from(r.date.as_str()),
                role: role(&r.role),
                accepted: r.accepted,
                approved: r.approved,
                higher_level_funding: r
                    .funding
                    .iter()
                    .map(|f| dto::Funding {
                        level: funding_level(&f.level),
                        amount: dto::Str::from(f.amount.as_str()),
                        source: dto::Str::from(f.source.as_str()),
                    })
                    .collect(),
            })
            .collect(),
        what_if_ruleset: dto::Str::default(),
        view: view.map_or(EnumIn::Unset, EnumIn::Set),
        // Texts read from a sheet are looked at before they are copied.
        source: dto::JsonSource::default(),
    }
}

/// `achievements[3].date` → (3, `date`).
fn achievement_path(field: &str) -> Option<(usize, &str)> {
    let rest = field.strip_prefix("achievements[")?;
    let (index, rest) = rest.split_once(']')?;
    Some((index.parse().ok()?, rest.strip_prefix('.').unwrap_or(rest)))
}

/// The layout column an engine field path names.
fn column_of(field: &str) -> Option<Col> {
    let leaf = match achievement_path(field) {
        Some((_, rest)) => rest,
        None => field,
    };
    Some(match leaf {
        "applicant.creditCode" => Col::CreditCode,
        "applicant.name" => Col::Name,
        "applicant.seat" => Col::Seat,
        "id" => Col::Id,
        "item" => Col::Item,
        "variant" => Col::Variant,
        "subject" => Col::Subject,
        "date" => Col::Date,
        "role" => Col::Role,
        l if l.ends_with(".level") => Col::FundingLevel,
        l if l.ends_with(".amount") => Col::FundingAmount,
        l if l.ends_with(".source") => Col::FundingSource,
        _ => return None,
    })
}

/// The engine's report for a spreadsheet row: the code as the engine gives
/// it; the field the layout column; the messages located by row and column.
fn located(report: &ErrorReport, row: u32) -> ErrorReport {
    let column = column_of(&report.field).map(Col::column);
    let strip = |m: &str| match achievement_path(&report.field) {
        Some((i, _)) => m.replace(&format!("achievements[{i}]."), ""),
        None => m.to_string(),
    };
    let (at_zh, at_en) = match column {
        Some(c) => (format!("「{}」", c.zh), format!(", `{}`", c.en)),
        None => (String::new(), String::new()),
    };
    ErrorReport {
        code: report.code.clone(),
        field: column.map_or_else(|| report.field.clone(), |c| c.header()),
        message_zh: format!("第{row}行{at_zh}:{}", strip(&report.message_zh)),
        message_en: format!("row {row}{at_en}: {}", strip(&report.message_en)),
    }
}

/// Estimates a spreadsheet unit: its rows as one application; a row the
/// engine refuses fails alone and the rest is estimated again.
pub fn app(app: &AppIn, want: Want) -> Outcome {
    let mut errors = app.errors.clone();
    let mut active: Vec<&RowIn> = app.rows.iter().collect();
    let mut answer = None;
    while !active.is_empty() {
        let request = request(app, &active, want.view);
        match json::assess_in_view(&request, None, |a, view| render(a, view, want)) {
            Ok((json, out)) => {
                let locs: Vec<Loc> = active.iter().map(|r| Loc::Row(r.row)).collect();
                answer = Some(Answered {
                    first: locs.first().copied().unwrap_or(Loc::Row(app.first_row)),
                    json,
                    app: out,
                    locs,
                });
                break;
            }
            Err(e) => {
                let report = e.to_report();
                let meant = e.meant();
                let one = achievement_path(&report.field)
                    .map(|(i, _)| i)
                    .filter(|i| *i < active.len());
                match one {
                    Some(i) => {
                        let row = active.remove(i);
                        errors.push(RowError {
                            loc: Loc::Row(row.row),
                            report: located(&report, row.row),
                            echo: Box::new(Echo {
                                meant: meant.clone(),
                                ..row.echo(app)
                            }),
                        });
                    }
                    None => {
                        for row in active.drain(..) {
                            errors.push(RowError {
                                loc: Loc::Row(row.row),
                                report: located(&report, row.row),
                                echo: Box::new(Echo {
                                    meant: meant.clone(),
                                    ..row.echo(app)
                                }),
                            });
                        }
                    }
                }
            }
        }
    }
    errors.sort_by_key(|e| e.loc);
    Outcome { errors, answer }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;

    const WANT: Want = Want {
        json: true,
        table: true,
        view: None,
    };

    fn row(n: u32, subject: &str, date: &str) -> RowIn {
        RowIn {
            row: n,
            id: format!("r{n}"),
            item: "STANDARD_LEAD".into(),
            variant: "NATIONAL".into(),
            subject: subject.into(),
            date: date.into(),
            role: String::new(),
            accepted: false,
            approved: false,
            funding: Vec::new(),
        }
    }

    fn unit(seat: &str, rows: Vec<RowIn>) -> AppIn {
        AppIn {
            credit_code: "91350100M000100Y43".into(),
            name: "福州示例科技有限公司".into(),
            seat: seat.into(),
            first_row: rows.first().map_or(2, |r| r.row),
            rows,
            errors: Vec::new(),
        }
    }

    #[test]
    fn a_bad_row_fails_alone_and_the_rest_is_estimated() {
        let a = unit(
            "350102",
            vec![
                row(2, "GB/T 1-2020", "2020-05-01"),
                row(3, "GB/T 2-2020", "2020-13-01"),
                row(4, "GB/T 3-2020", "2020-05-01"),
            ],
        );
        let out = app(&a, WANT);
        assert_eq!(out.errors.len(), 1);
        let e = &out.errors[0];
        assert_eq!(e.loc, Loc::Row(3));
        assert_eq!(e.report.code, "INVALID_DATE");
        assert_eq!(e.report.field, "成果日期 Date");
        assert!(e.report.message_en.starts_with("row 3, `Date`: "), "{e:?}");
        assert!(!e.report.message_en.contains("achievements["), "{e:?}");
        let answer = out.answer.unwrap();
        assert_eq!(answer.locs, [Loc::Row(2), Loc::Row(4)]);
        let v: serde_json::Value = serde_json::from_str(&answer.json).unwrap();
        assert_eq!(v["total"], "600000.00");
        assert_eq!(answer.app.unwrap().lines[1].achievement_id, "r4");
    }

    #[test]
    fn a_refused_applicant_fails_every_row() {
        let a = unit(
            "seat?",
            vec![
                row(2, "GB/T 1-2020", "2020-05-01"),
                row(5, "GB/T 2-2020", "2020-05-01"),
            ],
        );
        let out = app(&a, WANT);
        assert!(out.answer.is_none());
        let got: Vec<(Loc, &str, &str)> = out
            .errors
            .iter()
            .map(|e| (e.loc, e.report.code.as_str(), e.report.field.as_str()))
            .collect();
        assert_eq!(
            got,
            [
                (Loc::Row(2), "INVALID_SEAT", "所在地 Seat"),
                (Loc::Row(5), "INVALID_SEAT", "所在地 Seat")
            ]
        );
    }

    #[test]
    fn a_line_answers_what_estimate_json_answers() {
        let text = std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../examples/application.json"
        ))
        .unwrap();
        let compact =
            serde_json::to_string(&serde_json::from_str::<serde_json::Value>(&text).unwrap())
                .unwrap();
        let out = line(7, compact.as_bytes(), WANT);
        assert_eq!(
            out.answer.unwrap().json,
            json::estimate_json(&text).unwrap()
        );
        let out = line(9, b"{\"applicant\": ", WANT);
        assert_eq!(out.errors[0].loc, Loc::Line(9));
        assert_eq!(out.errors[0].report.code, "INVALID_JSON");
        assert!(
            out.errors[0]
                .report
                .message_en
                .starts_with("line 9 is not valid JSON")
        );
        let out = line(3, b"{\"applicant\":{}}", WANT);
        assert_eq!(
            out.errors[0].report,
            json::estimate_json("{\"applicant\":{}}").unwrap_err()
        );
    }
}
