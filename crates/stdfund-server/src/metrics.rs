//! Prometheus metrics through `prometheus-client` (one registry per server,
//! no global state), served as OpenMetrics text on a separate port
//! (`metrics_listen`, path `/metrics`).
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
//! * `stdfund_db_pool_connections{state}` (`idle`, `in_use`) and
//!   `stdfund_db_pool_max_connections` — the claim registry's connection
//!   pool, read at each scrape.
//! * `stdfund_registry_database_up` — 1 while the claim registry's database
//!   can serve, 0 while it cannot (the health watch of [`crate::dbhealth`],
//!   probed every second).
//! * `process_*` — CPU seconds, resident and virtual memory, open and
//!   maximum file descriptors, threads, start time
//!   (`kubert-prometheus-process`, from `/proc`).
//!
//! The method label only takes the names of methods this server knows (read
//! from the descriptor sets it serves); anything else is `other`, so clients
//! cannot create unbounded series. A [`MetricsLayer`] observes every call
//! below grpc-web translation, so browser calls count as the gRPC they are.

use bytes::Bytes;
use http_body::{Body, Frame, SizeHint};
use pin_project_lite::pin_project;
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::registry::Registry;
use prost::Message;
use std::collections::BTreeMap;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::Instant;
use tower_layer::Layer;
use tower_service::Service;

