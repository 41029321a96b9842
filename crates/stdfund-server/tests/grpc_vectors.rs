//! The shared test vectors over gRPC against an in-process server on
//! 127.0.0.1:0: each answer's canonical JSON must be byte-identical to the
//! vector's expected answer (the native one). Also: seeded random
//! applications against the native engine, GetEngineInfo and GetCatalog.

#![allow(
    clippy::arithmetic_side_effects,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    clippy::unwrap_used
)]

mod common;

use stdfund_proto::pb;
use stdfund_proto::pb::estimate_service_client::EstimateServiceClient;
use stdfund_rules::ErrorReport;
use stdfund_rules::json;
use stdfund_server::status::error_report;
use stdfund_testkit::{answer_json, generate, vectors};
use tonic::Code;
use tonic::transport::Channel;

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
}

/// How an answer was reached, to prove that the wire was really used.
#[derive(Default, Debug)]
struct Paths {
    parse_errors: usize,
    conversion_errors: usize,
    over_the_wire_ok: usize,
    over_the_wire_err: usize,
}

/// The gRPC executor: parse with the rules crate's parser (a parse error is
/// the answer, as natively), convert to proto (an enum name the contract
/// cannot carry is refused here, as a proto3 JSON parser refuses it), call
/// Estimate, convert the answer back — or rebuild the error report from the
/// status details.
fn over_grpc(
    rt: &tokio::runtime::Runtime,
    client: &mut EstimateServiceClient<Channel>,
    input: &str,
    paths: &mut Paths,
) -> Result<String, ErrorReport> {
    if let Err(e) = json::parse_request(input) {
        paths.parse_errors += 1;
        return Err(e.to_report());
    }
    let request = match stdfund_proto::client::request(input) {
        Ok(r) => r,
        Err(e) => {
            paths.conversion_errors += 1;
            return Err(e.to_report());
        }
    };
    match rt.block_on(client.estimate(request)) {
        Ok(resp) => {
            paths.over_the_wire_ok += 1;
            Ok(stdfund_proto::client::answer_json(resp.into_inner()))
        }
        Err(status) => {
            paths.over_the_wire_err += 1;
            assert_eq!(status.code(), Code::InvalidArgument, "{status:?}");
            let report = error_report(&status)
                .unwrap_or_else(|| panic!("no stdfund.v1 details in {status:?}"));
            // The BadRequest detail names the same field.
            let details = tonic_types::StatusExt::get_error_details(&status);
            if report.field.is_empty() {
                assert!(details.bad_request().is_none());
            } else {
                let bad = details.bad_request().unwrap();
                assert_eq!(bad.field_violations[0].field, report.field);
                assert_eq!(bad.field_violations[0].reason, report.code);
            }
            assert_eq!(status.message(), report.message_en);
            Err(report)
        }
    }
}

#[test]
fn every_vector_over_grpc_is_byte_identical_to_native() {
    let rt = runtime();
    let server = rt.block_on(common::start(common::settings()));
    let mut client = EstimateServiceClient::new(rt.block_on(common::channel(server.addr())));
    let all = vectors::load_all(&vectors::vectors_dir()).unwrap();
    assert!(all.len() >= 50, "found only {} vectors", all.len());
    let mut paths = Paths::default();
    let failures = vectors::run_all(&all, &mut |input| {
        over_grpc(&rt, &mut client, input, &mut paths)
    });
    assert!(
        failures.is_empty(),
        "{} of {} vectors differ over gRPC:\n{}",
        failures.len(),
        all.len(),
        failures.join("\n")
    );
    // Most answers crossed the wire; the few refused before it are the
    // malformed-JSON cases and the one undefined enum name.
    assert!(paths.over_the_wire_ok >= 40, "{paths:?}");
    assert!(paths.over_the_wire_err >= 10, "{paths:?}");
    assert!(paths.conversion_errors <= 1, "{paths:?}");
    assert_eq!(
        paths.parse_errors
            + paths.conversion_errors
            + paths.over_the_wire_ok
            + paths.over_the_wire_err,
        all.len()
    );
    let ok = server
        .metrics()
        .requests("/stdfund.v1.EstimateService/Estimate", "OK");
    let bad = server
        .metrics()
        .requests("/stdfund.v1.EstimateService/Estimate", "INVALID_ARGUMENT");
    assert_eq!(
        (ok, bad),
        (
            paths.over_the_wire_ok as u64,
            paths.over_the_wire_err as u64
        )
    );
    rt.block_on(server.shutdown()).unwrap();
}

