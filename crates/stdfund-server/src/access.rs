//! The access log: one INFO line per call (target `stdfund_server::access`)
//! with the gRPC method, the gRPC status (name and number) and the HTTP
//! status, the duration from the request to the end of the response, the
//! peer address, the request id and, for a refusal, its stable reason.
//!
//! Built from tower-http: [`request_id_layers`] take `x-request-id` from the
//! caller or generate a UUID, and return it in the response's
//! `x-request-id` header; [`trace_layer`] is a `TraceLayer` whose span
//! carries the call's facts and whose `on_response` / `on_eos` hooks write
//! the line once the status is known — in the response headers for a
//! trailers-only answer (every error), in the trailers otherwise. A call the
//! server stops before it answers (the client went away, or the deadline it
//! sent in `grpc-timeout` passed: tonic then drops the call outside these
//! layers) still gets its line, `CANCELLED` or `DEADLINE_EXCEEDED`, when its
//! span closes.
//!
//! The start time and the call's facts travel in the span's extensions
//! (tracing-subscriber's registry); without a subscriber nothing is logged
//! and nothing is kept.

use http::{HeaderMap, HeaderName, Request, Response};
use std::net::SocketAddr;
use std::time::{Duration, Instant};
use tonic::transport::server::{TcpConnectInfo, TlsConnectInfo};
use tower_http::classify::{GrpcErrorsAsFailures, SharedClassifier};
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::trace::{MakeSpan, OnEos, OnResponse, TraceLayer};
use tracing::Span;
use tracing_subscriber::registry::{LookupSpan, Registry};

/// The request id header, taken from the caller or generated.
pub const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// The facts of one call, kept in its span until the line is written. A
/// call whose span closes without a line — the server stopped it, because
/// the client went away or its deadline passed (tonic drops the call then,
/// outside every layer of ours) — writes its line when dropped.
#[derive(Debug)]
struct Call {
    start: Instant,
    method: String,
    peer: String,
    request_id: String,
    /// The client's deadline (`grpc-timeout`), if it gave one.
    deadline: Option<Duration>,
    /// Whether the line was written.
    logged: bool,
}

impl Drop for Call {
    fn drop(&mut self) {
        if self.logged {
            return;
        }
        self.logged = true;
        let code = crate::metrics::abandoned_code(self.start.elapsed(), self.deadline);
        self.write(Some(u16::try_from(code).unwrap_or(1)), 0, None);
    }
}

impl Call {
    fn write(&self, grpc: Option<u16>, http_status: u16, reason: Option<&str>) {
        let duration: Duration = self.start.elapsed();
        let code = grpc.map_or("-", |c| crate::metrics::code_name(usize::from(c)));
        tracing::info!(
            target: "stdfund_server::access",
            method = %self.method,
            grpc_status = code,
            grpc_code = grpc.map_or(-1, i32::from),
            http_status,
            duration_us = u64::try_from(duration.as_micros()).unwrap_or(u64::MAX),
            peer = %self.peer,
            request_id = %self.request_id,
            reason = reason.unwrap_or("-"),
            "{} {} {:?}",
            self.method,
            code,
            duration
        );
    }
}

/// The client's deadline from `grpc-timeout` (gRPC over HTTP/2: at most 8
/// digits and a unit, `H` `M` `S` `m` `u` `n`); `None` when absent or
/// malformed.
pub fn grpc_timeout(headers: &HeaderMap) -> Option<Duration> {
    let v = headers.get("grpc-timeout")?.to_str().ok()?;
    let (digits, unit) = v.split_at_checked(v.len().checked_sub(1)?)?;
    if digits.is_empty() || digits.len() > 8 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let n: u64 = digits.parse().ok()?;
    Some(match unit {
        "H" => Duration::from_secs(n.checked_mul(3600)?),
        "M" => Duration::from_secs(n.checked_mul(60)?),
        "S" => Duration::from_secs(n),
        "m" => Duration::from_millis(n),
        "u" => Duration::from_micros(n),
        "n" => Duration::from_nanos(n),
        _ => return None,
    })
}

/// The layers that set (when missing) and return `x-request-id`.
pub fn request_id_layers() -> (SetRequestIdLayer<MakeRequestUuid>, PropagateRequestIdLayer) {
    (
        SetRequestIdLayer::new(REQUEST_ID, MakeRequestUuid),
        PropagateRequestIdLayer::new(REQUEST_ID),
    )
}

fn peer<B>(req: &Request<B>) -> Option<SocketAddr> {
    let ext = req.extensions();
    ext.get::<TcpConnectInfo>()
        .and_then(TcpConnectInfo::remote_addr)
        .or_else(|| {
            ext.get::<TlsConnectInfo<TcpConnectInfo>>()
                .and_then(|t| t.get_ref().remote_addr())
        })
}

/// Runs `f` on the call kept in `span`'s extensions (a tracing-subscriber
/// registry); `None` without such a subscriber.
fn with_call<R>(span: &Span, f: impl FnOnce(&mut Option<Call>) -> R) -> Option<R> {
    span.with_subscriber(|(id, dispatch)| {
        let registry = dispatch.downcast_ref::<Registry>()?;
        let data = registry.span(id)?;
        let mut ext = data.extensions_mut();
        let mut call = ext.remove::<Call>();
        let r = f(&mut call);
        if let Some(c) = call {
            ext.insert(c);
        }
        Some(r)
    })
    .flatten()
}

/// Opens a call's span and keeps its facts.
#[derive(Debug, Clone, Copy, Default)]
pub struct MakeAccessSpan;

