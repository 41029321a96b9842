//! The typed domain: a validated application going in, an assessment coming
//! out. No wire shapes here — the JSON mapping lives in [`crate::json`], the
//! proto mapping in `stdfund-proto`, and both convert at the edge.
//!
//! Lifetimes: `'a` borrows the request text (ids, names), `'r` the loaded
//! [`RuleBook`](crate::ruleset::RuleBook) (item ids, clauses, names, share
//! tables — shared, never copied per line). An [`Assessment`] borrows the
//! [`Application`] it assessed.

use crate::date::Date;
use crate::ident::{CreditCheck, CreditCode};
use crate::money::{Money, Ratio};
use crate::reasons::Reason;
use crate::ruleset::{FiscalUnitDoc, Item, Place, RatioDoc, Ruleset, ShareTableDoc, Variant};
use crate::warnings::Warning;

/// The applicant's role in an achievement.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Role {
    /// Not stated.
    Unspecified,
    /// 主导单位或第一起草单位.
    Lead,
    /// 参与单位.
    Participant,
}

impl Role {
    /// The proto enum value of the contract (`stdfund.v1.Role`).
    pub fn from_number(n: i32) -> Option<Role> {
        match n {
            0 => Some(Role::Unspecified),
            1 => Some(Role::Lead),
            2 => Some(Role::Participant),
            _ => None,
        }
    }
    /// The proto enum number.
    pub fn number(self) -> i32 {
        match self {
            Role::Unspecified => 0,
            Role::Lead => 1,
            Role::Participant => 2,
        }
    }
    /// The proto enum name.
    pub fn name(self) -> &'static str {
        match self {
            Role::Unspecified => "ROLE_UNSPECIFIED",
            Role::Lead => "ROLE_LEAD",
            Role::Participant => "ROLE_PARTICIPANT",
        }
    }
    /// The value with this proto enum name.
    pub fn from_name(s: &str) -> Option<Role> {
        [Role::Unspecified, Role::Lead, Role::Participant]
            .into_iter()
            .find(|r| r.name() == s)
    }
}

/// The level of funding already received.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FundingLevel {
    /// Central government fiscal funds.
    National,
    /// Provincial fiscal funds.
    Provincial,
    /// District / county fiscal funds (do not count toward H).
    County,
    /// Non-fiscal money (do not count toward H).
    NonFiscal,
}

impl FundingLevel {
    /// The proto enum value (`0`, unspecified, is no level).
    pub fn from_number(n: i32) -> Option<FundingLevel> {
        match n {
            1 => Some(FundingLevel::National),
            2 => Some(FundingLevel::Provincial),
            3 => Some(FundingLevel::County),
            4 => Some(FundingLevel::NonFiscal),
            _ => None,
        }
    }
    /// The proto enum number.
    pub fn number(self) -> i32 {
        match self {
            FundingLevel::National => 1,
            FundingLevel::Provincial => 2,
            FundingLevel::County => 3,
            FundingLevel::NonFiscal => 4,
        }
    }
    /// The proto enum name.
    pub fn name(self) -> &'static str {
        match self {
            FundingLevel::National => "FUNDING_LEVEL_NATIONAL",
            FundingLevel::Provincial => "FUNDING_LEVEL_PROVINCIAL",
            FundingLevel::County => "FUNDING_LEVEL_COUNTY",
            FundingLevel::NonFiscal => "FUNDING_LEVEL_NON_FISCAL",
        }
    }
    /// The value with this proto enum name.
    pub fn from_name(s: &str) -> Option<FundingLevel> {
        [
            FundingLevel::National,
            FundingLevel::Provincial,
            FundingLevel::County,
            FundingLevel::NonFiscal,
        ]
        .into_iter()
        .find(|l| l.name() == s)
    }
}

/// The canonical subject of an achievement (RULES.md §5): what the one-time
/// key compares.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Subject {
    /// The canonical text (`GB/T 12345-2020`, `SAC/TC 28`, …).
    pub text: String,
    /// For a standard number: the byte length of its code prefix (`GB/T`)
    /// and the level that prefix implies.
    pub standard: Option<StandardCode>,
}

/// What a standard number's code says.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StandardCode {
    /// Length in bytes of the code at the start of [`Subject::text`].
    pub len: usize,
    /// The variant id the code implies (`NATIONAL`, …), `None` when unknown.
    pub implied_variant: Option<&'static str>,
}

impl Subject {
    /// The standard number's code (`GB/T`), for a standard subject.
    pub fn standard_code(&self) -> Option<&str> {
        self.standard.and_then(|c| self.text.get(..c.len))
    }
}

/// One validated achievement.
#[derive(Clone, Debug)]
pub struct Achievement<'a, 'r> {
    /// The caller's id, trimmed.
    pub id: &'a str,
    /// The item id (known to the jurisdiction's rulesets).
    pub item: &'r str,
    /// The variant id (known to that item in some ruleset).
    pub variant: &'r str,
    /// The canonical subject.
    pub subject: Subject,
    /// The subject exactly as the applicant typed it.
    pub subject_as_given: &'a str,
    /// For an award: the award year, part of the one-time key.
    pub award_year: Option<u16>,
    /// The completion date.
    pub date: Date,
    /// The stated role.
    pub role: Role,
    /// 验收通过 / 结题验收合格.
    pub accepted: bool,
    /// 获得批准.
    pub approved: bool,
    /// Funding already received, in input order.
    pub funding: Vec<(FundingLevel, Money)>,
}

