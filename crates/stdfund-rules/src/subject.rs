//! The canonical subject of an achievement (RULES.md §5): what the one-time
//! key, `DUPLICATE_IN_REQUEST`, `CONFLICTS_WITH_LEAD` and the registry's
//! `ALREADY_GRANTED` compare. One function per subject kind of the ruleset;
//! the request reader and the registry's re-keying both call [`canonical`].

use crate::date::Date;
use crate::domain::{StandardCode, Subject};
use crate::ident;
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
}

/// The canonical subject of `raw` for an item whose subjects are of `kind`,
/// with the award year (from `date`) for awards.
pub fn canonical(
    kind: SubjectKind,
    raw: &str,
    date: Date,
) -> Result<(Subject, Option<u16>), SubjectProblem> {
    if raw.trim().is_empty() {
        return Err(SubjectProblem::Blank);
    }
    match kind {
        SubjectKind::StandardNumber | SubjectKind::AwardedStandard => {
            let n =
                ident::normalise_standard_number(raw).ok_or(SubjectProblem::NotAStandardNumber)?;
            let code = StandardCode {
                len: n.code.len(),
                implied_variant: n.implied_level().variant_id(),
            };
            let year = (kind == SubjectKind::AwardedStandard).then(|| date.year());
            Ok((
                Subject {
                    text: n.canonical(),
                    standard: Some(code),
                },
                year,
            ))
        }
        SubjectKind::Committee | SubjectKind::Reference => {
            let text = ident::normalise_free(raw);
            if text.is_empty() {
                return Err(SubjectProblem::Empty);
            }
            Ok((
                Subject {
                    text,
                    standard: None,
                },
                None,
            ))
        }
    }
}
