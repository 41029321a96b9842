//! Identifiers: the unified social credit code (GB 32100-2015), standard
//! numbers and the other subjects that make up one-time keys.
//!
//! Invariants: every function here is total — it returns a value or a
//! `None`/problem, never panics — and normalisation is idempotent
//! (`normalise(normalise(x)) == normalise(x)`).

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

/// Maps full-width ASCII forms and the ideographic space to their half-width
/// forms, and every dash-like character to an ASCII hyphen.
fn halfwidth(c: char) -> char {
    match c {
        '\u{3000}' => ' ',
        '\u{FF01}'..='\u{FF5E}' => char::from_u32(u32::from(c).wrapping_sub(0xFEE0)).unwrap_or(c),
        '\u{2010}'..='\u{2015}' | '\u{2212}' | '\u{FE58}' | '\u{FE63}' => '-',
        _ => c,
    }
}

/// The generic normalisation of a free-text subject (committee code, project
/// reference, certificate, product): half-width, upper case, trimmed, runs of
/// white space folded to one space, no spaces around `/`.
pub fn normalise_free(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    let mut pending_space = false;
    for c in raw.chars().map(halfwidth) {
        if c.is_whitespace() {
            pending_space = !out.is_empty();
            continue;
        }
        if pending_space && c != '/' && !out.ends_with('/') {
            out.push(' ');
        }
        pending_space = false;
        out.extend(c.to_uppercase());
    }
    out
}

/// The level a standard number implies by its code.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ImpliedLevel {
    /// `ISO`, `IEC`, `ITU`.
    International,
    /// `GB`, `GB/T`, `GB/Z`.
    National,
    /// Any other two-letter sector code (`JB/T`, `HG/T`, …).
    Industry,
    /// `DB35`, `DB3501/T`, …
    Local,
    /// `T/…`.
    Group,
    /// `Q/…` enterprise standards, or a code of no known shape.
    Unknown,
}

impl ImpliedLevel {
    /// The variant id of the standard items that this level corresponds to.
    pub fn variant_id(self) -> Option<&'static str> {
        match self {
            ImpliedLevel::International => Some("INTERNATIONAL"),
            ImpliedLevel::National => Some("NATIONAL"),
            ImpliedLevel::Industry => Some("INDUSTRY"),
            ImpliedLevel::Local => Some("LOCAL"),
            ImpliedLevel::Group => Some("GROUP"),
            ImpliedLevel::Unknown => None,
        }
    }
}

/// A normalised standard number, split into its code and its number.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StandardNumber {
    /// The code, e.g. `GB/T`, `DB35/T`, `ISO/IEC`, `T/CAS`.
    pub code: String,
    /// The number with its year, e.g. `12345.1-2020`, `27001:2013`.
    pub number: String,
}

impl StandardNumber {
    /// The canonical text: code, one space, number.
    pub fn canonical(&self) -> String {
        format!("{} {}", self.code, self.number)
    }

    /// The level that the code implies.
    pub fn implied_level(&self) -> ImpliedLevel {
        let first = self.code.split('/').next().unwrap_or("");
        let letters: String = first
            .chars()
            .take_while(char::is_ascii_alphabetic)
            .collect();
        match letters.as_str() {
            "ISO" | "IEC" | "ITU" => ImpliedLevel::International,
            "GB" => ImpliedLevel::National,
            "DB" => ImpliedLevel::Local,
            "T" if self.code.contains('/') => ImpliedLevel::Group,
            "Q" => ImpliedLevel::Unknown,
            l if l.len() == 2 && first.len() == 2 => ImpliedLevel::Industry,
            _ => ImpliedLevel::Unknown,
        }
    }
}

