//! `stdfund-claim-load`: SubmitClaim throughput of a real `stdfund serve`.
//!
//! Starts the given `stdfund` binary (`--serve`) on a free loopback port with
//! the given database and a temporary tokens file, waits until it is
//! SERVING, then runs `--concurrency` callers for `--seconds` (after a
//! `--warmup`), each submitting claims for distinct achievements (every call
//! creates a claim: a new credit code per call), and prints claims per
//! second, latency percentiles and errors. The server is stopped with
//! SIGTERM at the end. `--addr` and `--token` instead load a server that is
//! already running.
//!
//! ```sh
//! target/release/stdfund-claim-load --serve target/release/stdfund \
//!     --database-url sqlite:///tmp/bench.sqlite --concurrency 32 --seconds 10
//! ```
// A measuring tool, not part of the server: counters, deadlines and rates
// are statistics of timings, never money.
#![allow(clippy::float_arithmetic, clippy::arithmetic_side_effects)]

use std::error::Error;
use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::time::{Duration, Instant};
use stdfund_proto::pb;
use stdfund_proto::pb::registry_service_client::RegistryServiceClient;
use tonic::metadata::MetadataValue;
use tonic::transport::{Channel, Endpoint};

type BoxError = Box<dyn Error + Send + Sync>;

#[derive(Debug)]
struct Args {
    serve: Option<PathBuf>,
    database_url: String,
    addr: Option<String>,
    token: Option<String>,
    concurrency: usize,
    seconds: u64,
    warmup: u64,
    connections: usize,
}

fn usage() -> String {
    "usage: stdfund-claim-load (--serve BIN --database-url URL | --addr HOST:PORT --token TOKEN) \
     [--concurrency 32] [--seconds 10] [--warmup 2] [--connections 4]"
        .to_string()
}

fn parse_args() -> Result<Args, BoxError> {
    let mut a = Args {
        serve: None,
        database_url: String::new(),
        addr: None,
        token: None,
        concurrency: 32,
        seconds: 10,
        warmup: 2,
        connections: 4,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut value = || {
            it.next()
                .ok_or_else(|| format!("{flag} needs a value\n{}", usage()))
        };
        match flag.as_str() {
            "--serve" => a.serve = Some(PathBuf::from(value()?)),
            "--database-url" => a.database_url = value()?,
            "--addr" => a.addr = Some(value()?),
            "--token" => a.token = Some(value()?),
            "--concurrency" => a.concurrency = value()?.parse()?,
            "--seconds" => a.seconds = value()?.parse()?,
            "--warmup" => a.warmup = value()?.parse()?,
            "--connections" => a.connections = value()?.parse()?,
            "-h" | "--help" => return Err(usage().into()),
            other => return Err(format!("unknown flag {other}\n{}", usage()).into()),
        }
    }
    if a.serve.is_none() == a.addr.is_none() {
        return Err(usage().into());
    }
    if a.concurrency == 0 || a.connections == 0 || a.seconds == 0 {
        return Err("concurrency, connections and seconds must be at least 1".into());
    }
    Ok(a)
}

