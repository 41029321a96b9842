#!/usr/bin/env bash
# Runs the fuzz targets of fuzz/ (docs/FUZZING.md).
#
#   tools/fuzz.sh [SECONDS] [TARGET...]   run each target SECONDS (default 600)
#   tools/fuzz.sh --cmin [TARGET...]      fold the inputs found by earlier runs
#                                         into the committed corpus, minimised
#                                         by edge coverage (-use_counters=0),
#                                         inputs over 8 KiB dropped except the
#                                         vectors' own (fuzz/seed.py --large)
#
# Without TARGET: every fuzz/fuzz_targets/*.rs. Each run starts from the
# committed corpus fuzz/corpus/<target>/ (read only) with the dictionary
# fuzz/dict/<target>.dict when there is one; new interesting inputs go to the
# git-ignored fuzz/target/new-corpus/<target>/, crashes to
# fuzz/artifacts/<target>/. libFuzzer + AddressSanitizer through cargo-fuzz
# on the stable toolchain (RUSTC_BOOTSTRAP=1, TOOLING.md); cargo-fuzz is
# installed by tools/setup.d/50-fuzz.sh. Exits non-zero when a target fails.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
export RUSTC_BOOTSTRAP=1

if ! cargo fuzz --version >/dev/null 2>&1; then
  echo "cargo-fuzz is missing: run bash tools/setup.d/50-fuzz.sh" >&2
  exit 1
fi

mode=run
seconds=600
if [ "${1:-}" = "--cmin" ]; then
  mode=cmin
  shift
elif [[ "${1:-}" =~ ^[0-9]+$ ]]; then
  seconds=$1
  shift
fi
targets=("$@")
if [ "${#targets[@]}" -eq 0 ]; then
  for f in fuzz/fuzz_targets/*.rs; do targets+=("$(basename "$f" .rs)"); done
fi

cd fuzz
if [ "$mode" = cmin ]; then
  for t in "${targets[@]}"; do
    mkdir -p "corpus/$t"
    if [ -d "target/new-corpus/$t" ]; then
      cp -n "target/new-corpus/$t"/* "corpus/$t"/ 2>/dev/null || true
    fi
    before=$(find "corpus/$t" -type f | wc -l)
    cargo fuzz cmin "$t" "corpus/$t" -- -use_counters=0
    find "corpus/$t" -type f -size +8k -delete
    python3 seed.py --large
    after=$(find "corpus/$t" -type f | wc -l)
    bytes=$(find "corpus/$t" -type f -printf '%s\n' | awk '{s += $1} END {print s + 0}')
    echo "== $t: corpus $before -> $after inputs, $bytes bytes"
    rm -rf "target/new-corpus/$t"
  done
  exit 0
fi

# One build of every target (one cargo invocation, shared dependencies).
cargo fuzz build
failed=()
for t in "${targets[@]}"; do
  mkdir -p "target/new-corpus/$t" "corpus/$t"
  args=(-max_total_time="$seconds" -print_final_stats=1 -timeout=10 -rss_limit_mb=2048)
  if [ -f "dict/$t.dict" ]; then args+=(-dict="dict/$t.dict"); fi
  echo "== fuzz $t for ${seconds}s"
  log="target/fuzz-$t.log"
  if cargo fuzz run "$t" "target/new-corpus/$t" "corpus/$t" -- "${args[@]}" >"$log" 2>&1; then
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
    rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
    cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1)
    echo "   ok: ${execs:-?} executions (${rate:-?}/s), ${cov:-cov: ?}, 0 crashes"
  else
    tail -40 "$log"
    echo "   FAILED: see fuzz/$log and fuzz/artifacts/$t/" >&2
    failed+=("$t")
  fi
done
[ "${#failed[@]}" -eq 0 ] || { echo "failed targets: ${failed[*]}" >&2; exit 1; }
