//! The conversions between `stdfund.v1` messages and the rules crate's
//! boundary types: lossless round trips over every shared vector and over
//! seeded random applications, the enum mapping (unknown numbers, unknown
//! names), the catalogue and engine info, and a contract check that the proto3
//! JSON names of the estimate messages are the rules crate's JSON names, in
//! the same order.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use prost::Message;
use serde_json::Value;
use stdfund_proto::pb;
use stdfund_rules::json;
use stdfund_rules::model::{
    Achievement, Applicant, Application, AssessedApplicant, Assessment, EngineInfo, Funding, Line,
    Receipt, RulesetRef, ShareTableUse, Split, Warning,
};
use stdfund_rules::{Error, ErrorReport};
use stdfund_testkit::{generate, vectors};

fn all_vectors() -> Vec<vectors::Vector> {
    vectors::load_all(&vectors::vectors_dir())
        .unwrap_or_else(|e| panic!("cannot load vectors: {e}"))
}

/// rules → proto → bytes → proto → rules.
fn through_the_wire(app: &Application) -> Result<Application, Error> {
    let msg = pb::EstimateRequest::try_from(app.clone())?;
    let bytes = msg.encode_to_vec();
    let decoded = pb::EstimateRequest::decode(bytes.as_slice()).unwrap();
    assert_eq!(decoded, msg);
    Ok(Application::from(decoded))
}

#[test]
fn every_vector_input_and_answer_round_trips() {
    let all = all_vectors();
    assert!(
        all.len() >= 50,
        "expected the shared vectors, found {}",
        all.len()
    );
    let mut inputs = 0;
    let mut answers = 0;
    for v in &all {
        if let Ok(app) = json::parse_application(&v.input_json()) {
            match through_the_wire(&app) {
                Ok(back) => {
                    assert_eq!(back, app, "{}", v.id());
                    inputs += 1;
                }
                // Only an enum name the contract does not define fails, with
                // the engine's own answer.
                Err(e) => assert_eq!(Err(e), stdfund_rules::estimate(&app), "{}", v.id()),
            }
        }
        if v.case.expected.get("error").is_none() {
            let a: Assessment = json::parse(&v.expected_json()).unwrap();
            let msg = pb::EstimateResponse::try_from(a.clone()).unwrap();
            let decoded = pb::EstimateResponse::decode(msg.encode_to_vec().as_slice()).unwrap();
            let back = Assessment::from(decoded);
            assert_eq!(
                json::assessment_to_canonical(&back),
                v.expected_json(),
                "{}",
                v.id()
            );
            assert_eq!(back, a);
            answers += 1;
        } else {
            let r: ErrorReport = serde_json::from_value(v.case.expected["error"].clone()).unwrap();
            assert_eq!(ErrorReport::from(pb::ErrorReport::from(r.clone())), r);
        }
    }
    assert!(
        inputs >= 50 && answers >= 40,
        "inputs {inputs}, answers {answers}"
    );
}

#[test]
fn random_applications_round_trip_except_explicit_unspecified() {
    for seed in 0..3000u64 {
        let app = generate::application(seed);
        match through_the_wire(&app) {
            Ok(back) => {
                // The one documented normalisation: an explicit zero name
                // comes back as "" (proto3 has no presence for enums).
                let mut want = app.clone();
                for a in &mut want.achievements {
                    if a.role == "ROLE_UNSPECIFIED" {
                        a.role.clear();
                    }
                }
                assert_eq!(back, want, "seed {seed}");
            }
            Err(e) => {
                assert_eq!(e.code(), "INVALID_ENUM_VALUE", "seed {seed}");
                assert_eq!(Err(e), stdfund_rules::estimate(&app), "seed {seed}");
            }
        }
        if let Ok(a) = stdfund_rules::estimate(&app) {
            let back = Assessment::from(pb::EstimateResponse::try_from(a.clone()).unwrap());
            assert_eq!(back, a, "seed {seed}");
        }
    }
}

fn app_with(role: &str, level: &str) -> Application {
    Application {
        applicant: Applicant {
            credit_code: "91350100M000100Y43".into(),
            name: "示例".into(),
            seat: "350102".into(),
        },
        achievements: vec![Achievement {
            id: "a1".into(),
            item: "AWARD_CHINA".into(),
            variant: "PROJECT_FIRST".into(),
            subject: "GB/T 1-2020".into(),
            date: "2020-05-01".into(),
            role: role.into(),
            higher_level_funding: vec![Funding {
                level: level.into(),
                amount: "1.00".into(),
                source: String::new(),
            }],
            ..Achievement::default()
        }],
        what_if_ruleset: String::new(),
    }
}

#[test]
fn an_undefined_enum_name_fails_as_the_engine_fails() {
    for (role, level) in [
        ("ROLE_BOSS", "FUNDING_LEVEL_PROVINCIAL"),
        ("ROLE_LEAD", "FUNDING_LEVEL_CITY"),
        ("1", "FUNDING_LEVEL_NATIONAL"),
    ] {
        let app = app_with(role, level);
        let converted = pb::EstimateRequest::try_from(app.clone()).map(|_| ());
        let engine = stdfund_rules::estimate(&app).map(|_| ());
        assert!(converted.is_err(), "{role} {level}");
        assert_eq!(converted, engine, "{role} {level}");
    }
}

