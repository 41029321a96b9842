//! The `stdfund` binary.
//!
//! `stdfund estimate [FILE|-]` prints the assessment of an application as
//! canonical JSON (or `--format table`, a readable Chinese/English table);
//! `stdfund rules` lists the rulesets; `stdfund serve` runs the stdfund.v1
//! gRPC server; `stdfund healthcheck` exits 0 iff a server reports SERVING.
//! Malformed input exits with status 2 and prints the stable error code and
//! message on stderr.

use clap::Parser;

/// jemalloc rather than the C library's malloc: answers are many short-lived
/// strings built on every core, where glibc's arenas spent a third of an
/// EstimateBatch stream's time consolidating and unlinking chunks
/// (docs/BENCHMARKS.md, "Allocator"); musl's malloc, in the static binary,
/// is slower still.
#[global_allocator]
static GLOBAL: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;
use std::process::ExitCode;
use stdfund_server::cli;

fn main() -> ExitCode {
    let args = cli::Cli::parse();
    cli::run(args)
}
