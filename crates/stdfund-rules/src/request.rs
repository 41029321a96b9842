//! Reading a request into the domain: every field of the proto3 JSON mapping
//! (or of a proto message converted to it) is validated into typed values,
//! and each problem is a typed [`Error`] with a stable code and the field
//! path (`achievements[2].date`). The order of the checks is part of the
//! contract: the first problem found is the one reported.

use crate::date::Date;
use crate::domain::{Achievement, Applicant, Application, FundingLevel, InputHash, Role};
use crate::engine::{MAX_ACHIEVEMENTS, MAX_FUNDING_ENTRIES, MAX_TEXT_CHARS};
use crate::error::Error;
use crate::ident::CreditCode;
use crate::json::dto::{self, EnumIn};
use crate::money::Money;
use crate::ruleset::RuleBook;
use crate::subject;
use sha2::{Digest, Sha256};

/// A text field, trimmed; required ones may not be empty.
fn text(value: &str, path: impl FnOnce() -> String, required: bool) -> Result<&str, Error> {
    // Nearly every value begins and ends with a visible ASCII character, so
    // there is no white space to trim at either end.
    let v = match (value.as_bytes().first(), value.as_bytes().last()) {
        (Some(f), Some(l)) if f.is_ascii_graphic() && l.is_ascii_graphic() => value,
        _ => value.trim(),
    };
    if required && v.is_empty() {
        return Err(Error::MissingField { path: path() });
    }
    // Counting characters only matters past the byte bound.
    if v.len() > MAX_TEXT_CHARS && v.chars().count() > MAX_TEXT_CHARS {
        return Err(Error::FieldTooLong {
            path: path(),
            limit: MAX_TEXT_CHARS,
            bytes: false,
        });
    }
    Ok(v)
}

/// The sha256 of the canonical request.
pub fn input_hash(request: &dto::EstimateRequest<'_>) -> InputHash {
    hash_clean(request).0
}

/// The input hash, and whether none of the request's texts needs JSON
/// escaping (found while writing the canonical request).
fn hash_clean(request: &dto::EstimateRequest<'_>) -> (InputHash, bool) {
    let (canonical, clean) = crate::json::write::request_clean(request);
    (
        InputHash(Sha256::digest(canonical.as_bytes()).into()),
        clean,
    )
}

/// Reads a request into an application, validated against `book`.
pub fn read<'a, 'r>(
    book: &'r RuleBook,
    request: &'a dto::EstimateRequest<'_>,
    what_if: bool,
) -> Result<Application<'a, 'r>, Error> {
    // Applicant.
    let a = &request.applicant;
    let raw_code = text(&a.credit_code, || "applicant.creditCode".into(), true)?;
    let (credit_code, check) =
        CreditCode::parse(raw_code).ok_or_else(|| Error::InvalidCreditCode {
            path: "applicant.creditCode".into(),
            value: raw_code.into(),
            meant: CreditCode::suggest(raw_code),
        })?;
    let name = text(&a.name, || "applicant.name".into(), false)?;
    let seat = text(&a.seat, || "applicant.seat".into(), true)?;
    let place = book.place_or_refuse(seat, "applicant.seat")?;
    let jurisdiction = place.jurisdiction().code.as_str();

    // Achievements.
    if request.achievements.len() > MAX_ACHIEVEMENTS {
        return Err(Error::TooManyEntries {
            path: "achievements".into(),
            limit: MAX_ACHIEVEMENTS,
        });
    }
    let mut achievements = Vec::with_capacity(request.achievements.len());
    let mut ids = crate::seen::FirstSeen::with_capacity(request.achievements.len(), |id: &&str| {
        crate::seen::hash_str(id)
    });
    for (i, raw) in request.achievements.iter().enumerate() {
        let ach = achievement(book, jurisdiction, i, raw)?;
        if ids.first(ach.id, i).is_some() {
            return Err(Error::DuplicateAchievementId {
                path: format!("achievements[{i}].id"),
                value: raw.id.to_string(),
            });
        }
        achievements.push(ach);
    }
    let (input_hash, json_clean) = hash_clean(request);
    Ok(Application {
        applicant: Applicant {
            credit_code,
            check,
            name,
            seat,
            place,
        },
        achievements,
        input_hash,
        json_clean,
        what_if,
    })
}

