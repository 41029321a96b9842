//! The seat lies outside the jurisdiction: every line is `OUTSIDE_FUZHOU`
//! (the v1 code; RULES.md §7, application level) and the total is 0.

use super::Lang;
use crate::ruleset::{ExcludedSeatDoc, JurisdictionDoc, Place};

/// The stable code (v1 contract name).
pub const CODE: &str = "OUTSIDE_FUZHOU";

/// The facts: whose area the seat is outside, and the explicit exclusion
/// that names it, if any.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Outside<'r> {
    /// The jurisdiction (its names appear in the explanation).
    pub jurisdiction: &'r JurisdictionDoc,
    /// The ruleset's explicit exclusion of the seat.
    pub excluded: Option<&'r ExcludedSeatDoc>,
}

/// Whether the applicant's place makes every line ineligible.
pub fn check(place: Place<'_>) -> Option<Outside<'_>> {
    match place {
        Place::Inside { .. } => None,
        Place::Outside { excluded, .. } => Some(Outside {
            jurisdiction: place.jurisdiction(),
            excluded,
        }),
    }
}

impl Outside<'_> {
    /// Appends the explanation.
    pub fn explain(&self, lang: Lang, out: &mut String) {
        match (self.excluded, lang) {
            (Some(ex), Lang::Zh) => {
                out.push_str("申请单位所在地");
                out.push_str(&ex.name_zh);
                out.push_str("不在本政策适用范围内:");
                out.push_str(&ex.reason_zh);
            }
            (Some(ex), Lang::En) => {
                out.push_str("the applicant's seat, ");
                out.push_str(&ex.name_en);
                out.push_str(", is outside the policy's area: ");
                out.push_str(&ex.reason_en);
            }
            (None, Lang::Zh) => {
                out.push_str("申请单位所在地不在");
                out.push_str(&self.jurisdiction.name_zh);
                out.push_str("本级及所辖县(市)区范围内,不予资助。");
            }
            (None, Lang::En) => {
                out.push_str("the applicant's seat is outside ");
                out.push_str(&self.jurisdiction.name_en);
                out.push_str(" and its districts and counties, so nothing is payable");
            }
        }
    }
}
