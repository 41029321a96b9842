//! Writing the match's outputs and the feed templates as bytes: XLSX with
//! rust_xlsxwriter, CSV with the csv crate, drafts as NDJSON.
//!
//! Identifier columns (credit codes, seats, standard numbers, keys) are
//! written as text cells with the text number format `@`, so a spreadsheet
//! never turns `913501000000000001` into `9.13501E+17`. CSV files start with
//! a UTF-8 BOM so that spreadsheets open the Chinese text correctly (the
//! readers skip it). CSV has no cell types, so a CSV cell is guarded as
//! text ([`csv_identifier`], [`csv_text`]): an identifier a spreadsheet
//! would read as a number is written `="…"`, and text a spreadsheet would
//! run as a formula (a name from an outside feed starting with `=`, `+`,
//! `-`, `@`) gets a leading `'`. Files are returned, not written: the
//! caller decides where they go.

use crate::error::OutputError;
use crate::feed::{FeedKind, codes_of};
use crate::pipeline::MatchReport;
use crate::register::RegisterIndex;
use crate::report::{self, Stats, SummaryRow};
use crate::table::FileFormat;
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;
use rust_xlsxwriter::{
    Chart, ChartLegendPosition, ChartType, DocProperties, ExcelDateTime, Format, FormatAlign,
    Workbook, Worksheet,
};

/// One output file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OutputFile {
    /// File name (no directory).
    pub name: String,
    /// Content.
    pub bytes: Vec<u8>,
}

/// A cell value of an output table.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    /// Text.
    Text(String),
    /// An identifier: always a text cell.
    Code(String),
    /// A whole number.
    Int(i64),
    /// Yuan.
    Money(Decimal),
}

impl Value {
    /// The cell as CSV text, guarded ([`csv_text`], [`csv_identifier`]).
    fn csv(&self) -> String {
        match self {
            Value::Text(s) => csv_text(s).into_owned(),
            Value::Code(s) => csv_identifier(s).into_owned(),
            Value::Int(i) => i.to_string(),
            Value::Money(m) => report::yuan(*m),
        }
    }
}

/// Whether a spreadsheet program would read the text as a number
/// (`350181`, `913501000000000001`, `1e5`).
pub fn looks_numeric(s: &str) -> bool {
    !s.is_empty()
        && s.bytes().any(|b| b.is_ascii_digit())
        && s.bytes()
            .all(|b| b.is_ascii_digit() || matches!(b, b'e' | b'E' | b'.' | b'+' | b'-'))
}

/// Text for a CSV cell that a spreadsheet must not run as a formula: text
/// starting with `=`, `+`, `-`, `@`, a tab or a carriage return gets a
/// leading `'` (OWASP's advice for CSV injection), and so does text starting
/// with their full-width forms `＝＋－＠` (U+FF1D, U+FF0B, U+FF0D, U+FF20),
/// which Chinese and Japanese input methods type and which some spreadsheet
/// programs read as the ASCII marks; other text is unchanged.
pub fn csv_text(s: &str) -> std::borrow::Cow<'_, str> {
    if matches!(
        s.chars().next(),
        Some(
            '=' | '+' | '-' | '@' | '\t' | '\r' | '\u{FF1D}' | '\u{FF0B}' | '\u{FF0D}' | '\u{FF20}'
        )
    ) {
        std::borrow::Cow::Owned(format!("'{s}"))
    } else {
        std::borrow::Cow::Borrowed(s)
    }
}

/// An identifier for a CSV cell: one a spreadsheet would read as a number
/// (and show as `9.13501E+17`, or without its leading zeros) is written
/// `="…"`, which spreadsheets show as the text itself; the readers of this
/// crate take `="…"` back as the text inside ([`crate::table::read_csv`]).
/// Other identifiers are guarded like text.
pub fn csv_identifier(s: &str) -> std::borrow::Cow<'_, str> {
    if looks_numeric(s) {
        std::borrow::Cow::Owned(format!("=\"{s}\""))
    } else {
        csv_text(s)
    }
}

