//! # stdfund-wasm
//!
//! The WebAssembly adapter over `stdfund-rules`, published as the npm package
//! `@stdfund/rules`. Every export converts its arguments, calls the rules
//! crate, and converts the answer back; no rule, amount or message is decided
//! here.
//!
//! Invariants:
//! - Nothing throws and nothing panics: a call that can fail answers a result
//!   object, `{ok: true, value}` or `{ok: false, error: {code, field,
//!   messageZh, messageEn}}`, the error being the rules crate's `ErrorReport`.
//! - Inputs given as objects are turned into JSON text with `JSON.stringify`
//!   and read by the same parser as JSON text, so an object and its JSON text
//!   (and the gRPC service's proto3 JSON) are treated identically.
//! - Answers cross as the rules crate's canonical JSON; the object variants
//!   are `JSON.parse` of those exact bytes, so money stays a decimal string.
//!
//! Every type in the `.d.ts` comes from the rules crate's DTOs through
//! `tsify` (its `ts` feature); [`TS_DECLARATIONS`] adds only the result
//! envelope.
#![cfg(target_arch = "wasm32")]

use js_sys::{JSON, JsString, Object, Reflect};
use stdfund_rules::amount_input;
use stdfund_rules::error::{Error, ErrorReport};
use stdfund_rules::{form, json};
use wasm_bindgen::prelude::*;

/// TypeScript for the result union and the shapes that are not rules DTOs.
#[wasm_bindgen(typescript_custom_section)]
pub const TS_DECLARATIONS: &str = r#"
/** The problem kind of an `INVALID_AMOUNT` from `normaliseAmount`. */
export type AmountProblem = "EMPTY" | "SYNTAX" | "GROUPING" | "NEGATIVE" | "TOO_PRECISE" | "TOO_LARGE";

/** A typed amount, read into exact yuan and written for people. */
export interface AmountDisplay {
    /** The canonical yuan string an estimate takes: `"105000.00"`. */
    yuan: string;
    /** In 万元 without trailing zeros: `"10.5"`. */
    wan: string;
    /** `"105,000.00 元"`. */
    yuanText: string;
    /** `"10.5 万元"`. */
    wanText: string;
    /** `"105,000.00 元（10.5 万元）"` (only the yuan for zero). */
    textZh: string;
    /** `"105,000.00 yuan"`. */
    textEn: string;
}

/** The answer of `normaliseAmount`: an `INVALID_AMOUNT` error also says which problem it is. */
export type AmountResult = { ok: true; value: AmountDisplay } | { ok: false; error: ErrorReport & { problem?: AmountProblem } };

/** Every fallible call answers this: the value, or a structured error with a stable code. Nothing throws. */
export type Result<T> = { ok: true; value: T } | { ok: false; error: ErrorReport };

/**
 * The answer of a field helper (`checkCreditCode`, `normaliseStandardNumber`, `checkSeat`) and of the
 * estimates (`estimate`, `estimateCanonical`, `whatIf`, `whatIfCanonical`): a refused
 * value may come with `meant`, the value it was probably meant to be, written as the field
 * takes it (`9135O100…` → `91350100…`, `GB/T 12345一2020` → `GB/T 12345-2020`, an amount given
 * as the number `100000.5` → `"100000.50"`, `"role": "lead"` → `ROLE_LEAD`). The message
 * offers the same value; a form can offer it as a one-click correction. It is never read in
 * place of the input.
 */
export type FieldResult<T> = { ok: true; value: T } | { ok: false; error: ErrorReport & { meant?: string } };

/** Names the package has always used for the catalogue's document types. */
export type FiscalUnit = FiscalUnitDoc;

/** The package's names for `stdfund.v1.EstimateRequest` and `stdfund.v1.EstimateResponse`. */
export type Application = EstimateRequest;
export type Assessment = EstimateResponse;
"#;

/// `{ok: true, value}`.
fn ok(value: &JsValue) -> JsValue {
    let o = Object::new();
    let _ = Reflect::set(&o, &JsValue::from_str("ok"), &JsValue::TRUE);
    let _ = Reflect::set(&o, &JsValue::from_str("value"), value);
    o.into()
}