impl Achievement<'_, '_> {
    /// The one-time key within the applicant (RULES.md §5).
    pub fn key(&self) -> LineKey<'_> {
        LineKey {
            item: self.item,
            variant: self.variant,
            subject: &self.subject.text,
            award_year: self.award_year,
        }
    }
}

/// An achievement's one-time key within one applicant: item, variant and
/// canonical subject (with the award year for awards). Rendered
/// `ITEM|VARIANT|SUBJECT[@YEAR]` at the edge.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct LineKey<'k> {
    /// Item id.
    pub item: &'k str,
    /// Variant id.
    pub variant: &'k str,
    /// Canonical subject.
    pub subject: &'k str,
    /// Award year, for awards.
    pub award_year: Option<u16>,
}

impl LineKey<'_> {
    /// Appends the subject part (`SUBJECT[@YEAR]`).
    pub fn write_subject(&self, out: &mut String) {
        out.push_str(self.subject);
        if let Some(y) = self.award_year {
            out.push('@');
            push_u64(out, u64::from(y));
        }
    }
    /// Appends `ITEM|VARIANT|SUBJECT[@YEAR]`.
    pub fn write_to(&self, out: &mut String) {
        out.push_str(self.item);
        out.push('|');
        out.push_str(self.variant);
        out.push('|');
        self.write_subject(out);
    }
}

/// Appends a decimal number.
pub(crate) fn push_u64(out: &mut String, mut n: u64) {
    let mut buf = [0u8; 20];
    let mut at = buf.len();
    loop {
        at = at.saturating_sub(1);
        if let Some(slot) = buf.get_mut(at) {
            *slot = b'0'.saturating_add(u8::try_from(n % 10).unwrap_or(0));
        }
        n /= 10;
        if n == 0 {
            break;
        }
    }
    out.push_str(std::str::from_utf8(buf.get(at..).unwrap_or_default()).unwrap_or("0"));
}

/// The applying unit, validated.
#[derive(Clone, Debug)]
pub struct Applicant<'a, 'r> {
    /// The credit code, upper case.
    pub credit_code: CreditCode,
    /// Whether its check character matched.
    pub check: CreditCheck,
    /// The unit's name, trimmed.
    pub name: &'a str,
    /// The seat as given, trimmed.
    pub seat: &'a str,
    /// Where the seat lies.
    pub place: Place<'r>,
}

/// A validated application: what evaluation takes.
#[derive(Clone, Debug)]
pub struct Application<'a, 'r> {
    /// The applicant.
    pub applicant: Applicant<'a, 'r>,
    /// The achievements, in input order.
    pub achievements: Vec<Achievement<'a, 'r>>,
    /// `sha256:` digest of the canonical request (the receipt's input hash).
    pub input_hash: InputHash,
    /// Whether no text of the request needs JSON escaping (found while its
    /// canonical form was written for the hash): the answer then copies the
    /// texts it takes from the request (trimmed ids, names, subjects as
    /// given) as they are. False is always safe: they are escaped.
    pub json_clean: bool,
    /// Whether a what-if ruleset stands in for the rulesets in force.
    pub what_if: bool,
}

/// A SHA-256 digest of the canonical request.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct InputHash(pub [u8; 32]);

impl std::fmt::Debug for InputHash {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut s = String::with_capacity(71);
        self.write_to(&mut s);
        f.write_str(&s)
    }
}

impl InputHash {
    /// Appends `sha256:` and the lower-case hex digest.
    pub fn write_to(&self, out: &mut String) {
        const HEX: &[u8; 16] = b"0123456789abcdef";
        out.push_str("sha256:");
        for b in self.0 {
            for nibble in [b >> 4, b & 0xf] {
                out.push(char::from(
                    HEX.get(usize::from(nibble)).copied().unwrap_or(b'0'),
                ));
            }
        }
    }
}

/// A line's status (`stdfund.v1.LineStatus`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum LineStatus {
    /// Pays its amount (possibly 0 when covered by higher-level funding).
    Eligible,
    /// Not payable.
    Ineligible,
    /// Payable once a condition is met (acceptance, approval).
    Pending,
    /// A reviewer sets the amount.
    Discretionary,
}

