//! Step 6 — `DISCRETIONARY`: clause 9 promises "一定的资助" with no amount;
//! an estimate shows none and says a reviewer sets it (RULES.md §2).

use super::{Cx, Lang};
use crate::ruleset::{Condition, Item};

/// The stable code.
pub const CODE: &str = "DISCRETIONARY";

/// The fact carries nothing beyond the line's item and variant.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Discretionary;

/// Whether the item is discretionary.
pub fn check(item: &Item) -> Option<Discretionary> {
    (item.doc.condition == Condition::Discretionary).then_some(Discretionary)
}

impl Discretionary {
    /// Appends the explanation.
    pub fn explain(&self, cx: Cx<'_, '_, '_>, lang: Lang, out: &mut String) {
        let (Some(item), Some(variant)) = (cx.line.item, cx.line.variant) else {
            return;
        };
        match lang {
            Lang::Zh => {
                out.push_str(&item.doc.name_zh);
                out.push('(');
                out.push_str(&variant.doc.name_zh);
                out.push_str("):原文为“给予一定的资助”,未规定金额,由评审人员核定金额并说明理由;估算不含此项金额。");
            }
            Lang::En => {
                out.push_str(&item.doc.name_en);
                out.push_str(" (");
                out.push_str(&variant.doc.name_en);
                out.push_str("): the text promises \"some funding\" with no amount; a reviewer sets the amount and gives a reason, so the estimate shows none");
            }
        }
    }
}
