//! The public notice (公示名单) as files: CSV and XLSX.
//!
//! * CSV: UTF-8 with a byte-order mark (so that Excel reads the Chinese
//!   correctly), CRLF line ends, RFC 4180 quoting, one header row in Chinese.
//!   A text cell that begins with `=`, `+`, `-`, `@`, a tab or a carriage
//!   return gets a leading `'` so that a spreadsheet never runs an applicant's
//!   unit name as a formula (CSV injection).
//! * XLSX: a minimal Office Open XML workbook written here (six parts in a
//!   ZIP archive, deflated, with a fixed timestamp so the same rows give the
//!   same bytes): one sheet, the header row in bold and frozen, text as
//!   inline strings (never formulas), claim numbers and amounts as numbers,
//!   amounts formatted `#,##0.00`.

use std::io::{Cursor, Write};
use stdfund_proto::pb::PublicNoticeEntry;
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, ZipWriter};

/// The header row.
pub const HEADERS: [&str; 9] = [
    "序号",
    "申报编号",
    "单位名称",
    "统一社会信用代码",
    "所在地",
    "资助项目",
    "条款",
    "标的",
    "资助金额(元)",
];

/// The CSV media type.
pub const CSV_CONTENT_TYPE: &str = "text/csv; charset=utf-8";
/// The XLSX media type.
pub const XLSX_CONTENT_TYPE: &str =
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// The sheet's name.
pub const SHEET_NAME: &str = "公示名单";

enum Cell<'a> {
    Text(&'a str),
    Int(i64),
    /// A decimal string such as `300000.00`.
    Amount(&'a str),
}

fn cells(e: &PublicNoticeEntry) -> [Cell<'_>; 9] {
    [
        Cell::Int(i64::from(e.row)),
        Cell::Int(e.claim_id),
        Cell::Text(&e.unit_name),
        Cell::Text(&e.credit_code),
        Cell::Text(&e.fiscal_unit_name_zh),
        Cell::Text(&e.item_name_zh),
        Cell::Text(&e.clause),
        Cell::Text(&e.subject),
        Cell::Amount(&e.amount),
    ]
}

fn csv_field(out: &mut String, value: &str) {
    let guarded = matches!(
        value.chars().next(),
        Some('=' | '+' | '-' | '@' | '\t' | '\r')
    );
    let needs_quotes = guarded || value.contains([',', '"', '\n', '\r']) || value.starts_with(' ');
    if needs_quotes {
        out.push('"');
        if guarded {
            out.push('\'');
        }
        for c in value.chars() {
            if c == '"' {
                out.push('"');
            }
            out.push(c);
        }
        out.push('"');
    } else {
        out.push_str(value);
    }
}

/// The notice as CSV bytes.
pub fn csv(entries: &[PublicNoticeEntry]) -> Vec<u8> {
    let mut out = String::from("\u{feff}");
    for (i, h) in HEADERS.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        csv_field(&mut out, h);
    }
    out.push_str("\r\n");
    for e in entries {
        for (i, c) in cells(e).iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            match c {
                Cell::Text(t) => csv_field(&mut out, t),
                Cell::Int(n) => out.push_str(&n.to_string()),
                Cell::Amount(a) => csv_field(&mut out, a),
            }
        }
        out.push_str("\r\n");
    }
    out.into_bytes()
}

/// Escapes text for XML 1.0, dropping the control characters it cannot
/// carry.
fn xml_text(out: &mut String, s: &str) {
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if u32::from(c) < 0x20 || c == '\u{fffe}' || c == '\u{ffff}' => {}
            c => out.push(c),
        }
    }
}

/// `A`…`Z` for the nine columns.
fn column(i: usize) -> char {
    let i = u8::try_from(i % 26).unwrap_or(0);
    char::from(b'A'.saturating_add(i))
}

/// Whether an amount string is a plain decimal number (what the registry
/// writes); anything else is written as text rather than as a broken number.
fn is_plain_decimal(s: &str) -> bool {
    let (int, frac) = s.split_once('.').unwrap_or((s, ""));
    !int.is_empty()
        && int.bytes().all(|b| b.is_ascii_digit())
        && frac.bytes().all(|b| b.is_ascii_digit())
}

const STYLE_HEADER: u8 = 1;
const STYLE_AMOUNT: u8 = 2;

