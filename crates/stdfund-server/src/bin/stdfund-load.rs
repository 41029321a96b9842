//! `stdfund-load`: Estimate throughput over gRPC against a no-op baseline.
//!
//! N concurrent callers over C HTTP/2 connections call, in alternating
//! phases of equal length, `GetEngineInfo` (the no-op: a cached answer, no
//! computation) and `Estimate` (a typical three-line application), against
//! the same server in the same run. The figure is the ratio of the two
//! request rates: how much of the gRPC stack's capacity the rules engine
//! leaves. Every call is checked for an OK status (an error is counted, never
//! taken for a success).
//!
//! Like h2load, the callers send pre-encoded requests and do not decode the
//! answers (a pass-through codec), so that the client — which shares the
//! machine — costs the same small constant in both phases and the ratio
//! reflects the server. Before measuring, one answer of each kind is decoded
//! and compared with the rules engine's own.
//!
//! Loopback only and bounded: at most `--seconds` (≤ 60) per phase and
//! `--max-requests` per phase. Without `--addr` an in-process server is
//! started on 127.0.0.1:0.
//!
//! ```text
//! stdfund-load --callers 64 --connections 8 --seconds 5 --rounds 2
//! stdfund-load --addr 127.0.0.1:50551 --callers 64
//! ```
// A measuring tool, not part of the server: rates, percentiles and ratios
// are floating-point statistics of timings, never money.
#![allow(clippy::float_arithmetic, clippy::arithmetic_side_effects)]

use bytes::{Buf, BufMut, Bytes};
use clap::Parser;
use prost::Message;
use std::net::SocketAddr;
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};
use stdfund_proto::pb;
use tonic::codec::{Codec, DecodeBuf, Decoder, EncodeBuf, Encoder};
use tonic::transport::{Channel, Endpoint};
use tonic::{Status, client::Grpc};

/// Sends bytes as they are and returns the answer's bytes undecoded.
#[derive(Debug, Clone, Copy, Default)]
struct RawCodec;

#[derive(Debug, Clone, Copy, Default)]
struct RawEncoder;

#[derive(Debug, Clone, Copy, Default)]
struct RawDecoder;

impl Codec for RawCodec {
    type Encode = Bytes;
    type Decode = Bytes;
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
    type Item = Bytes;
    type Error = Status;

    fn encode(&mut self, item: Bytes, dst: &mut EncodeBuf<'_>) -> Result<(), Status> {
        dst.put_slice(&item);
        Ok(())
    }
}

impl Decoder for RawDecoder {
    type Item = Bytes;
    type Error = Status;

    fn decode(&mut self, src: &mut DecodeBuf<'_>) -> Result<Option<Bytes>, Status> {
        let n = src.remaining();
        Ok(Some(src.copy_to_bytes(n)))
    }
}

const NOOP_PATH: &str = "/stdfund.v1.EstimateService/GetEngineInfo";
const ESTIMATE_PATH: &str = "/stdfund.v1.EstimateService/Estimate";

/// One call with pre-encoded bytes; the answer's bytes, or the status.
async fn raw_call(
    grpc: &mut Grpc<Channel>,
    path: &'static str,
    body: Bytes,
) -> Result<Bytes, Status> {
    grpc.ready()
        .await
        .map_err(|e| Status::unavailable(e.to_string()))?;
    let path = http::uri::PathAndQuery::from_static(path);
    grpc.unary(tonic::Request::new(body), path, RawCodec)
        .await
        .map(tonic::Response::into_inner)
}

/// A typical application: three lines over three clauses, one with a
/// provincial top-up.
const TYPICAL: &str = r#"{
  "applicant": {"creditCode": "91350100M000100Y43", "name": "福州示例科技有限公司", "seat": "350102"},
  "achievements": [
    {"id": "a1", "item": "STANDARD_LEAD", "variant": "NATIONAL", "subject": "GB/T 12345-2020", "date": "2020-05-01"},
    {"id": "a2", "item": "STANDARD_PARTICIPANT", "variant": "INDUSTRY", "subject": "JB/T 1234-2019", "date": "2019-03-01",
     "higherLevelFunding": [{"level": "FUNDING_LEVEL_PROVINCIAL", "amount": "20000.00", "source": "福建省"}]},
    {"id": "a3", "item": "DEMONSTRATION_PILOT", "variant": "PROVINCIAL", "subject": "FJ-PILOT-2018-07", "date": "2018-11-20", "accepted": true}
  ]
}"#;

