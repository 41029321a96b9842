//! The batch's CSV and XLSX outputs and its template.
//!
//! Three tables, written through [`crate::exports`] (identifiers kept as
//! text, formula injection refused, Chinese headers with English beside):
//!
//! * 明细 Lines — one row per achievement row or NDJSON line: the unit, the
//!   achievement, status and reason as plain Chinese and English labels, the
//!   amounts and the clause; a row that could not be estimated says 错误
//!   error with its code, field and message.
//! * 单位汇总 Units — one row per application: counts by status, the total
//!   and its municipal / district split, marked 暂定 provisional when the
//!   share table is.
//! * 汇总 Summary — counts by status, totals, and totals per fiscal unit.
//!
//! XLSX puts them in one workbook; CSV writes the lines to the named file and
//! the other two beside it (`NAME.units.csv`, `NAME.summary.csv`). The lines
//! are written as they arrive (CSV straight to the file, XLSX to a
//! constant-memory worksheet), so memory holds the units and totals only.

use super::layout::COLUMNS;
use super::{AppOut, BatchFormat, Outcome, RowError};
use crate::exports::{self, Cell, Sheet};
use rust_xlsxwriter::{Format, Workbook};
use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use stdfund_rules::domain::LineStatus;
use stdfund_rules::money::Money;

/// The headers of the lines table.
pub const LINE_HEADERS: [&str; 25] = [
    "行号 Row",
    "单位名称 Unit",
    "统一社会信用代码 Credit code",
    "财政单位 Fiscal unit",
    "成果编号 Achievement ID",
    "资助项目 Item",
    "项目名称 Item name",
    "类别 Variant",
    "条款 Clause",
    "成果 Subject",
    "填写的成果 Subject as typed",
    "成果日期 Date",
    "状态 Status",
    "原因 Reason",
    "代码 Code",
    "市级标准(元) Municipal amount",
    "已计上级资助(元) Funding counted",
    "应付(元) Payable",
    "市级承担(元) Municipal share",
    "区县承担(元) District share",
    "分担比例表 Share table",
    "说明 Explanation",
    "Explanation",
    "字段 Field",
    "一次性资助键 One-time key",
];

/// The headers of the units table.
pub const UNIT_HEADERS: [&str; 17] = [
    "首行 First row",
    "单位名称 Unit",
    "统一社会信用代码 Credit code",
    "校验位 Check character",
    "所在地 Seat",
    "财政单位 Fiscal unit",
    "成果数 Lines",
    "可获资助 Eligible",
    "待验收或批准 Pending",
    "待评审核定 Discretionary",
    "不予资助 Not payable",
    "错误行 Rows in error",
    "应付合计(元) Total payable",
    "市级承担(元) Municipal share",
    "区县承担(元) District share",
    "分担 Split",
    "提示 Warnings",
];

/// The headers of the summary table.
pub const SUMMARY_HEADERS: [&str; 3] = ["项目 Measure", "数量 Count", "金额(元) Amount"];

fn label(status: LineStatus) -> String {
    format!("{} {}", status.label_zh(), status.label_en())
}

fn sum(a: Money, b: Money) -> Money {
    // Sums of fen amounts far below Money's range; saturate rather than fail.
    a.checked_add(b).unwrap_or(a)
}

/// Totals of one status.
#[derive(Clone, Copy, Debug, Default)]
struct Tally {
    count: u64,
    payable: Money,
}

/// Totals of one fiscal unit.
#[derive(Clone, Debug, Default)]
struct District {
    name: String,
    apps: u64,
    payable: Money,
    district: Money,
}

/// Where the lines go as they arrive.
enum Lines {
    /// CSV: the named file or standard output.
    Csv(csv::Writer<Box<dyn Write>>),
    /// XLSX: the workbook's first worksheet, in constant-memory mode.
    Xlsx {
        /// The workbook (its other sheets are added at the end).
        wb: Box<Workbook>,
        /// The next row.
        row: u32,
        /// The amounts' number format.
        money: Format,
    },
}

/// The tables being built: the lines written as outcomes arrive, the units
/// and totals kept for the end.
pub struct Tables {
    lines: Lines,
    output: Option<PathBuf>,
    units: Vec<Vec<Cell>>,
    statuses: BTreeMap<u8, Tally>,
    errors: u64,
    apps: u64,
    total: Money,
    municipal: Money,
    district: Money,
    provisional: bool,
    districts: BTreeMap<String, District>,
    units_errors: u64,
}