fn sheet_xml(entries: &[PublicNoticeEntry]) -> String {
    let mut x = String::with_capacity(512usize.saturating_add(entries.len().saturating_mul(600)));
    x.push_str(
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n\
         <worksheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\">\
         <sheetViews><sheetView workbookViewId=\"0\">\
         <pane ySplit=\"1\" topLeftCell=\"A2\" activePane=\"bottomLeft\" state=\"frozen\"/>\
         </sheetView></sheetViews>\
         <cols><col min=\"1\" max=\"2\" width=\"10\" customWidth=\"1\"/>\
         <col min=\"3\" max=\"3\" width=\"36\" customWidth=\"1\"/>\
         <col min=\"4\" max=\"4\" width=\"22\" customWidth=\"1\"/>\
         <col min=\"5\" max=\"5\" width=\"14\" customWidth=\"1\"/>\
         <col min=\"6\" max=\"6\" width=\"30\" customWidth=\"1\"/>\
         <col min=\"7\" max=\"7\" width=\"10\" customWidth=\"1\"/>\
         <col min=\"8\" max=\"8\" width=\"24\" customWidth=\"1\"/>\
         <col min=\"9\" max=\"9\" width=\"16\" customWidth=\"1\"/></cols>\
         <sheetData>",
    );
    x.push_str("<row r=\"1\">");
    for (i, h) in HEADERS.iter().enumerate() {
        x.push_str(&format!(
            "<c r=\"{}1\" s=\"{STYLE_HEADER}\" t=\"inlineStr\"><is><t>",
            column(i)
        ));
        xml_text(&mut x, h);
        x.push_str("</t></is></c>");
    }
    x.push_str("</row>");
    for (n, e) in entries.iter().enumerate() {
        let r = n.saturating_add(2);
        x.push_str(&format!("<row r=\"{r}\">"));
        for (i, c) in cells(e).iter().enumerate() {
            let at = format!("{}{r}", column(i));
            match c {
                Cell::Int(v) => x.push_str(&format!("<c r=\"{at}\"><v>{v}</v></c>")),
                Cell::Amount(a) if is_plain_decimal(a) => x.push_str(&format!(
                    "<c r=\"{at}\" s=\"{STYLE_AMOUNT}\"><v>{a}</v></c>"
                )),
                Cell::Amount(t) | Cell::Text(t) => {
                    x.push_str(&format!(
                        "<c r=\"{at}\" t=\"inlineStr\"><is><t xml:space=\"preserve\">"
                    ));
                    xml_text(&mut x, t);
                    x.push_str("</t></is></c>");
                }
            }
        }
        x.push_str("</row>");
    }
    x.push_str("</sheetData></worksheet>");
    x
}

const CONTENT_TYPES: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n\
<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\">\
<Default Extension=\"rels\" ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/>\
<Default Extension=\"xml\" ContentType=\"application/xml\"/>\
<Override PartName=\"/xl/workbook.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml\"/>\
<Override PartName=\"/xl/worksheets/sheet1.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml\"/>\
<Override PartName=\"/xl/styles.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml\"/>\
</Types>";

const ROOT_RELS: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n\
<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">\
<Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument\" Target=\"xl/workbook.xml\"/>\
</Relationships>";

const WORKBOOK_RELS: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n\
<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">\
<Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet\" Target=\"worksheets/sheet1.xml\"/>\
<Relationship Id=\"rId2\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles\" Target=\"styles.xml\"/>\
</Relationships>";

const STYLES: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n\
<styleSheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\">\
<fonts count=\"2\"><font><sz val=\"11\"/><name val=\"Calibri\"/></font>\
<font><b/><sz val=\"11\"/><name val=\"Calibri\"/></font></fonts>\
<fills count=\"2\"><fill><patternFill patternType=\"none\"/></fill><fill><patternFill patternType=\"gray125\"/></fill></fills>\
<borders count=\"1\"><border><left/><right/><top/><bottom/><diagonal/></border></borders>\
<cellStyleXfs count=\"1\"><xf numFmtId=\"0\" fontId=\"0\" fillId=\"0\" borderId=\"0\"/></cellStyleXfs>\
<cellXfs count=\"3\"><xf numFmtId=\"0\" fontId=\"0\" fillId=\"0\" borderId=\"0\" xfId=\"0\"/>\
<xf numFmtId=\"0\" fontId=\"1\" fillId=\"0\" borderId=\"0\" xfId=\"0\" applyFont=\"1\"/>\
<xf numFmtId=\"4\" fontId=\"0\" fillId=\"0\" borderId=\"0\" xfId=\"0\" applyNumberFormat=\"1\"/></cellXfs>\
<cellStyles count=\"1\"><cellStyle name=\"Normal\" xfId=\"0\" builtinId=\"0\"/></cellStyles>\
</styleSheet>";

fn workbook_xml() -> String {
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n\
         <workbook xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\" \
         xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\">\
         <sheets><sheet name=\"{SHEET_NAME}\" sheetId=\"1\" r:id=\"rId1\"/></sheets></workbook>"
    )
}