/// Estimate throughput over gRPC, measured against a no-op RPC in the same run.
#[derive(Debug, Parser)]
#[command(name = "stdfund-load", version)]
struct Args {
    /// A running server (loopback only); default: start one in-process.
    #[arg(long)]
    addr: Option<SocketAddr>,
    /// Concurrent callers.
    #[arg(long, default_value_t = 64)]
    callers: usize,
    /// HTTP/2 connections the callers share.
    #[arg(long, default_value_t = 8)]
    connections: usize,
    /// Seconds per phase (at most 60).
    #[arg(long, default_value_t = 5)]
    seconds: u64,
    /// Rounds of (no-op phase, estimate phase).
    #[arg(long, default_value_t = 2)]
    rounds: usize,
    /// At most this many calls per phase.
    #[arg(long, default_value_t = 5_000_000)]
    max_requests: u64,
    /// An application JSON file (or a test-vector case with an `input`) to estimate instead of the built-in one.
    #[arg(long)]
    input: Option<std::path::PathBuf>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Rpc {
    Noop,
    Estimate,
}

#[derive(Debug, Default)]
struct Phase {
    ok: u64,
    errors: u64,
    elapsed: Duration,
    latencies_us: Vec<u32>,
}

impl Phase {
    fn merge(&mut self, other: Phase) {
        self.ok = self.ok.saturating_add(other.ok);
        self.errors = self.errors.saturating_add(other.errors);
        self.elapsed = self.elapsed.saturating_add(other.elapsed);
        self.latencies_us.extend(other.latencies_us);
    }

    fn rps(&self) -> f64 {
        let secs = self.elapsed.as_secs_f64();
        if secs > 0.0 {
            self.ok as f64 / secs
        } else {
            0.0
        }
    }

    fn percentile(&mut self, p: usize) -> u32 {
        if self.latencies_us.is_empty() {
            return 0;
        }
        self.latencies_us.sort_unstable();
        let i = (self.latencies_us.len().saturating_sub(1)).saturating_mul(p) / 100;
        self.latencies_us.get(i).copied().unwrap_or(0)
    }
}

fn load_request(path: Option<&std::path::Path>) -> Result<pb::EstimateRequest, String> {
    let text = match path {
        None => TYPICAL.to_string(),
        Some(p) => {
            let text = std::fs::read_to_string(p).map_err(|e| format!("{}: {e}", p.display()))?;
            let v: serde_json::Value =
                serde_json::from_str(&text).map_err(|e| format!("{}: {e}", p.display()))?;
            match v.get("input") {
                Some(input) => input.to_string(),
                None => text,
            }
        }
    };
    stdfund_rules::json::estimate_text(&text)
        .map_err(|e| format!("the application does not estimate: {e}"))?;
    stdfund_proto::stored::request(&text).map_err(|e| e.to_string())
}

async fn run_phase(
    channels: &[Channel],
    rpc: Rpc,
    callers: usize,
    duration: Duration,
    max_requests: u64,
    request: &Bytes,
) -> Phase {
    let issued = Arc::new(AtomicU64::new(0));
    let start = Instant::now();
    let deadline = start + duration;
    let mut tasks = Vec::with_capacity(callers);
    for i in 0..callers {
        let Some(channel) = channels.get(i % channels.len().max(1)).cloned() else {
            break;
        };
        let issued = issued.clone();
        let request = request.clone();
        tasks.push(tokio::spawn(async move {
            let mut grpc = Grpc::new(channel);
            let mut phase = Phase::default();
            let (path, body) = match rpc {
                Rpc::Noop => (NOOP_PATH, Bytes::new()),
                Rpc::Estimate => (ESTIMATE_PATH, request),
            };
            while Instant::now() < deadline && issued.fetch_add(1, Ordering::Relaxed) < max_requests
            {
                let t = Instant::now();
                let ok = raw_call(&mut grpc, path, body.clone()).await.is_ok();
                let us = u32::try_from(t.elapsed().as_micros()).unwrap_or(u32::MAX);
                if ok {
                    phase.ok = phase.ok.saturating_add(1);
                    phase.latencies_us.push(us);
                } else {
                    phase.errors = phase.errors.saturating_add(1);
                }
            }
            phase
        }));
    }
    let mut total = Phase::default();
    for t in tasks {
        if let Ok(p) = t.await {
            total.merge(p);
        }
    }
    total.elapsed = start.elapsed();
    total
}

fn cpu_model() -> String {
    std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|t| {
            t.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split(':').nth(1))
                .map(|s| s.trim().to_string())
        })
        .unwrap_or_else(|| "unknown".into())
}

