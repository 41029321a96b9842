//! Warnings for the reviewer: facts that never change an amount (RULES.md
//! §7). One module per warning, holding its code, its check and its Chinese
//! and English message; messages are rendered here, at the edge.
//!
//! Adding a warning: a new module, a new [`Warning`] variant and a new
//! [`WarningCode`]; the compiler points at every `match` that must learn it.

pub mod credit_code;
pub mod funding;
pub mod level;
pub mod seat;
pub mod share_table;

use crate::domain::{Achievement, Assessment};
use crate::reasons::Lang;

/// The stable warning codes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, strum::EnumIter)]
pub enum WarningCode {
    /// The credit code's check character does not match.
    CreditCodeCheckMismatch,
    /// The stated level and the standard number's code disagree.
    LevelMismatch,
    /// The standard number's code implies no level the policy knows.
    LevelUnrecognised,
    /// A former division code was mapped to its current unit.
    SeatCodeMapped,
    /// Reported funding that does not count toward H.
    FundingNotCounted,
    /// The split uses a provisional share table.
    ShareTableProvisional,
}

impl WarningCode {
    /// The stable code.
    pub fn as_str(self) -> &'static str {
        match self {
            WarningCode::CreditCodeCheckMismatch => credit_code::CODE,
            WarningCode::LevelMismatch => level::MISMATCH,
            WarningCode::LevelUnrecognised => level::UNRECOGNISED,
            WarningCode::SeatCodeMapped => seat::CODE,
            WarningCode::FundingNotCounted => funding::CODE,
            WarningCode::ShareTableProvisional => share_table::CODE,
        }
    }
    /// The code with this spelling.
    pub fn parse(s: &str) -> Option<WarningCode> {
        use strum::IntoEnumIterator;
        WarningCode::iter().find(|c| c.as_str() == s)
    }
}

/// A warning with the facts its message needs.
#[derive(Clone, Copy, Debug)]
pub enum Warning<'x, 'r> {
    /// See [`credit_code`].
    CreditCodeCheckMismatch(credit_code::CheckMismatch),
    /// See [`seat`].
    SeatCodeMapped(seat::SeatCodeMapped<'x, 'r>),
    /// See [`level`].
    LevelMismatch(level::Mismatch<'x, 'r>),
    /// See [`level`].
    LevelUnrecognised(level::Unrecognised<'x, 'r>),
    /// See [`funding`].
    FundingNotCounted(funding::NotCounted<'x, 'r>),
    /// See [`share_table`].
    ShareTableProvisional(share_table::Provisional<'r>),
}

impl<'x, 'r> Warning<'x, 'r> {
    /// The stable code.
    pub fn code(&self) -> WarningCode {
        match self {
            Warning::CreditCodeCheckMismatch(_) => WarningCode::CreditCodeCheckMismatch,
            Warning::SeatCodeMapped(_) => WarningCode::SeatCodeMapped,
            Warning::LevelMismatch(_) => WarningCode::LevelMismatch,
            Warning::LevelUnrecognised(_) => WarningCode::LevelUnrecognised,
            Warning::FundingNotCounted(_) => WarningCode::FundingNotCounted,
            Warning::ShareTableProvisional(_) => WarningCode::ShareTableProvisional,
        }
    }

    /// The line it concerns; `None` for the application.
    pub fn achievement(&self) -> Option<&'x Achievement<'x, 'r>> {
        match self {
            Warning::LevelMismatch(w) => Some(w.achievement),
            Warning::LevelUnrecognised(w) => Some(w.achievement),
            Warning::FundingNotCounted(w) => Some(w.achievement),
            Warning::CreditCodeCheckMismatch(_)
            | Warning::SeatCodeMapped(_)
            | Warning::ShareTableProvisional(_) => None,
        }
    }

    /// Appends the message in `lang`.
    pub fn message(&self, a: &Assessment<'_, '_>, lang: Lang, out: &mut String) {
        match self {
            Warning::CreditCodeCheckMismatch(w) => w.message(a, lang, out),
            Warning::SeatCodeMapped(w) => w.message(lang, out),
            Warning::LevelMismatch(w) => w.message(lang, out),
            Warning::LevelUnrecognised(w) => w.message(lang, out),
            Warning::FundingNotCounted(w) => w.message(lang, out),
            Warning::ShareTableProvisional(w) => w.message(lang, out),
        }
    }
}
