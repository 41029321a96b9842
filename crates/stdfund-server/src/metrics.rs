//! Prometheus metrics, hand-written with atomics, served as text on a
//! separate port (`metrics_listen`, path `/metrics`).
//!
//! * `stdfund_grpc_requests_total{method, code}` — calls completed, by full
//!   method (`/stdfund.v1.EstimateService/Estimate`) and gRPC status code name.
//! * `stdfund_grpc_request_duration_seconds{method}` — histogram of the time
//!   from the request's arrival to the end of its response (the trailers), so
//!   a stream counts once, when it ends.
//! * `stdfund_grpc_requests_in_flight` — calls started, not yet ended.
//! * `stdfund_estimate_batch_items_total{outcome}` — EstimateBatch results,
//!   `assessment` or `error`.
//! * `stdfund_build_info{version, engine_version}` — always 1.
//!
//! The method label only takes the names of methods this server knows (read
//! from the descriptor sets it serves); anything else is `other`, so clients
//! cannot create unbounded series. A [`MetricsLayer`] observes every call
//! below grpc-web translation, so browser calls count as the gRPC they are.

use bytes::Bytes;
use http_body::{Body, Frame, SizeHint};
use pin_project_lite::pin_project;
use prost::Message;
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::task::{Context, Poll};
use std::time::Instant;
use tower_layer::Layer;
use tower_service::Service;

/// Histogram bucket upper bounds, microseconds.
const BUCKETS_US: [u64; 16] = [
    100, 250, 500, 1_000, 2_500, 5_000, 10_000, 25_000, 50_000, 100_000, 250_000, 500_000,
    1_000_000, 2_500_000, 5_000_000, 10_000_000,
];

/// gRPC status code names, by number.
const CODE_NAMES: [&str; 17] = [
    "OK",
    "CANCELLED",
    "UNKNOWN",
    "INVALID_ARGUMENT",
    "DEADLINE_EXCEEDED",
    "NOT_FOUND",
    "ALREADY_EXISTS",
    "PERMISSION_DENIED",
    "RESOURCE_EXHAUSTED",
    "FAILED_PRECONDITION",
    "ABORTED",
    "OUT_OF_RANGE",
    "UNIMPLEMENTED",
    "INTERNAL",
    "UNAVAILABLE",
    "DATA_LOSS",
    "UNAUTHENTICATED",
];
const CODE_CANCELLED: usize = 1;
const CODE_UNKNOWN: usize = 2;

/// The method label for anything not known.
pub const OTHER_METHOD: &str = "other";

#[derive(Debug, Default)]
struct MethodStats {
    codes: [AtomicU64; 17],
    buckets: [AtomicU64; 16],
    count: AtomicU64,
    sum_us: AtomicU64,
}

/// The metric values.
#[derive(Debug)]
pub struct Metrics {
    names: Vec<String>,
    index: BTreeMap<String, usize>,
    methods: Vec<MethodStats>,
    in_flight: AtomicI64,
    batch_assessments: AtomicU64,
    batch_errors: AtomicU64,
}

impl Metrics {
    /// Metrics for these full method names (plus `other`).
    pub fn new(methods: impl IntoIterator<Item = String>) -> Metrics {
        let mut names: Vec<String> = methods.into_iter().collect();
        names.sort();
        names.dedup();
        names.push(OTHER_METHOD.to_string());
        let index = names
            .iter()
            .enumerate()
            .map(|(i, n)| (n.clone(), i))
            .collect();
        let methods = names.iter().map(|_| MethodStats::default()).collect();
        Metrics {
            names,
            index,
            methods,
            in_flight: AtomicI64::new(0),
            batch_assessments: AtomicU64::new(0),
            batch_errors: AtomicU64::new(0),
        }
    }

    /// Metrics for every method of every service in these encoded
    /// `FileDescriptorSet`s.
    pub fn for_descriptor_sets(sets: &[&[u8]]) -> Metrics {
        let mut methods = Vec::new();
        for set in sets {
            if let Ok(fds) = prost_types::FileDescriptorSet::decode(*set) {
                for file in &fds.file {
                    for service in &file.service {
                        for method in &service.method {
                            methods.push(format!(
                                "/{}.{}/{}",
                                file.package(),
                                service.name(),
                                method.name()
                            ));
                        }
                    }
                }
            }
        }
        Metrics::new(methods)
    }

    /// The slot of a request path.
    fn slot(&self, path: &str) -> usize {
        self.index
            .get(path)
            .or_else(|| self.index.get(OTHER_METHOD))
            .copied()
            .unwrap_or(0)
    }

