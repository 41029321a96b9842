//! The registry's files: tables as CSV (the `csv` crate) and as XLSX
//! workbooks with charts (`rust_xlsxwriter`).
//!
//! * CSV: UTF-8 with a byte-order mark (so that spreadsheet programs read
//!   the Chinese), CRLF line ends, RFC 4180 quoting. A text cell that begins
//!   with `=`, `+`, `-`, `@`, a tab or a carriage return gets a leading `'`
//!   so that a spreadsheet never runs an applicant's text as a formula (CSV
//!   injection). An identifier (credit code, voucher) that a spreadsheet
//!   would turn into a number — all digits, or digits with an `E` — is
//!   written `="…"`, which spreadsheet programs show as the exact text.
//! * XLSX: text cells are strings (never formulas), identifiers are text,
//!   amounts are numbers formatted `#,##0.00`, the header row is bold and
//!   frozen, a totals row is bold; a sheet may carry a bar chart of one of
//!   its columns. The document properties carry a fixed date, so the same
//!   rows give the same bytes.

use rust_xlsxwriter::{
    Chart, ChartType, DocProperties, ExcelDateTime, Format, Workbook, Worksheet, XlsxError,
};
use stdfund_match::output;
use stdfund_rules::money::Money;

/// The CSV media type.
pub const CSV_CONTENT_TYPE: &str = "text/csv; charset=utf-8";
/// The XLSX media type.
pub const XLSX_CONTENT_TYPE: &str =
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// One cell.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Cell {
    /// Free text.
    Text(String),
    /// An identifier that must stay text (credit code, voucher number).
    Id(String),
    /// A whole number.
    Int(i64),
    /// An amount of yuan.
    Amount(Money),
    /// A day: a date cell in XLSX (a spreadsheet filters it by month), ISO
    /// text in CSV.
    Date(stdfund_rules::date::Date),
    /// Nothing.
    Empty,
}

impl Cell {
    /// Text as someone typed it (a name, an id, a subject): an identifier
    /// cell when a spreadsheet would read it as a number, so that it stays
    /// the exact text; otherwise a text cell, guarded against formulas.
    pub fn typed(s: impl Into<String>) -> Cell {
        let s = s.into();
        if output::looks_numeric(&s) {
            Cell::Id(s)
        } else {
            Cell::Text(s)
        }
    }
}

/// A bar chart of one numeric column against the first column.
#[derive(Clone, Debug)]
pub struct ChartSpec {
    /// The chart's title.
    pub title: String,
    /// The column (0-based) whose values are charted.
    pub value_column: u16,
    /// The column (0-based) that names each bar.
    pub label_column: u16,
}

/// One table: a sheet of a workbook, or one CSV file.
#[derive(Clone, Debug)]
pub struct Sheet {
    /// The sheet's name (at most 31 characters).
    pub name: String,
    /// Lines above the table (a title, the period, …).
    pub preamble: Vec<String>,
    /// The header row.
    pub headers: Vec<String>,
    /// The rows.
    pub rows: Vec<Vec<Cell>>,
    /// A totals row after the rows.
    pub totals: Option<Vec<Cell>>,
    /// A chart of the rows.
    pub chart: Option<ChartSpec>,
}

impl Sheet {
    /// A sheet with headers and no rows.
    pub fn new(name: &str, headers: &[&str]) -> Sheet {
        Sheet {
            name: name.to_string(),
            preamble: Vec::new(),
            headers: headers.iter().map(|h| (*h).to_string()).collect(),
            rows: Vec::new(),
            totals: None,
            chart: None,
        }
    }
}

/// A cell as CSV text (identifiers as `="…"` where a spreadsheet would
/// read a number, formulas refused: `stdfund_match::output`'s guards).
pub(crate) fn csv_text(cell: &Cell) -> String {
    match cell {
        Cell::Text(s) => output::csv_text(s).into_owned(),
        Cell::Id(s) => output::csv_identifier(s).into_owned(),
        Cell::Int(n) => n.to_string(),
        Cell::Amount(m) => m.to_canonical(),
        Cell::Date(d) => d.to_string(),
        Cell::Empty => String::new(),
    }
}

/// A table as CSV bytes.
pub fn csv(sheet: &Sheet) -> Result<Vec<u8>, csv::Error> {
    let mut out = Vec::with_capacity(256);
    out.extend_from_slice("\u{feff}".as_bytes());
    {
        let mut w = csv::WriterBuilder::new()
            .terminator(csv::Terminator::CRLF)
            .flexible(true)
            .from_writer(&mut out);
        // A preamble line can carry a caller's text (a publication's title):
        // guarded like any text cell.
        for line in &sheet.preamble {
            w.write_record([output::csv_text(line).as_ref()])?;
        }
        w.write_record(&sheet.headers)?;
        for row in sheet.rows.iter().chain(sheet.totals.iter()) {
            w.write_record(row.iter().map(csv_text))?;
        }
        w.flush()?;
    }
    Ok(out)
}

