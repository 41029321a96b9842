//! `stdfund-batch-load`: EstimateBatch over one client connection, timed.
//!
//! Starts the real `stdfund serve` (`--server`, a loopback port, a scratch
//! SQLite file), then for each size streams that many applications — the
//! lines of an NDJSON file of proto3 JSON `EstimateRequest`s such as
//! `tools/peer/generate.py` writes, taken in order and repeated when the
//! size is larger than the file — as one EstimateBatch stream on one HTTP/2
//! connection, and times it from the first request sent to the last answer
//! received (median of `--rounds`). It reports items/s, the time per 1,000
//! items (linearity across sizes), the bytes answered, and the server's
//! resident memory (`VmRSS` after the size, `VmHWM` peak) from
//! `/proc/PID/status`.
//!
//! Like `stdfund-load`, the client sends pre-encoded requests and does not
//! decode answers during the timed runs (it counts messages and bytes), so
//! that it costs little on a machine it shares with the server. Exactness is
//! checked outside the clock: the number of answers and their total size
//! must equal what the rules engine's own answers encode to, and one more
//! stream of the smallest size is decoded answer by answer and compared
//! with the engine's canonical answer.
//!
//! ```text
//! stdfund-batch-load --server target/release/stdfund --requests DIR/requests.ndjson \
//!     --view full --sizes 1000,10000,100000 --rounds 3
//! ```
// A measuring tool, not part of the server: rates and ratios are
// floating-point statistics of timings, never money; it reads and writes
// files and the clock.
#![allow(
    clippy::float_arithmetic,
    clippy::arithmetic_side_effects,
    clippy::disallowed_methods,
    clippy::cast_precision_loss
)]

use bytes::{Buf, BufMut, Bytes};
use clap::Parser;
use prost::Message;
use std::net::{SocketAddr, TcpListener};
use std::path::PathBuf;
use std::process::{Child, Command, ExitCode, Stdio};
use std::time::{Duration, Instant};
use stdfund_proto::pb;
use stdfund_rules::json::dto::View;
use tonic::codec::{Codec, DecodeBuf, Decoder, EncodeBuf, Encoder};
use tonic::transport::{Channel, Endpoint};
use tonic::{Status, client::Grpc};

/// Sends pre-encoded messages; answers each message's length undecoded.
#[derive(Debug, Clone, Copy, Default)]
struct CountingCodec;

#[derive(Debug, Clone, Copy, Default)]
struct RawEncoder;

#[derive(Debug, Clone, Copy, Default)]
struct LengthDecoder;

impl Codec for CountingCodec {
    type Encode = Bytes;
    type Decode = usize;
    type Encoder = RawEncoder;
    type Decoder = LengthDecoder;
    fn encoder(&mut self) -> RawEncoder {
        RawEncoder
    }
    fn decoder(&mut self) -> LengthDecoder {
        LengthDecoder
    }
}

impl Encoder for RawEncoder {
    type Item = Bytes;
    type Error = Status;
    fn encode(&mut self, item: Bytes, dst: &mut EncodeBuf<'_>) -> Result<(), Status> {
        dst.put_slice(&item);
        Ok(())
    }
}

impl Decoder for LengthDecoder {
    type Item = usize;
    type Error = Status;
    fn decode(&mut self, src: &mut DecodeBuf<'_>) -> Result<Option<usize>, Status> {
        let n = src.remaining();
        src.advance(n);
        Ok(Some(n))
    }
}

const BATCH_PATH: &str = "/stdfund.v1.EstimateService/EstimateBatch";

