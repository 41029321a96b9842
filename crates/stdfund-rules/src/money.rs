//! Exact money in yuan (CNY) with two decimal places.
//!
//! Invariants: a [`Money`] is never negative, has at most two decimal places
//! and is rendered with exactly two (`"300000.00"`). All arithmetic is
//! checked; an overflow is an [`crate::Error`], never a wrap or a panic.

use rust_decimal::Decimal;
use std::fmt;

/// Yuan per 万元, the unit in which the policy text states its amounts.
const YUAN_PER_WAN: i64 = 10_000;

/// Upper bound of any single amount accepted from input (one trillion yuan).
const MAX_INPUT_YUAN: i64 = 1_000_000_000_000;

/// A non-negative amount of yuan with fen (0.01) precision, held as a whole
/// number of fen.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Money(i64);

/// Why a decimal string is not an acceptable amount.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MoneyProblem {
    /// Not a plain decimal number (`"1e5"`, `"abc"`, `""`, a float-looking value).
    Syntax,
    /// Below zero.
    Negative,
    /// More than two decimal places.
    TooPrecise,
    /// Larger than any plausible amount.
    TooLarge,
}

impl MoneyProblem {
    /// What is wrong, in English (`INVALID_AMOUNT`'s message).
    pub fn en(self) -> &'static str {
        match self {
            MoneyProblem::Syntax => "not a plain decimal number of yuan",
            MoneyProblem::Negative => "negative",
            MoneyProblem::TooPrecise => "more than two decimal places",
            MoneyProblem::TooLarge => "too large",
        }
    }

    /// What an amount must be, or what is wrong, in Chinese.
    pub fn zh(self) -> &'static str {
        match self {
            MoneyProblem::Syntax | MoneyProblem::Negative | MoneyProblem::TooPrecise => {
                "须为非负数,最多两位小数"
            }
            MoneyProblem::TooLarge => "金额过大,超出可受理的上限",
        }
    }
}

impl Money {
    /// Zero yuan.
    pub const ZERO: Money = Money(0);

    /// Parses a plain decimal string of yuan: digits, optionally one `.` and
    /// at most two decimals. No sign, exponent, spaces or separators.
    pub fn parse_yuan(s: &str) -> Result<Money, MoneyProblem> {
        Self::parse_plain(s, 2, MAX_INPUT_YUAN)
            .and_then(|d| Money::from_decimal(d).ok_or(MoneyProblem::TooLarge))
    }

    /// Parses an amount in 万元 as the rulesets state them (up to four
    /// decimals, so that any yuan amount can be written) and converts to yuan.
    pub fn parse_wan(s: &str) -> Result<Money, MoneyProblem> {
        let wan = Self::parse_plain(s, 4, MAX_INPUT_YUAN / YUAN_PER_WAN)?;
        wan.checked_mul(Decimal::from(YUAN_PER_WAN))
            .and_then(Money::from_decimal)
            .ok_or(MoneyProblem::TooLarge)
    }