async fn run(args: Args) -> Result<(), String> {
    if args.callers == 0 || args.connections == 0 || args.rounds == 0 || args.seconds == 0 {
        return Err("callers, connections, rounds and seconds must be at least 1".into());
    }
    let seconds = args.seconds.min(60);
    let request = load_request(args.input.as_deref())?;
    let native = stdfund_proto::convert::estimate(&request, None)
        .map(stdfund_proto::client::answer_json)
        .map_err(|e| e.to_string())?;
    let request_bytes = Bytes::from(request.encode_to_vec());

    let (addr, server) = match args.addr {
        Some(a) if !a.ip().is_loopback() => {
            return Err(format!(
                "{a} is not a loopback address; this tool only loads 127.0.0.1 / ::1"
            ));
        }
        Some(a) => (a, None),
        None => {
            let settings = stdfund_server::config::Settings {
                listen: SocketAddr::from(([127, 0, 0, 1], 0)),
                metrics_listen: None,
                ..stdfund_server::config::Settings::default()
            };
            let running = stdfund_server::server::start(&settings)
                .await
                .map_err(|e| e.to_string())?;
            (running.addr(), Some(running))
        }
    };

    let mut channels = Vec::with_capacity(args.connections);
    for _ in 0..args.connections {
        let ch = Endpoint::from_shared(format!("http://{addr}"))
            .map_err(|e| e.to_string())?
            .tcp_nodelay(true)
            .connect()
            .await
            .map_err(|e| format!("cannot connect to {addr}: {e}"))?;
        channels.push(ch);
    }

    // What the estimate itself costs, without gRPC: read the request,
    // evaluate, encode the answer — the server's work per call (the request
    // read straight from its bytes, the answer bytes written straight from
    // the assessment), and beside it the generated server's way (prost
    // decode into a message, a prost message answer, then prost's
    // encoding), interleaved.
    let (engine_us, prost_us) = {
        let rounds = 500u32;
        let (mut direct, mut via_message) = (0f64, 0f64);
        for _ in 0..10 {
            let t = Instant::now();
            for _ in 0..rounds {
                let req = stdfund_proto::codec::RawMessage(request_bytes.clone());
                let answer = stdfund_server::estimate::estimate_encoded(&req, usize::MAX)
                    .map_err(|s| s.message().to_string())?
                    .map_err(|e| e.report().message_en)?;
                std::hint::black_box(answer);
            }
            direct += t.elapsed().as_secs_f64();
            let t = Instant::now();
            for _ in 0..rounds {
                let req = pb::EstimateRequest::decode(request_bytes.clone())
                    .map_err(|e| e.to_string())?;
                let answer = stdfund_server::estimate::estimate_one(&req, None)
                    .map_err(|e| e.report().message_en)?;
                std::hint::black_box(answer.encode_to_vec());
            }
            via_message += t.elapsed().as_secs_f64();
        }
        let per_call = |secs: f64| secs * 1e6 / f64::from(rounds * 10);
        (per_call(direct), per_call(via_message))
    };
    // The answers are right before they are counted.
    {
        let mut grpc = Grpc::new(channels.first().cloned().ok_or("no connection")?);
        let answer = raw_call(&mut grpc, ESTIMATE_PATH, request_bytes.clone())
            .await
            .map_err(|s| s.to_string())?;
        let answer = pb::EstimateResponse::decode(answer).map_err(|e| e.to_string())?;
        let answer = stdfund_proto::client::answer_json(answer);
        if answer != native {
            return Err("the server's estimate differs from the rules engine's".into());
        }
        let info = raw_call(&mut grpc, NOOP_PATH, Bytes::new())
            .await
            .map_err(|s| s.to_string())?;
        let info = stdfund_proto::client::engine_info(
            pb::GetEngineInfoResponse::decode(info).map_err(|e| e.to_string())?,
        );
        if Ok(info) != stdfund_rules::json::engine_info() {
            return Err("the server's engine info differs from the rules engine's".into());
        }
    }
    println!(
        "stdfund-load: {} callers over {} connections, {} s per phase, {} round(s), server {} ({}), {} cores, {}",
        args.callers,
        args.connections,
        seconds,
        args.rounds,
        addr,
        if server.is_some() {
            "in-process"
        } else {
            "external"
        },
        std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(1),
        cpu_model()
    );
    // Warm-up: connections, caches, allocator.
    run_phase(
        &channels,
        Rpc::Noop,
        args.callers,
        Duration::from_secs(1),
        args.max_requests,
        &request_bytes,
    )
    .await;
    run_phase(
        &channels,
        Rpc::Estimate,
        args.callers,
        Duration::from_secs(1),
        args.max_requests,
        &request_bytes,
    )
    .await;

    let mut noop = Phase::default();
    let mut estimate = Phase::default();
    let mut round_ratios: Vec<f64> = Vec::with_capacity(args.rounds);
    let phase_len = Duration::from_secs(seconds);
    for round in 1..=args.rounds {
        let n = run_phase(
            &channels,
            Rpc::Noop,
            args.callers,
            phase_len,
            args.max_requests,
            &request_bytes,
        )
        .await;
        let e = run_phase(
            &channels,
            Rpc::Estimate,
            args.callers,
            phase_len,
            args.max_requests,
            &request_bytes,
        )
        .await;
        let r = if n.rps() > 0.0 {
            e.rps() / n.rps()
        } else {
            0.0
        };
        println!(
            "round {round}: no-op {:>9.0} rps, estimate {:>9.0} rps, ratio {r:.3}",
            n.rps(),
            e.rps()
        );
        round_ratios.push(r);
        noop.merge(n);
        estimate.merge(e);
    }

    println!(
        "{:<28} {:>10} {:>7} {:>10} {:>8} {:>8}",
        "phase", "calls", "errors", "rps", "p50 µs", "p99 µs"
    );
    for (name, p) in [
        ("no-op (GetEngineInfo)", &mut noop),
        ("Estimate (3 lines)", &mut estimate),
    ] {
        let (p50, p99) = (p.percentile(50), p.percentile(99));
        println!(
            "{:<28} {:>10} {:>7} {:>10.0} {:>8} {:>8}",
            name,
            p.ok,
            p.errors,
            p.rps(),
            p50,
            p99
        );
    }
    println!(
        "estimate work without gRPC (decode, evaluate, encode), one core: {engine_us:.1} µs/call ({prost_us:.1} µs through a prost message)"
    );
    let ratio = if noop.rps() > 0.0 {
        estimate.rps() / noop.rps()
    } else {
        0.0
    };
    round_ratios.sort_by(f64::total_cmp);
    let median = round_ratios
        .get(round_ratios.len() / 2)
        .copied()
        .unwrap_or(0.0);
    println!("ratio estimate / no-op: {ratio:.3} over all rounds, median of rounds {median:.3}");

    if let Some(s) = server {
        s.shutdown().await.map_err(|e| e.to_string())?;
    }
    if noop.errors > 0 || estimate.errors > 0 {
        return Err(format!(
            "{} no-op and {} estimate calls failed",
            noop.errors, estimate.errors
        ));
    }
    Ok(())
}

fn main() -> ExitCode {
    let args = Args::parse();
    let rt = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(1);
        }
    };
    match rt.block_on(run(args)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(1)
        }
    }
}
