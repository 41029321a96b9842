#!/usr/bin/env bash
# The registry workbench (workbench/): rebuilds the page and fails when the
# committed assets (crates/stdfund-server/assets/workbench/) differ from a
# fresh build; type-checks; runs the unit tests in Node (money, i18n, errors
# decoded from grpc-web, the role matrix against the proto, forms, report
# sums); the page in Chromium over an in-memory fake (roles, errors,
# keyboard-only, 1280/768 layout, axe-core, focus ring, downloads, page
# weight); then the end-to-end reviewer's day against the real binary on
# SQLite and a throwaway PostgreSQL (workbench/test/e2e.test.mjs).
# Screenshots go to $STDFUND_SCREENSHOTS or /tmp/workbench-shots.
set -euo pipefail
cd "$(dirname "$0")/../.."
export PATH="$HOME/.cargo/bin:$PATH"
if [ ! -x "${CHROMIUM:-/usr/bin/chromium}" ]; then
  echo "no Chromium at ${CHROMIUM:-/usr/bin/chromium}: run tools/setup.sh" >&2
  exit 1
fi
bash workbench/build.sh --check
cd workbench
node test/unit/build.mjs
node build.mjs --entry test/harness/harness.tsx --out .build/harness
node --test --test-reporter=spec .build/unit/
node --test --test-reporter=spec --test-concurrency=1 test/page.test.mjs
cd ..
cargo build --quiet --locked -p stdfund-server --bin stdfund
node --test --test-reporter=spec --test-concurrency=1 workbench/test/e2e.test.mjs