/// The text of a CSV cell written by [`csv_identifier`]: `="…"` gives the
/// text inside; anything else is itself.
pub fn csv_unwrap(s: &str) -> &str {
    match s.strip_prefix("=\"").and_then(|r| r.strip_suffix('"')) {
        Some(inner) if !inner.contains('"') => inner,
        _ => s,
    }
}

/// A titled table: one worksheet or one CSV file.
#[derive(Clone, Debug, PartialEq)]
pub struct Table {
    /// Sheet name (at most 31 characters).
    pub sheet: String,
    /// Column headers, `中文 English`.
    pub headers: Vec<String>,
    /// Rows.
    pub rows: Vec<Vec<Value>>,
    /// Column widths (characters); missing ones default.
    pub widths: Vec<f64>,
}

fn xlsx_err(file: &str) -> impl Fn(rust_xlsxwriter::XlsxError) -> OutputError + '_ {
    move |e| OutputError::Xlsx {
        file: file.to_string(),
        message: e.to_string(),
    }
}

fn usize_to_u32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

fn usize_to_u16(n: usize) -> u16 {
    u16::try_from(n).unwrap_or(u16::MAX)
}

/// A new workbook whose metadata date is fixed (2016-04-25, the policy's
/// signing date), so that equal inputs give equal bytes and no clock is read.
fn workbook() -> Workbook {
    let mut wb = Workbook::new();
    if let Ok(date) = ExcelDateTime::from_ymd(2016, 4, 25) {
        wb.set_properties(
            &DocProperties::new()
                .set_creation_datetime(&date)
                .set_author("stdfund match"),
        );
    }
    wb
}

/// Writes a table into a worksheet.
fn fill_sheet(ws: &mut Worksheet, table: &Table, file: &str) -> Result<(), OutputError> {
    let err = xlsx_err(file);
    let bold = Format::new().set_bold().set_background_color("#DDEBF7");
    let text = Format::new().set_num_format("@");
    let money = Format::new().set_num_format("#,##0.00");
    let wrap = Format::new().set_text_wrap().set_align(FormatAlign::Top);
    ws.set_name(&table.sheet).map_err(&err)?;
    for (c, h) in table.headers.iter().enumerate() {
        ws.write_string_with_format(0, usize_to_u16(c), h, &bold)
            .map_err(&err)?;
        let width = table.widths.get(c).copied().unwrap_or(16.0);
        ws.set_column_width(usize_to_u16(c), width).map_err(&err)?;
    }
    for (r, row) in table.rows.iter().enumerate() {
        let r = usize_to_u32(r).saturating_add(1);
        for (c, v) in row.iter().enumerate() {
            let c = usize_to_u16(c);
            match v {
                Value::Text(s) if s.contains('\n') => {
                    ws.write_string_with_format(r, c, s, &wrap).map_err(&err)?;
                }
                Value::Text(s) => {
                    ws.write_string(r, c, s).map_err(&err)?;
                }
                Value::Code(s) => {
                    ws.write_string_with_format(r, c, s, &text).map_err(&err)?;
                }
                Value::Int(i) => {
                    // Counts and ranks: far below 2^53, exact as a float.
                    #[allow(clippy::cast_precision_loss)]
                    ws.write_number(r, c, *i as f64).map_err(&err)?;
                }
                Value::Money(m) => {
                    ws.write_number_with_format(r, c, m.to_f64().unwrap_or_default(), &money)
                        .map_err(&err)?;
                }
            }
        }
    }
    // Empty identifier cells typed later keep the text format too.
    for (c, v) in table
        .rows
        .first()
        .map(Vec::as_slice)
        .unwrap_or_default()
        .iter()
        .enumerate()
    {
        if matches!(v, Value::Code(_)) {
            ws.set_column_format(usize_to_u16(c), &text).map_err(&err)?;
        }
    }
    ws.set_freeze_panes(1, 0).map_err(&err)?;
    if !table.headers.is_empty() {
        let last_row = usize_to_u32(table.rows.len());
        let last_col = usize_to_u16(table.headers.len().saturating_sub(1));
        ws.autofilter(0, 0, last_row, last_col).map_err(&err)?;
    }
    Ok(())
}

