//! The conversions between `stdfund.v1` messages and the rules crate: a proto
//! request gives the same answer as its proto3 JSON over every shared vector
//! and thousands of seeded random applications (answers and errors alike);
//! undefined enum numbers reach the engine and are refused there; the
//! catalogue and engine info; and the contract: the proto3 JSON names of the
//! estimate messages are exactly what the rules crate reads and writes.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use prost::Message;
use serde_json::Value;
use stdfund_proto::{client, convert, direct, pb, wire};
use stdfund_rules::json;
use stdfund_rules::json::dto::View;
use stdfund_testkit::wire::Application;
use stdfund_testkit::{answer_json, generate, native, vectors};

fn all_vectors() -> Vec<vectors::Vector> {
    vectors::load_all(&vectors::vectors_dir())
        .unwrap_or_else(|e| panic!("cannot load vectors: {e}"))
}

fn role_number(s: &str) -> i32 {
    if s.is_empty() {
        return 0;
    }
    pb::Role::from_str_name(s).map_or_else(|| s.parse().unwrap_or(99), |r| r as i32)
}

fn level_number(s: &str) -> i32 {
    if s.is_empty() {
        return 0;
    }
    pb::FundingLevel::from_str_name(s).map_or_else(|| s.parse().unwrap_or(99), |l| l as i32)
}

/// The proto message a gRPC client would send for a request (test-side
/// mapping of the JSON shape).
fn to_message(app: &Application) -> pb::EstimateRequest {
    pb::EstimateRequest {
        applicant: Some(pb::Applicant {
            credit_code: app.applicant.credit_code.clone(),
            name: app.applicant.name.clone(),
            seat: app.applicant.seat.clone(),
        }),
        achievements: app
            .achievements
            .iter()
            .map(|a| pb::Achievement {
                id: a.id.clone(),
                item: a.item.clone(),
                variant: a.variant.clone(),
                subject: a.subject.clone(),
                date: a.date.clone(),
                role: role_number(&a.role),
                accepted: a.accepted,
                approved: a.approved,
                higher_level_funding: a
                    .higher_level_funding
                    .iter()
                    .map(|f| pb::Funding {
                        level: level_number(&f.level),
                        amount: f.amount.clone(),
                        source: f.source.clone(),
                    })
                    .collect(),
            })
            .collect(),
        what_if_ruleset: app.what_if_ruleset.clone(),
        view: 0,
    }
}

/// The gRPC path: message → bytes → message → engine → answer JSON.
fn over_the_wire(msg: &pb::EstimateRequest) -> String {
    let decoded = pb::EstimateRequest::decode(msg.encode_to_vec().as_slice()).unwrap();
    assert_eq!(&decoded, msg);
    let answer = convert::estimate(&decoded, None).map_err(|e| e.to_report());
    let answer = answer.map(|a| {
        let back = pb::EstimateResponse::decode(a.encode_to_vec().as_slice()).unwrap();
        client::answer_json(back)
    });
    answer_json(&answer)
}

#[test]
fn every_vector_gives_the_same_answer_over_proto() {
    let all = all_vectors();
    let mut checked = 0;
    for v in &all {
        // Inputs that no proto message can carry (wrong JSON types, unknown
        // fields, a message given as an array) are the JSON boundary's own
        // business: its reader refuses them before any conversion.
        if json::parse_request(&v.input_json()).is_err() {
            continue;
        }
        let Ok(app) = serde_json::from_value::<Application>(v.case.input.clone()) else {
            panic!(
                "{}: read by the engine's JSON reader, not by the test's",
                v.id()
            );
        };
        if !carried_by_proto(&app) {
            continue;
        }
        let answer = over_the_wire(&to_message(&app));
        assert_eq!(
            v.comparable(&answer).unwrap(),
            v.expected_json(),
            "{}",
            v.id()
        );
        checked += 1;
    }
    assert!(checked >= 55, "only {checked} vectors went over proto");
}

#[test]
fn random_applications_give_the_same_answer_over_proto_and_json() {
    let mut checked = 0;
    for seed in 0..3_000u64 {
        let app = generate::application(seed);
        if !carried_by_proto(&app) {
            continue;
        }
        checked += 1;
        let text = json::to_canonical(&app);
        let expected = answer_json(&native(&text));
        assert_eq!(over_the_wire(&to_message(&app)), expected, "seed {seed}");
    }
    assert!(checked > 2_500, "{checked}");
}

