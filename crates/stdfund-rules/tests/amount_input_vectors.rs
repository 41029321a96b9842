//! The shared amount-input vectors (`tests/vectors-forms/amount-input.json`),
//! run natively; the same file is run through the WASM export in Node and in
//! Chromium (`wasm/test/`). Also: every plain yuan string the estimate accepts
//! is read the same way by the form helper.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::arithmetic_side_effects,
    missing_docs
)]

use proptest::prelude::*;
use serde::Deserialize;
use stdfund_rules::amount_input::{AmountInputError, normalise_amount, parse_amount_input};
use stdfund_rules::money::Money;

/// One case: an `input` and either the `yuan` it means (with optional
/// display fields) or the `error` code and `problem` kind it is refused with.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct Case {
    #[serde(default)]
    note: String,
    input: String,
    yuan: Option<String>,
    wan: Option<String>,
    wan_text: Option<String>,
    text_zh: Option<String>,
    text_en: Option<String>,
    error: Option<String>,
    problem: Option<String>,
}

const VECTORS: &str = include_str!("../../../tests/vectors-forms/amount-input.json");

fn cases() -> Vec<Case> {
    serde_json::from_str(VECTORS).expect("amount-input.json is an array of cases")
}

#[test]
fn every_vector_passes() {
    let cases = cases();
    assert!(cases.len() >= 40, "only {} cases", cases.len());
    for c in &cases {
        let at = format!("input {:?} ({})", c.input, c.note);
        match (&c.yuan, &c.error) {
            (Some(yuan), None) => {
                let d = normalise_amount(&c.input).unwrap_or_else(|e| panic!("{at}: {e}"));
                assert_eq!(&d.yuan, yuan, "{at}");
                // What the form sends is what the estimate reads.
                assert_eq!(
                    Money::parse_yuan(&d.yuan).map(Money::to_canonical),
                    Ok(d.yuan.clone()),
                    "{at}"
                );
                for (want, got) in [
                    (&c.wan, &d.wan),
                    (&c.wan_text, &d.wan_text),
                    (&c.text_zh, &d.text_zh),
                    (&c.text_en, &d.text_en),
                ] {
                    if let Some(want) = want {
                        assert_eq!(want, got, "{at}");
                    }
                }
            }
            (None, Some(code)) => {
                assert!(
                    c.wan.is_none() && c.text_zh.is_none(),
                    "{at}: display fields on an error case"
                );
                let e = parse_amount_input(&c.input).expect_err(&at);
                assert_eq!(e.code(), code, "{at}");
                let problem = c
                    .problem
                    .as_deref()
                    .unwrap_or_else(|| panic!("{at}: no problem kind"));
                assert_eq!(e.problem(), problem, "{at}");
            }
            _ => panic!("{at}: a case has either `yuan` or `error`"),
        }
    }
}

#[test]
fn the_vectors_cover_every_form_and_problem() {
    let cases = cases();
    let accepted: Vec<&str> = cases
        .iter()
        .filter(|c| c.yuan.is_some())
        .map(|c| c.input.as_str())
        .collect();
    for form in [
        "100000",
        "100,000",
        "１００，０００",
        "10万",
        "10.5万元",
        "0.0001万",
        "100000元",
        "¥100,000",
    ] {
        assert!(accepted.contains(&form), "no accepted case `{form}`");
    }
    assert!(
        accepted.iter().any(|s| s.starts_with('　')),
        "no case with ideographic spaces"
    );
    let problems: Vec<&str> = cases.iter().filter_map(|c| c.problem.as_deref()).collect();
    for e in [
        AmountInputError::Empty,
        AmountInputError::Syntax,
        AmountInputError::Grouping,
        AmountInputError::Negative,
        AmountInputError::TooPrecise { wan: false },
        AmountInputError::TooLarge,
    ] {
        assert!(
            problems.contains(&e.problem()),
            "no case for {}",
            e.problem()
        );
    }
}

proptest! {
    /// A plain yuan string the estimate accepts means the same amount here,
    /// and a refused one is refused here too (the form is a superset).
    #[test]
    fn agrees_with_the_estimate_on_plain_yuan(s in "[0-9]{0,15}(\\.[0-9]{0,3})?") {
        match Money::parse_yuan(&s) {
            Ok(m) => prop_assert_eq!(parse_amount_input(&s), Ok(m)),
            Err(_) => prop_assert!(parse_amount_input(&s).is_err()),
        }
    }

    /// Grouping, full width, a unit and white space never change the amount.
    #[test]
    fn written_forms_agree(int in 0u64..10_000_000_000, fen in 0u32..100) {
        let plain = format!("{int}.{fen:02}");
        let want = Money::parse_yuan(&plain).map_err(|_| AmountInputError::Syntax);
        let grouped = stdfund_rules::amount_input::group_thousands(&plain);
        let wide: String = grouped.chars().map(|c| match c {
            '0'..='9' => char::from_u32(u32::from(c) - 0x30 + 0xFF10).unwrap(),
            ',' => '，',
            '.' => '．',
            c => c,
        }).collect();
        for form in [plain.clone(), grouped.clone(), format!("　{wide}元 "), format!("¥{grouped}")] {
            prop_assert_eq!(parse_amount_input(&form), want, "{}", form);
        }
        // Whole yuan in 万: int / 10000 with four decimals.
        let wan = format!("{}.{:04}万", int / 10_000, int % 10_000);
        prop_assert_eq!(
            parse_amount_input(&wan).map(Money::to_canonical),
            Ok(format!("{int}.00"))
        );
    }

    /// Nothing panics, and the answer is stable under re-normalisation.
    #[test]
    fn any_text_is_answered(s in "[0-9,.，．０-９万元¥ 　+-]{0,14}|\\PC{0,24}") {
        if let Ok(m) = parse_amount_input(&s) {
            prop_assert_eq!(parse_amount_input(&m.to_canonical()), Ok(m));
            let d = normalise_amount(&s).unwrap();
            prop_assert_eq!(parse_amount_input(&d.yuan_text), Ok(m));
            // 万 takes at most four decimals: whole yuan round-trip through it.
            if m.as_decimal().fract().is_zero() {
                prop_assert_eq!(parse_amount_input(&d.wan_text), Ok(m));
            }
        }
    }
}