/// Writes one cell: text as a string, amounts as numbers `#,##0.00`.
pub(crate) fn write_cell(
    ws: &mut Worksheet,
    row: u32,
    col: u16,
    cell: &Cell,
    money: &Format,
    bold: Option<&Format>,
) -> Result<(), XlsxError> {
    match (cell, bold) {
        (Cell::Text(s) | Cell::Id(s), None) => ws.write_string(row, col, s).map(|_| ()),
        (Cell::Text(s) | Cell::Id(s), Some(b)) => {
            ws.write_string_with_format(row, col, s, b).map(|_| ())
        }
        (Cell::Int(n), _) => {
            // Record numbers and counts are small; an f64 holds them exactly.
            let v = n.to_string().parse::<f64>().unwrap_or_default();
            ws.write_number(row, col, v).map(|_| ())
        }
        (Cell::Amount(m), _) => {
            // The cell is an IEEE double (the file format's only number); an
            // amount of yuan with fen converts to the nearest double, which
            // rounds back to the same fen at two decimals.
            let v = m.to_canonical().parse::<f64>().unwrap_or_default();
            ws.write_number_with_format(row, col, v, money).map(|_| ())
        }
        (Cell::Date(d), _) => {
            let day = ExcelDateTime::from_ymd(d.year(), d.month(), d.day())?;
            let format = Format::new().set_num_format("yyyy-mm-dd");
            ws.write_datetime_with_format(row, col, &day, &format)
                .map(|_| ())
        }
        (Cell::Empty, _) => Ok(()),
    }
}

/// A workbook whose document properties carry a fixed date (2016-04-25),
/// so that the same rows give the same bytes.
pub(crate) fn workbook() -> Result<Workbook, XlsxError> {
    let mut wb = Workbook::new();
    wb.set_properties(
        &DocProperties::new()
            .set_creation_datetime(&ExcelDateTime::from_ymd(2016, 4, 25)?)
            .set_author("stdfund"),
    );
    Ok(wb)
}

/// How wide a text shows, in character cells: an ideograph or a full-width
/// form takes two, ASCII one.
fn shown_width(s: &str) -> usize {
    s.chars()
        .map(|c| if c.is_ascii() { 1 } else { 2 })
        .fold(0, usize::saturating_add)
}

/// A column as wide as its header and its longest cell (an amount as
/// `#,##0.00` shows it), between 10 and 48 characters: unit names are not
/// cut at 14, and a long reason does not make a column of a page.
fn column_width(sheet: &Sheet, c: usize) -> f64 {
    let cell = |v: &Cell| match v {
        Cell::Text(s) | Cell::Id(s) => shown_width(s),
        Cell::Int(n) => n.to_string().len(),
        Cell::Amount(m) => {
            let plain = m.to_canonical();
            // Digits, a comma every three, the point and the fen.
            plain
                .len()
                .saturating_add(plain.len().saturating_sub(4) / 3)
        }
        Cell::Date(_) => 10,
        Cell::Empty => 0,
    };
    let widest = sheet
        .rows
        .iter()
        .chain(sheet.totals.iter())
        .filter_map(|r| r.get(c))
        .map(cell)
        .chain(sheet.headers.get(c).map(|h| shown_width(h)))
        .max()
        .unwrap_or(0);
    let chars = u32::try_from(widest.saturating_add(2).clamp(10, 48)).unwrap_or(48);
    f64::from(chars)
}

/// Adds one table as a worksheet.
pub(crate) fn add_sheet(wb: &mut Workbook, sheet: &Sheet) -> Result<(), XlsxError> {
    let bold = Format::new().set_bold();
    let money = Format::new().set_num_format("#,##0.00");
    let money_bold = Format::new().set_num_format("#,##0.00").set_bold();
    let ws = wb.add_worksheet();
    ws.set_name(&sheet.name)?;
    let mut row: u32 = 0;
    for line in &sheet.preamble {
        ws.write_string_with_format(row, 0, line, &bold)?;
        row = row.saturating_add(1);
    }
    let header_row = row;
    for (c, h) in sheet.headers.iter().enumerate() {
        let col = u16::try_from(c).unwrap_or(u16::MAX);
        ws.write_string_with_format(row, col, h, &bold)?;
        ws.set_column_width(col, column_width(sheet, c))?;
    }
    ws.set_freeze_panes(header_row.saturating_add(1), 0)?;
    row = row.saturating_add(1);
    let first_data = row;
    for r in &sheet.rows {
        for (c, cell) in r.iter().enumerate() {
            let col = u16::try_from(c).unwrap_or(u16::MAX);
            write_cell(ws, row, col, cell, &money, None)?;
        }
        row = row.saturating_add(1);
    }
    let last_data = row.saturating_sub(1);
    if let Some(t) = &sheet.totals {
        for (c, cell) in t.iter().enumerate() {
            let col = u16::try_from(c).unwrap_or(u16::MAX);
            write_cell(ws, row, col, cell, &money_bold, Some(&bold))?;
        }
    }
    if let (Some(spec), false) = (&sheet.chart, sheet.rows.is_empty()) {
        let mut chart = Chart::new(ChartType::Bar);
        chart
            .add_series()
            .set_categories((
                sheet.name.as_str(),
                first_data,
                spec.label_column,
                last_data,
                spec.label_column,
            ))
            .set_values((
                sheet.name.as_str(),
                first_data,
                spec.value_column,
                last_data,
                spec.value_column,
            ));
        chart.title().set_name(&spec.title);
        chart.legend().set_hidden();
        let width = u16::try_from(sheet.headers.len()).unwrap_or(8);
        ws.insert_chart(header_row, width.saturating_add(1), &chart)?;
    }
    Ok(())
}