#[test]
fn random_applications_over_grpc_answer_as_the_engine_does() {
    let rt = runtime();
    let server = rt.block_on(common::start(common::settings()));
    let mut client = EstimateServiceClient::new(rt.block_on(common::channel(server.addr())));
    let (mut ok, mut err) = (0, 0);
    for seed in 0..400u64 {
        let app = generate::application(seed);
        let Ok(request) = stdfund_proto::client::request(&json::to_canonical(&app)) else {
            continue;
        };
        // The engine sees exactly what the server sees.
        let native = answer_json(
            &stdfund_proto::convert::estimate(&request, None)
                .map(stdfund_proto::client::answer_json)
                .map_err(|e| e.to_report()),
        );
        let remote = match rt.block_on(client.estimate(request)) {
            Ok(r) => {
                ok += 1;
                Ok(stdfund_proto::client::answer_json(r.into_inner()))
            }
            Err(s) => {
                err += 1;
                Err(error_report(&s).unwrap())
            }
        };
        assert_eq!(answer_json(&remote), native, "seed {seed}");
    }
    assert!(ok > 200 && err > 10, "ok {ok}, err {err}");
    rt.block_on(server.shutdown()).unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_undefined_enum_number_is_invalid_enum_value_from_the_engine() {
    let server = common::start(common::settings()).await;
    let mut client = EstimateServiceClient::new(common::channel(server.addr()).await);
    let mut request = stdfund_proto::client::request(
        r#"{"applicant":{"creditCode":"91350100M000100Y43","seat":"350102"},
            "achievements":[{"id":"a1","item":"AWARD_CHINA","variant":"PROJECT_FIRST",
                             "subject":"GB/T 1-2020","date":"2020-05-01","role":"ROLE_LEAD"}]}"#,
    )
    .unwrap();
    request.achievements[0].role = 99;
    let status = client.estimate(request).await.unwrap_err();
    assert_eq!(status.code(), Code::InvalidArgument);
    let report = error_report(&status).unwrap();
    assert_eq!(report.code, "INVALID_ENUM_VALUE");
    assert_eq!(report.field, "achievements[0].role");
    assert_eq!(
        report.message_en,
        "`99` at `achievements[0].role` is not one of ROLE_UNSPECIFIED, ROLE_LEAD, ROLE_PARTICIPANT"
    );
    server.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn engine_info_and_catalog_equal_the_rules_crate() {
    let server = common::start(common::settings()).await;
    let mut client = EstimateServiceClient::new(common::channel(server.addr()).await);
    let info = client
        .get_engine_info(pb::GetEngineInfoRequest {})
        .await
        .unwrap()
        .into_inner();
    let info = stdfund_proto::client::engine_info(info);
    assert_eq!(info, json::engine_info().unwrap());
    assert_eq!(
        json::to_canonical(&info),
        json::to_canonical(&json::engine_info().unwrap())
    );
    assert!(!info.rulesets.is_empty() && info.rulesets[0].hash.starts_with("sha256:"));

    let catalog = client
        .get_catalog(pb::GetCatalogRequest {})
        .await
        .unwrap()
        .into_inner();
    let book = stdfund_rules::ruleset::embedded().unwrap();
    assert_eq!(catalog, stdfund_proto::convert::catalog(book));
    assert_eq!(catalog.rulesets.len(), book.rulesets().len());
    server.shutdown().await.unwrap();
}