/// The answer bytes written straight from the domain ([`wire`]) against
/// prost's encoding of [`convert::to_pb`], in both views, as an
/// EstimateResponse and as an EstimateBatchResponse (answer or error).
fn same_bytes(msg: &pb::EstimateRequest, what: &str) -> bool {
    let req = convert::request(msg);
    let bytes = msg.encode_to_vec();
    assert_eq!(
        direct::estimate_request(&bytes).as_ref(),
        Some(&req),
        "{what}: the direct reading differs from prost + convert::request"
    );
    let mut answered = false;
    for view in [View::Full, View::Summary] {
        let theirs = stdfund_rules::assess(&req, |a| convert::to_pb(a, view).encode_to_vec());
        let ours = stdfund_rules::assess(&req, |a| {
            let mut buf = Vec::new();
            wire::estimate_response(&mut buf, a, view);
            buf
        });
        let batch_ours = stdfund_rules::assess(&req, |a| {
            let mut buf = Vec::new();
            wire::batch_assessment(&mut buf, "req-7", 41, a, view);
            buf
        });
        match (theirs, ours, batch_ours) {
            (Ok(theirs), Ok(ours), Ok(batch_ours)) => {
                assert!(theirs == ours, "{what}, {view:?}: the bytes differ");
                let mut whole = Vec::new();
                wire::estimate(&mut whole, &req, Some(view)).unwrap();
                assert!(whole == ours, "{what}, {view:?}: wire::estimate differs");
                let batch_theirs = pb::EstimateBatchResponse {
                    request_id: "req-7".into(),
                    index: 41,
                    result: Some(pb::estimate_batch_response::Result::Assessment(
                        pb::EstimateResponse::decode(theirs.as_slice()).unwrap(),
                    )),
                }
                .encode_to_vec();
                assert!(
                    batch_theirs == batch_ours,
                    "{what}, {view:?}: the batch bytes differ"
                );
                answered = true;
            }
            (Err(e), Err(_), Err(_)) => {
                let mut none = Vec::new();
                assert!(wire::estimate(&mut none, &req, Some(view)).is_err());
                assert!(none.is_empty(), "{what}: a refusal wrote bytes");
                let report = e.to_report();
                let mut ours = Vec::new();
                let meant = e.meant();
                wire::batch_error(&mut ours, "", 0, &report, meant.as_deref());
                let theirs = pb::EstimateBatchResponse {
                    request_id: String::new(),
                    index: 0,
                    result: Some(pb::estimate_batch_response::Result::Error(
                        convert::error_report(&report, meant.as_deref()),
                    )),
                }
                .encode_to_vec();
                assert!(theirs == ours, "{what}: the error bytes differ");
            }
            _ => panic!("{what}: one encoder answered and the other refused"),
        }
    }
    answered
}

#[test]
fn answers_encoded_from_the_domain_are_prosts_bytes() {
    let mut answered = 0;
    for v in &all_vectors() {
        let Ok(app) = serde_json::from_value::<Application>(v.case.input.clone()) else {
            continue;
        };
        if carried_by_proto(&app) && same_bytes(&to_message(&app), &v.id()) {
            answered += 1;
        }
    }
    assert!(answered >= 50, "only {answered} vectors were answered");
    for seed in 0..3_000u64 {
        let app = generate::application(seed);
        if carried_by_proto(&app) {
            same_bytes(&to_message(&app), &format!("seed {seed}"));
        }
    }
}

/// Whether every enum of the request is a name the contract defines (an
/// unknown name cannot be put into a proto message).
fn carried_by_proto(app: &Application) -> bool {
    app.achievements.iter().all(|a| {
        (a.role.is_empty() || pb::Role::from_str_name(&a.role).is_some())
            && a.higher_level_funding
                .iter()
                .all(|f| f.level.is_empty() || pb::FundingLevel::from_str_name(&f.level).is_some())
    })
}

fn app_with(role: i32, level: i32) -> pb::EstimateRequest {
    pb::EstimateRequest {
        applicant: Some(pb::Applicant {
            credit_code: "91350100M000100Y43".into(),
            name: "测试单位".into(),
            seat: "350102".into(),
        }),
        achievements: vec![pb::Achievement {
            id: "a1".into(),
            item: "STANDARD_LEAD".into(),
            variant: "NATIONAL".into(),
            subject: "GB/T 1-2020".into(),
            date: "2020-05-01".into(),
            role,
            higher_level_funding: vec![pb::Funding {
                level,
                amount: "1.00".into(),
                source: String::new(),
            }],
            ..Default::default()
        }],
        ..Default::default()
    }
}

#[test]
fn an_undefined_enum_number_reaches_the_engine_and_is_rejected_there() {
    let err = convert::estimate(&app_with(7, 2), None).unwrap_err();
    assert_eq!(err.code(), "INVALID_ENUM_VALUE");
    assert_eq!(err.field(), "achievements[0].role");
    assert!(err.to_string().contains("`7`"), "{err}");
    // A JSON caller sending 7 is told the same.
    let text = r#"{"applicant":{"creditCode":"91350100M000100Y43","seat":"350102"},"achievements":[{"id":"a1","item":"STANDARD_LEAD","variant":"NATIONAL","subject":"GB/T 1-2020","date":"2020-05-01","role":7}]}"#;
    let json_err = json::estimate_json(text).unwrap_err();
    assert_eq!(json_err, err.to_report());
    let err = convert::estimate(&app_with(1, 9), None).unwrap_err();
    assert_eq!(err.field(), "achievements[0].higherLevelFunding[0].level");
}