/// An XLSX workbook of tables.
pub fn xlsx(file: &str, tables: &[Table]) -> Result<Vec<u8>, OutputError> {
    let mut wb = workbook();
    for t in tables {
        let ws = wb.add_worksheet();
        fill_sheet(ws, t, file)?;
    }
    wb.save_to_buffer().map_err(xlsx_err(file))
}

/// A CSV file of one table (UTF-8 with BOM).
pub fn csv(file: &str, table: &Table) -> Result<Vec<u8>, OutputError> {
    let err = |e: csv::Error| OutputError::Csv {
        file: file.to_string(),
        message: e.to_string(),
    };
    let mut w = csv::Writer::from_writer(b"\xEF\xBB\xBF".to_vec());
    w.write_record(&table.headers).map_err(err)?;
    for row in &table.rows {
        w.write_record(row.iter().map(Value::csv)).map_err(err)?;
    }
    w.into_inner().map_err(|e| OutputError::Csv {
        file: file.to_string(),
        message: e.to_string(),
    })
}

fn t(s: &str) -> Value {
    Value::Text(s.to_string())
}
fn code(s: &str) -> Value {
    Value::Code(s.to_string())
}
fn int(n: impl TryInto<i64>) -> Value {
    Value::Int(n.try_into().unwrap_or(i64::MAX))
}

/// The notification list (通知名单).
pub fn notifications_table(report: &MatchReport) -> Table {
    Table {
        sheet: "通知名单 Notifications".into(),
        headers: [
            "序号 No.",
            "县(市)区 District",
            "单位名称 Unit",
            "统一社会信用代码 Credit code",
            "所在地 Seat",
            "应享事项 Items",
            "事项数 Count",
            "预计金额(元) Estimated amount (yuan)",
            "联系人 Contact",
            "联系电话 Phone",
            "通知方式 Channel",
            "通知日期 Notified on",
            "备注 Notes",
        ]
        .map(String::from)
        .to_vec(),
        rows: report::notifications(report)
            .iter()
            .zip(1i64..)
            .map(|(n, no)| {
                vec![
                    Value::Int(no),
                    t(&n.district_zh),
                    t(&n.name),
                    code(&n.credit_code),
                    code(&n.seat),
                    t(&n.items.join("；\n")),
                    int(n.items.len()),
                    Value::Money(n.amount),
                    t(""),
                    code(""),
                    t(""),
                    t(""),
                    t(&n.notes.join("；")),
                ]
            })
            .collect(),
        widths: vec![
            6.0, 18.0, 32.0, 22.0, 10.0, 70.0, 8.0, 16.0, 10.0, 14.0, 10.0, 12.0, 30.0,
        ],
    }
}