    fn started(&self) {
        self.in_flight.fetch_add(1, Ordering::Relaxed);
    }

    fn finished(&self, slot: usize, code: usize, elapsed_us: u64) {
        self.in_flight.fetch_sub(1, Ordering::Relaxed);
        let Some(m) = self.methods.get(slot) else {
            return;
        };
        let code = if code < CODE_NAMES.len() {
            code
        } else {
            CODE_UNKNOWN
        };
        if let Some(c) = m.codes.get(code) {
            c.fetch_add(1, Ordering::Relaxed);
        }
        m.count.fetch_add(1, Ordering::Relaxed);
        m.sum_us.fetch_add(elapsed_us, Ordering::Relaxed);
        if let Some(i) = BUCKETS_US.iter().position(|b| elapsed_us <= *b) {
            if let Some(b) = m.buckets.get(i) {
                b.fetch_add(1, Ordering::Relaxed);
            }
        }
    }

    /// Counts one EstimateBatch result.
    pub fn batch_item(&self, ok: bool) {
        if ok {
            self.batch_assessments.fetch_add(1, Ordering::Relaxed);
        } else {
            self.batch_errors.fetch_add(1, Ordering::Relaxed);
        }
    }

    /// The calls completed for a method with a status code name (tests, the load tool).
    pub fn requests(&self, method: &str, code: &str) -> u64 {
        let (Some(slot), Some(c)) = (
            self.index.get(method),
            CODE_NAMES.iter().position(|n| *n == code),
        ) else {
            return 0;
        };
        self.methods
            .get(*slot)
            .and_then(|m| m.codes.get(c))
            .map(|a| a.load(Ordering::Relaxed))
            .unwrap_or(0)
    }

    /// The Prometheus text exposition (format 0.0.4).
    pub fn render(&self) -> String {
        let mut out = String::with_capacity(4096);
        let _ = writeln!(
            out,
            "# HELP stdfund_build_info The stdfund server and rules engine versions."
        );
        let _ = writeln!(out, "# TYPE stdfund_build_info gauge");
        let _ = writeln!(
            out,
            "stdfund_build_info{{version=\"{}\",engine_version=\"{}\"}} 1",
            env!("CARGO_PKG_VERSION"),
            stdfund_rules::ENGINE_VERSION
        );
        let _ = writeln!(
            out,
            "# HELP stdfund_grpc_requests_total gRPC calls completed, by method and status code."
        );
        let _ = writeln!(out, "# TYPE stdfund_grpc_requests_total counter");
        for (name, m) in self.names.iter().zip(&self.methods) {
            for (code, c) in CODE_NAMES.iter().zip(&m.codes) {
                let v = c.load(Ordering::Relaxed);
                if v > 0 {
                    let _ = writeln!(
                        out,
                        "stdfund_grpc_requests_total{{method=\"{name}\",code=\"{code}\"}} {v}"
                    );
                }
            }
        }
        let _ = writeln!(
            out,
            "# HELP stdfund_grpc_request_duration_seconds Time from request to the end of the response."
        );
        let _ = writeln!(
            out,
            "# TYPE stdfund_grpc_request_duration_seconds histogram"
        );
        for (name, m) in self.names.iter().zip(&self.methods) {
            let count = m.count.load(Ordering::Relaxed);
            if count == 0 {
                continue;
            }
            let mut cumulative = 0u64;
            for (le, b) in BUCKETS_US.iter().zip(&m.buckets) {
                cumulative = cumulative.saturating_add(b.load(Ordering::Relaxed));
                let _ = writeln!(
                    out,
                    "stdfund_grpc_request_duration_seconds_bucket{{method=\"{name}\",le=\"{}\"}} {cumulative}",
                    seconds(*le)
                );
            }
            let _ = writeln!(
                out,
                "stdfund_grpc_request_duration_seconds_bucket{{method=\"{name}\",le=\"+Inf\"}} {count}"
            );
            let _ = writeln!(
                out,
                "stdfund_grpc_request_duration_seconds_sum{{method=\"{name}\"}} {}",
                seconds(m.sum_us.load(Ordering::Relaxed))
            );
            let _ = writeln!(
                out,
                "stdfund_grpc_request_duration_seconds_count{{method=\"{name}\"}} {count}"
            );
        }
        let _ = writeln!(
            out,
            "# HELP stdfund_grpc_requests_in_flight gRPC calls started and not yet ended."
        );
        let _ = writeln!(out, "# TYPE stdfund_grpc_requests_in_flight gauge");
        let _ = writeln!(
            out,
            "stdfund_grpc_requests_in_flight {}",
            self.in_flight.load(Ordering::Relaxed)
        );
        let _ = writeln!(
            out,
            "# HELP stdfund_estimate_batch_items_total EstimateBatch results, by outcome."
        );
        let _ = writeln!(out, "# TYPE stdfund_estimate_batch_items_total counter");
        let _ = writeln!(
            out,
            "stdfund_estimate_batch_items_total{{outcome=\"assessment\"}} {}",
            self.batch_assessments.load(Ordering::Relaxed)
        );
        let _ = writeln!(
            out,
            "stdfund_estimate_batch_items_total{{outcome=\"error\"}} {}",
            self.batch_errors.load(Ordering::Relaxed)
        );
        out
    }
}

