//! EstimateService: reads the proto request as the rules crate's request,
//! assesses it, writes the typed assessment straight into the proto answer
//! (`stdfund_proto::convert`). No rule logic lives here.
//!
//! EstimateBatch works in chunks: a reader task takes every item already
//! received (up to [`CHUNK`]) without waiting, a compute step splits the chunk
//! across the cores (rayon, no thread hop per item), and the answers leave in
//! request order with their index.
//!
//! As mounted ([`EstimateRoutes`]), Estimate and EstimateBatch answer with
//! bytes encoded straight from the typed assessment on the thread that
//! computed it (`stdfund_proto::wire`, byte-equal to prost's encoding of
//! `convert::to_pb`): the connection's task only frames them. The other
//! methods, and the generated server's own Estimate and EstimateBatch (the
//! [`EstimateService`] implementation, which builds the prost message), go
//! through the generated `EstimateServiceServer`.

use crate::mask::mask_credit_code;
use crate::metrics::Metrics;
use crate::status::ApiError;
use std::sync::Arc;
use std::time::Duration;
use stdfund_proto::codec::{Encoded, EncodedCodec};
use stdfund_proto::pb::estimate_service_server::{EstimateService, EstimateServiceServer};
use stdfund_proto::{convert, pb, wire};
use stdfund_rules::json::dto::{EnumIn, ProtoEnum, View};
use tokio::sync::mpsc;
use tokio_stream::wrappers::ReceiverStream;
use tonic::codegen::{BoxFuture, Context, Poll, Service, StdError, http};
use tonic::server::{Grpc, NamedService, StreamingService, UnaryService};
use tonic::{Request, Response, Status, Streaming};

/// How many batch answers may wait for a slow reader before the server stops
/// reading further requests (back-pressure).
const BATCH_BUFFER: usize = 1024;

/// The most items computed together.
pub const CHUNK: usize = 256;

/// The EstimateService implementation.
#[derive(Debug, Clone)]
pub struct Estimates {
    catalog: Arc<pb::GetCatalogResponse>,
    engine_info: Arc<pb::GetEngineInfoResponse>,
    max_batch_items: usize,
    metrics: Option<Arc<Metrics>>,
}

impl Estimates {
    /// Builds the service; the catalogue and engine information are computed
    /// once here. `max_batch_items` bounds each EstimateBatch stream.
    pub fn new(
        max_batch_items: usize,
        metrics: Option<Arc<Metrics>>,
    ) -> Result<Estimates, ApiError> {
        let book = stdfund_rules::ruleset::embedded()?;
        Ok(Estimates {
            catalog: Arc::new(convert::catalog(book)),
            engine_info: Arc::new(convert::engine_info(book)),
            max_batch_items,
            metrics,
        })
    }
}

fn log_estimate(request: &pb::EstimateRequest) {
    if tracing::enabled!(tracing::Level::DEBUG) {
        let code = request
            .applicant
            .as_ref()
            .map_or("", |a| a.credit_code.as_str());
        tracing::debug!(
            credit_code = %mask_credit_code(code),
            achievements = request.achievements.len(),
            what_if = !request.what_if_ruleset.is_empty(),
            "estimate"
        );
    }
}

/// One estimate: proto in, proto out, the rules crate in between. `view`
/// overrides the request's own view when set.
pub fn estimate_one(
    request: &pb::EstimateRequest,
    view: Option<View>,
) -> Result<pb::EstimateResponse, ApiError> {
    log_estimate(request);
    Ok(convert::estimate(request, view)?)
}

/// One estimate answered as the encoded `EstimateResponse` (what the
/// mounted Estimate sends).
pub fn estimate_encoded(request: &pb::EstimateRequest) -> Result<Encoded, ApiError> {
    log_estimate(request);
    let mut buf = Vec::with_capacity(4096);
    wire::estimate(&mut buf, request, None)?;
    Ok(Encoded(buf))
}

/// The view a batch item asks for (`None`: the application's own).
fn item_view(item: &pb::EstimateBatchRequest) -> Result<Option<View>, ApiError> {
    match EnumIn::<View>::from_number(item.view) {
        EnumIn::Set(v) => Ok(Some(v)),
        EnumIn::Unset => Ok(None),
        other => Err(ApiError::from(stdfund_rules::Error::InvalidEnumValue {
            path: "view".into(),
            value: other.unknown_text().unwrap_or_default(),
            expected: format!("{}, VIEW_FULL, VIEW_SUMMARY", View::UNSPECIFIED),
        })),
    }
}