/// Why an output cannot be written.
fn failed(what: &str, e: impl std::fmt::Display) -> String {
    format!("cannot write {what}: {e}")
}

fn status_rank(s: LineStatus) -> u8 {
    match s {
        LineStatus::Eligible => 0,
        LineStatus::Pending => 1,
        LineStatus::Discretionary => 2,
        LineStatus::Ineligible => 3,
    }
}

const STATUSES: [LineStatus; 4] = [
    LineStatus::Eligible,
    LineStatus::Pending,
    LineStatus::Discretionary,
    LineStatus::Ineligible,
];

fn error_row(e: &RowError) -> Vec<Cell> {
    let x = &e.echo;
    vec![
        Cell::Int(i64::try_from(e.loc.number()).unwrap_or(i64::MAX)),
        Cell::typed(x.name.as_str()),
        Cell::typed(x.credit_code.as_str()),
        Cell::Empty,
        Cell::typed(x.achievement_id.as_str()),
        Cell::typed(x.item.as_str()),
        Cell::Empty,
        Cell::typed(x.variant.as_str()),
        Cell::Empty,
        Cell::Empty,
        Cell::typed(x.subject.as_str()),
        Cell::typed(x.date.as_str()),
        Cell::Text("错误 error".into()),
        Cell::Text("输入有误 invalid input".into()),
        Cell::Text(e.report.code.clone()),
        Cell::Empty,
        Cell::Empty,
        Cell::Empty,
        Cell::Empty,
        Cell::Empty,
        Cell::Empty,
        Cell::Text(e.report.message_zh.clone()),
        Cell::Text(e.report.message_en.clone()),
        Cell::typed(e.report.field.as_str()),
        Cell::Empty,
    ]
}

fn split_text(app: &AppOut) -> String {
    app.share_tables
        .iter()
        .map(|t| {
            let mark = if t.provisional {
                "暂定 provisional: "
            } else {
                ""
            };
            format!("{mark}{} {},区县 district {}", t.id, t.version, t.ratio)
        })
        .collect::<Vec<_>>()
        .join("\n")
}

impl Tables {
    /// Starts the tables for `format`, writing the lines to `output` (or
    /// standard output).
    pub fn new(format: BatchFormat, output: Option<&Path>) -> Result<Tables, String> {
        let lines = match format {
            BatchFormat::Xlsx => {
                let xlsx = |e: rust_xlsxwriter::XlsxError| failed("the workbook", e);
                let mut wb = Box::new(exports::workbook().map_err(xlsx)?);
                let bold = Format::new().set_bold();
                let ws = wb.add_worksheet_with_constant_memory();
                ws.set_name("明细 Lines").map_err(xlsx)?;
                for (c, h) in LINE_HEADERS.iter().enumerate() {
                    let col = u16::try_from(c).unwrap_or(u16::MAX);
                    ws.set_column_width(col, 14).map_err(xlsx)?;
                    ws.write_string_with_format(0, col, *h, &bold)
                        .map_err(xlsx)?;
                }
                ws.set_freeze_panes(1, 0).map_err(xlsx)?;
                Lines::Xlsx {
                    wb,
                    row: 1,
                    money: Format::new().set_num_format("#,##0.00"),
                }
            }
            BatchFormat::Csv | BatchFormat::Ndjson => {
                let mut target: Box<dyn Write> = match output {
                    Some(p) => Box::new(std::io::BufWriter::with_capacity(
                        1 << 16,
                        std::fs::File::create(p)
                            .map_err(|e| failed(&format!("`{}`", p.display()), e))?,
                    )),
                    None => Box::new(std::io::BufWriter::new(std::io::stdout())),
                };
                target
                    .write_all("\u{feff}".as_bytes())
                    .map_err(|e| failed("CSV", e))?;
                let mut w = csv::WriterBuilder::new()
                    .terminator(csv::Terminator::CRLF)
                    .flexible(true)
                    .from_writer(target);
                w.write_record(LINE_HEADERS).map_err(|e| failed("CSV", e))?;
                Lines::Csv(w)
            }
        };
        Ok(Tables {
            lines,
            output: output.map(Path::to_path_buf),
            units: Vec::new(),
            statuses: BTreeMap::new(),
            errors: 0,
            apps: 0,
            total: Money::ZERO,
            municipal: Money::ZERO,
            district: Money::ZERO,
            provisional: false,
            districts: BTreeMap::new(),
            units_errors: 0,
        })
    }

