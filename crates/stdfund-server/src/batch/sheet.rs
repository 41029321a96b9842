//! Reading a batch spreadsheet (CSV or XLSX cells, read by
//! `stdfund_match::table`) into applications: one row per achievement,
//! rows grouped by credit code in the order the codes first appear.
//!
//! A row that cannot be read (a required cell blank, an identifier stored as
//! a number, a yes/no cell that says neither, funding columns that do not
//! pair up, a unit's seat or name that contradicts its first row) becomes a
//! [`RowError`] with its spreadsheet row number, in place; the batch goes on.
//! Only a file without the layout's header is unreadable as a whole.

use super::layout::{
    COLUMNS, Col, HEADER_SEARCH_ROWS, LIST_SEPARATORS, funding_level_name, item_id, role_name,
    variant_id, yes_no,
};
use super::{Echo, Loc, RowError};
use std::collections::HashMap;
use stdfund_match::feed::{Header, locate_header};
use stdfund_match::normalize::clean;
use stdfund_match::table::{Cell, Sheet};
use stdfund_rules::ErrorReport;

/// One funding entry of a row, as typed (the amount already normalised to
/// plain yuan when it could be).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FundingIn {
    /// `FUNDING_LEVEL_…`, or the text as typed.
    pub level: String,
    /// Plain yuan, or the text as typed.
    pub amount: String,
    /// Who paid.
    pub source: String,
}

/// One achievement row.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RowIn {
    /// The spreadsheet row number.
    pub row: u32,
    /// The achievement id (the row number `r12` when blank).
    pub id: String,
    /// Item id (or the text as typed).
    pub item: String,
    /// Variant id (or the text as typed).
    pub variant: String,
    /// The subject as typed.
    pub subject: String,
    /// `YYYY-MM-DD`, or the text as typed.
    pub date: String,
    /// `ROLE_…`, empty, or the text as typed.
    pub role: String,
    /// Acceptance passed.
    pub accepted: bool,
    /// Approval granted.
    pub approved: bool,
    /// Funding already received.
    pub funding: Vec<FundingIn>,
}

impl RowIn {
    /// What the error table shows of this row.
    pub fn echo(&self, app: &AppIn) -> Echo {
        Echo {
            name: app.name.clone(),
            credit_code: app.credit_code.clone(),
            achievement_id: self.id.clone(),
            item: self.item.clone(),
            variant: self.variant.clone(),
            subject: self.subject.clone(),
            date: self.date.clone(),
            meant: None,
        }
    }
}

/// One application: the rows of one credit code.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AppIn {
    /// The credit code as first typed.
    pub credit_code: String,
    /// The first non-blank name.
    pub name: String,
    /// The seat of the first row.
    pub seat: String,
    /// The first row of the unit.
    pub first_row: u32,
    /// Its achievement rows, in row order.
    pub rows: Vec<RowIn>,
    /// Its rows that contradict the first (seat, name), in row order.
    pub errors: Vec<RowError>,
}

/// One item of the batch, in input order.
#[derive(Clone, Debug)]
pub enum Entry {
    /// An application.
    App(AppIn),
    /// A row that belongs to no application (its credit code is missing or
    /// unreadable).
    Error(RowError),
}

/// Why the file as a whole cannot be read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Unreadable(pub ErrorReport);

/// The header row of the batch layout in `sheet`.
fn find_header(sheet: &Sheet) -> Option<Result<Header, Unreadable>> {
    locate_header(&COLUMNS, sheet).map(|r| {
        r.map_err(|d| {
            let row = d.row;
            Unreadable(ErrorReport {
                code: "DUPLICATE_COLUMN".into(),
                field: d.column.header(),
                message_zh: format!("第{row}行:「{}」列出现了{}次", d.column.zh, d.times),
                message_en: format!(
                    "row {row}: the column `{}` appears {} times",
                    d.column.en, d.times
                ),
            })
        })
    })
}