fn free_port() -> Result<u16, BoxError> {
    Ok(TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

/// A server started by this tool; SIGTERM when dropped.
struct Server {
    child: Child,
    dir: PathBuf,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        let started = Instant::now();
        while started.elapsed() < Duration::from_secs(20) {
            if let Ok(Some(_)) = self.child.try_wait() {
                let _ = std::fs::remove_dir_all(&self.dir);
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn spawn_server(
    bin: &PathBuf,
    database_url: &str,
    token: &str,
) -> Result<(Server, String), BoxError> {
    let dir = std::env::temp_dir().join(format!("stdfund-claim-load-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let tokens = dir.join("tokens.toml");
    std::fs::write(
        &tokens,
        format!(
            "[[tokens]]\nname = \"load\"\nrole = \"portal\"\nsha256 = \"{}\"\n",
            stdfund_server::auth::hash_token(token)
        ),
    )?;
    // Owner-only whatever the umask: the server refuses a tokens file
    // writable by group or others.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&tokens, std::fs::Permissions::from_mode(0o600))?;
    }
    let addr = format!("127.0.0.1:{}", free_port()?);
    let mut cmd = Command::new(bin);
    for (k, _) in std::env::vars() {
        if k.starts_with("STDFUND_") {
            cmd.env_remove(k);
        }
    }
    let child = cmd
        .args([
            "serve",
            "--listen",
            &addr,
            "--metrics-listen",
            "off",
            "--log-level",
            "warn",
        ])
        .env("STDFUND_DATABASE_URL", database_url)
        .env("STDFUND_TOKENS_FILE", &tokens)
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .spawn()?;
    Ok((Server { child, dir }, addr))
}

async fn wait_serving(addr: &str) -> Result<(), BoxError> {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        match stdfund_server::cli::check_health(addr, "", Duration::from_secs(1)).await {
            Ok(tonic_health::pb::health_check_response::ServingStatus::Serving) => return Ok(()),
            _ if Instant::now() < deadline => tokio::time::sleep(Duration::from_millis(100)).await,
            other => return Err(format!("the server did not become SERVING: {other:?}").into()),
        }
    }
}

/// A credit code with a valid check character.
fn credit_code(n: u32) -> String {
    let base = format!("91350100M{:08}", n % 100_000_000);
    match stdfund_rules::ident::CreditCode::parse(&format!("{base}0")) {
        Some((_, stdfund_rules::ident::CreditCheck::Mismatch { expected })) => {
            format!("{base}{expected}")
        }
        _ => format!("{base}0"),
    }
}

fn request(n: u32, run: u32) -> pb::SubmitClaimRequest {
    pb::SubmitClaimRequest {
        idempotency_key: format!("load-{run}-{n}"),
        application: Some(pb::EstimateRequest {
            applicant: Some(pb::Applicant {
                credit_code: credit_code(run.wrapping_mul(1_000_000).wrapping_add(n)),
                name: format!("福州负载测试单位{n}"),
                seat: "350102".into(),
            }),
            achievements: vec![pb::Achievement {
                id: "a1".into(),
                item: "STANDARD_LEAD".into(),
                variant: "NATIONAL".into(),
                subject: format!("GB/T {n}-2020"),
                date: "2020-05-01".into(),
                ..pb::Achievement::default()
            }],
            ..pb::EstimateRequest::default()
        }),
        confirm_credit_code: false,
        year: 2021,
    }
}

#[derive(Default)]
struct Tally {
    ok: u64,
    errors: u64,
    first_error: Option<String>,
    micros: Vec<u32>,
}

async fn phase(
    channels: &[Channel],
    token: &str,
    concurrency: usize,
    seconds: u64,
    seq: Arc<AtomicU32>,
    run: u32,
) -> Result<(Tally, Duration), BoxError> {
    let header: MetadataValue<_> = format!("Bearer {token}").parse()?;
    let stop = Arc::new(AtomicBool::new(false));
    let started = Instant::now();
    let mut tasks = Vec::with_capacity(concurrency);
    for i in 0..concurrency {
        let ch = channels
            .get(i % channels.len())
            .cloned()
            .ok_or("no channel")?;
        let header = header.clone();
        let stop = stop.clone();
        let seq = seq.clone();
        tasks.push(tokio::spawn(async move {
            let mut client = RegistryServiceClient::new(ch);
            let mut t = Tally::default();
            while !stop.load(Ordering::Relaxed) {
                let n = seq.fetch_add(1, Ordering::Relaxed);
                let mut req = tonic::Request::new(request(n, run));
                req.metadata_mut().insert("authorization", header.clone());
                let at = Instant::now();
                match client.submit_claim(req).await {
                    Ok(r) if r.get_ref().created => {
                        t.ok += 1;
                        t.micros
                            .push(u32::try_from(at.elapsed().as_micros()).unwrap_or(u32::MAX));
                    }
                    Ok(_) => {
                        t.errors += 1;
                        t.first_error.get_or_insert_with(|| "not created".into());
                    }
                    Err(e) => {
                        t.errors += 1;
                        t.first_error
                            .get_or_insert_with(|| format!("{:?} {}", e.code(), e.message()));
                    }
                }
            }
            t
        }));
    }
    tokio::time::sleep(Duration::from_secs(seconds)).await;
    stop.store(true, Ordering::Relaxed);
    let mut all = Tally::default();
    for t in tasks {
        let t = t.await?;
        all.ok += t.ok;
        all.errors += t.errors;
        if all.first_error.is_none() {
            all.first_error = t.first_error;
        }
        all.micros.extend(t.micros);
    }
    Ok((all, started.elapsed()))
}

fn percentile(sorted: &[u32], p: usize) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let i = (sorted.len().saturating_sub(1)).saturating_mul(p) / 100;
    f64::from(sorted.get(i).copied().unwrap_or(0)) / 1000.0
}

async fn run(args: Args) -> Result<(), BoxError> {
    let token_owned;
    let (server, addr, token) = match (&args.serve, &args.addr) {
        (Some(bin), _) => {
            token_owned = format!("load-token-{}", std::process::id());
            let (server, addr) = spawn_server(bin, &args.database_url, &token_owned)?;
            (Some(server), addr, token_owned.as_str())
        }
        (None, Some(addr)) => (
            None,
            addr.clone(),
            args.token.as_deref().ok_or("--addr needs --token")?,
        ),
        (None, None) => return Err(usage().into()),
    };
    wait_serving(&addr).await?;
    let mut channels = Vec::with_capacity(args.connections);
    for _ in 0..args.connections {
        channels.push(
            Endpoint::from_shared(format!("http://{addr}"))?
                .tcp_nodelay(true)
                .connect()
                .await?,
        );
    }
    // Distinct achievements across runs against one database.
    let run_id = u32::try_from(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)?
            .as_secs()
            % 90,
    )?;
    let seq = Arc::new(AtomicU32::new(0));
    if args.warmup > 0 {
        phase(
            &channels,
            token,
            args.concurrency,
            args.warmup,
            seq.clone(),
            run_id,
        )
        .await?;
    }
    let (mut t, took) = phase(
        &channels,
        token,
        args.concurrency,
        args.seconds,
        seq,
        run_id,
    )
    .await?;
    t.micros.sort_unstable();
    let secs = took.as_secs_f64();
    println!(
        "SubmitClaim: {} claims created in {:.2} s = {:.0} claims/s ({} callers, {} connections; {} errors{}); latency p50 {:.2} ms, p99 {:.2} ms",
        t.ok,
        secs,
        t.ok as f64 / secs,
        args.concurrency,
        args.connections,
        t.errors,
        t.first_error
            .map(|e| format!(", first: {e}"))
            .unwrap_or_default(),
        percentile(&t.micros, 50),
        percentile(&t.micros, 99),
    );
    drop(channels);
    drop(server);
    if t.errors > 0 {
        return Err(format!("{} calls failed", t.errors).into());
    }
    Ok(())
}

fn main() -> std::process::ExitCode {
    let args = match parse_args() {
        Ok(a) => a,
        Err(e) => {
            eprintln!("{e}");
            return std::process::ExitCode::from(2);
        }
    };
    let rt = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: {e}");
            return std::process::ExitCode::from(1);
        }
    };
    match rt.block_on(run(args)) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            std::process::ExitCode::from(1)
        }
    }
}
