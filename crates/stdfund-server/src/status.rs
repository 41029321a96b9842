//! The one mapping from errors to `tonic::Status`, with rich details, and its
//! inverse.
//!
//! Every error an RPC can return is an [`ApiError`]; `From<ApiError> for
//! Status` is the only place that chooses a gRPC code, and it matches every
//! variant of every wrapped error exhaustively, so a new engine error cannot
//! reach a client without a decision here. (Rust's orphan rule forbids
//! `From<stdfund_rules::Error> for Status` outside both crates; `ApiError`
//! is the local type that carries the mapping.)
//!
//! Each status carries, in `grpc-status-details-bin`:
//! * `google.rpc.ErrorInfo` — `reason` = the stable code, `domain` =
//!   `stdfund.v1`, `metadata` = `field`, `messageZh`, `messageEn` (and
//!   `meant` when the engine offers the value a field was meant to be);
//! * `google.rpc.BadRequest` — one field violation when a field is concerned;
//! * `google.rpc.LocalizedMessage` — `zh-CN` and `en-US`.
//!
//! The status message is the English message. [`error_report`] rebuilds the
//! engine's `ErrorReport` from such a status, byte for byte.

use std::collections::HashMap;
use stdfund_proto::ERROR_DOMAIN;
use stdfund_rules::{Error as RulesError, ErrorReport};
use tonic::{Code, Status};
use tonic_types::{
    BadRequest, ErrorDetail, ErrorInfo, FieldViolation, LocalizedMessage, StatusExt,
};

/// Locale of the Chinese message.
pub const LOCALE_ZH: &str = "zh-CN";
/// Locale of the English message.
pub const LOCALE_EN: &str = "en-US";

/// Reason of an answer over the server's `max_message_bytes`
/// ([`ApiError::AnswerTooLarge`]).
pub const ANSWER_TOO_LARGE: &str = "ANSWER_TOO_LARGE";

/// Every error an RPC of this server returns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ApiError {
    /// The rules engine refused the input (or a what-if ruleset).
    Rules(RulesError),
    /// An EstimateBatch stream sent more items than allowed.
    BatchTooLarge {
        /// The configured limit.
        limit: usize,
    },
    /// Every EstimateBatch stream the server runs at once is taken.
    BatchStreamsBusy {
        /// How many run at once.
        limit: usize,
    },
    /// An answer whose encoded message is over the server's
    /// `max_message_bytes`: an EstimateBatch item carries it inline, and
    /// Estimate (and any other method) fails with it, instead of tonic's
    /// bare status ending the call or the stream.
    AnswerTooLarge {
        /// The answer's size in bytes.
        found: usize,
        /// The server's limit in bytes.
        limit: usize,
    },
}

impl From<RulesError> for ApiError {
    fn from(e: RulesError) -> Self {
        ApiError::Rules(e)
    }
}

/// The gRPC code of an engine error. Every variant is an input problem.
fn rules_code(e: &RulesError) -> Code {
    match e {
        RulesError::InvalidJson { .. }
        | RulesError::UnpairedSurrogate { .. }
        | RulesError::TrailingData { .. }
        | RulesError::InvalidSubject { .. }
        | RulesError::UnknownField { .. }
        | RulesError::DuplicateField { .. }
        | RulesError::InvalidType { .. }
        | RulesError::MissingField { .. }
        | RulesError::FieldTooLong { .. }
        | RulesError::InvalidCreditCode { .. }
        | RulesError::InvalidSeat { .. }
        | RulesError::InvalidDate { .. }
        | RulesError::InvalidAmount { .. }
        | RulesError::AmountOutOfRange { .. }
        | RulesError::InvalidEnumValue { .. }
        | RulesError::UnknownItem { .. }
        | RulesError::UnknownVariant { .. }
        | RulesError::InvalidStandardNumber { .. }
        | RulesError::DuplicateAchievementId { .. }
        | RulesError::TooManyEntries { .. }
        // A what-if ruleset is input. (The embedded rulesets are validated by
        // the rules crate's own tests; they cannot fail at run time.)
        | RulesError::InvalidRuleset { .. } => Code::InvalidArgument,
    }
}

impl ApiError {
    /// The gRPC code.
    pub fn code(&self) -> Code {
        match self {
            ApiError::Rules(e) => rules_code(e),
            ApiError::BatchTooLarge { .. } | ApiError::BatchStreamsBusy { .. } => {
                Code::ResourceExhausted
            }
            // tonic's own code for an answer over the encoding limit.
            ApiError::AnswerTooLarge { .. } => Code::OutOfRange,
        }
    }

