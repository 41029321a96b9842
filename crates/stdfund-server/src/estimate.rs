//! EstimateService: reads the proto request as the rules crate's request,
//! assesses it, writes the typed assessment straight into the proto answer
//! (`stdfund_proto::convert`). No rule logic lives here.
//!
//! EstimateBatch works in chunks: a reader task takes every item already
//! received (up to [`CHUNK`]) without waiting, a compute step splits the chunk
//! across the cores (rayon, no thread hop per item), and the answers leave in
//! request order with their index. A chunk computes while the answers of
//! the one before it are handed on; answers that are ready leave at once.
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
use stdfund_proto::codec::{self, Encoded, EncodedCodec, RawMessage};
use stdfund_proto::direct::{self, BatchItem};
use stdfund_proto::pb::estimate_service_server::{EstimateService, EstimateServiceServer};
use stdfund_proto::{convert, pb, wire};
use stdfund_rules::json::dto::{self, EnumIn, ProtoEnum, View};
use tokio::sync::{OwnedSemaphorePermit, Semaphore, mpsc};
use tokio::task::{JoinError, JoinHandle};
use tonic::codegen::{BoxFuture, Context, Poll, Service, StdError, http};
use tonic::server::{Grpc, NamedService, StreamingService, UnaryService};
use tonic::{Request, Response, Status, Streaming};

/// How many batch answers may wait for a slow reader before the server stops
/// reading further requests (back-pressure).
const BATCH_BUFFER: usize = 1024;

/// The most items computed together.
pub const CHUNK: usize = 256;

/// A chunk also ends once its requests hold this many bytes. The answers of
/// small applications are about ten times their requests' bytes (the
/// explanations), so a chunk's answers stay within a few MiB whatever the
/// applications are like (256 applications of 200 lines would be hundreds).
const CHUNK_BYTES: usize = 256 << 10;

/// Answer bytes that may wait for one stream's reader: past them the stream
/// stops computing until the reader takes some, so memory follows the
/// answers' size, not only their count ([`BATCH_BUFFER`]).
const STREAM_QUEUE_BYTES: u32 = 2 << 20;

/// EstimateBatch streams served at once by the process; one more is
/// `RESOURCE_EXHAUSTED` `BATCH_STREAMS_BUSY`. Each holds at most
/// [`STREAM_QUEUE_BYTES`] of waiting answers, two chunks and the requests
/// read ahead (about 9 MiB at worst), so however slowly their clients read,
/// all of them together stay far below the pods' memory limits.
pub const MAX_BATCH_STREAMS: usize = 16;

/// The answer size limit of an [`Estimates`] not mounted by
/// [`EstimateRoutes`] (the server's default `max_message_bytes`).
const DEFAULT_MAX_MESSAGE_BYTES: usize = 4 << 20;

/// The bytes an item or an answer holds, for the bounds above.
trait Weighed {
    fn weight(&self) -> usize;
}

impl Weighed for RawMessage {
    fn weight(&self) -> usize {
        self.0.len()
    }
}

impl Weighed for Encoded {
    fn weight(&self) -> usize {
        self.0.len()
    }
}

impl Weighed for pb::EstimateBatchRequest {
    fn weight(&self) -> usize {
        prost::Message::encoded_len(self)
    }
}

impl Weighed for pb::EstimateBatchResponse {
    fn weight(&self) -> usize {
        prost::Message::encoded_len(self)
    }
}

/// An answer on its way to the client with the part of its stream's queue
/// budget it holds, given back when the client's connection takes it.
type Queue<T> = mpsc::Sender<(Result<T, Status>, Option<OwnedSemaphorePermit>)>;

/// The answers of one EstimateBatch stream as tonic sends them; holds the
/// stream's place among [`MAX_BATCH_STREAMS`] until the call ends.
pub struct Queued<T> {
    rx: mpsc::Receiver<(Result<T, Status>, Option<OwnedSemaphorePermit>)>,
    _place: OwnedSemaphorePermit,
}

impl<T> tokio_stream::Stream for Queued<T> {
    type Item = Result<T, Status>;

