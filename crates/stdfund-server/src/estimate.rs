//! EstimateService: converts the request to the rules crate's boundary type,
//! calls [`stdfund_rules::estimate`], converts the answer back. No rule logic
//! lives here; every answer is the rules crate's, field for field.

use crate::mask::mask_credit_code;
use crate::metrics::Metrics;
use crate::status::ApiError;
use std::sync::Arc;
use stdfund_proto::pb;
use stdfund_proto::pb::estimate_service_server::EstimateService;
use stdfund_rules::model::Application;
use tokio::sync::mpsc;
use tokio_stream::wrappers::ReceiverStream;
use tonic::{Request, Response, Status, Streaming};

/// How many batch results may wait for a slow reader before the server stops
/// reading further requests (back-pressure).
const BATCH_BUFFER: usize = 64;

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
        let catalog = stdfund_rules::json::catalog().map_err(ApiError::Contract)?;
        let catalog = pb::GetCatalogResponse::try_from(catalog).map_err(ApiError::Contract)?;
        let info = stdfund_rules::json::engine_info().map_err(ApiError::Contract)?;
        Ok(Estimates {
            catalog: Arc::new(catalog),
            engine_info: Arc::new(pb::GetEngineInfoResponse::from(info)),
            max_batch_items,
            metrics,
        })
    }
}

/// One estimate: proto in, proto out, the rules crate in between.
pub fn estimate_one(request: pb::EstimateRequest) -> Result<pb::EstimateResponse, ApiError> {
    let app = Application::from(request);
    tracing::debug!(
        credit_code = %mask_credit_code(&app.applicant.credit_code),
        achievements = app.achievements.len(),
        what_if = !app.what_if_ruleset.is_empty(),
        "estimate"
    );
    let assessment = stdfund_rules::estimate(&app)?;
    pb::EstimateResponse::try_from(assessment).map_err(ApiError::Contract)
}

#[tonic::async_trait]
impl EstimateService for Estimates {
    async fn estimate(
        &self,
        request: Request<pb::EstimateRequest>,
    ) -> Result<Response<pb::EstimateResponse>, Status> {
        match estimate_one(request.into_inner()) {
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
        let mut inbound = request.into_inner();
        let (tx, rx) = mpsc::channel(BATCH_BUFFER);
        let limit = self.max_batch_items;
        let metrics = self.metrics.clone();
        tokio::spawn(async move {
            let mut index: u32 = 0;
            loop {
                let item = match inbound.message().await {
                    Ok(Some(item)) => item,
                    Ok(None) => break,
                    // The stream itself broke (malformed frame, oversized
                    // message, client reset): nothing more can be read.
                    Err(status) => {
                        let _ = tx.send(Err(status)).await;
                        break;
                    }
                };
                if usize::try_from(index).map_or(true, |i| i >= limit) {
                    tracing::info!(limit, "batch stream over its limit");
                    let _ = tx
                        .send(Err(Status::from(ApiError::BatchTooLarge { limit })))
                        .await;
                    break;
                }
                let result = match estimate_one(item.application.unwrap_or_default()) {
                    Ok(a) => pb::estimate_batch_response::Result::Assessment(a),
                    Err(e) => pb::estimate_batch_response::Result::Error(pb::ErrorReport::from(
                        e.report(),
                    )),
                };
                if let Some(m) = &metrics {
                    m.batch_item(matches!(
                        result,
                        pb::estimate_batch_response::Result::Assessment(_)
                    ));
                }
                let answer = pb::EstimateBatchResponse {
                    request_id: item.request_id,
                    index,
                    result: Some(result),
                };
                if tx.send(Ok(answer)).await.is_err() {
                    // The client is gone.
                    break;
                }
                index = index.saturating_add(1);
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