/// Microseconds as a decimal number of seconds, without floats: `2500` → `0.0025`.
fn seconds(us: u64) -> String {
    let whole = us / 1_000_000;
    let frac = us % 1_000_000;
    if frac == 0 {
        return whole.to_string();
    }
    let digits = format!("{frac:06}");
    format!("{whole}.{}", digits.trim_end_matches('0'))
}

/// Reads a `grpc-status` header or trailer value.
fn grpc_code(headers: &http::HeaderMap) -> Option<usize> {
    headers
        .get("grpc-status")
        .and_then(|v| v.to_str().ok())
        .and_then(|s| s.parse::<usize>().ok())
}

/// The layer that records every call.
#[derive(Debug, Clone)]
pub struct MetricsLayer {
    metrics: Arc<Metrics>,
}

impl MetricsLayer {
    /// A layer recording into `metrics`.
    pub fn new(metrics: Arc<Metrics>) -> Self {
        MetricsLayer { metrics }
    }
}

impl<S> Layer<S> for MetricsLayer {
    type Service = MetricsService<S>;

    fn layer(&self, inner: S) -> Self::Service {
        MetricsService {
            inner,
            metrics: self.metrics.clone(),
        }
    }
}

/// The service [`MetricsLayer`] makes.
#[derive(Debug, Clone)]
pub struct MetricsService<S> {
    inner: S,
    metrics: Arc<Metrics>,
}

impl<S, ReqBody, ResBody> Service<http::Request<ReqBody>> for MetricsService<S>
where
    S: Service<http::Request<ReqBody>, Response = http::Response<ResBody>>,
    S::Future: Send + 'static,
{
    type Response = http::Response<MetricsBody<ResBody>>;
    type Error = S::Error;
    type Future =
        Pin<Box<dyn std::future::Future<Output = Result<Self::Response, Self::Error>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, req: http::Request<ReqBody>) -> Self::Future {
        let metrics = self.metrics.clone();
        let slot = metrics.slot(req.uri().path());
        let start = Instant::now();
        metrics.started();
        let mut guard = Recorder {
            metrics,
            slot,
            start,
            code: None,
            done: false,
        };
        let fut = self.inner.call(req);
        Box::pin(async move {
            match fut.await {
                Ok(resp) => {
                    // A trailers-only response (every error) carries the status
                    // in its headers.
                    guard.code = grpc_code(resp.headers());
                    let (parts, body) = resp.into_parts();
                    Ok(http::Response::from_parts(
                        parts,
                        MetricsBody {
                            inner: body,
                            recorder: guard,
                        },
                    ))
                }
                Err(e) => {
                    guard.finish(CODE_UNKNOWN);
                    Err(e)
                }
            }
        })
    }
}

/// Records a call once: at the end of its body, or when it is dropped early
/// (the client went away: `CANCELLED`).
#[derive(Debug)]
struct Recorder {
    metrics: Arc<Metrics>,
    slot: usize,
    start: Instant,
    code: Option<usize>,
    done: bool,
}

impl Recorder {
    fn finish(&mut self, code: usize) {
        if self.done {
            return;
        }
        self.done = true;
        let us = u64::try_from(self.start.elapsed().as_micros()).unwrap_or(u64::MAX);
        self.metrics.finished(self.slot, code, us);
    }
}

impl Drop for Recorder {
    fn drop(&mut self) {
        let code = self.code.unwrap_or(CODE_CANCELLED);
        self.finish(code);
    }
}

pin_project! {
    /// A response body that records its call when it ends.
    #[derive(Debug)]
    pub struct MetricsBody<B> {
        #[pin]
        inner: B,
        recorder: Recorder,
    }
}

