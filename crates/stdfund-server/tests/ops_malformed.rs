//! Bad frames are the caller's fault, as an attacker would send them to the
//! real `stdfund serve`: bytes that are not a valid protobuf encoding of the
//! method's message — a truncated varint, an invalid wire type, a known
//! field with the wrong wire type, invalid UTF-8 in a string field, a length
//! past the end — sent to every method of EstimateService and
//! RegistryService (found in the served descriptors) are answered
//! INVALID_ARGUMENT with `ErrorInfo` reason `MALFORMED_MESSAGE`, never
//! INTERNAL; so are broken gRPC frames (a frame cut short, an unknown or a
//! compressed flag without an encoding), over HTTP/2 and grpc-web; a valid
//! empty message still gets its normal answer; and `/metrics` counts no
//! INTERNAL afterwards, so the alarm cannot be fired from outside.

// Test counters, ports and timings, never money.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects
)]

mod ops_support;
mod registry_support;

use bytes::{Buf, BufMut, Bytes, BytesMut};
use ops_support::Serve;
use prost_reflect::{DescriptorPool, Kind, MessageDescriptor};
use registry_support as s;
use std::str::FromStr;
use tonic::codec::{Codec, DecodeBuf, Decoder, EncodeBuf, Encoder};
use tonic::{Code, Status};
use tonic_types::{ErrorDetail, StatusExt};

/// Sends and receives raw bytes as the message.
#[derive(Debug, Clone, Copy, Default)]
struct Raw;

#[derive(Debug, Clone, Copy, Default)]
struct RawEncoder;

#[derive(Debug, Clone, Copy, Default)]
struct RawDecoder;

impl Codec for Raw {
    type Encode = Vec<u8>;
    type Decode = Vec<u8>;
    type Encoder = RawEncoder;
    type Decoder = RawDecoder;
    fn encoder(&mut self) -> RawEncoder {
        RawEncoder
    }
    fn decoder(&mut self) -> RawDecoder {
        RawDecoder
    }
}

impl Encoder for RawEncoder {
    type Item = Vec<u8>;
    type Error = Status;
    fn encode(&mut self, item: Vec<u8>, buf: &mut EncodeBuf<'_>) -> Result<(), Status> {
        buf.put_slice(&item);
        Ok(())
    }
}

impl Decoder for RawDecoder {
    type Item = Vec<u8>;
    type Error = Status;
    fn decode(&mut self, buf: &mut DecodeBuf<'_>) -> Result<Option<Vec<u8>>, Status> {
        let n = buf.remaining();
        Ok(Some(buf.copy_to_bytes(n).to_vec()))
    }
}

