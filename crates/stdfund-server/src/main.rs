//! The `stdfund` binary.
//!
//! `stdfund estimate [FILE|-]` prints the assessment of an application as
//! canonical JSON (or `--format table`, a readable Chinese/English table);
//! `stdfund rules` lists the rulesets; `stdfund serve` runs the stdfund.v1
//! gRPC server; `stdfund healthcheck` exits 0 iff a server reports SERVING.
//! Malformed input exits with status 2 and prints the stable error code and
//! message on stderr.

use clap::Parser;
use std::process::ExitCode;
use stdfund_server::cli;

fn main() -> ExitCode {
    let args = cli::Cli::parse();
    cli::run(args)
}