/// Histogram bucket upper bounds, seconds (100 µs to 10 s).
const BUCKETS: [f64; 16] = [
    0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5,
    5.0, 10.0,
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
const CODE_DEADLINE_EXCEEDED: usize = 4;

/// The gRPC code of a call the server stopped before it answered:
/// `DEADLINE_EXCEEDED` when the client's deadline has passed, else
/// `CANCELLED` (the client went away).
pub fn abandoned_code(
    elapsed: std::time::Duration,
    deadline: Option<std::time::Duration>,
) -> usize {
    match deadline {
        Some(d) if elapsed >= d => CODE_DEADLINE_EXCEEDED,
        _ => CODE_CANCELLED,
    }
}

/// The method label for anything not known.
pub const OTHER_METHOD: &str = "other";

/// The content type of [`Metrics::render`].
pub const CONTENT_TYPE: &str = "application/openmetrics-text; version=1.0.0; charset=utf-8";

/// The name of a gRPC status code number (`UNKNOWN` past the last one).
pub fn code_name(code: usize) -> &'static str {
    CODE_NAMES
        .get(code)
        .copied()
        .unwrap_or(CODE_NAMES[CODE_UNKNOWN])
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct CallLabels {
    method: Arc<String>,
    code: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct MethodLabels {
    method: Arc<String>,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct OutcomeLabels {
    outcome: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct BuildLabels {
    version: &'static str,
    engine_version: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct PoolLabels {
    state: &'static str,
}

fn duration_histogram() -> Histogram {
    Histogram::new(BUCKETS.iter().copied())
}

/// The connection pool's state at one moment.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct PoolStats {
    /// Connections open, idle or in use.
    pub open: u32,
    /// Connections open and idle.
    pub idle: u32,
    /// The most connections the pool opens.
    pub max: u32,
}

/// Reads the pool's state at scrape time.
pub type PoolProbe = Box<dyn Fn() -> PoolStats + Send + Sync>;

/// The metric values and their registry.
pub struct Metrics {
    names: Vec<Arc<String>>,
    index: BTreeMap<String, usize>,
    registry: Registry,
    requests: Family<CallLabels, Counter>,
    durations: Family<MethodLabels, Histogram, fn() -> Histogram>,
    in_flight: Gauge,
    batch_items: Family<OutcomeLabels, Counter>,
    pool_connections: Family<PoolLabels, Gauge>,
    pool_max: Gauge,
    pool_probe: Mutex<Option<PoolProbe>>,
    database_up: Gauge,
}

impl std::fmt::Debug for Metrics {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Metrics")
            .field("methods", &self.names.len())
            .finish_non_exhaustive()
    }
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
        let names = names.into_iter().map(Arc::new).collect();

        let mut registry = Registry::default();
        let build = Family::<BuildLabels, Gauge>::default();
        build
            .get_or_create(&BuildLabels {
                version: env!("CARGO_PKG_VERSION"),
                engine_version: stdfund_rules::ENGINE_VERSION,
            })
            .set(1);
        registry.register(
            "stdfund_build_info",
            "The stdfund server and rules engine versions",
            build,
        );
        let requests = Family::<CallLabels, Counter>::default();
        registry.register(
            "stdfund_grpc_requests",
            "gRPC calls completed, by method and status code",
            requests.clone(),
        );
        let durations = Family::<MethodLabels, Histogram, fn() -> Histogram>::new_with_constructor(
            duration_histogram,
        );
        registry.register(
            "stdfund_grpc_request_duration_seconds",
            "Time from request to the end of the response",
            durations.clone(),
        );
        let in_flight = Gauge::default();
        registry.register(
            "stdfund_grpc_requests_in_flight",
            "gRPC calls started and not yet ended",
            in_flight.clone(),
        );
        let batch_items = Family::<OutcomeLabels, Counter>::default();
        for outcome in ["assessment", "error"] {
            let _ = batch_items.get_or_create(&OutcomeLabels { outcome });
        }
        registry.register(
            "stdfund_estimate_batch_items",
            "EstimateBatch results, by outcome",
            batch_items.clone(),
        );
        let pool_connections = Family::<PoolLabels, Gauge>::default();
        registry.register(
            "stdfund_db_pool_connections",
            "Connections of the claim registry's database pool, idle or in use",
            pool_connections.clone(),
        );
        let pool_max = Gauge::default();
        registry.register(
            "stdfund_db_pool_max_connections",
            "The most connections the claim registry's database pool opens",
            pool_max.clone(),
        );
        let database_up = Gauge::default();
        registry.register(
            "stdfund_registry_database_up",
            "1 while the claim registry's database can serve, 0 while it cannot",
            database_up.clone(),
        );
        if let Err(e) =
            kubert_prometheus_process::register(registry.sub_registry_with_prefix("process"))
        {
            tracing::warn!(error = %e, "process metrics unavailable");
        }
        Metrics {
            names,
            index,
            registry,
            requests,
            durations,
            in_flight,
            batch_items,
            pool_connections,
            pool_max,
            pool_probe: Mutex::new(None),
            database_up,
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

    /// Reads the connection pool with `probe` at every scrape.
    pub fn watch_pool(&self, probe: PoolProbe) {
        if let Ok(mut p) = self.pool_probe.lock() {
            *p = Some(probe);
        }
    }

    /// Records whether the registry's database can serve.
    pub fn set_database_up(&self, up: bool) {
        self.database_up.set(i64::from(up));
    }

    /// Whether the registry's database was last seen serving.
    pub fn database_up(&self) -> bool {
        self.database_up.get() == 1
    }

    /// The slot of a request path.
    fn slot(&self, path: &str) -> usize {
        self.index
            .get(path)
            .or_else(|| self.index.get(OTHER_METHOD))
            .copied()
            .unwrap_or(0)
    }

    /// The method label of a slot.
    pub fn method_name(&self, slot: usize) -> &str {
        self.names.get(slot).map_or(OTHER_METHOD, |n| n.as_str())
    }

    fn started(&self) {
        self.in_flight.inc();
    }

    fn finished(&self, slot: usize, code: usize, elapsed: std::time::Duration) {
        self.in_flight.dec();
        let Some(method) = self.names.get(slot) else {
            return;
        };
        self.requests
            .get_or_create(&CallLabels {
                method: method.clone(),
                code: code_name(code),
            })
            .inc();
        self.durations
            .get_or_create(&MethodLabels {
                method: method.clone(),
            })
            .observe(elapsed.as_secs_f64());
    }

    /// Counts one EstimateBatch result.
    pub fn batch_item(&self, ok: bool) {
        let outcome = if ok { "assessment" } else { "error" };
        self.batch_items
            .get_or_create(&OutcomeLabels { outcome })
            .inc();
    }

    /// The calls completed for a method with a status code name (tests, the load tool).
    pub fn requests(&self, method: &str, code: &str) -> u64 {
        let (Some(slot), Some(code)) = (
            self.index.get(method),
            CODE_NAMES.iter().find(|n| **n == code),
        ) else {
            return 0;
        };
        let Some(method) = self.names.get(*slot) else {
            return 0;
        };
        self.requests
            .get(&CallLabels {
                method: method.clone(),
                code,
            })
            .map_or(0, |c| c.get())
    }

    /// The OpenMetrics text exposition ([`CONTENT_TYPE`]).
    pub fn render(&self) -> String {
        if let Ok(probe) = self.pool_probe.lock()
            && let Some(probe) = probe.as_ref()
        {
            let s = probe();
            let gauge = |v: u32| i64::from(v);
            self.pool_connections
                .get_or_create(&PoolLabels { state: "idle" })
                .set(gauge(s.idle));
            self.pool_connections
                .get_or_create(&PoolLabels { state: "in_use" })
                .set(gauge(s.open.saturating_sub(s.idle)));
            self.pool_max.set(gauge(s.max));
        }
        let mut out = String::with_capacity(8192);
        if prometheus_client::encoding::text::encode(&mut out, &self.registry).is_err() {
            tracing::warn!("metrics could not be encoded");
        }
        out
    }
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
            deadline: crate::access::grpc_timeout(req.headers()),
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
/// (the client went away: `CANCELLED`; its deadline passed:
/// `DEADLINE_EXCEEDED`).
#[derive(Debug)]
struct Recorder {
    metrics: Arc<Metrics>,
    slot: usize,
    start: Instant,
    /// The client's deadline (`grpc-timeout`).
    deadline: Option<std::time::Duration>,
    code: Option<usize>,
    done: bool,
}

impl Recorder {
    fn finish(&mut self, code: usize) {
        if self.done {
            return;
        }
        self.done = true;
        self.metrics.finished(self.slot, code, self.start.elapsed());
    }
}

impl Drop for Recorder {
    fn drop(&mut self) {
        let code = self
            .code
            .unwrap_or_else(|| abandoned_code(self.start.elapsed(), self.deadline));
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
                            .header(http::header::CONTENT_TYPE, CONTENT_TYPE)
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
    use std::time::Duration;

    #[test]
    fn records_by_method_and_code_with_bounded_labels() {
        let m = Metrics::new(["/a.S/M".to_string()]);
        m.started();
        m.finished(m.slot("/a.S/M"), 0, Duration::from_micros(150));
        m.started();
        m.finished(m.slot("/a.S/M"), 3, Duration::from_secs(2));
        m.started();
        m.finished(m.slot("/evil/random-123"), 12, Duration::from_micros(10));
        m.started();
        m.batch_item(true);
        assert_eq!(m.requests("/a.S/M", "OK"), 1);
        assert_eq!(m.requests("/a.S/M", "INVALID_ARGUMENT"), 1);
        assert_eq!(m.requests("other", "UNIMPLEMENTED"), 1);
        assert_eq!(m.requests("/a.S/M", "UNAVAILABLE"), 0);
        let text = m.render();
        for line in [
            "stdfund_grpc_requests_total{method=\"/a.S/M\",code=\"OK\"} 1",
            "stdfund_grpc_request_duration_seconds_bucket{le=\"0.00025\",method=\"/a.S/M\"} 1",
            "stdfund_grpc_request_duration_seconds_bucket{le=\"2.5\",method=\"/a.S/M\"} 2",
            "stdfund_grpc_request_duration_seconds_bucket{le=\"+Inf\",method=\"/a.S/M\"} 2",
            "stdfund_grpc_request_duration_seconds_count{method=\"/a.S/M\"} 2",
            "stdfund_grpc_requests_in_flight 1",
            "stdfund_estimate_batch_items_total{outcome=\"assessment\"} 1",
            "stdfund_estimate_batch_items_total{outcome=\"error\"} 0",
            "# TYPE stdfund_build_info gauge",
        ] {
            assert!(text.lines().any(|l| l == line), "missing {line} in\n{text}");
        }
        assert!(!text.contains("evil"));
        assert!(text.ends_with("# EOF\n"));
    }

    #[test]
    fn pool_and_process_series() {
        let m = Metrics::new(Vec::new());
        m.watch_pool(Box::new(|| PoolStats {
            open: 3,
            idle: 1,
            max: 10,
        }));
        let text = m.render();
        for line in [
            "stdfund_db_pool_connections{state=\"idle\"} 1",
            "stdfund_db_pool_connections{state=\"in_use\"} 2",
            "stdfund_db_pool_max_connections 10",
        ] {
            assert!(text.lines().any(|l| l == line), "missing {line} in\n{text}");
        }
        for name in [
            "process_cpu_seconds_total",
            "process_resident_memory_bytes",
            "process_open_fds",
            "process_start_time_seconds",
        ] {
            assert!(
                text.lines().any(|l| l.starts_with(name)),
                "missing {name} in\n{text}"
            );
        }
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
        assert_eq!(code_name(99), "UNKNOWN");
    }
}