    /// Writes one line row.
    fn line(&mut self, cells: &[Cell]) -> Result<(), String> {
        match &mut self.lines {
            Lines::Csv(w) => w
                .write_record(cells.iter().map(exports::csv_text))
                .map_err(|e| failed("CSV", e)),
            Lines::Xlsx { wb, row, money } => {
                let ws = wb
                    .worksheet_from_index(0)
                    .map_err(|e| failed("the workbook", e))?;
                for (c, cell) in cells.iter().enumerate() {
                    let col = u16::try_from(c).unwrap_or(u16::MAX);
                    exports::write_cell(ws, *row, col, cell, money, None)
                        .map_err(|e| failed("the workbook", e))?;
                }
                *row = row.saturating_add(1);
                Ok(())
            }
        }
    }

    /// Adds one outcome: its rows, in input order, and its unit.
    pub fn push(&mut self, outcome: Outcome) -> Result<(), String> {
        self.errors = self
            .errors
            .saturating_add(u64::try_from(outcome.errors.len()).unwrap_or(0));
        let Some(answer) = outcome.answer else {
            for e in &outcome.errors {
                self.line(&error_row(e))?;
            }
            // A unit whose every row failed still gets its unit row.
            if let Some(first) = outcome
                .errors
                .first()
                .filter(|e| !e.echo.credit_code.is_empty())
            {
                self.units_errors = self
                    .units_errors
                    .saturating_add(u64::try_from(outcome.errors.len()).unwrap_or(0));
                let mut row = vec![
                    Cell::Int(i64::try_from(first.loc.number()).unwrap_or(i64::MAX)),
                    Cell::typed(first.echo.name.as_str()),
                    Cell::typed(first.echo.credit_code.as_str()),
                ];
                row.extend(std::iter::repeat_n(Cell::Empty, 8));
                row.push(Cell::Int(
                    i64::try_from(outcome.errors.len()).unwrap_or(i64::MAX),
                ));
                self.units.push(row);
            }
            return Ok(());
        };
        let Some(app) = answer.app else {
            return Ok(());
        };
        self.apps = self.apps.saturating_add(1);
        // Lines and error rows, merged in input order.
        let mut errors = outcome.errors.iter().peekable();
        let mut counts = [0i64; 4];
        for (i, line) in app.lines.iter().enumerate() {
            let loc = answer.locs.get(i).copied().unwrap_or(answer.first);
            while let Some(e) = errors.next_if(|e| e.loc < loc) {
                self.line(&error_row(e))?;
            }
            let rank = status_rank(line.status);
            if let Some(c) = counts.get_mut(usize::from(rank)) {
                *c = c.saturating_add(1);
            }
            let tally = self.statuses.entry(rank).or_default();
            tally.count = tally.count.saturating_add(1);
            tally.payable = sum(tally.payable, line.amounts.payable);
            let share = if line.share_table.is_empty() {
                String::new()
            } else if line.provisional {
                format!("{} 暂定 provisional", line.share_table)
            } else {
                line.share_table.clone()
            };
            self.line(&[
                Cell::Int(i64::try_from(loc.number()).unwrap_or(i64::MAX)),
                Cell::typed(app.name.as_str()),
                Cell::typed(app.credit_code.as_str()),
                Cell::Text(app.fiscal_unit_zh.clone()),
                Cell::typed(line.achievement_id.as_str()),
                Cell::Text(line.item.clone()),
                Cell::Text(line.item_zh.clone()),
                Cell::Text(line.variant.clone()),
                Cell::Text(line.clause.clone()),
                Cell::typed(line.subject.as_str()),
                Cell::typed(line.subject_as_given.as_str()),
                Cell::Text(line.date.clone()),
                Cell::Text(label(line.status)),
                Cell::Text(format!(
                    "{} {}",
                    line.reason.label_zh(),
                    line.reason.label_en()
                )),
                Cell::Text(line.reason.as_str().into()),
                Cell::Amount(line.amounts.municipal),
                Cell::Amount(line.amounts.counted),
                Cell::Amount(line.amounts.payable),
                Cell::Amount(line.amounts.municipal_share),
                Cell::Amount(line.amounts.district_share),
                Cell::Text(share),
                Cell::Text(line.explanation_zh.clone()),
                Cell::Text(line.explanation_en.clone()),
                Cell::Empty,
                Cell::typed(line.one_time_key.as_str()),
            ])?;
        }
        for e in errors {
            self.line(&error_row(e))?;
        }
        self.units_errors = self
            .units_errors
            .saturating_add(u64::try_from(outcome.errors.len()).unwrap_or(0));
        self.total = sum(self.total, app.total);
        self.municipal = sum(self.municipal, app.municipal_share);
        self.district = sum(self.district, app.district_share);
        self.provisional |= app.share_tables.iter().any(|t| t.provisional);
        let district_key = if app.fiscal_unit.is_empty() {
            "~".to_string()
        } else {
            app.fiscal_unit.clone()
        };
        let d = self.districts.entry(district_key).or_default();
        if d.name.is_empty() {
            d.name = if app.fiscal_unit.is_empty() {
                "政策适用地区以外 outside the policy's area".into()
            } else {
                format!("{} {}", app.fiscal_unit_zh, app.fiscal_unit_en)
            };
        }
        d.apps = d.apps.saturating_add(1);
        d.payable = sum(d.payable, app.total);
        d.district = sum(d.district, app.district_share);
        let warnings = app
            .warnings
            .iter()
            .map(|(code, zh, _)| {
                if zh.is_empty() {
                    code.clone()
                } else {
                    format!("{code}: {zh}")
                }
            })
            .collect::<Vec<_>>()
            .join("\n");
        let [eligible, pending, discretionary, ineligible] = counts;
        self.units.push(vec![
            Cell::Int(i64::try_from(answer.first.number()).unwrap_or(i64::MAX)),
            Cell::typed(app.name.as_str()),
            Cell::typed(app.credit_code.as_str()),
            Cell::Text(if app.check_passed {
                "通过 passed".into()
            } else {
                "不符 mismatch".into()
            }),
            Cell::typed(app.seat.as_str()),
            Cell::Text(if app.fiscal_unit.is_empty() {
                "政策适用地区以外 outside the policy's area".into()
            } else {
                format!("{} {}", app.fiscal_unit_zh, app.fiscal_unit_en)
            }),
            Cell::Int(i64::try_from(app.lines.len()).unwrap_or(i64::MAX)),
            Cell::Int(eligible),
            Cell::Int(pending),
            Cell::Int(discretionary),
            Cell::Int(ineligible),
            Cell::Int(i64::try_from(outcome.errors.len()).unwrap_or(i64::MAX)),
            Cell::Amount(app.total),
            Cell::Amount(app.municipal_share),
            Cell::Amount(app.district_share),
            Cell::Text(split_text(&app)),
            Cell::Text(warnings),
        ]);
        Ok(())
    }