/// Parses and normalises a standard number: full-width to half-width, upper
/// case, one space between code and number, ASCII hyphen before the year
/// (`gb/t　12345—2020` → `GB/T 12345-2020`). Returns `None` when no code
/// followed by a number can be found.
pub fn normalise_standard_number(raw: &str) -> Option<StandardNumber> {
    let text: String = raw
        .chars()
        .map(halfwidth)
        .flat_map(char::to_uppercase)
        .collect();
    let text = text.trim();
    // The code: '/'-separated segments; each segment is letters, and a
    // segment followed by '/' may end in digits (DB35/T). White space between
    // code and number is optional.
    let chars: Vec<char> = text.chars().collect();
    let mut i = 0usize;
    let mut code = String::new();
    loop {
        let seg_start = i;
        while chars.get(i).is_some_and(|c| c.is_ascii_alphabetic()) {
            i = i.saturating_add(1);
        }
        if i == seg_start {
            return None;
        }
        let letters_end = i;
        while chars.get(i).is_some_and(char::is_ascii_digit) {
            i = i.saturating_add(1);
        }
        let mut j = i;
        while chars.get(j).is_some_and(|c| *c == ' ') {
            j = j.saturating_add(1);
        }
        if chars.get(j) == Some(&'/') {
            code.extend(chars.get(seg_start..i)?.iter());
            code.push('/');
            i = j.saturating_add(1);
            while chars.get(i).is_some_and(|c| *c == ' ') {
                i = i.saturating_add(1);
            }
            continue;
        }
        // Last segment: letters only (the digits belong to the number),
        // except a local code written with a space (`DB35 1234-2020`).
        let spaced = chars.get(i).is_some_and(|c| *c == ' ') && i > letters_end;
        let end = if spaced { i } else { letters_end };
        code.extend(chars.get(seg_start..end)?.iter());
        i = end;
        break;
    }
    let rest: String = chars
        .get(i..)?
        .iter()
        .filter(|c| !c.is_whitespace())
        .collect();
    let valid_number = rest.chars().next().is_some_and(|c| c.is_ascii_digit())
        && rest
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':'));
    if !valid_number || code.len() > 24 || rest.len() > 40 {
        return None;
    }
    Some(StandardNumber { code, number: rest })
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

    #[test]
    fn standard_numbers() {
        let n = |s: &str| normalise_standard_number(s).map(|n| n.canonical());
        assert_eq!(n("gb/t　12345—2020"), Some("GB/T 12345-2020".into()));
        assert_eq!(n("GB/T12345-2020"), Some("GB/T 12345-2020".into()));
        assert_eq!(
            n("ＧＢ／Ｔ　１２３４５－２０２０"),
            Some("GB/T 12345-2020".into())
        );
        assert_eq!(n("DB35/T 1234-2020"), Some("DB35/T 1234-2020".into()));
        assert_eq!(n("DB3501/T1234–2020"), Some("DB3501/T 1234-2020".into()));
        assert_eq!(n("DB35 1234-2020"), Some("DB35 1234-2020".into()));
        assert_eq!(n("t/cas 123-2020"), Some("T/CAS 123-2020".into()));
        assert_eq!(n("ISO/IEC 27001:2013"), Some("ISO/IEC 27001:2013".into()));
        assert_eq!(n("iso 9001 : 2015"), Some("ISO 9001:2015".into()));
        assert_eq!(n("GB / T 1.1 - 2020"), Some("GB/T 1.1-2020".into()));
        assert_eq!(n("12345-2020"), None);
        assert_eq!(n("GB/T"), None);
        assert_eq!(n(""), None);
        assert_eq!(n("GB/T 12345#2020"), None);
    }

    #[test]
    fn implied_levels() {
        let l = |s: &str| normalise_standard_number(s).map(|n| n.implied_level());
        assert_eq!(l("GB 1-2020"), Some(ImpliedLevel::National));
        assert_eq!(l("GB/Z 1-2020"), Some(ImpliedLevel::National));
        assert_eq!(l("JB/T 1-2020"), Some(ImpliedLevel::Industry));
        assert_eq!(l("DB3501/T 1-2020"), Some(ImpliedLevel::Local));
        assert_eq!(l("T/CAS 1-2020"), Some(ImpliedLevel::Group));
        assert_eq!(l("ISO/TC 1:2020"), Some(ImpliedLevel::International));
        assert_eq!(l("ITU 1-2020"), Some(ImpliedLevel::International));
        assert_eq!(l("Q/FZ 1-2020"), Some(ImpliedLevel::Unknown));
    }

    #[test]
    fn free_subjects() {
        assert_eq!(normalise_free("  sac / tc　28 "), "SAC/TC 28");
        assert_eq!(normalise_free("iso/tc 45/sc 3"), "ISO/TC 45/SC 3");
        assert_eq!(normalise_free(&normalise_free("a  b")), "A B");
    }
}
