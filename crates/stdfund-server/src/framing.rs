//! A request whose gRPC framing is broken is the caller's fault.
//!
//! Undecodable messages are already `INVALID_ARGUMENT` through the servers'
//! codec ([`stdfund_proto::codec`]). Errors in the framing around them are
//! tonic's own and come before any codec: a body that ends inside a frame
//! (`Unexpected EOF decoding stream.`), a frame flag other than 0 or 1, a
//! compressed frame without `grpc-encoding`, a compressed frame that does
//! not decompress, a `grpc-web-text` body that is not base64. tonic answers
//! them `INTERNAL` (for the compressed flag as
//! gRPC's compression document prescribes); for an operator `INTERNAL` means
//! a server fault and fires alerts, and anyone can send such bytes; so is a
//! unary call whose body holds no message at all (`Missing request
//! message.`, [`stdfund_proto::codec::missing_message`]). The
//! [`Framing`] rewrite therefore turns exactly these statuses — `INTERNAL`
//! with one of tonic's request-framing messages — into
//! [`stdfund_proto::codec::malformed_frame`]: `INVALID_ARGUMENT`, reason
//! `MALFORMED_MESSAGE`, tonic's words as the cause. tonic's `OUT_OF_RANGE`
//! for a request message over `max_message_bytes` keeps its code and gains
//! the details every refusal has ([`stdfund_proto::codec::message_too_large`]:
//! reason `MESSAGE_TOO_LARGE`, the sizes, Chinese and English); a gzip
//! request whose content passes that limit once decompressed, which tonic
//! answers `RESOURCE_EXHAUSTED`, is refused the same way
//! ([`stdfund_proto::codec::decompressed_message_too_large`]), so one
//! refusal has one code. Every other status passes unchanged.
//!
//! The layer sits below grpc-web and the metrics, so browser calls are
//! covered and the metrics count the rewritten code: the status of a
//! trailers-only answer is in the response headers, of a stream (an
//! EstimateBatch whose request stream breaks) in the trailers.

use crate::status_rewrite::{StatusRewrite, StatusRewriteLayer};
use http::HeaderMap;
use tonic::{Code, Status};

/// Whether `message` is one of tonic's errors in reading a request's
/// frames (tonic 0.14, `codec/decode.rs`).
pub fn is_request_framing_error(message: &str) -> bool {
    message == "Unexpected EOF decoding stream."
        || message
            == "protocol error: received message with compressed-flag but no grpc-encoding was \
                specified"
        || (message.starts_with("protocol error: received message with invalid compression flag")
            && message.ends_with("while sending request"))
        || (message.starts_with("Error decompressing")
            && message.ends_with("while sending request"))
        || is_grpc_web_text_error(message)
}

/// Whether `message` is tonic-web's error for a `grpc-web-text` request body
/// that is not base64 (tonic-web 0.14, `call.rs`: the `base64` crate's
/// `DecodeError`s — `Invalid symbol …`, `Invalid last symbol …`, `Invalid
/// padding`, `Invalid input length …` — and its own "malformed base64
/// request" for a body that ends mid-quantum).
fn is_grpc_web_text_error(message: &str) -> bool {
    message.strip_prefix("tonic-web: ").is_some_and(|rest| {
        rest.starts_with("Invalid symbol ")
            || rest.starts_with("Invalid last symbol ")
            || rest.starts_with("Invalid input length")
            || rest == "Invalid padding"
            || rest == "malformed base64 request"
            || rest == "malformed base64 request has unencoded trailers"
    })
}

/// The sizes in tonic's refusal of a request message over the limit
/// (tonic 0.14, `codec/decode.rs`): found, limit.
pub fn oversized_request(message: &str) -> Option<(u64, u64)> {
    oversized(message, "decoded")
}

/// The sizes in tonic's refusal to send an answer message over the size
/// limit (tonic 0.14, `codec/encode.rs`): found, limit.
pub fn oversized_answer(message: &str) -> Option<(usize, usize)> {
    oversized(message, "encoded")
}

/// The sizes in tonic's words for a message over the limit, `decoded` (a
/// request) or `encoded` (an answer).
fn oversized<N: std::str::FromStr>(message: &str, way: &str) -> Option<(N, N)> {
    let rest = message
        .strip_prefix("Error, ")?
        .strip_prefix(way)?
        .strip_prefix(" message length too large: found ")?;
    let (found, rest) = rest.split_once(" bytes, the limit is: ")?;
    let limit = rest.strip_suffix(" bytes")?;
    Some((found.parse().ok()?, limit.parse().ok()?))
}

