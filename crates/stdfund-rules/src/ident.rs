//! The unified social credit code (GB 32100-2015). Subjects (standard
//! numbers, committee codes, references) are in [`crate::canon`].
//!
//! Invariant: every function here is total — it returns a value or `None`,
//! never panics.

/// The 31-character alphabet of GB 32100-2015, in value order.
const ALPHABET: &[u8; 31] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";
/// Weights of positions 1–17.
const WEIGHTS: [u32; 17] = [
    1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28,
];

/// A well-formed unified social credit code: 18 characters of the GB 32100
/// alphabet, upper case. Whether its check character matches is a separate
/// fact ([`CreditCheck`]): a mismatch is a warning in an estimate.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CreditCode([u8; 18]);

impl std::fmt::Debug for CreditCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "CreditCode({})", self.as_str())
    }
}

impl std::fmt::Display for CreditCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Whether a well-formed credit code's check character matches.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CreditCheck {
    /// The check character matches.
    Passed,
    /// It does not; `expected` is what the first 17 characters call for.
    Mismatch {
        /// The check character GB 32100-2015 gives.
        expected: char,
    },
}

impl CreditCheck {
    /// Whether the check passed.
    pub fn passed(self) -> bool {
        self == CreditCheck::Passed
    }
}

impl CreditCode {
    /// Reads a credit code: 18 characters from the alphabet (lower case is
    /// accepted and upper-cased), then checks the check character.
    /// `None` for a wrong length or a character outside the alphabet.
    pub fn parse(raw: &str) -> Option<(CreditCode, CreditCheck)> {
        let bytes: [u8; 18] = raw.as_bytes().try_into().ok()?;
        let upper = bytes.map(|b| b.to_ascii_uppercase());
        let mut sum: u32 = 0;
        let mut values = upper.iter().map(|&b| value_of(b));
        for w in WEIGHTS {
            sum = sum.wrapping_add(values.next().flatten()?.wrapping_mul(w));
        }
        let actual = values.next().flatten()?;
        let expected = 31u32.wrapping_sub(sum % 31) % 31;
        let check = if actual == expected {
            CreditCheck::Passed
        } else {
            let c = ALPHABET
                .get(usize::try_from(expected).unwrap_or(0))
                .map_or('0', |&b| char::from(b));
            CreditCheck::Mismatch { expected: c }
        };
        Some((CreditCode(upper), check))
    }

    /// The code as text.
    pub fn as_str(&self) -> &str {
        // Only ASCII alphabet bytes are ever stored.
        std::str::from_utf8(&self.0).unwrap_or("")
    }

    /// The check character (the 18th).
    pub fn check_character(&self) -> char {
        char::from(self.0.last().copied().unwrap_or(b'0'))
    }
}

fn value_of(c: u8) -> Option<u32> {
    ALPHABET
        .iter()
        .position(|&a| a == c)
        .and_then(|p| u32::try_from(p).ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credit_code_check() {
        let ok = |s: &str| CreditCode::parse(s).map(|(c, k)| (c.to_string(), k));
        // A code whose check character was computed by hand from the weights.
        assert_eq!(
            ok("91350100M000100Y43"),
            Some(("91350100M000100Y43".into(), CreditCheck::Passed))
        );
        assert_eq!(
            ok("91350100m000100y43"),
            Some(("91350100M000100Y43".into(), CreditCheck::Passed))
        );
        assert_eq!(
            ok("91350100M000100Y44").map(|x| x.1),
            Some(CreditCheck::Mismatch { expected: '3' })
        );
        assert_eq!(ok("91350100M000100Y4"), None);
        assert_eq!(ok("91350100I000100Y43"), None);
        assert_eq!(ok("91350100M000100Y４3"), None);
    }
}
