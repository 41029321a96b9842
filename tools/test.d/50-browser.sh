#!/usr/bin/env bash
# The portal page and the module in Debian's Chromium (playwright-core):
# starts the static server and a real `stdfund serve` (free port, temporary
# SQLite, CORS for the page's origin), fills a multi-line application by
# keyboard and clicks, checks every amount shown against the native answer,
# verifies with the server (agreement) and with a server whose ruleset hash
# differs (warning), checks keyboard use and the focus ring's contrast, field
# errors beside their labels (the other lines still estimated), no horizontal
# scrolling at 320/375/1280 px, axe-core (no serious or critical violation),
# the one-page printed estimate (PDF), and evaluates every shared vector and
# amount-input vector inside the page. Screenshots go to /tmp/portal-shots
# (or $STDFUND_SCREENSHOTS).
set -euo pipefail
cd "$(dirname "$0")/../.."
export PATH="$HOME/.cargo/bin:$PATH"
if [ ! -x "${CHROMIUM:-/usr/bin/chromium}" ]; then
  echo "no Chromium at ${CHROMIUM:-/usr/bin/chromium}: run tools/setup.sh" >&2
  exit 1
fi
bash wasm/build.sh
cargo build --quiet --locked -p stdfund-server --bin stdfund
cargo build --quiet --release --locked -p stdfund-testkit --bin stdfund-vectors
node --test --test-reporter=spec --test-concurrency=1 wasm/test/browser/
