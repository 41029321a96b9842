//! Benchmark: the time per line of the full JSON path (JSON text in →
//! canonical JSON out) for applications of 1, 10, 50, 100 and 200 lines,
//! interleaved (see the `estimate` bench).
//!
//! `cargo bench -p stdfund-rules --bench lines`. It runs on jemalloc, the
//! allocator the `stdfund` binary ships (server and CLI). On glibc's malloc
//! the 200-line answer (about 200 KB) is returned to the kernel and faulted
//! in again on every call (the mmap and trim thresholds), a step of about
//! 45 % per line at 200 lines that the engine does not cause: glibc with
//! `GLIBC_TUNABLES=glibc.malloc.mmap_threshold=16777216:glibc.malloc.trim_threshold=67108864`
//! is flat too (docs/BENCHMARKS.md).
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
use stdfund_rules::json;
use timing::{ROUNDS, interleaved, median};

/// The allocator of the `stdfund` binary.
#[global_allocator]
static GLOBAL: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

fn main() {
    println!("time per line (full JSON path), median of {ROUNDS} interleaved rounds:");
    let sizes = [1usize, 10, 50, 100, 200];
    let texts: Vec<String> = sizes.iter().map(|&n| common::lines(n)).collect();
    for (n, t) in sizes.iter().zip(&texts) {
        assert!(json::estimate_json(t).is_ok(), "{n} lines");
    }
    let mut fns: Vec<Box<dyn FnMut()>> = texts
        .iter()
        .map(|t| {
            let t = t.as_str();
            Box::new(move || drop(black_box(json::estimate_json(black_box(t))))) as Box<dyn FnMut()>
        })
        .collect();
    let mut cases: Vec<(&str, u32, &mut dyn FnMut())> = sizes
        .iter()
        .zip(fns.iter_mut())
        .map(|(&n, f)| {
            (
                "lines",
                (2000 / n).max(10) as u32,
                f.as_mut() as &mut dyn FnMut(),
            )
        })
        .collect();
    let s = interleaved(&mut cases);
    let mut per_line = Vec::new();
    for (n, x) in sizes.iter().zip(&s) {
        let t = median(x);
        per_line.push(t / *n as f64);
        println!(
            "  {n:>3} lines: {:>8.0} ns per application, {:>6.0} ns per line",
            t,
            t / *n as f64
        );
    }
    // From 10 lines on (one line carries the application's fixed part).
    let rest = &per_line[1..];
    let spread = rest.iter().copied().fold(f64::MIN, f64::max)
        / rest.iter().copied().fold(f64::MAX, f64::min);
    println!("  per line, 10 to 200 lines: largest / smallest = {spread:.2}");
}