    /// The value a refused field was probably meant to be, when the rules
    /// crate offers one (docs/DECISIONS.md D32).
    pub fn meant(&self) -> Option<String> {
        match self {
            ApiError::Rules(e) => e.meant(),
            ApiError::BatchTooLarge { .. }
            | ApiError::BatchStreamsBusy { .. }
            | ApiError::AnswerTooLarge { .. } => None,
        }
    }

    /// The error as the engine's boundary object: stable code, field,
    /// Chinese and English messages. This is also what an EstimateBatch
    /// result carries inline.
    pub fn report(&self) -> ErrorReport {
        match self {
            ApiError::Rules(e) => e.to_report(),
            ApiError::BatchTooLarge { limit } => ErrorReport {
                code: "BATCH_TOO_LARGE".into(),
                field: String::new(),
                message_zh: format!("批量测算每个流最多{limit}项"),
                message_en: format!("a batch stream may carry at most {limit} applications"),
            },
            ApiError::BatchStreamsBusy { limit } => ErrorReport {
                code: "BATCH_STREAMS_BUSY".into(),
                field: String::new(),
                message_zh: format!(
                    "服务器同时最多进行{limit}个批量测算,现已满,请稍后重试或在已有的流中继续发送"
                ),
                message_en: format!(
                    "the server runs at most {limit} batch streams at once and all are busy; retry later, or send on a stream already open"
                ),
            },
            ApiError::AnswerTooLarge { found, limit } => ErrorReport {
                code: ANSWER_TOO_LARGE.into(),
                field: String::new(),
                message_zh: format!(
                    "答复过大({found}字节),超过服务器上限{limit}字节:请减少一次申报的成果数,或请求摘要视图(VIEW_SUMMARY)"
                ),
                message_en: format!(
                    "the answer is {found} bytes, over the server's limit of {limit} bytes: send fewer achievements in one application, or ask for the summary view (VIEW_SUMMARY)"
                ),
            },
        }
    }
}

impl From<ApiError> for Status {
    fn from(e: ApiError) -> Status {
        let code = e.code();
        let mut extra = Vec::new();
        match &e {
            ApiError::BatchTooLarge { limit } | ApiError::BatchStreamsBusy { limit } => {
                extra.push(("limit".to_string(), limit.to_string()))
            }
            ApiError::AnswerTooLarge { found, limit } => {
                extra.push(("foundBytes".to_string(), found.to_string()));
                extra.push(("limitBytes".to_string(), limit.to_string()));
            }
            // The value a refused field was probably meant to be, as data
            // beside the message that offers it (docs/DECISIONS.md D32).
            ApiError::Rules(_) => extra.extend(e.meant().map(|m| ("meant".to_string(), m))),
        }
        status_with_details(code, &e.report(), extra)
    }
}

/// Builds a status with the standard details from a report.
pub fn status_with_details(
    code: Code,
    report: &ErrorReport,
    extra_metadata: Vec<(String, String)>,
) -> Status {
    let mut metadata: HashMap<String, String> = HashMap::new();
    metadata.insert("field".into(), report.field.clone());
    metadata.insert("messageZh".into(), report.message_zh.clone());
    metadata.insert("messageEn".into(), report.message_en.clone());
    metadata.extend(extra_metadata);
    let mut details = vec![ErrorDetail::ErrorInfo(ErrorInfo::new(
        report.code.clone(),
        ERROR_DOMAIN,
        metadata,
    ))];
    if !report.field.is_empty() {
        details.push(ErrorDetail::BadRequest(BadRequest::new(vec![
            FieldViolation {
                field: report.field.clone(),
                description: report.message_en.clone(),
                reason: report.code.clone(),
                localized_message: Some(LocalizedMessage::new(
                    LOCALE_ZH,
                    report.message_zh.clone(),
                )),
            },
        ])));
    }
    details.push(ErrorDetail::LocalizedMessage(LocalizedMessage::new(
        LOCALE_ZH,
        report.message_zh.clone(),
    )));
    details.push(ErrorDetail::LocalizedMessage(LocalizedMessage::new(
        LOCALE_EN,
        report.message_en.clone(),
    )));
    Status::with_error_details_vec(code, report.message_en.clone(), details)
}

