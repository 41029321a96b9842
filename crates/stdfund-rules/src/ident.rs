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
        let expected = expected_check(&upper)?;
        value_of(*upper.last()?)?;
        let check = if upper.last() == Some(&expected) {
            CreditCheck::Passed
        } else {
            CreditCheck::Mismatch {
                expected: char::from(expected),
            }
        };
        Some((CreditCode(upper), check))
    }

    /// The code a clerk probably meant by `raw`, which did not
    /// [`parse`](CreditCode::parse): full-width characters made half-width,
    /// spaces and hyphens taken out, and the letters the alphabet leaves out
    /// because they look like digits read as those digits (O → 0, I → 1,
    /// Z → 2, S → 5). Only advice for the `INVALID_CREDIT_CODE` message,
    /// never a reading: a code with letters replaced is offered only when
    /// its check character then matches.
    pub fn suggest(raw: &str) -> Option<CreditCode> {
        // Far longer than 18 characters with any spacing: not worth folding.
        if raw.len() > 256 {
            return None;
        }
        let mut replaced = false;
        let mut out = Vec::with_capacity(18);
        for c in crate::canon::nfkc(raw).chars() {
            if c.is_whitespace() || matches!(c, '-' | '\u{2010}'..='\u{2015}') {
                continue;
            }
            let c = c.to_ascii_uppercase();
            let digit = match c {
                'O' => '0',
                'I' => '1',
                'Z' => '2',
                'S' => '5',
                _ => c,
            };
            replaced |= digit != c;
            if out.len() == 18 || !digit.is_ascii() {
                return None;
            }
            out.push(u8::try_from(digit).ok()?);
        }
        let text = std::str::from_utf8(&out).ok()?;
        let (code, check) = CreditCode::parse(text)?;
        (check.passed() || !replaced).then_some(code)
    }

    /// The code as text.
    pub fn as_str(&self) -> &str {
        // Only ASCII alphabet bytes are ever stored.
        std::str::from_utf8(&self.0).unwrap_or("")
    }

    /// The same code with the check character its first 17 characters call
    /// for: itself when its check passed. Two codes that differ only in the
    /// 18th character name one unit at most (the check character is a
    /// function of the rest), so the registry keys claims by this form.
    pub fn with_check_recomputed(self) -> CreditCode {
        let mut code = self.0;
        // A stored code's 17 characters are all of the alphabet.
        if let (Some(c), Some(last)) = (expected_check(&code), code.last_mut()) {
            *last = c;
        }
        CreditCode(code)
    }

    /// The check character (the 18th).
    pub fn check_character(&self) -> char {
        char::from(self.0.last().copied().unwrap_or(b'0'))
    }
}

/// The check character GB 32100-2015 gives for the first 17 characters of
/// `code` (upper case); `None` when one is outside the alphabet.
fn expected_check(code: &[u8; 18]) -> Option<u8> {
    let mut sum: u32 = 0;
    for (&b, w) in code.iter().zip(WEIGHTS) {
        sum = sum.wrapping_add(value_of(b)?.wrapping_mul(w));
    }
    let expected = 31u32.wrapping_sub(sum % 31) % 31;
    ALPHABET.get(usize::try_from(expected).ok()?).copied()
}

fn value_of(c: u8) -> Option<u32> {
    ALPHABET
        .iter()
        .position(|&a| a == c)
        .and_then(|p| u32::try_from(p).ok())
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_recomputed_check_is_the_one_parse_expects() {
        use super::{CreditCheck, CreditCode};
        let (good, check) = CreditCode::parse("91350100M000100Y43").unwrap();
        assert!(check.passed());
        assert_eq!(good.with_check_recomputed(), good);
        for last in ['0', 'A', 'Y', '4'] {
            let typed = format!("91350100M000100Y4{last}");
            let (code, check) = CreditCode::parse(&typed).unwrap();
            assert_eq!(code.with_check_recomputed(), good, "{typed}");
            assert_eq!(check.passed(), last == '3', "{typed}");
            if let CreditCheck::Mismatch { expected } = check {
                assert_eq!(expected, '3');
            }
        }
    }

    #[test]
    fn a_code_typed_with_look_alikes_or_spaces_is_suggested_only_when_it_checks() {
        let meant = |raw: &str| CreditCode::suggest(raw).map(|c| c.to_string());
        let good = "91350100M000100Y43";
        assert!(CreditCode::parse(good).is_some_and(|(_, c)| c.passed()));
        for typed in [
            "91350100MO00100Y43",                   // letter O for zero
            "9135O1OOMOOO1OOY43",                   // several
            "9I350100M000100Y43",                   // letter I for one
            "9135 0100 M000 100Y43",                // grouped with spaces
            "913501-00M000100Y43",                  // a hyphen
            "９１３５０１００Ｍ０００１００Ｙ４３", // full width
            "91350100mo00100y43",                   // lower case too
        ] {
            assert_eq!(CreditCode::parse(typed), None, "{typed} does not parse");
            assert_eq!(meant(typed).as_deref(), Some(good), "{typed}");
        }
        // A replacement whose check character then fails is no suggestion;
        // spacing alone is, whatever the check (the code parses as typed then).
        assert_eq!(meant("91350100MO00100Y44"), None);
        assert_eq!(
            meant("9135 0100 M000 100Y44").as_deref(),
            Some("91350100M000100Y44")
        );
        for typed in [
            "",
            "91350100M000100Y4",
            "91350100M000100Y433",
            "913501V0M000100Y43",
            "ABC",
        ] {
            assert_eq!(meant(typed), None, "{typed}");
        }
    }

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
