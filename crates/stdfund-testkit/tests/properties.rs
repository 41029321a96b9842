//! Properties over seeded random applications (the generator covers every
//! item, variant, reason code and edge): amounts are bounded and add up to
//! the fen, answers are deterministic, and the order of achievements changes
//! nothing but which duplicate is flagged.
#![allow(clippy::arithmetic_side_effects, clippy::panic)]

use proptest::prelude::*;
use rust_decimal::Decimal;
use std::collections::BTreeMap;
use std::str::FromStr;
use stdfund_rules::json;
use stdfund_rules::json::dto::EstimateResponse as Assessment;
use stdfund_rules::reasons::ReasonCode;
use stdfund_testkit::generate::{self, Rng};
use stdfund_testkit::wire::Application;
use strum::IntoEnumIterator;

fn dec(s: &str) -> Decimal {
    Decimal::from_str(s).unwrap_or_else(|e| panic!("`{s}` is not a decimal: {e}"))
}

/// The answer to a generated application, read into the answer DTO.
fn estimate(app: &Application) -> Result<Assessment, stdfund_rules::ErrorReport> {
    let answer = json::estimate_json(&json::to_canonical(app))?;
    serde_json::from_str(&answer).map_err(|e| stdfund_rules::ErrorReport {
        code: "UNREADABLE_ANSWER".into(),
        field: String::new(),
        message_zh: String::new(),
        message_en: e.to_string(),
    })
}

fn assess(app: &Application) -> Option<Assessment> {
    estimate(app).ok()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, .. ProptestConfig::default() })]

    #[test]
    fn amounts_are_bounded_and_add_up(seed in any::<u64>()) {
        let app = generate::application(seed);
        if let Some(a) = assess(&app) {
            let mut total = Decimal::ZERO;
            let mut municipal = Decimal::ZERO;
            let mut district = Decimal::ZERO;
            for l in &a.lines {
                let p = dec(&l.payable);
                prop_assert!(p >= Decimal::ZERO);
                prop_assert!(p <= dec(&l.municipal_amount), "payable {} > municipal {}", l.payable, l.municipal_amount);
                prop_assert_eq!(dec(&l.municipal_share) + dec(&l.district_share), p);
                if l.reason_code != "ELIGIBLE" {
                    prop_assert_eq!(p, Decimal::ZERO);
                }
                total += p;
                municipal += dec(&l.municipal_share);
                district += dec(&l.district_share);
            }
            prop_assert_eq!(dec(&a.total), total);
            prop_assert_eq!(dec(&a.split.municipal_share), municipal);
            prop_assert_eq!(dec(&a.split.district_share), district);
            prop_assert_eq!(dec(&a.split.municipal_share) + dec(&a.split.district_share), dec(&a.total));
            if !a.applicant.inside_fuzhou {
                prop_assert!(a.lines.iter().all(|l| l.reason_code == "OUTSIDE_FUZHOU"));
            }
        }
    }

    #[test]
    fn same_input_same_bytes(seed in any::<u64>()) {
        let app = generate::application(seed);
        let text = json::to_canonical(&app);
        let first = json::estimate_json(&text);
        let again = json::estimate_json(&text);
        prop_assert_eq!(&first, &again);
        // Other white space and field order in the request change nothing.
        let value: serde_json::Value = serde_json::from_str(&text).unwrap_or_default();
        let pretty = serde_json::to_string_pretty(&value).unwrap_or_default();
        prop_assert_eq!(&first, &json::estimate_json(&pretty));
    }

    #[test]
    fn order_changes_only_which_duplicate_is_flagged(seed in any::<u64>()) {
        let app = generate::application(seed);
        let Some(a) = assess(&app) else { return Ok(()) };
        let mut shuffled = app.clone();
        let mut rng = Rng::new(seed ^ 0x5eed);
        for i in (1..shuffled.achievements.len()).rev() {
            let j = rng.below(i + 1);
            shuffled.achievements.swap(i, j);
        }
        let b = assess(&shuffled);
        prop_assert!(b.is_some(), "reordering must not make a valid application invalid");
        let Some(b) = b else { return Ok(()) };
        // Keys held by more than one line: those lines may trade places as the duplicate.
        let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
        for l in &a.lines {
            *counts.entry(l.one_time_key.as_str()).or_default() += 1;
        }
        let by_id: BTreeMap<&str, _> = b.lines.iter().map(|l| (l.achievement_id.as_str(), l)).collect();
        for l in &a.lines {
            let other = by_id.get(l.achievement_id.as_str());
            prop_assert!(other.is_some());
            if counts.get(l.one_time_key.as_str()).copied().unwrap_or(0) > 1 {
                continue;
            }
            prop_assert_eq!(Some(&l), other);
        }
        if counts.values().all(|&n| n == 1) {
            prop_assert_eq!(&a.total, &b.total);
            prop_assert_eq!(&a.split, &b.split);
        }
    }
}

#[test]
fn the_generator_reaches_every_reason_code_and_error() {
    let mut reasons = std::collections::BTreeSet::new();
    let mut errors = std::collections::BTreeSet::new();
    let mut what_if = 0;
    for seed in 0..5_000u64 {
        let app = generate::application(seed);
        match estimate(&app) {
            Ok(a) => {
                what_if += usize::from(a.what_if);
                for l in a.lines {
                    reasons.insert(l.reason_code);
                }
            }
            Err(e) => {
                errors.insert(e.code);
            }
        }
    }
    for code in ReasonCode::iter().map(ReasonCode::as_str) {
        assert!(
            reasons.contains(code),
            "the generator never produced {code}"
        );
    }
    assert!(
        errors.len() >= 5,
        "the generator produced too few kinds of error: {errors:?}"
    );
    assert!(
        what_if > 0,
        "the generator never produced a what-if request"
    );
}

#[test]
fn an_unspecified_role_hashes_like_an_omitted_one() {
    let base = r#"{"applicant":{"creditCode":"91350100M000100Y43","seat":"350102"},"achievements":[{"id":"a","item":"GOOD_BEHAVIOUR","variant":"AAA","subject":"X","date":"2020-01-01"ROLE}]}"#;
    let hash = |role: &str| {
        let text = base.replace("ROLE", role);
        let a = json::estimate_json(&text).unwrap_or_else(|e| panic!("{e:?}"));
        let a: Assessment = serde_json::from_str(&a).unwrap_or_else(|e| panic!("{e}"));
        a.receipt.input_hash
    };
    assert_eq!(hash(""), hash(r#","role":"ROLE_UNSPECIFIED""#));
    assert_eq!(hash(""), hash(r#","role":"""#));
    assert_ne!(hash(""), hash(r#","role":"ROLE_LEAD""#));
}

#[test]
fn the_canonical_writer_matches_serde_json_over_the_dtos() {
    let mut checked = 0;
    for seed in 0..3_000u64 {
        let text = json::to_canonical(&generate::application(seed));
        if let Ok(answer) = json::estimate_json(&text) {
            let dto: Assessment = serde_json::from_str(&answer).unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(json::to_canonical(&dto), answer, "seed {seed}");
            checked += 1;
        }
    }
    assert!(checked > 2_500);
}
