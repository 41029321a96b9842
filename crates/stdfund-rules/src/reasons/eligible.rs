//! Step 7 — `ELIGIBLE`, or `COVERED_BY_HIGHER_LEVEL` when the provincial-or-
//! higher fiscal funding H already reaches the municipal amount C (RULES.md
//! §3: payable = max(0, C − H); county-level and non-fiscal money does not
//! count toward H).

use super::{Cx, Lang, ReasonCode};
use crate::domain::{Achievement, Amounts};
use crate::money::Money;
use crate::ruleset::{Ruleset, Variant};

/// Code: eligible, pays C − H.
pub const ELIGIBLE: &str = "ELIGIBLE";
/// Code: eligible, but H ≥ C pays 0.
pub const COVERED_BY_HIGHER_LEVEL: &str = "COVERED_BY_HIGHER_LEVEL";

/// How the top-up came out.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Eligible {
    /// No higher-level funding: pays C.
    Full,
    /// Higher-level funding below C: pays the difference.
    ToppedUp,
    /// Higher-level funding at or above C: pays 0.
    Covered,
}

/// The line's amounts before the split, and how the top-up came out.
/// `None` when the sums leave the representable range (they cannot for
/// validated input: amounts are bounded).
pub fn amounts(
    rs: &Ruleset,
    variant: &Variant,
    a: &Achievement<'_, '_>,
) -> Option<(Eligible, Amounts)> {
    let c = variant.amount.unwrap_or(Money::ZERO);
    let mut h = Money::ZERO;
    let mut other = Money::ZERO;
    for (level, amount) in &a.funding {
        if rs.counts_level(*level) {
            h = h.checked_add(*amount)?;
        } else {
            other = other.checked_add(*amount)?;
        }
    }
    let payable = c.saturating_sub(h);
    let how = if h.is_zero() {
        Eligible::Full
    } else if payable.is_zero() {
        Eligible::Covered
    } else {
        Eligible::ToppedUp
    };
    Some((
        how,
        Amounts {
            municipal: c,
            counted: h,
            not_counted: other,
            payable,
            ..Amounts::default()
        },
    ))
}

impl Eligible {
    /// The stable code.
    pub fn code(self) -> ReasonCode {
        match self {
            Eligible::Full | Eligible::ToppedUp => ReasonCode::Eligible,
            Eligible::Covered => ReasonCode::CoveredByHigherLevel,
        }
    }

    /// Appends the explanation.
    pub fn explain(&self, cx: Cx<'_, '_, '_>, lang: Lang, out: &mut String) {
        let line = cx.line;
        let (Some(item), Some(variant)) = (line.item, line.variant) else {
            return;
        };
        let m = &line.amounts;
        match lang {
            Lang::Zh => {
                out.push_str(&item.doc.name_zh);
                out.push('(');
                out.push_str(&variant.doc.name_zh);
                out.push(',');
                out.push_str(&item.doc.clause);
                out.push_str("):市级资助标准");
                m.municipal.write_to(out);
                out.push('元');
                match self {
                    Eligible::Full => out.push('。'),
                    Eligible::Covered => {
                        out.push_str(";已获省级及以上财政资助");
                        m.counted.write_to(out);
                        out.push_str("元,不低于市级资助金额,无需补足差额。");
                    }
                    Eligible::ToppedUp => {
                        out.push_str(";已获省级及以上财政资助");
                        m.counted.write_to(out);
                        out.push_str("元,补足差额");
                        m.payable.write_to(out);
                        out.push_str("元。");
                    }
                }
            }
            Lang::En => {
                out.push_str(&item.doc.name_en);
                out.push_str(" (");
                out.push_str(&variant.doc.name_en);
                out.push_str(", ");
                out.push_str(&item.doc.clause);
                out.push_str("): municipal grant ");
                m.municipal.write_to(out);
                out.push_str(" yuan");
                match self {
                    Eligible::Full => {}
                    Eligible::Covered => {
                        out.push_str("; provincial-or-higher fiscal funding of ");
                        m.counted.write_to(out);
                        out.push_str(
                            " yuan already covers it, so there is no difference to top up",
                        );
                    }
                    Eligible::ToppedUp => {
                        out.push_str("; provincial-or-higher fiscal funding of ");
                        m.counted.write_to(out);
                        out.push_str(" yuan counted, the top-up pays the difference of ");
                        m.payable.write_to(out);
                        out.push_str(" yuan");
                    }
                }
            }
        }
    }
}