/// How a batch item's answer is rendered, and whether it is an assessment
/// (not an error report).
type Answer<T> = fn(&pb::EstimateBatchRequest, u32) -> (T, bool);

/// The answer to one batch item as a prost message.
fn batch_answer(item: &pb::EstimateBatchRequest, index: u32) -> (pb::EstimateBatchResponse, bool) {
    let default = pb::EstimateRequest::default();
    let result = item_view(item)
        .and_then(|v| estimate_one(item.application.as_ref().unwrap_or(&default), v));
    let (result, assessed) = match result {
        Ok(a) => (pb::estimate_batch_response::Result::Assessment(a), true),
        Err(e) => (
            pb::estimate_batch_response::Result::Error(convert::error_report(&e.report())),
            false,
        ),
    };
    let answer = pb::EstimateBatchResponse {
        request_id: item.request_id.clone(),
        index,
        result: Some(result),
    };
    (answer, assessed)
}

/// The answer to one batch item, encoded (the bytes of [`batch_answer`]'s
/// message).
fn batch_encoded(item: &pb::EstimateBatchRequest, index: u32) -> (Encoded, bool) {
    let default = pb::EstimateRequest::default();
    let application = item.application.as_ref().unwrap_or(&default);
    let mut buf = Vec::with_capacity(4096);
    let result = item_view(item).and_then(|view| {
        log_estimate(application);
        Ok(convert::assess(application, view, |a, view| {
            wire::batch_assessment(&mut buf, &item.request_id, index, a, view);
        })?)
    });
    match result {
        Ok(()) => (Encoded(buf), true),
        Err(e) => {
            buf.clear();
            wire::batch_error(&mut buf, &item.request_id, index, &e.report());
            (Encoded(buf), false)
        }
    }
}

/// Computes a chunk of items, both halves at once, answers in order.
fn compute<T: Send>(
    chunk: &[pb::EstimateBatchRequest],
    first: u32,
    answer: Answer<T>,
) -> Vec<(T, bool)> {
    let index = |i: usize| first.saturating_add(u32::try_from(i).unwrap_or(u32::MAX));
    if chunk.len() < 8 {
        return chunk
            .iter()
            .enumerate()
            .map(|(i, item)| answer(item, index(i)))
            .collect();
    }
    let (a, b) = chunk.split_at(chunk.len() / 2);
    let (mut left, right) = rayon::join(
        || {
            a.iter()
                .enumerate()
                .map(|(i, item)| answer(item, index(i)))
                .collect::<Vec<_>>()
        },
        || {
            b.iter()
                .enumerate()
                .map(|(i, item)| answer(item, index(i.saturating_add(a.len()))))
                .collect::<Vec<_>>()
        },
    );
    left.extend(right);
    left
}

/// What the reader hands to the computing step.
enum Chunk {
    Items(Vec<pb::EstimateBatchRequest>),
    Failed(Status),
}

/// Reads items into chunks: waits for one, then takes every item already
/// received, up to [`CHUNK`], without waiting.
async fn read_chunks(
    mut inbound: Streaming<pb::EstimateBatchRequest>,
    limit: usize,
    chunks: mpsc::Sender<Chunk>,
) {
    let mut seen = 0usize;
    loop {
        let first = match inbound.message().await {
            Ok(Some(item)) => item,
            Ok(None) => return,
            // The stream itself broke (malformed frame, oversized message,
            // client reset): nothing more can be read.
            Err(status) => {
                let _ = chunks.send(Chunk::Failed(status)).await;
                return;
            }
        };
        let mut items = Vec::with_capacity(CHUNK);
        items.push(first);
        let mut failed = None;
        let mut ended = false;
        while items.len() < CHUNK {
            match tokio::time::timeout(Duration::ZERO, inbound.message()).await {
                Ok(Ok(Some(item))) => items.push(item),
                Ok(Ok(None)) => {
                    ended = true;
                    break;
                }
                Ok(Err(status)) => {
                    failed = Some(status);
                    break;
                }
                Err(_) => break,
            }
        }
        let allowed = limit.saturating_sub(seen);
        let over = items.len() > allowed;
        items.truncate(allowed);
        seen = seen.saturating_add(items.len());
        if !items.is_empty() && chunks.send(Chunk::Items(items)).await.is_err() {
            return;
        }
        if over {
            tracing::info!(limit, "batch stream over its limit");
            let _ = chunks
                .send(Chunk::Failed(Status::from(ApiError::BatchTooLarge {
                    limit,
                })))
                .await;
            return;
        }
        if let Some(status) = failed {
            let _ = chunks.send(Chunk::Failed(status)).await;
            return;
        }
        if ended {
            return;
        }
    }
}

