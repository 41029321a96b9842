//! `FUNDING_NOT_COUNTED`: funding was reported that is not provincial-or-
//! higher fiscal funding (county-level or non-fiscal money), so it does not
//! reduce the grant (RULES.md §3).

use crate::domain::Achievement;
use crate::money::Money;
use crate::reasons::Lang;

/// The stable code.
pub const CODE: &str = "FUNDING_NOT_COUNTED";

/// The facts: the line and the amount not counted.
#[derive(Clone, Copy, Debug)]
pub struct NotCounted<'x, 'r> {
    /// The line.
    pub achievement: &'x Achievement<'x, 'r>,
    /// The sum not counted.
    pub amount: Money,
}

impl NotCounted<'_, '_> {
    /// Appends the message.
    pub fn message(&self, lang: Lang, out: &mut String) {
        match lang {
            Lang::Zh => {
                out.push_str("报告的县(市)区级或非财政资金");
                self.amount.write_to(out);
                out.push_str("元不计入省级及以上财政资助,不影响市级资助金额。");
            }
            Lang::En => {
                self.amount.write_to(out);
                out.push_str(" yuan of county-level or non-fiscal funding reported is not provincial-or-higher fiscal funding and does not reduce the grant");
            }
        }
    }
}
