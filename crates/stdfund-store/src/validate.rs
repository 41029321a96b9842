//! Input checks applied before anything touches the database, the folded copy of unit names
//! the queue search uses, and the request fingerprint behind idempotency.
//!
//! The store trusts the caller for business rules but not for shape: required text is
//! non-empty, bounded and free of NUL (PostgreSQL text cannot hold it), credit codes are 18
//! upper-case characters, years lie in 2016..=9999, amounts fit, payloads are bounded. It
//! never parses payload texts.

use sha2::{Digest, Sha256};
use unicode_normalization::UnicodeNormalization;

use crate::error::StoreError;
use crate::model::{Actor, Filing};

/// Default page size when the caller passes 0.
pub const DEFAULT_PAGE_SIZE: u32 = 50;
/// Largest page size; larger requests are clamped to it.
pub const MAX_PAGE_SIZE: u32 = 1000;
/// Longest accepted text field (bytes), payloads excepted.
const MAX_TEXT: usize = 4096;
/// Longest accepted payload text (bytes).
const MAX_PAYLOAD: usize = 4 * 1024 * 1024;
/// Largest attachment the store accepts (the server sets the real limit, lower).
pub(crate) const MAX_ATTACHMENT: usize = 64 * 1024 * 1024;
/// Most files an applicant holds on one claim (an application's standard
/// text, notice and certificates fit many times over).
pub const MAX_CLAIM_ATTACHMENTS: i64 = 30;
/// Most bytes of files one claim holds.
pub const MAX_CLAIM_ATTACHMENT_BYTES: i64 = 100 * 1024 * 1024;
/// Most files one applicant (credit code) holds over all its claims.
pub const MAX_APPLICANT_ATTACHMENTS: i64 = 300;
/// Most bytes of files one applicant (credit code) holds over all its claims.
pub const MAX_APPLICANT_ATTACHMENT_BYTES: i64 = 1024 * 1024 * 1024;
/// Budget years.
pub(crate) const YEARS: std::ops::RangeInclusive<i32> = 2016..=9999;
/// Most claims in one batch review.
pub(crate) const MAX_BATCH: usize = 1000;

/// Required text: non-empty after trimming, at most 4096 bytes, no NUL.
pub(crate) fn text(field: &'static str, value: &str) -> Result<(), StoreError> {
    if value.trim().is_empty() {
        return Err(StoreError::invalid(field, "must not be empty"));
    }
    optional_text(field, value)
}

/// Text that may be empty: at most 4096 bytes, no NUL.
pub(crate) fn optional_text(field: &'static str, value: &str) -> Result<(), StoreError> {
    if value.len() > MAX_TEXT {
        return Err(StoreError::invalid(
            field,
            format!("longer than {MAX_TEXT} bytes"),
        ));
    }
    if value.contains('\0') {
        return Err(StoreError::invalid(field, "contains a NUL character"));
    }
    Ok(())
}

/// An opaque payload: at most 4 MiB, no NUL. Never parsed.
pub(crate) fn payload(field: &'static str, value: &str) -> Result<(), StoreError> {
    if value.len() > MAX_PAYLOAD {
        return Err(StoreError::invalid(
            field,
            format!("longer than {MAX_PAYLOAD} bytes"),
        ));
    }
    if value.contains('\0') {
        return Err(StoreError::invalid(field, "contains a NUL character"));
    }
    Ok(())
}

/// A budget year.
pub(crate) fn year(field: &'static str, y: i32) -> Result<(), StoreError> {
    if YEARS.contains(&y) {
        Ok(())
    } else {
        Err(StoreError::invalid(
            field,
            format!("{y} is outside {}..={}", YEARS.start(), YEARS.end()),
        ))
    }
}

/// The acting subject and role.
pub(crate) fn actor(a: &Actor) -> Result<(), StoreError> {
    text("actor.subject", &a.subject)?;
    text("actor.role", &a.role)
}

/// A credit code as the server normalised it: 18 characters of `0-9A-Z`.
pub(crate) fn credit_code(value: &str) -> Result<(), StoreError> {
    if value.len() == 18
        && value
            .bytes()
            .all(|b| b.is_ascii_digit() || b.is_ascii_uppercase())
    {
        Ok(())
    } else {
        Err(StoreError::invalid(
            "credit_code",
            format!("{value:?} is not 18 upper-case letters and digits"),
        ))
    }
}

/// Every field of a filing.
pub(crate) fn filing(f: &Filing) -> Result<(), StoreError> {
    text("idempotency_key", &f.idempotency_key)?;
    text("submitted_by", &f.submitted_by)?;
    credit_code(&f.credit_code)?;
    text("unit_name", &f.unit_name)?;
    text("seat", &f.seat)?;
    text("fiscal_unit", &f.fiscal_unit)?;
    text("item", &f.item)?;
    optional_text("variant", &f.variant)?;
    text("clause", &f.clause)?;
    text("subject", &f.subject)?;
    text("subject_as_given", &f.subject_as_given)?;
    text("one_time_key", &f.one_time_key)?;
    year("year", f.year)?;
    if f.estimated_amount.to_fen().is_none() {
        return Err(StoreError::invalid("estimated_amount", "out of range"));
    }
    payload("application_json", &f.application_json)?;
    payload("estimate_json", &f.estimate_json)
}

/// The page size: 0 means 50, at most 1000.
pub(crate) fn page_size(requested: u32) -> u32 {
    match requested {
        0 => DEFAULT_PAGE_SIZE,
        n => n.min(MAX_PAGE_SIZE),
    }
}

