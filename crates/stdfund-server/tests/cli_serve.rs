//! The real `stdfund` binary: `serve` as a process (JSON logs with masked
//! credit codes, SIGTERM → graceful exit), `healthcheck`, `serve
//! --print-config` layering, and the `estimate`/`rules` subcommands.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex, mpsc};
use std::time::{Duration, Instant};
use stdfund_proto::pb;
use stdfund_proto::pb::estimate_service_client::EstimateServiceClient;

const BIN: &str = env!("CARGO_BIN_EXE_stdfund");

fn stdfund(args: &[&str]) -> std::process::Output {
    Command::new(BIN)
        .args(args)
        .env_remove("STDFUND_LISTEN")
        .output()
        .unwrap()
}

#[test]
fn print_config_layers_file_env_and_flags() {
    let dir = std::env::temp_dir().join(format!("stdfund-cli-config-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("stdfund.toml");
    std::fs::write(
        &file,
        "drain_seconds = 3\nmax_batch_items = 9\nlisten = \"0.0.0.0:50051\"\n",
    )
    .unwrap();
    let out = Command::new(BIN)
        .args([
            "serve",
            "--print-config",
            "--max-batch-items",
            "5",
            "--cors-origin",
            "https://a.example",
        ])
        .env("STDFUND_CONFIG", &file)
        .env("STDFUND_DRAIN_SECONDS", "7")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    for line in [
        "listen = \"0.0.0.0:50051\"",
        "drain_seconds = 7",
        "max_batch_items = 5",
        "cors_origins = [\"https://a.example\"]",
        "database_url = \"sqlite://stdfund.sqlite\"",
    ] {
        assert!(
            text.lines().any(|l| l == line),
            "missing `{line}` in\n{text}"
        );
    }
    let bad = Command::new(BIN)
        .args(["serve", "--print-config"])
        .env("STDFUND_MAX_BATCH_ITEMS", "many")
        .output()
        .unwrap();
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("STDFUND_MAX_BATCH_ITEMS"));
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn estimate_and_rules_subcommands_still_work() {
    let v = stdfund_testkit::vectors::load_all(&stdfund_testkit::vectors::vectors_dir()).unwrap();
    let case = v
        .iter()
        .find(|c| c.case.expected.get("error").is_none())
        .unwrap();
    let mut child = Command::new(BIN)
        .args(["estimate", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    std::io::Write::write_all(child.stdin.as_mut().unwrap(), case.input_json().as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success());
    assert_eq!(
        case.comparable(String::from_utf8(out.stdout).unwrap().trim_end())
            .unwrap(),
        case.expected_json()
    );
    let out = stdfund(&["rules", "--format", "json"]);
    assert!(out.status.success());
    // The proto3 JSON of GetCatalog's answer (tests/grpc_reflection_curl.rs
    // compares it with what a gRPC client prints).
    let catalog = stdfund_server::protojson::catalog_json().unwrap();
    assert!(String::from_utf8(out.stdout).unwrap().trim_end() == catalog);
}

#[test]
fn healthcheck_fails_when_nothing_listens() {
    // Bind and release a port: nothing listens there now.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let out = stdfund(&[
        "healthcheck",
        "--addr",
        &format!("127.0.0.1:{port}"),
        "--timeout-seconds",
        "1",
    ]);
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn the_default_healthcheck_address_follows_stdfund_listen() {
    use stdfund_server::cli::default_health_addr;
    assert_eq!(
        default_health_addr(None).unwrap().to_string(),
        "127.0.0.1:50051"
    );
    assert_eq!(
        default_health_addr(Some("0.0.0.0:6000"))
            .unwrap()
            .to_string(),
        "127.0.0.1:6000"
    );
    assert_eq!(
        default_health_addr(Some("10.1.2.3:7000"))
            .unwrap()
            .to_string(),
        "10.1.2.3:7000"
    );
    assert!(default_health_addr(Some("nowhere")).is_err());
}

#[test]
fn serve_runs_logs_masked_json_and_exits_gracefully_on_sigterm() {
    let dir = std::env::temp_dir().join(format!("stdfund-cli-serve-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let mut child = Command::new(BIN)
        .args([
            "serve",
            "--listen",
            "127.0.0.1:0",
            "--metrics-listen",
            "127.0.0.1:0",
            "--log-format",
            "json",
            "--log-level",
            "info,stdfund_server=debug",
            "--drain-seconds",
            "5",
        ])
        .env(
            "STDFUND_DATABASE_URL",
            format!("sqlite://{}", dir.join("test.sqlite").display()),
        )
        .env_remove("STDFUND_CONFIG")
        .current_dir(&dir)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let lines = Arc::new(Mutex::new(Vec::<String>::new()));
    let (addr_tx, addr_rx) = mpsc::channel::<String>();
    {
        let stderr = child.stderr.take().unwrap();
        let lines = lines.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if let Ok(v) = serde_json::from_str::<serde_json::Value>(&line)
                    && v["message"] == "stdfund serving"
                {
                    let _ = addr_tx.send(v["listen"].as_str().unwrap_or_default().to_string());
                }
                lines.lock().unwrap().push(line);
            }
        });
    }
    let addr = addr_rx
        .recv_timeout(Duration::from_secs(20))
        .unwrap_or_else(|_| {
            let _ = child.kill();
            panic!("no `stdfund serving` line: {:?}", lines.lock().unwrap())
        });

    let out = stdfund(&["healthcheck", "--addr", &addr]);
    assert!(out.status.success(), "{out:?}");
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "SERVING");
    // A service the server does not have is named, with the ones it has.
    let out = stdfund(&[
        "healthcheck",
        "--addr",
        &addr,
        "--service",
        "stdfund.v1.Nope",
    ]);
    assert!(!out.status.success(), "{out:?}");
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(said.contains("没有名为`stdfund.v1.Nope`的服务"), "{said}");
    assert!(said.contains("stdfund.v1.RegistryService"), "{said}");
    // Nothing listening: said in Chinese first, then English.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let nobody = closed.local_addr().unwrap().to_string();
    drop(closed);
    let out = stdfund(&["healthcheck", "--addr", &nobody, "--timeout-seconds", "2"]);
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(
        said.starts_with(&format!("健康检查失败:无法连接{nobody}")),
        "{said}"
    );
    assert!(
        said.contains("health check failed: cannot connect to"),
        "{said}"
    );
    // A second server whose metrics address is taken says which listener
    // failed and the flag to change (the restore check of OPERATIONS.md on
    // a production host, where 9090 is the running server's).
    let second = Command::new(BIN)
        .args([
            "serve",
            "--listen",
            "127.0.0.1:0",
            "--metrics-listen",
            &addr,
        ])
        .env(
            "STDFUND_DATABASE_URL",
            format!("sqlite://{}", dir.join("second.sqlite").display()),
        )
        .env_remove("STDFUND_CONFIG")
        .current_dir(&dir)
        .output()
        .unwrap();
    assert_eq!(second.status.code(), Some(1), "{second:?}");
    let said = String::from_utf8_lossy(&second.stderr);
    assert!(said.contains("无法监听指标地址(--metrics-listen"), "{said}");
    assert!(
        said.contains("cannot listen on") && said.contains("--metrics-listen"),
        "{said}"
    );

    // One estimate, so that a credit code is logged (at debug).
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let mut client = EstimateServiceClient::new(common::channel(addr.parse().unwrap()).await);
        let request = pb::EstimateRequest {
            applicant: Some(pb::Applicant {
                credit_code: "91350100M000100Y43".into(),
                name: String::new(),
                seat: "350102".into(),
            }),
            ..pb::EstimateRequest::default()
        };
        client.estimate(request).await.unwrap();
    });
    // Close the client's connection (an idle runtime would not answer the
    // server's GOAWAY ping, and the drain would wait for it).
    drop(rt);

    // The shell's builtin `kill` (no procps needed on a minimal machine).
    let kill = Command::new("sh")
        .args(["-c", &format!("kill -TERM {}", child.id())])
        .status()
        .unwrap();
    assert!(kill.success());
    let started = Instant::now();
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        assert!(
            started.elapsed() < Duration::from_secs(15),
            "the server did not exit after SIGTERM"
        );
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(status.success(), "{status:?}");
    let out = stdfund(&["healthcheck", "--addr", &addr, "--timeout-seconds", "1"]);
    assert_eq!(out.status.code(), Some(1));

    std::thread::sleep(Duration::from_millis(100));
    let log = lines.lock().unwrap().join("\n");
    assert!(log.contains("913501********0Y43"), "{log}");
    assert!(!log.contains("91350100M000100Y43"), "{log}");
    assert!(log.contains("SIGTERM received"), "{log}");
    assert!(log.contains("drained"), "{log}");
    for line in log.lines() {
        serde_json::from_str::<serde_json::Value>(line)
            .unwrap_or_else(|e| panic!("not JSON: {line}: {e}"));
    }
    std::fs::remove_dir_all(&dir).ok();
}