/// `{ok: false, error: {code, field, messageZh, messageEn}}`.
fn err(report: &ErrorReport) -> JsValue {
    let e = Object::new();
    for (key, value) in [
        ("code", &report.code),
        ("field", &report.field),
        ("messageZh", &report.message_zh),
        ("messageEn", &report.message_en),
    ] {
        let _ = Reflect::set(&e, &JsValue::from_str(key), &JsValue::from_str(value));
    }
    let o = Object::new();
    let _ = Reflect::set(&o, &JsValue::from_str("ok"), &JsValue::FALSE);
    let _ = Reflect::set(&o, &JsValue::from_str("error"), &e);
    o.into()
}

/// The result object of canonical JSON, parsed into a JS value.
fn parsed(answer: Result<String, ErrorReport>) -> JsValue {
    match answer {
        Ok(text) => match JSON::parse(&text) {
            Ok(value) => ok(&value),
            // serde_json's output is always JSON; this only guards the boundary.
            Err(_) => err(&ErrorReport {
                code: "INTERNAL".into(),
                field: String::new(),
                message_zh: "结果无法转换为JavaScript值".into(),
                message_en: "the answer could not be converted to a JavaScript value".into(),
            }),
        },
        Err(report) => err(&report),
    }
}

/// `answer` (an error result) with one more key on its `error`, when there
/// is a value for it.
fn with_error_key(answer: JsValue, key: &str, value: Option<&str>) -> JsValue {
    if let Some(value) = value
        && let Ok(error) = Reflect::get(&answer, &JsValue::from_str("error"))
    {
        let _ = Reflect::set(&error, &JsValue::from_str(key), &JsValue::from_str(value));
    }
    answer
}

/// The result object of a field helper: its value (canonical JSON) as a
/// parsed object, or the error with the value it was probably meant to be
/// (`meant`), when the rules crate offers one.
fn field_result(answer: Result<String, Error>) -> JsValue {
    match answer {
        Ok(value) => parsed(Ok(value)),
        Err(e) => with_error_key(err(&e.to_report()), "meant", e.meant().as_deref()),
    }
}

/// The result object of canonical JSON, kept as text.
fn text(answer: Result<String, ErrorReport>) -> JsValue {
    match answer {
        Ok(text) => ok(&JsValue::from_str(&text)),
        Err(report) => err(&report),
    }
}

/// JSON text of an argument given as JSON text or as an object.
fn json_text(value: &JsValue, path: &str, what: &str) -> Result<String, Error> {
    if let Some(s) = value.as_string() {
        // `as_string` replaces a lone surrogate with U+FFFD; a genuine U+FFFD
        // is rare, so only then are the code units looked at.
        if s.contains('\u{FFFD}')
            && let Some((line, column)) = unpaired_surrogate(value)
        {
            return Err(Error::UnpairedSurrogate {
                path: path.into(),
                line,
                column,
            });
        }
        // A byte-order mark before JSON text (a file saved by Notepad or
        // WPS, read as text) is no part of it, as `stdfund estimate` reads it.
        return Ok(match s.strip_prefix('\u{FEFF}') {
            Some(rest) => rest.to_owned(),
            None => s,
        });
    }
    let invalid = |message: String| Error::InvalidJson {
        path: path.into(),
        message,
        line: 0,
        column: 0,
    };
    if value.is_undefined() || value.is_null() {
        return Err(invalid(format!("expected {what} (an object or JSON text)")));
    }
    match JSON::stringify(value) {
        Ok(s) => s
            .as_string()
            .ok_or_else(|| invalid(format!("expected {what} (an object or JSON text)"))),
        Err(e) => Err(invalid(format!(
            "{what} cannot be turned into JSON: {}",
            e.dyn_ref::<js_sys::Error>().map_or_else(
                || String::from("JSON.stringify failed"),
                |e| String::from(e.message())
            )
        ))),
    }
}

/// The line and column (1-based, in characters) of the first code unit of a
/// JavaScript string that is half of a surrogate pair, if any.
fn unpaired_surrogate(value: &JsValue) -> Option<(usize, usize)> {
    let text = value.dyn_ref::<JsString>()?;
    let (mut line, mut column) = (1, 1);
    for c in std::char::decode_utf16(text.iter()) {
        match c {
            Ok('\n') => {
                line = usize::saturating_add(line, 1);
                column = 1;
            }
            Ok(_) => column = usize::saturating_add(column, 1),
            Err(_) => return Some((line, column)),
        }
    }
    None
}

