//! Calendar dates (ISO 8601 `YYYY-MM-DD`), without a clock or time zone.
//!
//! Invariants: a [`Date`] always names a day that exists, between 1900-01-01
//! and 9999-12-31; rendering is integer formatting into a caller's buffer.

use std::fmt;

/// A proleptic Gregorian calendar date between years 1900 and 9999.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    year: u16,
    month: u8,
    day: u8,
}

fn is_leap(year: u16) -> bool {
    (year.is_multiple_of(4) && !year.is_multiple_of(100)) || year.is_multiple_of(400)
}

fn days_in_month(year: u16, month: u8) -> u8 {
    match month {
        2 if is_leap(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

fn digits(b: &[u8]) -> Option<u16> {
    let mut n: u16 = 0;
    for &c in b {
        if !c.is_ascii_digit() {
            return None;
        }
        n = n
            .checked_mul(10)?
            .checked_add(u16::from(c.wrapping_sub(b'0')))?;
    }
    Some(n)
}

/// Why a text is not a date, for the `INVALID_DATE` message. Only ever
/// advice: a date is read from `YYYY-MM-DD` alone.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DateHint {
    /// Nothing more to say.
    Unknown,
    /// A day that does not exist (`2021-02-29`, `2020-13-01`, `2021/2/30`).
    NoSuchDay,
    /// A day before 1900-01-01 (four-digit years never pass 9999).
    TooEarly,
    /// Another way of writing this day (`2020/5/1`, `2020年5月1日`,
    /// `20200501`, full-width digits).
    WriteAs(Date),
}

/// The year, month and day a date-like text spells, in any of the forms a
/// clerk types: `YYYY-MM-DD`, `YYYY/M/D`, `YYYY.M.D`, `YYYY年M月D日`,
/// `YYYYMMDD`, with half- or full-width digits and separators (made
/// half-width by NFKC).
fn loose_parts(s: &str) -> Option<(u16, u8, u8)> {
    let t: String = crate::canon::nfkc(s)
        .chars()
        .map(|c| match c {
            '年' | '月' | '/' | '.' => '-',
            _ => c,
        })
        .collect();
    let t = t.strip_suffix('日').unwrap_or(&t);
    let parts: Vec<&str> = if t.len() == 8 && t.bytes().all(|b| b.is_ascii_digit()) {
        vec![t.get(0..4)?, t.get(4..6)?, t.get(6..8)?]
    } else {
        t.split('-').collect()
    };
    let [y, m, d] = parts.as_slice() else {
        return None;
    };
    let ok = |p: &str, max_len: usize| !p.is_empty() && p.len() <= max_len;
    if y.len() != 4 || !ok(m, 2) || !ok(d, 2) {
        return None;
    }
    Some((
        digits(y.as_bytes())?,
        u8::try_from(digits(m.as_bytes())?).ok()?,
        u8::try_from(digits(d.as_bytes())?).ok()?,
    ))
}

impl Date {
    /// Parses exactly `YYYY-MM-DD` and checks that the day exists.
    pub fn parse(s: &str) -> Option<Date> {
        let b = s.as_bytes();
        if b.len() != 10 || b.get(4) != Some(&b'-') || b.get(7) != Some(&b'-') {
            return None;
        }
        let year = digits(b.get(0..4)?)?;
        let month = u8::try_from(digits(b.get(5..7)?)?).ok()?;
        let day = u8::try_from(digits(b.get(8..10)?)?).ok()?;
        Date::from_ymd(year, month, day)
    }

    /// What to tell someone whose `s` did not [`parse`](Date::parse).
    pub fn hint(s: &str) -> DateHint {
        let Some((year, month, day)) = loose_parts(s) else {
            return DateHint::Unknown;
        };
        let exists = (1..=12).contains(&month) && day >= 1 && day <= days_in_month(year, month);
        match Date::from_ymd(year, month, day) {
            Some(d) => DateHint::WriteAs(d),
            None if exists => DateHint::TooEarly,
            None => DateHint::NoSuchDay,
        }
    }

    /// Reads a date in any of the forms a clerk types (`2020-05-01`,
    /// `2020/5/1`, `2020.5.1`, `2020年5月1日`, `20200501`, full-width
    /// digits), white space and invisible format characters anywhere
    /// ignored; otherwise what to tell about the text (`NoSuchDay`,
    /// `TooEarly` or `Unknown`, never `WriteAs`). For the inputs read
    /// loosely by design — the cells of a batch sheet and of a 免申即享
    /// feed — not for the contract, which takes `YYYY-MM-DD` alone.
    pub fn read_loose(s: &str) -> Result<Date, DateHint> {
        let t: String = s
            .chars()
            .filter(|c| {
                !c.is_whitespace()
                    && !matches!(c, '\u{00AD}' | '\u{200B}'..='\u{200F}' | '\u{2060}'..='\u{2064}' | '\u{FEFF}')
            })
            .collect();
        if let Some(d) = Date::parse(&t) {
            return Ok(d);
        }
        match Date::hint(&t) {
            DateHint::WriteAs(d) => Ok(d),
            other => Err(other),
        }
    }

    /// The date of a year, month and day, when it exists and lies in 1900–9999.
    pub fn from_ymd(year: u16, month: u8, day: u8) -> Option<Date> {
        if !(1900..=9999).contains(&year) || !(1..=12).contains(&month) || day < 1 {
            return None;
        }
        (day <= days_in_month(year, month)).then_some(Date { year, month, day })
    }

    /// The year.
    pub fn year(self) -> u16 {
        self.year
    }

    /// The month, 1–12.
    pub fn month(self) -> u8 {
        self.month
    }

    /// The day of the month.
    pub fn day(self) -> u8 {
        self.day
    }

    /// The following calendar day, `None` after 9999-12-31.
    pub fn next_day(self) -> Option<Date> {
        if self.day < days_in_month(self.year, self.month) {
            return Some(Date {
                day: self.day.checked_add(1)?,
                ..self
            });
        }
        if self.month < 12 {
            return Some(Date {
                month: self.month.checked_add(1)?,
                day: 1,
                ..self
            });
        }
        Date::from_ymd(self.year.checked_add(1)?, 1, 1)
    }

    /// Days since 1970-01-01 (negative before), for date arithmetic.
    #[allow(clippy::arithmetic_side_effects)] // operands bounded by years 1900–9999
    pub fn days_since_epoch(self) -> i64 {
        // Howard Hinnant's days_from_civil; every operand is small, so plain
        // i64 arithmetic cannot overflow for years 1900–9999.
        let y = i64::from(self.year) - i64::from(self.month <= 2);
        let era = y.div_euclid(400);
        let yoe = y - era * 400;
        let m = i64::from(self.month);
        let mp = if m > 2 { m - 3 } else { m + 9 };
        let doy = (153 * mp + 2) / 5 + i64::from(self.day) - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        era * 146_097 + doe - 719_468
    }

    /// The date `days` after 1970-01-01, when it lies in 1900–9999.
    #[allow(clippy::arithmetic_side_effects)] // `days` is bounded first
    pub fn from_days_since_epoch(days: i64) -> Option<Date> {
        // Howard Hinnant's civil_from_days, bounded first so nothing overflows.
        if !(-25_567..=2_932_896).contains(&days) {
            return None;
        }
        let z = days.checked_add(719_468)?;
        let era = z.div_euclid(146_097);
        let doe = z - era * 146_097;
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let d = doy - (153 * mp + 2) / 5 + 1;
        let m = if mp < 10 { mp + 3 } else { mp - 9 };
        let y = yoe + era * 400 + i64::from(m <= 2);
        Date::from_ymd(
            u16::try_from(y).ok()?,
            u8::try_from(m).ok()?,
            u8::try_from(d).ok()?,
        )
    }

    /// The day of the week, 1 = Monday … 7 = Sunday (ISO 8601).
    pub fn iso_weekday(self) -> u8 {
        // 1970-01-01 was a Thursday (4).
        let w = self.days_since_epoch().saturating_add(3).rem_euclid(7);
        u8::try_from(w.saturating_add(1)).unwrap_or(1)
    }

    /// `self + days` (negative goes back), when the result lies in 1900–9999.
    pub fn add_days(self, days: i64) -> Option<Date> {
        Date::from_days_since_epoch(self.days_since_epoch().checked_add(days)?)
    }

    /// Appends `YYYY-MM-DD` to `out`.
    pub fn write_to(self, out: &mut String) {
        let digit = |n: u16| b'0'.saturating_add(u8::try_from(n % 10).unwrap_or(0));
        let (y, m, d) = (self.year, u16::from(self.month), u16::from(self.day));
        let text = [
            digit(y / 1000),
            digit(y / 100),
            digit(y / 10),
            digit(y),
            b'-',
            digit(m / 10),
            digit(m),
            b'-',
            digit(d / 10),
            digit(d),
        ];
        push_ascii(out, &text);
    }
}

/// Appends ASCII bytes (digits, signs) to `out` without UTF-8 validation,
/// which costs more than the copy for strings this short.
pub(crate) fn push_ascii(out: &mut String, bytes: &[u8]) {
    out.reserve(bytes.len());
    for &b in bytes {
        out.push(char::from(b));
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut s = String::with_capacity(10);
        self.write_to(&mut s);
        f.write_str(&s)
    }
}

#[cfg(test)]
mod tests {
    use super::{Date, DateHint};

    proptest::proptest! {
        /// Any text is answered without a panic; a date read is read again
        /// from its own `YYYY-MM-DD`, and written loosely it reads the same.
        #[test]
        fn read_loose_answers_any_text(s in "[0-9０-９年月日/.\\- ]{0,14}|\\PC{0,16}") {
            if let Ok(d) = Date::read_loose(&s) {
                proptest::prop_assert_eq!(Date::parse(&d.to_string()), Some(d));
                let loose = format!("{}年{}月{}日", d.year(), d.month(), d.day());
                proptest::prop_assert_eq!(Date::read_loose(&loose), Ok(d));
            }
        }
    }

    #[test]
    fn read_loose_takes_every_typed_form_and_says_what_is_wrong_with_the_rest() {
        let may_day = Date::from_ymd(2020, 5, 1).unwrap();
        for given in [
            "2020-05-01",
            " 2020-05-01 ",
            "2020/5/1",
            "2020.5.1",
            "2020年5月1日",
            "2020 年 5 月 1 日",
            "20200501",
            "２０２０－０５－０１",
            "2020-05-\u{200B}01",
        ] {
            assert_eq!(Date::read_loose(given), Ok(may_day), "{given:?}");
        }
        assert_eq!(Date::read_loose("2021-02-29"), Err(DateHint::NoSuchDay));
        assert_eq!(Date::read_loose("2021年13月1日"), Err(DateHint::NoSuchDay));
        assert_eq!(Date::read_loose("1899-12-31"), Err(DateHint::TooEarly));
        for unknown in [
            "",
            "May 1, 2020",
            "01-05-2020",
            "2020-5",
            "2020-05-01T00:00",
        ] {
            assert_eq!(
                Date::read_loose(unknown),
                Err(DateHint::Unknown),
                "{unknown:?}"
            );
        }
    }

    #[test]
    fn a_date_that_does_not_parse_gets_advice_never_a_reading() {
        let may_day = Date::from_ymd(2020, 5, 1);
        for given in [
            "2020/5/1",
            "2020/05/01",
            "2020.5.1",
            "2020-5-1",
            "2020年5月1日",
            "2020年05月01日",
            "20200501",
            "２０２０－０５－０１",
            "２０２０年５月１日",
        ] {
            assert_eq!(Date::parse(given), None, "{given} is not YYYY-MM-DD");
            assert_eq!(
                Some(Date::hint(given)),
                may_day.map(DateHint::WriteAs),
                "{given}"
            );
        }
        for given in [
            "2021-02-29",
            "2020-13-01",
            "2020-04-31",
            "2020-00-10",
            "2021/2/29",
        ] {
            assert_eq!(Date::hint(given), DateHint::NoSuchDay, "{given}");
        }
        for given in ["1899-12-31", "0000-01-01", "1899/1/1"] {
            assert_eq!(Date::hint(given), DateHint::TooEarly, "{given}");
        }
        // Orders that are not year first are ambiguous: no advice.
        for given in [
            "5/1/2020",
            "01-05-2020",
            "2020",
            "",
            "2020-5",
            "20-5-1",
            "2020-123-1",
            "May 1, 2020",
        ] {
            assert_eq!(Date::hint(given), DateHint::Unknown, "{given}");
        }
    }

    #[test]
    fn parses_valid_and_rejects_invalid() {
        assert_eq!(
            Date::parse("2016-04-25").map(|d| d.to_string()),
            Some("2016-04-25".into())
        );
        assert!(Date::parse("2020-02-29").is_some());
        for bad in [
            "2019-02-29",
            "2016-4-25",
            "2016/04/25",
            "2016-13-01",
            "2016-00-10",
            "20160425",
            "1899-12-31",
            "2016-04-31",
            "２016-04-25",
            "+016-04-25",
        ] {
            assert!(Date::parse(bad).is_none(), "{bad}");
        }
        assert!(Date::parse("2016-04-24") < Date::parse("2016-04-25"));
        let next = |s: &str| {
            Date::parse(s)
                .and_then(Date::next_day)
                .map(|d| d.to_string())
        };
        assert_eq!(next("2020-02-28"), Some("2020-02-29".into()));
        assert_eq!(next("2019-02-28"), Some("2019-03-01".into()));
        assert_eq!(next("2020-12-31"), Some("2021-01-01".into()));
        assert_eq!(next("9999-12-31"), None);
    }

    #[test]
    fn day_arithmetic_round_trips() {
        let d = Date::parse("1970-01-01").unwrap();
        assert_eq!(d.days_since_epoch(), 0);
        assert_eq!(d.iso_weekday(), 4);
        let mut day = Date::parse("1900-01-01").unwrap();
        let mut n = day.days_since_epoch();
        while let Some(next) = day.next_day() {
            n += 1;
            assert_eq!(next.days_since_epoch(), n, "{next}");
            assert_eq!(Date::from_days_since_epoch(n), Some(next));
            day = next;
        }
        assert_eq!(day.to_string(), "9999-12-31");
        assert_eq!(Date::parse("2026-12-02").unwrap().iso_weekday(), 3);
        assert_eq!(
            Date::parse("2026-12-31")
                .unwrap()
                .add_days(1)
                .map(|d| d.to_string()),
            Some("2027-01-01".into())
        );
    }
}