    fn poll_next(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Self::Item>> {
        // The answer's budget is given back as it leaves the queue.
        self.rx
            .poll_recv(cx)
            .map(|next| next.map(|(answer, _budget)| answer))
    }
}

/// The EstimateService implementation.
#[derive(Debug, Clone)]
pub struct Estimates {
    catalog: Arc<pb::GetCatalogResponse>,
    engine_info: Arc<pb::GetEngineInfoResponse>,
    max_batch_items: usize,
    /// The largest answer message sent ([`EstimateRoutes::new`] sets the
    /// server's `max_message_bytes`); a batch item whose answer is larger
    /// carries `ANSWER_TOO_LARGE` inline instead.
    max_message_bytes: usize,
    metrics: Option<Arc<Metrics>>,
    /// Places for EstimateBatch streams ([`MAX_BATCH_STREAMS`]).
    streams: Arc<Semaphore>,
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
            max_message_bytes: DEFAULT_MAX_MESSAGE_BYTES,
            metrics,
            streams: Arc::new(Semaphore::new(MAX_BATCH_STREAMS)),
        })
    }
}

fn log_estimate(code: &str, achievements: usize, what_if_ruleset: &str) {
    if tracing::enabled!(tracing::Level::DEBUG) {
        tracing::debug!(
            credit_code = %mask_credit_code(code),
            achievements,
            what_if = !what_if_ruleset.is_empty(),
            "estimate"
        );
    }
}

fn log_request(r: &dto::EstimateRequest<'_>) {
    log_estimate(
        &r.applicant.credit_code,
        r.achievements.len(),
        &r.what_if_ruleset,
    );
}

/// One estimate: proto in, proto out, the rules crate in between. `view`
/// overrides the request's own view when set.
pub fn estimate_one(
    request: &pb::EstimateRequest,
    view: Option<View>,
) -> Result<pb::EstimateResponse, ApiError> {
    log_estimate(
        request
            .applicant
            .as_ref()
            .map_or("", |a| a.credit_code.as_str()),
        request.achievements.len(),
        &request.what_if_ruleset,
    );
    Ok(convert::estimate(request, view)?)
}

