#!/usr/bin/env bash
# One lint gate for the workspace: formatting of the whole tree, clippy over
# every crate and target with the root configuration ([workspace.lints] in
# Cargo.toml, clippy.toml) as errors, and the rules crate built for
# wasm32-unknown-unknown (it stays pure and portable).
set -euo pipefail
cd "$(dirname "$0")/../.."
cargo fmt --all -- --check
cargo clippy --workspace --all-targets --locked -- -D warnings
cargo build -p stdfund-rules --target wasm32-unknown-unknown --locked