fn varint(mut v: u64, out: &mut Vec<u8>) {
    while v >= 0x80 {
        out.push((v as u8) | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

fn tag(field: u32, wire: u8) -> Vec<u8> {
    let mut out = Vec::new();
    varint((u64::from(field) << 3) | u64::from(wire), &mut out);
    out
}

/// A length-delimited field.
fn len_field(field: u32, payload: &[u8]) -> Vec<u8> {
    let mut out = tag(field, 2);
    varint(payload.len() as u64, &mut out);
    out.extend_from_slice(payload);
    out
}

/// Field numbers down to a string field (through message fields), if any.
fn path_to_string(m: &MessageDescriptor, depth: usize) -> Option<Vec<u32>> {
    for f in m.fields() {
        if f.is_map() {
            continue;
        }
        if f.kind() == Kind::String {
            return Some(vec![f.number()]);
        }
    }
    if depth == 0 {
        return None;
    }
    for f in m.fields() {
        if let Kind::Message(inner) = f.kind()
            && !f.is_map()
            && let Some(mut rest) = path_to_string(&inner, depth - 1)
        {
            rest.insert(0, f.number());
            return Some(rest);
        }
    }
    None
}

/// A known field sent with a wire type its kind never takes, if the
/// message has a suitable field.
fn wrong_wire_type(m: &MessageDescriptor) -> Option<Vec<u8>> {
    for f in m.fields() {
        let n = f.number();
        match f.kind() {
            Kind::String | Kind::Bytes | Kind::Message(_) => {
                // Length-delimited expected: a fixed32 instead.
                let mut out = tag(n, 5);
                out.extend_from_slice(&[1, 2, 3, 4]);
                return Some(out);
            }
            Kind::Int32
            | Kind::Int64
            | Kind::Uint32
            | Kind::Uint64
            | Kind::Sint32
            | Kind::Sint64
            | Kind::Bool
            | Kind::Enum(_)
                if !f.is_list() =>
            {
                // A varint expected: a fixed64 instead.
                let mut out = tag(n, 1);
                out.extend_from_slice(&[0; 8]);
                return Some(out);
            }
            _ => {}
        }
    }
    None
}

/// The malformed payloads for a method's input message: (what, bytes).
fn payloads(input: &MessageDescriptor) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    // An unknown field (1000) whose varint is cut short.
    let mut truncated = tag(1000, 0);
    truncated.push(0x80);
    out.push(("truncated varint".to_string(), truncated));
    // Wire type 7 does not exist.
    out.push(("invalid wire type 7".to_string(), tag(1000, 7)));
    // A length past the end of the message.
    let mut past = tag(1000, 2);
    varint(50, &mut past);
    past.extend_from_slice(b"ab");
    out.push(("length past the end".to_string(), past));
    if let Some(bytes) = wrong_wire_type(input) {
        out.push(("known field with the wrong wire type".to_string(), bytes));
    }
    if let Some(path) = path_to_string(input, 3) {
        let mut bytes = len_field(*path.last().unwrap(), &[0x66, 0xff, 0xfe, 0x67]);
        for n in path.iter().rev().skip(1) {
            bytes = len_field(*n, &bytes);
        }
        out.push((format!("invalid UTF-8 in string field {path:?}"), bytes));
    }
    out
}

struct Method {
    path: String,
    streaming: bool,
    input: MessageDescriptor,
}

fn methods() -> Vec<Method> {
    let pool = DescriptorPool::decode(stdfund_proto::FILE_DESCRIPTOR_SET).unwrap();
    let mut out = Vec::new();
    for service in ["stdfund.v1.EstimateService", "stdfund.v1.RegistryService"] {
        let sd = pool.get_service_by_name(service).unwrap();
        for m in sd.methods() {
            out.push(Method {
                path: format!("/{service}/{}", m.name()),
                streaming: m.is_client_streaming() || m.is_server_streaming(),
                input: m.input(),
            });
        }
    }
    out
}

async fn call(
    ch: &tonic::transport::Channel,
    m: &Method,
    payload: Vec<u8>,
) -> Result<Vec<u8>, Status> {
    let mut grpc = tonic::client::Grpc::new(ch.clone());
    grpc.ready().await.unwrap();
    let path = http::uri::PathAndQuery::from_str(&m.path).unwrap();
    if m.streaming {
        let r = grpc
            .streaming(
                tonic::Request::new(tokio_stream::iter(vec![payload])),
                path,
                Raw,
            )
            .await?;
        let mut stream = r.into_inner();
        let mut last = Vec::new();
        while let Some(item) = stream.message().await? {
            last = item;
        }
        Ok(last)
    } else {
        Ok(grpc
            .unary(tonic::Request::new(payload), path, Raw)
            .await?
            .into_inner())
    }
}

fn reason(s: &Status) -> Option<String> {
    s.get_error_details_vec().into_iter().find_map(|d| match d {
        ErrorDetail::ErrorInfo(i) if i.domain == "stdfund.v1" => Some(i.reason),
        _ => None,
    })
}

fn serve() -> Serve {
    let dir = ops_support::fresh_dir("malformed");
    let db = format!("sqlite://{}", dir.join("registry.sqlite").display());
    let tokens = s::tokens_file();
    Serve::start(
        &[
            "--database-url",
            &db,
            "--tokens-file",
            &tokens.display().to_string(),
        ],
        &[],
    )
    .unwrap_or_else(|f| panic!("serve did not start: {f:?}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn undecodable_messages_to_every_method_are_invalid_argument() {
    let server = serve();
    let ch = s::channel(server.addr.parse().unwrap()).await;
    let methods = methods();
    assert!(methods.len() >= 30, "{}", methods.len());
    let mut sent = 0;
    let mut utf8 = 0;
    let mut wrong_wire = 0;
    for m in &methods {
        for (what, bytes) in payloads(&m.input) {
            sent += 1;
            utf8 += usize::from(what.starts_with("invalid UTF-8"));
            wrong_wire += usize::from(what.starts_with("known field"));
            let e = call(&ch, m, bytes)
                .await
                .expect_err(&format!("{} accepted {what}", m.path));
            assert_eq!(e.code(), Code::InvalidArgument, "{} {what}: {e:?}", m.path);
            assert_eq!(
                reason(&e).as_deref(),
                Some("MALFORMED_MESSAGE"),
                "{} {what}: {e:?}",
                m.path
            );
            assert!(e.message().contains("cannot be decoded"), "{}", e.message());
        }
        // A valid (empty) message gets its normal answer.
        let normal = call(&ch, m, Vec::new()).await;
        if m.path.starts_with("/stdfund.v1.RegistryService/") {
            let e = normal.unwrap_err();
            assert_eq!(e.code(), Code::Unauthenticated, "{}: {e:?}", m.path);
        } else if let Err(e) = normal {
            assert_ne!(reason(&e).as_deref(), Some("MALFORMED_MESSAGE"), "{e:?}");
            assert_ne!(e.code(), Code::Internal, "{}: {e:?}", m.path);
        }
    }
    println!("{sent} malformed messages to {} methods", methods.len());
    // Most messages have a string field somewhere and a field to mistype.
    assert!(utf8 >= methods.len() / 2, "{utf8}");
    assert!(wrong_wire >= methods.len() / 2, "{wrong_wire}");
    // GetEngineInfo answers an empty message.
    let info = methods
        .iter()
        .find(|m| m.path.ends_with("/GetEngineInfo"))
        .unwrap();
    assert!(call(&ch, info, Vec::new()).await.is_ok());

    let metrics = server.metrics_text().await;
    assert!(
        !metrics.contains("code=\"INTERNAL\""),
        "INTERNAL counted:\n{metrics}"
    );
    assert!(
        metrics.contains(
            "stdfund_grpc_requests_total{method=\"/stdfund.v1.RegistryService/SubmitClaim\",code=\"INVALID_ARGUMENT\"}"
        ),
        "{metrics}"
    );
    server.stop();
}

/// A gRPC frame: flag, big-endian length, payload.
fn frame(flag: u8, declared: u32, payload: &[u8]) -> Bytes {
    let mut b = BytesMut::new();
    b.put_u8(flag);
    b.put_u32(declared);
    b.put_slice(payload);
    b.freeze()
}

/// The grpc-status and grpc-message of a grpc-web answer (trailers-only in
/// the headers, or the trailer frame of the body).
fn grpc_web_status(headers: &http::HeaderMap, body: &Bytes) -> (String, String) {
    if let Some(s) = headers.get("grpc-status") {
        let m = headers
            .get("grpc-message")
            .map(|v| v.to_str().unwrap().to_string())
            .unwrap_or_default();
        return (s.to_str().unwrap().to_string(), m);
    }
    let mut b = body.clone();
    while b.remaining() >= 5 {
        let flag = b.get_u8();
        let len = b.get_u32() as usize;
        let part = b.split_to(len);
        if flag & 0x80 != 0 {
            let text = String::from_utf8_lossy(&part).to_string();
            let field = |name: &str| {
                text.lines()
                    .find_map(|l| {
                        l.trim()
                            .strip_prefix(name)
                            .map(|v| v.trim_start_matches(':').trim().to_string())
                    })
                    .unwrap_or_default()
            };
            return (field("grpc-status"), field("grpc-message"));
        }
    }
    panic!("no status in {headers:?} {body:?}")
}

async fn grpc_web(addr: &str, path: &str, body: Bytes) -> (String, String) {
    grpc_web_as(addr, path, "application/grpc-web+proto", body).await
}

async fn grpc_web_as(addr: &str, path: &str, content_type: &str, body: Bytes) -> (String, String) {
    let tcp = tokio::net::TcpStream::connect(addr).await.unwrap();
    let (mut sender, conn) =
        hyper::client::conn::http1::handshake(hyper_util::rt::TokioIo::new(tcp))
            .await
            .unwrap();
    tokio::spawn(conn);
    let req = http::Request::builder()
        .method("POST")
        .uri(path)
        .header("host", "localhost")
        .header("content-type", content_type)
        .header("x-grpc-web", "1")
        .body(http_body_util::Full::new(body))
        .unwrap();
    let resp = sender.send_request(req).await.unwrap();
    let (parts, body) = resp.into_parts();
    use http_body_util::BodyExt;
    let body = body.collect().await.unwrap().to_bytes();
    grpc_web_status(&parts.headers, &body)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn broken_frames_are_invalid_argument_too() {
    let server = serve();
    let cases: Vec<(&str, Bytes)> = vec![
        ("a frame cut short", frame(0, 100, b"0123456789")),
        ("a header cut short", Bytes::from_static(&[0, 0, 0])),
        ("an unknown frame flag", frame(7, 2, &[0x08, 0x01])),
        (
            "a compressed flag without an encoding",
            frame(1, 2, &[0x08, 0x01]),
        ),
        ("an undecodable message", frame(0, 2, &tag(1000, 7)[..2])),
        // No message at all: tonic's INTERNAL "Missing request message.".
        ("an empty body", Bytes::new()),
    ];
    for path in [
        "/stdfund.v1.EstimateService/GetEngineInfo",
        "/stdfund.v1.EstimateService/Estimate",
        "/stdfund.v1.RegistryService/SubmitClaim",
        "/stdfund.v1.RegistryService/ListClaims",
        "/grpc.health.v1.Health/Check",
    ] {
        for (what, body) in &cases {
            let (code, message) = grpc_web(&server.addr, path, body.clone()).await;
            println!("{path} {what}: {code} {message}");
            assert_eq!(code, "3", "{path} {what}: {code} {message}");
        }
    }
    // grpc-web-text (base64) bodies that are not base64, or end mid-quantum.
    for (what, body) in [
        ("not base64", &b"!!!notbase64!!!"[..]),
        ("a bad last symbol", &b"AAB="[..]),
        ("cut mid-quantum", &b"AAAAAAA"[..]),
    ] {
        let (code, message) = grpc_web_as(
            &server.addr,
            "/stdfund.v1.EstimateService/GetEngineInfo",
            "application/grpc-web-text",
            Bytes::from_static(body),
        )
        .await;
        println!("grpc-web-text {what}: {code} {message}");
        assert_eq!(code, "3", "grpc-web-text {what}: {code} {message}");
    }
    // A well-formed grpc-web-text call still works.
    let (code, message) = grpc_web_as(
        &server.addr,
        "/stdfund.v1.EstimateService/GetEngineInfo",
        "application/grpc-web-text",
        Bytes::from_static(b"AAAAAAA="),
    )
    .await;
    assert_eq!(code, "0", "{message}");
    let metrics = server.metrics_text().await;
    assert!(
        !metrics.contains("code=\"INTERNAL\""),
        "INTERNAL counted:\n{metrics}"
    );
    server.stop();
}

/// One POST over HTTP/2 to `path` with `content_type` (or none): the HTTP
/// status, the response headers, the body and the trailers.
async fn h2_call(
    addr: &str,
    path: &str,
    content_type: Option<&str>,
    body: Bytes,
) -> (u16, http::HeaderMap, Bytes, http::HeaderMap) {
    let tcp = tokio::net::TcpStream::connect(addr).await.unwrap();
    let (mut sender, conn) = hyper::client::conn::http2::handshake(
        hyper_util::rt::TokioExecutor::new(),
        hyper_util::rt::TokioIo::new(tcp),
    )
    .await
    .unwrap();
    tokio::spawn(conn);
    let mut req = http::Request::builder()
        .method("POST")
        .uri(format!("http://{addr}{path}"))
        .header("te", "trailers");
    if let Some(ct) = content_type {
        req = req.header("content-type", ct);
    }
    let resp = sender
        .send_request(req.body(http_body_util::Full::new(body)).unwrap())
        .await
        .unwrap();
    let (parts, body) = resp.into_parts();
    use http_body_util::BodyExt;
    let collected = body.collect().await.unwrap();
    let trailers = collected.trailers().cloned().unwrap_or_default();
    (
        parts.status.as_u16(),
        parts.headers,
        collected.to_bytes(),
        trailers,
    )
}

/// One EstimateBatch call over HTTP/2 whose request body is `body`; the
/// number of answers received and the final status.
async fn batch_over_h2(addr: &str, body: Bytes) -> (usize, Status) {
    let path = "/stdfund.v1.EstimateService/EstimateBatch";
    let (_, headers, mut data, trailers) =
        h2_call(addr, path, Some("application/grpc"), body).await;
    if let Some(s) = Status::from_header_map(&headers) {
        return (0, s);
    }
    let mut answers = 0;
    while data.remaining() >= 5 {
        data.advance(1);
        let len = data.get_u32() as usize;
        data.advance(len);
        answers += 1;
    }
    (answers, Status::from_header_map(&trailers).unwrap())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_batch_stream_broken_midway_ends_invalid_argument() {
    use prost::Message;
    let server = serve();
    let item = stdfund_proto::pb::EstimateBatchRequest {
        request_id: "r1".into(),
        ..Default::default()
    }
    .encode_to_vec();
    let mut ok_then_cut = BytesMut::new();
    ok_then_cut.extend_from_slice(&frame(0, item.len() as u32, &item));
    ok_then_cut.extend_from_slice(&frame(0, 100, b"0123"));
    let mut ok_then_garbage = BytesMut::new();
    ok_then_garbage.extend_from_slice(&frame(0, item.len() as u32, &item));
    ok_then_garbage.extend_from_slice(&frame(0, 2, &tag(1000, 7)));
    ok_then_garbage.extend_from_slice(&frame(0, item.len() as u32, &item));
    for (what, body) in [
        ("a frame cut short", ok_then_cut.freeze()),
        (
            "an undecodable message (and a good one after it)",
            ok_then_garbage.freeze(),
        ),
    ] {
        let (answers, status) = batch_over_h2(&server.addr, body).await;
        println!(
            "EstimateBatch, {what} after one item: {answers} answer(s), then {:?}: {}",
            status.code(),
            status.message()
        );
        assert_eq!(status.code(), Code::InvalidArgument, "{what}: {status:?}");
        assert_eq!(reason(&status).as_deref(), Some("MALFORMED_MESSAGE"));
        // The item before the broken one is answered, nothing after it.
        assert_eq!(answers, 1, "{what}");
    }
    let metrics = server.metrics_text().await;
    assert!(
        !metrics.contains("code=\"INTERNAL\""),
        "INTERNAL counted:\n{metrics}"
    );
    server.stop();
}

/// A unary call over HTTP/2 with the given `content-type` (or none): the
/// HTTP status and the gRPC status.
async fn unary_as(
    addr: &str,
    path: &str,
    content_type: Option<&str>,
    body: Bytes,
) -> (u16, Status) {
    let (http_status, headers, _, trailers) = h2_call(addr, path, content_type, body).await;
    let status = Status::from_header_map(&headers)
        .or_else(|| Status::from_header_map(&trailers))
        .unwrap();
    (http_status, status)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn calls_that_are_not_protobuf_grpc_are_refused_with_415() {
    let server = serve();
    // GetEngineInfo's request is empty, so any body decodes as it: only the
    // content type can refuse these.
    let path = "/stdfund.v1.EstimateService/GetEngineInfo";
    let empty = frame(0, 0, b"");
    for ct in [
        Some("application/json"),
        Some("application/grpc+json"),
        Some("text/plain"),
        None,
    ] {
        let (http_status, s) = unary_as(&server.addr, path, ct, empty.clone()).await;
        assert_eq!(http_status, 415, "{ct:?}: {s:?}");
        assert_eq!(s.code(), Code::Unimplemented, "{ct:?}: {s:?}");
        assert_eq!(
            reason(&s).as_deref(),
            Some("UNSUPPORTED_CONTENT_TYPE"),
            "{ct:?}"
        );
        let info = s.get_error_details().error_info().cloned().unwrap();
        assert_eq!(info.metadata["contentType"], ct.unwrap_or_default());
        assert!(!info.metadata["messageZh"].is_empty());
    }
    // Protobuf gRPC in its spellings is served.
    for ct in [
        "application/grpc",
        "application/grpc+proto",
        "application/grpc; charset=x",
    ] {
        let (http_status, s) = unary_as(&server.addr, path, Some(ct), empty.clone()).await;
        assert_eq!((http_status, s.code()), (200, Code::Ok), "{ct}: {s:?}");
    }
    // grpc-web still arrives (as application/grpc, from tonic-web).
    let (code, message) = grpc_web(&server.addr, path, empty.clone()).await;
    assert_eq!(code, "0", "{message}");
    server.stop();
}
