//! The checks every registry request field passes before anything is read
//! or written: each refusal is `INVALID_ARGUMENT` with a stable code, the
//! field's proto name, and a Chinese and an English message.

use crate::registry_error::RegistryError;
use stdfund_proto::pb;
use stdfund_rules::RuleBook;
use stdfund_rules::date::Date;
use stdfund_rules::money::Money;
use stdfund_store::{CITY, ClaimStatus, Timestamp};

/// Longest reviewer reason, note or resolution summary, characters.
pub const MAX_REASON_CHARS: usize = 500;
/// Longest voucher number, characters.
pub const MAX_VOUCHER_CHARS: usize = 64;
/// Longest idempotency key, characters.
pub const MAX_IDEMPOTENCY_KEY_CHARS: usize = 128;
/// Largest page of ListClaims and ListAuditLog.
pub const MAX_PAGE_SIZE: i32 = 500;
/// ListClaims' default page.
pub const DEFAULT_CLAIMS_PAGE: u32 = 50;
/// ListAuditLog's default page.
pub const DEFAULT_AUDIT_PAGE: u32 = 100;

fn too_long(field: &str, limit: usize, what_zh: &str, what_en: &str) -> RegistryError {
    RegistryError::invalid(
        "FIELD_TOO_LONG",
        field,
        format!("{what_zh}最长{limit}个字符"),
        format!("the {what_en} is longer than {limit} characters"),
    )
}

/// A text field, trimmed: required or not, at most `limit` characters.
pub fn text(
    value: &str,
    field: &str,
    required: bool,
    limit: usize,
    what_zh: &str,
    what_en: &str,
) -> Result<String, RegistryError> {
    let v = value.trim();
    if v.chars().count() > limit {
        return Err(too_long(field, limit, what_zh, what_en));
    }
    shown_as_typed(v, field, required, what_zh, what_en)?;
    // An optional text with nothing visible is no text: a decision that
    // needs a reason then finds none (B17), and nothing invisible is stored.
    if stdfund_rules::canon::shows_nothing(v) {
        return Ok(String::new());
    }
    Ok(v.to_string())
}

/// Characters that change the direction text is shown in: a unit name
/// `福州\u{202E}司公限有` displays as `福州有限公司` in the workbench and in the
/// 公示 list. Never needed in a name, reason or note.
pub(crate) fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{061C}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// A text that officials read and the public notice prints (a unit name,
/// a reason, a note) must show what it holds: one with nothing visible is
/// missing when required; control characters (line breaks and tabs apart)
/// and bidirectional controls are `INVALID_TEXT`.
pub fn shown_as_typed(
    v: &str,
    field: &str,
    required: bool,
    what_zh: &str,
    what_en: &str,
) -> Result<(), RegistryError> {
    if required && stdfund_rules::canon::shows_nothing(v) {
        return Err(RegistryError::missing(field));
    }
    if v.chars().any(|c| c.is_control() && c != '\n' && c != '\t') {
        return Err(RegistryError::invalid(
            "INVALID_TEXT",
            field,
            format!("{what_zh}含有控制字符"),
            format!("the {what_en} contains control characters"),
        ));
    }
    if v.chars().any(is_bidi_control) {
        return Err(RegistryError::invalid(
            "INVALID_TEXT",
            field,
            format!(
                "{what_zh}含有改变文字显示方向的控制字符(如U+202E),显示出的文字会与实际内容不同"
            ),
            format!(
                "the {what_en} contains bidirectional control characters (such as U+202E), which make it display as other text"
            ),
        ));
    }
    Ok(())
}

