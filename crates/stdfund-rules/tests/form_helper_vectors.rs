//! The shared form-helper vectors (`tests/vectors-forms/form-helpers.json`),
//! run natively; the same file is run through the WASM exports
//! `checkCreditCode`, `normaliseStandardNumber` and `checkSeat` in Node and
//! in Chromium (`wasm/test/`). A refused value may come with the value it was
//! probably meant to be (`Error::meant`), which a form offers as a correction.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

use serde::Deserialize;
use serde_json::Value;
use stdfund_rules::error::Error;
use stdfund_rules::{form, json};

/// One case: the helper, its `input`, and either the `value` it answers or
/// the `error` code it refuses with and the `meant` value it offers (absent:
/// none offered).
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct Case {
    helper: String,
    #[serde(default)]
    note: String,
    input: String,
    value: Option<Value>,
    error: Option<String>,
    meant: Option<String>,
}

const VECTORS: &str = include_str!("../../../tests/vectors-forms/form-helpers.json");

fn cases() -> Vec<Case> {
    serde_json::from_str(VECTORS).expect("form-helpers.json is an array of cases")
}

fn run(c: &Case) -> Result<Value, Error> {
    let canonical = match c.helper.as_str() {
        "checkCreditCode" => form::check_credit_code(&c.input).map(|v| json::to_canonical(&v)),
        "normaliseStandardNumber" => {
            form::normalise_standard_number(&c.input, None).map(|v| json::to_canonical(&v))
        }
        "checkSeat" => form::check_seat(&c.input).map(|v| json::to_canonical(&v)),
        other => panic!("unknown helper {other}"),
    }?;
    Ok(serde_json::from_str(&canonical).unwrap())
}

#[test]
fn every_vector_passes() {
    let cases = cases();
    assert!(cases.len() >= 15, "only {} cases", cases.len());
    for c in &cases {
        let at = format!("{}({:?}) ({})", c.helper, c.input, c.note);
        match (&c.value, &c.error) {
            (Some(want), None) => {
                assert!(c.meant.is_none(), "{at}: `meant` on an accepted case");
                let got = run(c).unwrap_or_else(|e| panic!("{at}: refused: {e}"));
                assert_eq!(&got, want, "{at}");
            }
            (None, Some(code)) => {
                let e = run(c).expect_err(&at);
                assert_eq!(e.code(), code, "{at}");
                assert_eq!(e.meant(), c.meant, "{at}");
            }
            _ => panic!("{at}: a case has either `value` or `error`"),
        }
    }
}

/// What is offered is what the message offers, and it is itself accepted
/// by the same helper, in its canonical form: a form that puts it in the
/// field gets no new error.
#[test]
fn an_offer_is_in_the_message_and_is_accepted() {
    let cases = cases();
    let offers: Vec<(&Case, String)> = cases
        .iter()
        .filter_map(|c| run(c).err().and_then(|e| e.meant()).map(|m| (c, m)))
        .collect();
    assert!(offers.len() >= 5, "only {} offers", offers.len());
    for (c, meant) in offers {
        let e = run(c).unwrap_err();
        let report = e.to_report();
        assert!(
            report.message_zh.contains(&meant),
            "{}: {}",
            c.input,
            report.message_zh
        );
        assert!(
            report.message_en.contains(&meant),
            "{}: {}",
            c.input,
            report.message_en
        );
        let again = Case {
            helper: c.helper.clone(),
            note: String::new(),
            input: meant.clone(),
            value: None,
            error: None,
            meant: None,
        };
        let value = run(&again)
            .unwrap_or_else(|e| panic!("{meant:?} offered for {:?} is refused: {e}", c.input));
        let canonical = value
            .get("creditCode")
            .or_else(|| value.get("canonical"))
            .or_else(|| value.get("seat"))
            .and_then(Value::as_str);
        assert_eq!(canonical, Some(meant.as_str()), "{}", c.input);
    }
}
