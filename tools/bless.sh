#!/usr/bin/env bash
# Rewrites everything derived from the rulesets and the vectors, after a
# change to either (ARCHITECTURE.md, "add a clause, item or variant"):
#   - each vector's `expected` answer, after checking every hand-written
#     figure (`check`) against the engine: a wrong figure stops here, and
#     nothing is written;
#   - the templates in docs/templates/ (the batch layout lists the items and
#     variants of the catalogue; the 免申即享 feed layouts).
# Then shows what changed, for review before committing.
#   bash tools/bless.sh
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
STDFUND_BLESS=1 cargo test -q --locked -p stdfund-testkit --test vectors_native \
  vectors_pass_through_the_json_boundary
cargo build -q --locked -p stdfund-server --bin stdfund
bin="${CARGO_TARGET_DIR:-target}/debug/stdfund"
rm -f docs/templates/batch.xlsx docs/templates/batch.csv
"$bin" estimate --batch-template docs/templates/batch.xlsx
"$bin" estimate --batch-template docs/templates/batch.csv
"$bin" match --write-templates docs/templates
git status --short -- tests/vectors docs/templates