impl<B: Body<Data = Bytes>> Body for MetricsBody<B> {
    type Data = Bytes;
    type Error = B::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Self::Data>, Self::Error>>> {
        let this = self.project();
        let polled = this.inner.poll_frame(cx);
        match &polled {
            Poll::Ready(Some(Ok(frame))) => {
                if let Some(code) = frame.trailers_ref().and_then(grpc_code) {
                    this.recorder.code = Some(code);
                    this.recorder.finish(code);
                }
            }
            Poll::Ready(Some(Err(_))) => this.recorder.finish(CODE_UNKNOWN),
            Poll::Ready(None) => {
                let code = this.recorder.code.unwrap_or(CODE_UNKNOWN);
                this.recorder.finish(code);
            }
            Poll::Pending => {}
        }
        polled
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}

/// Serves `GET /metrics` over HTTP/1.1 on `listener` until `shutdown`
/// resolves.
pub async fn serve(
    listener: tokio::net::TcpListener,
    metrics: Arc<Metrics>,
    shutdown: impl std::future::Future<Output = ()> + Send,
) {
    use http_body_util::Full;
    use hyper::service::service_fn;
    use hyper_util::rt::TokioIo;

    tokio::pin!(shutdown);
    loop {
        let accepted = tokio::select! {
            _ = &mut shutdown => break,
            a = listener.accept() => a,
        };
        let Ok((stream, _)) = accepted else { continue };
        let metrics = metrics.clone();
        tokio::spawn(async move {
            let service = service_fn(move |req: http::Request<hyper::body::Incoming>| {
                let metrics = metrics.clone();
                async move {
                    if req.uri().path() == "/metrics" && req.method() == http::Method::GET {
                        http::Response::builder()
                            .header(
                                http::header::CONTENT_TYPE,
                                "text/plain; version=0.0.4; charset=utf-8",
                            )
                            .body(Full::new(Bytes::from(metrics.render())))
                    } else {
                        http::Response::builder()
                            .status(http::StatusCode::NOT_FOUND)
                            .body(Full::new(Bytes::from_static(b"not found\n")))
                    }
                }
            });
            let _ = hyper::server::conn::http1::Builder::new()
                .serve_connection(TokioIo::new(stream), service)
                .await;
        });
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;

    #[test]
    fn seconds_without_floats() {
        assert_eq!(seconds(0), "0");
        assert_eq!(seconds(100), "0.0001");
        assert_eq!(seconds(2_500), "0.0025");
        assert_eq!(seconds(1_000_000), "1");
        assert_eq!(seconds(12_345_678), "12.345678");
    }

    #[test]
    fn records_by_method_and_code_with_bounded_labels() {
        let m = Metrics::new(["/a.S/M".to_string()]);
        m.started();
        m.finished(m.slot("/a.S/M"), 0, 150);
        m.started();
        m.finished(m.slot("/a.S/M"), 3, 2_000_000);
        m.started();
        m.finished(m.slot("/evil/random-123"), 12, 10);
        m.started();
        assert_eq!(m.requests("/a.S/M", "OK"), 1);
        assert_eq!(m.requests("/a.S/M", "INVALID_ARGUMENT"), 1);
        assert_eq!(m.requests("other", "UNIMPLEMENTED"), 1);
        let text = m.render();
        assert!(
            text.contains("stdfund_grpc_requests_total{method=\"/a.S/M\",code=\"OK\"} 1\n"),
            "{text}"
        );
        assert!(
            text.contains(
                "stdfund_grpc_request_duration_seconds_bucket{method=\"/a.S/M\",le=\"0.00025\"} 1\n"
            ),
            "{text}"
        );
        assert!(
            text.contains(
                "stdfund_grpc_request_duration_seconds_bucket{method=\"/a.S/M\",le=\"2.5\"} 2\n"
            ),
            "{text}"
        );
        assert!(
            text.contains(
                "stdfund_grpc_request_duration_seconds_bucket{method=\"/a.S/M\",le=\"+Inf\"} 2\n"
            ),
            "{text}"
        );
        assert!(
            text.contains("stdfund_grpc_request_duration_seconds_sum{method=\"/a.S/M\"} 2.00015\n"),
            "{text}"
        );
        assert!(
            text.contains("stdfund_grpc_requests_in_flight 1\n"),
            "{text}"
        );
        assert!(!text.contains("evil"));
    }

    #[test]
    fn knows_the_methods_of_the_served_descriptors() {
        let m = Metrics::for_descriptor_sets(&[
            stdfund_proto::FILE_DESCRIPTOR_SET,
            tonic_health::pb::FILE_DESCRIPTOR_SET,
        ]);
        assert!(m.index.contains_key("/stdfund.v1.EstimateService/Estimate"));
        assert!(
            m.index
                .contains_key("/stdfund.v1.RegistryService/SubmitClaim")
        );
        assert!(m.index.contains_key("/grpc.health.v1.Health/Check"));
    }
}
