//! Step 5 — `NOT_YET_ACCEPTED` / `NOT_YET_APPROVED`: the clause's condition
//! (验收通过 / 结题验收合格 for clauses 5–6, 获得批准 for clause 8) is not met;
//! the line is pending, payable once it is.

use super::{Cx, Lang, ReasonCode, push_lowercase};
use crate::domain::Achievement;
use crate::ruleset::{Condition, Item};

/// Code: acceptance not yet passed.
pub const NOT_YET_ACCEPTED: &str = "NOT_YET_ACCEPTED";
/// Code: approval not yet granted.
pub const NOT_YET_APPROVED: &str = "NOT_YET_APPROVED";

/// Which condition is unmet.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Pending {
    /// Not yet accepted.
    NotYetAccepted,
    /// Not yet approved.
    NotYetApproved,
}

/// Whether the item's condition leaves the line pending.
pub fn check(item: &Item, a: &Achievement<'_, '_>) -> Option<Pending> {
    match item.doc.condition {
        Condition::Accepted if !a.accepted => Some(Pending::NotYetAccepted),
        Condition::Approved if !a.approved => Some(Pending::NotYetApproved),
        _ => None,
    }
}

impl Pending {
    /// The stable code.
    pub fn code(self) -> ReasonCode {
        match self {
            Pending::NotYetAccepted => ReasonCode::NotYetAccepted,
            Pending::NotYetApproved => ReasonCode::NotYetApproved,
        }
    }

    /// Appends the explanation.
    pub fn explain(&self, cx: Cx<'_, '_, '_>, lang: Lang, out: &mut String) {
        let Some(item) = cx.line.item else { return };
        let clause = &item.doc.clause;
        match (self, lang) {
            (Pending::NotYetAccepted, Lang::Zh) => {
                out.push_str(&item.doc.name_zh);
                out.push_str("尚未通过验收,验收通过后方可获得资助(");
                out.push_str(clause);
                out.push_str(")。");
            }
            (Pending::NotYetAccepted, Lang::En) => {
                out.push_str("the ");
                push_lowercase(out, &item.doc.name_en);
                out.push_str(" has not yet passed acceptance; it is payable once accepted (");
                out.push_str(clause);
                out.push(')');
            }
            (Pending::NotYetApproved, Lang::Zh) => {
                out.push_str(&item.doc.name_zh);
                out.push_str("尚未获得批准,批准后方可获得资助(");
                out.push_str(clause);
                out.push_str(")。");
            }
            (Pending::NotYetApproved, Lang::En) => {
                out.push_str("the application is not yet approved; it is payable once approved (");
                out.push_str(clause);
                out.push(')');
            }
        }
    }
}