#[test]
fn an_undefined_enum_number_reaches_the_engine_and_is_rejected_there() {
    let mut msg =
        pb::EstimateRequest::try_from(app_with("ROLE_LEAD", "FUNDING_LEVEL_PROVINCIAL")).unwrap();
    msg.achievements[0].role = 7;
    let app = Application::from(msg.clone());
    assert_eq!(app.achievements[0].role, "7");
    // And back to the same number: lossless.
    assert_eq!(pb::EstimateRequest::try_from(app.clone()).unwrap(), msg);
    let err = stdfund_rules::estimate(&app).unwrap_err();
    assert_eq!(err.code(), "INVALID_ENUM_VALUE");
    assert_eq!(err.field(), "achievements[0].role");
    assert!(err.to_string().contains("`7`"), "{err}");

    msg.achievements[0].role = pb::Role::Lead as i32;
    msg.achievements[0].higher_level_funding[0].level = -3;
    let err = stdfund_rules::estimate(&Application::from(msg)).unwrap_err();
    assert_eq!(err.code(), "INVALID_ENUM_VALUE");
    assert_eq!(err.field(), "achievements[0].higherLevelFunding[0].level");
    assert!(err.to_string().contains("`-3`"), "{err}");
}

#[test]
fn zero_means_absent_in_both_directions() {
    let app = app_with("", "");
    let msg = pb::EstimateRequest::try_from(app.clone()).unwrap();
    assert_eq!(msg.achievements[0].role, 0);
    assert_eq!(msg.achievements[0].higher_level_funding[0].level, 0);
    assert_eq!(Application::from(msg), app);
    let explicit =
        pb::EstimateRequest::try_from(app_with("ROLE_UNSPECIFIED", "FUNDING_LEVEL_UNSPECIFIED"))
            .unwrap();
    assert_eq!(Application::from(explicit), app);
}

#[test]
fn every_defined_enum_name_maps_to_its_number_and_back() {
    for (name, n) in [("ROLE_LEAD", 1), ("ROLE_PARTICIPANT", 2)] {
        let msg = pb::EstimateRequest::try_from(app_with(name, "FUNDING_LEVEL_NATIONAL")).unwrap();
        assert_eq!(msg.achievements[0].role, n);
        assert_eq!(Application::from(msg).achievements[0].role, name);
    }
    for (name, n) in [
        ("FUNDING_LEVEL_NATIONAL", 1),
        ("FUNDING_LEVEL_PROVINCIAL", 2),
        ("FUNDING_LEVEL_COUNTY", 3),
        ("FUNDING_LEVEL_NON_FISCAL", 4),
    ] {
        let msg = pb::EstimateRequest::try_from(app_with("ROLE_LEAD", name)).unwrap();
        assert_eq!(msg.achievements[0].higher_level_funding[0].level, n);
        assert_eq!(
            Application::from(msg).achievements[0].higher_level_funding[0].level,
            name
        );
    }
    use stdfund_rules::engine::status;
    for (name, n) in [
        (status::ELIGIBLE, 1),
        (status::INELIGIBLE, 2),
        (status::PENDING, 3),
        (status::DISCRETIONARY, 4),
    ] {
        let a = Assessment {
            lines: vec![Line {
                status: name.into(),
                ..Line::default()
            }],
            ..Assessment::default()
        };
        let msg = pb::EstimateResponse::try_from(a.clone()).unwrap();
        assert_eq!(msg.lines[0].status, n);
        assert_eq!(Assessment::from(msg), a);
    }
    let bad = Assessment {
        lines: vec![Line {
            status: "LINE_STATUS_MAYBE".into(),
            ..Line::default()
        }],
        ..Assessment::default()
    };
    let err = pb::EstimateResponse::try_from(bad).unwrap_err();
    assert_eq!(err.field(), "lines[0].status");
}

