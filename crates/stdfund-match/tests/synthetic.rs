//! The matcher against a synthetic register of more than 10,000 enterprises
//! and feeds shaped like the real announcements: every unit's outcome equals
//! the one the generator worked out independently, and every outcome class
//! and basis occurs.
#![allow(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    clippy::panic,
    clippy::arithmetic_side_effects
)]

use std::collections::BTreeMap;
use stdfund_match::synth::{self, SynthConfig};
use stdfund_match::{FeedKind, Matcher, Options, RegisterIndex};

fn config() -> SynthConfig {
    SynthConfig {
        seed: 20_161_026,
        enterprises: 10_000,
        feed_rows: 3_000,
    }
}

#[test]
fn every_outcome_is_the_expected_one() {
    let data = synth::generate(config());
    assert!(data.register.len() >= 10_000, "{}", data.register.len());
    let index = RegisterIndex::build(data.register.clone());
    assert!(index.duplicate_codes().is_empty());
    let mut matcher = Matcher::new(&index);
    for kind in &FeedKind::ALL[1..] {
        for record in data.feed(*kind) {
            matcher.push(kind.id(), record);
        }
    }
    let mentions = matcher.mentions();
    assert_eq!(mentions.len(), data.expected.len());
    let mut classes: BTreeMap<(&str, &str), usize> = BTreeMap::new();
    let mut wrong = Vec::new();
    for (m, e) in mentions.iter().zip(&data.expected) {
        assert_eq!((m.feed, m.row, m.rank), (e.feed, e.row, e.rank));
        let got: Vec<String> = m
            .outcome
            .candidates()
            .iter()
            .map(|id| index.get(*id).unwrap().credit_code.clone())
            .collect();
        if (m.outcome.code(), m.outcome.basis_code(), &got) != (e.outcome, e.basis, &e.candidates) {
            wrong.push(format!(
                "{} r{} u{} `{}` code {:?}: got {} {} {:?}, expected {} {} {:?}",
                m.feed.id(),
                m.row,
                m.rank,
                m.unit.name,
                m.unit.code,
                m.outcome.code(),
                m.outcome.basis_code(),
                got,
                e.outcome,
                e.basis,
                e.candidates
            ));
        }
        *classes.entry((e.outcome, e.basis)).or_default() += 1;
    }
    assert!(
        wrong.is_empty(),
        "{} of {} differ:\n{}",
        wrong.len(),
        mentions.len(),
        wrong[..wrong.len().min(30)].join("\n")
    );
    for class in [
        ("EXACT_CODE", "CREDIT_CODE"),
        ("EXACT_NAME", "LITERAL_NAME"),
        ("EXACT_NAME", "NORMALISED_NAME"),
        ("FUZZY", "BRANCH_OF_COMPANY"),
        ("FUZZY", "LEGAL_FORM_DIFFERS"),
        ("FUZZY", "ONE_CHARACTER_DIFFERS"),
        ("FUZZY", "CODE_NAME_MISMATCH"),
        ("FUZZY", "CODE_NOT_IN_REGISTER"),
        ("AMBIGUOUS", "SEVERAL_CANDIDATES"),
        ("NONE", "NOT_IN_REGISTER"),
        ("NONE", "NO_ENTERPRISE_PUBLIC_BODY"),
    ] {
        assert!(
            classes.get(&class).copied().unwrap_or(0) >= 3,
            "{class:?} too rare: {classes:?}"
        );
    }
    let report = matcher.finish(&|_| false, &Options::default());
    assert!(!report.enterprises.is_empty());
}
