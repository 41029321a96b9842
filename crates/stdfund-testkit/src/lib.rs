//! # stdfund-testkit
//!
//! One set of test vectors, many executors. This crate loads the vectors in
//! `tests/vectors/`, runs them against any executor (a function from request
//! JSON to canonical answer JSON), checks the hand-written expectations of
//! each case, and generates seeded random applications for differential and
//! property tests. The `stdfund-vectors` binary exports both as JSON Lines
//! for executors that are not Rust (WASM under Node and in Chromium, Python).
//!
//! Test support only (a dev-dependency, never shipped): the generator indexes
//! its own fixed tables and does modular arithmetic on a PRNG, and a failing
//! fixture should stop the test loudly, so the panic-freedom lints that guard
//! the shipped crates are relaxed here and nowhere else.
#![allow(
    clippy::arithmetic_side_effects,
    clippy::indexing_slicing,
    clippy::panic,
    clippy::expect_used
)]

pub mod generate;
pub mod pg;
pub mod vectors;
pub mod wire;

use std::path::PathBuf;

/// The workspace root (two levels above this crate).
pub fn workspace_root() -> PathBuf {
    let here = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    here.parent()
        .and_then(|p| p.parent())
        .map(PathBuf::from)
        .unwrap_or(here)
}

/// The native executor: the JSON boundary of the rules crate.
pub fn native(input: &str) -> Result<String, stdfund_rules::ErrorReport> {
    stdfund_rules::json::estimate_json(input)
}

/// The canonical JSON of an executor's answer: the assessment, or the error report.
pub fn answer_json(result: &Result<String, stdfund_rules::ErrorReport>) -> String {
    match result {
        Ok(s) => s.clone(),
        Err(e) => format!("{{\"error\":{}}}", stdfund_rules::json::to_canonical(e)),
    }
}
