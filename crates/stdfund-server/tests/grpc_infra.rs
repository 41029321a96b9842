//! Health, reflection (v1 and v1alpha), grpc-web with CORS, the metrics
//! endpoint and the message-size limit, against an in-process server.

#![allow(
    clippy::arithmetic_side_effects,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    clippy::unwrap_used
)]

mod common;

use bytes::{Buf, BufMut, Bytes, BytesMut};
use common::{header, http1};
use http_body_util::Full;
use prost::Message;
use stdfund_proto::pb;
use stdfund_proto::pb::estimate_service_client::EstimateServiceClient;
use stdfund_rules::json;
use tonic::Code;
use tonic_health::pb::health_check_response::ServingStatus;
use tonic_health::pb::{HealthCheckRequest, health_client::HealthClient};
use tonic_types::StatusExt;

const ALLOWED: &str = "https://portal.example.cn";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn health_reports_the_server_and_each_service() {
    let server = common::start(common::settings()).await;
    let mut health = HealthClient::new(common::channel(server.addr()).await);
    for service in [
        "",
        "stdfund.v1.EstimateService",
        "stdfund.v1.RegistryService",
        "stdfund.v1.MatchService",
    ] {
        let r = health
            .check(HealthCheckRequest {
                service: service.into(),
            })
            .await
            .unwrap()
            .into_inner();
        assert_eq!(r.status, ServingStatus::Serving as i32, "{service:?}");
    }
    // Not served: NOT_FOUND, as the health protocol says.
    let e = health
        .check(HealthCheckRequest {
            service: "stdfund.v1.NoSuchService".into(),
        })
        .await
        .unwrap_err();
    assert_eq!(e.code(), Code::NotFound);
    // Watch on a known service: its status now.
    let mut known = health
        .watch(HealthCheckRequest {
            service: "stdfund.v1.RegistryService".into(),
        })
        .await
        .unwrap()
        .into_inner();
    let first = known.message().await.unwrap().unwrap();
    assert_eq!(first.status, ServingStatus::Serving as i32);
    // Watch on an unknown one: SERVICE_UNKNOWN, and the call stays open
    // (the protocol: "will not terminate the call").
    let mut unknown = health
        .watch(HealthCheckRequest {
            service: "stdfund.v1.NoSuchService".into(),
        })
        .await
        .unwrap()
        .into_inner();
    let first = unknown.message().await.unwrap().unwrap();
    assert_eq!(first.status, ServingStatus::ServiceUnknown as i32);
    let more = tokio::time::timeout(std::time::Duration::from_millis(300), unknown.message()).await;
    assert!(more.is_err(), "the watch ended: {more:?}");
    drop(unknown);
    drop(known);
    // The CLI's check agrees.
    let s = stdfund_server::cli::check_health(
        &server.addr().to_string(),
        "",
        std::time::Duration::from_secs(3),
    )
    .await;
    assert_eq!(s.unwrap(), ServingStatus::Serving);
    server.shutdown().await.unwrap();
}

