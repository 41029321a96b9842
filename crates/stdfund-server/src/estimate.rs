//! EstimateService: reads the proto request as the rules crate's request,
//! assesses it, writes the typed assessment straight into the proto answer
//! (`stdfund_proto::convert`). No rule logic lives here.
//!
//! EstimateBatch works in chunks: a reader task takes every item already
//! received (up to [`CHUNK`]) without waiting, a compute step splits the chunk
//! across the cores (rayon, no thread hop per item), and the answers leave in
//! request order with their index.

use crate::mask::mask_credit_code;
use crate::metrics::Metrics;
use crate::status::ApiError;
use std::sync::Arc;
use std::time::Duration;
use stdfund_proto::pb::estimate_service_server::EstimateService;
use stdfund_proto::{convert, pb};
use stdfund_rules::json::dto::{EnumIn, ProtoEnum, View};
use tokio::sync::mpsc;
use tokio_stream::wrappers::ReceiverStream;
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

/// One estimate: proto in, proto out, the rules crate in between. `view`
/// overrides the request's own view when set.
pub fn estimate_one(
    request: &pb::EstimateRequest,
    view: Option<View>,
) -> Result<pb::EstimateResponse, ApiError> {
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
    Ok(convert::estimate(request, view)?)
}

/// The answer to one batch item.
fn batch_answer(item: &pb::EstimateBatchRequest, index: u32) -> pb::EstimateBatchResponse {
    let view = match EnumIn::<View>::from_number(item.view) {
        EnumIn::Set(v) => Ok(Some(v)),
        EnumIn::Unset => Ok(None),
        other => Err(ApiError::from(stdfund_rules::Error::InvalidEnumValue {
            path: "view".into(),
            value: other.unknown_text().unwrap_or_default(),
            expected: format!("{}, VIEW_FULL, VIEW_SUMMARY", View::UNSPECIFIED),
        })),
    };
    let default = pb::EstimateRequest::default();
    let result = view.and_then(|v| estimate_one(item.application.as_ref().unwrap_or(&default), v));
    let result = match result {
        Ok(a) => pb::estimate_batch_response::Result::Assessment(a),
        Err(e) => pb::estimate_batch_response::Result::Error(convert::error_report(&e.report())),
    };
    pb::EstimateBatchResponse {
        request_id: item.request_id.clone(),
        index,
        result: Some(result),
    }
}

/// Computes a chunk of items, both halves at once, answers in order.
fn compute(chunk: &[pb::EstimateBatchRequest], first: u32) -> Vec<pb::EstimateBatchResponse> {
    let index = |i: usize| first.saturating_add(u32::try_from(i).unwrap_or(u32::MAX));
    if chunk.len() < 8 {
        return chunk
            .iter()
            .enumerate()
            .map(|(i, item)| batch_answer(item, index(i)))
            .collect();
    }
    let (a, b) = chunk.split_at(chunk.len() / 2);
    let (mut left, right) = rayon::join(
        || {
            a.iter()
                .enumerate()
                .map(|(i, item)| batch_answer(item, index(i)))
                .collect::<Vec<_>>()
        },
        || {
            b.iter()
                .enumerate()
                .map(|(i, item)| batch_answer(item, index(i.saturating_add(a.len()))))
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
        let inbound = request.into_inner();
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
                    match tokio::task::spawn_blocking(move || compute(&items, first)).await {
                        Ok(a) => a,
                        Err(e) => {
                            tracing::error!(error = %e, "a batch chunk failed to compute");
                            let _ = tx
                                .send(Err(Status::internal("a batch chunk failed to compute")))
                                .await;
                            return;
                        }
                    };
                for answer in answers {
                    if let Some(m) = &metrics {
                        m.batch_item(matches!(
                            answer.result,
                            Some(pb::estimate_batch_response::Result::Assessment(_))
                        ));
                    }
                    if tx.send(Ok(answer)).await.is_err() {
                        // The client is gone.
                        return;
                    }
                }
            }
        });
        Ok(Response::new(ReceiverStream::new(rx)))
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