/// The payable items (明细).
pub fn items_table(report: &MatchReport) -> Table {
    Table {
        sheet: "明细 Items".into(),
        headers: [
            "县(市)区 District",
            "单位名称 Unit",
            "统一社会信用代码 Credit code",
            "资助项目 Item",
            "类别 Variant",
            "条款 Clause",
            "成果标的 Subject",
            "名称 Title",
            "完成日期 Date",
            "角色 Role",
            "排名 Rank",
            "匹配结果 Match",
            "置信度 Confidence",
            "来源 Source",
            "预计金额(元) Amount (yuan)",
            "一次性资助键 Registry key",
            "幂等键 Idempotency key",
            "说明 Explanation",
        ]
        .map(String::from)
        .to_vec(),
        rows: report::items(report)
            .iter()
            .map(|r| {
                vec![
                    t(&r.district_zh),
                    t(&r.name),
                    code(&r.credit_code),
                    t(&r.item_zh),
                    t(&r.variant_zh),
                    t(&r.clause),
                    code(&r.subject),
                    t(&r.title),
                    code(&r.date),
                    t(&r.role_zh),
                    int(r.rank),
                    t(&r.outcome),
                    int(r.confidence),
                    t(&r.source),
                    Value::Money(r.amount),
                    code(&r.registry_key),
                    code(&r.idempotency_key),
                    t(&r.explanation_zh),
                ]
            })
            .collect(),
        widths: vec![
            10.0, 32.0, 22.0, 28.0, 14.0, 10.0, 22.0, 30.0, 12.0, 12.0, 6.0, 12.0, 8.0, 24.0, 14.0,
            50.0, 48.0, 50.0,
        ],
    }
}

/// The review sheet (待复核).
pub fn review_table(report: &MatchReport, index: &RegisterIndex) -> Table {
    Table {
        sheet: "待复核 Review".into(),
        headers: [
            "来源 Source",
            "清单 Feed",
            "清单所列单位 Unit as listed",
            "清单信用代码 Code as listed",
            "排名 Rank",
            "角色 Role",
            "资助项目 Item",
            "类别 Variant",
            "成果标的 Subject",
            "完成日期 Date",
            "匹配结果 Outcome",
            "依据 Basis",
            "置信度 Confidence",
            "候选企业 Candidates",
            "说明 Note",
            "Note (English)",
            "复核结论 Decision",
        ]
        .map(String::from)
        .to_vec(),
        rows: report::review(report, index)
            .iter()
            .map(|r| {
                vec![
                    t(&r.source),
                    t(&r.feed_zh),
                    t(&r.unit),
                    code(&r.unit_code),
                    int(r.rank),
                    t(&r.role_zh),
                    t(&r.item_zh),
                    t(&r.variant_zh),
                    code(&r.subject),
                    code(&r.date),
                    t(&r.outcome),
                    t(&r.basis),
                    int(r.confidence),
                    t(&r.candidates),
                    t(&r.note_zh),
                    t(&r.note_en),
                    t(""),
                ]
            })
            .collect(),
        widths: vec![
            22.0, 14.0, 32.0, 22.0, 6.0, 12.0, 26.0, 14.0, 22.0, 12.0, 12.0, 26.0, 8.0, 60.0, 50.0,
            50.0, 16.0,
        ],
    }
}

/// Lines not notified: not payable (or duplicated, or refused), or already
/// held by the registry.
pub fn lines_table(report: &MatchReport, held: bool) -> Table {
    Table {
        sheet: if held {
            "已登记 Already held".into()
        } else {
            "不予提示 Not payable".into()
        },
        headers: [
            "县(市)区 District",
            "单位名称 Unit",
            "统一社会信用代码 Credit code",
            "资助项目 Item",
            "类别 Variant",
            "成果标的 Subject",
            "完成日期 Date",
            "处理 Disposition",
            "原因代码 Reason",
            "说明 Explanation",
            "Explanation (English)",
            "一次性资助键 Registry key",
            "来源 Source",
        ]
        .map(String::from)
        .to_vec(),
        rows: report::other_lines(report, held)
            .iter()
            .map(|r| {
                vec![
                    t(&r.district_zh),
                    t(&r.name),
                    code(&r.credit_code),
                    t(&r.item_zh),
                    t(&r.variant_zh),
                    code(&r.subject),
                    code(&r.date),
                    t(&r.disposition),
                    t(&r.reason),
                    t(&r.explanation_zh),
                    t(&r.explanation_en),
                    code(&r.registry_key),
                    t(&r.source),
                ]
            })
            .collect(),
        widths: vec![
            10.0, 32.0, 22.0, 28.0, 14.0, 22.0, 12.0, 18.0, 22.0, 50.0, 50.0, 50.0, 24.0,
        ],
    }
}

