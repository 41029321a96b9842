//! Form helpers for the portal and other front ends: the checks an estimate
//! makes on one field, answered per field so that a page can show the
//! problem beside the field while the clerk types. The WASM module and the
//! server call these same functions, so they agree.

use crate::date::Date;
use crate::error::Error;
use crate::ident::{CreditCheck, CreditCode};
use crate::ruleset::{self, FiscalUnitDoc};
use serde::{Deserialize, Serialize};

/// The answer of the credit-code form helper.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CreditCodeCheck {
    /// The code, trimmed and upper-cased.
    pub credit_code: String,
    /// Whether the check character matches (a mismatch is a warning in an estimate).
    pub check_passed: bool,
    /// The check character the first 17 characters call for.
    pub expected_check_character: String,
}

/// Checks a credit code as the estimate does (trimmed, upper-cased, GB 32100
/// check character); a malformed code is `INVALID_CREDIT_CODE`.
pub fn check_credit_code(raw: &str) -> Result<CreditCodeCheck, Error> {
    let raw = raw.trim();
    let (code, check) = CreditCode::parse(raw).ok_or_else(|| Error::InvalidCreditCode {
        path: "applicant.creditCode".into(),
        value: raw.into(),
        meant: CreditCode::suggest(raw),
    })?;
    let expected = match check {
        CreditCheck::Passed => code.check_character(),
        CreditCheck::Mismatch { expected } => expected,
    };
    Ok(CreditCodeCheck {
        credit_code: code.to_string(),
        check_passed: check.passed(),
        expected_check_character: expected.to_string(),
    })
}

/// The answer of the standard-number form helper.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct StandardNumberInfo {
    /// Code, one space, number: `GB/T 12345-2020`.
    pub canonical: String,
    /// The code: `GB/T`, `DB35/T`, `ISO/IEC`, `T/CAS`.
    pub code: String,
    /// The number with its year.
    pub number: String,
    /// The variant id the code implies, or "" when it implies none.
    pub implied_level: String,
    /// The year (the edition), or "" when the number has none: an estimate
    /// reads such a number, but the registry takes a claim only with its
    /// year (docs/DECISIONS.md R23), so a form says so.
    pub year: String,
}

/// Normalises a standard number as the estimate does for standard subjects;
/// unreadable text is `INVALID_STANDARD_NUMBER`. With the achievement's
/// `date`, a two-digit year that the estimate refuses on that date is
/// refused here too, offering the four-digit year (docs/DECISIONS.md C9).
pub fn normalise_standard_number(
    raw: &str,
    date: Option<Date>,
) -> Result<StandardNumberInfo, Error> {
    let n = crate::subject::standard_number(raw, date)
        .map_err(|p| p.into_error("subject".into(), raw, date))?;
    let canonical = n.canonical();
    let number = canonical
        .strip_prefix(n.prefix())
        .unwrap_or(&canonical)
        .trim_start()
        .to_string();
    Ok(StandardNumberInfo {
        year: n.year().unwrap_or_default().to_string(),
        implied_level: n.implied_level().variant_id().unwrap_or_default().into(),
        code: n.prefix().to_string(),
        number,
        canonical,
    })
}

/// The answer of the seat form helper.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SeatCheck {
    /// The seat, trimmed: what an estimate takes.
    pub seat: String,
    /// The fiscal unit the seat belongs to; empty when the seat lies outside
    /// every jurisdiction of the rulesets (an estimate's lines are then
    /// ineligible).
    pub fiscal_unit: String,
    /// Its Chinese name.
    pub fiscal_unit_name_zh: String,
    /// Its English name.
    pub fiscal_unit_name_en: String,
}

/// Checks an applicant's seat as the estimate does: a six-digit division
/// code or a fiscal-unit code of a current ruleset. Anything else is
/// `INVALID_SEAT`, with the code to write when the text is the name of
/// exactly one place (`鼓楼区` → `350102`, D26), which a form can offer.
/// Full-width digits, as a Chinese keyboard types them (`３５０２０３`), are
/// read as the code; `seat` is what the form sends.
pub fn check_seat(raw: &str) -> Result<SeatCheck, Error> {
    let book = ruleset::embedded()?;
    let seat: String = raw
        .trim()
        .chars()
        .map(|c| match c {
            // U+FF10..U+FF19 are the full-width digits 0..9.
            '\u{FF10}'..='\u{FF19}' => {
                char::from_u32(u32::from(c).saturating_sub(0xFF10).saturating_add(0x30))
                    .unwrap_or(c)
            }
            other => other,
        })
        .collect();
    if seat.is_empty() {
        return Err(Error::MissingField {
            path: "applicant.seat".into(),
        });
    }
    let place = book.place_or_refuse(&seat, "applicant.seat")?;
    let unit = place.unit();
    Ok(SeatCheck {
        seat: seat.clone(),
        fiscal_unit: unit.map(|u| u.code.clone()).unwrap_or_default(),
        fiscal_unit_name_zh: unit.map(|u| u.name_zh.clone()).unwrap_or_default(),
        fiscal_unit_name_en: unit.map(|u| u.name_en.clone()).unwrap_or_default(),
    })
}