impl LineStatus {
    /// The proto enum name (`LINE_STATUS_ELIGIBLE`, …).
    pub fn name(self) -> &'static str {
        match self {
            LineStatus::Eligible => "LINE_STATUS_ELIGIBLE",
            LineStatus::Ineligible => "LINE_STATUS_INELIGIBLE",
            LineStatus::Pending => "LINE_STATUS_PENDING",
            LineStatus::Discretionary => "LINE_STATUS_DISCRETIONARY",
        }
    }
    /// The proto enum number.
    pub fn number(self) -> i32 {
        match self {
            LineStatus::Eligible => 1,
            LineStatus::Ineligible => 2,
            LineStatus::Pending => 3,
            LineStatus::Discretionary => 4,
        }
    }
    /// The value with this proto enum name.
    pub fn from_name(s: &str) -> Option<LineStatus> {
        [
            LineStatus::Eligible,
            LineStatus::Ineligible,
            LineStatus::Pending,
            LineStatus::Discretionary,
        ]
        .into_iter()
        .find(|l| l.name() == s)
    }
    /// A clerk's label, Chinese.
    pub fn label_zh(self) -> &'static str {
        match self {
            LineStatus::Eligible => "可获资助",
            LineStatus::Ineligible => "不予资助",
            LineStatus::Pending => "待验收或批准",
            LineStatus::Discretionary => "待评审核定",
        }
    }
    /// A clerk's label, English.
    pub fn label_en(self) -> &'static str {
        match self {
            LineStatus::Eligible => "eligible",
            LineStatus::Ineligible => "not payable",
            LineStatus::Pending => "pending acceptance or approval",
            LineStatus::Discretionary => "amount set by a reviewer",
        }
    }
}

/// A line's amounts, yuan. All zero unless the line is eligible.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Amounts {
    /// The municipal amount C.
    pub municipal: Money,
    /// Provincial-or-higher fiscal funding counted (H).
    pub counted: Money,
    /// Funding reported but not counted (county-level or non-fiscal).
    pub not_counted: Money,
    /// What the municipal treasury pays: max(0, C − H).
    pub payable: Money,
    /// The municipal treasury's share of `payable`.
    pub municipal_share: Money,
    /// The district's share of `payable`.
    pub district_share: Money,
}

/// How one line was decided.
#[derive(Clone, Debug)]
pub struct Line<'x, 'r> {
    /// The achievement.
    pub achievement: &'x Achievement<'x, 'r>,
    /// Its position in the application.
    pub index: usize,
    /// The ruleset applied, `None` when none was in force (or the seat is outside).
    pub ruleset: Option<&'r Ruleset>,
    /// The item of that ruleset, when it has one.
    pub item: Option<&'r Item>,
    /// The variant of that item, when it has one.
    pub variant: Option<&'r Variant>,
    /// Why the line is what it is.
    pub reason: Reason<'r>,
    /// The amounts.
    pub amounts: Amounts,
    /// The share table used for the split, when something is payable.
    pub share_table: Option<&'r ShareTableDoc>,
}

impl Line<'_, '_> {
    /// The line's status, which follows from its reason.
    pub fn status(&self) -> LineStatus {
        self.reason.status()
    }
    /// The clause that decides (`五(五)1`), when the ruleset has the item.
    pub fn clause(&self) -> Option<&str> {
        self.item.map(|i| i.doc.clause.as_str())
    }
}

/// A share table used by a split.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ShareUse<'r> {
    /// The table.
    pub table: &'r ShareTableDoc,
    /// The district ratio applied.
    pub ratio: Ratio,
    /// The table's entry for the fiscal unit.
    pub entry: &'r RatioDoc,
}

impl<'r> ShareUse<'r> {
    /// Whether the ratio applied is provisional.
    pub fn provisional(&self) -> bool {
        self.entry.is_provisional(self.table)
    }
    /// The note shown with the split, Chinese: the entry's, else the table's.
    pub fn note_zh(&self) -> &'r str {
        self.entry.note_zh.as_deref().unwrap_or(&self.table.note_zh)
    }
    /// The note shown with the split, English.
    pub fn note_en(&self) -> &'r str {
        self.entry.note_en.as_deref().unwrap_or(&self.table.note_en)
    }
}

/// The assessment of an application.
#[derive(Clone, Debug)]
pub struct Assessment<'x, 'r> {
    /// The application assessed.
    pub application: &'x Application<'x, 'r>,
    /// One line per achievement, in input order.
    pub lines: Vec<Line<'x, 'r>>,
    /// Sum of the lines' payable amounts.
    pub total: Money,
    /// Sum of the lines' municipal shares.
    pub municipal_share: Money,
    /// Sum of the lines' district shares.
    pub district_share: Money,
    /// The share tables used, in order of first use.
    pub share_tables: Vec<ShareUse<'r>>,
    /// Warnings for the reviewer, in the order they arose.
    pub warnings: Vec<Warning<'x, 'r>>,
    /// The rulesets applied (or, when no line had one, the jurisdiction's
    /// rulesets consulted), for the receipt.
    pub rulesets: Vec<&'r Ruleset>,
}

impl<'x, 'r> Assessment<'x, 'r> {
    /// The applicant.
    pub fn applicant(&self) -> &'x Applicant<'x, 'r> {
        &self.application.applicant
    }
    /// The fiscal unit the seat resolves to; `None` outside the jurisdiction.
    pub fn fiscal_unit(&self) -> Option<&'r FiscalUnitDoc> {
        self.application.applicant.place.unit()
    }
}
