//! The canonical subject of an achievement (RULES.md §5): what the one-time
//! key, `DUPLICATE_IN_REQUEST`, `CONFLICTS_WITH_LEAD` and the registry's
//! `ALREADY_GRANTED` compare. One function per subject kind of the ruleset;
//! the request reader and the registry's re-keying both call [`canonical`],
//! which applies [`crate::canon`] by subject kind.

use crate::canon::{self, CanonError};
use crate::date::Date;
use crate::domain::{StandardCode, Subject};
use crate::error::{Error, StandardNumberFault, SubjectFault};
use crate::ruleset::SubjectKind;

/// Why a subject has no canonical form.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SubjectProblem {
    /// Nothing but white space was given.
    Blank,
    /// Nothing is left once invisible characters and punctuation are removed.
    Empty,
    /// A standard subject that is no standard number.
    NotAStandardNumber,
    /// A standard number with letters outside its scheme (Cyrillic or Greek
    /// look-alikes of Latin letters).
    ForeignLetters,
    /// A standard number with a two-digit year on an achievement dated from
    /// [`FOUR_DIGIT_YEARS_FROM`] on ([`four_digit_meant`] offers the full year).
    TwoDigitYear,
    /// A standard number with its year typed twice or in a part's place.
    YearMisplaced,
    /// A standard number whose local code is a shorter code padded with
    /// zeros (`DB3500/T`, `DB350100/T`): the number as issued is offered.
    PaddedDivisionCode,
    /// A committee code with a character that passes for Latin (a look-alike).
    CommitteeLookAlikes,
    /// ASCII text that is no committee code (`SAC/TC 88/`).
    NotACommitteeCode,
    /// A committee code without its organisation (`TC 28`) or its number
    /// (`SAC/TC 八四五`).
    CommitteeIncomplete,
    /// Two different committee codes in one subject.
    TwoCommitteeCodes,
    /// A reference mixing Latin letters with Greek or Cyrillic look-alikes.
    MixedLookAlikes,
    /// A character that shows as a blank, has no agreed meaning, or is not a
    /// letter, number or common punctuation ([`canon::hidden_character`]).
    HiddenCharacters(char),
    /// A canonical form longer than [`MAX_CANONICAL_BYTES`] (NFKC expands
    /// some characters up to 18-fold).
    TooLong,
}

/// The longest canonical subject, in bytes of UTF-8: a subject of 200
/// characters of any script fits; one that NFKC blows up past it
/// (`\u{FDFA}` becomes 18 letters) is refused in an estimate as in the
/// registry, which stores the canonical form.
pub const MAX_CANONICAL_BYTES: usize = 1024;

/// From 2000 on, standard numbers carry four-digit years (GB/T 1.1-2000), so
/// a two-digit year (`GB/T 23456-20`) on an achievement dated from then on is
/// refused instead of becoming a subject of its own beside
/// `GB/T 23456-2020` (docs/DECISIONS.md C9): one achievement, one key.
pub const FOUR_DIGIT_YEARS_FROM: u16 = 2000;

/// A standard number as an achievement of `date` may carry it: a two-digit
/// year from [`FOUR_DIGIT_YEARS_FROM`] on is [`SubjectProblem::TwoDigitYear`].
/// Without a date (a form field read before the date is typed), only the
/// number itself is read. The estimate and the form helper both read
/// standard numbers here.
pub fn standard_number(
    raw: &str,
    date: Option<Date>,
) -> Result<canon::StandardNumber, SubjectProblem> {
    let n = canon::standard_number(raw)?;
    if n.two_digit_year().is_some() && date.is_some_and(|d| d.year() >= FOUR_DIGIT_YEARS_FROM) {
        return Err(SubjectProblem::TwoDigitYear);
    }
    Ok(n)
}

impl SubjectProblem {
    /// The input error for the subject `raw` at `path` refused so, on an
    /// achievement of `date` (which the offered four-digit year needs).
    pub fn into_error(self, path: String, raw: &str, date: Option<Date>) -> Error {
        let subject_fault = |fault| Error::InvalidSubject {
            path: path.clone(),
            value: raw.into(),
            fault,
        };
        let fault = match self {
            SubjectProblem::Blank => return Error::MissingField { path },
            SubjectProblem::Empty => return subject_fault(SubjectFault::Empty),
            SubjectProblem::CommitteeLookAlikes => {
                return subject_fault(SubjectFault::CommitteeLookAlikes);
            }
            SubjectProblem::NotACommitteeCode => {
                return subject_fault(SubjectFault::NotACommitteeCode);
            }
            SubjectProblem::CommitteeIncomplete => {
                return subject_fault(SubjectFault::CommitteeIncomplete);
            }
            SubjectProblem::TwoCommitteeCodes => {
                return subject_fault(SubjectFault::TwoCommitteeCodes);
            }
            SubjectProblem::MixedLookAlikes => return subject_fault(SubjectFault::MixedLookAlikes),
            SubjectProblem::HiddenCharacters(c) => {
                return subject_fault(SubjectFault::HiddenCharacters(c));
            }
            SubjectProblem::TooLong => {
                return Error::FieldTooLong {
                    path,
                    limit: MAX_CANONICAL_BYTES,
                    bytes: true,
                };
            }
            SubjectProblem::NotAStandardNumber => StandardNumberFault::Unreadable,
            SubjectProblem::ForeignLetters => StandardNumberFault::LookAlikes,
            SubjectProblem::YearMisplaced => StandardNumberFault::YearMisplaced,
            SubjectProblem::PaddedDivisionCode => {
                return Error::InvalidStandardNumber {
                    path,
                    value: raw.into(),
                    fault: StandardNumberFault::PaddedDivisionCode,
                    meant: unpadded_meant(raw, date),
                };
            }
            SubjectProblem::TwoDigitYear => {
                return Error::InvalidStandardNumber {
                    path,
                    value: raw.into(),
                    fault: StandardNumberFault::TwoDigitYear,
                    meant: date.and_then(|d| four_digit_meant(raw, d)),
                };
            }
        };
        Error::invalid_standard_number(path, raw, fault)
    }
}