/// The fiscal units an applicant's seat can be: those of the default
/// jurisdiction's current embedded ruleset (decision D8).
pub fn fiscal_units() -> Result<Vec<FiscalUnitDoc>, Error> {
    let book = ruleset::embedded()?;
    book.current(book.default_jurisdiction())
        .map(|r| r.doc().fiscal_units.clone())
        .ok_or(Error::InvalidRuleset {
            problem: crate::ruleset::RulesetProblem::EmptyBook,
        })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    #[test]
    fn a_two_digit_year_is_refused_only_on_a_date_that_cannot_carry_it() {
        let on = Date::parse;
        for date in [None, on("1999-12-31")] {
            let n = normalise_standard_number("GB 1234-88", date).unwrap();
            assert_eq!(n.canonical, "GB 1234-88");
        }
        let e = normalise_standard_number("GB/T 23456-20", on("2021-03-01")).unwrap_err();
        assert_eq!(e.code(), "INVALID_STANDARD_NUMBER");
        assert_eq!(e.meant().as_deref(), Some("GB/T 23456-2020"));
        // 2088 is after the date: the year meant is 1988.
        let e = normalise_standard_number("GB 1234-88", on("2016-05-01")).unwrap_err();
        assert_eq!(e.meant().as_deref(), Some("GB 1234-1988"));
        // Four digits are fine on any date.
        let n = normalise_standard_number("GB/T 23456-2020", on("2021-03-01")).unwrap();
        assert_eq!(n.canonical, "GB/T 23456-2020");
    }

    #[test]
    fn a_padded_local_code_is_refused_offering_the_code_it_pads() {
        let on = Date::parse;
        for (typed, meant) in [
            ("DB3500/T 8801-2019", "DB35/T 8801-2019"),
            ("DB350000/T 1-2020", "DB35/T 1-2020"),
            ("DB350100/T 8802-2020", "DB3501/T 8802-2020"),
            ("DB3500 1-2020", "DB35 1-2020"),
            ("DB 3500/T 1-2020", "DB35/T 1-2020"),
        ] {
            for date in [None, on("2021-03-01")] {
                let e = normalise_standard_number(typed, date).unwrap_err();
                assert_eq!(e.code(), "INVALID_STANDARD_NUMBER", "{typed}");
                assert_eq!(e.meant().as_deref(), Some(meant), "{typed}");
                let report = e.to_report();
                assert!(report.message_en.contains("padded with zeros"), "{typed}");
                assert!(report.message_zh.contains("用0补位"), "{typed}");
                assert!(normalise_standard_number(meant, date).is_ok(), "{meant}");
            }
        }
        let e = normalise_standard_number("DB350100/T 8802-2020", None).unwrap_err();
        assert_eq!(
            e.to_report().message_en,
            "`DB350100/T 8802-2020` at `subject` has the code `DB350100`, a division code padded with zeros: a local standard's code is `DB` and the first two digits of a province's division code or the first four of a city's (`DB35`, `DB3501`), so write `DB3501`; did you mean `DB3501/T 8802-2020`?"
        );
        assert_eq!(
            e.message_zh(),
            "`subject`的`DB350100/T 8802-2020`的代号`DB350100`是用0补位的行政区划代码:地方标准代号为`DB`加省级行政区划代码的前两位或设区的市行政区划代码的前四位(例如`DB35`、`DB3501`),应写为`DB3501`;是否应为DB3501/T 8802-2020?"
        );
        // A two-digit year the date refuses is offered in full as well.
        let e = normalise_standard_number("DB3500/T 1-20", on("2021-03-01")).unwrap_err();
        assert_eq!(e.meant().as_deref(), Some("DB35/T 1-2020"));
        let e = normalise_standard_number("DB3500/T 1-88", None).unwrap_err();
        assert_eq!(e.meant().as_deref(), Some("DB35/T 1-88"));
        // Accepted as before: the province's and the city's codes, and a
        // six-digit code that pads nothing (C7).
        for ok in [
            "DB35/T 8801-2019",
            "DB3501/T 8802-2020",
            "DB350102/T 1-2020",
        ] {
            assert_eq!(normalise_standard_number(ok, None).unwrap().canonical, ok);
        }
    }
}
