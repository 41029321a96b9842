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

/// A refused item carries the value its field was probably meant to be, as
/// the unary call's ErrorInfo does (`meant`); none where the engine offers
/// none.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_item_says_what_it_was_meant_to_be() {
    let server = common::start(common::settings()).await;
    let mut client = EstimateServiceClient::new(common::channel(server.addr()).await);
    let with_code = |code: &str| pb::EstimateRequest {
        applicant: Some(pb::Applicant {
            credit_code: code.into(),
            name: "福州示例科技有限公司".into(),
            seat: "350102".into(),
        }),
        ..pb::EstimateRequest::default()
    };
    let items = [
        with_code("９１３５０１８１ＭＡ３ＫＬＭ４５６Ｋ"),
        with_code("123"),
    ];
    for view in [0, pb::View::Summary as i32] {
        let mut results = open(&mut client, batch_items(&items, view)).await;
        let mut meant = Vec::new();
        while let Some(r) = results.message().await.unwrap() {
            match r.result.unwrap() {
                BatchResult::Error(e) => meant.push(e.meant),
                BatchResult::Assessment(a) => panic!("{a:?}"),
            }
        }
        assert_eq!(meant, ["91350181MA3KLM456K", ""], "view {view}");
    }
    let unary = client.estimate(items[0].clone()).await.unwrap_err();
    let details = tonic_types::StatusExt::get_error_details(&unary);
    assert_eq!(
        details.error_info().unwrap().metadata["meant"],
        "91350181MA3KLM456K"
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

/// A 200-line application whose texts are long: a 250 KB request with a
/// 575 KB answer.
fn large_request() -> pb::EstimateRequest {
    let lines: Vec<String> = (0..200)
        .map(|i| {
            format!(
                r#"{{"id":"{}{i:04}","item":"GEOGRAPHICAL_INDICATION","variant":"GI_PRODUCT_PROTECTION","subject":"{}{i:04}","date":"2018-07-01","approved":true}}"#,
                "编".repeat(196),
                "茶".repeat(196)
            )
        })
        .collect();
    let json = format!(
        r#"{{"applicant":{{"creditCode":"91350100M000100Y43","name":"福州示例科技有限公司","seat":"350102"}},"achievements":[{}]}}"#,
        lines.join(",")
    );
    stdfund_proto::client::request(&json).unwrap()
}

/// An answer over the server's `max_message_bytes` does not end the
/// stream: that item answers `ANSWER_TOO_LARGE` inline (with the sizes),
/// the items around it are answered as usual; Estimate refuses the same
/// application with the same reason, `OUT_OF_RANGE`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_answer_over_the_size_limit_is_an_inline_error_not_the_end() {
    let limit = 64 * 1024;
    let settings = stdfund_server::config::Settings {
        max_message_bytes: limit,
        ..common::settings()
    };
    let server = common::start(settings).await;
    let mut client = EstimateServiceClient::new(common::channel(server.addr()).await);
    // 40 lines of long texts: a request under the limit, its answer over it.
    let mut big = large_request();
    big.achievements.truncate(40);
    assert!(prost::Message::encoded_len(&big) < limit);
    let small = requests()[0].clone();
    let items = batch_items(&[small.clone(), big.clone(), small.clone()], 0);
    let mut results = open(&mut client, items).await;
    let mut got = Vec::new();
    while let Some(r) = results.message().await.unwrap() {
        got.push(r);
    }
    assert_eq!(got.len(), 3, "{got:?}");
    assert_eq!(answer(got[0].result.as_ref().unwrap()), native(&small));
    assert_eq!(answer(got[2].result.as_ref().unwrap()), native(&small));
    assert_eq!((got[1].index, got[1].request_id.as_str()), (1, "req-1"));
    let Some(BatchResult::Error(e)) = &got[1].result else {
        panic!("{:?}", got[1]);
    };
    assert_eq!(e.code, "ANSWER_TOO_LARGE");
    assert!(e.message_zh.contains(&format!("上限{limit}字节")), "{e:?}");

    let status = client.estimate(big).await.unwrap_err();
    assert_eq!(status.code(), Code::OutOfRange, "{status:?}");
    let info = tonic_types::StatusExt::get_error_details(&status)
        .error_info()
        .cloned()
        .unwrap();
    assert_eq!(info.reason, "ANSWER_TOO_LARGE");
    assert_eq!(info.metadata["limitBytes"], limit.to_string());
    assert!(info.metadata["foundBytes"].parse::<usize>().unwrap() > limit);
    server.shutdown().await.unwrap();
}