/// The summary in long form (one row per district and item), with totals.
pub fn summary_table(rows: &[SummaryRow]) -> Table {
    let mut out: Vec<Vec<Value>> = rows
        .iter()
        .map(|r| {
            vec![
                code(&r.fiscal_unit),
                t(&r.district_zh),
                t(&r.item),
                t(&r.item_zh),
                int(r.enterprises),
                int(r.lines),
                Value::Money(r.amount),
            ]
        })
        .collect();
    let lines: usize = rows.iter().fold(0, |a, r| a.saturating_add(r.lines));
    let amount = rows
        .iter()
        .fold(Decimal::ZERO, |a, r| a.saturating_add(r.amount));
    out.push(vec![
        code(""),
        t("合计 Total"),
        t(""),
        t(""),
        t(""),
        int(lines),
        Value::Money(amount),
    ]);
    Table {
        sheet: "汇总明细 Summary rows".into(),
        headers: [
            "财政单位 Fiscal unit",
            "县(市)区 District",
            "资助项目代码 Item id",
            "资助项目 Item",
            "企业数 Enterprises",
            "事项数 Lines",
            "预计金额(元) Amount (yuan)",
        ]
        .map(String::from)
        .to_vec(),
        rows: out,
        widths: vec![12.0, 24.0, 24.0, 30.0, 10.0, 10.0, 18.0],
    }
}

/// The counts of the match.
pub fn stats_table(stats: &Stats) -> Table {
    let mut rows: Vec<Vec<Value>> = Vec::new();
    for (kind, n) in &stats.rows {
        let l = kind.layout();
        rows.push(vec![
            t(&format!(
                "读取行数:{} Rows read: {}",
                l.title_zh, l.title_en
            )),
            int(*n),
        ]);
    }
    rows.push(vec![t("清单所列单位 Units named"), int(stats.mentions)]);
    for (code, n) in &stats.outcomes {
        rows.push(vec![t(&format!("匹配结果 Outcome {code}")), int(*n)]);
    }
    rows.push(vec![t("待复核 For review"), int(stats.review)]);
    rows.push(vec![
        t("应通知企业 Enterprises to notify"),
        int(stats.enterprises_notified),
    ]);
    rows.push(vec![t("预填申报 Draft claims"), int(stats.payable_lines)]);
    rows.push(vec![
        t("预计金额(元) Estimated total (yuan)"),
        Value::Money(stats.total),
    ]);
    rows.push(vec![
        t("已登记(排除) Already held (excluded)"),
        int(stats.already_held),
    ]);
    rows.push(vec![t("不予提示 Not payable"), int(stats.not_payable)]);
    Table {
        sheet: "统计 Counts".into(),
        headers: vec!["项目 Measure".into(), "数量 Value".into()],
        rows,
        widths: vec![50.0, 18.0],
    }
}