#[test]
fn catalog_and_engine_info_round_trip() {
    let catalog = json::catalog().unwrap();
    let msg = pb::GetCatalogResponse::try_from(catalog.clone()).unwrap();
    let decoded = pb::GetCatalogResponse::decode(msg.encode_to_vec().as_slice()).unwrap();
    let back = stdfund_rules::json::Catalog::try_from(decoded).unwrap();
    assert_eq!(back, catalog);
    assert_eq!(json::to_canonical(&back), json::to_canonical(&catalog));
    let doc = &msg.rulesets[0].document.as_ref().unwrap();
    assert_eq!(doc.top_up.as_ref().unwrap().counted_levels, vec![1, 2]);
    assert!(doc.effective_to.is_none());
    assert_eq!(doc.items[0].subject_kind, "STANDARD_NUMBER");

    let info = json::engine_info().unwrap();
    let back = EngineInfo::from(pb::GetEngineInfoResponse::from(info.clone()));
    assert_eq!(back, info);

    let mut broken = msg;
    broken.rulesets[0].document.as_mut().unwrap().items[1].condition = "SOMETIMES".into();
    let err = stdfund_rules::json::Catalog::try_from(broken).unwrap_err();
    assert_eq!(err.field(), "rulesets[0].document.items[1].condition");
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

fn json_keys<T: serde::Serialize>(v: &T) -> Vec<String> {
    match serde_json::to_value(v).unwrap() {
        Value::Object(m) => m.keys().cloned().collect(),
        other => panic!("not an object: {other}"),
    }
}

#[test]
fn proto3_json_names_are_the_rules_json_names_in_order() {
    let pairs: Vec<(&str, Vec<String>)> = vec![
        ("EstimateRequest", json_keys(&Application::default())),
        ("Applicant", json_keys(&Applicant::default())),
        ("Achievement", json_keys(&Achievement::default())),
        ("Funding", json_keys(&Funding::default())),
        ("EstimateResponse", json_keys(&Assessment::default())),
        (
            "AssessedApplicant",
            json_keys(&AssessedApplicant::default()),
        ),
        ("Line", json_keys(&Line::default())),
        ("Split", json_keys(&Split::default())),
        ("ShareTableUse", json_keys(&ShareTableUse::default())),
        ("Warning", json_keys(&Warning::default())),
        ("Receipt", json_keys(&Receipt::default())),
        ("RulesetRef", json_keys(&RulesetRef::default())),
        ("ErrorReport", json_keys(&ErrorReport::default())),
        ("GetEngineInfoResponse", json_keys(&EngineInfo::default())),
    ];
    for (message, keys) in pairs {
        let d = descriptor(message);
        let names: Vec<String> = d.field.iter().map(|f| f.json_name().to_string()).collect();
        assert_eq!(
            names, keys,
            "{message}: proto3 JSON names differ from the rules crate's"
        );
        let numbers: Vec<i32> = d.field.iter().map(|f| f.number()).collect();
        let in_order: Vec<i32> = (1..=i32::try_from(numbers.len()).unwrap()).collect();
        assert_eq!(
            numbers, in_order,
            "{message}: field numbers must follow the canonical order"
        );
    }
    // The catalogue: every key the rules crate writes is a proto3 JSON name,
    // in the same relative order.
    let catalog = serde_json::to_value(json::catalog().unwrap()).unwrap();
    let doc = &catalog["rulesets"][0]["document"];
    for (message, value) in [
        ("GetCatalogResponse", &catalog),
        ("CatalogRuleset", &catalog["rulesets"][0]),
        ("RulesetDocument", doc),
        ("GrantItem", &doc["items"][1]),
        ("GrantVariant", &doc["items"][1]["variants"][4]),
        ("TopUpRule", &doc["topUp"]),
        ("ShareTable", &doc["shareTable"]),
        ("ShareRatio", &doc["shareTable"]["ratios"][0]),
        ("FiscalUnit", &doc["fiscalUnits"][5]),
        ("ExcludedSeat", &doc["excludedSeats"][0]),
        ("WorkTarget", &doc["targets2020"][0]),
    ] {
        let names: Vec<String> = descriptor(message)
            .field
            .iter()
            .map(|f| f.json_name().to_string())
            .collect();
        let keys: Vec<String> = value
            .as_object()
            .unwrap_or_else(|| panic!("{message}"))
            .keys()
            .cloned()
            .collect();
        let positions: Vec<usize> = keys
            .iter()
            .map(|k| {
                names
                    .iter()
                    .position(|n| n == k)
                    .unwrap_or_else(|| panic!("{message}: `{k}` is not in the proto"))
            })
            .collect();
        assert!(
            positions.windows(2).all(|w| w[0] < w[1]),
            "{message}: order differs: {keys:?} vs {names:?}"
        );
    }
}

#[test]
fn enum_value_names_are_the_strings_the_engine_uses() {
    use stdfund_rules::engine::status;
    use stdfund_rules::model::{FundingLevel, Role};
    let roles = enum_values("Role");
    assert_eq!(roles, ["ROLE_UNSPECIFIED", "ROLE_LEAD", "ROLE_PARTICIPANT"]);
    assert!(roles.iter().all(|r| Role::parse(r).is_some()));
    assert_eq!(stdfund_proto::convert::ROLE_EXPECTED, roles.join(", "));
    let levels = enum_values("FundingLevel");
    assert_eq!(levels[0], "FUNDING_LEVEL_UNSPECIFIED");
    assert!(levels[1..].iter().all(|l| FundingLevel::parse(l).is_some()));
    assert_eq!(
        stdfund_proto::convert::FUNDING_LEVEL_EXPECTED,
        levels[1..].join(", ")
    );
    assert_eq!(
        enum_values("LineStatus"),
        [
            "LINE_STATUS_UNSPECIFIED",
            status::ELIGIBLE,
            status::INELIGIBLE,
            status::PENDING,
            status::DISCRETIONARY
        ]
    );
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
