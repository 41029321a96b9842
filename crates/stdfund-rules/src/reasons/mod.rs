//! Why a line is what it is: one [`Reason`] per line, one module per decision
//! step of RULES.md §7 (ruff's habit: each module holds its step's logic, its
//! stable code and its Chinese and English explanation together).
//!
//! The engine runs the steps in order ([`crate::engine`]); the first that
//! applies decides. Explanations are rendered here, at the edge, from the
//! typed facts a reason carries — never concatenated during evaluation.
//!
//! Adding a reason: a new module with its facts type, `code`, `status` and
//! `explain`; a new [`Reason`] variant; a new [`ReasonCode`]. The compiler
//! then points at every `match` that must learn it.

pub mod condition;
pub mod conflicts;
pub mod discretionary;
pub mod duplicate;
pub mod eligible;
pub mod no_policy;
pub mod not_covered;
pub mod outside;

use crate::domain::{Assessment, Line, LineStatus};

/// The language of a rendered message.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Lang {
    /// Chinese (zh-CN), the first language of every message.
    Zh,
    /// English (en-US).
    En,
}

/// What an explanation may refer to: the line and the whole assessment.
#[derive(Clone, Copy, Debug)]
pub struct Cx<'e, 'x, 'r> {
    /// The line explained.
    pub line: &'e Line<'x, 'r>,
    /// The assessment it belongs to.
    pub assessment: &'e Assessment<'x, 'r>,
}

/// The stable reason codes (the `reasonCode` of a line).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, strum::EnumIter)]
pub enum ReasonCode {
    /// Eligible, pays C − H.
    Eligible,
    /// Eligible, but H ≥ C: pays 0.
    CoveredByHigherLevel,
    /// No ruleset in force on the line's date.
    NoPolicyInForce,
    /// Item, variant or role not granted.
    NotCovered,
    /// Same one-time key as an earlier line.
    DuplicateInRequest,
    /// Participation in a standard the application also leads.
    ConflictsWithLead,
    /// Acceptance not yet passed.
    NotYetAccepted,
    /// Approval not yet granted.
    NotYetApproved,
    /// Clause 9: a reviewer sets the amount.
    Discretionary,
    /// The applicant's seat is outside the jurisdiction (v1 name: `OUTSIDE_FUZHOU`).
    OutsideJurisdiction,
}

impl ReasonCode {
    /// The stable code.
    pub fn as_str(self) -> &'static str {
        match self {
            ReasonCode::Eligible => eligible::ELIGIBLE,
            ReasonCode::CoveredByHigherLevel => eligible::COVERED_BY_HIGHER_LEVEL,
            ReasonCode::NoPolicyInForce => no_policy::CODE,
            ReasonCode::NotCovered => not_covered::CODE,
            ReasonCode::DuplicateInRequest => duplicate::CODE,
            ReasonCode::ConflictsWithLead => conflicts::CODE,
            ReasonCode::NotYetAccepted => condition::NOT_YET_ACCEPTED,
            ReasonCode::NotYetApproved => condition::NOT_YET_APPROVED,
            ReasonCode::Discretionary => discretionary::CODE,
            ReasonCode::OutsideJurisdiction => outside::CODE,
        }
    }
    /// The code with this spelling.
    pub fn parse(s: &str) -> Option<ReasonCode> {
        use strum::IntoEnumIterator;
        ReasonCode::iter().find(|c| c.as_str() == s)
    }
    /// A clerk's plain Chinese label (tables, the portal, the workbench).
    pub fn label_zh(self) -> &'static str {
        match self {
            ReasonCode::Eligible => "可获资助",
            ReasonCode::CoveredByHigherLevel => "上级已足额资助",
            ReasonCode::NoPolicyInForce => "无适用政策",
            ReasonCode::NotCovered => "不予资助",
            ReasonCode::DuplicateInRequest => "本申请内重复",
            ReasonCode::ConflictsWithLead => "与主导标准冲突",
            ReasonCode::NotYetAccepted => "尚未验收",
            ReasonCode::NotYetApproved => "尚未批准",
            ReasonCode::Discretionary => "待评审核定",
            ReasonCode::OutsideJurisdiction => "不在政策适用地区",
        }
    }

    /// The same label in English.
    pub fn label_en(self) -> &'static str {
        match self {
            ReasonCode::Eligible => "eligible",
            ReasonCode::CoveredByHigherLevel => "covered by higher-level funding",
            ReasonCode::NoPolicyInForce => "no policy in force",
            ReasonCode::NotCovered => "not covered",
            ReasonCode::DuplicateInRequest => "duplicate in this application",
            ReasonCode::ConflictsWithLead => "conflicts with the lead claim",
            ReasonCode::NotYetAccepted => "not yet accepted",
            ReasonCode::NotYetApproved => "not yet approved",
            ReasonCode::Discretionary => "amount set by a reviewer",
            ReasonCode::OutsideJurisdiction => "outside the policy's area",
        }
    }
}