/// EstimateBatch over one connection, against the real server binary.
#[derive(Debug, Parser)]
#[command(name = "stdfund-batch-load", version)]
struct Args {
    /// The `stdfund` binary to start (`serve` on a loopback port).
    #[arg(long, default_value = "target/release/stdfund")]
    server: PathBuf,
    /// NDJSON of proto3 JSON EstimateRequests (tools/peer/generate.py's requests.ndjson).
    #[arg(long)]
    requests: PathBuf,
    /// The answer wanted: `full` or `summary` (EstimateBatchRequest.view).
    #[arg(long, default_value = "full")]
    view: String,
    /// Stream sizes, comma-separated; `all` is the file's number of lines.
    #[arg(long, default_value = "1000,10000,100000", value_delimiter = ',')]
    sizes: Vec<String>,
    /// Timed streams per size (the median is reported).
    #[arg(long, default_value_t = 3)]
    rounds: usize,
    /// Extra arguments for `stdfund serve`, e.g. `--serve-arg=--log-level=warn`.
    #[arg(long = "serve-arg")]
    serve_args: Vec<String>,
}

/// The server process, stopped when dropped.
struct Server {
    child: Child,
    addr: SocketAddr,
    _dir: TempDir,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A scratch directory, removed when dropped.
struct TempDir(PathBuf);

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

impl Server {
    fn start(bin: &PathBuf, max_items: usize, extra: &[String]) -> Result<Server, String> {
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map_err(|e| format!("no free port: {e}"))?
            .port();
        let addr = SocketAddr::from(([127, 0, 0, 1], port));
        let dir = std::env::temp_dir().join(format!("stdfund-batch-load-{}", std::process::id()));
        std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        let dir = TempDir(dir);
        let db = format!("sqlite://{}", dir.0.join("bench.sqlite").display());
        let child = Command::new(bin)
            .args([
                "serve",
                "--listen",
                &addr.to_string(),
                "--metrics-listen",
                "off",
            ])
            .args(["--log-level", "error", "--database-url", &db])
            .args(["--max-batch-items", &max_items.to_string()])
            .args(extra)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .spawn()
            .map_err(|e| format!("{}: {e}", bin.display()))?;
        Ok(Server {
            child,
            addr,
            _dir: dir,
        })
    }

    /// `(VmRSS, VmHWM)` in KiB.
    fn memory(&self) -> (u64, u64) {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id()))
            .unwrap_or_default();
        let field = |name: &str| {
            status
                .lines()
                .find_map(|l| l.strip_prefix(name))
                .and_then(|v| v.split_whitespace().next())
                .and_then(|v| v.parse().ok())
                .unwrap_or(0)
        };
        (field("VmRSS:"), field("VmHWM:"))
    }
}