    fn parse_plain(s: &str, max_scale: u32, max_value: i64) -> Result<Decimal, MoneyProblem> {
        if s.starts_with('-') {
            return Err(MoneyProblem::Negative);
        }
        let (int, frac) = match s.split_once('.') {
            Some((i, f)) => (i, Some(f)),
            None => (s, None),
        };
        let digits_ok = |p: &str| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit());
        if !digits_ok(int) || frac.is_some_and(|f| !digits_ok(f)) {
            return Err(MoneyProblem::Syntax);
        }
        let scale = frac.map_or(0, str::len);
        if scale > max_scale as usize {
            return Err(MoneyProblem::TooPrecise);
        }
        if int.trim_start_matches('0').len() > 13 {
            return Err(MoneyProblem::TooLarge);
        }
        let d: Decimal = s.parse().map_err(|_| MoneyProblem::Syntax)?;
        if d > Decimal::from(max_value) {
            return Err(MoneyProblem::TooLarge);
        }
        Ok(d)
    }

    /// The exact decimal value in yuan (normalised: no trailing zeros).
    pub fn as_decimal(self) -> Decimal {
        Decimal::new(self.0, 2).normalize()
    }

    /// `self + other`, or `None` on overflow.
    pub fn checked_add(self, other: Money) -> Option<Money> {
        self.0.checked_add(other.0).map(Money)
    }

    /// `max(0, self - other)`: the top-up difference (补足差额).
    pub fn saturating_sub(self, other: Money) -> Money {
        Money(self.0.saturating_sub(other.0).max(0))
    }

    /// `self - other` when `other <= self`.
    pub fn checked_sub(self, other: Money) -> Option<Money> {
        self.0.checked_sub(other.0).filter(|d| *d >= 0).map(Money)
    }

    /// `self × ratio`, rounded half-up (away from zero) to 0.01 yuan.
    pub fn share(self, ratio: Ratio) -> Option<Money> {
        // fen × mantissa / 10^scale, rounded half up: (2p + 10^s) / (2 · 10^s).
        let scale = ratio.0.scale();
        let unit = 10i128.checked_pow(scale)?;
        let p = i128::from(self.0).checked_mul(ratio.0.mantissa())?;
        let rounded = p
            .checked_mul(2)?
            .checked_add(unit)?
            .checked_div(unit.checked_mul(2)?)?;
        i64::try_from(rounded).ok().map(Money)
    }

    /// The larger of two amounts.
    pub fn max(self, other: Money) -> Money {
        if other.0 > self.0 { other } else { self }
    }

    /// Whether this is zero.
    pub fn is_zero(self) -> bool {
        self.0 == 0
    }

    /// The canonical rendering: exactly two decimals, no grouping.
    pub fn to_canonical(self) -> String {
        let mut s = String::with_capacity(16);
        self.write_to(&mut s);
        s
    }

    /// Appends the canonical rendering (`"300000.00"`) to `out`.
    pub fn write_to(self, out: &mut String) {
        // Most amounts of an answer are zero (funding counted and not
        // counted, the shares of ineligible lines).
        if self.0 == 0 {
            out.push_str("0.00");
            return;
        }
        let fen = self.0.unsigned_abs();
        let cents = usize::try_from(fen % 100).unwrap_or(0);
        out.push_str(itoa::Buffer::new().format(fen / 100));
        out.push('.');
        out.push_str(
            TWO_DIGITS
                .get(cents.saturating_mul(2)..cents.saturating_mul(2).saturating_add(2))
                .unwrap_or("00"),
        );
    }

    /// The amount of `fen` (0.01 yuan); `None` for a negative number.
    pub fn from_fen(fen: i64) -> Option<Money> {
        (fen >= 0).then_some(Money(fen))
    }

    /// The amount in whole fen.
    pub fn to_fen(self) -> Option<i64> {
        Some(self.0)
    }

    /// The amount from an exact decimal of yuan: non-negative, at most two
    /// decimal places, and at most `i64::MAX` fen.
    pub fn from_decimal(d: Decimal) -> Option<Money> {
        let d = d.normalize();
        if d < Decimal::ZERO || d.scale() > 2 {
            return None;
        }
        let fen = d
            .mantissa()
            .checked_mul(10i128.checked_pow(2u32.saturating_sub(d.scale()))?)?;
        i64::try_from(fen).ok().map(Money)
    }

    /// Renders as 万元 without trailing zeros (`"30"`, `"0.5"`), for explanations.
    pub fn to_wan_string(self) -> String {
        Decimal::new(self.0, 6).normalize().to_string()
    }
}

/// `"00"` to `"99"`, for the fen of an amount.
const TWO_DIGITS: &str = "00010203040506070809101112131415161718192021222324252627282930313233343536373839404142434445464748495051525354555657585960616263646566676869707172737475767778798081828384858687888990919293949596979899";

impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut s = String::with_capacity(16);
        self.write_to(&mut s);
        f.write_str(&s)
    }
}

/// A share ratio between 0 and 1 inclusive (the district's part of a payment).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Ratio(Decimal);

impl Ratio {
    /// Parses a plain decimal between `0` and `1` inclusive, at most six decimals.
    pub fn parse(s: &str) -> Option<Ratio> {
        let (int, frac) = s.split_once('.').unwrap_or((s, ""));
        let ok = !int.is_empty()
            && int.bytes().all(|b| b.is_ascii_digit())
            && frac.bytes().all(|b| b.is_ascii_digit())
            && frac.len() <= 6
            && !(s.contains('.') && frac.is_empty());
        if !ok {
            return None;
        }
        let d: Decimal = s.parse().ok()?;
        (d >= Decimal::ZERO && d <= Decimal::ONE).then_some(Ratio(d.normalize()))
    }

