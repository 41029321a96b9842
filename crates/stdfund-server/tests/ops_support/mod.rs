//! Helpers of the operator tests: the real `stdfund` binary as a process
//! (`stdfund serve` with JSON logs on a free port, its log lines, signals),
//! the other subcommands, and polling the health of a running server.

#![allow(
    dead_code,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, ExitStatus, Output, Stdio};
use std::sync::{Arc, Mutex, mpsc};
use std::time::{Duration, Instant};
use tonic_health::pb::health_check_response::ServingStatus;

pub const BIN: &str = env!("CARGO_BIN_EXE_stdfund");
pub const REGISTRY: &str = "stdfund.v1.RegistryService";
pub const ESTIMATE: &str = "stdfund.v1.EstimateService";

/// `stdfund` with no inherited `STDFUND_*` settings.
pub fn stdfund() -> Command {
    let mut c = Command::new(BIN);
    for (k, _) in std::env::vars() {
        if k.starts_with("STDFUND_") {
            c.env_remove(k);
        }
    }
    c
}

/// Runs `stdfund ARGS` with extra environment; its output.
pub fn run(args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut c = stdfund();
    c.args(args);
    for (k, v) in env {
        c.env(k, v);
    }
    c.stdin(Stdio::null()).output().unwrap()
}