/// Why a workbook could not be written (only the archive writer can fail).
#[derive(Debug, thiserror::Error)]
#[error("cannot write the XLSX archive: {0}")]
pub struct XlsxError(String);

/// The notice as XLSX bytes.
pub fn xlsx(entries: &[PublicNoticeEntry]) -> Result<Vec<u8>, XlsxError> {
    let mut zip = ZipWriter::new(Cursor::new(Vec::new()));
    let options = SimpleFileOptions::default()
        .compression_method(CompressionMethod::Deflated)
        .last_modified_time(zip::DateTime::default());
    let parts: [(&str, String); 6] = [
        ("[Content_Types].xml", CONTENT_TYPES.to_string()),
        ("_rels/.rels", ROOT_RELS.to_string()),
        ("xl/workbook.xml", workbook_xml()),
        ("xl/_rels/workbook.xml.rels", WORKBOOK_RELS.to_string()),
        ("xl/styles.xml", STYLES.to_string()),
        ("xl/worksheets/sheet1.xml", sheet_xml(entries)),
    ];
    for (name, body) in parts {
        zip.start_file(name, options)
            .map_err(|e| XlsxError(e.to_string()))?;
        zip.write_all(body.as_bytes())
            .map_err(|e| XlsxError(e.to_string()))?;
    }
    let cursor = zip.finish().map_err(|e| XlsxError(e.to_string()))?;
    Ok(cursor.into_inner())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;
    use std::io::Read;

    fn entry(row: i32, unit: &str, amount: &str) -> PublicNoticeEntry {
        PublicNoticeEntry {
            row,
            claim_id: i64::from(row) + 100,
            unit_name: unit.into(),
            credit_code: "91350100M000100Y43".into(),
            fiscal_unit_name_zh: "鼓楼区".into(),
            item: "STANDARD_LEAD".into(),
            item_name_zh: "标准制修订主导单位或第一起草单位".into(),
            clause: "五(五)1".into(),
            subject: "GB/T 12345-2020".into(),
            amount: amount.into(),
        }
    }

    #[test]
    fn csv_has_a_bom_crlf_quoting_and_no_formulas() {
        let rows = [
            entry(1, "福州示例科技有限公司", "300000.00"),
            entry(2, "=HYPERLINK(\"x\"),\"公司\"", "50000.00"),
        ];
        let text = String::from_utf8(csv(&rows)).unwrap();
        assert!(text.starts_with('\u{feff}'));
        let lines: Vec<&str> = text.trim_start_matches('\u{feff}').split("\r\n").collect();
        assert_eq!(
            lines[0],
            "序号,申报编号,单位名称,统一社会信用代码,所在地,资助项目,条款,标的,资助金额(元)"
        );
        assert_eq!(
            lines[1],
            "1,101,福州示例科技有限公司,91350100M000100Y43,鼓楼区,标准制修订主导单位或第一起草单位,五(五)1,GB/T 12345-2020,300000.00"
        );
        assert!(
            lines[2].starts_with("2,102,\"'=HYPERLINK(\"\"x\"\"),\"\"公司\"\"\",9135"),
            "{}",
            lines[2]
        );
        assert_eq!(lines.len(), 4); // header, two rows, the empty tail after the last CRLF
        assert_eq!(lines[3], "");
    }

    #[test]
    fn xlsx_is_a_zip_with_the_rows_in_the_sheet() {
        let rows = [entry(1, "A&B <公司>", "300000.00")];
        let bytes = xlsx(&rows).unwrap();
        assert_eq!(&bytes[..2], b"PK");
        let mut archive = zip::ZipArchive::new(Cursor::new(bytes.clone())).unwrap();
        let mut names: Vec<String> = archive
            .file_names()
            .map(|n| n.unwrap().to_string())
            .collect();
        names.sort();
        assert_eq!(
            names,
            [
                "[Content_Types].xml",
                "_rels/.rels",
                "xl/_rels/workbook.xml.rels",
                "xl/styles.xml",
                "xl/workbook.xml",
                "xl/worksheets/sheet1.xml"
            ]
        );
        let mut sheet = String::new();
        archive
            .by_name("xl/worksheets/sheet1.xml")
            .unwrap()
            .read_to_string(&mut sheet)
            .unwrap();
        assert!(sheet.contains("<t>资助金额(元)</t>"));
        assert!(sheet.contains("A&amp;B &lt;公司&gt;"));
        assert!(sheet.contains("<c r=\"I2\" s=\"2\"><v>300000.00</v></c>"));
        assert!(sheet.contains("<c r=\"B2\"><v>101</v></c>"));
        // Same rows, same bytes.
        assert_eq!(xlsx(&rows).unwrap(), bytes);
    }
}
