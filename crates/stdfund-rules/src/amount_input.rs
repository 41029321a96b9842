//! Amounts as a clerk types them, and amounts as a clerk reads them.
//!
//! [`parse_amount_input`] turns what is typed into a form's amount field into
//! exact yuan: `100000`, `100,000`, `１００，０００`, `100000元`, `10万`,
//! `10.5万元`, `¥100,000.50`. The estimate itself (and the gRPC contract) only
//! takes plain decimal strings of yuan (`"105000.00"`); a form normalises with
//! this function first and sends [`Money::to_canonical`], so the WASM module,
//! the CLI and the server read a typed amount the same way.
//!
//! [`format_amount`] renders an amount for people: `1,270,000.00 元` and
//! `127 万元`, the unit in which the policy text states its amounts.
//!
//! Invariants: no floats; every accepted input gives the [`Money`] that
//! [`Money::parse_yuan`] gives for its plain yuan form (a plain yuan string
//! the engine accepts is accepted here with the same value); a refused input
//! is an [`AmountInputError`] with the stable code `INVALID_AMOUNT`, a problem
//! kind, and a message in plain Chinese (no field paths) beside the English.

use crate::error::ErrorReport;
use crate::money::{Money, MoneyProblem};
use serde::{Deserialize, Serialize};

/// Why typed text is not an amount. Every variant has the code
/// `INVALID_AMOUNT` (the estimate's code for a bad amount) and its own
/// [`AmountInputError::problem`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum AmountInputError {
    /// Nothing but white space.
    #[error("enter an amount")]
    Empty,
    /// Not a number with an optional unit (`1e5`, `+100`, `一万`, `10亿`, `1.`).
    #[error("not an amount: write it like 100000, 100,000 or 10万")]
    Syntax,
    /// Thousands separators not in groups of three (`1,00,000`, `10,0000`).
    #[error("the thousands separators are misplaced: one comma every three digits, as in 100,000")]
    Grouping,
    /// A minus sign.
    #[error("the amount cannot be negative")]
    Negative,
    /// More than two decimals of yuan (fen), or more than four of 万.
    #[error("{}", if *wan { "in 万 (ten thousand yuan) at most four decimal places" } else { "at most two decimal places (fen)" })]
    TooPrecise {
        /// Whether the amount was given in 万.
        wan: bool,
    },
    /// Beyond any plausible amount (one trillion yuan).
    #[error("the amount is too large")]
    TooLarge,
}

impl AmountInputError {
    /// The stable error code, the estimate's own code for a bad amount.
    pub const CODE: &'static str = "INVALID_AMOUNT";

    /// The stable error code: always [`Self::CODE`].
    pub fn code(&self) -> &'static str {
        Self::CODE
    }

    /// The stable problem kind: `EMPTY`, `SYNTAX`, `GROUPING`, `NEGATIVE`,
    /// `TOO_PRECISE` or `TOO_LARGE`.
    pub fn problem(&self) -> &'static str {
        match self {
            AmountInputError::Empty => "EMPTY",
            AmountInputError::Syntax => "SYNTAX",
            AmountInputError::Grouping => "GROUPING",
            AmountInputError::Negative => "NEGATIVE",
            AmountInputError::TooPrecise { .. } => "TOO_PRECISE",
            AmountInputError::TooLarge => "TOO_LARGE",
        }
    }

    /// The message for a clerk, in Chinese: what to type instead.
    pub fn message_zh(&self) -> &'static str {
        match self {
            AmountInputError::Empty => "请填写金额。",
            AmountInputError::Syntax => "金额格式不对，请写成 100000、100,000 或 10万 这样的形式。",
            AmountInputError::Grouping => "千位分隔符的位置不对：逗号应每三位一个，例如 100,000。",
            AmountInputError::Negative => "金额不能为负数。",
            AmountInputError::TooPrecise { wan: false } => "金额最多精确到分（小数点后两位）。",
            AmountInputError::TooPrecise { wan: true } => "以万元为单位时，小数点后最多四位。",
            AmountInputError::TooLarge => "金额过大，超出可受理的范围。",
        }
    }

    /// The message in English (the same as `Display`).
    pub fn message_en(&self) -> String {
        self.to_string()
    }

    /// The error as a boundary object for the field at `field` (may be empty).
    pub fn to_report(&self, field: &str) -> ErrorReport {
        ErrorReport {
            code: self.code().to_string(),
            field: field.to_string(),
            message_zh: self.message_zh().to_string(),
            message_en: self.message_en(),
        }
    }
}

/// The unit a typed amount was given in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Unit {
    Yuan,
    Wan,
}

