//! Graceful shutdown: health turns NOT_SERVING, the listener closes, an
//! in-flight call completes, and the drain time bounds the wait.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use std::time::{Duration, Instant};
use stdfund_proto::pb;
use stdfund_proto::pb::estimate_batch_response::Result as BatchResult;
use stdfund_proto::pb::estimate_service_client::EstimateServiceClient;
use stdfund_server::server::Drain;
use tokio::sync::mpsc;
use tokio::time::timeout;
use tokio_stream::wrappers::ReceiverStream;
use tonic_health::pb::health_check_response::ServingStatus;
use tonic_health::pb::{HealthCheckRequest, health_client::HealthClient};

fn item(id: &str) -> pb::EstimateBatchRequest {
    let app = stdfund_proto::client::request(
        r#"{"applicant":{"creditCode":"91350100M000100Y43","seat":"350102"},
            "achievements":[{"id":"a1","item":"STANDARD_LEAD","variant":"NATIONAL","subject":"GB/T 12345-2020","date":"2020-05-01"}]}"#,
    )
    .unwrap();
    pb::EstimateBatchRequest {
        request_id: id.into(),
        application: Some(app),
        ..Default::default()
    }
}

const SECS: Duration = Duration::from_secs(10);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_in_flight_call_completes_while_health_turns_not_serving() {
    let mut server = common::start(common::settings()).await;
    let addr = server.addr();
    let channel = common::channel(addr).await;

    // Watch the overall and the per-service health.
    let mut health = HealthClient::new(channel.clone());
    let mut overall = health
        .watch(HealthCheckRequest {
            service: String::new(),
        })
        .await
        .unwrap()
        .into_inner();
    let mut estimate_health = health
        .watch(HealthCheckRequest {
            service: "stdfund.v1.EstimateService".into(),
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(
        overall.message().await.unwrap().unwrap().status,
        ServingStatus::Serving as i32
    );
    assert_eq!(
        estimate_health.message().await.unwrap().unwrap().status,
        ServingStatus::Serving as i32
    );

    // A batch call in flight: one item answered.
    let mut client = EstimateServiceClient::new(channel.clone());
    let (tx, rx) = mpsc::channel(4);
    let mut results = client
        .estimate_batch(ReceiverStream::new(rx))
        .await
        .unwrap()
        .into_inner();
    tx.send(item("before")).await.unwrap();
    assert_eq!(
        results.message().await.unwrap().unwrap().request_id,
        "before"
    );

    server.begin_shutdown();

    // Health turns NOT_SERVING, overall and per service.
    let s = timeout(SECS, overall.message())
        .await
        .unwrap()
        .unwrap()
        .unwrap();
    assert_eq!(s.status, ServingStatus::NotServing as i32);
    let s = timeout(SECS, estimate_health.message())
        .await
        .unwrap()
        .unwrap()
        .unwrap();
    assert_eq!(s.status, ServingStatus::NotServing as i32);

    // The listener is closed: a new connection is refused.
    let started = Instant::now();
    loop {
        if tokio::net::TcpStream::connect(addr).await.is_err() {
            break;
        }
        assert!(started.elapsed() < SECS, "the listener is still accepting");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }

    // The in-flight call still works and completes normally.
    tx.send(item("during")).await.unwrap();
    let r = timeout(SECS, results.message())
        .await
        .unwrap()
        .unwrap()
        .unwrap();
    assert_eq!(r.request_id, "during");
    assert!(matches!(r.result, Some(BatchResult::Assessment(_))));
    drop(tx);
    assert!(
        timeout(SECS, results.message())
            .await
            .unwrap()
            .unwrap()
            .is_none()
    );

    // The health watches are in flight too; the client ends them.
    drop(overall);
    drop(estimate_health);
    let drained = timeout(SECS, server.wait()).await.unwrap().unwrap();
    assert_eq!(drained, Drain::Complete);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_drain_time_bounds_the_wait() {
    let settings = stdfund_server::config::Settings {
        drain_seconds: 1,
        ..common::settings()
    };
    let server = common::start(settings).await;
    let mut client = EstimateServiceClient::new(common::channel(server.addr()).await);
    let (tx, rx) = mpsc::channel(4);
    let mut results = client
        .estimate_batch(ReceiverStream::new(rx))
        .await
        .unwrap()
        .into_inner();
    tx.send(item("open")).await.unwrap();
    results.message().await.unwrap().unwrap();
    // The client never ends its stream.
    let started = Instant::now();
    let drained = timeout(SECS, server.shutdown()).await.unwrap().unwrap();
    assert_eq!(drained, Drain::TimedOut);
    let took = started.elapsed();
    assert!(
        took >= Duration::from_millis(900) && took < Duration::from_secs(5),
        "{took:?}"
    );
    drop(tx);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_idle_server_shuts_down_at_once() {
    let server = common::start(common::settings()).await;
    let mut client = EstimateServiceClient::new(common::channel(server.addr()).await);
    client
        .get_engine_info(pb::GetEngineInfoRequest {})
        .await
        .unwrap();
    let started = Instant::now();
    assert_eq!(server.shutdown().await.unwrap(), Drain::Complete);
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "{:?}",
        started.elapsed()
    );
}
