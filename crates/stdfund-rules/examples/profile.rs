//! A loop for profilers: runs one case of the `estimate` bench N times, so
//! that `valgrind --tool=callgrind` or `perf record` sees only that case.
//!
//! ```sh
//! cargo build --release -p stdfund-rules --example profile
//! valgrind --tool=callgrind target/release/examples/profile full 2000
//! ```
//!
//! Cases: `full` (JSON in → canonical JSON out), `floor` (serde_json parse +
//! write of the same bytes), `summary`, `evaluate` (typed, with the input
//! hash), `render`, `lines200` (a 200-line application, full path), `lines N` (an N-line one).
//!
//! `ndjson FILE [ROUNDS]` answers every line of an NDJSON file on one thread,
//! in the summary view, as `stdfund estimate --batch --view summary` does
//! (the peer comparison's command, docs/BENCHMARKS.md), and prints the time
//! per application of each round: the engine's part of that command, without
//! its threads, reading or writing.
#![allow(
    clippy::disallowed_methods,
    clippy::unwrap_used,
    clippy::panic,
    clippy::indexing_slicing,
    missing_docs
)]

#[path = "../benches/common/mod.rs"]
mod common;

use std::hint::black_box;
use stdfund_rules::json::{self, dto};
use stdfund_rules::{engine, request, ruleset};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let case = args.get(1).map_or("full", String::as_str);
    if case == "ndjson" {
        let rounds = args.get(3).map_or(Ok(5), |s| s.parse()).unwrap();
        ndjson(
            args.get(2)
                .unwrap_or_else(|| panic!("ndjson FILE [ROUNDS]")),
            rounds,
        );
        return;
    }
    let n: usize = args.get(2).map_or(Ok(2000), |s| s.parse()).unwrap();
    let six = common::SIX;
    let answer = json::estimate_json(six).unwrap();
    let floor_answer: common::A<'_> = serde_json::from_str(&answer).unwrap();
    let summary_request = six.replacen('{', r#"{"view":"VIEW_SUMMARY","#, 1);
    // `lines` takes the number of achievements as a third argument.
    let lines_n: usize = args.get(3).map_or(Ok(200), |s| s.parse()).unwrap();
    let long = common::lines(if case == "lines200" { 200 } else { lines_n });
    let book = ruleset::embedded().unwrap();
    let req = json::parse_request(six).unwrap();
    let app = request::read(book, &req, false).unwrap();
    let assessment = engine::evaluate(book, &app).unwrap();
    for _ in 0..n {
        match case {
            "full" => drop(black_box(json::estimate_json(black_box(six)))),
            "floor" => drop(black_box(common::floor(six, &floor_answer, answer.len()))),
            "summary" => drop(black_box(json::estimate_json(black_box(&summary_request)))),
            "evaluate" => {
                black_box(request::input_hash(black_box(&req)));
                drop(black_box(engine::evaluate(book, black_box(&app))));
            }
            "render" => drop(black_box(json::write::assessment(
                black_box(&assessment),
                dto::View::Full,
            ))),
            "lines200" | "lines" => drop(black_box(json::estimate_json(black_box(&long)))),
            other => panic!("unknown case {other}"),
        }
    }
}

/// The `ndjson` case: every line of `path`, `rounds` times, on this thread.
fn ndjson(path: &str, rounds: usize) {
    let text = std::fs::read_to_string(path).unwrap();
    let lines: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
    let count = u128::try_from(lines.len().max(1)).unwrap();
    let mut out = String::with_capacity(1 << 20);
    for round in 1..=rounds {
        let (mut bytes, mut refused) = (0usize, 0usize);
        let started = std::time::Instant::now();
        for line in &lines {
            let answered = json::parse_request(line).and_then(|r| {
                json::assess_in_view(&r, Some(dto::View::Summary), |a, view| {
                    json::write::assessment_into(&mut out, a, view);
                })
            });
            refused = refused.saturating_add(usize::from(answered.is_err()));
            out.push('\n');
            if out.len() > (1 << 20) - (64 << 10) {
                bytes = bytes.saturating_add(out.len());
                out.clear();
            }
        }
        bytes = bytes.saturating_add(out.len());
        out.clear();
        let took = started.elapsed();
        let each = took.as_nanos().checked_div(count).unwrap_or_default();
        println!(
            "round {round}: {} applications ({refused} refused) in {took:.1?}, {}.{:02} µs each, {bytes} bytes of answers",
            lines.len(),
            each / 1000,
            each % 1000 / 10,
        );
    }
}