async fn reflection_v1(
    addr: std::net::SocketAddr,
    request: tonic_reflection::pb::v1::server_reflection_request::MessageRequest,
) -> tonic_reflection::pb::v1::server_reflection_response::MessageResponse {
    use tonic_reflection::pb::v1::{
        ServerReflectionRequest, server_reflection_client::ServerReflectionClient,
    };
    let mut client = ServerReflectionClient::new(common::channel(addr).await);
    let req = ServerReflectionRequest {
        host: String::new(),
        message_request: Some(request),
    };
    let mut stream = client
        .server_reflection_info(tokio_stream::iter([req]))
        .await
        .unwrap()
        .into_inner();
    stream
        .message()
        .await
        .unwrap()
        .unwrap()
        .message_response
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reflection_v1_and_v1alpha_list_the_services_and_serve_their_descriptors() {
    use tonic_reflection::pb::v1::server_reflection_request::MessageRequest as Req;
    use tonic_reflection::pb::v1::server_reflection_response::MessageResponse as Resp;
    let server = common::start(common::settings()).await;
    let want = [
        "grpc.health.v1.Health",
        "grpc.reflection.v1.ServerReflection",
        "grpc.reflection.v1alpha.ServerReflection",
        "stdfund.v1.EstimateService",
        "stdfund.v1.MatchService",
        "stdfund.v1.RegistryService",
    ];

    let Resp::ListServicesResponse(list) =
        reflection_v1(server.addr(), Req::ListServices(String::new())).await
    else {
        panic!("not a service list")
    };
    let mut names: Vec<String> = list.service.into_iter().map(|s| s.name).collect();
    names.sort();
    assert_eq!(names, want);

    // The health descriptor is registered too, and ours carries its imports.
    for symbol in [
        "grpc.health.v1.Health",
        "stdfund.v1.EstimateService",
        "stdfund.v1.EstimateRequest",
    ] {
        let Resp::FileDescriptorResponse(files) =
            reflection_v1(server.addr(), Req::FileContainingSymbol(symbol.into())).await
        else {
            panic!("no descriptor for {symbol}")
        };
        let names: Vec<String> = files
            .file_descriptor_proto
            .iter()
            .map(|b| {
                prost_types::FileDescriptorProto::decode(b.as_slice())
                    .unwrap()
                    .name()
                    .to_string()
            })
            .collect();
        assert!(!names.is_empty(), "{symbol}");
    }

    // v1alpha (what Python's grpc_reflection speaks) lists the same.
    {
        use tonic_reflection::pb::v1alpha::server_reflection_request::MessageRequest as AReq;
        use tonic_reflection::pb::v1alpha::server_reflection_response::MessageResponse as AResp;
        use tonic_reflection::pb::v1alpha::{
            ServerReflectionRequest, server_reflection_client::ServerReflectionClient,
        };
        let mut client = ServerReflectionClient::new(common::channel(server.addr()).await);
        let req = ServerReflectionRequest {
            host: String::new(),
            message_request: Some(AReq::ListServices(String::new())),
        };
        let mut stream = client
            .server_reflection_info(tokio_stream::iter([req]))
            .await
            .unwrap()
            .into_inner();
        let Some(AResp::ListServicesResponse(list)) =
            stream.message().await.unwrap().unwrap().message_response
        else {
            panic!("not a service list")
        };
        let mut names: Vec<String> = list.service.into_iter().map(|s| s.name).collect();
        names.sort();
        assert_eq!(names, want);
    }
    server.shutdown().await.unwrap();
}

fn preflight(origin: &str) -> http::Request<Full<Bytes>> {
    http::Request::builder()
        .method("OPTIONS")
        .uri("/stdfund.v1.EstimateService/Estimate")
        .header("host", "localhost")
        .header("origin", origin)
        .header("access-control-request-method", "POST")
        .header(
            "access-control-request-headers",
            "content-type,x-grpc-web,x-user-agent",
        )
        .body(Full::new(Bytes::new()))
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cors_preflight_answers_allowed_origins_only() {
    let server = common::start(common::settings()).await;
    let (status, headers, _) = http1(server.addr(), preflight(ALLOWED)).await;
    assert!(status.is_success(), "{status}");
    assert_eq!(header(&headers, "access-control-allow-origin"), ALLOWED);
    assert!(
        header(&headers, "access-control-allow-methods").contains("POST"),
        "{headers:?}"
    );
    let allowed = header(&headers, "access-control-allow-headers").to_lowercase();
    for h in ["content-type", "x-grpc-web", "x-user-agent"] {
        assert!(allowed.contains(h), "{h} missing from {allowed}");
    }
    assert!(
        header(&headers, "vary").to_lowercase().contains("origin"),
        "{headers:?}"
    );

    let (_, headers, _) = http1(server.addr(), preflight("https://evil.example")).await;
    assert!(
        headers.get("access-control-allow-origin").is_none(),
        "{headers:?}"
    );
    // An actual grpc-web call from that origin carries none either.
    let req = http::Request::builder()
        .method("POST")
        .uri("/stdfund.v1.EstimateService/GetEngineInfo")
        .header("host", "localhost")
        .header("origin", "https://evil.example")
        .header("content-type", "application/grpc-web+proto")
        .body(Full::new(frame(0, &[])))
        .unwrap();
    let (_, headers, _) = http1(server.addr(), req).await;
    assert!(
        headers.get("access-control-allow-origin").is_none(),
        "{headers:?}"
    );
    server.shutdown().await.unwrap();
}

/// One grpc-web frame: flag byte, big-endian length, payload.
fn frame(flag: u8, payload: &[u8]) -> Bytes {
    let mut b = BytesMut::with_capacity(payload.len() + 5);
    b.put_u8(flag);
    b.put_u32(u32::try_from(payload.len()).unwrap());
    b.put_slice(payload);
    b.freeze()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_browser_can_call_over_grpc_web() {
    let server = common::start(common::settings()).await;
    let text = r#"{"applicant":{"creditCode":"91350100M000100Y43","seat":"350102"},
            "achievements":[{"id":"a1","item":"STANDARD_LEAD","variant":"NATIONAL","subject":"GB/T 12345-2020","date":"2020-05-01"}]}"#;
    let native = json::estimate_json(text).unwrap();
    let body = frame(
        0,
        &stdfund_proto::client::request(text)
            .unwrap()
            .encode_to_vec(),
    );
    let req = http::Request::builder()
        .method("POST")
        .uri("/stdfund.v1.EstimateService/Estimate")
        .header("host", "localhost")
        .header("origin", ALLOWED)
        .header("content-type", "application/grpc-web+proto")
        .header("x-grpc-web", "1")
        .body(Full::new(body))
        .unwrap();
    let (status, headers, mut body) = http1(server.addr(), req).await;
    assert_eq!(status, http::StatusCode::OK);
    assert_eq!(header(&headers, "access-control-allow-origin"), ALLOWED);
    assert!(
        header(&headers, "access-control-expose-headers").contains("grpc-status"),
        "{headers:?}"
    );
    // A data frame with the answer, then a trailer frame with grpc-status 0.
    assert_eq!(body.get_u8(), 0);
    let len = body.get_u32() as usize;
    let answer = pb::EstimateResponse::decode(body.split_to(len)).unwrap();
    assert_eq!(stdfund_proto::client::answer_json(answer), native);
    assert_eq!(body.get_u8(), 0x80);
    let len = body.get_u32() as usize;
    let trailers = String::from_utf8(body.split_to(len).to_vec())
        .unwrap()
        .to_lowercase();
    assert!(trailers.contains("grpc-status:0"), "{trailers}");
    server.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metrics_count_calls_by_method_and_code() {
    let server = common::start(common::settings()).await;
    let mut client = EstimateServiceClient::new(common::channel(server.addr()).await);
    for _ in 0..3 {
        client
            .get_engine_info(pb::GetEngineInfoRequest {})
            .await
            .unwrap();
    }
    client
        .estimate(pb::EstimateRequest::default())
        .await
        .unwrap_err();
    let metrics_addr = server.metrics_addr().unwrap();
    let req = http::Request::builder()
        .uri("/metrics")
        .header("host", "localhost")
        .body(Full::new(Bytes::new()))
        .unwrap();
    let (status, headers, body) = http1(metrics_addr, req).await;
    assert_eq!(status, http::StatusCode::OK);
    assert_eq!(
        header(&headers, "content-type"),
        stdfund_server::metrics::CONTENT_TYPE
    );
    let text = String::from_utf8(body.to_vec()).unwrap();
    assert!(text.contains("stdfund_grpc_requests_total{method=\"/stdfund.v1.EstimateService/GetEngineInfo\",code=\"OK\"} 3\n"), "{text}");
    assert!(
        text.contains("stdfund_grpc_requests_total{method=\"/stdfund.v1.EstimateService/Estimate\",code=\"INVALID_ARGUMENT\"} 1\n"),
        "{text}"
    );
    assert!(text.contains("stdfund_grpc_request_duration_seconds_count{method=\"/stdfund.v1.EstimateService/GetEngineInfo\"} 3\n"), "{text}");
    assert!(
        text.contains("stdfund_grpc_requests_in_flight 0\n"),
        "{text}"
    );
    let req = http::Request::builder()
        .uri("/other")
        .header("host", "localhost")
        .body(Full::new(Bytes::new()))
        .unwrap();
    assert_eq!(
        http1(metrics_addr, req).await.0,
        http::StatusCode::NOT_FOUND
    );
    server.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn messages_over_the_size_limit_are_refused() {
    let settings = stdfund_server::config::Settings {
        max_message_bytes: 16 * 1024,
        ..common::settings()
    };
    let server = common::start(settings).await;
    let mut client = EstimateServiceClient::new(common::channel(server.addr()).await);
    let big = pb::EstimateRequest {
        what_if_ruleset: "x".repeat(20 * 1024),
        ..pb::EstimateRequest::default()
    };
    let status = client.estimate(big).await.unwrap_err();
    assert_eq!(status.code(), Code::OutOfRange, "{status:?}");
    // A stable reason and the sizes, like every other refusal.
    let info = status.get_error_details().error_info().cloned().unwrap();
    assert_eq!(info.reason, "MESSAGE_TOO_LARGE", "{status:?}");
    assert_eq!(info.metadata["limitBytes"], (16 * 1024).to_string());
    assert!(!info.metadata["messageZh"].is_empty());
    // Under the limit, the same kind of request reaches the engine.
    let small = pb::EstimateRequest {
        what_if_ruleset: "x".repeat(1024),
        ..pb::EstimateRequest::default()
    };
    let status = client.estimate(small).await.unwrap_err();
    assert_eq!(status.code(), Code::InvalidArgument);
    server.shutdown().await.unwrap();
}

/// The server announces a limit on the streams of one connection in its
/// first SETTINGS frame (read off the wire: tonic would otherwise announce
/// none, and one connection could open streams without end).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_connection_is_told_how_many_calls_it_may_open() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let server = common::start(common::settings()).await;
    let mut tcp = tokio::net::TcpStream::connect(server.addr()).await.unwrap();
    // The client preface and an empty SETTINGS frame.
    tcp.write_all(b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n\0\0\0\x04\0\0\0\0\0")
        .await
        .unwrap();
    let mut head = [0_u8; 9];
    tcp.read_exact(&mut head).await.unwrap();
    assert_eq!(
        head[3], 0x4,
        "the server's first frame is SETTINGS: {head:?}"
    );
    let len = usize::from(head[0]) << 16 | usize::from(head[1]) << 8 | usize::from(head[2]);
    let mut payload = vec![0_u8; len];
    tcp.read_exact(&mut payload).await.unwrap();
    let max_streams = payload
        .chunks_exact(6)
        .find(|s| u16::from_be_bytes([s[0], s[1]]) == 0x3)
        .map(|s| u32::from_be_bytes([s[2], s[3], s[4], s[5]]));
    assert_eq!(
        max_streams,
        Some(stdfund_server::server::MAX_STREAMS_PER_CONNECTION),
        "{payload:?}"
    );
    drop(tcp);
    server.shutdown().await.unwrap();
}

/// A client that compresses its requests (`grpc-encoding: gzip`, as grpc-go,
/// grpc-java and grpcio do when asked) is served on every service: the same
/// answer as uncompressed, one estimate or a batch stream; the size limit
/// holds for the decompressed message (a small gzip that inflates past it is
/// `OUT_OF_RANGE MESSAGE_TOO_LARGE`, like a large plain one); a body that
/// does not inflate is the caller's fault (`INVALID_ARGUMENT`); and an
/// encoding the server does not speak is `UNIMPLEMENTED` with the ones it
/// does named in `grpc-accept-encoding`, as gRPC's compression document asks.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn gzip_compressed_requests_are_served_within_the_limit() {
    use tonic::codec::CompressionEncoding::Gzip;
    let settings = stdfund_server::config::Settings {
        max_message_bytes: 64 * 1024,
        ..common::settings()
    };
    let server = common::start(settings).await;
    let channel = common::channel(server.addr()).await;
    let mut plain = EstimateServiceClient::new(channel.clone());
    let mut gzip = EstimateServiceClient::new(channel.clone()).send_compressed(Gzip);

    let request = |seed: u64| {
        let app = stdfund_testkit::generate::application(seed);
        stdfund_proto::client::request(&json::to_canonical(&app)).unwrap()
    };
    for seed in 0..20 {
        let expected = plain.estimate(request(seed)).await;
        let got = gzip.estimate(request(seed)).await;
        match (expected, got) {
            (Ok(a), Ok(b)) => assert_eq!(a.into_inner(), b.into_inner(), "seed {seed}"),
            (Err(a), Err(b)) => assert_eq!((a.code(), a.message()), (b.code(), b.message())),
            (a, b) => panic!("seed {seed}: {a:?} against {b:?}"),
        }
    }
    let items: Vec<pb::EstimateBatchRequest> = (0..50)
        .map(|seed| pb::EstimateBatchRequest {
            request_id: format!("r{seed}"),
            application: Some(request(seed)),
            view: 0,
        })
        .collect();
    let mut answers = gzip
        .estimate_batch(tokio_stream::iter(items.clone()))
        .await
        .unwrap()
        .into_inner();
    let mut n = 0;
    while let Some(a) = answers.message().await.unwrap() {
        assert_eq!(a.request_id, format!("r{n}"));
        n += 1;
    }
    assert_eq!(n, 50);

    // The other services read compressed requests too.
    let mut health = HealthClient::new(channel.clone()).send_compressed(Gzip);
    let r = health
        .check(HealthCheckRequest {
            service: "stdfund.v1.RegistryService".into(),
        })
        .await
        .unwrap();
    assert_eq!(r.into_inner().status, ServingStatus::Serving as i32);
    let mut registry =
        stdfund_proto::pb::registry_service_client::RegistryServiceClient::new(channel.clone())
            .send_compressed(Gzip);
    let status = registry
        .get_claim(pb::GetClaimRequest::default())
        .await
        .unwrap_err();
    assert_eq!(status.code(), Code::Unauthenticated, "{status:?}");

    // 1 MiB of one letter is a gzip of about 1 KiB: under the limit on the
    // wire, over it inflated.
    let bomb = pb::EstimateRequest {
        what_if_ruleset: "x".repeat(1024 * 1024),
        ..pb::EstimateRequest::default()
    };
    let status = gzip.estimate(bomb).await.unwrap_err();
    assert_eq!(status.code(), Code::OutOfRange, "{status:?}");
    let info = status.get_error_details().error_info().cloned().unwrap();
    assert_eq!(info.reason, "MESSAGE_TOO_LARGE");
    assert_eq!(info.metadata["limitBytes"], (64 * 1024).to_string());
    assert!(info.metadata["messageZh"].contains("解压"), "{info:?}");

    // Bytes flagged compressed that are not gzip; an encoding not offered.
    let addr = server.addr();
    let raw = |encoding: &'static str| async move {
        let mut sender = common::h2(addr).await;
        let mut body = BytesMut::new();
        body.put_u8(1);
        body.put_u32(8);
        body.put_slice(b"not gzip");
        let req = http::Request::builder()
            .method("POST")
            .uri(format!("http://{addr}/stdfund.v1.EstimateService/Estimate"))
            .header("content-type", "application/grpc")
            .header("te", "trailers")
            .header("grpc-encoding", encoding)
            .body(Full::new(body.freeze()))
            .unwrap();
        let resp = sender.send_request(req).await.unwrap();
        let accept = header(resp.headers(), "grpc-accept-encoding");
        (
            tonic::Status::from_header_map(resp.headers()).unwrap(),
            accept,
        )
    };
    let (status, _) = raw("gzip").await;
    assert_eq!(status.code(), Code::InvalidArgument, "{status:?}");
    let info = status.get_error_details().error_info().cloned().unwrap();
    assert_eq!(info.reason, "MALFORMED_MESSAGE");
    let (status, accept) = raw("snappy").await;
    assert_eq!(status.code(), Code::Unimplemented, "{status:?}");
    assert!(accept.contains("gzip"), "{accept}");
    let info = status.get_error_details().error_info().cloned().unwrap();
    assert_eq!(info.reason, "UNSUPPORTED_ENCODING");
    assert_eq!(info.metadata["encoding"], "snappy");

    // A method no service has: UNIMPLEMENTED with the details every refusal
    // has (tonic's router gives none).
    let mut sender = common::h2(addr).await;
    let req = http::Request::builder()
        .method("POST")
        .uri(format!("http://{addr}/stdfund.v1.RegistryService/Nope"))
        .header("content-type", "application/grpc")
        .header("te", "trailers")
        .body(Full::new(Bytes::from_static(&[0, 0, 0, 0, 0])))
        .unwrap();
    let resp = sender.send_request(req).await.unwrap();
    let status = tonic::Status::from_header_map(resp.headers()).unwrap();
    assert_eq!(status.code(), Code::Unimplemented, "{status:?}");
    let info = status.get_error_details().error_info().cloned().unwrap();
    assert_eq!(info.reason, "METHOD_NOT_FOUND");
    assert!(info.metadata["messageZh"].contains("方法"));
    server.shutdown().await.unwrap();
}
