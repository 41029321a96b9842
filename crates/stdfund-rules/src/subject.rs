//! The canonical subject of an achievement (RULES.md §5): what the one-time
//! key, `DUPLICATE_IN_REQUEST`, `CONFLICTS_WITH_LEAD` and the registry's
//! `ALREADY_GRANTED` compare. One function per subject kind of the ruleset;
//! the request reader and the registry's re-keying both call [`canonical`],
//! which applies [`crate::canon`] by subject kind.

use crate::canon::{self, CanonError};
use crate::date::Date;
use crate::domain::{StandardCode, Subject};
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
}

impl From<CanonError> for SubjectProblem {
    fn from(e: CanonError) -> Self {
        match e {
            CanonError::Blank => SubjectProblem::Blank,
            CanonError::Empty => SubjectProblem::Empty,
            CanonError::NotAStandardNumber => SubjectProblem::NotAStandardNumber,
            CanonError::ForeignLetters => SubjectProblem::ForeignLetters,
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
            let n = canon::standard_number(raw)?;
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
        SubjectKind::Committee => Ok((
            Subject {
                text: canon::committee(raw)?,
                standard: None,
            },
            None,
        )),
        SubjectKind::Reference => Ok((
            Subject {
                text: canon::text(raw)?,
                standard: None,
            },
            None,
        )),
    }
}
