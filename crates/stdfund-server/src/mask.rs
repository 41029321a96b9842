//! Masking of unified social credit codes (统一社会信用代码) in logs.
//!
//! A code keeps its first 6 characters (registration authority, unit type and
//! the start of the division code) and its last 4, with the 8 between them
//! replaced by `*`: `91350100M000100Y43` → `913501********0Y43`. Enough to
//! tell codes apart in a log, not enough to identify the unit.
//!
//! [`mask_credit_code`] masks one value; [`mask_credit_codes_in`] masks every
//! credit-code-like token in a text and is applied to every log line by
//! [`crate::logging`], so a code quoted in an error message is masked too.

/// Characters kept at the start.
const KEEP_HEAD: usize = 6;
/// Characters kept at the end.
const KEEP_TAIL: usize = 4;
/// A unified social credit code's length.
const CODE_LEN: usize = 18;

/// Masks one credit code (or anything given as one). A value of 10 or fewer
/// characters is masked entirely, so that nothing short leaks.
pub fn mask_credit_code(code: &str) -> String {
    let chars: Vec<char> = code.chars().collect();
    let n = chars.len();
    if n <= KEEP_HEAD.saturating_add(KEEP_TAIL) {
        return "*".repeat(n);
    }
    let tail_start = n.saturating_sub(KEEP_TAIL);
    chars
        .iter()
        .enumerate()
        .map(|(i, c)| {
            if i < KEEP_HEAD || i >= tail_start {
                *c
            } else {
                '*'
            }
        })
        .collect()
}

/// Whether a byte continues an identifier-like token (so that a run of it is
/// not a code by itself, e.g. inside a 64-digit hash).
fn is_word(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// Masks every standalone 18-character alphanumeric token that contains at
/// least one digit (so ordinary words are left alone). Letters outside the
/// GB 32100 alphabet are masked too: a mistyped code still identifies a unit.
/// Longer tokens (hashes, ids) are not codes and stay as they are.
pub fn mask_credit_codes_in(text: &str) -> std::borrow::Cow<'_, str> {
    let bytes = text.as_bytes();
    let mut out: Option<String> = None;
    let mut copied = 0usize;
    let mut i = 0usize;
    while i < bytes.len() {
        let b = bytes.get(i).copied().unwrap_or(0);
        if !is_word(b) {
            i = i.saturating_add(1);
            continue;
        }
        let start = i;
        while bytes.get(i).is_some_and(|b| is_word(*b)) {
            i = i.saturating_add(1);
        }
        let Some(token) = bytes.get(start..i) else {
            break;
        };
        let is_code = token.len() == CODE_LEN
            && token.iter().all(u8::is_ascii_alphanumeric)
            && token.iter().any(u8::is_ascii_digit);
        if is_code {
            let buf = out.get_or_insert_with(|| String::with_capacity(text.len()));
            buf.push_str(text.get(copied..start).unwrap_or(""));
            buf.push_str(&mask_credit_code(text.get(start..i).unwrap_or("")));
            copied = i;
        }
    }
    match out {
        None => std::borrow::Cow::Borrowed(text),
        Some(mut buf) => {
            buf.push_str(text.get(copied..).unwrap_or(""));
            std::borrow::Cow::Owned(buf)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_six_and_four() {
        assert_eq!(mask_credit_code("91350100M000100Y43"), "913501********0Y43");
        assert_eq!(mask_credit_code("91350100M000100Y43").len(), 18);
        assert_eq!(mask_credit_code("ABCDEFGHIJK"), "ABCDEF*HIJK");
        assert_eq!(mask_credit_code("0123456789"), "**********");
        assert_eq!(mask_credit_code(""), "");
        assert_eq!(
            mask_credit_code("统一社会信用代码不是这个样子的啊"),
            "统一社会信用******样子的啊"
        );
    }

    #[test]
    fn masks_codes_inside_text() {
        let line =
            r#"{"msg":"`91350100m000100y43` is not valid","code":"91350100M000100Y43","n":1}"#;
        assert_eq!(
            mask_credit_codes_in(line),
            r#"{"msg":"`913501********0y43` is not valid","code":"913501********0Y43","n":1}"#
        );
        let two = "a=91350100M000100Y43,b=913501000000000001";
        assert_eq!(
            mask_credit_codes_in(two),
            "a=913501********0Y43,b=913501********0001"
        );
        let mistyped = "bad code 91350100M000100Y4I.";
        assert_eq!(
            mask_credit_codes_in(mistyped),
            "bad code 913501********0Y4I."
        );
    }

    #[test]
    fn leaves_other_tokens_alone() {
        for s in [
            "sha256:3f1a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e7f8",
            "ABCDEFGHJKLMNPQRTU no digits",
            "short 9135010 and 1234567890123456789 (19)",
            "part of a word: x91350100M000100Y43",
            "/stdfund.v1.EstimateService/Estimate",
            "",
        ] {
            assert_eq!(mask_credit_codes_in(s), s, "{s}");
            assert!(matches!(
                mask_credit_codes_in(s),
                std::borrow::Cow::Borrowed(_)
            ));
        }
    }
}