    /// The exact decimal value.
    pub fn as_decimal(self) -> Decimal {
        self.0
    }
}

impl Ratio {
    /// Appends the canonical rendering (at least two decimals: `"0.50"`) to `out`.
    pub fn write_to(self, out: &mut String) {
        use std::fmt::Write;
        let _ = write!(out, "{self}");
    }

    /// The ratio zero (no district share).
    pub const ZERO: Ratio = Ratio(Decimal::ZERO);
}

impl fmt::Display for Ratio {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = self.0;
        if d.scale() < 2 {
            d.rescale(2);
        }
        write!(f, "{d}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_renders_exactly() {
        let m = Money::parse_yuan("100000.5").unwrap_or_default();
        assert_eq!(m.to_canonical(), "100000.50");
        assert_eq!(
            Money::parse_yuan("0").map(Money::to_canonical),
            Ok("0.00".into())
        );
        assert_eq!(
            Money::parse_wan("30").map(Money::to_canonical),
            Ok("300000.00".into())
        );
        assert_eq!(
            Money::parse_wan("0.0001").map(Money::to_canonical),
            Ok("1.00".into())
        );
    }

    #[test]
    fn renders_every_scale() {
        for (input, out) in [
            ("0", "0.00"),
            ("7", "7.00"),
            ("7.5", "7.50"),
            ("7.05", "7.05"),
            ("100000.00", "100000.00"),
            ("0.01", "0.01"),
        ] {
            assert_eq!(
                Money::parse_yuan(input).map(Money::to_canonical),
                Ok(out.to_string()),
                "{input}"
            );
        }
        let m = Money::parse_yuan("99999.97").unwrap_or_default();
        let r = Ratio::parse("0.333333").unwrap_or(Ratio(Decimal::ONE));
        assert_eq!(m.share(r).map(Money::to_canonical), Some("33333.29".into()));
    }

    #[test]
    fn renders_fen_exactly() {
        for (fen, out) in [
            (0, "0.00"),
            (5, "0.05"),
            (10, "0.10"),
            (100, "1.00"),
            (123_456_789, "1234567.89"),
            (100_000_000_000_000, "1000000000000.00"),
        ] {
            assert_eq!(
                Money::from_fen(fen).map(Money::to_canonical),
                Some(out.into())
            );
        }
        assert_eq!(
            Money::from_fen(i64::MAX).map(Money::to_canonical),
            Some("92233720368547758.07".into())
        );
        assert_eq!(Money::from_fen(-1), None);
        assert_eq!(
            Money::parse_yuan("1000000000000").map(Money::to_fen),
            Ok(Some(100_000_000_000_000))
        );
        assert_eq!(Money::parse_wan("0.0001").map(Money::to_fen), Ok(Some(100)));
    }

    #[test]
    fn rejects_bad_amounts() {
        assert_eq!(Money::parse_yuan("-1"), Err(MoneyProblem::Negative));
        assert_eq!(Money::parse_yuan("1.234"), Err(MoneyProblem::TooPrecise));
        for bad in ["", "1e5", " 1", "1,000", "1.", ".5", "+1", "NaN", "１"] {
            assert_eq!(Money::parse_yuan(bad), Err(MoneyProblem::Syntax), "{bad}");
        }
        assert_eq!(
            Money::parse_yuan("99999999999999999999"),
            Err(MoneyProblem::TooLarge)
        );
    }

    #[test]
    fn share_rounds_half_up() {
        let m = Money::parse_yuan("0.05").unwrap_or_default();
        let r = Ratio::parse("0.5");
        assert_eq!(
            r.and_then(|r| m.share(r)).map(Money::to_canonical),
            Some("0.03".into())
        );
        assert_eq!(
            Money::parse_yuan("10")
                .map(|m| m.saturating_sub(Money::parse_yuan("12").unwrap_or_default())),
            Ok(Money::ZERO)
        );
    }

    #[test]
    fn ratio_bounds() {
        assert!(Ratio::parse("1").is_some());
        assert!(Ratio::parse("1.5").is_none());
        assert!(Ratio::parse("0.1234567").is_none());
        assert_eq!(
            Ratio::parse("0.5").map(|r| r.to_string()),
            Some("0.50".into())
        );
    }
}