/// The summary workbook: a district × item pivot of amounts with a stacked
/// column chart, the long form, and the counts.
pub fn summary_xlsx(
    file: &str,
    rows: &[SummaryRow],
    stats: &Stats,
) -> Result<Vec<u8>, OutputError> {
    let err = xlsx_err(file);
    let mut districts: Vec<(String, String)> = rows
        .iter()
        .map(|r| (r.fiscal_unit.clone(), r.district_zh.clone()))
        .collect();
    districts.dedup();
    let items: Vec<(&str, String)> = report::item_order()
        .iter()
        .filter(|i| rows.iter().any(|r| r.item == **i))
        .map(|i| {
            (
                *i,
                rows.iter()
                    .find(|r| r.item == *i)
                    .map(|r| r.item_zh.clone())
                    .unwrap_or_default(),
            )
        })
        .collect();
    let mut wb = workbook();
    let sheet = "汇总 Summary";
    {
        let ws = wb.add_worksheet();
        ws.set_name(sheet).map_err(&err)?;
        let bold = Format::new().set_bold().set_background_color("#DDEBF7");
        let money = Format::new().set_num_format("#,##0.00");
        let bold_money = Format::new().set_bold().set_num_format("#,##0.00");
        ws.write_string_with_format(0, 0, "县(市)区 District", &bold)
            .map_err(&err)?;
        ws.set_column_width(0, 24.0).map_err(&err)?;
        for (c, (_, zh)) in items.iter().enumerate() {
            let c = usize_to_u16(c).saturating_add(1);
            ws.write_string_with_format(0, c, zh, &bold).map_err(&err)?;
            ws.set_column_width(c, 20.0).map_err(&err)?;
        }
        let total_col = usize_to_u16(items.len()).saturating_add(1);
        ws.write_string_with_format(0, total_col, "合计 Total", &bold)
            .map_err(&err)?;
        ws.set_column_width(total_col, 18.0).map_err(&err)?;
        let mut column_totals = vec![Decimal::ZERO; items.len()];
        for (r, (fu, name)) in districts.iter().enumerate() {
            let row = usize_to_u32(r).saturating_add(1);
            ws.write_string(row, 0, name).map_err(&err)?;
            let mut total = Decimal::ZERO;
            for (c, (item, _)) in items.iter().enumerate() {
                let amount = rows
                    .iter()
                    .find(|x| &x.fiscal_unit == fu && x.item == *item)
                    .map_or(Decimal::ZERO, |x| x.amount);
                total = total.saturating_add(amount);
                if let Some(ct) = column_totals.get_mut(c) {
                    *ct = ct.saturating_add(amount);
                }
                ws.write_number_with_format(
                    row,
                    usize_to_u16(c).saturating_add(1),
                    amount.to_f64().unwrap_or_default(),
                    &money,
                )
                .map_err(&err)?;
            }
            ws.write_number_with_format(
                row,
                total_col,
                total.to_f64().unwrap_or_default(),
                &bold_money,
            )
            .map_err(&err)?;
        }
        let total_row = usize_to_u32(districts.len()).saturating_add(1);
        ws.write_string_with_format(total_row, 0, "合计 Total", &bold)
            .map_err(&err)?;
        let mut grand = Decimal::ZERO;
        for (c, amount) in column_totals.iter().enumerate() {
            grand = grand.saturating_add(*amount);
            ws.write_number_with_format(
                total_row,
                usize_to_u16(c).saturating_add(1),
                amount.to_f64().unwrap_or_default(),
                &bold_money,
            )
            .map_err(&err)?;
        }
        ws.write_number_with_format(
            total_row,
            total_col,
            grand.to_f64().unwrap_or_default(),
            &bold_money,
        )
        .map_err(&err)?;
        ws.set_freeze_panes(1, 1).map_err(&err)?;
        if !districts.is_empty() && !items.is_empty() {
            let mut chart = Chart::new(ChartType::ColumnStacked);
            let last = usize_to_u32(districts.len());
            for (c, (_, zh)) in items.iter().enumerate() {
                let col = usize_to_u16(c).saturating_add(1);
                chart
                    .add_series()
                    .set_name(zh.as_str())
                    .set_categories((sheet, 1, 0, last, 0))
                    .set_values((sheet, 1, col, last, col));
            }
            chart
                .title()
                .set_name("预计金额 Estimated amounts (元 yuan)");
            chart.x_axis().set_name("县(市)区 District");
            chart.y_axis().set_name("元 Yuan").set_num_format("#,##0");
            chart.legend().set_position(ChartLegendPosition::Bottom);
            chart.set_width(960).set_height(560);
            ws.insert_chart(total_row.saturating_add(2), 0, &chart)
                .map_err(&err)?;
        }
    }
    fill_sheet(wb.add_worksheet(), &summary_table(rows), file)?;
    fill_sheet(wb.add_worksheet(), &stats_table(stats), file)?;
    wb.save_to_buffer().map_err(err)
}

