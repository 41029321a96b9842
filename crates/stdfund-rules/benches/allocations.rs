//! Benchmark companion: heap allocations per call, counted by a counting
//! global allocator (`stats_alloc`), for the cases the `estimate` bench times.
//!
//! `cargo bench -p stdfund-rules --bench allocations`. A separate bench so that
//! the counting allocator's atomic counters do not slow the timed runs.
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

use stats_alloc::{INSTRUMENTED_SYSTEM, Region, StatsAlloc};
use std::alloc::System;
use std::hint::black_box;
use stdfund_rules::json::{self, dto};
use stdfund_rules::{engine, request, ruleset};

#[global_allocator]
static GLOBAL: &StatsAlloc<System> = &INSTRUMENTED_SYSTEM;

fn allocations(mut f: impl FnMut()) -> usize {
    f();
    let region = Region::new(GLOBAL);
    f();
    region.change().allocations
}

fn main() {
    let answer = json::estimate_json(common::SIX).unwrap();
    let floor_answer: common::A<'_> = serde_json::from_str(&answer).unwrap();
    let summary_request = common::SIX.replacen('{', r#"{"view":"VIEW_SUMMARY","#, 1);
    let book = ruleset::embedded().unwrap();
    let req = json::parse_request(common::SIX).unwrap();
    let app = request::read(book, &req, false).unwrap();
    let assessment = engine::evaluate(book, &app).unwrap();

    let full = allocations(|| drop(black_box(json::estimate_json(common::SIX))));
    let floor = allocations(|| {
        black_box(common::floor(common::SIX, &floor_answer, answer.len()));
    });
    let summary = allocations(|| drop(black_box(json::estimate_json(&summary_request))));
    let evaluate = allocations(|| {
        black_box(request::input_hash(&req));
        drop(black_box(engine::evaluate(book, &app)));
    });
    let parse = allocations(|| drop(black_box(json::parse_request(common::SIX))));
    let read = allocations(|| drop(black_box(request::read(book, &req, false))));
    let hash = allocations(|| {
        black_box(request::input_hash(&req));
    });
    let eval_only = allocations(|| drop(black_box(engine::evaluate(book, &app))));
    let render = allocations(|| {
        drop(black_box(json::write::assessment(
            &assessment,
            dto::View::Full,
        )))
    });

    println!("allocations per call, six-achievement application:");
    println!("  full  JSON in → canonical JSON out: {full:>4}");
    println!("  floor serde parse + serde write:    {floor:>4}");
    println!("  summary view:                       {summary:>4}");
    println!("  evaluate (typed, with input hash):  {evaluate:>4}");
    println!(
        "  parts of full: parse {parse}, read/validate {read} (of which input hash {hash}), evaluate {eval_only}, render {render}"
    );
    println!(
        "  target: evaluate ≤ 30 allocations {}",
        if evaluate <= 30 { "met" } else { "NOT met" }
    );
    println!("allocations per line (full JSON path):");
    for n in [1usize, 10, 50, 100, 200] {
        let text = common::lines(n);
        let a = allocations(|| drop(black_box(json::estimate_json(&text))));
        println!(
            "  {n:>3} lines: {a:>6} per application, {:>5.1} per line",
            a as f64 / n as f64
        );
    }
}