/// Tables as one XLSX workbook, a sheet each.
pub fn xlsx(sheets: &[Sheet]) -> Result<Vec<u8>, XlsxError> {
    let mut wb = workbook()?;
    for sheet in sheets {
        add_sheet(&mut wb, sheet)?;
    }
    wb.save_to_buffer()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;

    fn sheet() -> Sheet {
        let mut s = Sheet::new(
            "名单",
            &["序号", "单位名称", "统一社会信用代码", "金额(元)"],
        );
        s.rows.push(vec![
            Cell::Int(1),
            Cell::Text("=HYPERLINK(\"x\")".into()),
            Cell::Id("913501001234567890".into()),
            Cell::Amount(Money::parse_yuan("300000.5").unwrap()),
        ]);
        s.rows.push(vec![
            Cell::Int(2),
            Cell::Text("福州示例科技有限公司, 分公司".into()),
            Cell::Id("91350100M000100Y43".into()),
            Cell::Amount(Money::parse_yuan("1").unwrap()),
        ]);
        s.totals = Some(vec![
            Cell::Text("合计".into()),
            Cell::Empty,
            Cell::Empty,
            Cell::Amount(Money::parse_yuan("300001.5").unwrap()),
        ]);
        s.chart = Some(ChartSpec {
            title: "金额".into(),
            value_column: 3,
            label_column: 1,
        });
        s
    }

    #[test]
    fn csv_keeps_identifiers_as_text_and_refuses_formulas() {
        let bytes = csv(&sheet()).unwrap();
        let text = String::from_utf8(bytes).unwrap();
        assert!(text.starts_with('\u{feff}'));
        let mut r = ::csv::ReaderBuilder::new()
            .has_headers(true)
            .from_reader(text.trim_start_matches('\u{feff}').as_bytes());
        let rows: Vec<::csv::StringRecord> = r.records().map(Result::unwrap).collect();
        assert_eq!(&rows[0][1], "'=HYPERLINK(\"x\")");
        assert_eq!(&rows[0][2], "=\"913501001234567890\"");
        assert_eq!(&rows[0][3], "300000.50");
        assert_eq!(&rows[1][1], "福州示例科技有限公司, 分公司");
        assert_eq!(&rows[1][2], "91350100M000100Y43");
        assert_eq!(&rows[2][0], "合计");
        assert!(text.contains("\r\n"));
        // A preamble line (a publication's title) is guarded too.
        let mut titled = sheet();
        titled.preamble = vec![
            "=HYPERLINK(\"http://evil.example/\",\"点击\")".into(),
            "公示期".into(),
        ];
        let text = String::from_utf8(csv(&titled).unwrap()).unwrap();
        let mut r = ::csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_reader(text.trim_start_matches('\u{feff}').as_bytes());
        let first = r.records().next().unwrap().unwrap();
        assert!(first[0].starts_with("'="), "{first:?}");
        let second = r.records().next().unwrap().unwrap();
        assert_eq!(&second[0], "公示期");
    }

    #[test]
    fn typed_text_is_never_a_number_nor_a_formula() {
        let s = Sheet {
            rows: vec![vec![
                Cell::typed("00123"),
                Cell::typed("=1+1"),
                Cell::typed("GB/T 1-2020"),
            ]],
            ..Sheet::new("t", &["a", "b", "c"])
        };
        let text = String::from_utf8(csv(&s).unwrap()).unwrap();
        assert!(
            text.ends_with("\"=\"\"00123\"\"\",'=1+1,GB/T 1-2020\r\n"),
            "{text}"
        );
    }

    #[test]
    fn columns_fit_their_text() {
        let mut s = Sheet::new("t", &["单位名称 Unit", "金额 Amount", "n"]);
        s.rows.push(vec![
            Cell::Text("福州市标准化研究所附属检测技术有限公司".into()),
            Cell::Amount(stdfund_rules::money::Money::parse_yuan("1234567.89").unwrap()),
            Cell::Int(3),
        ]);
        // 19 ideographs show 38 cells wide, and 2 of margin.
        assert_eq!(column_width(&s, 0), 40.0);
        // `1,234,567.89` is 12; the header `金额 Amount` 11.
        assert_eq!(column_width(&s, 1), 14.0);
        assert_eq!(column_width(&s, 2), 10.0, "never narrower than 10");
        s.rows.push(vec![Cell::Text("长".repeat(60))]);
        assert_eq!(column_width(&s, 0), 48.0, "never wider than 48");
    }

    #[test]
    fn xlsx_is_deterministic() {
        let a = xlsx(&[sheet()]).unwrap();
        let b = xlsx(&[sheet()]).unwrap();
        assert_eq!(a, b);
        assert_eq!(&a[..2], b"PK");
    }
}