/// The limit in tonic's refusal of a compressed request message whose
/// content passes the size limit (tonic 0.14, `codec/decode.rs`).
pub fn oversized_decompressed(message: &str) -> Option<u64> {
    let rest = message.strip_prefix("Error decompressing: size limit, of ")?;
    let limit = rest.strip_suffix(" bytes, exceeded while decompressing message")?;
    limit.parse().ok()
}

/// The encoding in tonic's refusal of a request compressed with one it does
/// not read (tonic 0.14, `codec/compression.rs`).
pub fn unsupported_encoding(message: &str) -> Option<&str> {
    message
        .strip_prefix("Content is compressed with `")?
        .strip_suffix("` which isn't supported")
}

/// Rewrites a framing `INTERNAL` in `headers` (response headers of a
/// trailers-only answer, or trailers), and gives tonic's `OUT_OF_RANGE` for
/// a request over the size limit its reason and Chinese words.
fn rewrite(headers: &mut HeaderMap) {
    let Some(status) = Status::from_header_map(headers) else {
        return;
    };
    let fault = match status.code() {
        // tonic-prost's words for a request that does not decode, in the
        // services its generated codec serves (grpc.health.v1, reflection);
        // ours read requests through `stdfund_proto::codec`.
        Code::Internal
            if status
                .message()
                .starts_with("failed to decode Protobuf message") =>
        {
            tracing::debug!(cause = status.message(), "undecodable request");
            stdfund_proto::codec::malformed(status.message())
        }
        // tonic's words for a unary call whose body holds no message.
        Code::Internal if status.message() == "Missing request message." => {
            tracing::debug!("a request without a message");
            stdfund_proto::codec::missing_message()
        }
        Code::Internal if is_request_framing_error(status.message()) => {
            tracing::debug!(cause = status.message(), "broken request frame");
            stdfund_proto::codec::malformed_frame(status.message())
        }
        Code::OutOfRange => match oversized_request(status.message()) {
            Some((found, limit)) => stdfund_proto::codec::message_too_large(found, limit),
            // An answer the server's own methods did not size first (a
            // registry page, a catalogue over a tiny limit).
            None => match oversized_answer(status.message()) {
                Some((found, limit)) => {
                    tracing::warn!(found, limit, "an answer over max_message_bytes");
                    Status::from(crate::status::ApiError::AnswerTooLarge { found, limit })
                }
                None => return,
            },
        },
        Code::ResourceExhausted => match oversized_decompressed(status.message()) {
            Some(limit) => stdfund_proto::codec::decompressed_message_too_large(limit),
            None => return,
        },
        // tonic's router (an unknown path) and its codec (an encoding it does
        // not read) answer without details: given the ones every refusal has.
        Code::Unimplemented if status.message().is_empty() => {
            stdfund_proto::codec::method_not_found()
        }
        Code::Unimplemented => match unsupported_encoding(status.message()) {
            Some(encoding) => stdfund_proto::codec::unsupported_encoding(encoding),
            None => return,
        },
        _ => return,
    };
    headers.remove("grpc-status-details-bin");
    if fault.add_header(headers).is_err() {
        tracing::warn!("the framing error could not be rewritten");
    }
}

/// The rewrite that turns tonic's request-framing `INTERNAL` into
/// `INVALID_ARGUMENT`, for [`StatusRewriteLayer`]: every call, no state.
#[derive(Debug, Clone, Copy, Default)]
pub struct Framing;

impl StatusRewrite for Framing {
    type Call = ();

    fn begin(&self, _request: &HeaderMap) -> Option<()> {
        Some(())
    }

    fn rewrite(_call: &(), headers: &mut HeaderMap) {
        rewrite(headers);
    }
}

