//! The registry's policy, pure: what a claim is keyed by, whether a line can
//! be claimed, how an amount set outside an estimate is split. The server's
//! registry calls these and stores what they return; it decides nothing
//! itself.

use crate::date::Date;
use crate::domain::{Line, LineStatus};
use crate::error::Error;
use crate::ident::CreditCode;
use crate::money::{Money, Ratio};
use crate::ruleset::{FiscalUnitDoc, RuleBook, ShareTableDoc};

/// The claim registry's one-time key of an assessed line (registry decisions
/// R2/R3): credit code, item group and subject. Stricter than the line's own
/// key, it leaves out the variant, and a participation item keys under the
/// lead item it conflicts with (`conflictsWithItem`), so a unit can hold a
/// lead or a participation claim on one standard, never both. The subject
/// carries the award year for awards. Rendered `CREDIT|GROUP|SUBJECT[@YEAR]`.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct RegistryKey {
    /// The applicant.
    pub credit_code: CreditCode,
    /// The item, or the lead item a participation item conflicts with.
    pub group: String,
    /// The canonical subject, with `@YEAR` for awards.
    pub subject: String,
}

impl RegistryKey {
    /// The key of a line of an application by `credit_code`; `None` when the
    /// item is in no ruleset of the book.
    pub fn of(book: &RuleBook, credit_code: CreditCode, line: &Line<'_, '_>) -> Option<RegistryKey> {
        let a = line.achievement;
        let jurisdiction = line
            .ruleset
            .map_or_else(|| book.default_jurisdiction(), |r| r.jurisdiction().code.as_str());
        let item = book.any_item(jurisdiction, a.item)?;
        let group = item
            .doc
            .conflicts_with_item
            .as_deref()
            .unwrap_or(a.item)
            .to_string();
        let mut subject = String::with_capacity(a.subject.text.len().saturating_add(5));
        a.key().write_subject(&mut subject);
        Some(RegistryKey {
            credit_code,
            group,
            subject,
        })
    }
}

impl std::fmt::Display for RegistryKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}|{}|{}", self.credit_code, self.group, self.subject)
    }
}

/// Whether a line can be claimed in the registry.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Claimable {
    /// An eligible line with an amount above zero: its payable amount.
    Amount(Money),
    /// A discretionary line: a reviewer sets the amount at approval.
    Discretionary,
}

/// Why a line cannot be claimed: it is not payable (the registry refuses to
/// store it, decision R-refuse).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct NotClaimable {
    /// The line's status.
    pub status: LineStatus,
}

/// Whether a line can be claimed.
pub fn claimable(line: &Line<'_, '_>) -> Result<Claimable, NotClaimable> {
    match line.status() {
        LineStatus::Discretionary => Ok(Claimable::Discretionary),
        LineStatus::Eligible if !line.amounts.payable.is_zero() => {
            Ok(Claimable::Amount(line.amounts.payable))
        }
        status => Err(NotClaimable { status }),
    }
}

/// The split of one amount (RULES.md §4), for amounts set outside an
/// estimate: a reviewer's amount on a discretionary claim, or a frozen
/// approved amount at disbursement.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AmountSplit<'r> {
    /// The fiscal unit the seat resolves to.
    pub unit: &'r FiscalUnitDoc,
    /// The municipal treasury's share.
    pub municipal_share: Money,
    /// The district's share (amount × ratio, half-up to the fen).
    pub district_share: Money,
    /// The share table used.
    pub table: &'r ShareTableDoc,
    /// Its district ratio for the unit.
    pub ratio: Ratio,
}

/// Splits `amount` for an applicant seated at `seat` and an achievement dated
/// `date`, with the share table of the ruleset in force on that date.
pub fn split_amount<'r>(
    book: &'r RuleBook,
    seat: &str,
    date: Date,
    amount: Money,
) -> Result<AmountSplit<'r>, Error> {
    let place = book.place(seat).ok_or_else(|| Error::InvalidSeat {
        path: "seat".into(),
        value: seat.into(),
    })?;
    let unit = place.unit().ok_or_else(|| Error::InvalidSeat {
        path: "seat".into(),
        value: seat.into(),
    })?;
    let rs = book
        .in_force(&place.jurisdiction().code, date)
        .ok_or_else(|| Error::InvalidDate {
            path: "date".into(),
            value: date.to_string(),
        })?;
    let ratio = rs
        .district_ratio(&unit.code)
        .ok_or_else(|| Error::InvalidRuleset {
            message: format!(
                "ruleset `{}` has no share ratio for `{}`",
                rs.id(),
                unit.code
            ),
        })?;
    let overflow = || Error::AmountOutOfRange {
        path: "amount".into(),
    };
    let district = amount.share(ratio).ok_or_else(overflow)?;
    let municipal = amount.checked_sub(district).ok_or_else(overflow)?;
    Ok(AmountSplit {
        unit,
        municipal_share: municipal,
        district_share: district,
        table: rs.share_table(),
        ratio,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ruleset;

    #[test]
    fn split_amount_matches_the_line_split() {
        let book = ruleset::embedded().unwrap();
        let amount = Money::parse_yuan("99999.97").unwrap();
        let date = Date::parse("2020-05-01").unwrap();
        let s = split_amount(book, "350182", date, amount).unwrap();
        assert_eq!(s.unit.code, "350112");
        assert_eq!(s.district_share.to_canonical(), "49999.99");
        assert_eq!(s.municipal_share.to_canonical(), "49999.98");
        assert!(s.table.provisional);
        assert!(split_amount(book, "350128", date, amount).is_err());
        let early = Date::parse("2015-05-01").unwrap();
        assert!(split_amount(book, "350102", early, amount).is_err());
    }
}
