//! Spreadsheet cells from CSV or XLSX bytes.
//!
//! Readers take bytes, not paths: the caller reads the file (the CLI) or
//! receives it (a service), so this crate does no I/O. CSV is UTF-8 (a BOM
//! is skipped); a file that is not UTF-8 is decoded as GB 18030, the encoding
//! of a CSV saved by a Chinese-locale spreadsheet. XLSX (and XLSB, XLS) is
//! read with calamine; ODS is refused (docs/DECISIONS.md B13). Each
//! worksheet becomes a [`Sheet`] whose rows keep their spreadsheet row
//! numbers.
//!
//! What a file may make us hold is bounded, whatever it declares: a value
//! beyond column [`MAX_COLUMNS`], a file of more than [`MAX_CELLS`] cells
//! (counting the empty cells a row is padded with) or a workbook unpacking
//! to more than [`MAX_UNPACKED_BYTES`] is `SHEET_TOO_LARGE`.
//! XLSX and XLSB worksheets are read cell by cell and never as calamine's
//! dense range, which a 1.5 KB workbook with a value in `A1` and one in
//! `XFD1048576` would make 17 billion cells (docs/DECISIONS.md B13).

use crate::error::InputError;
use calamine::{Data, DataRef, Reader};
use std::io::Cursor;

/// The rightmost column a value may be in: 1,024 (`AMJ`), far beyond every
/// layout read here.
pub const MAX_COLUMNS: u32 = 1_024;

/// The most cells one file is read into, counting the empty cells before a
/// row's last value: 16,777,216, the grid of a whole XLS sheet (65,536 rows
/// of 256 columns).
pub const MAX_CELLS: usize = 1 << 24;

/// The most a workbook (a zip: XLSX, XLSB) may unpack to: 512 MiB,
/// counted by unpacking it, not by what its directory declares.
pub const MAX_UNPACKED_BYTES: u64 = 512 << 20;

/// Unpacks every part of a zip workbook into nothing, counting, so that a
/// zip bomb is refused before calamine holds what it unpacks to (its shared
/// strings are read whole when the workbook is opened). Bytes that are not
/// a zip are left to calamine.
fn check_unpacked(bytes: &[u8], limit: u64) -> Result<(), InputError> {
    let Ok(mut archive) = zip::ZipArchive::new(Cursor::new(bytes)) else {
        return Ok(());
    };
    // calamine expands an ODS sheet's repeated rows and columns into a
    // dense range while opening it, up to 100 million cells: 960 bytes of
    // ODS, read twice, took 57 s and 18.5 GB at peak. ODS is refused before
    // calamine sees it (the `mimetype` part is how calamine recognises it).
    if let Ok(mut mimetype) = archive.by_name("mimetype") {
        let mut head = [0_u8; 39];
        if std::io::Read::read_exact(&mut mimetype, &mut head).is_ok()
            && head.as_slice() == b"application/vnd.oasis.opendocument.spre"
        {
            return Err(InputError::file(
                "UNSUPPORTED_FORMAT",
                "不读取ODS电子表格:请另存为XLSX(或CSV)后再提交",
                "ODS spreadsheets are not read: save it as XLSX (or CSV) and submit that",
            ));
        }
    }
    let mut left = limit;
    let mut buf = vec![0_u8; 64 << 10];
    for i in 0..archive.len() {
        let Ok(part) = archive.by_index(i) else {
            // An unreadable part is calamine's to report.
            continue;
        };
        let mut part = std::io::Read::take(part, left.saturating_add(1));
        // What was unpacked counts even when the part then fails (a bad
        // checksum at its end): calamine would have read as much.
        let mut copied: u64 = 0;
        while let Ok(n) = std::io::Read::read(&mut part, &mut buf) {
            if n == 0 {
                break;
            }
            copied = copied.saturating_add(u64::try_from(n).unwrap_or(u64::MAX));
        }
        if copied > left {
            return Err(InputError::file(
                "SHEET_TOO_LARGE",
                format!(
                    "电子表格解压后超过{}MiB的上限,未读取;请拆分后再提交",
                    limit >> 20
                ),
                format!(
                    "the workbook unpacks to more than {} MiB and was not read; split it",
                    limit >> 20
                ),
            ));
        }
        left = left.saturating_sub(copied);
    }
    Ok(())
}