/// A payment's voucher number (凭证号): 1–[`MAX_VOUCHER_CHARS`] characters,
/// kept in the form [`stdfund_rules::canon::identifier`] gives (full-width
/// forms as ASCII, every dash as `-`, spaces collapsed), which the store
/// compares in upper case, so that one payment order is not recorded for a
/// second claim under another spelling (R8). What a reader cannot see or
/// tell apart is refused rather than removed: characters that show nothing
/// (zero-width, format, private use) and letters of another script that
/// pass for Latin ones (a Cyrillic `Р` in `РZ-2026-001`).
pub fn voucher(value: &str, field: &str) -> Result<String, RegistryError> {
    use stdfund_rules::canon;
    let typed = text(
        value,
        field,
        true,
        MAX_VOUCHER_CHARS,
        "凭证号",
        "voucher number",
    )?;
    let unseen = typed
        .chars()
        .find(|&c| canon::is_default_ignorable(c) || canon::is_unseen(c));
    if let Some(c) = unseen {
        return Err(RegistryError::invalid(
            "INVALID_TEXT",
            field,
            format!(
                "凭证号含有看不见的字符(U+{:04X}),看上去相同的凭证号会被当作另一个;请删除后重新输入",
                u32::from(c)
            ),
            format!(
                "the voucher number holds a character that shows nothing (U+{:04X}), so it would pass for another voucher; delete it and type the number again",
                u32::from(c)
            ),
        ));
    }
    let kept = canon::identifier(&typed);
    // NFKC can lengthen a text (`ﬃ` is three letters): the limit is on what is kept.
    if kept.chars().count() > MAX_VOUCHER_CHARS {
        return Err(too_long(
            field,
            MAX_VOUCHER_CHARS,
            "凭证号",
            "voucher number",
        ));
    }
    if !kept.chars().any(char::is_alphanumeric) {
        return Err(RegistryError::invalid(
            "INVALID_TEXT",
            field,
            "凭证号须含有字母或数字",
            "a voucher number holds letters or digits",
        ));
    }
    // Letters with case are the keyboard's Latin letters only: the store
    // compares vouchers in upper case, and `é`/`É`, `ı`/`I`, `ß`/`SS` or a
    // Greek `Α` would be told apart by one database and not by another, or
    // pass for a Latin letter. Chinese and other uncased letters stay.
    if let Some(c) = kept
        .chars()
        .find(|c| !c.is_ascii() && (c.is_lowercase() || c.is_uppercase()))
    {
        return Err(RegistryError::invalid(
            "INVALID_TEXT",
            field,
            format!(
                "凭证号中的`{c}`(U+{:04X})不是键盘上的英文字母;凭证号中的字母请用半角英文字母输入,以免与另一凭证号混淆",
                u32::from(c)
            ),
            format!(
                "`{c}` (U+{:04X}) in the voucher number is not a letter of the keyboard's Latin alphabet; type its letters as plain ASCII letters, so that it cannot pass for another voucher",
                u32::from(c)
            ),
        ));
    }
    // A character that passes for a dash or a slash between letters or
    // digits (`PZ一2026`, `FZ丿2026`).
    let chars: Vec<char> = kept.chars().collect();
    if let Some(c) = chars.windows(3).find_map(|w| match w {
        [a, c, b]
            if a.is_ascii_alphanumeric()
                && b.is_ascii_alphanumeric()
                && canon::passes_for_separator(*c) =>
        {
            Some(*c)
        }
        _ => None,
    }) {
        return Err(RegistryError::invalid(
            "INVALID_TEXT",
            field,
            format!(
                "凭证号中的`{c}`(U+{:04X})看上去像连字符或斜杠,但不是;请改用`-`或`/`",
                u32::from(c)
            ),
            format!(
                "`{c}` (U+{:04X}) in the voucher number looks like a dash or a slash but is none; type `-` or `/`",
                u32::from(c)
            ),
        ));
    }
    let upper = kept.to_uppercase();
    if canon::mixes_look_alikes(&upper) || canon::hides_characters(&upper) {
        return Err(RegistryError::invalid(
            "INVALID_TEXT",
            field,
            "凭证号含有形似拉丁字母或数字的其他文字字符,看上去相同的凭证号会被当作另一个;请用键盘上的字母和数字重新输入",
            "the voucher number holds characters of another script that pass for Latin letters or digits, so it would pass for another voucher; type it again with plain letters and digits",
        ));
    }
    Ok(kept)
}

/// A reason (理由), at most [`MAX_REASON_CHARS`].
pub fn reason(value: &str, field: &str, required: bool) -> Result<String, RegistryError> {
    text(value, field, required, MAX_REASON_CHARS, "理由", "reason")
}

/// An idempotency key: 1–128 characters of `[A-Za-z0-9._:-]`.
pub fn idempotency_key(key: &str) -> Result<(), RegistryError> {
    if key.is_empty() {
        return Err(RegistryError::missing("idempotency_key"));
    }
    if key.chars().count() > MAX_IDEMPOTENCY_KEY_CHARS {
        return Err(too_long(
            "idempotency_key",
            MAX_IDEMPOTENCY_KEY_CHARS,
            "幂等键",
            "idempotency key",
        ));
    }
    if !key
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b':' | b'-'))
    {
        return Err(RegistryError::invalid(
            "INVALID_IDEMPOTENCY_KEY",
            "idempotency_key",
            "幂等键只能包含字母、数字和 . _ : -",
            "the idempotency key may contain only letters, digits and . _ : -",
        ));
    }
    Ok(())
}