/// Rebuilds the engine's error report from a status with `stdfund.v1`
/// details; `None` when the status carries no `ErrorInfo` of this domain.
pub fn error_report(status: &Status) -> Option<ErrorReport> {
    let details = status.get_error_details_vec();
    let info = details.iter().find_map(|d| match d {
        ErrorDetail::ErrorInfo(i) if i.domain == ERROR_DOMAIN => Some(i),
        _ => None,
    })?;
    let localized = |locale: &str| {
        details.iter().find_map(|d| match d {
            ErrorDetail::LocalizedMessage(m) if m.locale == locale => Some(m.message.clone()),
            _ => None,
        })
    };
    Some(ErrorReport {
        code: info.reason.clone(),
        field: info.metadata.get("field").cloned().unwrap_or_default(),
        message_zh: localized(LOCALE_ZH)
            .or_else(|| info.metadata.get("messageZh").cloned())
            .unwrap_or_default(),
        message_en: localized(LOCALE_EN).unwrap_or_else(|| status.message().to_string()),
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;

    fn round_trip(e: ApiError) -> (Status, ErrorReport) {
        let report = e.report();
        let status = Status::from(e);
        // Through the wire format of the details.
        let wire = Status::with_details(
            status.code(),
            status.message(),
            status.details().to_vec().into(),
        );
        let back = error_report(&wire).unwrap();
        assert_eq!(back, report);
        (status, report)
    }

    #[test]
    fn an_input_error_is_invalid_argument_with_every_detail() {
        let e = RulesError::InvalidDate {
            path: "achievements[0].date".into(),
            value: "2020-02-30".into(),
            hint: stdfund_rules::date::DateHint::NoSuchDay,
        };
        let (status, report) = round_trip(ApiError::from(e));
        assert_eq!(status.code(), Code::InvalidArgument);
        assert_eq!(status.message(), report.message_en);
        let d = status.get_error_details();
        let info = d.error_info().unwrap();
        assert_eq!(info.reason, "INVALID_DATE");
        assert_eq!(info.domain, "stdfund.v1");
        assert_eq!(info.metadata["field"], "achievements[0].date");
        assert!(info.metadata["messageZh"].contains("不是实际存在的日期"));
        let bad = d.bad_request().unwrap();
        assert_eq!(bad.field_violations.len(), 1);
        assert_eq!(bad.field_violations[0].field, "achievements[0].date");
        assert_eq!(bad.field_violations[0].reason, "INVALID_DATE");
        let locales: Vec<String> = status
            .get_error_details_vec()
            .into_iter()
            .filter_map(|d| match d {
                ErrorDetail::LocalizedMessage(m) => Some(m.locale),
                _ => None,
            })
            .collect();
        assert_eq!(locales, ["zh-CN", "en-US"]);
    }

    #[test]
    fn the_value_meant_is_metadata_beside_the_message_that_offers_it() {
        let e = RulesError::InvalidStandardNumber {
            path: "achievements[0].subject".into(),
            value: "GB/T 12345一2020".into(),
            fault: stdfund_rules::error::StandardNumberFault::Unreadable,
            meant: Some("GB/T 12345-2020".into()),
        };
        let (status, report) = round_trip(ApiError::from(e));
        let details = status.get_error_details();
        let info = details.error_info().unwrap();
        assert_eq!(info.metadata["meant"], "GB/T 12345-2020");
        assert!(report.message_zh.contains("是否应为GB/T 12345-2020"));
        // None offered, no key.
        let e = RulesError::InvalidStandardNumber {
            path: "achievements[0].subject".into(),
            value: "12345-2020".into(),
            fault: stdfund_rules::error::StandardNumberFault::Unreadable,
            meant: None,
        };
        let (status, _) = round_trip(ApiError::from(e));
        let details = status.get_error_details();
        assert!(!details.error_info().unwrap().metadata.contains_key("meant"));
    }

    #[test]
    fn an_error_without_a_field_has_no_bad_request() {
        let e = RulesError::InvalidRuleset {
            problem: stdfund_rules::ruleset::RulesetProblem::NoItems { rs: "x".into() },
        };
        let (status, report) = round_trip(ApiError::from(e));
        assert_eq!(status.code(), Code::InvalidArgument);
        assert_eq!(report.field, "whatIfRuleset");
        let e = RulesError::InvalidJson {
            path: String::new(),
            message: "eof".into(),
            line: 1,
            column: 1,
        };
        let (status, _) = round_trip(ApiError::from(e));
        assert!(status.get_error_details().bad_request().is_none());
    }

    #[test]
    fn batch_errors() {
        let (status, report) = round_trip(ApiError::BatchTooLarge { limit: 3 });
        assert_eq!(status.code(), Code::ResourceExhausted);
        assert_eq!(report.code, "BATCH_TOO_LARGE");
        assert_eq!(
            status.get_error_details().error_info().unwrap().metadata["limit"],
            "3"
        );
    }

    #[test]
    fn a_foreign_status_has_no_report() {
        assert!(error_report(&Status::unavailable("down")).is_none());
    }
}
