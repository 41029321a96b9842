//! Calendar dates (ISO 8601 `YYYY-MM-DD`), without a clock or time zone.

use std::fmt;

/// A proleptic Gregorian calendar date between years 1900 and 9999.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    year: u16,
    month: u8,
    day: u8,
}

impl Date {
    /// Parses exactly `YYYY-MM-DD` and checks that the day exists.
    pub fn parse(s: &str) -> Option<Date> {
        let b = s.as_bytes();
        if b.len() != 10 || b.get(4) != Some(&b'-') || b.get(7) != Some(&b'-') {
            return None;
        }
        let num = |r: std::ops::Range<usize>| -> Option<u32> {
            let part = s.get(r)?;
            if !part.bytes().all(|c| c.is_ascii_digit()) {
                return None;
            }
            part.parse().ok()
        };
        let year = num(0..4)?;
        let month = num(5..7)?;
        let day = num(8..10)?;
        if !(1900..=9999).contains(&year) || !(1..=12).contains(&month) || day < 1 {
            return None;
        }
        let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
        let days_in_month = match month {
            2 if leap => 29,
            2 => 28,
            4 | 6 | 9 | 11 => 30,
            _ => 31,
        };
        if day > days_in_month {
            return None;
        }
        Some(Date {
            year: u16::try_from(year).ok()?,
            month: u8::try_from(month).ok()?,
            day: u8::try_from(day).ok()?,
        })
    }

    /// The year.
    pub fn year(self) -> u16 {
        self.year
    }

    /// The following calendar day, `None` after 9999-12-31.
    pub fn next_day(self) -> Option<Date> {
        let d = format!(
            "{:04}-{:02}-{:02}",
            self.year,
            self.month,
            self.day.checked_add(1)?
        );
        if let Some(next) = Date::parse(&d) {
            return Some(next);
        }
        let m = format!("{:04}-{:02}-01", self.year, self.month.checked_add(1)?);
        if let Some(next) = Date::parse(&m) {
            return Some(next);
        }
        Date::parse(&format!("{:04}-01-01", self.year.checked_add(1)?))
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

#[cfg(test)]
mod tests {
    use super::Date;

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
}