impl Estimates {
    /// Runs one EstimateBatch stream: reads chunks, computes each on the
    /// cores, sends the answers in order.
    fn batch<T: Send + 'static>(
        &self,
        inbound: Streaming<pb::EstimateBatchRequest>,
        answer: Answer<T>,
    ) -> ReceiverStream<Result<T, Status>> {
        let (tx, rx) = mpsc::channel(BATCH_BUFFER);
        let (chunk_tx, mut chunk_rx) = mpsc::channel::<Chunk>(2);
        tokio::spawn(read_chunks(inbound, self.max_batch_items, chunk_tx));
        let metrics = self.metrics.clone();
        tokio::spawn(async move {
            let mut next: u32 = 0;
            while let Some(chunk) = chunk_rx.recv().await {
                let items = match chunk {
                    Chunk::Items(items) => items,
                    Chunk::Failed(status) => {
                        let _ = tx.send(Err(status)).await;
                        return;
                    }
                };
                let first = next;
                next = next.saturating_add(u32::try_from(items.len()).unwrap_or(u32::MAX));
                let answers =
                    match tokio::task::spawn_blocking(move || compute(&items, first, answer)).await
                    {
                        Ok(a) => a,
                        Err(e) => {
                            tracing::error!(error = %e, "a batch chunk failed to compute");
                            let _ = tx
                                .send(Err(Status::internal("a batch chunk failed to compute")))
                                .await;
                            return;
                        }
                    };
                for (answer, assessed) in answers {
                    if let Some(m) = &metrics {
                        m.batch_item(assessed);
                    }
                    if tx.send(Ok(answer)).await.is_err() {
                        // The client is gone.
                        return;
                    }
                }
            }
        });
        ReceiverStream::new(rx)
    }
}

#[tonic::async_trait]
impl EstimateService for Estimates {
    async fn estimate(
        &self,
        request: Request<pb::EstimateRequest>,
    ) -> Result<Response<pb::EstimateResponse>, Status> {
        match estimate_one(request.get_ref(), None) {
            Ok(answer) => Ok(Response::new(answer)),
            Err(e) => {
                tracing::debug!(code = %e.report().code, field = %e.report().field, "estimate refused");
                Err(Status::from(e))
            }
        }
    }

    type EstimateBatchStream = ReceiverStream<Result<pb::EstimateBatchResponse, Status>>;

    async fn estimate_batch(
        &self,
        request: Request<Streaming<pb::EstimateBatchRequest>>,
    ) -> Result<Response<Self::EstimateBatchStream>, Status> {
        Ok(Response::new(
            self.batch(request.into_inner(), batch_answer),
        ))
    }

    async fn get_catalog(
        &self,
        _request: Request<pb::GetCatalogRequest>,
    ) -> Result<Response<pb::GetCatalogResponse>, Status> {
        Ok(Response::new((*self.catalog).clone()))
    }

    async fn get_engine_info(
        &self,
        _request: Request<pb::GetEngineInfoRequest>,
    ) -> Result<Response<pb::GetEngineInfoResponse>, Status> {
        Ok(Response::new((*self.engine_info).clone()))
    }
}

/// The path of EstimateService.Estimate.
const ESTIMATE_PATH: &str = "/stdfund.v1.EstimateService/Estimate";
/// The path of EstimateService.EstimateBatch.
const BATCH_PATH: &str = "/stdfund.v1.EstimateService/EstimateBatch";

/// EstimateService as the server mounts it: Estimate and EstimateBatch
/// answer with encoded bytes ([`estimate_encoded`], [`batch_encoded`]);
/// every other method is the generated server's.
#[derive(Debug, Clone)]
pub struct EstimateRoutes {
    generated: EstimateServiceServer<Estimates>,
    estimates: Arc<Estimates>,
    max_message_bytes: usize,
}

impl EstimateRoutes {
    /// The routes of `estimates`, with a message size limit both ways.
    pub fn new(estimates: Estimates, max_message_bytes: usize) -> EstimateRoutes {
        EstimateRoutes {
            generated: EstimateServiceServer::new(estimates.clone())
                .max_decoding_message_size(max_message_bytes)
                .max_encoding_message_size(max_message_bytes),
            estimates: Arc::new(estimates),
            max_message_bytes,
        }
    }

    fn grpc<U>(&self) -> Grpc<EncodedCodec<U>>
    where
        U: prost::Message + Default + Send + 'static,
    {
        Grpc::new(EncodedCodec::default()).apply_max_message_size_config(
            Some(self.max_message_bytes),
            Some(self.max_message_bytes),
        )
    }
}