    /// The units and summary tables.
    fn sheets(&mut self) -> [Sheet; 2] {
        let mut units = Sheet::new("单位汇总 Units", &UNIT_HEADERS);
        units.rows = std::mem::take(&mut self.units);
        // Rows refused before they name a unit (no credit code, a code
        // Excel turned into a number) have a line of their own, so that the
        // total's errors are the summary's.
        let unplaced = self.errors.saturating_sub(self.units_errors);
        if unplaced > 0 {
            let mut row = vec![
                Cell::Empty,
                Cell::Text("未归入单位的行 Rows without a unit".into()),
            ];
            row.extend(std::iter::repeat_n(Cell::Empty, 9));
            row.push(Cell::Int(i64::try_from(unplaced).unwrap_or(i64::MAX)));
            units.rows.push(row);
        }
        let mut totals = vec![Cell::Text("合计 Total".into())];
        totals.extend(std::iter::repeat_n(Cell::Empty, 10));
        totals.push(Cell::Int(i64::try_from(self.errors).unwrap_or(i64::MAX)));
        totals.push(Cell::Amount(self.total));
        totals.push(Cell::Amount(self.municipal));
        totals.push(Cell::Amount(self.district));
        if self.provisional {
            totals.push(Cell::Text("区县分担为暂定比例 provisional".into()));
        }
        units.totals = Some(totals);
        let mut summary = Sheet::new("汇总 Summary", &SUMMARY_HEADERS);
        let int = |n: u64| Cell::Int(i64::try_from(n).unwrap_or(i64::MAX));
        let answered: u64 = self.statuses.values().map(|t| t.count).sum();
        summary.rows.push(vec![
            Cell::Text("已测算申请 Applications answered".into()),
            int(self.apps),
            Cell::Empty,
        ]);
        summary.rows.push(vec![
            Cell::Text("已测算成果 Lines answered".into()),
            int(answered),
            Cell::Amount(self.total),
        ]);
        for s in STATUSES {
            let t = self
                .statuses
                .get(&status_rank(s))
                .copied()
                .unwrap_or_default();
            summary.rows.push(vec![
                Cell::Text(format!("  {}", label(s))),
                int(t.count),
                Cell::Amount(t.payable),
            ]);
        }
        summary.rows.push(vec![
            Cell::Text("错误行 Rows in error".into()),
            int(self.errors),
            Cell::Empty,
        ]);
        summary.rows.push(vec![
            Cell::Text("应付合计 Total payable".into()),
            Cell::Empty,
            Cell::Amount(self.total),
        ]);
        summary.rows.push(vec![
            Cell::Text("市级承担 Municipal share".into()),
            Cell::Empty,
            Cell::Amount(self.municipal),
        ]);
        summary.rows.push(vec![
            Cell::Text(if self.provisional {
                "区县承担(暂定) District share (provisional)".into()
            } else {
                "区县承担 District share".into()
            }),
            Cell::Empty,
            Cell::Amount(self.district),
        ]);
        for d in self.districts.values() {
            summary.rows.push(vec![
                Cell::Text(format!("财政单位 Fiscal unit: {}", d.name)),
                int(d.apps),
                Cell::Amount(d.payable),
            ]);
        }
        if self.provisional {
            summary.preamble.push(
                "区县分担按暂定比例计算,待市财政局提供实际比例 — the district shares use a provisional share table until the finance bureau supplies the real ratios".into(),
            );
        }
        [units, summary]
    }