async fn connect(addr: SocketAddr) -> Result<Channel, String> {
    let endpoint = Endpoint::from_shared(format!("http://{addr}"))
        .map_err(|e| e.to_string())?
        .tcp_nodelay(true);
    let started = Instant::now();
    loop {
        if let Ok(channel) = endpoint.connect().await {
            let mut client =
                pb::estimate_service_client::EstimateServiceClient::new(channel.clone());
            if client
                .get_engine_info(pb::GetEngineInfoRequest::default())
                .await
                .is_ok()
            {
                return Ok(channel);
            }
        }
        if started.elapsed() > Duration::from_secs(30) {
            return Err(format!("the server at {addr} did not answer within 30 s"));
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// One stream of pre-encoded items; answers (messages, bytes, seconds).
async fn stream(channel: &Channel, items: &[Bytes]) -> Result<(usize, usize, f64), String> {
    let mut grpc = Grpc::new(channel.clone())
        .max_decoding_message_size(usize::MAX)
        .max_encoding_message_size(usize::MAX);
    grpc.ready().await.map_err(|e| e.to_string())?;
    let owned: Vec<Bytes> = items.to_vec();
    let started = Instant::now();
    let response = grpc
        .streaming(
            tonic::Request::new(tokio_stream::iter(owned)),
            http::uri::PathAndQuery::from_static(BATCH_PATH),
            CountingCodec,
        )
        .await
        .map_err(|s| format!("EstimateBatch failed: {s}"))?;
    let mut inbound = response.into_inner();
    let (mut n, mut bytes) = (0usize, 0usize);
    while let Some(len) = inbound
        .message()
        .await
        .map_err(|s| format!("EstimateBatch broke after {n} answers: {s}"))?
    {
        n += 1;
        bytes += len;
    }
    Ok((n, bytes, started.elapsed().as_secs_f64()))
}

/// Decodes one stream answer by answer and compares each with the engine's.
async fn verify(channel: &Channel, requests: &[String], view: View) -> Result<(), String> {
    let mut client = pb::estimate_service_client::EstimateServiceClient::new(channel.clone())
        .max_decoding_message_size(usize::MAX);
    let items: Vec<pb::EstimateBatchRequest> = requests
        .iter()
        .enumerate()
        .map(|(i, r)| item(i, r, view))
        .collect::<Result<_, _>>()?;
    let mut inbound = client
        .estimate_batch(tokio_stream::iter(items))
        .await
        .map_err(|s| format!("EstimateBatch failed: {s}"))?
        .into_inner();
    let mut n = 0usize;
    while let Some(answer) = inbound.message().await.map_err(|s| s.to_string())? {
        let request = requests.get(n).ok_or("more answers than requests")?;
        if answer.index as usize != n || answer.request_id != format!("r{n}") {
            return Err(format!("answer {n} came as index {}", answer.index));
        }
        let expected = native(request, view);
        let got = match answer.result {
            Some(pb::estimate_batch_response::Result::Assessment(a)) => {
                Ok(stdfund_proto::client::answer_json(a))
            }
            Some(pb::estimate_batch_response::Result::Error(e)) => Err(e.code),
            None => Err("no result".into()),
        };
        if got != expected {
            return Err(format!(
                "answer {n} differs from the engine's:\n{got:?}\n{expected:?}"
            ));
        }
        n += 1;
    }
    if n != requests.len() {
        return Err(format!("{n} answers for {} requests", requests.len()));
    }
    Ok(())
}

/// The engine's own answer (canonical JSON) or error code, in `view`.
fn native(request: &str, view: View) -> Result<String, String> {
    let req = stdfund_rules::json::parse_request(request).map_err(|e| e.code().to_string())?;
    stdfund_rules::assess(&req, |a| stdfund_rules::json::write::assessment(a, view))
        .map_err(|e| e.code().to_string())
}

fn item(i: usize, request: &str, view: View) -> Result<pb::EstimateBatchRequest, String> {
    let application = stdfund_proto::client::request(request)
        .map_err(|e| format!("request {i} is not an EstimateRequest: {e}"))?;
    Ok(pb::EstimateBatchRequest {
        request_id: format!("r{i}"),
        application: Some(application),
        view: match view {
            View::Full => pb::View::Full as i32,
            View::Summary => pb::View::Summary as i32,
        },
    })
}

/// The size in bytes of the answer the server sends for `request`.
fn expected_len(i: usize, item: &pb::EstimateBatchRequest, view: View) -> usize {
    let default = pb::EstimateRequest::default();
    let result = match stdfund_proto::convert::estimate(
        item.application.as_ref().unwrap_or(&default),
        Some(view),
    ) {
        Ok(a) => pb::estimate_batch_response::Result::Assessment(a),
        Err(e) => pb::estimate_batch_response::Result::Error(stdfund_proto::convert::error_report(
            &e.to_report(),
            e.meant().as_deref(),
        )),
    };
    pb::EstimateBatchResponse {
        request_id: item.request_id.clone(),
        index: u32::try_from(i).unwrap_or(u32::MAX),
        result: Some(result),
    }
    .encoded_len()
}

fn median(mut xs: Vec<f64>) -> f64 {
    xs.sort_by(f64::total_cmp);
    xs.get(xs.len() / 2).copied().unwrap_or(0.0)
}

async fn run(args: Args) -> Result<(), String> {
    let view = match args.view.as_str() {
        "full" => View::Full,
        "summary" => View::Summary,
        other => return Err(format!("--view {other}: full or summary")),
    };
    let text = std::fs::read_to_string(&args.requests)
        .map_err(|e| format!("{}: {e}", args.requests.display()))?;
    let lines: Vec<String> = text
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(str::to_string)
        .collect();
    drop(text);
    if lines.is_empty() {
        return Err("no requests".into());
    }
    let sizes: Vec<usize> = args
        .sizes
        .iter()
        .map(|s| match s.as_str() {
            "all" => Ok(lines.len()),
            n => n
                .parse()
                .map_err(|_| format!("--sizes: `{n}` is not a number")),
        })
        .collect::<Result<_, _>>()?;
    let largest = sizes.iter().copied().max().unwrap_or(0);
    // Pre-encode every item once (the file's lines, repeated as needed).
    let mut encoded = Vec::with_capacity(largest);
    let mut expected_bytes = Vec::with_capacity(largest);
    let mut total = 0usize;
    let mut achievements = 0usize;
    for i in 0..largest {
        let request = lines.get(i % lines.len()).ok_or("no requests")?;
        let it = item(i, request, view)?;
        achievements += it.application.as_ref().map_or(0, |a| a.achievements.len());
        total += expected_len(i, &it, view);
        expected_bytes.push(total);
        encoded.push(Bytes::from(it.encode_to_vec()));
    }
    let server = Server::start(&args.server, largest.max(1), &args.serve_args)?;
    let channel = connect(server.addr).await?;
    let verify_n = sizes.iter().copied().min().unwrap_or(0).min(lines.len());
    verify(&channel, lines.get(..verify_n).unwrap_or_default(), view).await?;
    println!(
        "EstimateBatch, view {}, one stream on one connection; {} ({} distinct applications, {achievements} achievements in the largest stream); server {} (pid {}); {} logical CPUs; first {verify_n} answers decoded and equal to the engine's",
        args.view,
        args.requests.display(),
        lines.len(),
        args.server.display(),
        server.child.id(),
        std::thread::available_parallelism().map_or(0, |n| n.get()),
    );
    println!(
        "| items | achievements | median s | items/s | s per 1,000 | answer MB | server RSS after (MiB) | server peak RSS (MiB) |"
    );
    println!("|---|---|---|---|---|---|---|---|");
    for &size in &sizes {
        let items = encoded.get(..size).unwrap_or_default();
        let want_bytes = size
            .checked_sub(1)
            .and_then(|i| expected_bytes.get(i))
            .copied()
            .unwrap_or(0);
        let mut times = Vec::with_capacity(args.rounds);
        for _ in 0..args.rounds.max(1) {
            let (n, bytes, secs) = stream(&channel, items).await?;
            if n != size || bytes != want_bytes {
                return Err(format!(
                    "{n} answers, {bytes} bytes for {size} items; the engine's answers encode to {want_bytes} bytes"
                ));
            }
            times.push(secs);
        }
        let secs = median(times);
        let ach: usize = (0..size)
            .map(|i| {
                lines
                    .get(i % lines.len())
                    .and_then(|l| stdfund_proto::client::request(l).ok())
                    .map_or(0, |r| r.achievements.len())
            })
            .sum();
        let (rss, hwm) = server.memory();
        println!(
            "| {size} | {ach} | {secs:.3} | {:.0} | {:.4} | {:.1} | {:.1} | {:.1} |",
            size as f64 / secs,
            secs / size as f64 * 1000.0,
            want_bytes as f64 / 1e6,
            rss as f64 / 1024.0,
            hwm as f64 / 1024.0,
        );
    }
    Ok(())
}

fn main() -> ExitCode {
    let args = Args::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("stdfund-batch-load: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(args)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("stdfund-batch-load: {e}");
            ExitCode::FAILURE
        }
    }
}