/// Why a line is what it is, with the facts its explanation needs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reason<'r> {
    /// The seat lies outside the jurisdiction (application level).
    OutsideJurisdiction(outside::Outside<'r>),
    /// Step 1: no ruleset in force on the date.
    NoPolicyInForce(no_policy::NoPolicy),
    /// Step 2: not granted.
    NotCovered(not_covered::NotCovered),
    /// Step 3: duplicate of an earlier line.
    DuplicateInRequest(duplicate::Duplicate),
    /// Step 4: participation where the application leads.
    ConflictsWithLead(conflicts::ConflictsWithLead),
    /// Step 5: the clause's condition is not met.
    Pending(condition::Pending),
    /// Step 6: clause 9.
    Discretionary(discretionary::Discretionary),
    /// Step 7: eligible (with the top-up).
    Eligible(eligible::Eligible),
}

impl Reason<'_> {
    /// The stable code.
    pub fn code(&self) -> ReasonCode {
        match self {
            Reason::OutsideJurisdiction(_) => ReasonCode::OutsideJurisdiction,
            Reason::NoPolicyInForce(_) => ReasonCode::NoPolicyInForce,
            Reason::NotCovered(_) => ReasonCode::NotCovered,
            Reason::DuplicateInRequest(_) => ReasonCode::DuplicateInRequest,
            Reason::ConflictsWithLead(_) => ReasonCode::ConflictsWithLead,
            Reason::Pending(p) => p.code(),
            Reason::Discretionary(_) => ReasonCode::Discretionary,
            Reason::Eligible(e) => e.code(),
        }
    }

    /// The line status this reason gives.
    pub fn status(&self) -> LineStatus {
        match self {
            Reason::OutsideJurisdiction(_)
            | Reason::NoPolicyInForce(_)
            | Reason::NotCovered(_)
            | Reason::DuplicateInRequest(_)
            | Reason::ConflictsWithLead(_) => LineStatus::Ineligible,
            Reason::Pending(_) => LineStatus::Pending,
            Reason::Discretionary(_) => LineStatus::Discretionary,
            Reason::Eligible(_) => LineStatus::Eligible,
        }
    }

    /// Whether the explanation is made only of texts of the line's ruleset,
    /// amounts and literals holding nothing JSON escapes — no text of the
    /// request: under a ruleset whose texts need no escaping
    /// ([`crate::ruleset::Ruleset::json_clean`]) the answer writer copies it
    /// without looking. (`DISCRETIONARY` quotes the text with `"`; others
    /// name request texts.)
    pub fn prose_from_ruleset_only(&self) -> bool {
        match self {
            Reason::Eligible(_) | Reason::Pending(_) => true,
            Reason::OutsideJurisdiction(_)
            | Reason::NoPolicyInForce(_)
            | Reason::NotCovered(_)
            | Reason::DuplicateInRequest(_)
            | Reason::ConflictsWithLead(_)
            | Reason::Discretionary(_) => false,
        }
    }

    /// Appends the line's explanation in `lang`.
    pub fn explain(&self, cx: Cx<'_, '_, '_>, lang: Lang, out: &mut String) {
        match self {
            Reason::OutsideJurisdiction(r) => r.explain(lang, out),
            Reason::NoPolicyInForce(r) => r.explain(cx, lang, out),
            Reason::NotCovered(r) => r.explain(cx, lang, out),
            Reason::DuplicateInRequest(r) => r.explain(cx, lang, out),
            Reason::ConflictsWithLead(r) => r.explain(cx, lang, out),
            Reason::Pending(r) => r.explain(cx, lang, out),
            Reason::Discretionary(r) => r.explain(cx, lang, out),
            Reason::Eligible(r) => r.explain(cx, lang, out),
        }
    }
}

/// Appends `s` with every character lower-cased (no allocation).
pub(crate) fn push_lowercase(out: &mut String, s: &str) {
    for c in s.chars() {
        out.extend(c.to_lowercase());
    }
}
