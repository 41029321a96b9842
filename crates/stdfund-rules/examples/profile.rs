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