/// A budget year the registry accepts (from the policy's first year).
pub fn year(book: &RuleBook, year: i32, field: &str) -> Result<i32, RegistryError> {
    if stdfund_rules::claim::is_budget_year(book, year) {
        Ok(year)
    } else {
        let first = stdfund_rules::claim::first_budget_year(book);
        Err(RegistryError::invalid(
            "INVALID_YEAR",
            field,
            format!("预算年度`{year}`应在{first}至9999之间"),
            format!("the budget year `{year}` must lie between {first} and 9999"),
        ))
    }
}

/// An optional year filter: 0 = any.
pub fn year_filter(book: &RuleBook, y: i32, field: &str) -> Result<Option<i32>, RegistryError> {
    match y {
        0 => Ok(None),
        y => year(book, y, field).map(Some),
    }
}

/// The longest a date, an amount or a payer code may be as typed, in
/// characters: far more than any of them needs (a date in words, an amount
/// with its separators), and short enough that a refusal quoting it stays
/// small — it is quoted in several places of the error's details, and a
/// client's limit on the size of the trailers (8 KB for grpcio) would
/// otherwise turn a readable refusal into `RESOURCE_EXHAUSTED`.
pub const MAX_SHORT_CHARS: usize = 64;

/// `FIELD_TOO_LONG` for a date, amount or code longer than
/// [`MAX_SHORT_CHARS`], without quoting it.
fn short(v: &str, field: &str, what_zh: &str, what_en: &str) -> Result<(), RegistryError> {
    if v.chars().count() > MAX_SHORT_CHARS {
        return Err(too_long(field, MAX_SHORT_CHARS, what_zh, what_en));
    }
    Ok(())
}

/// A `YYYY-MM-DD` date.
pub fn date(value: &str, field: &str) -> Result<Date, RegistryError> {
    let v = value.trim();
    if v.is_empty() {
        return Err(RegistryError::missing(field));
    }
    short(v, field, "日期", "date")?;
    Date::parse(v).ok_or_else(|| {
        RegistryError::from(stdfund_rules::Error::InvalidDate {
            path: field.to_string(),
            value: v.to_string(),
            hint: Date::hint(v),
        })
    })
}

/// An optional date: empty = none.
pub fn date_filter(value: &str, field: &str) -> Result<Option<Date>, RegistryError> {
    if value.trim().is_empty() {
        Ok(None)
    } else {
        date(value, field).map(Some)
    }
}

/// The start of a China-time day as a timestamp, the bound of a date
/// filter; `None` for the first day dates can name (1900-01-01), whose start
/// lies before every instant the registry holds: as a bound it excludes
/// nothing.
pub fn china_day_start(d: Date) -> Result<Option<Timestamp>, RegistryError> {
    // 00:00 in China is 16:00 UTC the day before.
    let Some(utc) = d.add_days(-1) else {
        return Ok(None);
    };
    Timestamp::parse(&format!("{utc}T16:00:00.000000Z"))
        .map(Some)
        .map_err(|e| RegistryError::internal(format!("timestamp: {e}")))
}

/// An amount of yuan: a plain decimal with at most two decimals.
pub fn amount(value: &str, field: &str) -> Result<Money, RegistryError> {
    let v = value.trim();
    if v.is_empty() {
        return Err(RegistryError::missing(field));
    }
    short(v, field, "金额", "amount")?;
    Money::parse_yuan(v).map_err(|_| {
        // What a form would read from it (`10万`, `100,000`), written plainly.
        let meant = stdfund_rules::amount_input::parse_amount_input(v)
            .ok()
            .map(|m| m.to_canonical());
        let (advice_zh, advice_en) = meant
            .as_ref()
            .map(|m| (format!(";请写成{m}"), format!("; write `{m}`")))
            .unwrap_or_default();
        let shown = stdfund_rules::error::shown(v);
        RegistryError::invalid_meant(
            "INVALID_AMOUNT",
            field,
            format!("`{shown}`不是金额(元,最多两位小数,不带符号){advice_zh}"),
            format!("`{shown}` is not an amount (yuan, at most two decimals, no sign){advice_en}"),
            meant,
        )
    })
}

