//! Exports the shared vectors and generated applications as JSON Lines for
//! executors that are not Rust (WASM in Node and Chromium, Python).
//!
//! `stdfund-vectors vectors` prints one `{"id","input","expected"}` object a
//! line, `input` and `expected` being canonical JSON text (`expected` is the
//! native answer with its real receipt, after checking it against the
//! vector file; exit 1 if any differs); `stdfund-vectors
//! random N [SEED]` prints `{"seed","input","expected"}` for N generated
//! applications, `expected` computed natively; `stdfund-vectors answer`
//! reads one request (JSON text) per line on stdin and prints the native
//! canonical answer (or `{"error": …}`) per line.

use std::io::{self, Write};
use stdfund_testkit::{answer_json, generate, native, vectors};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut out = io::BufWriter::new(io::stdout().lock());
    let code = match args.first().map(String::as_str) {
        Some("vectors") => match vectors::load_all(&vectors::vectors_dir()) {
            Ok(all) => {
                let mut code = 0;
                for v in all {
                    // The native answer itself (real engine version and
                    // ruleset hashes), once it is checked against the file:
                    // other executors then compare byte for byte.
                    let answer = answer_json(&native(&v.input_json()));
                    match v.comparable(&answer) {
                        Ok(c) if c == v.expected_json() => {
                            let line = serde_json::json!({"id": v.id(), "input": v.input_json(), "expected": answer});
                            let _ = writeln!(out, "{line}");
                        }
                        Ok(_) => {
                            eprintln!(
                                "error: {}: the native answer differs from the vector",
                                v.id()
                            );
                            code = 1;
                        }
                        Err(e) => {
                            eprintln!("error: {}: {e}", v.id());
                            code = 1;
                        }
                    }
                }
                code
            }
            Err(e) => {
                eprintln!("error: {e}");
                1
            }
        },
        Some("random") => {
            let n: u64 = args.get(1).and_then(|s| s.parse().ok()).unwrap_or(1000);
            let base: u64 = args
                .get(2)
                .and_then(|s| s.parse().ok())
                .unwrap_or(20_161_025);
            for i in 0..n {
                let seed = base.wrapping_add(i);
                let input = stdfund_rules::json::to_canonical(&generate::application(seed));
                let expected = answer_json(&native(&input));
                let line = serde_json::json!({"seed": seed, "input": input, "expected": expected});
                let _ = writeln!(out, "{line}");
            }
            0
        }
        Some("answer") => {
            use std::io::BufRead;
            for line in io::stdin().lock().lines().map_while(Result::ok) {
                let _ = writeln!(out, "{}", answer_json(&native(&line)));
            }
            0
        }
        _ => {
            eprintln!(
                "usage: stdfund-vectors vectors | random N [SEED] | answer < requests.ndjson"
            );
            2
        }
    };
    let _ = out.flush();
    std::process::exit(code);
}