/// Standard output and standard error of an output, for messages.
pub fn text(o: &Output) -> String {
    format!(
        "status {:?}\n--- stdout ---\n{}\n--- stderr ---\n{}",
        o.status.code(),
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

/// A running `stdfund serve`. Killed when dropped.
pub struct Serve {
    child: Option<Child>,
    /// The gRPC address.
    pub addr: String,
    /// The metrics address, when enabled.
    pub metrics: Option<String>,
    lines: Arc<Mutex<Vec<String>>>,
}

/// Why `stdfund serve` did not come up.
#[derive(Debug)]
pub struct Failed {
    pub status: Option<ExitStatus>,
    pub stderr: String,
    pub after: Duration,
}

impl Serve {
    /// `stdfund serve` on free ports with JSON logs, `args` and `env` added.
    /// Waits for its `stdfund serving` line; `Err` when it exits first (or
    /// after 60 s).
    pub fn start(args: &[&str], env: &[(&str, &str)]) -> Result<Serve, Failed> {
        let started = Instant::now();
        let mut c = stdfund();
        c.args([
            "serve",
            "--listen",
            "127.0.0.1:0",
            "--metrics-listen",
            "127.0.0.1:0",
            "--log-format",
            "json",
            "--drain-seconds",
            "5",
        ])
        .args(args);
        for (k, v) in env {
            c.env(k, v);
        }
        let mut child = c
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let (tx, rx) = mpsc::channel::<Option<(String, Option<String>)>>();
        let lines = Arc::new(Mutex::new(Vec::<String>::new()));
        {
            let stderr = child.stderr.take().unwrap();
            let lines = lines.clone();
            std::thread::spawn(move || {
                for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                    if let Ok(v) = serde_json::from_str::<serde_json::Value>(&line)
                        && v["message"] == "stdfund serving"
                    {
                        let addr = v["listen"].as_str().unwrap_or_default().to_string();
                        let metrics = v["metrics"]
                            .as_str()
                            .filter(|m| *m != "off")
                            .map(str::to_string);
                        let _ = tx.send(Some((addr, metrics)));
                    }
                    lines.lock().unwrap().push(line);
                }
                let _ = tx.send(None);
            });
        }
        match rx.recv_timeout(Duration::from_secs(60)) {
            Ok(Some((addr, metrics))) => Ok(Serve {
                child: Some(child),
                addr,
                metrics,
                lines,
            }),
            ended => {
                // Standard error closed (the process is exiting) or nothing
                // came for 60 s.
                let grace = if ended.is_ok() {
                    Duration::from_secs(10)
                } else {
                    Duration::ZERO
                };
                let waited = Instant::now();
                let status = loop {
                    if let Some(s) = child.try_wait().unwrap() {
                        break Some(s);
                    }
                    if waited.elapsed() >= grace {
                        let _ = child.kill();
                        child.wait().ok();
                        break None;
                    }
                    std::thread::sleep(Duration::from_millis(20));
                };
                let after = started.elapsed();
                // The reader thread ends with the pipe.
                std::thread::sleep(Duration::from_millis(100));
                let stderr = lines.lock().unwrap().join("\n");
                Err(Failed {
                    status,
                    stderr,
                    after,
                })
            }
        }
    }

    /// The process id.
    pub fn pid(&self) -> u32 {
        self.child.as_ref().unwrap().id()
    }

    /// Every log line so far.
    pub fn log(&self) -> Vec<String> {
        self.lines.lock().unwrap().clone()
    }

    /// The log lines so far as JSON objects.
    pub fn records(&self) -> Vec<serde_json::Value> {
        self.log()
            .iter()
            .filter_map(|l| serde_json::from_str(l).ok())
            .collect()
    }

    /// Waits until a log record satisfies `pred`; the record.
    pub fn wait_record(
        &self,
        limit: Duration,
        pred: impl Fn(&serde_json::Value) -> bool,
    ) -> Option<serde_json::Value> {
        let started = Instant::now();
        loop {
            if let Some(r) = self.records().into_iter().find(|r| pred(r)) {
                return Some(r);
            }
            if started.elapsed() > limit {
                return None;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Sends a signal (`HUP`, `TERM`, …) with the shell's `kill`.
    pub fn signal(&self, name: &str) {
        let ok = Command::new("sh")
            .args(["-c", &format!("kill -{name} {}", self.pid())])
            .status()
            .unwrap()
            .success();
        assert!(ok, "kill -{name}");
    }

    /// SIGTERM, then waits for a successful exit.
    pub fn stop(mut self) {
        self.signal("TERM");
        let mut child = self.child.take().unwrap();
        let started = Instant::now();
        loop {
            if let Some(status) = child.try_wait().unwrap() {
                assert!(status.success(), "serve exited with {status:?}");
                return;
            }
            if started.elapsed() > Duration::from_secs(30) {
                let _ = child.kill();
                panic!("serve did not exit after SIGTERM");
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// The metrics text.
    pub async fn metrics_text(&self) -> String {
        let addr = self.metrics.as_ref().expect("metrics enabled");
        let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        stream
            .write_all(b"GET /metrics HTTP/1.1\r\nhost: localhost\r\nconnection: close\r\n\r\n")
            .await
            .unwrap();
        let mut out = Vec::new();
        stream.read_to_end(&mut out).await.unwrap();
        String::from_utf8_lossy(&out).into_owned()
    }

    /// One value of the metrics text (`name` exactly, without labels).
    pub async fn metric(&self, name: &str) -> Option<f64> {
        let text = self.metrics_text().await;
        text.lines()
            .find(|l| l.starts_with(name) && l[name.len()..].starts_with(' '))
            .and_then(|l| l.rsplit(' ').next())
            .and_then(|v| v.parse().ok())
    }
}

impl Drop for Serve {
    fn drop(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

/// The health of `service` at `addr` (UNKNOWN when the call fails).
pub async fn health(addr: &str, service: &str) -> ServingStatus {
    stdfund_server::cli::check_health(addr, service, Duration::from_secs(3))
        .await
        .unwrap_or(ServingStatus::Unknown)
}

/// Polls every 100 ms until `service` reports `want`; how long it took.
/// Panics after `limit`.
pub async fn wait_health(
    addr: &str,
    service: &str,
    want: ServingStatus,
    limit: Duration,
) -> Duration {
    let started = Instant::now();
    loop {
        let now = health(addr, service).await;
        if now == want {
            return started.elapsed();
        }
        assert!(
            started.elapsed() < limit,
            "{service} still {now:?} after {limit:?}, want {want:?}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// A file `name` in a fresh directory of its own (removed first if left
/// over from an earlier run).
pub fn fresh_dir(stem: &str) -> std::path::PathBuf {
    static SEQ: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
    let n = SEQ.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let dir = std::path::PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join("stdfund-ops-tests")
        .join(format!("{stem}-{}-{n}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Sets a file's permission bits.
pub fn chmod(path: &std::path::Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
}

/// A national standard-lead filing written straight into a store, as an
/// older build wrote it (its key `code|STANDARD_LEAD|subject`).
pub fn lead_filing(code: &str, subject: &str, idem: &str) -> stdfund_store::Filing {
    stdfund_store::Filing {
        idempotency_key: idem.to_string(),
        submitted_by: "gateway".to_string(),
        credit_code: code.to_string(),
        credit_code_confirmed: false,
        unit_name: "福州示例科技有限公司".to_string(),
        seat: "350102".to_string(),
        fiscal_unit: "350102".to_string(),
        item: "STANDARD_LEAD".to_string(),
        variant: "NATIONAL".to_string(),
        clause: "五(五)1".to_string(),
        subject: subject.to_string(),
        subject_as_given: subject.to_string(),
        one_time_key: format!("{code}|STANDARD_LEAD|{subject}"),
        achievement_date: stdfund_rules::date::Date::parse("2020-05-01").unwrap(),
        year: 2021,
        estimated_amount: stdfund_rules::money::Money::parse_yuan("500000.00").unwrap(),
        discretionary: false,
        application_json: format!(r#"{{"subject":"{subject}"}}"#),
        estimate_json: r#"{"payable":"500000.00"}"#.to_string(),
    }
}

/// Submits `f` as the portal `gateway`: the new claim's id.
pub async fn created(store: &stdfund_store::AnyStore, f: stdfund_store::Filing) -> i64 {
    let now = stdfund_store::Timestamp::now().unwrap();
    match store
        .submit(f, &stdfund_store::Actor::new("gateway", "portal"), &now)
        .await
        .unwrap()
    {
        stdfund_store::SubmitOutcome::Created(c) => c.id,
        other => panic!("not created: {other:?}"),
    }
}
