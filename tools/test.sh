#!/usr/bin/env bash
# The one command that runs every test (README): set-up, the Rust workspace
# tests, then every tools/test.d/*.sh suite (WASM in Node and Chromium, the
# Python gRPC client, deploy checks, ...). Under CI=true nothing may skip.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
# A CI run builds everything once from a fresh clone: incremental caches only
# cost disk and time there.
if [ "${CI:-}" = true ]; then export CARGO_INCREMENTAL=0; fi
bash tools/setup.sh
passed=0
failed=0
failures=()
run() {
  local name=$1; shift
  echo "== test: $name"
  if "$@"; then passed=$((passed + 1)); else failed=$((failed + 1)); failures+=("$name"); fi
}
# --no-fail-fast: one failing test binary does not hide the others.
run "cargo test --workspace" cargo test --workspace --locked --no-fail-fast
for suite in tools/test.d/*.sh; do
  [ -e "$suite" ] || continue
  run "$suite" bash "$suite"
done
echo
if [ "$failed" -gt 0 ]; then
  printf 'failed suite: %s\n' "${failures[@]}"
fi
echo "suites: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