/// The name of a 0-based column, as a spreadsheet shows it (`0` → `A`);
/// past Excel's last column (`XFD`), which only a forged file can name,
/// its number.
fn column_name(index: u32) -> String {
    match u16::try_from(index) {
        Ok(col) if index < 16_384 => rust_xlsxwriter::utility::column_number_to_name(col),
        _ => format!("#{}", u64::from(index).saturating_add(1)),
    }
}

fn too_large_cells() -> InputError {
    InputError::file(
        "SHEET_TOO_LARGE",
        format!(
            "文件超过{MAX_CELLS}个单元格的上限(含每行最后一个值之前的空单元格),未读取;请拆分后再提交"
        ),
        format!(
            "the file has more than {MAX_CELLS} cells (counting the empty cells before each row's last value) and was not read; split it"
        ),
    )
}

fn too_far_right(sheet: &str, row: u32, col: u32) -> InputError {
    let cell = format!("{}{}", column_name(col), u64::from(row).saturating_add(1));
    InputError {
        code: "SHEET_TOO_LARGE",
        row: Some(row.saturating_add(1)),
        column: None,
        message_zh: format!(
            "工作表「{sheet}」的单元格{cell}有值,超出了读取的前{MAX_COLUMNS}列(到{}列),未读取",
            column_name(MAX_COLUMNS.saturating_sub(1))
        ),
        message_en: format!(
            "the worksheet `{sheet}` has a value in {cell}, beyond the {MAX_COLUMNS} columns read (to column {}); the file was not read",
            column_name(MAX_COLUMNS.saturating_sub(1))
        ),
    }
}

/// Cells read so far from one file, against [`MAX_CELLS`].
#[derive(Default)]
struct Budget {
    used: usize,
}

impl Budget {
    fn spend(&mut self, cells: usize) -> Result<(), InputError> {
        self.used = self.used.saturating_add(cells);
        if self.used > MAX_CELLS {
            return Err(too_large_cells());
        }
        Ok(())
    }
}

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
    /// Office Open XML workbook (also XLSB and XLS when reading; an `.ods`
    /// name is taken for one, to be refused with a message).
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
    let mut budget = Budget::default();
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
        budget.spend(record.len())?;
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

/// Reads every worksheet of an XLSX (or XLSB, XLS) workbook; ODS is
/// refused.
pub fn read_xlsx(bytes: &[u8]) -> Result<Vec<Sheet>, InputError> {
    read_workbook(bytes, MAX_UNPACKED_BYTES)
}

