//! The access log: one INFO line per call (target `stdfund_server::access`)
//! with the gRPC method, the gRPC status (name and number) and the HTTP
//! status, the duration from the request to the end of the response, the
//! peer address and the request id.
//!
//! Built from tower-http: [`request_id_layers`] take `x-request-id` from the
//! caller or generate a UUID, and return it in the response's
//! `x-request-id` header; [`trace_layer`] is a `TraceLayer` whose span
//! carries the call's facts and whose `on_response` / `on_eos` hooks write
//! the line once the status is known — in the response headers for a
//! trailers-only answer (every error), in the trailers otherwise.
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

/// The facts of one call, kept in its span until the line is written.
#[derive(Debug, Clone)]
struct Call {
    start: Instant,
    method: String,
    peer: String,
    request_id: String,
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
                .unwrap_or("-")
                .to_string(),
        };
        with_call(&span, |slot| *slot = Some(call));
        span
    }
}

fn grpc_status(headers: &HeaderMap) -> Option<u16> {
    headers
        .get("grpc-status")
        .and_then(|v| v.to_str().ok())
        .and_then(|s| s.trim().parse().ok())
}

/// Writes the line (once: the call is taken out of the span).
fn log_line(span: &Span, grpc: Option<u16>, http_status: u16) {
    let Some(call) = with_call(span, Option::take).flatten() else {
        return;
    };
    let duration: Duration = call.start.elapsed();
    let code = grpc.map_or("-", |c| crate::metrics::code_name(usize::from(c)));
    tracing::info!(
        target: "stdfund_server::access",
        method = %call.method,
        grpc_status = code,
        grpc_code = grpc.map_or(-1, i32::from),
        http_status,
        duration_us = u64::try_from(duration.as_micros()).unwrap_or(u64::MAX),
        peer = %call.peer,
        request_id = %call.request_id,
        "{} {} {:?}",
        call.method,
        code,
        duration
    );
}

/// Writes the line of a trailers-only answer (every error carries its
/// status in the response headers).
#[derive(Debug, Clone, Copy, Default)]
pub struct AccessOnResponse;

impl<B> OnResponse<B> for AccessOnResponse {
    fn on_response(self, res: &Response<B>, _latency: Duration, span: &Span) {
        if let Some(code) = grpc_status(res.headers()) {
            log_line(span, Some(code), res.status().as_u16());
        }
    }
}

/// Writes the line of a full answer, whose status comes in its trailers (a
/// body that ends without any is logged without a status).
#[derive(Debug, Clone, Copy, Default)]
pub struct AccessOnEos;

impl OnEos for AccessOnEos {
    fn on_eos(self, trailers: Option<&HeaderMap>, _stream: Duration, span: &Span) {
        log_line(span, trailers.and_then(grpc_status), 200);
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