#[test]
fn zero_means_absent() {
    // Role 0 is "not stated"; a funding level 0 is a missing level.
    assert!(convert::estimate(&app_with(0, 2), None).is_ok());
    let err = convert::estimate(&app_with(1, 0), None).unwrap_err();
    assert_eq!(err.code(), "MISSING_FIELD");
    assert!(convert::estimate(&pb::EstimateRequest::default(), None).is_err());
}

#[test]
fn the_summary_view_keeps_figures_and_drops_prose() {
    let msg = app_with(1, 2);
    let full = convert::estimate(&msg, None).unwrap();
    let summary = convert::estimate(&msg, Some(View::Summary)).unwrap();
    assert_eq!(summary.total, full.total);
    assert_eq!(summary.lines[0].payable, full.lines[0].payable);
    assert_eq!(summary.lines[0].reason_code, full.lines[0].reason_code);
    assert_eq!(summary.receipt, full.receipt);
    assert!(summary.lines[0].explanation_zh.is_empty());
    assert!(summary.warnings.iter().all(|w| w.message_zh.is_empty()));
    assert!(!full.lines[0].explanation_zh.is_empty());
    let mut asked = msg.clone();
    asked.view = pb::View::Summary as i32;
    assert_eq!(convert::estimate(&asked, None).unwrap(), summary);
    // The view is not part of the input hash.
    assert_eq!(
        summary.receipt.unwrap().input_hash,
        full.receipt.unwrap().input_hash
    );
}

#[test]
fn catalog_and_engine_info() {
    let book = stdfund_rules::ruleset::embedded().unwrap();
    let msg = convert::catalog(book);
    let decoded = pb::GetCatalogResponse::decode(msg.encode_to_vec().as_slice()).unwrap();
    assert_eq!(decoded, msg);
    let doc = msg.rulesets[0].document.as_ref().unwrap();
    assert_eq!(doc.top_up.as_ref().unwrap().counted_levels, vec![1, 2]);
    assert!(doc.effective_to.is_none());
    assert_eq!(doc.items[0].subject_kind, "STANDARD_NUMBER");
    assert_eq!(doc.jurisdiction.as_ref().unwrap().name_zh, "福州市");
    let info = client::engine_info(convert::engine_info(book));
    assert_eq!(info, json::engine_info().unwrap());
}

// ---------------------------------------------------------------- the contract

fn descriptor(name: &str) -> prost_types::DescriptorProto {
    let fds = prost_types::FileDescriptorSet::decode(stdfund_proto::FILE_DESCRIPTOR_SET).unwrap();
    fds.file
        .iter()
        .filter(|f| f.package() == "stdfund.v1")
        .flat_map(|f| f.message_type.iter())
        .find(|m| m.name() == name)
        .cloned()
        .unwrap_or_else(|| panic!("no message {name}"))
}

fn enum_values(name: &str) -> Vec<String> {
    let fds = prost_types::FileDescriptorSet::decode(stdfund_proto::FILE_DESCRIPTOR_SET).unwrap();
    fds.file
        .iter()
        .flat_map(|f| f.enum_type.iter())
        .find(|e| e.name() == name)
        .map(|e| e.value.iter().map(|v| v.name().to_string()).collect())
        .unwrap_or_else(|| panic!("no enum {name}"))
}

fn keys(v: &Value) -> Vec<String> {
    v.as_object()
        .unwrap_or_else(|| panic!("not an object: {v}"))
        .keys()
        .cloned()
        .collect()
}

#[test]
fn answers_use_the_proto3_json_names_in_field_order() {
    // A vector answer with every part present.
    let v = all_vectors()
        .into_iter()
        .find(|v| v.id() == "topup/non-fiscal-ignored")
        .unwrap();
    let answer: Value = serde_json::from_str(&native(&v.input_json()).unwrap()).unwrap();
    let mut error: Value = serde_json::to_value(stdfund_rules::ErrorReport::default()).unwrap();
    // `meant` follows the four values where the engine offers one (the WASM
    // package and `--error-format json` add it as the last key).
    error["meant"] = Value::from("");
    let info: Value = serde_json::to_value(json::engine_info().unwrap()).unwrap();
    for (message, value) in [
        ("EstimateResponse", &answer),
        ("AssessedApplicant", &answer["applicant"]),
        ("Line", &answer["lines"][0]),
        ("Split", &answer["split"]),
        ("ShareTableUse", &answer["split"]["shareTables"][0]),
        ("Warning", &answer["warnings"][0]),
        ("Receipt", &answer["receipt"]),
        ("RulesetRef", &answer["receipt"]["rulesets"][0]),
        ("ErrorReport", &error),
        ("GetEngineInfoResponse", &info),
    ] {
        let d = descriptor(message);
        let names: Vec<String> = d.field.iter().map(|f| f.json_name().to_string()).collect();
        assert_eq!(names, keys(value), "{message}: proto3 JSON names differ");
        let numbers: Vec<i32> = d.field.iter().map(|f| f.number()).collect();
        let in_order: Vec<i32> = (1..=i32::try_from(numbers.len()).unwrap()).collect();
        assert_eq!(numbers, in_order, "{message}: field numbers out of order");
    }
}