impl NamedService for EstimateRoutes {
    const NAME: &'static str = stdfund_proto::service_names::ESTIMATE;
}

/// Estimate, answered as encoded bytes.
struct EstimateMethod;

impl UnaryService<pb::EstimateRequest> for EstimateMethod {
    type Response = Encoded;
    type Future = std::future::Ready<Result<Response<Encoded>, Status>>;

    fn call(&mut self, request: Request<pb::EstimateRequest>) -> Self::Future {
        std::future::ready(match estimate_encoded(request.get_ref()) {
            Ok(answer) => Ok(Response::new(answer)),
            Err(e) => {
                tracing::debug!(code = %e.report().code, field = %e.report().field, "estimate refused");
                Err(Status::from(e))
            }
        })
    }
}

/// EstimateBatch, answered as encoded bytes.
struct BatchMethod(Arc<Estimates>);

impl StreamingService<pb::EstimateBatchRequest> for BatchMethod {
    type Response = Encoded;
    type ResponseStream = ReceiverStream<Result<Encoded, Status>>;
    type Future = std::future::Ready<Result<Response<Self::ResponseStream>, Status>>;

    fn call(&mut self, request: Request<Streaming<pb::EstimateBatchRequest>>) -> Self::Future {
        let stream = self.0.batch(request.into_inner(), batch_encoded);
        std::future::ready(Ok(Response::new(stream)))
    }
}

impl<B> Service<http::Request<B>> for EstimateRoutes
where
    B: tonic::codegen::Body + Send + 'static,
    B::Error: Into<StdError> + Send + 'static,
{
    type Response = http::Response<tonic::body::Body>;
    type Error = std::convert::Infallible;
    type Future = BoxFuture<Self::Response, Self::Error>;

    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, req: http::Request<B>) -> Self::Future {
        match req.uri().path() {
            ESTIMATE_PATH => {
                let mut grpc = self.grpc::<pb::EstimateRequest>();
                Box::pin(async move { Ok(grpc.unary(EstimateMethod, req).await) })
            }
            BATCH_PATH => {
                let mut grpc = self.grpc::<pb::EstimateBatchRequest>();
                let method = BatchMethod(self.estimates.clone());
                Box::pin(async move { Ok(grpc.streaming(method, req).await) })
            }
            _ => self.generated.call(req),
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]
    use super::*;
    use prost::Message;

    fn item(seed: u64, view: i32) -> pb::EstimateBatchRequest {
        let app = stdfund_testkit::generate::application(seed);
        let text = stdfund_rules::json::to_canonical(&app);
        let application = stdfund_proto::client::request(&text).ok();
        pb::EstimateBatchRequest {
            request_id: format!("r{seed}"),
            application,
            view,
        }
    }

    /// The bytes the mounted routes send are what the generated server's
    /// prost message encodes to: answers, refused applications, an
    /// undefined view, a missing application.
    #[test]
    fn encoded_batch_answers_are_the_generated_servers_bytes() {
        let mut assessed = 0;
        let mut refused = 0;
        for seed in 0..400u64 {
            for view in [0, 1, 2, 9] {
                let it = item(seed, view);
                let (message, a) = batch_answer(&it, u32::try_from(seed).unwrap());
                let (bytes, b) = batch_encoded(&it, u32::try_from(seed).unwrap());
                assert_eq!(a, b, "seed {seed} view {view}");
                assert!(
                    message.encode_to_vec() == bytes.0,
                    "seed {seed} view {view}"
                );
                if a {
                    assessed += 1;
                } else {
                    refused += 1;
                }
            }
        }
        let empty = pb::EstimateBatchRequest::default();
        assert!(batch_answer(&empty, 0).0.encode_to_vec() == batch_encoded(&empty, 0).0.0);
        assert!(assessed > 1_000 && refused > 400, "{assessed} {refused}");
    }

    #[test]
    fn an_encoded_estimate_is_the_generated_servers_bytes() {
        for seed in 0..200u64 {
            let it = item(seed, 0);
            let request = it.application.unwrap_or_default();
            match (estimate_one(&request, None), estimate_encoded(&request)) {
                (Ok(m), Ok(bytes)) => assert!(m.encode_to_vec() == bytes.0, "seed {seed}"),
                (Err(a), Err(b)) => assert_eq!(a.report(), b.report(), "seed {seed}"),
                _ => panic!("seed {seed}: one answered, the other refused"),
            }
        }
    }
}
