//! What an operator sees of a running server: one access log line per call
//! (method, gRPC status, duration, peer, request id — taken from
//! `x-request-id` or generated, and returned), and the metrics endpoint's
//! `process_*` and connection-pool series beside the gRPC ones.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    missing_docs
)]

mod common;

use bytes::Bytes;
use common::{channel, header, http1, settings, start};
use http_body_util::Full;
use std::io::{self, Write};
use std::sync::{Arc, Mutex};
use stdfund_proto::pb;
use stdfund_proto::pb::estimate_service_client::EstimateServiceClient;
use tracing_subscriber::fmt::MakeWriter;

#[derive(Clone, Default)]
struct Buf(Arc<Mutex<Vec<u8>>>);

impl Write for Buf {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl<'a> MakeWriter<'a> for Buf {
    type Writer = Buf;
    fn make_writer(&'a self) -> Buf {
        self.clone()
    }
}

fn access_lines(buf: &Buf) -> Vec<serde_json::Value> {
    let text = String::from_utf8(buf.0.lock().unwrap().clone()).unwrap();
    text.lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
        .filter(|v| v["target"] == "stdfund_server::access")
        .collect()
}

#[tokio::test]
async fn one_access_line_per_call_with_the_request_id_returned() {
    let buf = Buf::default();
    let subscriber = tracing_subscriber::fmt()
        .json()
        .flatten_event(true)
        .with_current_span(false)
        .with_max_level(tracing::Level::INFO)
        .with_writer(buf.clone())
        .finish();
    tracing::subscriber::set_global_default(subscriber).unwrap();

    let server = start(settings()).await;
    let mut client = EstimateServiceClient::new(channel(server.addr()).await);

    // A caller's request id is kept and returned.
    let mut req = tonic::Request::new(pb::GetEngineInfoRequest {});
    req.metadata_mut()
        .insert("x-request-id", "req-42-from-the-portal".parse().unwrap());
    let resp = client.get_engine_info(req).await.unwrap();
    assert_eq!(
        resp.metadata().get("x-request-id").unwrap(),
        "req-42-from-the-portal"
    );
    // Without one, one is generated and returned.
    let err = client
        .estimate(pb::EstimateRequest::default())
        .await
        .unwrap_err();
    assert_eq!(err.code(), tonic::Code::InvalidArgument);
    let generated = err
        .metadata()
        .get("x-request-id")
        .unwrap()
        .to_str()
        .unwrap()
        .to_string();
    assert_eq!(generated.len(), 36, "{generated}"); // a UUID
    server.shutdown().await.unwrap();

    // (Other tests of this file run servers in parallel: keep this test's
    // calls, by their request ids.)
    let all = access_lines(&buf);
    let of = |id: &str| -> Vec<&serde_json::Value> {
        all.iter().filter(|v| v["request_id"] == id).collect()
    };
    let (oks, bads) = (of("req-42-from-the-portal"), of(&generated));
    assert_eq!((oks.len(), bads.len()), (1, 1), "{all:#?}");
    let ok = oks[0];
    assert_eq!(ok["level"], "INFO");
    assert_eq!(ok["method"], "/stdfund.v1.EstimateService/GetEngineInfo");
    assert_eq!(ok["grpc_status"], "OK");
    assert_eq!(ok["grpc_code"], 0);
    assert_eq!(ok["http_status"], 200);
    assert_eq!(ok["request_id"], "req-42-from-the-portal");
    assert!(ok["duration_us"].as_u64().is_some(), "{ok}");
    assert!(
        ok["peer"].as_str().unwrap().starts_with("127.0.0.1:"),
        "{ok}"
    );
    let bad = bads[0];
    assert_eq!(bad["method"], "/stdfund.v1.EstimateService/Estimate");
    assert_eq!(bad["grpc_status"], "INVALID_ARGUMENT");
    assert_eq!(bad["grpc_code"], 3);
    assert_eq!(bad["request_id"], generated.as_str());
    // A refusal's line names its stable reason; an answer's says none.
    let reason = tonic_types::StatusExt::get_details_error_info(&err)
        .unwrap()
        .reason;
    assert!(!reason.is_empty());
    assert_eq!(bad["reason"], reason.as_str());
    assert_eq!(ok["reason"], "-");

    deadline_passed_calls_are_logged_and_counted(&buf).await;
}

/// A call whose deadline (`grpc-timeout`) passes while a registry write
/// waits for the database is stopped by tonic outside every layer of ours; it still
/// gets its access line and its count, as DEADLINE_EXCEEDED (not a call
/// without a line, nor CANCELLED, which says the client went away).
async fn deadline_passed_calls_are_logged_and_counted(buf: &Buf) {
    use bytes::BufMut;
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("observability-deadline");
    std::fs::create_dir_all(&dir).unwrap();
    let tokens = dir.join(format!("tokens-{}.toml", std::process::id()));
    std::fs::write(
        &tokens,
        format!(
            "[[tokens]]\nname = \"admin-a\"\nrole = \"admin\"\nsha256 = \"{}\"\n",
            stdfund_server::auth::hash_token("a-token-for-the-deadline-test")
        ),
    )
    .unwrap();
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&tokens, std::fs::Permissions::from_mode(0o600)).unwrap();
    }
    let settings = stdfund_server::config::Settings {
        tokens_file: Some(tokens),
        ..settings()
    };
    let db = settings.database_url.clone();
    let server = start(settings).await;
    let addr = server.addr();
    // Another process holds SQLite's write lock: a write waits for it
    // (up to the write timeout, 5 s), and the client's deadline of 200 ms
    // passes first.
    use sqlx::Connection;
    let mut holder = sqlx::SqliteConnection::connect(&db).await.unwrap();
    sqlx::query("BEGIN IMMEDIATE")
        .execute(&mut holder)
        .await
        .unwrap();
    let mut sender = common::h2(addr).await;
    let message = prost::Message::encode_to_vec(&pb::SetBudgetRequest {
        year: 2026,
        total: "1.00".into(),
        payer: String::new(),
    });
    let mut body = bytes::BytesMut::new();
    body.put_u8(0);
    body.put_u32(u32::try_from(message.len()).unwrap());
    body.put_slice(&message);
    let id = "deadline-1".to_string();
    let req = http::Request::builder()
        .method("POST")
        .uri(format!(
            "http://{addr}/stdfund.v1.RegistryService/SetBudget"
        ))
        .header("content-type", "application/grpc")
        .header("te", "trailers")
        .header("authorization", "Bearer a-token-for-the-deadline-test")
        .header("grpc-timeout", "200m")
        .header("x-request-id", id.as_str())
        .body(Full::new(body.freeze()))
        .unwrap();
    let resp = sender.send_request(req).await.unwrap();
    // tonic's own answer to a passed deadline, made outside our layers.
    assert_eq!(header(resp.headers(), "grpc-status"), "1", "{resp:?}");
    sqlx::query("ROLLBACK").execute(&mut holder).await.unwrap();
    holder.close().await.unwrap();
    let req = http::Request::builder()
        .uri("/metrics")
        .header("host", "localhost")
        .body(Full::new(Bytes::new()))
        .unwrap();
    let (_, _, metrics) = http1(server.metrics_addr().unwrap(), req).await;
    let metrics = String::from_utf8(metrics.to_vec()).unwrap();
    assert!(
        metrics.contains(
            "stdfund_grpc_requests_total{method=\"/stdfund.v1.RegistryService/SetBudget\",code=\"DEADLINE_EXCEEDED\"}"
        ),
        "{metrics}"
    );
    server.shutdown().await.unwrap();
    let lines: Vec<serde_json::Value> = access_lines(buf)
        .into_iter()
        .filter(|v| v["request_id"] == id.as_str())
        .collect();
    assert_eq!(lines.len(), 1, "{lines:#?}");
    assert_eq!(lines[0]["grpc_status"], "DEADLINE_EXCEEDED");
    assert_eq!(lines[0]["grpc_code"], 4);
    assert_eq!(lines[0]["method"], "/stdfund.v1.RegistryService/SetBudget");
}

