//! One write per answer (src/coalesce.rs): an Estimate's answer — over
//! h2's 256-byte chaining threshold — leaves the server in one socket write
//! with its trailers, instead of two.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::io::{self, IoSlice};
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, ready};
use stdfund_proto::pb::estimate_service_client::EstimateServiceClient;
use stdfund_server::coalesce::Coalesced;
use stdfund_server::estimate::{EstimateRoutes, Estimates};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio_stream::StreamExt;
use tokio_stream::wrappers::TcpListenerStream;
use tonic::transport::Server;
use tonic::transport::server::{Connected, TcpConnectInfo};

/// The server's socket, recording the size of every write made to it.
struct Counting {
    io: TcpStream,
    writes: Arc<Mutex<Vec<usize>>>,
}

impl Counting {
    fn record(&self, n: usize) {
        self.writes.lock().unwrap().push(n);
    }
}

impl AsyncWrite for Counting {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        let n = ready!(Pin::new(&mut this.io).poll_write(cx, buf))?;
        this.record(n);
        Poll::Ready(Ok(n))
    }
    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        let n = ready!(Pin::new(&mut this.io).poll_write_vectored(cx, bufs))?;
        this.record(n);
        Poll::Ready(Ok(n))
    }
    fn is_write_vectored(&self) -> bool {
        self.io.is_write_vectored()
    }
    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().io).poll_flush(cx)
    }
    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().io).poll_shutdown(cx)
    }
}

impl AsyncRead for Counting {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().io).poll_read(cx, buf)
    }
}

impl Connected for Counting {
    type ConnectInfo = TcpConnectInfo;
    fn connect_info(&self) -> TcpConnectInfo {
        self.io.connect_info()
    }
}

const APPLICATION: &str = r#"{
  "applicant": {"creditCode": "91350100M000100Y43", "name": "福州示例科技有限公司", "seat": "350102"},
  "achievements": [
    {"id": "a1", "item": "STANDARD_LEAD", "variant": "NATIONAL", "subject": "GB/T 12345-2020", "date": "2020-05-01"},
    {"id": "a2", "item": "STANDARD_PARTICIPANT", "variant": "INDUSTRY", "subject": "JB/T 1234-2019", "date": "2019-03-01",
     "higherLevelFunding": [{"level": "FUNDING_LEVEL_PROVINCIAL", "amount": "20000.00", "source": "福建省"}]}
  ]
}"#;

/// One Estimate; an answer held and never written would hang here.
async fn call(
    client: &mut EstimateServiceClient<tonic::transport::Channel>,
    request: &stdfund_proto::pb::EstimateRequest,
) -> stdfund_proto::pb::EstimateResponse {
    tokio::time::timeout(
        std::time::Duration::from_secs(10),
        client.estimate(request.clone()),
    )
    .await
    .expect("the answer did not arrive")
    .unwrap()
    .into_inner()
}

/// Serves the estimate routes on a socket, coalesced or not, and makes
/// five Estimate calls one after another; the server's writes for each.
async fn writes_per_call(coalesce: bool) -> Vec<Vec<usize>> {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let writes = Arc::new(Mutex::new(Vec::new()));
    let recorded = writes.clone();
    let estimates = Estimates::new(1000, None).unwrap();
    let routes = EstimateRoutes::new(estimates, 4 << 20);
    let accepted = TcpListenerStream::new(listener).map(move |s| {
        s.map(|io| {
            io.set_nodelay(true).unwrap();
            Counting {
                io,
                writes: recorded.clone(),
            }
        })
    });
    let server = if coalesce {
        tokio::spawn(
            Server::builder()
                .add_service(routes)
                .serve_with_incoming(accepted.map(|s| s.map(Coalesced::new))),
        )
    } else {
        tokio::spawn(
            Server::builder()
                .add_service(routes)
                .serve_with_incoming(accepted),
        )
    };
    let mut client = EstimateServiceClient::new(common::channel(addr).await);
    let request = stdfund_proto::client::request(APPLICATION).unwrap();
    // The connection's preface and settings first.
    let first = call(&mut client, &request).await;
    assert_eq!(first.lines.len(), 2);
    tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    let mut per_call = Vec::new();
    for _ in 0..5 {
        let before = writes.lock().unwrap().len();
        let answer = call(&mut client, &request).await;
        assert_eq!(answer, first);
        // Whatever the server still writes for this call.
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        per_call.push(writes.lock().unwrap().get(before..).unwrap().to_vec());
    }
    server.abort();
    per_call
}

#[tokio::test]
async fn an_estimate_answer_leaves_in_one_write_with_its_trailers() {
    for writes in writes_per_call(true).await {
        assert_eq!(writes.len(), 1, "one write per answer: {writes:?}");
        assert!(
            writes.first().is_some_and(|&n| n > 256),
            "headers, data and trailers: {writes:?}"
        );
    }
}

/// Why the wrapper exists: without it h2 writes the answer and its trailers
/// separately. If h2 stops doing so, this fails and the wrapper can go.
#[tokio::test]
async fn without_the_wrapper_h2_writes_an_answer_and_its_trailers_apart() {
    for writes in writes_per_call(false).await {
        assert_eq!(writes.len(), 2, "data, then trailers: {writes:?}");
        assert!(
            writes.get(1).is_some_and(|&n| n < 32),
            "the trailers alone: {writes:?}"
        );
    }
}
