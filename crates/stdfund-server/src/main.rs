//! The `stdfund` binary.
//!
//! `stdfund estimate [FILE|-]` prints the assessment of an application as
//! canonical JSON (or `--format table`, a readable Chinese/English table);
//! `stdfund rules` lists the rulesets. Malformed input exits with status 2
//! and prints the stable error code and message on stderr.

mod cli;

use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    let args = cli::Cli::parse();
    cli::run(args)
}