/// [`read_xlsx`] with a limit on what the workbook unpacks to.
fn read_workbook(bytes: &[u8], unpacked: u64) -> Result<Vec<Sheet>, InputError> {
    check_unpacked(bytes, unpacked)?;
    let workbook = calamine::open_workbook_auto_from_rs(Cursor::new(bytes)).map_err(|e| {
        InputError::file(
            "FILE_UNREADABLE",
            format!("无法读取电子表格:{e}"),
            format!("cannot read the spreadsheet: {e}"),
        )
    })?;
    let mut budget = Budget::default();
    let mut sheets = Vec::new();
    match workbook {
        calamine::Sheets::Xlsx(mut book) => {
            for name in book.sheet_names() {
                let sheet = match book.worksheet_cells_reader(&name) {
                    Ok(mut cells) => read_cells(&name, &mut budget, || {
                        cells.next_cell().map_err(|e| e.to_string())
                    })?,
                    // A chart sheet or the like: no cells (as calamine's range).
                    Err(calamine::XlsxError::NotAWorksheet(_)) => Sheet {
                        name: name.clone(),
                        first_row: 1,
                        rows: Vec::new(),
                    },
                    Err(e) => return Err(unreadable_sheet(&name, &e)),
                };
                sheets.push(sheet);
            }
        }
        calamine::Sheets::Xlsb(mut book) => {
            for name in book.sheet_names() {
                let mut cells = book
                    .worksheet_cells_reader(&name)
                    .map_err(|e| unreadable_sheet(&name, &e))?;
                sheets.push(read_cells(&name, &mut budget, || {
                    cells.next_cell().map_err(|e| e.to_string())
                })?);
            }
        }
        // XLS: its grid (65,536 rows of 256 columns, MAX_CELLS at most) is
        // within MAX_COLUMNS; ODS was refused above.
        mut book => {
            for name in book.sheet_names() {
                let range = book
                    .worksheet_range(&name)
                    .map_err(|e| unreadable_sheet(&name, &e))?;
                let (start_row, start_col) = range.start().unwrap_or((0, 0));
                let pad = usize::try_from(start_col).unwrap_or(0);
                budget.spend(
                    range
                        .height()
                        .saturating_mul(range.width().saturating_add(pad)),
                )?;
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
        }
    }
    Ok(sheets)
}

fn unreadable_sheet(name: &str, e: &dyn std::fmt::Display) -> InputError {
    InputError::file(
        "FILE_UNREADABLE",
        format!("无法读取工作表「{name}」:{e}"),
        format!("cannot read the worksheet `{name}`: {e}"),
    )
}

/// One worksheet read cell by cell from `next` (calamine's cell reader):
/// as calamine's range would give it (rows from the first with a value,
/// every row as wide as the widest, columns from `A`, empty cells
/// skipped), but refused before anything is padded when the values lie
/// beyond [`MAX_COLUMNS`] or would take more than the budget.
fn read_cells<'a, E: std::fmt::Display>(
    name: &str,
    budget: &mut Budget,
    mut next: impl FnMut() -> Result<Option<calamine::Cell<DataRef<'a>>>, E>,
) -> Result<Sheet, InputError> {
    let mut values: Vec<(u32, u32, Cell)> = Vec::new();
    let (mut first, mut last, mut width) = (u32::MAX, 0_u32, 0_u32);
    while let Some(cell) = next().map_err(|e| unreadable_sheet(name, &e))? {
        let (row, col) = cell.get_position();
        let value = cell_of_ref(cell.get_value());
        if value == Cell::Empty {
            continue;
        }
        if col >= MAX_COLUMNS {
            return Err(too_far_right(name, row, col));
        }
        budget.spend(1)?;
        first = first.min(row);
        last = last.max(row);
        width = width.max(col.saturating_add(1));
        values.push((row, col, value));
    }
    if values.is_empty() {
        return Ok(Sheet {
            name: name.to_string(),
            first_row: 1,
            rows: Vec::new(),
        });
    }
    let height = usize::try_from(last.saturating_sub(first))
        .unwrap_or(usize::MAX)
        .saturating_add(1);
    let width = usize::try_from(width).unwrap_or(usize::MAX);
    // The values were counted as they came; the padding is the rest.
    budget.spend(height.saturating_mul(width).saturating_sub(values.len()))?;
    let mut rows = vec![vec![Cell::Empty; width]; height];
    for (row, col, value) in values {
        let r = usize::try_from(row.saturating_sub(first)).unwrap_or(usize::MAX);
        let c = usize::try_from(col).unwrap_or(usize::MAX);
        if let Some(slot) = rows.get_mut(r).and_then(|row| row.get_mut(c)) {
            *slot = value;
        }
    }
    Ok(Sheet {
        name: name.to_string(),
        first_row: first.saturating_add(1),
        rows,
    })
}