/// One data row being read.
struct Reader<'a> {
    positions: &'a [Option<usize>],
    cells: &'a [Cell],
    row: u32,
}

impl Reader<'_> {
    fn cell(&self, c: Col) -> &Cell {
        self.positions
            .get(c as usize)
            .copied()
            .flatten()
            .and_then(|p| self.cells.get(p))
            .unwrap_or(&Cell::Empty)
    }

    fn error(&self, c: Col, code: &str, zh: String, en: String) -> RowError {
        RowError {
            loc: Loc::Row(self.row),
            report: ErrorReport {
                code: code.into(),
                field: c.column().header(),
                message_zh: format!("第{}行「{}」:{zh}", self.row, c.column().zh),
                message_en: format!("row {}, `{}`: {en}", self.row, c.column().en),
            },
            echo: Box::default(),
        }
    }

    /// The cell as trimmed text (empty when blank).
    fn text(&self, c: Col) -> Result<String, RowError> {
        Ok(match self.cell(c) {
            Cell::Empty => String::new(),
            Cell::Text(t) => t.trim().to_string(),
            Cell::Int(i) => i.to_string(),
            Cell::Float(f) => {
                if c.column().text {
                    return Err(self.error(
                        c,
                        "CODE_AS_NUMBER",
                        "该列是编号,不能以数字保存(数字会丢失位数),请将列设为文本格式".into(),
                        "this column holds identifiers and cannot be stored as a number (digits are lost); format the column as text".into(),
                    ));
                }
                f.to_string()
            }
            Cell::Date(y, m, d) => format!("{y:04}-{m:02}-{d:02}"),
            Cell::Bool(b) => if *b { "TRUE" } else { "FALSE" }.to_string(),
        })
    }

    fn required(&self, c: Col) -> Result<String, RowError> {
        let t = self.text(c)?;
        if t.is_empty() {
            return Err(self.error(
                c,
                "MISSING_VALUE",
                "必填,不能为空".into(),
                "required, but blank".into(),
            ));
        }
        Ok(t)
    }

    fn flag(&self, c: Col) -> Result<bool, RowError> {
        if let Cell::Bool(b) = self.cell(c) {
            return Ok(*b);
        }
        let t = self.text(c)?;
        yes_no(&t).ok_or_else(|| {
            self.error(
                c,
                "INVALID_VALUE",
                format!("「{t}」不是是/否"),
                format!("`{t}` is neither yes nor no"),
            )
        })
    }

    fn date(&self, c: Col) -> Result<String, RowError> {
        let t = self.required(c)?;
        // A date the engine would refuse goes to it as typed: it names the
        // field and the value.
        Ok(stdfund_match::feed::parse_date(&t).unwrap_or(t))
    }

    fn funding(&self) -> Result<Vec<FundingIn>, RowError> {
        let split = |t: &str| -> Vec<String> {
            let mut parts: Vec<String> = t
                .split(LIST_SEPARATORS)
                .map(|s| s.trim().to_string())
                .collect();
            while parts.last().is_some_and(String::is_empty) {
                parts.pop();
            }
            parts
        };
        let levels = split(&self.text(Col::FundingLevel)?);
        let amounts = split(&self.text(Col::FundingAmount)?);
        let sources = split(&self.text(Col::FundingSource)?);
        if levels.len() != amounts.len() || sources.len() > levels.len() {
            return Err(self.error(
                Col::FundingAmount,
                "FUNDING_MISMATCH",
                format!(
                    "上级资助有{}个级别、{}个金额、{}个来源,级别与金额须一一对应",
                    levels.len(),
                    amounts.len(),
                    sources.len()
                ),
                format!(
                    "{} funding levels, {} amounts and {} sources: each level needs one amount",
                    levels.len(),
                    amounts.len(),
                    sources.len()
                ),
            ));
        }
        let mut out = Vec::with_capacity(levels.len());
        for (i, (level, amount)) in levels.iter().zip(&amounts).enumerate() {
            // A plain decimal goes as typed (as JSON would carry it); `10万`,
            // `100,000` and other forms a clerk types become plain yuan.
            let amount = match stdfund_rules::amount_input::parse_amount_input(amount) {
                Ok(_) if stdfund_rules::money::Money::parse_yuan(amount).is_ok() => amount.clone(),
                Ok(m) => m.to_canonical(),
                Err(e) => {
                    return Err(self.error(
                        Col::FundingAmount,
                        e.code(),
                        format!("第{}笔「{amount}」:{}", i.saturating_add(1), e.message_zh()),
                        format!(
                            "entry {} `{amount}`: {}",
                            i.saturating_add(1),
                            e.message_en()
                        ),
                    ));
                }
            };
            out.push(FundingIn {
                level: funding_level_name(level).map_or_else(|| level.clone(), String::from),
                amount,
                source: sources.get(i).cloned().unwrap_or_default(),
            });
        }
        Ok(out)
    }

    fn achievement(&self) -> Result<RowIn, RowError> {
        let item_text = self.required(Col::Item)?;
        let item = item_id(&item_text).unwrap_or(item_text);
        let variant_text = self.required(Col::Variant)?;
        let variant = variant_id(&item, &variant_text).unwrap_or(variant_text);
        let id = self.text(Col::Id)?;
        let role = self.text(Col::Role)?;
        Ok(RowIn {
            row: self.row,
            id: if id.is_empty() {
                format!("r{}", self.row)
            } else {
                id
            },
            subject: self.required(Col::Subject)?,
            date: self.date(Col::Date)?,
            role: role_name(&role).map_or(role, String::from),
            accepted: self.flag(Col::Accepted)?,
            approved: self.flag(Col::Approved)?,
            funding: self.funding()?,
            item,
            variant,
        })
    }
}

