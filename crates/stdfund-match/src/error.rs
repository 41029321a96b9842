//! Input errors: a feed or register that cannot be read, with the row and
//! column named, a stable code, and messages in Chinese and English.

use std::fmt;

/// An input that cannot be read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InputError {
    /// Stable code: `FILE_UNREADABLE`, `UNSUPPORTED_FORMAT`,
    /// `HEADER_NOT_FOUND`, `DUPLICATE_COLUMN`, `MISSING_VALUE`,
    /// `INVALID_DATE`, `INVALID_YEAR`, `INVALID_VALUE`, `CODE_AS_NUMBER`,
    /// `CODES_UNITS_MISMATCH`, `TOO_MANY_ROWS`, `SHEET_TOO_LARGE`.
    pub code: &'static str,
    /// The spreadsheet row (1-based, as a spreadsheet shows it), when one.
    pub row: Option<u32>,
    /// The column's header, when one.
    pub column: Option<String>,
    /// Message, Chinese.
    pub message_zh: String,
    /// Message, English.
    pub message_en: String,
}

impl InputError {
    /// An error not tied to a row.
    pub fn file(
        code: &'static str,
        message_zh: impl Into<String>,
        message_en: impl Into<String>,
    ) -> InputError {
        InputError {
            code,
            row: None,
            column: None,
            message_zh: message_zh.into(),
            message_en: message_en.into(),
        }
    }

    /// An error in one cell.
    pub fn cell(
        code: &'static str,
        row: u32,
        column: &str,
        message_zh: impl Into<String>,
        message_en: impl Into<String>,
    ) -> InputError {
        InputError {
            code,
            row: Some(row),
            column: Some(column.to_string()),
            message_zh: message_zh.into(),
            message_en: message_en.into(),
        }
    }

    /// The error located in a named file, for a person.
    pub fn display_in(&self, file: &str) -> String {
        format!(
            "{}: {} — {} [{}]",
            self.place(file, " 第{row}行 row {row}"),
            self.message_zh,
            self.message_en,
            self.code
        )
    }

    /// The message in Chinese only, with its place (`清单.csv 第3行 「单位名称」: …`).
    pub fn zh_in(&self, file: &str) -> String {
        format!("{}: {}", self.place(file, " 第{row}行"), self.message_zh)
    }

    /// The message in English only, with its place (`list.csv row 3 「Name」: …`).
    pub fn en_in(&self, file: &str) -> String {
        format!("{}: {}", self.place(file, " row {row}"), self.message_en)
    }

    fn place(&self, file: &str, row_pattern: &str) -> String {
        let mut place = file.to_string();
        if let Some(row) = self.row {
            place.push_str(&row_pattern.replace("{row}", &row.to_string()));
        }
        if let Some(column) = &self.column {
            place.push_str(&format!(" 「{column}」"));
        }
        place
    }
}

impl fmt::Display for InputError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.display_in("input"))
    }
}

impl std::error::Error for InputError {}

/// An output that cannot be written (a spreadsheet library error).
#[derive(Debug, thiserror::Error)]
pub enum OutputError {
    /// The XLSX writer failed.
    #[error("cannot write the XLSX file `{file}`: {message}")]
    Xlsx {
        /// The file being written.
        file: String,
        /// The writer's message.
        message: String,
    },
    /// The CSV writer failed.
    #[error("cannot write the CSV file `{file}`: {message}")]
    Csv {
        /// The file being written.
        file: String,
        /// The writer's message.
        message: String,
    },
}

impl OutputError {
    /// The stable code: `XLSX_WRITE_FAILED` or `CSV_WRITE_FAILED`.
    pub fn code(&self) -> &'static str {
        match self {
            OutputError::Xlsx { .. } => "XLSX_WRITE_FAILED",
            OutputError::Csv { .. } => "CSV_WRITE_FAILED",
        }
    }
}