impl<B> MakeSpan<B> for MakeAccessSpan {
    fn make_span(&mut self, req: &Request<B>) -> Span {
        let span = tracing::info_span!("call", method = %req.uri().path());
        if span.is_disabled() {
            // INFO is off (e.g. `--log-level warn` under load): keep nothing.
            return span;
        }
        let call = Call {
            start: Instant::now(),
            method: req.uri().path().to_string(),
            peer: peer(req).map_or_else(|| "-".into(), |p| p.to_string()),
            request_id: req
                .headers()
                .get(&REQUEST_ID)
                .and_then(|v| v.to_str().ok())
                .map_or_else(|| "-".to_owned(), shown_request_id),
            deadline: grpc_timeout(req.headers()),
            logged: false,
        };
        with_call(&span, |slot| *slot = Some(call));
        span
    }
}

/// A caller's request id as the line shows it: as sent when it is an id
/// (`[A-Za-z0-9._:-]`, at most 128), else quoted and escaped, so that a
/// caller cannot write fields of its own into the line (`x-request-id: 7f3a
/// reason="SEPARATION_OF_DUTIES"`, found by the eleventh attack).
fn shown_request_id(raw: &str) -> String {
    let plain = !raw.is_empty()
        && raw.len() <= 128
        && raw
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b':' | b'-'));
    if plain {
        raw.to_owned()
    } else {
        format!("{raw:?}")
    }
}

fn grpc_status(headers: &HeaderMap) -> Option<u16> {
    headers
        .get("grpc-status")
        .and_then(|v| v.to_str().ok())
        .and_then(|s| s.trim().parse().ok())
}

/// The stable reason of a refusal (`google.rpc.ErrorInfo.reason` in
/// `grpc-status-details-bin`: `BUDGET_EXCEEDED`, `SEPARATION_OF_DUTIES`, …),
/// so that a complaint found by its request id says what was refused. Read
/// only for a status other than OK.
fn refusal_reason(grpc: Option<u16>, headers: Option<&HeaderMap>) -> Option<String> {
    use tonic_types::StatusExt as _;
    if grpc.is_none_or(|c| c == 0) {
        return None;
    }
    let status = tonic::Status::from_header_map(headers?)?;
    status.get_details_error_info().map(|info| info.reason)
}

/// Writes the line (once: the call is taken out of the span).
fn log_line(span: &Span, grpc: Option<u16>, http_status: u16, headers: Option<&HeaderMap>) {
    let Some(mut call) = with_call(span, Option::take).flatten() else {
        return;
    };
    call.logged = true;
    let reason = refusal_reason(grpc, headers);
    call.write(grpc, http_status, reason.as_deref());
}

/// Writes the line of a trailers-only answer (every error carries its
/// status in the response headers).
#[derive(Debug, Clone, Copy, Default)]
pub struct AccessOnResponse;

impl<B> OnResponse<B> for AccessOnResponse {
    fn on_response(self, res: &Response<B>, _latency: Duration, span: &Span) {
        if let Some(code) = grpc_status(res.headers()) {
            log_line(span, Some(code), res.status().as_u16(), Some(res.headers()));
        }
    }
}

/// Writes the line of a full answer, whose status comes in its trailers (a
/// body that ends without any is logged without a status).
#[derive(Debug, Clone, Copy, Default)]
pub struct AccessOnEos;

impl OnEos for AccessOnEos {
    fn on_eos(self, trailers: Option<&HeaderMap>, _stream: Duration, span: &Span) {
        log_line(span, trailers.and_then(grpc_status), 200, trailers);
    }
}

/// The `TraceLayer` type [`trace_layer`] builds.
pub type AccessTraceLayer = TraceLayer<
    SharedClassifier<GrpcErrorsAsFailures>,
    MakeAccessSpan,
    (),
    AccessOnResponse,
    (),
    AccessOnEos,
    (),
>;

/// The access-log `TraceLayer` for gRPC.
pub fn trace_layer() -> AccessTraceLayer {
    TraceLayer::new_for_grpc()
        .make_span_with(MakeAccessSpan)
        .on_request(())
        .on_response(AccessOnResponse)
        .on_body_chunk(())
        .on_eos(AccessOnEos)
        .on_failure(())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn grpc_timeout_is_read_as_the_protocol_writes_it() {
        let of = |v: &str| {
            let mut h = HeaderMap::new();
            h.insert("grpc-timeout", v.parse().unwrap());
            grpc_timeout(&h)
        };
        assert_eq!(of("200m"), Some(Duration::from_millis(200)));
        assert_eq!(of("1H"), Some(Duration::from_secs(3600)));
        assert_eq!(of("5S"), Some(Duration::from_secs(5)));
        assert_eq!(of("99999999n"), Some(Duration::from_nanos(99_999_999)));
        assert_eq!(shown_request_id("req-42_a.b:c"), "req-42_a.b:c");
        assert_eq!(
            shown_request_id(r#"7f3a reason="SEPARATION_OF_DUTIES""#),
            r#""7f3a reason=\"SEPARATION_OF_DUTIES\"""#
        );
        assert_eq!(
            shown_request_id(&"a".repeat(129)),
            format!("\"{}\"", "a".repeat(129))
        );
        for bad in ["", "m", "123456789m", "10x", "-1S", "1.5S"] {
            assert_eq!(of(bad), None, "{bad}");
        }
        assert_eq!(grpc_timeout(&HeaderMap::new()), None);
        use crate::metrics::abandoned_code;
        let (ms, s) = (Duration::from_millis(1), Duration::from_secs(1));
        assert_eq!(abandoned_code(s, Some(ms)), 4);
        assert_eq!(abandoned_code(ms, Some(s)), 1);
        assert_eq!(abandoned_code(s, None), 1);
    }
}