/// A unit name folded for search: compatibility-normalised (NFKC: full-width letters,
/// digits and punctuation become half-width, the ideographic space a space) and upper case.
pub(crate) fn fold(s: &str) -> String {
    s.nfkc().flat_map(char::to_uppercase).collect()
}

/// The credit-code prefix a folded search text stands for. A code is often
/// typed or pasted in groups (`9135 0100 M000`) or, whole, with the letters
/// its alphabet leaves out for the digits they look like (`9135O100…`, the
/// `INVALID_CREDIT_CODE` advice of docs/DECISIONS.md D28): white space and
/// hyphens are taken out when what remains is of the code's alphabet, and a
/// whole code that is not one is read as the code
/// [`CreditCode::suggest`](stdfund_rules::ident::CreditCode::suggest)
/// offers (its check character must then match). Anything else is searched
/// as typed. The unit-name search keeps the text as typed.
pub(crate) fn credit_code_searched(folded: &str) -> String {
    use stdfund_rules::ident::CreditCode;
    let compact: String = folded
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .collect();
    if compact.len() == 18
        && CreditCode::parse(&compact).is_none()
        && let Some(code) = CreditCode::suggest(&compact)
    {
        return code.as_str().to_owned();
    }
    let alphabet = |c: char| c.is_ascii_digit() || (c.is_ascii_uppercase() && !"IOSVZ".contains(c));
    if compact.len() >= 2 && compact.chars().all(alphabet) {
        compact
    } else {
        folded.to_owned()
    }
}

/// Lower-case hex.
pub(crate) fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len().saturating_mul(2));
    for b in bytes {
        for nibble in [b >> 4, b & 0x0f] {
            out.push(char::from(
                DIGITS.get(usize::from(nibble)).copied().unwrap_or(b'0'),
            ));
        }
    }
    out
}

/// Feeds a length-prefixed field into a digest.
pub(crate) fn feed(h: &mut Sha256, field: &[u8]) {
    h.update(u64::try_from(field.len()).unwrap_or(u64::MAX).to_be_bytes());
    h.update(field);
}

/// The request fingerprint: SHA-256 over the client-supplied fields, each length-prefixed.
/// The server's derived answer (estimate, estimated amount, discretionary flag) is left out,
/// so a retry after a ruleset update is still the same request.
pub(crate) fn request_hash(f: &Filing) -> String {
    let mut h = Sha256::new();
    h.update(b"stdfund-request-v2");
    let year = f.year.to_string();
    let date = f.achievement_date.to_string();
    let confirmed = if f.credit_code_confirmed { "1" } else { "0" };
    for field in [
        f.credit_code.as_str(),
        confirmed,
        &f.unit_name,
        &f.seat,
        &f.fiscal_unit,
        &f.item,
        &f.variant,
        &f.clause,
        &f.subject,
        &f.subject_as_given,
        &f.one_time_key,
        &date,
        &year,
        &f.application_json,
    ] {
        feed(&mut h, field.as_bytes());
    }
    hex(&h.finalize())
}

#[cfg(test)]
mod tests {
    #![allow(
        clippy::unwrap_used,
        clippy::arithmetic_side_effects,
        clippy::indexing_slicing
    )]
    use super::*;
    use stdfund_rules::date::Date;
    use stdfund_rules::money::Money;

    fn filing() -> Filing {
        Filing {
            idempotency_key: "k".into(),
            submitted_by: "u".into(),
            credit_code: "91350100M000100Y43".into(),
            credit_code_confirmed: false,
            unit_name: "n".into(),
            seat: "350102".into(),
            fiscal_unit: "350102".into(),
            item: "i".into(),
            variant: String::new(),
            clause: "1".into(),
            subject: "GB/T 1-2020".into(),
            subject_as_given: "GB/T 1-2020".into(),
            one_time_key: "otk".into(),
            achievement_date: Date::parse("2020-01-01").unwrap(),
            year: 2020,
            estimated_amount: Money::parse_yuan("100").unwrap(),
            discretionary: false,
            application_json: "{}".into(),
            estimate_json: "{}".into(),
        }
    }

    #[test]
    fn fingerprint_ignores_the_answer_but_not_the_request() {
        let a = filing();
        let mut b = filing();
        b.estimate_json = "{\"x\":1}".into();
        b.estimated_amount = Money::ZERO;
        b.discretionary = true;
        assert_eq!(request_hash(&a), request_hash(&b));
        let mut c = filing();
        c.application_json = "{ }".into();
        assert_ne!(request_hash(&a), request_hash(&c));
        let mut d = filing();
        d.variant = "x".into();
        assert_ne!(request_hash(&a), request_hash(&d));
        assert_eq!(request_hash(&a).len(), 64);
    }

    #[test]
    fn folding_is_width_and_case_insensitive() {
        assert_eq!(fold("福州ａｂｃ科技（ＸＹＺ）"), "福州ABC科技(XYZ)");
        assert_eq!(fold("abc\u{3000}d"), "ABC D");
    }

    #[test]
    fn shapes() {
        assert!(credit_code("91350100M000100Y43").is_ok());
        assert!(credit_code("91350100m000100y43").is_err());
        assert!(text("f", " ").is_err());
        assert!(text("f", "a\0").is_err());
        assert!(year("y", 2015).is_err());
        assert_eq!(page_size(0), 50);
        assert_eq!(page_size(u32::MAX), 1000);
    }
}
