//! Spreadsheet cells from CSV or XLSX bytes.
//!
//! Readers take bytes, not paths: the caller reads the file (the CLI) or
//! receives it (a service), so this crate does no I/O. CSV is UTF-8 (a BOM
//! is skipped); a file that is not UTF-8 is decoded as GB 18030, the encoding
//! of a CSV saved by a Chinese-locale spreadsheet. XLSX (and XLS, ODS) is read
//! with calamine; each worksheet becomes a [`Sheet`] whose rows keep their
//! spreadsheet row numbers.

use crate::error::InputError;
use calamine::{Data, Reader};
use std::io::Cursor;

/// One cell.
#[derive(Clone, Debug, PartialEq)]
pub enum Cell {
    /// Nothing.
    Empty,
    /// Text (CSV cells are always text).
    Text(String),
    /// A whole number.
    Int(i64),
    /// A number with a fraction, or too large for a whole number.
    Float(f64),
    /// A date cell (year, month, day).
    Date(u16, u8, u8),
    /// A boolean cell.
    Bool(bool),
}

impl Cell {
    /// Whether the cell has nothing but white space.
    pub fn is_blank(&self) -> bool {
        match self {
            Cell::Empty => true,
            Cell::Text(t) => t.trim().is_empty(),
            _ => false,
        }
    }
}

/// One worksheet (a CSV file is one sheet).
#[derive(Clone, Debug, PartialEq)]
pub struct Sheet {
    /// The sheet's name (the file's for CSV).
    pub name: String,
    /// The spreadsheet row number (1-based) of `rows[0]`.
    pub first_row: u32,
    /// The rows.
    pub rows: Vec<Vec<Cell>>,
}

impl Sheet {
    /// The spreadsheet row number (1-based) of `rows[index]`.
    pub fn row_number(&self, index: usize) -> u32 {
        self.first_row
            .saturating_add(u32::try_from(index).unwrap_or(u32::MAX))
    }
}

/// The file formats read and written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FileFormat {
    /// Comma-separated values, UTF-8.
    Csv,
    /// Office Open XML workbook (also XLS and ODS when reading).
    Xlsx,
}

impl FileFormat {
    /// The format a file name's extension says, if any.
    pub fn from_name(name: &str) -> Option<FileFormat> {
        let lower = name.to_ascii_lowercase();
        if lower.ends_with(".csv") || lower.ends_with(".txt") {
            Some(FileFormat::Csv)
        } else if [".xlsx", ".xlsm", ".xls", ".ods"]
            .iter()
            .any(|e| lower.ends_with(e))
        {
            Some(FileFormat::Xlsx)
        } else {
            None
        }
    }

    /// The extension written.
    pub fn extension(self) -> &'static str {
        match self {
            FileFormat::Csv => "csv",
            FileFormat::Xlsx => "xlsx",
        }
    }
}

/// Reads a file's bytes in the given format.
pub fn read(format: FileFormat, bytes: &[u8]) -> Result<Vec<Sheet>, InputError> {
    match format {
        FileFormat::Csv => read_csv(bytes).map(|s| vec![s]),
        FileFormat::Xlsx => read_xlsx(bytes),
    }
}

/// Reads CSV bytes as one sheet of text cells.
pub fn read_csv(bytes: &[u8]) -> Result<Sheet, InputError> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let decoded;
    let text: &[u8] = if std::str::from_utf8(bytes).is_ok() {
        bytes
    } else {
        let (cow, _, had_errors) = encoding_rs::GB18030.decode(bytes);
        if had_errors {
            return Err(InputError::file(
                "FILE_UNREADABLE",
                "CSV文件既不是UTF-8也不是GB18030编码",
                "the CSV file is neither UTF-8 nor GB 18030",
            ));
        }
        decoded = cow.into_owned();
        decoded.as_bytes()
    };
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text);
    let mut rows = Vec::new();
    for (i, record) in reader.records().enumerate() {
        let record = record.map_err(|e| {
            let row = u32::try_from(i).unwrap_or(u32::MAX).saturating_add(1);
            InputError {
                code: "FILE_UNREADABLE",
                row: Some(row),
                column: None,
                message_zh: format!("CSV格式错误:{e}"),
                message_en: format!("malformed CSV: {e}"),
            }
        })?;
        rows.push(
            record
                .iter()
                .map(|f| {
                    if f.is_empty() {
                        Cell::Empty
                    } else {
                        // `="0123"`: an identifier kept as text by a
                        // spreadsheet or by our own CSV outputs.
                        Cell::Text(crate::output::csv_unwrap(f).to_string())
                    }
                })
                .collect(),
        );
    }
    Ok(Sheet {
        name: String::new(),
        first_row: 1,
        rows,
    })
}