/// Full-width and look-alike characters mapped to their ASCII form, by hand
/// (the few NFKC mappings an amount needs; no normalisation crate).
fn fold(c: char) -> char {
    match c {
        '\u{FF10}'..='\u{FF19}' => {
            // U+FF10..U+FF19 are the full-width digits 0..9.
            char::from_u32(u32::from(c).saturating_sub(0xFF10).saturating_add(0x30)).unwrap_or(c)
        }
        '\u{FF0C}' => ',',
        '\u{FF0E}' => '.',
        '\u{3000}' | '\u{00A0}' => ' ',
        '\u{FF0D}' | '\u{2212}' => '-',
        '\u{FF0B}' => '+',
        '\u{FFE5}' => '¥',
        other => other,
    }
}

/// Parses an amount as a clerk types it into exact yuan.
///
/// Accepted: digits with an optional decimal part; `,` thousands separators
/// in groups of three; full-width digits, `，`, `．` and the ideographic
/// space; an optional leading `¥`/`￥`; an optional unit `元`, `万` or `万元`
/// (white space allowed before it). In yuan at most two decimals, in 万 at
/// most four (`0.0001万` is one yuan). Surrounding white space is ignored.
/// Refused: signs, exponents, other units, misplaced separators.
pub fn parse_amount_input(raw: &str) -> Result<Money, AmountInputError> {
    let folded: String = raw.chars().map(fold).collect();
    let mut s = folded.trim();
    if s.is_empty() {
        return Err(AmountInputError::Empty);
    }
    if let Some(rest) = s.strip_prefix('¥') {
        s = rest.trim_start();
    }
    let unit = if let Some(rest) = s.strip_suffix("万元").or_else(|| s.strip_suffix('万')) {
        s = rest.trim_end();
        Unit::Wan
    } else {
        if let Some(rest) = s.strip_suffix('元') {
            s = rest.trim_end();
        }
        Unit::Yuan
    };
    if let Some(rest) = s.strip_prefix('-') {
        let first = rest.chars().next();
        return Err(if first.is_some_and(|c| c.is_ascii_digit()) {
            AmountInputError::Negative
        } else {
            AmountInputError::Syntax
        });
    }
    let plain = plain_number(s)?;
    let parsed = match unit {
        Unit::Yuan => Money::parse_yuan(&plain),
        Unit::Wan => Money::parse_wan(&plain),
    };
    parsed.map_err(|p| match p {
        MoneyProblem::Syntax => AmountInputError::Syntax,
        MoneyProblem::Negative => AmountInputError::Negative,
        MoneyProblem::TooPrecise => AmountInputError::TooPrecise {
            wan: unit == Unit::Wan,
        },
        MoneyProblem::TooLarge => AmountInputError::TooLarge,
    })
}

/// `digits[.digits]` with valid thousands groups → the plain decimal string
/// without separators or superfluous leading zeros.
fn plain_number(s: &str) -> Result<String, AmountInputError> {
    let (int, frac) = match s.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (s, None),
    };
    let all_digits = |p: &str| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit());
    if let Some(f) = frac
        && !all_digits(f)
    {
        return Err(AmountInputError::Syntax);
    }
    let digits: String = if int.contains(',') {
        if !int.bytes().all(|b| b.is_ascii_digit() || b == b',') {
            return Err(AmountInputError::Syntax);
        }
        let mut groups = int.split(',');
        let first = groups.next().unwrap_or_default();
        let first_ok = (1..=3).contains(&first.len()) && !first.starts_with('0');
        let rest_ok = groups.clone().all(|g| g.len() == 3);
        if !first_ok || !rest_ok {
            return Err(AmountInputError::Grouping);
        }
        std::iter::once(first).chain(groups).collect()
    } else {
        if !all_digits(int) {
            return Err(AmountInputError::Syntax);
        }
        int.to_string()
    };
    let trimmed = digits.trim_start_matches('0');
    let int = if trimmed.is_empty() { "0" } else { trimmed };
    Ok(match frac {
        Some(f) => format!("{int}.{f}"),
        None => int.to_string(),
    })
}

/// An amount for people: exact, grouped, in 元 and in 万元.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AmountDisplay {
    /// The canonical yuan string the estimate takes: `"1270000.00"`.
    pub yuan: String,
    /// The amount in 万元 without trailing zeros: `"127"`, `"10.5"`.
    pub wan: String,
    /// Grouped yuan with the unit: `"1,270,000.00 元"`.
    pub yuan_text: String,
    /// Grouped 万元 with the unit: `"127 万元"`.
    pub wan_text: String,
    /// Both, for a Chinese page: `"1,270,000.00 元（127 万元）"`; only the
    /// yuan for zero and for amounts with fen (`"0.00 元"`, `"69,999.45 元"`),
    /// whose 万元 would need six decimals.
    pub text_zh: String,
    /// For an English page: `"1,270,000.00 yuan"`.
    pub text_en: String,
}

/// `1234567` → `1,234,567`; a leading `-` and the fraction (after `.`) are
/// kept as they are.
pub fn group_thousands(decimal: &str) -> String {
    let (sign, digits) = match decimal.strip_prefix('-') {
        Some(rest) => ("-", rest),
        None => ("", decimal),
    };
    let (int, frac) = match digits.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (digits, None),
    };
    let count = int.chars().count();
    let mut out = String::with_capacity(decimal.len().saturating_add(count / 3));
    out.push_str(sign);
    for (i, c) in int.chars().enumerate() {
        let left = count.saturating_sub(i);
        if i > 0 && left % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    if let Some(f) = frac {
        out.push('.');
        out.push_str(f);
    }
    out
}

