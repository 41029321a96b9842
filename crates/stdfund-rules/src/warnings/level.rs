//! `LEVEL_MISMATCH` and `LEVEL_UNRECOGNISED`: the level stated for a standard
//! (its variant) is compared with the level its number's code implies
//! (RULES.md §2). The stated level is kept; the reviewer is told.

use crate::domain::Achievement;
use crate::reasons::Lang;
use crate::ruleset::Item;

/// Code: the stated level and the number's code disagree.
pub const MISMATCH: &str = "LEVEL_MISMATCH";
/// Code: the number's code implies no known level.
pub const UNRECOGNISED: &str = "LEVEL_UNRECOGNISED";

/// The facts of a mismatch.
#[derive(Clone, Copy, Debug)]
pub struct Mismatch<'x, 'r> {
    /// The line.
    pub achievement: &'x Achievement<'x, 'r>,
    /// The variant id the code implies.
    pub implied: &'static str,
}

/// The facts of an unrecognised code.
#[derive(Clone, Copy, Debug)]
pub struct Unrecognised<'x, 'r> {
    /// The line.
    pub achievement: &'x Achievement<'x, 'r>,
}

/// What the comparison found.
#[derive(Clone, Copy, Debug)]
pub enum Found<'x, 'r> {
    /// Levels disagree.
    Mismatch(Mismatch<'x, 'r>),
    /// No level known.
    Unrecognised(Unrecognised<'x, 'r>),
}

/// Compares, for items that ask for it (`levelCheck`).
pub fn check<'x, 'r>(item: &Item, a: &'x Achievement<'x, 'r>) -> Option<Found<'x, 'r>> {
    if !item.doc.level_check {
        return None;
    }
    let code = a.subject.standard?;
    match code.implied_variant {
        None => Some(Found::Unrecognised(Unrecognised { achievement: a })),
        Some(implied) if implied != a.variant => Some(Found::Mismatch(Mismatch {
            achievement: a,
            implied,
        })),
        Some(_) => None,
    }
}

impl Mismatch<'_, '_> {
    /// Appends the message.
    pub fn message(&self, lang: Lang, out: &mut String) {
        let a = self.achievement;
        match lang {
            Lang::Zh => {
                out.push_str("所报级别`");
                out.push_str(a.variant);
                out.push_str("`与标准编号`");
                out.push_str(&a.subject.text);
                out.push_str("`所示级别`");
                out.push_str(self.implied);
                out.push_str("`不一致;按所报级别计算,请评审人员核实。");
            }
            Lang::En => {
                out.push_str("the stated level `");
                out.push_str(a.variant);
                out.push_str("` differs from the level `");
                out.push_str(self.implied);
                out.push_str("` that `");
                out.push_str(&a.subject.text);
                out.push_str("` implies; the stated level is used, the reviewer should verify");
            }
        }
    }
}

impl Unrecognised<'_, '_> {
    /// Appends the message.
    pub fn message(&self, lang: Lang, out: &mut String) {
        let a = self.achievement;
        let code = a.subject.standard_code().unwrap_or("");
        match lang {
            Lang::Zh => {
                out.push_str("标准编号`");
                out.push_str(&a.subject.text);
                out.push_str("`的代号`");
                out.push_str(code);
                out.push_str("`无法判断标准级别,请评审人员核实所报级别`");
                out.push_str(a.variant);
                out.push_str("`。");
            }
            Lang::En => {
                out.push_str("the code `");
                out.push_str(code);
                out.push_str("` of standard `");
                out.push_str(&a.subject.text);
                out.push_str(
                    "` implies no known level; the reviewer should verify the stated level `",
                );
                out.push_str(a.variant);
                out.push('`');
            }
        }
    }
}
