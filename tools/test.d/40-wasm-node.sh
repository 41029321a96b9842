#!/usr/bin/env bash
# The @stdfund/rules WASM module under Node (node:test): builds the package
# (wasm/build.sh: incremental; also type-checks the .d.ts), lints the adapter
# for wasm32, then runs wasm/test/node/: (a) every shared vector
# byte-identical to native, (b) 100,000 seeded random applications
# differential against native, (c) structured errors, (d) form helpers
# against the Rust answers, (e) the amount-input vectors, (f) the portal's
# plain labels for every status, reason and warning, (g) the packed npm
# package: manifest, self-contained README, its TypeScript example under
# `tsc --strict` in a fresh project that installs the tarball, (h) the
# form-helper vectors, with the value a refused field was meant to be.
set -euo pipefail
cd "$(dirname "$0")/../.."
export PATH="$HOME/.cargo/bin:$PATH"
bash wasm/build.sh
cargo clippy --quiet --locked -p stdfund-wasm --target wasm32-unknown-unknown -- -D warnings
cargo build --quiet --release --locked -p stdfund-testkit --bin stdfund-vectors
node --test --test-reporter=spec wasm/test/node/