/// The drafts as NDJSON: one `SubmitClaimRequest` per line.
pub fn drafts_ndjson(report: &MatchReport) -> Vec<u8> {
    let mut out = String::new();
    for d in report::drafts(report) {
        out.push_str(&d.to_json());
        out.push('\n');
    }
    out.into_bytes()
}

/// Every output of a match in a format: notifications, review, summary (and
/// their companion tables), and `drafts.ndjson`.
pub fn write_all(
    report: &MatchReport,
    index: &RegisterIndex,
    format: FileFormat,
) -> Result<Vec<OutputFile>, OutputError> {
    let summary = report::summary(report);
    let stats = report::stats(report);
    let mut files = Vec::new();
    let mut add = |name: &str, bytes: Vec<u8>| {
        files.push(OutputFile {
            name: name.to_string(),
            bytes,
        });
    };
    match format {
        FileFormat::Xlsx => {
            let f = "notifications.xlsx";
            add(
                f,
                xlsx(f, &[notifications_table(report), items_table(report)])?,
            );
            let f = "review.xlsx";
            add(
                f,
                xlsx(
                    f,
                    &[
                        review_table(report, index),
                        lines_table(report, false),
                        lines_table(report, true),
                    ],
                )?,
            );
            let f = "summary.xlsx";
            add(f, summary_xlsx(f, &summary, &stats)?);
        }
        FileFormat::Csv => {
            let tables = [
                ("notifications.csv", notifications_table(report)),
                ("items.csv", items_table(report)),
                ("review.csv", review_table(report, index)),
                ("not-payable.csv", lines_table(report, false)),
                ("already-held.csv", lines_table(report, true)),
                ("summary.csv", summary_table(&summary)),
                ("counts.csv", stats_table(&stats)),
            ];
            for (name, table) in &tables {
                add(name, csv(name, table)?);
            }
        }
    }
    add("drafts.ndjson", drafts_ndjson(report));
    Ok(files)
}

/// A feed file of the given kind: the layout's header row, then `rows`
/// (one string per layout column). XLSX files get a second sheet,
/// `说明 Notes`, describing each column and its accepted values.
pub fn feed_file(
    kind: FeedKind,
    format: FileFormat,
    rows: &[Vec<String>],
) -> Result<Vec<u8>, OutputError> {
    let layout = kind.layout();
    let table = Table {
        sheet: format!("{} {}", layout.title_zh, layout.file_stem),
        headers: layout.columns.iter().map(|c| c.header()).collect(),
        rows: rows
            .iter()
            .map(|r| {
                layout
                    .columns
                    .iter()
                    .enumerate()
                    .map(|(i, c)| {
                        let v = r.get(i).cloned().unwrap_or_default();
                        if c.text {
                            Value::Code(v)
                        } else {
                            Value::Text(v)
                        }
                    })
                    .collect()
            })
            .collect(),
        widths: layout
            .columns
            .iter()
            .map(|c| if c.text { 24.0 } else { 30.0 })
            .collect(),
    };
    let file = format!("{}.{}", layout.file_stem, format.extension());
    match format {
        FileFormat::Csv => csv(&file, &table),
        FileFormat::Xlsx => {
            let err = xlsx_err(&file);
            let mut wb = workbook();
            let text = Format::new().set_num_format("@");
            {
                let ws = wb.add_worksheet();
                fill_sheet(ws, &table, &file)?;
                for (c, column) in layout.columns.iter().enumerate() {
                    if column.text {
                        ws.set_column_format(usize_to_u16(c), &text).map_err(&err)?;
                    }
                }
            }
            fill_sheet(wb.add_worksheet(), &notes_table(kind), &file)?;
            wb.save_to_buffer().map_err(err)
        }
    }
}