/// Reads the batch layout from a workbook's sheets (the first sheet with the
/// layout's header row). `rows` counts the non-blank data rows.
pub fn read(sheets: &[Sheet]) -> Result<(Vec<Entry>, usize), Unreadable> {
    let mut located = None;
    for sheet in sheets {
        match find_header(sheet) {
            Some(Ok(h)) => {
                located = Some((sheet, h));
                break;
            }
            Some(Err(e)) => return Err(e),
            None => {}
        }
    }
    let Some((sheet, header)) = located else {
        let required: Vec<String> = COLUMNS
            .iter()
            .filter(|c| c.required)
            .map(|c| c.header())
            .collect();
        return Err(Unreadable(ErrorReport {
            code: "HEADER_NOT_FOUND".into(),
            field: String::new(),
            message_zh: format!(
                "在前{HEADER_SEARCH_ROWS}行中找不到批量测算表的表头,必需列:{}",
                required.join("、")
            ),
            message_en: format!(
                "no header row of the batch layout in the first {HEADER_SEARCH_ROWS} rows; required columns: {}",
                required.join(", ")
            ),
        }));
    };
    let mut entries: Vec<Entry> = Vec::new();
    let mut by_code: HashMap<String, usize> = HashMap::new();
    let mut count = 0usize;
    for (i, cells) in sheet
        .rows
        .iter()
        .enumerate()
        .skip(header.at.saturating_add(1))
    {
        if cells.iter().all(Cell::is_blank) {
            continue;
        }
        count = count.saturating_add(1);
        let r = Reader {
            positions: &header.positions,
            cells,
            row: sheet.row_number(i),
        };
        let applicant = r
            .required(Col::CreditCode)
            .and_then(|code| Ok((code, r.text(Col::Name)?, r.text(Col::Seat)?)));
        let (code, name, seat) = match applicant {
            Ok(a) => a,
            Err(e) => {
                entries.push(Entry::Error(e));
                continue;
            }
        };
        let key = clean(&code);
        let at = *by_code.entry(key).or_insert_with(|| {
            entries.push(Entry::App(AppIn {
                credit_code: code.clone(),
                name: String::new(),
                seat: String::new(),
                first_row: r.row,
                rows: Vec::new(),
                errors: Vec::new(),
            }));
            entries.len().saturating_sub(1)
        });
        let Some(Entry::App(app)) = entries.get_mut(at) else {
            continue;
        };
        let outcome = consistent(&r, app, &name, &seat).and_then(|()| r.achievement());
        match outcome {
            Ok(row) => app.rows.push(row),
            Err(mut e) => {
                e.echo.credit_code = app.credit_code.clone();
                e.echo.name = if name.is_empty() {
                    app.name.clone()
                } else {
                    name
                };
                app.errors.push(e);
            }
        }
    }
    Ok((entries, count))
}