    /// Finishes the output: the units and summary sheets after the lines
    /// (XLSX), or beside the lines file (CSV: `NAME.units.csv`,
    /// `NAME.summary.csv`; on standard output the lines only).
    pub fn finish(mut self) -> Result<(), String> {
        let [units, summary] = self.sheets();
        match self.lines {
            Lines::Csv(w) => {
                let mut inner = w.into_inner().map_err(|e| failed("CSV", e.error()))?;
                inner.flush().map_err(|e| failed("CSV", e))?;
                if let Some(path) = &self.output {
                    for (suffix, sheet) in [("units", &units), ("summary", &summary)] {
                        let target = super::sibling(path, suffix);
                        let bytes = exports::csv(sheet).map_err(|e| failed("CSV", e))?;
                        std::fs::write(&target, bytes)
                            .map_err(|e| failed(&format!("`{}`", target.display()), e))?;
                    }
                }
                Ok(())
            }
            Lines::Xlsx { mut wb, .. } => {
                let xlsx = |e: rust_xlsxwriter::XlsxError| failed("the workbook", e);
                exports::add_sheet(&mut wb, &units).map_err(xlsx)?;
                exports::add_sheet(&mut wb, &summary).map_err(xlsx)?;
                match &self.output {
                    Some(path) => wb
                        .save(path)
                        .map_err(|e| failed(&format!("`{}`", path.display()), e)),
                    None => {
                        let bytes = wb.save_to_buffer().map_err(xlsx)?;
                        let mut out = std::io::stdout().lock();
                        match out.write_all(&bytes).and_then(|()| out.flush()) {
                            Ok(()) => Ok(()),
                            Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
                            Err(e) => Err(failed("standard output", e)),
                        }
                    }
                }
            }
        }
    }
}

/// The empty batch template: the layout's header row; an XLSX carries two
/// more sheets, 说明 Notes (each column) and 项目与类别 Items and variants
/// (every item and variant of the embedded rulesets, with their amounts).
pub fn template(format: BatchFormat) -> Result<Vec<u8>, String> {
    let headers: Vec<String> = COLUMNS.iter().map(|c| c.header()).collect();
    if format != BatchFormat::Xlsx {
        let mut w = csv::Writer::from_writer(b"\xEF\xBB\xBF".to_vec());
        w.write_record(&headers)
            .map_err(|e| format!("cannot write CSV: {e}"))?;
        return w.into_inner().map_err(|e| format!("cannot write CSV: {e}"));
    }
    xlsx_template(&headers).map_err(|e| format!("cannot write the workbook: {e}"))
}

