//! `grpc-accept-language`: the caller chooses the language of the
//! `google.rpc.LocalizedMessage` an error carries.
//!
//! Errors are built once with both messages (`status.rs`,
//! `registry_error.rs`: `zh-CN` and `en-US`). When a call sends
//! `grpc-accept-language` (`zh-CN`, `en-US;q=0.8, zh;q=0.5`, …; the
//! Accept-Language syntax with q-values, parsed by `accept-language`), the
//! [`Narrow`] rewrite keeps the `LocalizedMessage` of the best accepted
//! language and drops the other, and gives the `BadRequest` field violation
//! its localized message in that language. Without the header, or when no
//! accepted language is offered (`*`, `fr`), both stay, as before. The
//! status message (English) and `ErrorInfo` (both messages in its metadata)
//! are never changed.
//!
//! The layer sits below grpc-web, so it sees every answer as gRPC: the
//! status of a trailers-only answer in the response headers, of a full
//! answer in the trailers.

use crate::status::{LOCALE_EN, LOCALE_ZH};
use crate::status_rewrite::{StatusRewrite, StatusRewriteLayer};
use http::HeaderMap;
use tonic::Status;
use tonic_types::{ErrorDetail, LocalizedMessage, StatusExt};

/// The request header naming the caller's languages.
pub const ACCEPT_LANGUAGE: &str = "grpc-accept-language";

/// A language the server has messages in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Locale {
    /// `zh-CN`.
    Zh,
    /// `en-US`.
    En,
}

impl Locale {
    /// The BCP 47 tag of its `LocalizedMessage`.
    pub fn tag(self) -> &'static str {
        match self {
            Locale::Zh => LOCALE_ZH,
            Locale::En => LOCALE_EN,
        }
    }
}

/// The best language of an Accept-Language value that the server offers;
/// `None` when it names none of them (both messages are then sent).
pub fn preferred(header: &str) -> Option<Locale> {
    accept_language::parse_with_quality(header)
        .into_iter()
        .filter(|(_, q)| *q > 0.0)
        .find_map(|(tag, _)| {
            let primary = tag.split(['-', '_']).next().unwrap_or_default();
            if primary.eq_ignore_ascii_case("zh") {
                Some(Locale::Zh)
            } else if primary.eq_ignore_ascii_case("en") {
                Some(Locale::En)
            } else {
                None
            }
        })
}

/// The status in `headers` (trailers, or the headers of a trailers-only
/// answer) with its localized messages narrowed to `locale`; the headers
/// are left alone when they carry no status details.
pub fn narrow(headers: &mut HeaderMap, locale: Locale) {
    if !headers.contains_key("grpc-status-details-bin") {
        return;
    }
    let Some(status) = Status::from_header_map(headers) else {
        return;
    };
    let details = status.get_error_details_vec();
    if details.is_empty() {
        return;
    }
    let keep = locale.tag();
    let message_of = |tag: &str| {
        details.iter().find_map(|d| match d {
            ErrorDetail::LocalizedMessage(m) if m.locale == tag => Some(m.message.clone()),
            _ => None,
        })
    };
    let Some(chosen) = message_of(keep) else {
        return;
    };
    let narrowed: Vec<ErrorDetail> = details
        .iter()
        .filter(|d| !matches!(d, ErrorDetail::LocalizedMessage(m) if m.locale != keep))
        .cloned()
        .map(|d| match d {
            ErrorDetail::BadRequest(mut b) => {
                for v in &mut b.field_violations {
                    v.localized_message = Some(LocalizedMessage::new(keep, chosen.clone()));
                }
                ErrorDetail::BadRequest(b)
            }
            other => other,
        })
        .collect();
    let rebuilt = Status::with_error_details_vec(status.code(), status.message(), narrowed);
    let mut rebuilt_headers = HeaderMap::new();
    if rebuilt.add_header(&mut rebuilt_headers).is_ok()
        && let Some(value) = rebuilt_headers.get("grpc-status-details-bin")
    {
        headers.insert("grpc-status-details-bin", value.clone());
    }
}

/// The rewrite that narrows the localized messages of errors to the
/// caller's `grpc-accept-language`, for [`StatusRewriteLayer`]: calls
/// without the header, or naming no language the server offers, are left
/// alone.
#[derive(Debug, Clone, Copy, Default)]
pub struct Narrow;

impl StatusRewrite for Narrow {
    type Call = Locale;

    fn begin(&self, request: &HeaderMap) -> Option<Locale> {
        request
            .get(ACCEPT_LANGUAGE)
            .and_then(|v| v.to_str().ok())
            .and_then(preferred)
    }

    fn rewrite(locale: &Locale, headers: &mut HeaderMap) {
        narrow(headers, *locale);
    }
}

/// The layer: `Server::builder().layer(locale::layer())`.
pub fn layer() -> StatusRewriteLayer<Narrow> {
    StatusRewriteLayer(Narrow)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;
    use crate::status::ApiError;

    #[test]
    fn q_values_choose_the_language() {
        assert_eq!(preferred("zh-CN"), Some(Locale::Zh));
        assert_eq!(preferred("en-US"), Some(Locale::En));
        assert_eq!(preferred("en"), Some(Locale::En));
        assert_eq!(preferred("zh-Hans-CN, en;q=0.5"), Some(Locale::Zh));
        assert_eq!(preferred("zh;q=0.4, en-GB;q=0.9"), Some(Locale::En));
        assert_eq!(preferred("fr-FR, en;q=0.1"), Some(Locale::En));
        assert_eq!(preferred("en;q=0, zh"), Some(Locale::Zh));
        assert_eq!(preferred("*"), None);
        assert_eq!(preferred("fr, de"), None);
        assert_eq!(preferred(""), None);
    }

    fn locales(headers: &HeaderMap) -> Vec<(String, String)> {
        Status::from_header_map(headers)
            .unwrap()
            .get_error_details_vec()
            .into_iter()
            .filter_map(|d| match d {
                ErrorDetail::LocalizedMessage(m) => Some((m.locale, m.message)),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn narrowing_keeps_one_language_and_everything_else() {
        let e = stdfund_rules::Error::InvalidDate {
            path: "achievements[0].date".into(),
            value: "2020-02-30".into(),
            hint: stdfund_rules::date::DateHint::NoSuchDay,
        };
        let status = Status::from(ApiError::from(e));
        let mut headers = HeaderMap::new();
        status.add_header(&mut headers).unwrap();
        assert_eq!(locales(&headers).len(), 2);

        let mut en = headers.clone();
        narrow(&mut en, Locale::En);
        let kept = locales(&en);
        assert_eq!(kept.len(), 1);
        assert_eq!(kept[0].0, "en-US");
        let s = Status::from_header_map(&en).unwrap();
        assert_eq!(s.code(), tonic::Code::InvalidArgument);
        assert_eq!(s.message(), status.message());
        let d = s.get_error_details();
        assert_eq!(d.error_info().unwrap().reason, "INVALID_DATE");
        let v = &d.bad_request().unwrap().field_violations[0];
        assert_eq!(v.localized_message.as_ref().unwrap().locale, "en-US");

        let mut zh = headers.clone();
        narrow(&mut zh, Locale::Zh);
        let kept = locales(&zh);
        assert_eq!(kept.len(), 1);
        assert_eq!(kept[0].0, "zh-CN");
        assert!(kept[0].1.contains("日期"), "{kept:?}");

        // No details: untouched.
        let mut plain = HeaderMap::new();
        Status::unavailable("down").add_header(&mut plain).unwrap();
        let before = plain.clone();
        narrow(&mut plain, Locale::En);
        assert_eq!(plain, before);
    }
}