/// A later row of a unit must not contradict the earlier ones: the seat and
/// the name (ignoring width, spaces and brackets) are the first given; a row
/// that leaves them blank takes them.
fn consistent(r: &Reader<'_>, app: &mut AppIn, name: &str, seat: &str) -> Result<(), RowError> {
    if app.seat.is_empty() {
        app.seat = seat.to_string();
    } else if !seat.is_empty() && clean(seat) != clean(&app.seat) {
        return Err(r.error(
            Col::Seat,
            "INCONSISTENT_APPLICANT",
            format!(
                "所在地「{seat}」与该单位第{}行的「{}」不同",
                app.first_row, app.seat
            ),
            format!(
                "the seat `{seat}` differs from `{}` on the unit's row {}",
                app.seat, app.first_row
            ),
        ));
    }
    if app.name.is_empty() {
        app.name = name.to_string();
    } else if !name.is_empty() && clean(name) != clean(&app.name) {
        return Err(r.error(
            Col::Name,
            "INCONSISTENT_APPLICANT",
            format!("单位名称「{name}」与同一信用代码的「{}」不同", app.name),
            format!(
                "the name `{name}` differs from `{}` under the same credit code",
                app.name
            ),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;

    fn text(rows: &[&[&str]]) -> Sheet {
        Sheet {
            name: String::new(),
            first_row: 1,
            rows: rows
                .iter()
                .map(|r| {
                    r.iter()
                        .map(|c| {
                            if c.is_empty() {
                                Cell::Empty
                            } else {
                                Cell::Text((*c).to_string())
                            }
                        })
                        .collect()
                })
                .collect(),
        }
    }

    #[test]
    fn groups_by_code_in_first_appearance_order_and_keeps_row_numbers() {
        let sheet = text(&[
            &["2021年批量测算"],
            &[
                "信用代码",
                "Seat",
                "Item",
                "类别",
                "成果",
                "Date",
                "单位名称",
            ],
            &[
                "91350100M000100Y43",
                "350102",
                "STANDARD_LEAD",
                "国家标准",
                "GB/T 1-2020",
                "2020/5/1",
                "甲公司",
            ],
            &[
                "",
                "350102",
                "STANDARD_LEAD",
                "NATIONAL",
                "GB/T 2-2020",
                "2020-05-01",
                "",
            ],
            &[
                "91350104MA2F9E2G08",
                "350104",
                "主导制定",
                "NATIONAL",
                "GB/T 3-2020",
                "2020-05-01",
                "乙公司",
            ],
            &[],
            &[
                "91350100M000100Y43",
                "350103",
                "STANDARD_LEAD",
                "NATIONAL",
                "GB/T 4-2020",
                "2020-05-01",
                "",
            ],
            &[
                "91350100m000100y43",
                "",
                "STANDARD_LEAD",
                "NATIONAL",
                "GB/T 5-2020",
                "2020-05-01",
                "甲 公司",
            ],
        ]);
        let (entries, count) = read(&[sheet]).unwrap();
        assert_eq!(count, 5);
        assert!(
            matches!(&entries[1], Entry::Error(e) if e.loc == Loc::Row(4) && e.report.code == "MISSING_VALUE")
        );
        let Entry::App(a) = &entries[0] else { panic!() };
        assert_eq!(a.name, "甲公司");
        assert_eq!(a.rows.iter().map(|r| r.row).collect::<Vec<_>>(), [3, 8]);
        assert_eq!(a.rows[0].variant, "NATIONAL");
        assert_eq!(a.rows[0].date, "2020-05-01");
        assert_eq!(a.rows[0].id, "r3");
        assert_eq!(a.errors.len(), 1);
        assert_eq!(a.errors[0].report.code, "INCONSISTENT_APPLICANT");
        assert_eq!(a.errors[0].loc, Loc::Row(7));
        let Entry::App(b) = &entries[2] else { panic!() };
        // An item the layout does not know goes to the engine as typed.
        assert_eq!(b.rows[0].item, "主导制定");
    }

    #[test]
    fn numbers_in_identifier_columns_and_bad_flags_fail_the_row() {
        let mut sheet = text(&[
            &[
                "统一社会信用代码 Credit code",
                "所在地 Seat",
                "资助项目 Item",
                "类别 Variant",
                "成果 Subject",
                "成果日期 Date",
                "已验收 Accepted",
                "上级资助级别 Funding level",
                "上级资助金额 Funding amount",
            ],
            &[
                "91350100M000100Y43",
                "350102",
                "DEMONSTRATION_PILOT",
                "省级",
                "闽标试〔2019〕12号",
                "2021-06-30",
                "也许",
                "",
                "",
            ],
            &[
                "91350100M000100Y43",
                "350102",
                "STANDARD_LEAD",
                "NATIONAL",
                "GB/T 1-2020",
                "2020-05-01",
                "",
                "省级;国家级",
                "10万",
            ],
            &[
                "91350100M000100Y43",
                "350102",
                "STANDARD_LEAD",
                "NATIONAL",
                "GB/T 1-2020",
                "2020-05-01",
                "",
                "省级",
                "10万",
            ],
            &["x", "350102", "STANDARD_LEAD", "NATIONAL", "", "2020-05-01"],
        ]);
        sheet.rows.push(vec![
            Cell::Float(9.13501e17),
            Cell::Int(350102),
            Cell::Text("STANDARD_LEAD".into()),
            Cell::Text("NATIONAL".into()),
            Cell::Text("GB/T 1-2020".into()),
            Cell::Date(2020, 5, 1),
        ]);
        let (entries, _) = read(&[sheet]).unwrap();
        let Entry::App(a) = &entries[0] else { panic!() };
        let codes: Vec<(&str, Loc)> = a
            .errors
            .iter()
            .map(|e| (e.report.code.as_str(), e.loc))
            .collect();
        assert_eq!(
            codes,
            [
                ("INVALID_VALUE", Loc::Row(2)),
                ("FUNDING_MISMATCH", Loc::Row(3))
            ]
        );
        assert_eq!(a.rows[0].funding[0].amount, "100000.00");
        assert_eq!(a.rows[0].funding[0].level, "FUNDING_LEVEL_PROVINCIAL");
        let Entry::App(x) = &entries[1] else { panic!() };
        assert_eq!(x.errors[0].report.code, "MISSING_VALUE");
        assert!(
            x.errors[0].report.message_en.contains("row 5"),
            "{:?}",
            x.errors[0]
        );
        assert!(
            matches!(&entries[2], Entry::Error(e) if e.report.code == "CODE_AS_NUMBER" && e.loc == Loc::Row(6))
        );
    }

    #[test]
    fn without_the_header_the_file_is_unreadable() {
        let e = read(&[text(&[&["a", "b"], &["1", "2"]])]).unwrap_err();
        assert_eq!(e.0.code, "HEADER_NOT_FOUND");
        let e = read(&[text(&[&[
            "信用代码",
            "Credit code",
            "Seat",
            "Item",
            "Variant",
            "Subject",
            "Date",
        ]])])
        .unwrap_err();
        assert_eq!(e.0.code, "DUPLICATE_COLUMN");
    }
}