fn cell_of_ref(d: &DataRef<'_>) -> Cell {
    match d {
        DataRef::SharedString(s) => Cell::Text((*s).to_string()),
        DataRef::String(s) => Cell::Text(s.clone()),
        DataRef::Int(i) => cell_of(&Data::Int(*i)),
        DataRef::Float(f) => cell_of(&Data::Float(*f)),
        DataRef::Bool(b) => Cell::Bool(*b),
        DataRef::DateTime(dt) => cell_of(&Data::DateTime(*dt)),
        DataRef::DateTimeIso(s) | DataRef::DurationIso(s) => Cell::Text(s.clone()),
        DataRef::Empty | DataRef::Error(_) => Cell::Empty,
    }
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

    /// A sheet's name and its cells: (row, column, text or number).
    type SheetCells<'a> = (&'a str, &'a [(u32, u16, &'a str)]);

    fn workbook(sheets: &[SheetCells<'_>]) -> Vec<u8> {
        let mut book = rust_xlsxwriter::Workbook::new();
        for (name, cells) in sheets {
            let sheet = book.add_worksheet();
            sheet.set_name(*name).unwrap();
            for (row, col, text) in *cells {
                match text.parse::<f64>() {
                    Ok(n) => sheet.write_number(*row, *col, n).unwrap(),
                    Err(_) => sheet.write_string(*row, *col, *text).unwrap(),
                };
            }
        }
        book.save_to_buffer().unwrap()
    }

    /// What calamine's dense range gives (the reading before B13).
    fn as_range(bytes: &[u8]) -> Vec<Sheet> {
        let mut book = calamine::open_workbook_auto_from_rs(Cursor::new(bytes)).unwrap();
        book.sheet_names()
            .into_iter()
            .map(|name| {
                let range = book.worksheet_range(&name).unwrap();
                let (start_row, start_col) = range.start().unwrap_or((0, 0));
                let pad = usize::try_from(start_col).unwrap();
                Sheet {
                    name,
                    first_row: start_row.saturating_add(1),
                    rows: range
                        .rows()
                        .map(|r| {
                            let mut row = vec![Cell::Empty; pad];
                            row.extend(r.iter().map(cell_of));
                            row
                        })
                        .collect(),
                }
            })
            .collect()
    }

    #[test]
    fn cells_read_one_by_one_as_the_dense_range_had_them() {
        let bytes = workbook(&[
            (
                "名录",
                &[(2, 1, "单位"), (4, 3, "7"), (4, 0, "2.5"), (9, 2, "末行")],
            ),
            ("empty", &[]),
            ("one", &[(0, 0, "A1")]),
        ]);
        let sheets = read_xlsx(&bytes).unwrap();
        assert_eq!(sheets, as_range(&bytes));
        assert_eq!(sheets[0].first_row, 3);
        assert_eq!(sheets[0].rows.len(), 8);
        assert_eq!(sheets[0].rows[2][3], Cell::Int(7));
        assert_eq!(sheets[1].rows, Vec::<Vec<Cell>>::new());
    }

    #[test]
    fn a_value_far_right_is_refused_before_anything_is_padded() {
        // 1.5 KB that calamine's range would make 17 billion cells.
        let bytes = workbook(&[("s", &[(0, 0, "x"), (1_048_575, 16_383, "y")])]);
        let e = read_xlsx(&bytes).unwrap_err();
        assert_eq!(e.code, "SHEET_TOO_LARGE");
        assert!(e.message_en.contains("XFD1048576"), "{}", e.message_en);
        assert_eq!(e.row, Some(1_048_576));
        // The last column read is still read.
        let bytes = workbook(&[("s", &[(0, 0, "x"), (1, 1_023, "y")])]);
        assert_eq!(
            read_xlsx(&bytes).unwrap()[0].rows[1][1_023],
            Cell::Text("y".into())
        );
        assert_eq!(column_name(1_023), "AMJ");
        assert_eq!(column_name(0), "A");
        assert_eq!(column_name(26), "AA");
    }

    #[test]
    fn a_tall_sparse_sheet_over_the_cell_budget_is_refused() {
        // 1,048,576 rows of 1,024 columns once padded.
        let bytes = workbook(&[("s", &[(0, 0, "x"), (1_048_575, 1_023, "y")])]);
        assert_eq!(read_xlsx(&bytes).unwrap_err().code, "SHEET_TOO_LARGE");
        // The budget is the file's, not each sheet's.
        let half: &[(u32, u16, &str)] = &[(0, 0, "x"), (9_000, 999, "y")];
        let bytes = workbook(&[("a", half), ("b", half)]);
        assert_eq!(read_xlsx(&bytes).unwrap_err().code, "SHEET_TOO_LARGE");
        assert_eq!(
            read_xlsx(&workbook(&[("a", half)])).unwrap()[0].rows.len(),
            9_001
        );
    }

    #[test]
    fn a_zip_bomb_is_refused_before_calamine_opens_it() {
        use std::io::Write;
        // Shared strings of 3 MiB of one letter, 3 KB packed, against a
        // limit of 2 MiB (the real one, 512 MiB, is the same code).
        let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
        let options = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated);
        zip.start_file("xl/sharedStrings.xml", options).unwrap();
        zip.write_all(&vec![b'a'; 3 << 20]).unwrap();
        let bytes = zip.finish().unwrap().into_inner();
        assert!(bytes.len() < 64 << 10, "{}", bytes.len());
        let e = read_workbook(&bytes, 2 << 20).unwrap_err();
        assert_eq!(e.code, "SHEET_TOO_LARGE", "{}", e.message_en);
        assert!(e.message_en.contains("2 MiB"), "{}", e.message_en);
        // Under the limit it is calamine's to read (and refuse: no workbook).
        let e = read_workbook(&bytes, 4 << 20).unwrap_err();
        assert_eq!(e.code, "FILE_UNREADABLE", "{}", e.message_en);
        // An ordinary workbook passes the count of the real limit.
        assert!(check_unpacked(&workbook(&[("s", &[(0, 0, "x")])]), MAX_UNPACKED_BYTES).is_ok());
    }

    #[test]
    fn ods_is_refused_before_calamine_expands_it() {
        use std::io::Write;
        // 1,000,000 rows of 1,000 repeated cells in under a kilobyte.
        let content = r#"<?xml version="1.0" encoding="UTF-8"?><office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2"><office:body><office:spreadsheet><table:table table:name="S"><table:table-row table:number-rows-repeated="99000"><table:table-cell table:number-columns-repeated="1000" office:value-type="string"><text:p>x</text:p></table:table-cell></table:table-row></table:table></office:spreadsheet></office:body></office:document-content>"#;
        let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
        let stored = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Stored);
        zip.start_file("mimetype", stored).unwrap();
        zip.write_all(b"application/vnd.oasis.opendocument.spreadsheet")
            .unwrap();
        zip.start_file("content.xml", stored).unwrap();
        zip.write_all(content.as_bytes()).unwrap();
        let bytes = zip.finish().unwrap().into_inner();
        let e = read_xlsx(&bytes).unwrap_err();
        assert_eq!(e.code, "UNSUPPORTED_FORMAT", "{}", e.message_en);
        assert!(e.message_zh.contains("XLSX"), "{}", e.message_zh);
    }

    #[test]
    fn a_csv_of_more_cells_than_the_budget_is_refused() {
        let mut csv = ",".repeat(MAX_CELLS);
        csv.push('\n');
        assert_eq!(
            read_csv(csv.as_bytes()).unwrap_err().code,
            "SHEET_TOO_LARGE"
        );
    }

    #[test]
    fn formats() {
        assert_eq!(FileFormat::from_name("A.XLSX"), Some(FileFormat::Xlsx));
        assert_eq!(FileFormat::from_name("a.csv"), Some(FileFormat::Csv));
        assert_eq!(FileFormat::from_name("a.pdf"), None);
    }
}
