//! `SEAT_CODE_MAPPED`: a former division code (350182, 长乐市 until 2017) was
//! accepted and mapped to its current fiscal unit (RULES.md §5).

use crate::reasons::Lang;
use crate::ruleset::{FiscalUnitDoc, Place};

/// The stable code.
pub const CODE: &str = "SEAT_CODE_MAPPED";

/// The facts: the code given and the unit it maps to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SeatCodeMapped<'x, 'r> {
    /// The former code as given.
    pub from: &'x str,
    /// The current unit.
    pub unit: &'r FiscalUnitDoc,
}

/// Whether the seat was a former code.
pub fn check<'x, 'r>(seat: &'x str, place: Place<'r>) -> Option<SeatCodeMapped<'x, 'r>> {
    match place {
        Place::Inside {
            unit, mapped: true, ..
        } => Some(SeatCodeMapped { from: seat, unit }),
        _ => None,
    }
}

impl SeatCodeMapped<'_, '_> {
    /// Appends the message.
    pub fn message(&self, lang: Lang, out: &mut String) {
        match lang {
            Lang::Zh => {
                out.push_str("原行政区划代码`");
                out.push_str(self.from);
                out.push_str("`已按现行区划归入");
                out.push_str(&self.unit.name_zh);
                out.push('(');
                out.push_str(&self.unit.code);
                out.push_str(")。");
            }
            Lang::En => {
                out.push_str("former division code `");
                out.push_str(self.from);
                out.push_str("` was mapped to ");
                out.push_str(&self.unit.name_en);
                out.push_str(" (");
                out.push_str(&self.unit.code);
                out.push(')');
            }
        }
    }
}