/// The layer: `Server::builder().layer(framing::layer())`.
pub fn layer() -> StatusRewriteLayer<Framing> {
    StatusRewriteLayer(Framing)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;

    fn headers_of(s: &Status) -> HeaderMap {
        let mut h = HeaderMap::new();
        s.add_header(&mut h).unwrap();
        h
    }

    #[test]
    fn only_tonics_framing_errors_are_rewritten() {
        let mut h = headers_of(&Status::internal("Unexpected EOF decoding stream."));
        rewrite(&mut h);
        let s = Status::from_header_map(&h).unwrap();
        assert_eq!(s.code(), Code::InvalidArgument);
        assert!(s.message().contains("Unexpected EOF"), "{}", s.message());
        assert!(h.contains_key("grpc-status-details-bin"));
        let mut h = headers_of(&Status::internal("Missing request message."));
        rewrite(&mut h);
        let s = Status::from_header_map(&h).unwrap();
        assert_eq!(s.code(), Code::InvalidArgument);
        assert!(s.message().contains("no message"), "{}", s.message());
        let mut h = headers_of(&Status::internal(
            "failed to decode Protobuf message: invalid wire type value: 7",
        ));
        rewrite(&mut h);
        let s = Status::from_header_map(&h).unwrap();
        assert_eq!(s.code(), Code::InvalidArgument);

        for other in [
            Status::internal("database error"),
            Status::internal("Unexpected EOF decoding stream. (and more)"),
            Status::unavailable("Unexpected EOF decoding stream."),
            Status::out_of_range("the year is out of range"),
            Status::ok(""),
        ] {
            let before = headers_of(&other);
            let mut h = before.clone();
            rewrite(&mut h);
            assert_eq!(h, before, "{other:?}");
        }
        assert!(is_request_framing_error(
            "protocol error: received message with invalid compression flag: 7 (valid flags \
             are 0 and 1), while sending request"
        ));
        assert!(!is_request_framing_error(
            "protocol error: received message with invalid compression flag: 7 (valid flags \
             are 0 and 1) while receiving response with status: 200 OK"
        ));
    }

    #[test]
    fn a_request_over_the_size_limit_keeps_its_code_and_gains_its_reason() {
        let tonic =
            "Error, decoded message length too large: found 20491 bytes, the limit is: 16384 bytes";
        assert_eq!(oversized_request(tonic), Some((20491, 16384)));
        assert_eq!(oversized_request("found 1 bytes"), None);
        let mut h = headers_of(&Status::out_of_range(tonic));
        rewrite(&mut h);
        let s = Status::from_header_map(&h).unwrap();
        assert_eq!(s.code(), Code::OutOfRange);
        use tonic_types::StatusExt;
        let info = s.get_error_details().error_info().cloned().unwrap();
        assert_eq!(info.reason, "MESSAGE_TOO_LARGE");
        assert_eq!(info.metadata["limitBytes"], "16384");
        assert_eq!(info.metadata["foundBytes"], "20491");
        assert!(info.metadata["messageZh"].contains("16384字节"));
    }

    #[test]
    fn an_answer_over_the_size_limit_is_answer_too_large() {
        let tonic =
            "Error, encoded message length too large: found 5000 bytes, the limit is: 4096 bytes";
        assert_eq!(oversized_answer(tonic), Some((5000, 4096)));
        assert_eq!(oversized_request(tonic), None);
        let mut h = headers_of(&Status::out_of_range(tonic));
        rewrite(&mut h);
        let s = Status::from_header_map(&h).unwrap();
        assert_eq!(s.code(), Code::OutOfRange);
        use tonic_types::StatusExt;
        let info = s.get_error_details().error_info().cloned().unwrap();
        assert_eq!(info.reason, "ANSWER_TOO_LARGE");
        assert_eq!(info.metadata["foundBytes"], "5000");
        assert_eq!(info.metadata["limitBytes"], "4096");
        assert!(info.metadata["messageZh"].contains("4096字节"));
    }

    #[test]
    fn a_compressed_request_over_the_limit_is_refused_as_an_uncompressed_one() {
        let tonic = "Error decompressing: size limit, of 16384 bytes, exceeded while \
                     decompressing message";
        assert_eq!(oversized_decompressed(tonic), Some(16384));
        let mut h = headers_of(&Status::resource_exhausted(tonic));
        rewrite(&mut h);
        let s = Status::from_header_map(&h).unwrap();
        assert_eq!(s.code(), Code::OutOfRange);
        use tonic_types::StatusExt;
        let info = s.get_error_details().error_info().cloned().unwrap();
        assert_eq!(info.reason, "MESSAGE_TOO_LARGE");
        assert_eq!(info.metadata["limitBytes"], "16384");
        // Another RESOURCE_EXHAUSTED (a batch over its item limit) is left alone.
        assert_eq!(
            unsupported_encoding("Content is compressed with `deflate` which isn't supported"),
            Some("deflate")
        );
        assert_eq!(unsupported_encoding("something else"), None);
        let before = headers_of(&Status::resource_exhausted("too many items"));
        let mut h = before.clone();
        rewrite(&mut h);
        assert_eq!(h, before);
    }
}