#[tokio::test]
async fn metrics_have_process_and_pool_series() {
    let server = start(settings()).await;
    let mut client = EstimateServiceClient::new(channel(server.addr()).await);
    client
        .get_engine_info(pb::GetEngineInfoRequest {})
        .await
        .unwrap();
    let req = http::Request::builder()
        .uri("/metrics")
        .header("host", "localhost")
        .body(Full::new(Bytes::new()))
        .unwrap();
    let (status, headers, body) = http1(server.metrics_addr().unwrap(), req).await;
    assert_eq!(status, http::StatusCode::OK);
    assert!(header(&headers, "content-type").starts_with("application/openmetrics-text"));
    let text = String::from_utf8(body.to_vec()).unwrap();
    let value = |name: &str| -> f64 {
        text.lines()
            .find(|l| l.starts_with(name) && l[name.len()..].starts_with([' ', '{']))
            .and_then(|l| l.rsplit(' ').next())
            .and_then(|v| v.parse().ok())
            .unwrap_or_else(|| panic!("no {name} in\n{text}"))
    };
    assert!(value("process_cpu_seconds_total") >= 0.0);
    assert!(value("process_resident_memory_bytes") > 1_000_000.0);
    assert!(value("process_open_fds") > 3.0);
    assert!(value("process_start_time_seconds") > 1_600_000_000.0);
    // The embedded SQLite pool: open at start, bounded.
    assert!(value("stdfund_db_pool_max_connections") >= 1.0);
    assert!(
        text.contains("stdfund_db_pool_connections{state=\"idle\"}"),
        "{text}"
    );
    assert!(
        text.contains("stdfund_db_pool_connections{state=\"in_use\"}"),
        "{text}"
    );
    // Today's series keep their names.
    for name in [
        "stdfund_grpc_requests_total{method=\"/stdfund.v1.EstimateService/GetEngineInfo\",code=\"OK\"} 1",
        "stdfund_grpc_requests_in_flight 0",
        "stdfund_build_info{",
        "stdfund_estimate_batch_items_total{outcome=\"assessment\"} 0",
        "stdfund_grpc_request_duration_seconds_count{method=\"/stdfund.v1.EstimateService/GetEngineInfo\"} 1",
    ] {
        assert!(
            text.lines().any(|l| l.starts_with(name)),
            "{name} in\n{text}"
        );
    }
    // Help texts end in one full stop (the exporter adds it).
    for help in text.lines().filter(|l| l.starts_with("# HELP stdfund_")) {
        assert!(help.ends_with('.') && !help.ends_with(".."), "{help}");
    }
    // Every series the deployed alerts read is one this server exports.
    let rules = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../deploy/k8s/base/prometheusrule.yaml"
    ))
    .unwrap();
    // The expressions: from `expr:` up to the rule's `for:`.
    let mut exprs = String::new();
    let mut inside = false;
    for line in rules.lines() {
        let t = line.trim();
        if t.starts_with("expr:") {
            inside = true;
        } else if t.starts_with("for:") {
            inside = false;
        }
        if inside {
            exprs.push_str(t);
            exprs.push('\n');
        }
    }
    let mut read = 0;
    for word in exprs.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_')) {
        if word.starts_with("stdfund_") || word.starts_with("process_") {
            read += 1;
            assert!(
                text.lines()
                    .any(|l| l.starts_with(word) && l[word.len()..].starts_with([' ', '{'])),
                "the alerts read {word}, which /metrics does not have"
            );
        }
    }
    assert!(read >= 4, "{read}");
    server.shutdown().await.unwrap();
}