#[test]
fn requests_are_read_by_json_name_and_by_original_name() {
    // Every field of the request messages, under both of its names, is read.
    for (message, path) in [
        ("EstimateRequest", ""),
        ("Applicant", "applicant"),
        ("Achievement", "achievements"),
        ("Funding", "achievements[0].higherLevelFunding"),
    ] {
        for f in descriptor(message).field {
            for name in [f.json_name(), f.name()] {
                let value = match f.r#type() {
                    prost_types::field_descriptor_proto::Type::Bool => "true".to_string(),
                    prost_types::field_descriptor_proto::Type::Enum => "1".to_string(),
                    prost_types::field_descriptor_proto::Type::Message => {
                        if f.label() == prost_types::field_descriptor_proto::Label::Repeated {
                            "[]".to_string()
                        } else {
                            "{}".to_string()
                        }
                    }
                    _ => "\"x\"".to_string(),
                };
                let inner = format!("{{\"{name}\":{value}}}");
                let doc = match path {
                    "" => inner,
                    "applicant" => format!("{{\"applicant\":{inner}}}"),
                    "achievements" => format!("{{\"achievements\":[{inner}]}}"),
                    _ => format!("{{\"achievements\":[{{\"higherLevelFunding\":[{inner}]}}]}}"),
                };
                let parsed = json::parse_request(&doc);
                assert!(
                    parsed.is_ok(),
                    "{message}.{name}: {doc} → {:?}",
                    parsed.err()
                );
            }
        }
    }
}

#[test]
fn enum_value_names_are_the_domain_names() {
    use stdfund_rules::domain::{FundingLevel, LineStatus, Role};
    use stdfund_rules::json::dto::ProtoEnum;
    let roles = enum_values("Role");
    assert_eq!(roles, ["ROLE_UNSPECIFIED", "ROLE_LEAD", "ROLE_PARTICIPANT"]);
    for (i, r) in roles.iter().enumerate() {
        assert_eq!(
            Role::from_name(r).map(Role::number),
            Some(i32::try_from(i).unwrap())
        );
    }
    let levels = enum_values("FundingLevel");
    assert_eq!(levels[0], FundingLevel::UNSPECIFIED);
    for (i, l) in levels.iter().enumerate().skip(1) {
        assert_eq!(
            FundingLevel::from_name(l).map(FundingLevel::number),
            Some(i32::try_from(i).unwrap())
        );
    }
    assert_eq!(
        stdfund_rules::request::FUNDING_LEVELS,
        levels[1..].join(", ")
    );
    let statuses = enum_values("LineStatus");
    for (i, s) in statuses.iter().enumerate().skip(1) {
        assert_eq!(
            LineStatus::from_name(s).map(LineStatus::number),
            Some(i32::try_from(i).unwrap())
        );
    }
    let views = enum_values("View");
    assert_eq!(views[0], View::UNSPECIFIED);
    for (i, v) in views.iter().enumerate().skip(1) {
        assert_eq!(
            View::from_name(v).map(View::number),
            Some(i32::try_from(i).unwrap())
        );
    }
}

#[test]
fn the_descriptor_set_holds_both_services_and_their_imports() {
    let fds = prost_types::FileDescriptorSet::decode(stdfund_proto::FILE_DESCRIPTOR_SET).unwrap();
    let services: Vec<String> = fds
        .file
        .iter()
        .flat_map(|f| {
            f.service
                .iter()
                .map(move |s| format!("{}.{}", f.package(), s.name()))
        })
        .collect();
    assert!(
        services.contains(&stdfund_proto::service_names::ESTIMATE.to_string()),
        "{services:?}"
    );
    assert!(
        services.contains(&stdfund_proto::service_names::REGISTRY.to_string()),
        "{services:?}"
    );
    assert!(
        fds.file
            .iter()
            .any(|f| f.name() == "google/protobuf/timestamp.proto")
    );
    // Comments are kept (reflection clients show them).
    assert!(fds.file.iter().any(|f| {
        f.source_code_info
            .as_ref()
            .is_some_and(|s| !s.location.is_empty())
    }));
}
