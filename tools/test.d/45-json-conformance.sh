#!/usr/bin/env bash
# Proto3 JSON conformance of the JSON boundary: 1,088 seeded requests printed
# by protobuf's own JSON printer (Python, every combination of its printing
# options, some with `null`s) get identical answers from the CLI, the WASM
# module under Node and the gRPC server (tests/python/json_conformance.py).
# Reuses the debug binary (30-grpc-python.sh) and wasm/pkg (40-wasm-node.sh);
# builds them only when run on its own.
set -euo pipefail
cd "$(dirname "$0")/../.."
export PATH="$HOME/.cargo/bin:$PATH"
[ -x .venv/bin/python ] || { echo ".venv is missing: run tools/setup.sh"; exit 1; }
cargo build --quiet -p stdfund-server --bin stdfund --locked
[ -f wasm/pkg/package.json ] || bash wasm/build.sh
target_dir=$(cargo metadata --format-version 1 --no-deps --locked |
  python3 -c 'import json, sys; print(json.load(sys.stdin)["target_directory"])')
.venv/bin/python tests/python/json_conformance.py --binary "$target_dir/debug/stdfund"
