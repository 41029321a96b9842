//! Benchmark: the rules core against a JSON floor, measured side by side in
//! one run.
//!
//! `cargo bench -p stdfund-rules --bench estimate` prints, for one
//! six-achievement application:
//! * `full`: JSON text in → canonical JSON out (`json::estimate_json`);
//! * `floor`: serde_json parsing the same request into borrowed structs plus
//!   serde_json writing the same answer bytes from borrowed structs — what any
//!   JSON service pays before it decides anything;
//! * `summary`: JSON text in → the summary view out (no prose);
//! * `evaluate`: typed in → typed out, with the input hash (`input_hash` +
//!   `engine::evaluate` on an already validated application);
//! * the parts of `full`.
//!
//! The time per line for applications of 1 to 200 lines is the `lines`
//! bench.
//!
//! The machine is shared and noisy, so the cases are interleaved: every round
//! times one short batch of each case in turn, and each figure is the median
//! over the rounds; the ratio full / floor is the median of the per-round
//! ratios (load from other processes hits both alike). This bench uses the
//! system allocator untouched; allocations are counted by the `allocations`
//! bench (a counting allocator costs time on every call).
#![allow(
    clippy::disallowed_methods,
    clippy::float_arithmetic,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects,
    clippy::unwrap_used,
    clippy::cast_precision_loss,
    missing_docs
)]

mod common;
mod timing;

use std::hint::black_box;
use stdfund_rules::json::{self, dto};
use stdfund_rules::{engine, request, ruleset};
use timing::{ROUNDS, interleaved, median};

fn main() {
    let answer = json::estimate_json(common::SIX).unwrap();
    // The floor's answer structs, borrowed from the real answer: serde writes
    // exactly the engine's bytes.
    let floor_answer: common::A<'_> = serde_json::from_str(&answer).unwrap();
    assert_eq!(serde_json::to_string(&floor_answer).unwrap(), answer);
    let floor_out = common::floor(common::SIX, &floor_answer, answer.len());
    assert_eq!(floor_out, answer.as_bytes());
    let summary_request = common::SIX.replacen('{', r#"{"view":"VIEW_SUMMARY","#, 1);
    let summary_answer = json::estimate_json(&summary_request).unwrap();

    let book = ruleset::embedded().unwrap();
    let req = json::parse_request(common::SIX).unwrap();
    let app = request::read(book, &req, false).unwrap();
    let assessment = engine::evaluate(book, &app).unwrap();

    let six = common::SIX;
    let mut full = || drop(black_box(json::estimate_json(black_box(six))));
    let mut floor = || {
        black_box(common::floor(
            black_box(six),
            black_box(&floor_answer),
            answer.len(),
        ));
    };
    let mut summary = || drop(black_box(json::estimate_json(black_box(&summary_request))));
    let mut evaluate = || {
        black_box(request::input_hash(black_box(&req)));
        drop(black_box(engine::evaluate(book, black_box(&app))));
    };
    let mut parse = || drop(black_box(json::parse_request(black_box(six))));
    let mut read = || drop(black_box(request::read(book, black_box(&req), false)));
    let mut hash = || {
        black_box(request::input_hash(black_box(&req)));
    };
    let mut eval_only = || drop(black_box(engine::evaluate(book, black_box(&app))));
    let mut render = || {
        drop(black_box(json::write::assessment(
            black_box(&assessment),
            dto::View::Full,
        )))
    };
    let mut cases: Vec<(&str, u32, &mut dyn FnMut())> = vec![
        ("full", 200, &mut full),
        ("floor", 400, &mut floor),
        ("summary", 300, &mut summary),
        ("evaluate", 1000, &mut evaluate),
        ("parse", 1000, &mut parse),
        ("read", 500, &mut read),
        ("hash", 2000, &mut hash),
        ("eval_only", 1000, &mut eval_only),
        ("render", 500, &mut render),
    ];
    let s = interleaved(&mut cases);
    let m: Vec<f64> = s.iter().map(|x| median(x)).collect();
    let ratios: Vec<f64> = s[0].iter().zip(&s[1]).map(|(a, b)| a / b).collect();
    let ratio = median(&ratios);
    let (full, floor, summary, evaluate) = (m[0], m[1], m[2], m[3]);

    println!(
        "six-achievement application ({} bytes in, {} bytes out; summary view {} bytes), median of {ROUNDS} interleaved rounds:",
        common::SIX.len(),
        answer.len(),
        summary_answer.len()
    );
    println!("  full  JSON in → canonical JSON out: {full:>7.0} ns");
    println!("  floor serde parse + serde write:    {floor:>7.0} ns");
    println!("  ratio full / floor:                 {ratio:>7.2}  (median of per-round ratios)");
    println!("  summary view (JSON in → JSON out):  {summary:>7.0} ns");
    println!("  evaluate (typed, with input hash):  {evaluate:>7.0} ns");
    println!(
        "  parts of full: parse {:.0} ns, read/validate {:.0} ns (of which input hash {:.0} ns), evaluate {:.0} ns, render {:.0} ns",
        m[4], m[5], m[6], m[7], m[8]
    );
    println!(
        "  targets: ratio ≤ 1.20 {}; evaluate ≤ 2000 ns {} (allocations: `cargo bench -p stdfund-rules --bench allocations`)",
        if ratio <= 1.2 { "met" } else { "NOT met" },
        if evaluate <= 2000.0 { "met" } else { "NOT met" },
    );
}