/// Reads every worksheet of an XLSX (or XLS, ODS) workbook.
pub fn read_xlsx(bytes: &[u8]) -> Result<Vec<Sheet>, InputError> {
    let mut workbook = calamine::open_workbook_auto_from_rs(Cursor::new(bytes)).map_err(|e| {
        InputError::file(
            "FILE_UNREADABLE",
            format!("无法读取电子表格:{e}"),
            format!("cannot read the spreadsheet: {e}"),
        )
    })?;
    let mut sheets = Vec::new();
    for name in workbook.sheet_names() {
        let range = workbook.worksheet_range(&name).map_err(|e| {
            InputError::file(
                "FILE_UNREADABLE",
                format!("无法读取工作表「{name}」:{e}"),
                format!("cannot read the worksheet `{name}`: {e}"),
            )
        })?;
        let (start_row, start_col) = range.start().unwrap_or((0, 0));
        let pad = usize::try_from(start_col).unwrap_or(0);
        let rows = range
            .rows()
            .map(|r| {
                let mut row: Vec<Cell> = std::iter::repeat_n(Cell::Empty, pad).collect();
                row.extend(r.iter().map(cell_of));
                row
            })
            .collect();
        sheets.push(Sheet {
            name,
            first_row: start_row.saturating_add(1),
            rows,
        });
    }
    Ok(sheets)
}

fn cell_of(d: &Data) -> Cell {
    match d {
        Data::Empty | Data::Error(_) => Cell::Empty,
        Data::String(s) => Cell::Text(s.clone()),
        Data::Int(i) => Cell::Int(*i),
        Data::Float(f) => whole(*f).map(Cell::Int).unwrap_or(Cell::Float(*f)),
        Data::Bool(b) => Cell::Bool(*b),
        Data::DateTime(dt) => {
            if dt.is_datetime() {
                let (y, m, d, ..) = dt.to_ymd_hms_milli();
                Cell::Date(y, m, d)
            } else {
                Cell::Float(dt.as_f64())
            }
        }
        Data::DateTimeIso(s) | Data::DurationIso(s) => Cell::Text(s.clone()),
    }
}

/// A float that is a whole number exactly representable (|x| < 2^53).
fn whole(f: f64) -> Option<i64> {
    const LIMIT: f64 = 9_007_199_254_740_992.0;
    if f.fract() == 0.0 && f.abs() < LIMIT {
        // Exact: a whole number below 2^53 converts without loss.
        #[allow(clippy::cast_possible_truncation)]
        Some(f as i64)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_bom_and_gb18030() {
        let s = read_csv("\u{FEFF}a,b\n1,\n".as_bytes()).unwrap();
        assert_eq!(
            s.rows[0],
            vec![Cell::Text("a".into()), Cell::Text("b".into())]
        );
        assert_eq!(s.rows[1], vec![Cell::Text("1".into()), Cell::Empty]);
        let (gbk, _, _) = encoding_rs::GB18030.encode("单位名称,所在地\n福州,350102\n");
        let s = read_csv(&gbk).unwrap();
        assert_eq!(s.rows[0][0], Cell::Text("单位名称".into()));
    }

    #[test]
    fn formats() {
        assert_eq!(FileFormat::from_name("A.XLSX"), Some(FileFormat::Xlsx));
        assert_eq!(FileFormat::from_name("a.csv"), Some(FileFormat::Csv));
        assert_eq!(FileFormat::from_name("a.pdf"), None);
    }
}
