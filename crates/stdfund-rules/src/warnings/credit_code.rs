//! `CREDIT_CODE_CHECK_MISMATCH`: the credit code is well formed but its check
//! character does not match GB 32100-2015. RULES.md §5: a warning, not a
//! rejection, in an estimate (some codes issued before 2016 fail the check).

use crate::domain::Assessment;
use crate::ident::CreditCheck;
use crate::reasons::Lang;

/// The stable code.
pub const CODE: &str = "CREDIT_CODE_CHECK_MISMATCH";

/// The facts: the check character the code should have.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CheckMismatch {
    /// What GB 32100-2015 gives.
    pub expected: char,
}

/// Whether the check raises the warning.
pub fn check(c: CreditCheck) -> Option<CheckMismatch> {
    match c {
        CreditCheck::Passed => None,
        CreditCheck::Mismatch { expected } => Some(CheckMismatch { expected }),
    }
}

impl CheckMismatch {
    /// Appends the message.
    pub fn message(&self, a: &Assessment<'_, '_>, lang: Lang, out: &mut String) {
        let code = a.application.applicant.credit_code;
        match lang {
            Lang::Zh => {
                out.push_str("统一社会信用代码`");
                out.push_str(code.as_str());
                out.push_str("`的校验位不符(按GB 32100-2015应为`");
                out.push(self.expected);
                out.push_str("`);部分2016年前发放的代码存在此情况,请核实。");
            }
            Lang::En => {
                out.push_str("the check character of credit code `");
                out.push_str(code.as_str());
                out.push_str("` does not match (GB 32100-2015 gives `");
                out.push(self.expected);
                out.push_str("`); some codes issued before 2016 fail the check, so verify it");
            }
        }
    }
}