/// A client that stops reading holds the server to a bounded queue of
/// answers, by their size: with answers of 575 KB the server stops reading
/// its requests after a few dozen (the h2 window then stops the client),
/// where a queue bounded only by count read a thousand ahead and held
/// hundreds of MiB.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reader_that_stops_bounds_what_the_server_holds() {
    let server = common::start(common::settings()).await;
    let mut client = EstimateServiceClient::new(common::channel(server.addr()).await);
    let request = large_request();
    let sent = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let counted = std::sync::Arc::clone(&sent);
    let items = tokio_stream::iter((0..2_000).map(move |i| {
        counted.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        pb::EstimateBatchRequest {
            request_id: format!("r{i}"),
            application: Some(request.clone()),
            view: 0,
        }
    }));
    let mut results = client.estimate_batch(items).await.unwrap().into_inner();
    assert_eq!(results.message().await.unwrap().unwrap().index, 0);
    // The reader stops; what the server keeps reading ahead settles.
    let mut before = usize::MAX;
    for _ in 0..40 {
        tokio::time::sleep(Duration::from_millis(100)).await;
        let now = sent.load(std::sync::atomic::Ordering::SeqCst);
        if now == before {
            break;
        }
        before = now;
    }
    let taken = sent.load(std::sync::atomic::Ordering::SeqCst);
    assert!(
        taken < 100,
        "the server read {taken} requests of 250 KB ahead of a reader that stopped"
    );
    // Reading on gives every answer in order.
    for i in 1..20u32 {
        assert_eq!(results.message().await.unwrap().unwrap().index, i);
    }
    drop(results);
    server.shutdown().await.unwrap();
}

/// At most `MAX_BATCH_STREAMS` EstimateBatch streams run at once; one more
/// is `RESOURCE_EXHAUSTED` `BATCH_STREAMS_BUSY`, and a place freed by a
/// stream that ends is taken by the next.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn batch_streams_beyond_the_limit_are_busy_until_one_ends() {
    let server = common::start(common::settings()).await;
    let channel = common::channel(server.addr()).await;
    let mut open_streams = Vec::new();
    for _ in 0..stdfund_server::estimate::MAX_BATCH_STREAMS {
        let (tx, rx) = mpsc::channel::<pb::EstimateBatchRequest>(1);
        let results = EstimateServiceClient::new(channel.clone())
            .estimate_batch(ReceiverStream::new(rx))
            .await
            .unwrap()
            .into_inner();
        open_streams.push((tx, results));
    }
    let one_more = || async {
        EstimateServiceClient::new(channel.clone())
            .estimate_batch(tokio_stream::iter(batch_items(&requests()[..1], 0)))
            .await
    };
    let status = one_more().await.unwrap_err();
    assert_eq!(status.code(), Code::ResourceExhausted);
    let report = error_report(&status).unwrap();
    assert_eq!(report.code, "BATCH_STREAMS_BUSY");
    assert!(
        report.message_zh.starts_with("服务器同时最多进行"),
        "{report:?}"
    );
    // The open streams still answer.
    let (tx, results) = &mut open_streams[0];
    tx.send(batch_items(&requests()[..1], 0).remove(0))
        .await
        .unwrap();
    assert_eq!(results.message().await.unwrap().unwrap().index, 0);
    // One ends: its place is free again.
    let (tx, mut results) = open_streams.remove(0);
    drop(tx);
    assert!(results.message().await.unwrap().is_none());
    drop(results);
    let mut admitted = None;
    for _ in 0..50 {
        match one_more().await {
            Ok(r) => {
                admitted = Some(r.into_inner());
                break;
            }
            Err(s) => {
                assert_eq!(s.code(), Code::ResourceExhausted);
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
        }
    }
    let mut admitted = admitted.expect("a freed place is taken");
    assert_eq!(admitted.message().await.unwrap().unwrap().index, 0);
    drop(open_streams);
    server.shutdown().await.unwrap();
}