/// The `说明 Notes` sheet of a template.
pub fn notes_table(kind: FeedKind) -> Table {
    let layout = kind.layout();
    Table {
        sheet: "说明 Notes".into(),
        headers: [
            "列 Column",
            "必填 Required",
            "说明",
            "Description",
            "可填的值 Accepted values",
            "示例 Example",
        ]
        .map(String::from)
        .to_vec(),
        rows: layout
            .columns
            .iter()
            .enumerate()
            .map(|(i, c)| {
                let values = codes_of(kind, i)
                    .map(|codes| {
                        codes
                            .iter()
                            .map(|(id, sp)| format!("{id}: {}", sp.join(" / ")))
                            .collect::<Vec<_>>()
                            .join("\n")
                    })
                    .unwrap_or_default();
                vec![
                    t(&c.header()),
                    t(if c.required { "是 yes" } else { "否 no" }),
                    t(c.note_zh),
                    t(c.note_en),
                    t(&values),
                    code(c.example),
                ]
            })
            .collect(),
        widths: vec![34.0, 10.0, 40.0, 50.0, 60.0, 30.0],
    }
}

/// One template per feed kind (register included), in the format given.
pub fn templates(format: FileFormat) -> Result<Vec<OutputFile>, OutputError> {
    FeedKind::ALL
        .iter()
        .map(|k| {
            Ok(OutputFile {
                name: format!("{}.{}", k.layout().file_stem, format.extension()),
                bytes: feed_file(*k, format, &[])?,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]
    use super::*;
    use crate::table::{self, Cell};

    #[test]
    fn csv_cells_are_guarded_as_text() {
        assert_eq!(csv_text("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        assert_eq!(csv_text("+86"), "'+86");
        assert_eq!(csv_text("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(csv_text("福州某公司"), "福州某公司");
        for full_width in ["＝HYPERLINK(\"x\")", "＋86", "－5", "＠SUM(A1)"] {
            assert_eq!(csv_text(full_width), format!("'{full_width}"));
        }
        assert_eq!(csv_text("公司＝福州"), "公司＝福州");
        assert_eq!(csv_identifier("350181"), "=\"350181\"");
        assert_eq!(
            csv_identifier("913501001234567890"),
            "=\"913501001234567890\""
        );
        assert_eq!(csv_identifier("91350181UYGCJU1F7P"), "91350181UYGCJU1F7P");
        assert_eq!(csv_identifier(""), "");
        assert_eq!(csv_unwrap("=\"0350\""), "0350");
        assert_eq!(csv_unwrap("=\"a\"b\""), "=\"a\"b\"");
        assert_eq!(csv_unwrap("=1+1"), "=1+1");
    }

    #[test]
    fn a_csv_output_is_safe_in_a_spreadsheet_and_reads_back() {
        let table = Table {
            sheet: "t".into(),
            headers: vec!["名称 Name".into(), "所在地 Seat".into(), "代码 Code".into()],
            rows: vec![vec![
                Value::Text("=cmd|' /C calc'!A0".into()),
                Value::Code("350181".into()),
                Value::Code("913501001234567890".into()),
            ]],
            widths: vec![],
        };
        let bytes = csv("t.csv", &table).unwrap();
        let mut raw = csv::Reader::from_reader(&bytes[3..]);
        let row = raw.records().next().unwrap().unwrap();
        assert_eq!(&row[0], "'=cmd|' /C calc'!A0");
        assert_eq!(&row[1], "=\"350181\"");
        assert_eq!(&row[2], "=\"913501001234567890\"");
        // Our own reader takes the identifiers back as they were.
        let sheet = table::read_csv(&bytes).unwrap();
        assert_eq!(sheet.rows[1][1], Cell::Text("350181".into()));
        assert_eq!(sheet.rows[1][2], Cell::Text("913501001234567890".into()));
    }
}