/// An optional amount: empty = none.
pub fn amount_filter(value: &str, field: &str) -> Result<Option<Money>, RegistryError> {
    if value.trim().is_empty() {
        Ok(None)
    } else {
        amount(value, field).map(Some)
    }
}

/// A page size: 0 = the default, at most [`MAX_PAGE_SIZE`].
pub fn page_size(requested: i32, default: u32) -> Result<u32, RegistryError> {
    if requested < 0 {
        return Err(RegistryError::invalid(
            "INVALID_ARGUMENT",
            "page_size",
            "每页条数不能为负数",
            "page_size must not be negative",
        ));
    }
    Ok(match requested {
        0 => default,
        n => u32::try_from(n.min(MAX_PAGE_SIZE)).unwrap_or(default),
    })
}

/// A resubmission count the caller read (`seen_resubmissions`): 0 or more.
pub fn resubmissions(value: i32, field: &str) -> Result<i32, RegistryError> {
    if value < 0 {
        return Err(RegistryError::invalid(
            "INVALID_ARGUMENT",
            field,
            "补正次数不能为负数",
            format!("{field} must not be negative"),
        ));
    }
    Ok(value)
}

/// A positive record number (claim, attachment, publication, objection).
pub fn id(value: i64, field: &str) -> Result<i64, RegistryError> {
    if value > 0 {
        Ok(value)
    } else {
        Err(RegistryError::missing(field))
    }
}

/// A payer: empty or `CITY` = the municipal treasury, else a fiscal unit
/// code of the rules.
pub fn payer(book: &RuleBook, value: &str, field: &str) -> Result<String, RegistryError> {
    let v = value.trim();
    if v.is_empty() || v == CITY {
        return Ok(CITY.to_string());
    }
    short(v, field, "预算单位", "payer")?;
    let known = book
        .current(book.default_jurisdiction())
        .is_some_and(|r| r.doc().fiscal_units.iter().any(|u| u.code == v));
    if known {
        Ok(v.to_string())
    } else {
        Err(RegistryError::invalid(
            "INVALID_PAYER",
            field,
            format!(
                "预算单位`{}`应为`CITY`(市级)或财政单位代码",
                stdfund_rules::error::shown(v)
            ),
            format!(
                "the payer `{}` must be CITY (the municipal treasury) or a fiscal unit code",
                stdfund_rules::error::shown(v)
            ),
        ))
    }
}

/// The store's status of a contract status; `None` for unspecified.
pub fn status(value: i32, field: &str) -> Result<Option<ClaimStatus>, RegistryError> {
    Ok(match pb::ClaimStatus::try_from(value) {
        Ok(pb::ClaimStatus::Unspecified) => None,
        Ok(pb::ClaimStatus::Submitted) => Some(ClaimStatus::Submitted),
        Ok(pb::ClaimStatus::Approved) => Some(ClaimStatus::Approved),
        Ok(pb::ClaimStatus::Rejected) => Some(ClaimStatus::Rejected),
        Ok(pb::ClaimStatus::Disbursed) => Some(ClaimStatus::Disbursed),
        Ok(pb::ClaimStatus::Returned) => Some(ClaimStatus::Returned),
        Ok(pb::ClaimStatus::Withdrawn) => Some(ClaimStatus::Withdrawn),
        Err(_) => {
            return Err(RegistryError::invalid(
                "INVALID_ENUM_VALUE",
                field,
                "未知的申报状态",
                "unknown claim status",
            ));
        }
    })
}

/// A file format for exports (CSV or XLSX).
pub fn format(value: i32, field: &str) -> Result<pb::NoticeFormat, RegistryError> {
    match pb::NoticeFormat::try_from(value) {
        Ok(f @ (pb::NoticeFormat::Csv | pb::NoticeFormat::Xlsx)) => Ok(f),
        _ => Err(RegistryError::invalid(
            "INVALID_ENUM_VALUE",
            field,
            "文件格式应为`NOTICE_FORMAT_CSV`或`NOTICE_FORMAT_XLSX`",
            "format must be NOTICE_FORMAT_CSV or NOTICE_FORMAT_XLSX",
        )),
    }
}

/// Longest filter or search text of ListClaims, GetReport and ListAuditLog,
/// characters: longer than any name, code or subject it can match, and
/// short enough for every database's pattern matching (SQLite refuses a
/// `LIKE` pattern of 50,000 characters, which was an `INTERNAL` error).
pub const MAX_FILTER_CHARS: usize = 200;

