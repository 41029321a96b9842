#!/usr/bin/env bash
# A short fuzz run of every target in fuzz/ over its committed corpus (the
# long runs are recorded in docs/FUZZING.md): builds them with libFuzzer and
# AddressSanitizer and runs each FUZZ_SMOKE_SECONDS (default 15: with two
# targets, a build from nothing plus the runs is about 90 s on an idle 2-core
# machine). Fails on a crash, a failed assertion, a timeout or a build error.
set -euo pipefail
cd "$(dirname "$0")/../.."
bash tools/fuzz.sh "${FUZZ_SMOKE_SECONDS:-15}"
