#!/usr/bin/env bash
# The rules crate stays pure and portable: clippy with its deny-lints, and a
# build for wasm32-unknown-unknown. Formatting is checked for the whole tree.
set -euo pipefail
cargo fmt --all -- --check
cargo clippy -p stdfund-rules --all-targets --locked -- -D warnings
cargo build -p stdfund-rules --target wasm32-unknown-unknown --locked