/// An optional filter or search text: trimmed, empty = none, at most
/// [`MAX_FILTER_CHARS`] characters.
pub fn filter_text(value: &str, field: &str) -> Result<Option<String>, RegistryError> {
    let v = text(value, field, false, MAX_FILTER_CHARS, "筛选条件", "filter")?;
    Ok(Some(v).filter(|s| !s.is_empty()))
}

/// What a refused filter value is called in a message: quoted when short
/// enough, otherwise only its field (a refusal stays small, see
/// [`MAX_SHORT_CHARS`]).
fn named(v: &str) -> (String, String) {
    if v.chars().count() <= MAX_SHORT_CHARS && !v.contains('`') {
        (format!("`{v}`"), format!(" `{v}`"))
    } else {
        (String::new(), String::new())
    }
}

/// An optional filter naming one thing of the rule book: trimmed, empty =
/// any; what `read` finds for it, or `code` (`INVALID_ARGUMENT`) with the
/// Chinese and English message `what(named)` gives — never an empty answer
/// that reads as "none there".
fn named_filter(
    value: &str,
    field: &str,
    read: impl FnOnce(&str) -> Option<String>,
    code: &'static str,
    what: impl FnOnce(&str, &str) -> (String, String),
) -> Result<Option<String>, RegistryError> {
    let Some(v) = filter_text(value, field)? else {
        return Ok(None);
    };
    match read(&v) {
        Some(found) => Ok(Some(found)),
        None => {
            let (zh, en) = named(&v);
            let (zh, en) = what(&zh, &en);
            Err(RegistryError::invalid(code, field, zh, en))
        }
    }
}

/// An optional fiscal-unit filter: a unit's code, former code or name
/// (`350102`, `鼓楼区`, `市本级`) read as the unit's code; empty = any. A
/// value that names no fiscal unit is `UNKNOWN_FISCAL_UNIT`.
pub fn fiscal_unit_filter(
    book: &RuleBook,
    value: &str,
    field: &str,
) -> Result<Option<String>, RegistryError> {
    named_filter(
        value,
        field,
        |v| book.fiscal_unit_filter(v).map(|u| u.code.clone()),
        "UNKNOWN_FISCAL_UNIT",
        |zh, en| {
            (
                format!("财政单位{zh}不存在:请填写财政单位的代码或名称,如`350102`或`鼓楼区`"),
                format!(
                    "no fiscal unit is called{en}: give a fiscal unit's code or name, such as `350102` or `鼓楼区`"
                ),
            )
        },
    )
}

/// An optional clause filter (`五(五)1`, also with full-width brackets);
/// empty = any. A clause no item falls under is `UNKNOWN_CLAUSE`.
pub fn clause_filter(
    book: &RuleBook,
    value: &str,
    field: &str,
) -> Result<Option<String>, RegistryError> {
    named_filter(
        value,
        field,
        |v| book.clause_filter(v).map(str::to_owned),
        "UNKNOWN_CLAUSE",
        |zh, en| {
            (
                format!("条款{zh}不存在:请填写如`五(五)1`的条款"),
                format!("no item falls under the clause{en}: give a clause such as `五(五)1`"),
            )
        },
    )
}

/// An optional item filter: an item id, also in other case or by its name;
/// empty = any. A value that names no item is `UNKNOWN_ITEM`.
pub fn item_filter(
    book: &RuleBook,
    value: &str,
    field: &str,
) -> Result<Option<String>, RegistryError> {
    named_filter(
        value,
        field,
        |v| book.item_filter(v),
        "UNKNOWN_ITEM",
        |zh, en| {
            (
                format!("资助项目{zh}不存在:请填写项目代码,如`STANDARD_LEAD`,或项目名称"),
                format!(
                    "no grant item is called{en}: give an item id such as `STANDARD_LEAD`, or its name"
                ),
            )
        },
    )
}

/// The longest page token the server writes is far shorter; a longer one
/// is refused before the store reads it.
pub const MAX_PAGE_TOKEN_CHARS: usize = 1024;

