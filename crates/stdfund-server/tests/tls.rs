//! TLS on the gRPC port (`tls_cert` + `tls_key`, rustls): a self-signed
//! certificate for `localhost` made at test time; Estimate over a TLS channel
//! with that certificate pinned as the CA; a plain-text client refused; the
//! real binary's `serve --tls-cert --tls-key` checked by `healthcheck --tls
//! --ca`; a certificate without its key, an invalid PEM and a key of another
//! certificate are startup errors naming the setting.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex, mpsc};
use std::time::{Duration, Instant};
use stdfund_proto::pb;
use stdfund_proto::pb::estimate_service_client::EstimateServiceClient;
use stdfund_rules::json;
use tonic::transport::{Certificate, ClientTlsConfig, Endpoint};

const BIN: &str = env!("CARGO_BIN_EXE_stdfund");

/// A fresh directory with `cert.pem` and `key.pem`: a self-signed
/// certificate for `localhost` and its key.
fn certificate(name: &str) -> PathBuf {
    static SEQ: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
    let n = SEQ.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("stdfund-tls-tests")
        .join(format!("{name}-{}-{n}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let generated = rcgen::generate_simple_self_signed(vec!["localhost".to_string()]).unwrap();
    std::fs::write(dir.join("cert.pem"), generated.cert.pem()).unwrap();
    std::fs::write(dir.join("key.pem"), generated.signing_key.serialize_pem()).unwrap();
    dir
}

const APPLICATION: &str = r#"{"applicant":{"creditCode":"91350100M000100Y43","seat":"350102"},
    "achievements":[{"id":"a1","item":"STANDARD_LEAD","variant":"NATIONAL","subject":"GB/T 12345-2020","date":"2020-05-01"}]}"#;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn estimate_over_tls_with_the_ca_pinned_and_plain_text_refused() {
    let dir = certificate("in-process");
    let server = common::start(stdfund_server::config::Settings {
        tls_cert: Some(dir.join("cert.pem")),
        tls_key: Some(dir.join("key.pem")),
        ..common::settings()
    })
    .await;
    let port = server.addr().port();

    // TLS, trusting only our certificate, for the name it carries.
    let ca = Certificate::from_pem(std::fs::read(dir.join("cert.pem")).unwrap());
    let channel = Endpoint::from_shared(format!("https://127.0.0.1:{port}"))
        .unwrap()
        .tls_config(
            ClientTlsConfig::new()
                .ca_certificate(ca)
                .domain_name("localhost"),
        )
        .unwrap()
        .connect_timeout(Duration::from_secs(5))
        .connect()
        .await
        .unwrap();
    let native = json::estimate_json(APPLICATION).unwrap();
    let app = stdfund_proto::client::request(APPLICATION).unwrap();
    let answer = EstimateServiceClient::new(channel)
        .estimate(app)
        .await
        .unwrap()
        .into_inner();
    assert_eq!(stdfund_proto::client::answer_json(answer), native);

    // Plain text against the TLS port: no answer.
    let plain = async {
        let channel = Endpoint::from_shared(format!("http://127.0.0.1:{port}"))
            .unwrap()
            .connect_timeout(Duration::from_secs(3))
            .timeout(Duration::from_secs(3))
            .connect()
            .await
            .map_err(|e| e.to_string())?;
        EstimateServiceClient::new(channel)
            .estimate(pb::EstimateRequest::default())
            .await
            .map(|_| ())
            .map_err(|s| s.to_string())
    };
    let refused = tokio::time::timeout(Duration::from_secs(10), plain)
        .await
        .expect("the plain-text client hung");
    assert!(
        refused.is_err(),
        "a plain-text client got an answer from the TLS port"
    );

    // The CLI's check: TLS with the CA succeeds, plain text does not.
    let tls = stdfund_server::cli::HealthTls {
        ca: Some(dir.join("cert.pem")),
        domain: None,
    };
    let status = stdfund_server::cli::check_health_with(
        &server.addr().to_string(),
        "",
        Duration::from_secs(3),
        Some(&tls),
    )
    .await;
    assert_eq!(
        status.unwrap(),
        tonic_health::pb::health_check_response::ServingStatus::Serving
    );
    assert!(
        stdfund_server::cli::check_health(&server.addr().to_string(), "", Duration::from_secs(2))
            .await
            .is_err()
    );

    server.shutdown().await.unwrap();
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn the_default_tls_domain_is_the_host_name_else_localhost() {
    use stdfund_server::cli::default_tls_domain;
    assert_eq!(default_tls_domain("127.0.0.1:50051"), "localhost");
    assert_eq!(default_tls_domain("[::1]:50051"), "localhost");
    assert_eq!(
        default_tls_domain("stdfund.prod.svc:50051"),
        "stdfund.prod.svc"
    );
    assert_eq!(
        default_tls_domain("https://grpc.example.cn:443"),
        "grpc.example.cn"
    );
}

fn stdfund(args: &[&str], dir: &Path) -> std::process::Output {
    Command::new(BIN)
        .args(args)
        .env_remove("STDFUND_LISTEN")
        .env_remove("STDFUND_CONFIG")
        .env_remove("STDFUND_TLS_CERT")
        .env_remove("STDFUND_TLS_KEY")
        .env(
            "STDFUND_DATABASE_URL",
            format!("sqlite://{}", dir.join("test.sqlite").display()),
        )
        .current_dir(dir)
        .output()
        .unwrap()
}

#[test]
fn the_binary_serves_tls_and_healthcheck_tls_ca_passes() {
    let dir = certificate("binary");
    let cert = dir.join("cert.pem").display().to_string();
    let key = dir.join("key.pem").display().to_string();
    let mut child = Command::new(BIN)
        .args([
            "serve",
            "--listen",
            "127.0.0.1:0",
            "--metrics-listen",
            "off",
            "--log-format",
            "json",
            "--drain-seconds",
            "5",
            "--tls-cert",
            &cert,
            "--tls-key",
            &key,
        ])
        .env(
            "STDFUND_DATABASE_URL",
            format!("sqlite://{}", dir.join("test.sqlite").display()),
        )
        .env_remove("STDFUND_CONFIG")
        .env_remove("STDFUND_TLS_CERT")
        .env_remove("STDFUND_TLS_KEY")
        .current_dir(&dir)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let lines = Arc::new(Mutex::new(Vec::<String>::new()));
    let (addr_tx, addr_rx) = mpsc::channel::<(String, bool)>();
    {
        let stderr = child.stderr.take().unwrap();
        let lines = lines.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if let Ok(v) = serde_json::from_str::<serde_json::Value>(&line)
                    && v["message"] == "stdfund serving"
                {
                    let _ = addr_tx.send((
                        v["listen"].as_str().unwrap_or_default().to_string(),
                        v["tls"].as_bool().unwrap_or_default(),
                    ));
                }
                lines.lock().unwrap().push(line);
            }
        });
    }
    let (addr, tls) = addr_rx
        .recv_timeout(Duration::from_secs(20))
        .unwrap_or_else(|_| {
            let _ = child.kill();
            panic!("no `stdfund serving` line: {:?}", lines.lock().unwrap())
        });
    assert!(tls, "the serving line does not say tls = true");

    let out = stdfund(
        &["healthcheck", "--addr", &addr, "--tls", "--ca", &cert],
        &dir,
    );
    assert!(out.status.success(), "{out:?}");
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "SERVING");
    // Plain text, or TLS without trusting the self-signed certificate: fail.
    let out = stdfund(
        &["healthcheck", "--addr", &addr, "--timeout-seconds", "2"],
        &dir,
    );
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let out = stdfund(
        &[
            "healthcheck",
            "--addr",
            &addr,
            "--tls",
            "--timeout-seconds",
            "2",
        ],
        &dir,
    );
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    // A name the certificate does not carry: fail.
    let out = stdfund(
        &[
            "healthcheck",
            "--addr",
            &addr,
            "--tls",
            "--ca",
            &cert,
            "--domain",
            "stdfund.example.cn",
            "--timeout-seconds",
            "2",
        ],
        &dir,
    );
    assert_eq!(out.status.code(), Some(1), "{out:?}");

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
    std::fs::remove_dir_all(&dir).ok();
}

