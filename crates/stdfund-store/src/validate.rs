//! Input checks applied before anything touches the database.
//!
//! The store trusts the caller for business rules but not for shape: dates must be real
//! `YYYY-MM-DD` dates, timestamps RFC 3339, JSON payloads well-formed, required text non-empty,
//! cursors ones the store handed out.

use crate::error::StoreError;

/// Default page size when the caller passes 0.
pub const DEFAULT_PAGE_SIZE: u32 = 50;
/// Largest page size; larger requests are clamped to it.
pub const MAX_PAGE_SIZE: u32 = 1000;

/// Longest accepted text field (bytes), JSON payloads excepted.
const MAX_TEXT: usize = 4096;
/// Longest accepted JSON payload (bytes).
const MAX_JSON: usize = 4 * 1024 * 1024;

pub(crate) fn non_empty(field: &'static str, value: &str) -> Result<(), StoreError> {
    if value.trim().is_empty() {
        return Err(StoreError::invalid(field, "must not be empty"));
    }
    if value.len() > MAX_TEXT {
        return Err(StoreError::invalid(
            field,
            format!("longer than {MAX_TEXT} bytes"),
        ));
    }
    if value.contains('\0') {
        return Err(StoreError::invalid(field, "contains a NUL character"));
    }
    Ok(())
}

pub(crate) fn json(field: &'static str, value: &str) -> Result<(), StoreError> {
    if value.len() > MAX_JSON {
        return Err(StoreError::invalid(
            field,
            format!("longer than {MAX_JSON} bytes"),
        ));
    }
    serde_json::from_str::<serde_json::Value>(value)
        .map(|_| ())
        .map_err(|e| StoreError::invalid(field, format!("not valid JSON: {e}")))
}

fn digits(s: &str) -> Option<u32> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

fn days_in_month(year: u32, month: u32) -> u32 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if (year.is_multiple_of(4) && !year.is_multiple_of(100)) || year.is_multiple_of(400) => {
            29
        }
        2 => 28,
        _ => 0,
    }
}

fn is_date(s: &str) -> bool {
    let mut parts = s.split('-');
    let (Some(y), Some(m), Some(d), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return false;
    };
    if y.len() != 4 || m.len() != 2 || d.len() != 2 {
        return false;
    }
    match (digits(y), digits(m), digits(d)) {
        (Some(y), Some(m), Some(d)) => (1..=12).contains(&m) && d >= 1 && d <= days_in_month(y, m),
        _ => false,
    }
}

/// `YYYY-MM-DD`, a real calendar date.
pub(crate) fn date(field: &'static str, value: &str) -> Result<(), StoreError> {
    if is_date(value) {
        Ok(())
    } else {
        Err(StoreError::invalid(
            field,
            format!("{value:?} is not a YYYY-MM-DD date"),
        ))
    }
}

fn is_time(s: &str) -> bool {
    // HH:MM:SS[.fraction]
    let (hms, frac) = match s.split_once('.') {
        Some((hms, frac)) => (hms, Some(frac)),
        None => (s, None),
    };
    if let Some(frac) = frac
        && (frac.is_empty() || frac.len() > 9 || !frac.bytes().all(|b| b.is_ascii_digit()))
    {
        return false;
    }
    let mut parts = hms.split(':');
    let (Some(h), Some(m), Some(sec), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return false;
    };
    if h.len() != 2 || m.len() != 2 || sec.len() != 2 {
        return false;
    }
    // 60 allows a leap second, as RFC 3339 does.
    matches!((digits(h), digits(m), digits(sec)), (Some(h), Some(m), Some(s)) if h < 24 && m < 60 && s <= 60)
}

fn is_offset(s: &str) -> bool {
    if s == "Z" || s == "z" {
        return true;
    }
    let Some(rest) = s.strip_prefix('+').or_else(|| s.strip_prefix('-')) else {
        return false;
    };
    let Some((h, m)) = rest.split_once(':') else {
        return false;
    };
    h.len() == 2
        && m.len() == 2
        && matches!((digits(h), digits(m)), (Some(h), Some(m)) if h < 24 && m < 60)
}

/// An RFC 3339 timestamp such as `2026-03-01T09:30:00+08:00` or `2026-03-01T01:30:00.123Z`.
pub(crate) fn timestamp(field: &'static str, value: &str) -> Result<(), StoreError> {
    let ok = value.is_char_boundary(10) && value.len() > 11 && {
        let (date_part, rest) = value.split_at(10);
        let mut chars = rest.chars();
        let sep_ok = matches!(chars.next(), Some('T' | 't'));
        let rest = chars.as_str();
        let offset_at = rest
            .char_indices()
            .find(|&(_, c)| matches!(c, 'Z' | 'z' | '+' | '-'))
            .map(|(i, _)| i);
        sep_ok
            && is_date(date_part)
            && offset_at.is_some_and(|i| {
                let (time, offset) = rest.split_at(i);
                is_time(time) && is_offset(offset)
            })
    };
    if ok {
        Ok(())
    } else {
        Err(StoreError::invalid(
            field,
            format!("{value:?} is not an RFC 3339 timestamp"),
        ))
    }
}

/// Clamps a requested page size: 0 means [`DEFAULT_PAGE_SIZE`], anything above
/// [`MAX_PAGE_SIZE`] is reduced to it.
pub(crate) fn page_size(requested: u32) -> u32 {
    match requested {
        0 => DEFAULT_PAGE_SIZE,
        n => n.min(MAX_PAGE_SIZE),
    }
}

/// Parses a cursor handed out by a previous page (`None` = start from the beginning) into the
/// last id seen.
pub(crate) fn cursor(value: Option<&str>) -> Result<i64, StoreError> {
    match value {
        None => Ok(0),
        Some(s) => s
            .parse::<i64>()
            .ok()
            .filter(|&id| id > 0 && digits(s).is_some())
            .ok_or_else(|| StoreError::invalid("cursor", format!("{s:?} is not a cursor"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates() {
        assert!(is_date("2024-02-29"));
        assert!(!is_date("2023-02-29"));
        assert!(!is_date("2023-13-01"));
        assert!(!is_date("2023-1-01"));
        assert!(!is_date("20230101"));
        assert!(!is_date("2023-01-01-"));
        assert!(!is_date("+023-01-01"));
    }

    #[test]
    fn timestamps() {
        for ok in [
            "2026-03-01T09:30:00+08:00",
            "2026-03-01T01:30:00Z",
            "2026-03-01T01:30:00.123456Z",
            "2026-03-01t01:30:00-05:30",
        ] {
            assert!(timestamp("t", ok).is_ok(), "{ok}");
        }
        for bad in [
            "",
            "2026-03-01",
            "2026-03-01 01:30:00Z",
            "2026-03-01T01:30:00",
            "2026-03-01T25:30:00Z",
            "2026-03-01T01:30:00.Z",
            "2026-03-01T01:30:00+0800",
            "2026-02-30T01:30:00Z",
            "２026-03-01T01:30:00Z",
        ] {
            assert!(timestamp("t", bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn cursors_and_pages() {
        assert_eq!(cursor(None).ok(), Some(0));
        assert_eq!(cursor(Some("42")).ok(), Some(42));
        assert!(cursor(Some("-1")).is_err());
        assert!(cursor(Some("+1")).is_err());
        assert!(cursor(Some("0")).is_err());
        assert!(cursor(Some("x")).is_err());
        assert_eq!(page_size(0), DEFAULT_PAGE_SIZE);
        assert_eq!(page_size(5), 5);
        assert_eq!(page_size(u32::MAX), MAX_PAGE_SIZE);
    }
}