/// Reads a request's bytes as the DTO and hands it to `f`: straight from
/// the bytes ([`direct`]), or through prost for what that declines; bytes
/// prost cannot decode are `INVALID_ARGUMENT` MALFORMED_MESSAGE, as the
/// generated server's codec answers them.
fn with_request<T>(
    raw: &RawMessage,
    f: impl FnOnce(&dto::EstimateRequest<'_>) -> T,
) -> Result<T, Status> {
    if let Some(r) = direct::estimate_request(&raw.0) {
        return Ok(f(&r));
    }
    let message: pb::EstimateRequest = codec::decode(raw)?;
    Ok(f(&convert::request(&message)))
}

/// [`with_request`] for an EstimateBatchRequest (a missing application
/// reads as the empty request).
fn with_item<T>(raw: &RawMessage, f: impl FnOnce(&BatchItem<'_>) -> T) -> Result<T, Status> {
    if let Some(item) = direct::batch_item(&raw.0) {
        return Ok(f(&item));
    }
    let message: pb::EstimateBatchRequest = codec::decode(raw)?;
    let default = pb::EstimateRequest::default();
    Ok(f(&BatchItem {
        request_id: &message.request_id,
        application: convert::request(message.application.as_ref().unwrap_or(&default)),
        view: message.view,
    }))
}

/// One estimate answered as the encoded `EstimateResponse` (what the
/// mounted Estimate sends); the outer error is a request that does not
/// decode. An answer over `limit` bytes is `ANSWER_TOO_LARGE`.
pub fn estimate_encoded(
    raw: &RawMessage,
    limit: usize,
) -> Result<Result<Encoded, ApiError>, Status> {
    with_request(raw, |request| {
        log_request(request);
        let mut buf = Vec::with_capacity(4096);
        wire::estimate(&mut buf, request, None)?;
        within(buf.len(), limit)?;
        Ok(Encoded(buf))
    })
}

/// `ANSWER_TOO_LARGE` when an answer of `found` bytes is over `limit`, the
/// check tonic's encoder makes (on the message, without its frame header).
fn within(found: usize, limit: usize) -> Result<(), ApiError> {
    if found > limit {
        return Err(ApiError::AnswerTooLarge { found, limit });
    }
    Ok(())
}

/// The view a batch item asks for (`None`: the application's own).
fn item_view(view: i32) -> Result<Option<View>, ApiError> {
    match EnumIn::<View>::from_number(view) {
        EnumIn::Set(v) => Ok(Some(v)),
        EnumIn::Unset => Ok(None),
        other => Err(ApiError::from(stdfund_rules::Error::invalid_enum_value::<
            View,
        >(
            "view".into(),
            other.unknown_text().unwrap_or_default(),
            format!("{}, VIEW_FULL, VIEW_SUMMARY", View::UNSPECIFIED),
        ))),
    }
}

/// How a batch item (of type `I`, at an index, with the answer size limit)
/// is answered: the answer and whether it is an assessment (not an error
/// report), or the status that ends the stream (an item that does not
/// decode).
type Answer<I, T> = fn(&I, u32, usize) -> Result<(T, bool), Status>;

/// The answer to one batch item as a prost message.
fn batch_answer(
    item: &pb::EstimateBatchRequest,
    index: u32,
    limit: usize,
) -> Result<(pb::EstimateBatchResponse, bool), Status> {
    let default = pb::EstimateRequest::default();
    let result = item_view(item.view)
        .and_then(|v| estimate_one(item.application.as_ref().unwrap_or(&default), v));
    let error = |e: &ApiError| {
        pb::estimate_batch_response::Result::Error(convert::error_report(
            &e.report(),
            e.meant().as_deref(),
        ))
    };
    let (result, assessed) = match result {
        Ok(a) => (pb::estimate_batch_response::Result::Assessment(a), true),
        Err(e) => (error(&e), false),
    };
    let mut answer = pb::EstimateBatchResponse {
        request_id: item.request_id.clone(),
        index,
        result: Some(result),
    };
    if let Err(e) = within(prost::Message::encoded_len(&answer), limit) {
        answer.result = Some(error(&e));
        return Ok((answer, false));
    }
    Ok((answer, assessed))
}

/// The answer to one batch item's bytes, encoded (the bytes of
/// [`batch_answer`]'s message for the decoded item).
fn batch_encoded(raw: &RawMessage, index: u32, limit: usize) -> Result<(Encoded, bool), Status> {
    with_item(raw, |item| {
        let application = &item.application;
        let mut buf = Vec::with_capacity(4096);
        let result = item_view(item.view).and_then(|view| {
            log_request(application);
            stdfund_rules::json::assess_in_view(application, view, |a, view| {
                wire::batch_assessment(&mut buf, item.request_id, index, a, view);
            })?;
            within(buf.len(), limit)
        });
        match result {
            Ok(()) => (Encoded(buf), true),
            Err(e) => {
                buf.clear();
                let meant = e.meant();
                wire::batch_error(
                    &mut buf,
                    item.request_id,
                    index,
                    &e.report(),
                    meant.as_deref(),
                );
                (Encoded(buf), false)
            }
        }
    })
}

/// Computes a chunk of items, both halves at once, answers in order.
fn compute<I: Sync, T: Send>(
    chunk: &[I],
    first: u32,
    answer: Answer<I, T>,
    limit: usize,
) -> Vec<Result<(T, bool), Status>> {
    let index = |i: usize| first.saturating_add(u32::try_from(i).unwrap_or(u32::MAX));
    if chunk.len() < 8 {
        return chunk
            .iter()
            .enumerate()
            .map(|(i, item)| answer(item, index(i), limit))
            .collect();
    }
    let (a, b) = chunk.split_at(chunk.len() / 2);
    let (mut left, right) = rayon::join(
        || {
            a.iter()
                .enumerate()
                .map(|(i, item)| answer(item, index(i), limit))
                .collect::<Vec<_>>()
        },
        || {
            b.iter()
                .enumerate()
                .map(|(i, item)| answer(item, index(i.saturating_add(a.len())), limit))
                .collect::<Vec<_>>()
        },
    );
    left.extend(right);
    left
}

/// What the reader hands to the computing step.
enum Chunk<I> {
    Items(Vec<I>),
    Failed(Status),
}

/// Reads items into chunks: waits for one, then takes every item already
/// received, up to [`CHUNK`], without waiting.
async fn read_chunks<I: Weighed + Send + 'static>(
    mut inbound: Streaming<I>,
    limit: usize,
    chunks: mpsc::Sender<Chunk<I>>,
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
        let mut bytes = first.weight();
        items.push(first);
        let mut failed = None;
        let mut ended = false;
        while items.len() < CHUNK && bytes < CHUNK_BYTES {
            match tokio::time::timeout(Duration::ZERO, inbound.message()).await {
                Ok(Ok(Some(item))) => {
                    bytes = bytes.saturating_add(item.weight());
                    items.push(item);
                }
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
    /// cores, sends the answers in order. The next chunk is computing while
    /// the answers of the one before it are handed on, so the cores do not
    /// stand idle while the connection carries answers away.
    /// `BATCH_STREAMS_BUSY` when [`MAX_BATCH_STREAMS`] streams are running.
    fn batch<I: Weighed + Send + Sync + 'static, T: Weighed + Send + 'static>(
        &self,
        inbound: Streaming<I>,
        answer: Answer<I, T>,
    ) -> Result<Queued<T>, Status> {
        let place = Arc::clone(&self.streams).try_acquire_owned().map_err(|_| {
            tracing::info!(limit = MAX_BATCH_STREAMS, "every batch stream is busy");
            Status::from(ApiError::BatchStreamsBusy {
                limit: MAX_BATCH_STREAMS,
            })
        })?;
        let (tx, rx) = mpsc::channel(BATCH_BUFFER);
        let queue = Arc::new(Semaphore::new(STREAM_QUEUE_BYTES as usize));
        let (chunk_tx, mut chunk_rx) = mpsc::channel::<Chunk<I>>(2);
        tokio::spawn(read_chunks(inbound, self.max_batch_items, chunk_tx));
        let metrics = self.metrics.clone();
        let limit = self.max_message_bytes;
        tokio::spawn(async move {
            let mut next: u32 = 0;
            // The chunk computing now, whose answers go out next.
            let mut computing: Option<JoinHandle<Computed<T>>> = None;
            // The failure that ended the stream of requests.
            let mut failed = None;
            loop {
                // A chunk that arrives starts computing at once; answers that
                // are ready go out at once, without waiting for a next chunk
                // (a client may wait for them before it sends more).
                let chunk = match computing.as_mut() {
                    None => chunk_rx.recv().await,
                    Some(handle) => {
                        let ready = tokio::select! {
                            biased;
                            chunk = chunk_rx.recv() => Err(chunk),
                            done = handle => Ok(done),
                        };
                        match ready {
                            Err(chunk) => chunk,
                            Ok(done) => {
                                computing = None;
                                if !send_answers(done, &tx, &queue, metrics.as_deref()).await {
                                    return;
                                }
                                continue;
                            }
                        }
                    }
                };
                let items = match chunk {
                    None => break,
                    Some(Chunk::Items(items)) => items,
                    Some(Chunk::Failed(status)) => {
                        failed = Some(status);
                        break;
                    }
                };
                let first = next;
                next = next.saturating_add(u32::try_from(items.len()).unwrap_or(u32::MAX));
                let started =
                    tokio::task::spawn_blocking(move || compute(&items, first, answer, limit));
                if let Some(before) = computing.replace(started)
                    && !send_answers(before.await, &tx, &queue, metrics.as_deref()).await
                {
                    return;
                }
            }
            // What was read before a failure is answered first.
            if let Some(last) = computing
                && !send_answers(last.await, &tx, &queue, metrics.as_deref()).await
            {
                return;
            }
            if let Some(status) = failed {
                let _ = tx.send((Err(status), None)).await;
            }
        });
        Ok(Queued { rx, _place: place })
    }
}

/// The answers of one computed chunk.
type Computed<T> = Vec<Result<(T, bool), Status>>;

/// Sends a computed chunk's answers in order; `false` when the stream is
/// over (the client is gone, or an item ended it).
async fn send_answers<T: Weighed>(
    computed: Result<Computed<T>, JoinError>,
    tx: &Queue<T>,
    queue: &Arc<Semaphore>,
    metrics: Option<&Metrics>,
) -> bool {
    let answers = match computed {
        Ok(a) => a,
        Err(e) => {
            tracing::error!(error = %e, "a batch chunk failed to compute");
            let _ = tx
                .send((
                    Err(Status::internal("a batch chunk failed to compute")),
                    None,
                ))
                .await;
            return false;
        }
    };
    for answer in answers {
        let (answer, assessed) = match answer {
            Ok(a) => a,
            // An item that does not decode ends the stream, as a malformed
            // message does.
            Err(status) => {
                let _ = tx.send((Err(status), None)).await;
                return false;
            }
        };
        if let Some(m) = metrics {
            m.batch_item(assessed);
        }
        // Waits while the answers already queued for this stream hold its
        // budget (a reader slower than the cores): back-pressure by size.
        let bytes = u32::try_from(answer.weight())
            .unwrap_or(u32::MAX)
            .clamp(1, STREAM_QUEUE_BYTES);
        let Ok(budget) = Arc::clone(queue).acquire_many_owned(bytes).await else {
            return false;
        };
        if tx.send((Ok(answer), Some(budget))).await.is_err() {
            // The client is gone.
            return false;
        }
    }
    true
}

#[tonic::async_trait]
impl EstimateService for Estimates {
    async fn estimate(
        &self,
        request: Request<pb::EstimateRequest>,
    ) -> Result<Response<pb::EstimateResponse>, Status> {
        let answer = estimate_one(request.get_ref(), None).and_then(|answer| {
            within(prost::Message::encoded_len(&answer), self.max_message_bytes)?;
            Ok(answer)
        });
        match answer {
            Ok(answer) => Ok(Response::new(answer)),
            Err(e) => {
                tracing::debug!(code = %e.report().code, field = %e.report().field, "estimate refused");
                Err(Status::from(e))
            }
        }
    }

    type EstimateBatchStream = Queued<pb::EstimateBatchResponse>;

    async fn estimate_batch(
        &self,
        request: Request<Streaming<pb::EstimateBatchRequest>>,
    ) -> Result<Response<Self::EstimateBatchStream>, Status> {
        Ok(Response::new(
            self.batch(request.into_inner(), batch_answer)?,
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
        let estimates = Estimates {
            max_message_bytes,
            ..estimates
        };
        EstimateRoutes {
            generated: EstimateServiceServer::new(estimates.clone())
                .max_decoding_message_size(max_message_bytes)
                .max_encoding_message_size(max_message_bytes)
                .accept_compressed(crate::server::REQUEST_COMPRESSION),
            estimates: Arc::new(estimates),
            max_message_bytes,
        }
    }

    fn grpc(&self) -> Grpc<EncodedCodec> {
        Grpc::new(EncodedCodec)
            .apply_max_message_size_config(
                Some(self.max_message_bytes),
                Some(self.max_message_bytes),
            )
            .accept_compressed(crate::server::REQUEST_COMPRESSION)
    }
}

impl NamedService for EstimateRoutes {
    const NAME: &'static str = stdfund_proto::service_names::ESTIMATE;
}

/// Estimate, answered as encoded bytes (within the size limit it holds).
struct EstimateMethod(usize);

impl UnaryService<RawMessage> for EstimateMethod {
    type Response = Encoded;
    type Future = std::future::Ready<Result<Response<Encoded>, Status>>;

    fn call(&mut self, request: Request<RawMessage>) -> Self::Future {
        std::future::ready(match estimate_encoded(request.get_ref(), self.0) {
            Err(malformed) => Err(malformed),
            Ok(Ok(answer)) => Ok(Response::new(answer)),
            Ok(Err(e)) => {
                tracing::debug!(code = %e.report().code, field = %e.report().field, "estimate refused");
                Err(Status::from(e))
            }
        })
    }
}

/// EstimateBatch, answered as encoded bytes.
struct BatchMethod(Arc<Estimates>);

impl StreamingService<RawMessage> for BatchMethod {
    type Response = Encoded;
    type ResponseStream = Queued<Encoded>;
    type Future = std::future::Ready<Result<Response<Self::ResponseStream>, Status>>;

    fn call(&mut self, request: Request<Streaming<RawMessage>>) -> Self::Future {
        std::future::ready(
            self.0
                .batch(request.into_inner(), batch_encoded)
                .map(Response::new),
        )
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
                let mut grpc = self.grpc();
                let method = EstimateMethod(self.max_message_bytes);
                Box::pin(async move { Ok(grpc.unary(method, req).await) })
            }
            BATCH_PATH => {
                let mut grpc = self.grpc();
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

    const LIMIT: usize = DEFAULT_MAX_MESSAGE_BYTES;

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

    fn raw(m: &impl Message) -> RawMessage {
        RawMessage(m.encode_to_vec().into())
    }

    /// The bytes the mounted routes send are what the generated server's
    /// prost message encodes to: answers, refused applications, an
    /// undefined view, a missing application; whether the item's bytes are
    /// read directly or (with an unknown field) by prost.
    #[test]
    fn encoded_batch_answers_are_the_generated_servers_bytes() {
        let mut assessed = 0;
        let mut refused = 0;
        for seed in 0..400u64 {
            for view in [0, 1, 2, 9] {
                let it = item(seed, view);
                let index = u32::try_from(seed).unwrap();
                let (message, a) = batch_answer(&it, index, LIMIT).unwrap();
                let (bytes, b) = batch_encoded(&raw(&it), index, LIMIT).unwrap();
                assert_eq!(a, b, "seed {seed} view {view}");
                assert!(
                    message.encode_to_vec() == bytes.0,
                    "seed {seed} view {view}"
                );
                // An unknown field (99, varint): direct declines, prost reads.
                let mut unknown = it.encode_to_vec();
                unknown.extend_from_slice(&[0x98, 0x06, 0x01]);
                assert!(direct::batch_item(&unknown).is_none());
                let (bytes, _) = batch_encoded(&RawMessage(unknown.into()), index, LIMIT).unwrap();
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
        assert!(
            batch_answer(&empty, 0, LIMIT).unwrap().0.encode_to_vec()
                == batch_encoded(&raw(&empty), 0, LIMIT).unwrap().0.0
        );
        assert!(assessed > 1_000 && refused > 400, "{assessed} {refused}");
    }

    #[test]
    fn an_encoded_estimate_is_the_generated_servers_bytes() {
        for seed in 0..200u64 {
            let it = item(seed, 0);
            let request = it.application.unwrap_or_default();
            match (
                estimate_one(&request, None),
                estimate_encoded(&raw(&request), LIMIT).unwrap(),
            ) {
                (Ok(m), Ok(bytes)) => assert!(m.encode_to_vec() == bytes.0, "seed {seed}"),
                (Err(a), Err(b)) => assert_eq!(a.report(), b.report(), "seed {seed}"),
                _ => panic!("seed {seed}: one answered, the other refused"),
            }
        }
    }

    /// An answer over the size limit is `ANSWER_TOO_LARGE`: inline in a
    /// batch (the same bytes both ways, counted as refused), the error of
    /// Estimate; an answer at the limit passes.
    #[test]
    fn an_answer_over_the_limit_is_answer_too_large() {
        let (it, full) = (0..)
            .map(|seed| item(seed, 0))
            .find_map(|it| match batch_answer(&it, 5, LIMIT).unwrap() {
                (full, true) => Some((it, full)),
                _ => None,
            })
            .unwrap();
        let size = full.encoded_len();
        let at = batch_encoded(&raw(&it), 5, size).unwrap();
        assert!(at.1 && at.0.0 == full.encode_to_vec());
        let (message, a) = batch_answer(&it, 5, size - 1).unwrap();
        let (bytes, b) = batch_encoded(&raw(&it), 5, size - 1).unwrap();
        assert!(!a && !b);
        assert!(message.encode_to_vec() == bytes.0);
        assert_eq!(message.request_id, it.request_id);
        assert_eq!(message.index, 5);
        let Some(pb::estimate_batch_response::Result::Error(report)) = message.result else {
            panic!("{message:?}");
        };
        assert_eq!(report.code, "ANSWER_TOO_LARGE");
        assert!(
            report.message_zh.contains(&format!("{size}字节")),
            "{}",
            report.message_zh
        );
        assert!(
            report
                .message_en
                .contains(&format!("limit of {} bytes", size - 1))
        );

        let request = it.application.unwrap_or_default();
        let answer = estimate_encoded(&raw(&request), LIMIT).unwrap().unwrap();
        let found = answer.0.len();
        assert!(estimate_encoded(&raw(&request), found).unwrap().is_ok());
        let refused = estimate_encoded(&raw(&request), found - 1)
            .unwrap()
            .unwrap_err();
        assert_eq!(
            refused,
            ApiError::AnswerTooLarge {
                found,
                limit: found - 1
            }
        );
        let status = Status::from(refused);
        assert_eq!(status.code(), tonic::Code::OutOfRange);
        let report = crate::status::error_report(&status).unwrap();
        assert_eq!(report.code, "ANSWER_TOO_LARGE");
    }

    /// Bytes that do not decode are refused as the generated server's codec
    /// refuses them: INVALID_ARGUMENT with prost's description.
    #[test]
    fn undecodable_bytes_are_malformed_with_prosts_description() {
        let it = item(3, 0);
        let mut cut = it.encode_to_vec();
        cut.truncate(cut.len() - 3);
        let cut = RawMessage(cut.into());
        let expected = pb::EstimateBatchRequest::decode(cut.0.clone()).unwrap_err();
        let status = batch_encoded(&cut, 0, LIMIT).unwrap_err();
        assert_eq!(status.code(), tonic::Code::InvalidArgument);
        assert!(
            status.message().contains(&expected.to_string()),
            "{}",
            status.message()
        );
        // what_if_ruleset (3) holding two bytes that are not UTF-8.
        let bad_utf8 = RawMessage(vec![0x1a, 0x02, 0xff, 0xfe].into());
        let status = estimate_encoded(&bad_utf8, LIMIT).unwrap_err();
        assert_eq!(status.code(), tonic::Code::InvalidArgument);
        assert!(status.message().contains("UTF-8"), "{}", status.message());
    }
}