/// Runs `stdfund serve ARGS` and expects it to refuse to start.
fn refuses_to_start(dir: &Path, args: &[&str]) -> (i32, String) {
    let mut all = vec![
        "serve",
        "--listen",
        "127.0.0.1:0",
        "--metrics-listen",
        "off",
    ];
    all.extend_from_slice(args);
    let mut child = Command::new(BIN)
        .args(&all)
        .env_remove("STDFUND_CONFIG")
        .env_remove("STDFUND_LISTEN")
        .env_remove("STDFUND_TLS_CERT")
        .env_remove("STDFUND_TLS_KEY")
        .env(
            "STDFUND_DATABASE_URL",
            format!("sqlite://{}", dir.join("refused.sqlite").display()),
        )
        .current_dir(dir)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let started = Instant::now();
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        if started.elapsed() > Duration::from_secs(15) {
            let _ = child.kill();
            let _ = child.wait();
            panic!("`stdfund {}` started instead of failing", all.join(" "));
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let mut stderr = String::new();
    std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut stderr).unwrap();
    assert!(!stderr.contains("panicked"), "{stderr}");
    let code = status.code().unwrap_or(-1);
    assert_ne!(code, 0, "{stderr}");
    (code, stderr)
}

#[test]
fn bad_tls_settings_are_startup_errors_naming_the_setting() {
    let dir = certificate("refused");
    let other = certificate("other");
    let cert = dir.join("cert.pem").display().to_string();
    let key = dir.join("key.pem").display().to_string();

    // A certificate without its key: a configuration error (exit 2).
    let (code, stderr) = refuses_to_start(&dir, &["--tls-cert", &cert]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("tls_key"), "{stderr}");
    assert!(stderr.contains("--tls-key"), "{stderr}");
    // The same through the environment, the other way round.
    let out = Command::new(BIN)
        .args(["serve", "--print-config"])
        .env_remove("STDFUND_CONFIG")
        .env_remove("STDFUND_TLS_CERT")
        .env("STDFUND_TLS_KEY", &key)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("STDFUND_TLS_CERT"));

    // A missing file, a file without PEM, a key that is not a key, and the
    // key of another certificate: startup errors naming the setting.
    let garbage = dir.join("garbage.pem");
    std::fs::write(&garbage, "not a certificate\n").unwrap();
    let garbage = garbage.display().to_string();
    let missing = dir.join("missing.pem").display().to_string();
    let other_key = other.join("key.pem").display().to_string();
    for (args, expect) in [
        (["--tls-cert", &missing, "--tls-key", &key], "tls_cert"),
        (["--tls-cert", &cert, "--tls-key", &missing], "tls_key"),
        (["--tls-cert", &garbage, "--tls-key", &key], "tls_cert"),
        (["--tls-cert", &key, "--tls-key", &key], "tls_cert"),
        (["--tls-cert", &cert, "--tls-key", &garbage], "tls_key"),
        (["--tls-cert", &cert, "--tls-key", &other_key], "tls_key"),
    ] {
        let (code, stderr) = refuses_to_start(&dir, &args);
        assert_eq!(code, 1, "{args:?}: {stderr}");
        assert!(stderr.contains(expect), "{args:?}: {stderr}");
        assert!(stderr.contains("TLS"), "{args:?}: {stderr}");
    }
    std::fs::remove_dir_all(&dir).ok();
    std::fs::remove_dir_all(&other).ok();
}
