//! Native batch estimate for benchmarks: every request line of an NDJSON
//! file (proto3 JSON `EstimateRequest`s, as `tools/peer/generate.py` writes
//! them), estimated on every core, one canonical answer per line on stdout in
//! input order — the summary view unless `--full` — or `{"error":…}` for a
//! request that fails. `tools/peer/compare.py` runs it as stdfund's native
//! side:
//!
//! ```sh
//! cargo build --release -p stdfund-rules --example batch
//! tools/peer/.venv/bin/python tools/peer/compare.py DIR \
//!     --stdfund-cmd "target/release/examples/batch {requests}"
//! ```
//!
//! Work is handed out in chunks of 256 lines to one thread per core; each
//! thread writes its answers straight into a buffer (no string per answer)
//! taken from a small pool, and the main thread writes the buffers out in
//! input order and hands them back, so memory stays bounded and warm.
#![allow(
    clippy::disallowed_methods,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects,
    missing_docs
)]

use std::collections::BTreeMap;
use std::io::Write;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, mpsc};
use stdfund_rules::json::{self, dto::View};
use stdfund_rules::{engine, json::write};

const CHUNK: usize = 256;

/// Appends the answer to one request line (and a newline) to `out`.
fn answer(line: &str, view: View, out: &mut String) {
    let result = json::parse_request(line)
        .and_then(|req| engine::assess(&req, |a| write::assessment_into(out, a, view)));
    if let Err(e) = result {
        out.push_str("{\"error\":");
        out.push_str(&json::to_canonical(&e.to_report()));
        out.push('}');
    }
    out.push('\n');
}

fn main() {
    let mut path = None;
    let mut view = View::Summary;
    for arg in std::env::args().skip(1) {
        match arg.as_str() {
            "--full" => view = View::Full,
            "--summary" => view = View::Summary,
            p => path = Some(p.to_string()),
        }
    }
    let path = path.expect("usage: batch [--full] REQUESTS.ndjson");
    let text = std::fs::read_to_string(&path).expect("cannot read the requests");
    let lines: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
    let chunks: Vec<&[&str]> = lines.chunks(CHUNK).collect();
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let next = AtomicUsize::new(0);
    let pool: Mutex<Vec<String>> = Mutex::new(Vec::new());
    let (tx, rx) = mpsc::channel::<(usize, String)>();
    let stdout = std::io::stdout();
    let mut w = stdout.lock();
    std::thread::scope(|s| {
        for _ in 0..threads {
            let tx = tx.clone();
            let (chunks, next, pool) = (&chunks, &next, &pool);
            s.spawn(move || {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(chunk) = chunks.get(i) else { break };
                    let mut out = pool.lock().unwrap().pop().unwrap_or_default();
                    for line in *chunk {
                        answer(line, view, &mut out);
                    }
                    if tx.send((i, out)).is_err() {
                        break;
                    }
                }
            });
        }
        drop(tx);
        // Write in input order as the chunks arrive; buffers go back to the pool.
        let mut pending = BTreeMap::new();
        let mut want = 0usize;
        for (i, out) in rx {
            pending.insert(i, out);
            while let Some(mut out) = pending.remove(&want) {
                w.write_all(out.as_bytes())
                    .expect("cannot write the answers");
                out.clear();
                pool.lock().unwrap().push(out);
                want += 1;
            }
        }
    });
    w.flush().expect("cannot write the answers");
}