fn xlsx_template(headers: &[String]) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    use rust_xlsxwriter::{DocProperties, ExcelDateTime, Format, FormatAlign, Workbook};
    let mut wb = Workbook::new();
    wb.set_properties(
        &DocProperties::new()
            .set_creation_datetime(&ExcelDateTime::from_ymd(2016, 4, 25)?)
            .set_author("stdfund"),
    );
    let bold = Format::new().set_bold().set_background_color("#DDEBF7");
    let text = Format::new().set_num_format("@");
    let wrap = Format::new().set_text_wrap().set_align(FormatAlign::Top);
    {
        let ws = wb.add_worksheet();
        ws.set_name("批量测算 Batch")?;
        for (c, (h, column)) in headers.iter().zip(COLUMNS.iter()).enumerate() {
            let col = u16::try_from(c).unwrap_or(u16::MAX);
            ws.write_string_with_format(0, col, h, &bold)?;
            ws.set_column_width(col, if column.text { 24 } else { 20 })?;
            if column.text {
                ws.set_column_format(col, &text)?;
            }
        }
        ws.set_freeze_panes(1, 0)?;
    }
    {
        let ws = wb.add_worksheet();
        ws.set_name("说明 Notes")?;
        let notes = [
            "列 Column",
            "必填 Required",
            "说明",
            "Description",
            "示例 Example",
        ];
        for (c, h) in notes.iter().enumerate() {
            let col = u16::try_from(c).unwrap_or(u16::MAX);
            ws.write_string_with_format(0, col, *h, &bold)?;
        }
        for (w, col) in [34, 10, 50, 60, 30].iter().zip(0u16..) {
            ws.set_column_width(col, *w)?;
        }
        for (r, c) in COLUMNS.iter().enumerate() {
            let row = u32::try_from(r).unwrap_or(u32::MAX).saturating_add(1);
            ws.write_string(row, 0, c.header())?;
            ws.write_string(row, 1, if c.required { "是 yes" } else { "否 no" })?;
            ws.write_string_with_format(row, 2, c.note_zh, &wrap)?;
            ws.write_string_with_format(row, 3, c.note_en, &wrap)?;
            ws.write_string_with_format(row, 4, c.example, &text)?;
        }
        let after = u32::try_from(COLUMNS.len()).unwrap_or(0).saturating_add(2);
        ws.write_string_with_format(
            after,
            0,
            "同一统一社会信用代码的各行合为一份申请,按代码首次出现的顺序测算;单位名称与所在地只需在第一行填写。",
            &wrap,
        )?;
        ws.write_string_with_format(
            after.saturating_add(1),
            0,
            "Rows with the same credit code form one application, estimated in the order the codes first appear; name and seat are needed on the first row only.",
            &wrap,
        )?;
    }
    {
        let ws = wb.add_worksheet();
        ws.set_name("项目与类别 Items and variants")?;
        let heads = [
            "资助项目 Item",
            "项目名称",
            "Item name",
            "类别 Variant",
            "类别名称",
            "Variant name",
            "条款 Clause",
            "金额(万元) Amount (10,000 yuan)",
        ];
        for (c, h) in heads.iter().enumerate() {
            let col = u16::try_from(c).unwrap_or(u16::MAX);
            ws.write_string_with_format(0, col, *h, &bold)?;
            ws.set_column_width(col, 24)?;
        }
        let mut row = 1u32;
        if let Ok(book) = stdfund_rules::ruleset::embedded() {
            for rs in book.current_rulesets() {
                for item in &rs.doc().items {
                    for v in &item.variants {
                        ws.write_string(row, 0, &item.id)?;
                        ws.write_string(row, 1, &item.name_zh)?;
                        ws.write_string(row, 2, &item.name_en)?;
                        ws.write_string(row, 3, &v.id)?;
                        ws.write_string(row, 4, &v.name_zh)?;
                        ws.write_string(row, 5, &v.name_en)?;
                        ws.write_string(row, 6, &item.clause)?;
                        ws.write_string(
                            row,
                            7,
                            v.amount_wan.as_deref().unwrap_or("— 不予资助或评审核定"),
                        )?;
                        row = row.saturating_add(1);
                    }
                }
            }
        }
        ws.set_freeze_panes(1, 0)?;
    }
    wb.save_to_buffer()
}
