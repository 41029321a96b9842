//! Step 1 — `NO_POLICY_IN_FORCE`: no ruleset of the jurisdiction is in force
//! on the line's date (RULES.md §1: before the ruleset's start there is no
//! policy, not a zero).

use super::{Cx, Lang};
use crate::date::Date;

/// The stable code.
pub const CODE: &str = "NO_POLICY_IN_FORCE";

/// The facts: when the jurisdiction's rules start.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct NoPolicy {
    /// The earliest start date of the jurisdiction's rulesets.
    pub first_start: Option<Date>,
}

impl NoPolicy {
    /// Appends the explanation.
    pub fn explain(&self, cx: Cx<'_, '_, '_>, lang: Lang, out: &mut String) {
        let date = cx.line.achievement.date;
        let first = |out: &mut String| {
            if let Some(d) = self.first_start {
                d.write_to(out);
            }
        };
        match lang {
            Lang::Zh => {
                out.push_str("成果日期");
                date.write_to(out);
                out.push_str("时尚无有效的资助政策(现有规则自");
                first(out);
                out.push_str("起施行)。");
            }
            Lang::En => {
                out.push_str("no funding policy was in force on ");
                date.write_to(out);
                out.push_str(" (the rules in force start on ");
                first(out);
                out.push(')');
            }
        }
    }
}
