//! EstimateBatch: many applications in, results out in order, per-item
//! errors inline without aborting the stream, results streamed while the
//! requests still arrive, and the batch-size limit.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use std::time::Duration;
use stdfund_proto::pb;
use stdfund_proto::pb::estimate_batch_response::Result as BatchResult;
use stdfund_proto::pb::estimate_service_client::EstimateServiceClient;
use stdfund_server::status::error_report;
use stdfund_testkit::{answer_json, vectors};
use tokio::sync::mpsc;
use tokio_stream::wrappers::ReceiverStream;
use tonic::Code;

/// Every vector input that can be put on the wire, in vector order.
fn requests() -> Vec<pb::EstimateRequest> {
    vectors::load_all(&vectors::vectors_dir())
        .unwrap()
        .iter()
        .filter_map(|v| stdfund_proto::client::request(&v.input_json()).ok())
        .collect()
}

fn native(request: &pb::EstimateRequest) -> String {
    answer_json(
        &stdfund_proto::convert::estimate(request, None)
            .map(stdfund_proto::client::answer_json)
            .map_err(|e| e.to_report()),
    )
}

/// `requests` as batch items in `view`, the i-th with the request id `req-i`.
fn batch_items(requests: &[pb::EstimateRequest], view: i32) -> Vec<pb::EstimateBatchRequest> {
    requests
        .iter()
        .enumerate()
        .map(|(i, r)| pb::EstimateBatchRequest {
            request_id: format!("req-{i}"),
            application: Some(r.clone()),
            view,
        })
        .collect()
}

/// Sends `items` as one EstimateBatch stream; the answers' stream.
async fn open(
    client: &mut EstimateServiceClient<tonic::transport::Channel>,
    items: Vec<pb::EstimateBatchRequest>,
) -> tonic::Streaming<pb::EstimateBatchResponse> {
    client
        .estimate_batch(tokio_stream::iter(items))
        .await
        .unwrap()
        .into_inner()
}

fn answer(result: &BatchResult) -> String {
    match result {
        BatchResult::Assessment(a) => stdfund_proto::client::answer_json(a.clone()),
        BatchResult::Error(e) => answer_json(&Err(stdfund_proto::client::error_report(e.clone()))),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_mixed_batch_keeps_order_and_never_aborts() {
    let server = common::start(common::settings()).await;
    let mut client = EstimateServiceClient::new(common::channel(server.addr()).await);
    // Every vector twice, so errors sit between valid items.
    let mut items = requests();
    items.extend(requests());
    let n = items.len();
    let mut results = open(&mut client, batch_items(&items, 0)).await;
    let (mut assessments, mut errors) = (0, 0);
    for (i, request) in items.iter().enumerate() {
        let r = results
            .message()
            .await
            .unwrap()
            .unwrap_or_else(|| panic!("stream ended after {i} of {n}"));
        assert_eq!(r.index as usize, i);
        assert_eq!(r.request_id, format!("req-{i}"));
        let result = r.result.unwrap();
        match &result {
            BatchResult::Assessment(_) => assessments += 1,
            BatchResult::Error(_) => errors += 1,
        }
        assert_eq!(answer(&result), native(request), "item {i}");
    }
    assert!(
        results.message().await.unwrap().is_none(),
        "more results than requests"
    );
    assert!(
        assessments > 50 && errors > 10,
        "{assessments} assessments, {errors} errors"
    );
    server.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn results_stream_back_while_requests_still_arrive() {
    let server = common::start(common::settings()).await;
    let mut client = EstimateServiceClient::new(common::channel(server.addr()).await);
    let (tx, rx) = mpsc::channel(4);
    let mut results = client
        .estimate_batch(ReceiverStream::new(rx))
        .await
        .unwrap()
        .into_inner();
    let items = requests();
    for (i, request) in items.iter().take(5).enumerate() {
        tx.send(pb::EstimateBatchRequest {
            request_id: String::new(),
            application: Some(request.clone()),
            ..Default::default()
        })
        .await
        .unwrap();
        // The answer arrives before the next request is sent.
        let r = tokio::time::timeout(Duration::from_secs(5), results.message())
            .await
            .unwrap()
            .unwrap()
            .unwrap();
        assert_eq!(r.index as usize, i);
        assert_eq!(answer(&r.result.unwrap()), native(request));
    }
    // An empty request (no application) is an inline error, not an abort.
    tx.send(pb::EstimateBatchRequest::default()).await.unwrap();
    let r = results.message().await.unwrap().unwrap();
    match r.result.unwrap() {
        BatchResult::Error(e) => assert_eq!(
            (e.code.as_str(), e.field.as_str()),
            ("MISSING_FIELD", "applicant.creditCode")
        ),
        other => panic!("expected an error, got {other:?}"),
    }
    drop(tx);
    assert!(results.message().await.unwrap().is_none());
    server.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_batch_over_the_limit_answers_the_first_items_then_fails() {
    let settings = stdfund_server::config::Settings {
        max_batch_items: 3,
        ..common::settings()
    };
    let server = common::start(settings).await;
    let mut client = EstimateServiceClient::new(common::channel(server.addr()).await);
    let mut results = open(&mut client, batch_items(&requests()[..5], 0)).await;
    for i in 0..3u32 {
        assert_eq!(results.message().await.unwrap().unwrap().index, i);
    }
    let status = results.message().await.unwrap_err();
    assert_eq!(status.code(), Code::ResourceExhausted);
    let report = error_report(&status).unwrap();
    assert_eq!(report.code, "BATCH_TOO_LARGE");
    assert!(report.message_en.contains("at most 3"), "{report:?}");
    let info = tonic_types::StatusExt::get_error_details(&status)
        .error_info()
        .cloned()
        .unwrap();
    assert_eq!(info.metadata["limit"], "3");

    // Exactly at the limit is fine.
    let mut results = open(&mut client, batch_items(&requests()[..3], 0)).await;
    let mut n = 0;
    while let Some(r) = results.message().await.unwrap() {
        assert_eq!(r.index, n);
        n += 1;
    }
    assert_eq!(n, 3);
    server.shutdown().await.unwrap();
}

/// A stream long enough to be read and computed in many chunks (the next
/// chunk computes while the answers of the one before leave): every answer
/// comes back once, in request order, equal to the engine's own, in both
/// views.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_long_batch_keeps_order_across_chunks() {
    let server = common::start(common::settings()).await;
    let mut client = EstimateServiceClient::new(common::channel(server.addr()).await);
    let n = 4 * stdfund_server::estimate::CHUNK + 37;
    // Generated applications, refused ones among them; those that cannot
    // be put on the wire (an undefined enum name) are skipped.
    let requests: Vec<pb::EstimateRequest> = (0u64..)
        .filter_map(|seed| {
            let app = stdfund_testkit::generate::application(seed);
            stdfund_proto::client::request(&stdfund_rules::json::to_canonical(&app)).ok()
        })
        .take(n)
        .collect();
    for view in [0, 2] {
        let mut results = open(&mut client, batch_items(&requests, view)).await;
        for (i, request) in requests.iter().enumerate() {
            let r = results
                .message()
                .await
                .unwrap()
                .unwrap_or_else(|| panic!("view {view}: stream ended after {i} of {n}"));
            assert_eq!(r.index as usize, i, "view {view}");
            assert_eq!(r.request_id, format!("req-{i}"), "view {view}");
            if view == 0 {
                assert_eq!(answer(&r.result.unwrap()), native(request), "item {i}");
            }
        }
        assert!(results.message().await.unwrap().is_none(), "view {view}");
    }
    server.shutdown().await.unwrap();
}
