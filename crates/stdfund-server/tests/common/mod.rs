//! Helpers shared by the integration tests: an in-process server on
//! 127.0.0.1:0, channels, and a tiny HTTP/1.1 client for CORS, grpc-web and
//! metrics.

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use std::net::SocketAddr;
use std::time::Duration;
use stdfund_server::config::Settings;
use stdfund_server::server::{self, Running};
use tonic::transport::{Channel, Endpoint};

/// Test settings: ephemeral ports, short drain, a fresh SQLite registry
/// database under the target's tmp dir (the server opens it on start).
pub fn settings() -> Settings {
    Settings {
        listen: SocketAddr::from(([127, 0, 0, 1], 0)),
        metrics_listen: Some(SocketAddr::from(([127, 0, 0, 1], 0))),
        cors_origins: vec!["https://portal.example.cn".into()],
        drain_seconds: 10,
        database_url: temp_database_url(),
        ..Settings::default()
    }
}

/// `sqlite://…` of a database file no other test uses.
pub fn temp_database_url() -> String {
    static SEQ: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("stdfund-server-tests");
    std::fs::create_dir_all(&dir).unwrap();
    let n = SEQ.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let file = dir.join(format!("registry-{}-{n}.sqlite", std::process::id()));
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", file.display()));
    }
    format!("sqlite://{}", file.display())
}

/// Starts a server.
pub async fn start(settings: Settings) -> Running {
    server::start(&settings)
        .await
        .unwrap_or_else(|e| panic!("cannot start the server: {e}"))
}

/// A channel to a server.
pub async fn channel(addr: SocketAddr) -> Channel {
    Endpoint::from_shared(format!("http://{addr}"))
        .unwrap()
        .connect_timeout(Duration::from_secs(5))
        .connect()
        .await
        .unwrap_or_else(|e| panic!("cannot connect to {addr}: {e}"))
}

/// A raw HTTP/2 connection to `addr`, for requests a gRPC client would not
/// send (broken frames, chosen headers).
pub async fn h2(addr: SocketAddr) -> hyper::client::conn::http2::SendRequest<Full<Bytes>> {
    let tcp = tokio::net::TcpStream::connect(addr).await.unwrap();
    let (sender, conn) = hyper::client::conn::http2::handshake(
        hyper_util::rt::TokioExecutor::new(),
        hyper_util::rt::TokioIo::new(tcp),
    )
    .await
    .unwrap();
    tokio::spawn(conn);
    sender
}

/// One HTTP/1.1 exchange; returns the status, the headers and the body.
pub async fn http1(
    addr: SocketAddr,
    request: http::Request<Full<Bytes>>,
) -> (http::StatusCode, http::HeaderMap, Bytes) {
    let tcp = tokio::net::TcpStream::connect(addr).await.unwrap();
    let (mut sender, conn) =
        hyper::client::conn::http1::handshake(hyper_util::rt::TokioIo::new(tcp))
            .await
            .unwrap();
    tokio::spawn(conn);
    let resp = sender.send_request(request).await.unwrap();
    let (parts, body) = resp.into_parts();
    let body = body.collect().await.unwrap().to_bytes();
    (parts.status, parts.headers, body)
}

/// A header value as text, or "".
pub fn header(headers: &http::HeaderMap, name: &str) -> String {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string()
}
