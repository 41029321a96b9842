//! Step 2 — `NOT_COVERED`: the ruleset in force does not grant the item, the
//! variant or the role (participation in local/group standards, AAAAA, a
//! Fujian working group, an award claimed by a non-lead unit, …).

use super::{Cx, Lang};
use crate::domain::Role;
use crate::ruleset::{Condition, Item, RoleRule, Variant};

/// The stable code.
pub const CODE: &str = "NOT_COVERED";

/// Which grant is missing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NotCovered {
    /// The ruleset in force has no such item.
    ItemNotInRuleset,
    /// The item in that ruleset has no such variant.
    VariantNotInItem,
    /// A lead-only item claimed with the participant role.
    LeadItemAsParticipant,
    /// An item paying only the lead, and the lead role is not stated.
    LeadNotStated,
    /// The variant is listed but not granted (its notes say why).
    VariantNotGranted,
}

/// Whether the item, variant and role are granted (the item and variant
/// exist in the ruleset in force).
pub fn check(item: &Item, variant: &Variant, role: Role) -> Option<NotCovered> {
    match (item.doc.role, role) {
        (RoleRule::ImpliedLead, Role::Participant) => {
            return Some(NotCovered::LeadItemAsParticipant);
        }
        (RoleRule::RequiredLead, r) if r != Role::Lead => return Some(NotCovered::LeadNotStated),
        _ => {}
    }
    (variant.amount.is_none() && item.doc.condition != Condition::Discretionary)
        .then_some(NotCovered::VariantNotGranted)
}

impl NotCovered {
    /// Appends the explanation.
    pub fn explain(&self, cx: Cx<'_, '_, '_>, lang: Lang, out: &mut String) {
        let line = cx.line;
        let a = line.achievement;
        let (Some(rs), item) = (line.ruleset, line.item) else {
            return;
        };
        let rs_name = |out: &mut String| {
            out.push_str(rs.id());
            out.push(' ');
            out.push_str(rs.version());
        };
        match (self, item, lang) {
            (NotCovered::ItemNotInRuleset, _, Lang::Zh) => {
                out.push_str("所适用的规则集");
                rs_name(out);
                out.push_str("未设立资助项目`");
                out.push_str(a.item);
                out.push_str("`。");
            }
            (NotCovered::ItemNotInRuleset, _, Lang::En) => {
                out.push_str("ruleset ");
                rs_name(out);
                out.push_str(" has no grant item `");
                out.push_str(a.item);
                out.push('`');
            }
            (NotCovered::VariantNotInItem, Some(item), Lang::Zh) => {
                out.push_str("所适用的规则集");
                rs_name(out);
                out.push_str("中,");
                out.push_str(&item.doc.name_zh);
                out.push_str("没有类别`");
                out.push_str(a.variant);
                out.push_str("`。");
            }
            (NotCovered::VariantNotInItem, Some(item), Lang::En) => {
                out.push_str("in ruleset ");
                rs_name(out);
                out.push_str(", ");
                out.push_str(&item.doc.name_en);
                out.push_str(" has no variant `");
                out.push_str(a.variant);
                out.push('`');
            }
            (NotCovered::LeadItemAsParticipant, Some(item), Lang::Zh) => {
                out.push_str(&item.doc.name_zh);
                out.push_str("仅适用于主导单位或第一起草单位;参与单位请按参与制修订申报。");
            }
            (NotCovered::LeadItemAsParticipant, Some(item), Lang::En) => {
                out.push_str(&item.doc.name_en);
                out.push_str(
                    " applies to the lead or first drafting unit only; a participant claims participation instead",
                );
            }
            (NotCovered::LeadNotStated, Some(item), Lang::Zh) => {
                out.push_str(&item.doc.name_zh);
                out.push_str(
                    "只奖励获奖标准的主导单位或第一起草单位;申请单位未声明为主导单位或第一起草单位。",
                );
            }
            (NotCovered::LeadNotStated, Some(item), Lang::En) => {
                out.push_str("the ");
                out.push_str(&item.doc.name_en);
                out.push_str(
                    " pays only the lead or first drafting unit of the awarded standard, and the applicant has not stated that role",
                );
            }
            (NotCovered::VariantNotGranted, Some(_), Lang::Zh) => {
                if let Some(note) = line.variant.and_then(|v| v.doc.not_covered_zh.as_deref()) {
                    out.push_str(note);
                }
            }
            (NotCovered::VariantNotGranted, Some(_), Lang::En) => {
                if let Some(note) = line.variant.and_then(|v| v.doc.not_covered_en.as_deref()) {
                    out.push_str(note);
                }
            }
            (_, None, _) => {}
        }
    }
}