fn achievement<'a, 'r>(
    book: &'r RuleBook,
    jurisdiction: &str,
    i: usize,
    raw: &'a dto::Achievement<'_>,
) -> Result<Achievement<'a, 'r>, Error> {
    let path = |f: &str| format!("achievements[{i}].{f}");
    let id = text(&raw.id, || path("id"), true)?;
    let item_id = text(&raw.item, || path("item"), true)?;
    let item = book
        .any_item(jurisdiction, item_id)
        .ok_or_else(|| Error::UnknownItem {
            path: path("item"),
            value: item_id.into(),
            meant: book.item_meant(jurisdiction, item_id),
        })?;
    let variant_id = text(&raw.variant, || path("variant"), true)?;
    let variant = book
        .rulesets()
        .iter()
        .filter(|r| r.jurisdiction().code == jurisdiction)
        .filter_map(|r| r.item(item_id))
        .find_map(|it| it.variant(variant_id))
        .ok_or_else(|| Error::UnknownVariant {
            path: path("variant"),
            item: item_id.into(),
            value: variant_id.into(),
            meant: book.variant_meant(jurisdiction, item_id, variant_id),
        })?;
    let raw_subject = text(&raw.subject, || path("subject"), true)?;
    let date_s = text(&raw.date, || path("date"), true)?;
    let date = Date::parse(date_s).ok_or_else(|| Error::InvalidDate {
        path: path("date"),
        value: date_s.into(),
        hint: Date::hint(date_s),
    })?;
    let role = match &raw.role {
        EnumIn::Unset => Role::Unspecified,
        EnumIn::Set(r) => *r,
        other => {
            return Err(Error::invalid_enum_value::<Role>(
                path("role"),
                other.unknown_text().unwrap_or_default(),
                "ROLE_UNSPECIFIED, ROLE_LEAD, ROLE_PARTICIPANT".into(),
            ));
        }
    };
    let (subject, award_year) = subject::canonical(item.doc.subject_kind, raw_subject, date)
        .map_err(|p| p.into_error(path("subject"), raw_subject, Some(date)))?;
    if raw.higher_level_funding.len() > MAX_FUNDING_ENTRIES {
        return Err(Error::TooManyEntries {
            path: path("higherLevelFunding"),
            limit: MAX_FUNDING_ENTRIES,
        });
    }
    let mut funding = Vec::with_capacity(raw.higher_level_funding.len());
    for (j, f) in raw.higher_level_funding.iter().enumerate() {
        let fpath = |x: &str| format!("achievements[{i}].higherLevelFunding[{j}].{x}");
        let level = match &f.level {
            EnumIn::Set(l) => *l,
            EnumIn::Unset => {
                return Err(Error::MissingField {
                    path: fpath("level"),
                });
            }
            other => {
                return Err(Error::invalid_enum_value::<FundingLevel>(
                    fpath("level"),
                    other.unknown_text().unwrap_or_default(),
                    FUNDING_LEVELS.into(),
                ));
            }
        };
        let amount_s = text(&f.amount, || fpath("amount"), true)?;
        let amount = Money::parse_yuan(amount_s).map_err(|p| Error::InvalidAmount {
            path: fpath("amount"),
            value: amount_s.into(),
            problem: p,
            write_as: crate::amount_input::parse_amount_input(amount_s).ok(),
        })?;
        text(&f.source, || fpath("source"), false)?;
        funding.push((level, amount));
    }
    Ok(Achievement {
        id,
        item: item.doc.id.as_str(),
        variant: variant.doc.id.as_str(),
        subject,
        subject_as_given: &raw.subject.0,
        award_year,
        date,
        role,
        accepted: raw.accepted,
        approved: raw.approved,
        funding,
    })
}

/// The funding levels a request may name.
pub const FUNDING_LEVELS: &str = "FUNDING_LEVEL_NATIONAL, FUNDING_LEVEL_PROVINCIAL, FUNDING_LEVEL_COUNTY, FUNDING_LEVEL_NON_FISCAL";

#[cfg(test)]
mod tests {
    use super::text;

    #[test]
    fn text_fields_are_trimmed_of_any_white_space() {
        let path = || String::from("x");
        for (given, read) in [
            ("GB/T 1-2020", "GB/T 1-2020"),
            (" 350102", "350102"),
            ("350102\t", "350102"),
            ("\u{3000}永泰海带\u{3000}", "永泰海带"),
            ("永泰海带", "永泰海带"),
            ("\u{a0}a\u{2003}", "a"),
            ("a", "a"),
            ("", ""),
        ] {
            assert_eq!(text(given, path, false).ok(), Some(read), "{given:?}");
        }
        assert!(text(" \u{3000} ", path, true).is_err());
    }
}