/// Renders an amount in 元 (two decimals, grouped) and in 万元 (no trailing
/// zeros, grouped).
pub fn format_amount(m: Money) -> AmountDisplay {
    let yuan = m.to_canonical();
    let wan = m.to_wan_string();
    let yuan_grouped = group_thousands(&yuan);
    let yuan_text = format!("{yuan_grouped} 元");
    let wan_text = format!("{} 万元", group_thousands(&wan));
    let text_zh = if m.is_zero() || !m.as_decimal().fract().is_zero() {
        yuan_text.clone()
    } else {
        format!("{yuan_text}（{wan_text}）")
    };
    AmountDisplay {
        text_en: format!("{yuan_grouped} yuan"),
        yuan,
        wan,
        yuan_text,
        wan_text,
        text_zh,
    }
}

/// [`parse_amount_input`] then [`format_amount`]: the form helper.
pub fn normalise_amount(raw: &str) -> Result<AmountDisplay, AmountInputError> {
    parse_amount_input(raw).map(format_amount)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn yuan(s: &str) -> Result<String, &'static str> {
        parse_amount_input(s)
            .map(Money::to_canonical)
            .map_err(|e| e.problem())
    }

    #[test]
    fn accepts_what_clerks_type() {
        for (input, want) in [
            ("100000", "100000.00"),
            ("100,000", "100000.00"),
            ("１００，０００", "100000.00"),
            ("１００，０００．５", "100000.50"),
            ("10万", "100000.00"),
            ("10.5万元", "105000.00"),
            ("0.0001万", "1.00"),
            (" 100000 元 ", "100000.00"),
            ("\u{3000}12,345.67\u{3000}", "12345.67"),
            ("¥100,000", "100000.00"),
            ("￥ 1.5 万", "15000.00"),
            ("007", "7.00"),
            ("0", "0.00"),
        ] {
            assert_eq!(yuan(input), Ok(want.to_string()), "{input}");
        }
    }

    #[test]
    fn refuses_with_a_problem_kind() {
        for (input, want) in [
            ("", "EMPTY"),
            ("\u{3000} ", "EMPTY"),
            ("1,00,000", "GROUPING"),
            ("10,0000", "GROUPING"),
            (",100", "GROUPING"),
            ("0,100", "GROUPING"),
            ("-5", "NEGATIVE"),
            ("－5万", "NEGATIVE"),
            ("+5", "SYNTAX"),
            ("1e5", "SYNTAX"),
            ("1.", "SYNTAX"),
            (".5", "SYNTAX"),
            ("10亿", "SYNTAX"),
            ("1 000", "SYNTAX"),
            ("1.234", "TOO_PRECISE"),
            ("1.23456万", "TOO_PRECISE"),
            ("10000000000000", "TOO_LARGE"),
        ] {
            assert_eq!(yuan(input), Err(want), "{input}");
        }
    }

    #[test]
    fn messages_are_plain() {
        for e in [
            AmountInputError::Empty,
            AmountInputError::Syntax,
            AmountInputError::Grouping,
            AmountInputError::Negative,
            AmountInputError::TooPrecise { wan: false },
            AmountInputError::TooPrecise { wan: true },
            AmountInputError::TooLarge,
        ] {
            assert_eq!(e.code(), "INVALID_AMOUNT");
            assert!(!e.message_zh().chars().any(|c| c.is_ascii_alphabetic()));
            assert!(!e.message_en().is_empty());
            let r = e.to_report("x");
            assert_eq!((r.code.as_str(), r.field.as_str()), ("INVALID_AMOUNT", "x"));
        }
    }

    #[test]
    fn formats_in_yuan_and_wan() {
        let d = normalise_amount("1270000").unwrap();
        assert_eq!(d.yuan_text, "1,270,000.00 元");
        assert_eq!(d.wan_text, "127 万元");
        assert_eq!(d.text_zh, "1,270,000.00 元（127 万元）");
        assert_eq!(d.text_en, "1,270,000.00 yuan");
        assert_eq!(format_amount(Money::ZERO).text_zh, "0.00 元");
        let fen = normalise_amount("69999.45").unwrap();
        assert_eq!(
            (fen.text_zh.as_str(), fen.wan_text.as_str()),
            ("69,999.45 元", "6.999945 万元")
        );
        assert_eq!(
            normalise_amount("1000000000000").unwrap().wan_text,
            "100,000,000 万元"
        );
        assert_eq!(group_thousands("123"), "123");
        assert_eq!(group_thousands("1234.50"), "1,234.50");
        assert_eq!(group_thousands("0.000001"), "0.000001");
        assert_eq!(group_thousands("-1234567.5"), "-1,234,567.5");
    }
}