/// A string argument, or `INVALID_TYPE`.
fn string_arg(value: &JsValue, path: &str) -> Result<String, ErrorReport> {
    value.as_string().ok_or_else(|| {
        Error::InvalidType {
            path: path.into(),
            message: "expected a string".into(),
        }
        .to_report()
    })
}

fn estimate_answer(app: &JsValue) -> Result<String, Error> {
    json_text(app, "", "an application").and_then(|t| json::estimate_text(&t))
}

fn what_if_answer(app: &JsValue, ruleset: &JsValue) -> Result<String, Error> {
    let app = json_text(app, "", "an application")?;
    let ruleset = json_text(ruleset, "whatIfRuleset", "a ruleset document")?;
    json::what_if_text(&app, &ruleset)
}

/// An estimate's result object in `shape` (parsed or text), its error with
/// the value it was probably meant to be (`meant`) when the rules crate
/// offers one, as the field helpers give it (gRPC's `ErrorInfo` carries the
/// same value).
fn offering(
    answer: Result<String, Error>,
    shape: fn(Result<String, ErrorReport>) -> JsValue,
) -> JsValue {
    match answer {
        Ok(value) => shape(Ok(value)),
        Err(e) => with_error_key(shape(Err(e.to_report())), "meant", e.meant().as_deref()),
    }
}

/// Estimates an application (the proto3 JSON of `EstimateRequest`, as an
/// object or as JSON text).
#[wasm_bindgen(js_name = estimate, unchecked_return_type = "FieldResult<Assessment>")]
pub fn estimate(
    #[wasm_bindgen(unchecked_param_type = "Application | string")] application: JsValue,
) -> JsValue {
    offering(estimate_answer(&application), parsed)
}

/// Like `estimate`, answering the assessment as canonical JSON text: the
/// bytes every executor (native, WASM, gRPC) must agree on.
#[wasm_bindgen(js_name = estimateCanonical, unchecked_return_type = "FieldResult<string>")]
pub fn estimate_canonical(
    #[wasm_bindgen(unchecked_param_type = "Application | string")] application: JsValue,
) -> JsValue {
    offering(estimate_answer(&application), text)
}

/// Estimates an application under an alternative ruleset document (object or
/// JSON text) instead of the rulesets in force; the same as `estimate` with
/// `whatIfRuleset` set to that document.
#[wasm_bindgen(js_name = whatIf, unchecked_return_type = "FieldResult<Assessment>")]
pub fn what_if(
    #[wasm_bindgen(unchecked_param_type = "Application | string")] application: JsValue,
    #[wasm_bindgen(unchecked_param_type = "RulesetDoc | string")] ruleset: JsValue,
) -> JsValue {
    offering(what_if_answer(&application, &ruleset), parsed)
}

/// Like `whatIf`, answering canonical JSON text.
#[wasm_bindgen(js_name = whatIfCanonical, unchecked_return_type = "FieldResult<string>")]
pub fn what_if_canonical(
    #[wasm_bindgen(unchecked_param_type = "Application | string")] application: JsValue,
    #[wasm_bindgen(unchecked_param_type = "RulesetDoc | string")] ruleset: JsValue,
) -> JsValue {
    offering(what_if_answer(&application, &ruleset), text)
}

/// Every ruleset the engine knows: items, variants, amounts, clauses,
/// citations, fiscal units, share tables, with their hashes.
#[wasm_bindgen(js_name = catalogue, unchecked_return_type = "Result<Catalog>")]
pub fn catalogue() -> JsValue {
    parsed(
        json::catalog()
            .map(|c| json::to_canonical(&c))
            .map_err(|e| e.to_report()),
    )
}

/// The engine version and the embedded rulesets' ids, versions, dates and
/// hashes: what the page compares with the server's `GetEngineInfo`.
#[wasm_bindgen(js_name = engineInfo, unchecked_return_type = "Result<EngineInfo>")]
pub fn engine_info() -> JsValue {
    parsed(
        json::engine_info()
            .map(|i| json::to_canonical(&i))
            .map_err(|e| e.to_report()),
    )
}