/// An optional page token: trimmed, empty = the first page. The store reads
/// it or refuses it (a token it did not write is `INVALID_PAGE_TOKEN`, which
/// never quotes it); one over [`MAX_PAGE_TOKEN_CHARS`] is refused here.
pub fn page_token(value: &str) -> Result<Option<String>, RegistryError> {
    let v = value.trim();
    if v.chars().count() > MAX_PAGE_TOKEN_CHARS {
        return Err(RegistryError::invalid_page_token());
    }
    Ok(Some(v.to_string()).filter(|s| !s.is_empty()))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;

    #[test]
    fn idempotency_keys_years_and_payers() {
        let book = stdfund_rules::ruleset::embedded().unwrap();
        assert!(idempotency_key("portal:2026-01-01.a_b-1").is_ok());
        assert!(idempotency_key("").is_err());
        assert!(idempotency_key("a b").is_err());
        assert!(idempotency_key(&"x".repeat(129)).is_err());
        assert!(year(book, 2015, "year").is_err());
        assert!(year(book, 2016, "year").is_ok());
        assert_eq!(payer(book, "", "payer").unwrap(), "CITY");
        assert_eq!(payer(book, "350102", "payer").unwrap(), "350102");
        for (name, code) in [
            ("福州\u{202E}司公限有", "INVALID_TEXT"),
            ("\u{2066}福州\u{2069}", "INVALID_TEXT"),
            (" \u{200B} ", "MISSING_FIELD"),
            ("\u{FEFF}", "MISSING_FIELD"),
        ] {
            match text(name, "name", true, 200, "单位名称", "unit name") {
                Err(RegistryError::Invalid(i)) => assert_eq!(i.code, code, "{name:?}"),
                other => panic!("{name:?}: {other:?}"),
            }
        }
        assert!(
            text(
                "福州示例\u{200B}科技有限公司",
                "name",
                true,
                200,
                "单位名称",
                "unit name"
            )
            .is_ok()
        );
        assert_eq!(filter_text("  ", "query").unwrap(), None);
        assert_eq!(
            filter_text(" 福州 ", "query").unwrap().as_deref(),
            Some("福州")
        );
        assert!(filter_text(&"福".repeat(MAX_FILTER_CHARS), "query").is_ok());
        match filter_text(&"%".repeat(MAX_FILTER_CHARS + 1), "query") {
            Err(RegistryError::Invalid(i)) => {
                assert_eq!((i.code, i.field.as_str()), ("FIELD_TOO_LONG", "query"));
            }
            other => panic!("{other:?}"),
        }
        assert!(payer(book, "350203", "payer").is_err());
        assert!(text("a\u{1b}[31m", "reason", true, 10, "理由", "reason").is_err());
        let d = Date::parse("2026-12-02").unwrap();
        assert_eq!(
            china_day_start(d).unwrap().unwrap().as_str(),
            "2026-12-01T16:00:00.000000Z"
        );
        // The first day dates name: no bound, not an error (the seventh attack).
        let first = Date::parse("1900-01-01").unwrap();
        assert_eq!(china_day_start(first).unwrap(), None);
        assert_eq!(
            china_day_start(first.next_day().unwrap())
                .unwrap()
                .unwrap()
                .as_str(),
            "1900-01-01T16:00:00.000000Z"
        );
    }

    #[test]
    fn a_date_or_amount_typed_as_a_person_would_is_refused_with_how_to_write_it() {
        let messages = |e: RegistryError| match e {
            RegistryError::Invalid(i) => (i.code.to_string(), i.zh, i.en),
            RegistryError::Api(crate::status::ApiError::Rules(r)) => {
                let rep = r.to_report();
                (rep.code, rep.message_zh, rep.message_en)
            }
            other => panic!("{other:?}"),
        };
        let (code, zh, en) = messages(date("2026年12月2日", "paid_on").unwrap_err());
        assert_eq!(code, "INVALID_DATE");
        assert!(zh.ends_with(";请写成2026-12-02"), "{zh}");
        assert!(en.ends_with("; write `2026-12-02`"), "{en}");
        let (_, zh, _) = messages(date("2026-02-30", "paid_on").unwrap_err());
        assert!(zh.ends_with("不是实际存在的日期"), "{zh}");
        let (code, zh, en) = messages(amount("12.5万", "amount").unwrap_err());
        assert_eq!(code, "INVALID_AMOUNT");
        assert!(zh.ends_with(";请写成125000.00"), "{zh}");
        assert!(en.ends_with("; write `125000.00`"), "{en}");
        // A refusal the form would refuse too gets no advice.
        let (_, zh, _) = messages(amount("-5", "amount").unwrap_err());
        assert!(!zh.contains("请写成"), "{zh}");
        assert_eq!(
            amount("125000.00", "amount").unwrap().to_canonical(),
            "125000.00"
        );
    }
}