/// The four-digit form a refused two-digit year probably meant, for the
/// message only: `20yy` when that year is not after the achievement's date,
/// otherwise `19yy` (`GB/T 23456-20` of 2021 → `GB/T 23456-2020`,
/// `GB 1234-88` → `GB 1234-1988`).
fn four_digit_meant(raw: &str, date: Date) -> Option<String> {
    let n = canon::standard_number(raw).ok()?;
    let yy = n.two_digit_year()?;
    let this_century = yy.checked_add(2000)?;
    let year = if this_century <= date.year() {
        this_century
    } else {
        yy.checked_add(1900)?
    };
    Some(n.with_year(year))
}

/// The number a standard number with a padded local code meant
/// ([`canon::standard_number_meant`]), with its two-digit year written in
/// full when the achievement's date refuses it (`DB3500/T 1-20` of 2021 →
/// `DB35/T 1-2020`), so that the offer is itself accepted.
fn unpadded_meant(raw: &str, date: Option<Date>) -> Option<String> {
    let meant = canon::standard_number_meant(raw)?;
    match (standard_number(&meant, date), date) {
        (Err(SubjectProblem::TwoDigitYear), Some(d)) => four_digit_meant(&meant, d),
        _ => Some(meant),
    }
}

impl From<CanonError> for SubjectProblem {
    fn from(e: CanonError) -> Self {
        match e {
            CanonError::Blank => SubjectProblem::Blank,
            CanonError::Empty => SubjectProblem::Empty,
            CanonError::NotAStandardNumber => SubjectProblem::NotAStandardNumber,
            CanonError::YearMisplaced => SubjectProblem::YearMisplaced,
            CanonError::ForeignLetters => SubjectProblem::ForeignLetters,
            CanonError::PaddedDivisionCode => SubjectProblem::PaddedDivisionCode,
        }
    }
}

/// The canonical subject of `raw` for an item whose subjects are of `kind`,
/// with the award year (from `date`) for awards.
pub fn canonical(
    kind: SubjectKind,
    raw: &str,
    date: Date,
) -> Result<(Subject, Option<u16>), SubjectProblem> {
    match kind {
        SubjectKind::StandardNumber | SubjectKind::AwardedStandard => {
            let n = standard_number(raw, Some(date))?;
            let code = StandardCode {
                len: n.prefix().len(),
                implied_variant: n.implied_level().variant_id(),
            };
            let year = (kind == SubjectKind::AwardedStandard).then(|| date.year());
            Ok((
                Subject {
                    text: n.into_canonical(),
                    standard: Some(code),
                },
                year,
            ))
        }
        SubjectKind::Committee => {
            let text = canon::committee_checked(raw)?.map_err(|fault| match fault {
                canon::CommitteeFault::LookAlikes => SubjectProblem::CommitteeLookAlikes,
                canon::CommitteeFault::NotACode => SubjectProblem::NotACommitteeCode,
                canon::CommitteeFault::Incomplete => SubjectProblem::CommitteeIncomplete,
                canon::CommitteeFault::TwoCodes => SubjectProblem::TwoCommitteeCodes,
            })?;
            Ok((
                Subject {
                    text: within_bound(text)?,
                    standard: None,
                },
                None,
            ))
        }
        SubjectKind::Reference => {
            let text = canon::text(raw)?;
            if canon::mixes_look_alikes(&text) {
                return Err(SubjectProblem::MixedLookAlikes);
            }
            Ok((
                Subject {
                    text: within_bound(text)?,
                    standard: None,
                },
                None,
            ))
        }
    }
}

/// A canonical committee or reference subject as kept: within
/// [`MAX_CANONICAL_BYTES`], and with no character that hides
/// ([`canon::hidden_character`]).
fn within_bound(text: String) -> Result<String, SubjectProblem> {
    if text.len() > MAX_CANONICAL_BYTES {
        Err(SubjectProblem::TooLong)
    } else if let Some(c) = canon::hidden_character(&text) {
        Err(SubjectProblem::HiddenCharacters(c))
    } else {
        Ok(text)
    }
}
