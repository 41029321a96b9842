//! Step 4 — `CONFLICTS_WITH_LEAD`: a participation line whose canonical
//! subject equals that of any line of the item it conflicts with (the lead
//! item), whatever that line's own status (RULES.md §5: the same unit cannot
//! be both lead and participant of one standard).

use super::{Cx, Lang};

/// The stable code.
pub const CODE: &str = "CONFLICTS_WITH_LEAD";

/// The fact carries nothing beyond the line itself (its subject).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ConflictsWithLead;

impl ConflictsWithLead {
    /// Appends the explanation.
    pub fn explain(&self, cx: Cx<'_, '_, '_>, lang: Lang, out: &mut String) {
        let subject = &cx.line.achievement.subject.text;
        match lang {
            Lang::Zh => {
                out.push_str("本申请已将");
                out.push_str(subject);
                out.push_str("申报为主导单位或第一起草单位,同一单位不能同时作为参与单位获得资助。");
            }
            Lang::En => {
                out.push_str("this application also claims ");
                out.push_str(subject);
                out.push_str(
                    " as lead / first drafter; the same unit cannot also be paid as a participant",
                );
            }
        }
    }
}
