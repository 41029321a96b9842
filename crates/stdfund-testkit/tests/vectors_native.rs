//! The shared vectors, run natively: through the typed API and through the
//! JSON boundary. `STDFUND_BLESS=1 cargo test -p stdfund-testkit --test
//! vectors_native` rewrites `expected` after checking every hand-written figure.
#![allow(clippy::panic)]

use stdfund_rules::json;
use stdfund_rules::reasons::ReasonCode;
use stdfund_rules::warnings::WarningCode;
use stdfund_testkit::vectors::{self, Vector};
use strum::IntoEnumIterator;

fn load() -> Vec<Vector> {
    match vectors::load_all(&vectors::vectors_dir()) {
        Ok(v) => v,
        Err(e) => panic!("cannot load vectors: {e}"),
    }
}

#[test]
fn vectors_pass_through_the_json_boundary() {
    let all = load();
    if std::env::var("STDFUND_BLESS").as_deref() == Ok("1") {
        match vectors::bless(&all) {
            Ok(n) => eprintln!("blessed {n} vectors"),
            Err(e) => panic!("cannot bless: {e}"),
        }
        return;
    }
    let failures = vectors::run_all(&all, &mut stdfund_testkit::native);
    assert!(
        failures.is_empty(),
        "{} of {} vectors failed:\n{}",
        failures.len(),
        all.len(),
        failures.join("\n")
    );
}

#[test]
fn the_canonical_writer_agrees_with_the_answer_dtos() {
    // Every answer read into the typed answer DTOs and written back by
    // serde_json gives the canonical writer's bytes: the DTOs (and the
    // TypeScript declarations made from them) describe exactly what is sent.
    for v in load() {
        let Ok(answer) = stdfund_testkit::native(&v.input_json()) else {
            continue;
        };
        let dto: json::dto::EstimateResponse = serde_json::from_str(&answer)
            .unwrap_or_else(|e| panic!("{}: the answer does not read as the DTO: {e}", v.id()));
        assert_eq!(serde_json::to_string(&dto).ok(), Some(answer), "{}", v.id());
    }
}

#[test]
fn every_clause_has_at_least_three_cases() {
    let all = load();
    for n in 1..=9 {
        let prefix = format!("clause-{n}-");
        let count = all.iter().filter(|v| v.group.starts_with(&prefix)).count();
        assert!(
            count >= 3,
            "clause {n} has {count} vectors, needs at least 3"
        );
    }
    for group in [
        "topup",
        "split",
        "identifiers",
        "conflicts-duplicates",
        "dates",
        "what-if",
        "errors",
    ] {
        assert!(
            all.iter().any(|v| v.group == group),
            "no vectors for {group}"
        );
    }
}

#[test]
fn every_reason_and_warning_code_is_exercised() {
    let all = load();
    let text: Vec<String> = all.iter().map(Vector::expected_json).collect();
    for code in ReasonCode::iter().map(ReasonCode::as_str) {
        let needle = format!("\"reasonCode\":\"{code}\"");
        assert!(
            text.iter().any(|t| t.contains(&needle)),
            "no vector exercises reason {code}"
        );
    }
    for code in WarningCode::iter().map(WarningCode::as_str) {
        let needle = format!("\"code\":\"{code}\"");
        assert!(
            text.iter().any(|t| t.contains(&needle)),
            "no vector exercises warning {code}"
        );
    }
    for code in [
        "INVALID_CREDIT_CODE",
        "INVALID_AMOUNT",
        "INVALID_DATE",
        "UNKNOWN_FIELD",
        "INVALID_RULESET",
    ] {
        let needle = format!("\"code\":\"{code}\"");
        assert!(
            text.iter().any(|t| t.contains(&needle)),
            "no vector exercises error {code}"
        );
    }
}

#[test]
fn every_clause_of_the_ruleset_appears_in_the_vectors() {
    let all = load();
    let text: Vec<String> = all.iter().map(Vector::expected_json).collect();
    let catalog = json::catalog().unwrap_or_else(|e| panic!("{e}"));
    for rs in &catalog.rulesets {
        for item in &rs.document.items {
            for v in &item.variants {
                let needle = format!("\"item\":\"{}\",\"variant\":\"{}\"", item.id, v.id);
                let seen = text.iter().any(|t| t.contains(&needle));
                // Discretionary variants share one behaviour; one of them suffices.
                if item.id != "OTHER_ACTIVITY" {
                    assert!(seen, "no vector for {} / {}", item.id, v.id);
                }
            }
        }
    }
}
