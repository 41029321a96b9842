//! `grpc.health.v1.Health` as the health protocol describes it.
//!
//! tonic-health keeps the statuses ([`HealthReporter`]) and answers `Check`
//! as the protocol says, `NOT_FOUND` for a service it does not know. Its
//! `Watch` fails the same way, but the protocol says otherwise: for a
//! service unknown when the call arrives, the server "will send a message
//! setting the serving status to `SERVICE_UNKNOWN` but will not terminate
//! the call", so that a watcher started before a service is registered
//! keeps working. [`Health`] wraps tonic-health's service and does that:
//! one `SERVICE_UNKNOWN` answer, then the call stays open (this server
//! registers all its services at start, so it never learns the name later)
//! until the client ends it or the server shuts down and drains its calls.

use std::pin::Pin;

use tokio_stream::Stream;
use tonic::{Code, Request, Response, Status};
use tonic_health::pb::health_check_response::ServingStatus as WireStatus;
use tonic_health::pb::health_server::{Health as HealthApi, HealthServer};
use tonic_health::pb::{HealthCheckRequest, HealthCheckResponse};
use tonic_health::server::{HealthReporter, HealthService};

/// The health service: tonic-health's statuses, the protocol's `Watch`.
pub struct Health {
    inner: HealthService,
}

/// A new reporter and the service that answers from it.
pub fn service() -> (HealthReporter, HealthServer<Health>) {
    let reporter = HealthReporter::new();
    let inner = HealthService::from_health_reporter(reporter.clone());
    (reporter, HealthServer::new(Health { inner }))
}

type Answers = Pin<Box<dyn Stream<Item = Result<HealthCheckResponse, Status>> + Send>>;

#[tonic::async_trait]
impl HealthApi for Health {
    async fn check(
        &self,
        request: Request<HealthCheckRequest>,
    ) -> Result<Response<HealthCheckResponse>, Status> {
        self.inner.check(request).await
    }

    type WatchStream = Answers;

    async fn watch(
        &self,
        request: Request<HealthCheckRequest>,
    ) -> Result<Response<Answers>, Status> {
        match self.inner.watch(request).await {
            Ok(answers) => Ok(Response::new(Box::pin(answers.into_inner()))),
            Err(e) if e.code() == Code::NotFound => Ok(Response::new(unknown_service())),
            Err(e) => Err(e),
        }
    }
}

/// One `SERVICE_UNKNOWN`, then nothing until the call ends.
fn unknown_service() -> Answers {
    let first = HealthCheckResponse {
        status: WireStatus::ServiceUnknown.into(),
    };
    Box::pin(tokio_stream::StreamExt::chain(
        tokio_stream::once(Ok(first)),
        tokio_stream::pending(),
    ))
}
