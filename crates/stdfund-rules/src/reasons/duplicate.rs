//! Step 3 — `DUPLICATE_IN_REQUEST`: an earlier line of the same application
//! (input order) has the same one-time key and passed steps 1–2 (RULES.md §5:
//! a one-time grant is counted once).

use super::{Cx, Lang};
use crate::domain::push_u64;

/// The stable code.
pub const CODE: &str = "DUPLICATE_IN_REQUEST";

/// The facts: which earlier line holds the key.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Duplicate {
    /// The earlier line's position (0-based).
    pub earlier: usize,
}

impl Duplicate {
    /// Appends the explanation.
    pub fn explain(&self, cx: Cx<'_, '_, '_>, lang: Lang, out: &mut String) {
        let n = u64::try_from(self.earlier.saturating_add(1)).unwrap_or(u64::MAX);
        let other = cx
            .assessment
            .application
            .achievements
            .get(self.earlier)
            .map_or("", |a| a.id);
        match lang {
            Lang::Zh => {
                out.push_str("与本申请第");
                push_u64(out, n);
                out.push_str("项(`");
                out.push_str(other);
                out.push_str("`)为同一事项,一次性资助只计一次。");
            }
            Lang::En => {
                out.push_str("same one-time key as line ");
                push_u64(out, n);
                out.push_str(" (`");
                out.push_str(other);
                out.push_str("`) of this application; a one-time grant is counted once");
            }
        }
    }
}
