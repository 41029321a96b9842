//! The shared vectors, run natively: through the typed API and through the
//! JSON boundary. `STDFUND_BLESS=1 cargo test -p stdfund-testkit --test
//! vectors_native` rewrites `expected` after checking every hand-written figure.
#![allow(clippy::panic)]

use rust_decimal::Decimal;
use std::str::FromStr;
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

/// Every amount of a ruleset is confirmed by a figure a person wrote: some
/// vector's hand-written `check` has an `ELIGIBLE` line of that item and
/// variant, dated inside the ruleset's validity, paying exactly that amount.
/// The amounts are therefore pinned by the vectors alone, and a new variant
/// is the ruleset's JSON plus one vector (ARCHITECTURE.md, "add a clause,
/// item or variant").
#[test]
fn every_amount_of_the_ruleset_is_a_hand_written_figure() {
    let all = load();
    // (item, variant, date, payable) of every hand-checked ELIGIBLE line
    // answered under the embedded rulesets (not a what-if document).
    let mut checked: Vec<(String, String, String, String)> = Vec::new();
    for v in &all {
        let input = &v.case.input;
        if input.get("whatIfRuleset").is_some() {
            continue;
        }
        let achievements = input["achievements"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        for line in v.case.check.lines.iter().filter(|l| l.reason == "ELIGIBLE") {
            let Some(a) = achievements.iter().find(|a| a["id"] == line.id.as_str()) else {
                panic!("{}: check line {} names no achievement", v.id(), line.id);
            };
            let field = |k: &str| a[k].as_str().unwrap_or_default().to_string();
            checked.push((
                field("item"),
                field("variant"),
                field("date"),
                line.payable.clone(),
            ));
        }
    }
    let catalog = json::catalog().unwrap_or_else(|e| panic!("{e}"));
    for rs in &catalog.rulesets {
        let d = &rs.document;
        let within = |date: &str| {
            date >= d.effective_from.as_str()
                && d.effective_to.as_deref().is_none_or(|to| date <= to)
        };
        for item in &d.items {
            for variant in &item.variants {
                let Some(wan) = &variant.amount_wan else {
                    continue;
                };
                let yuan = Decimal::from_str(wan).unwrap_or_else(|e| panic!("{wan}: {e}"))
                    * Decimal::from(10_000);
                let want = format!("{:.2}", yuan);
                let confirmed = checked.iter().any(|(i, v, date, payable)| {
                    *i == item.id && *v == variant.id && within(date) && *payable == want
                });
                assert!(
                    confirmed,
                    "{} {} / {}: no vector's hand-written check has an ELIGIBLE line paying {want}",
                    d.id, item.id, variant.id
                );
            }
        }
    }
}
