//! Exact money conversion between the API's yuan ([`Decimal`]) and the stored integer fen.
//!
//! Both databases store amounts as `BIGINT` fen (1 yuan = 100 fen). The API speaks
//! [`rust_decimal::Decimal`] yuan. A yuan amount is accepted only if it is non-negative, has at
//! most two decimal places (trailing zeros beyond that are fine: `1.500` is 150 fen) and fits in
//! an `i64` of fen. Amounts read back always carry exactly two decimal places (`12.30`).

use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;

use crate::error::StoreError;

/// Converts a yuan amount to fen, refusing negative values, fractions of a fen and overflow.
pub fn yuan_to_fen(field: &'static str, yuan: Decimal) -> Result<i64, StoreError> {
    if yuan.is_sign_negative() && !yuan.is_zero() {
        return Err(StoreError::invalid(field, format!("{yuan} is negative")));
    }
    let fen = yuan
        .checked_mul(Decimal::ONE_HUNDRED)
        .ok_or_else(|| StoreError::invalid(field, format!("{yuan} is too large")))?;
    if !fen.fract().is_zero() {
        return Err(StoreError::invalid(
            field,
            format!("{yuan} has more than two decimal places"),
        ));
    }
    fen.trunc()
        .to_i64()
        .ok_or_else(|| StoreError::invalid(field, format!("{yuan} is too large")))
}

/// Converts stored fen to a yuan amount with exactly two decimal places.
pub fn fen_to_yuan(fen: i64) -> Decimal {
    Decimal::new(fen, 2)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;
    use std::str::FromStr;

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    #[test]
    fn converts_exact_amounts() {
        assert_eq!(yuan_to_fen("a", d("12.3")).unwrap(), 1230);
        assert_eq!(yuan_to_fen("a", d("0")).unwrap(), 0);
        assert_eq!(yuan_to_fen("a", d("-0.00")).unwrap(), 0);
        assert_eq!(yuan_to_fen("a", d("1.500")).unwrap(), 150);
        assert_eq!(yuan_to_fen("a", d("500000.01")).unwrap(), 50_000_001);
        assert_eq!(fen_to_yuan(1230).to_string(), "12.30");
        assert_eq!(fen_to_yuan(0).to_string(), "0.00");
    }

    #[test]
    fn refuses_fractions_negatives_and_overflow() {
        assert_eq!(
            yuan_to_fen("a", d("1.005")).unwrap_err().code(),
            "INVALID_ARGUMENT"
        );
        assert_eq!(
            yuan_to_fen("a", d("-0.01")).unwrap_err().code(),
            "INVALID_ARGUMENT"
        );
        assert_eq!(
            yuan_to_fen("a", d("100000000000000000000"))
                .unwrap_err()
                .code(),
            "INVALID_ARGUMENT"
        );
        let max = Decimal::new(i64::MAX, 2);
        assert_eq!(yuan_to_fen("a", max).unwrap(), i64::MAX);
    }
}