/// Reads an amount as a clerk types it (`100,000`, `１００，０００`, `10万`,
/// `10.5万元`) into exact yuan, with its display in 元 and 万元. A refused
/// text is `INVALID_AMOUNT` with a `problem` (`EMPTY`, `SYNTAX`, `GROUPING`,
/// `NEGATIVE`, `TOO_PRECISE`, `TOO_LARGE`) and a message for the clerk.
#[wasm_bindgen(js_name = normaliseAmount, unchecked_return_type = "AmountResult")]
pub fn normalise_amount(#[wasm_bindgen(unchecked_param_type = "string")] text: JsValue) -> JsValue {
    let raw = match string_arg(&text, "amount") {
        Ok(raw) => raw,
        Err(report) => return err(&report),
    };
    match amount_input::normalise_amount(&raw) {
        Ok(display) => parsed(Ok(json::to_canonical(&display))),
        Err(e) => with_error_key(err(&e.to_report("")), "problem", Some(e.problem())),
    }
}

/// Checks a unified social credit code (GB 32100-2015) as the estimate does:
/// trimmed, upper-cased, check character compared. A wrong check character is
/// `checkPassed: false` (a warning in an estimate); a wrong length or alphabet
/// is the error `INVALID_CREDIT_CODE`.
/// A refused code comes with `meant` when the code meant is clear
/// (`9135O100M000100Y43` → `91350100M000100Y43`, docs/DECISIONS.md D29).
#[wasm_bindgen(js_name = checkCreditCode, unchecked_return_type = "FieldResult<CreditCodeCheck>")]
pub fn check_credit_code(
    #[wasm_bindgen(unchecked_param_type = "string")] code: JsValue,
) -> JsValue {
    match string_arg(&code, "applicant.creditCode") {
        Ok(raw) => field_result(form::check_credit_code(&raw).map(|c| json::to_canonical(&c))),
        Err(report) => err(&report),
    }
}

/// Normalises a standard number as the estimate does for standard subjects
/// (`gb/t　12345—2020` → `GB/T 12345-2020`); unreadable text is the error
/// `INVALID_STANDARD_NUMBER`, with `meant` when the number meant is clear
/// (`GB/T 12345一2020` → `GB/T 12345-2020`, docs/DECISIONS.md D31). Given
/// the achievement's date (`YYYY-MM-DD`), it also refuses a two-digit year
/// that the estimate refuses on that date (`GB/T 23456-20` of 2021, meant
/// `GB/T 23456-2020`); a date that does not read is left to the date field.
#[wasm_bindgen(js_name = normaliseStandardNumber, unchecked_return_type = "FieldResult<StandardNumberInfo>")]
pub fn normalise_standard_number(
    #[wasm_bindgen(unchecked_param_type = "string")] raw: JsValue,
    #[wasm_bindgen(
        unchecked_optional_param_type = "string | null",
        param_description = "the achievement's date, `YYYY-MM-DD` (optional)"
    )]
    date: Option<JsValue>,
) -> JsValue {
    // Anything but a date string (a number, null) is no date, and so is a
    // date that does not read: nothing throws, and the date field says what
    // is wrong with it.
    let date = date
        .and_then(|d| d.as_string())
        .as_deref()
        .and_then(stdfund_rules::date::Date::parse);
    match string_arg(&raw, "subject") {
        Ok(raw) => field_result(
            form::normalise_standard_number(&raw, date).map(|n| json::to_canonical(&n)),
        ),
        Err(report) => err(&report),
    }
}

/// Checks an applicant's seat as the estimate does: a six-digit division
/// code or a fiscal-unit code (outside Fuzhou is accepted, with no fiscal
/// unit). Anything else is `INVALID_SEAT`, with `meant` when the text names
/// exactly one place (`鼓楼区` → `350102`, docs/DECISIONS.md D26).
#[wasm_bindgen(js_name = checkSeat, unchecked_return_type = "FieldResult<SeatCheck>")]
pub fn check_seat(#[wasm_bindgen(unchecked_param_type = "string")] seat: JsValue) -> JsValue {
    match string_arg(&seat, "applicant.seat") {
        Ok(raw) => field_result(form::check_seat(&raw).map(|s| json::to_canonical(&s))),
        Err(report) => err(&report),
    }
}

/// The fiscal units an applicant's seat can be (those of the newest ruleset,
/// against which the estimate checks the seat), in document order.
#[wasm_bindgen(js_name = fiscalUnits, unchecked_return_type = "Result<FiscalUnitDoc[]>")]
pub fn fiscal_units() -> JsValue {
    let answer = form::fiscal_units().map(|u| json::to_canonical(&u));
    parsed(answer.map_err(|e| e.to_report()))
}
