#!/usr/bin/env bash
# The stdfund.v1 contract: buf lint (STANDARD + COMMENTS: every element
# documented), buf format, buf breaking against the committed image of the
# released v1 (proto/images/stdfund-v1.binpb) — plus a canary proving that the
# breaking check does catch a break. (Clippy over the crates built from the
# contract is part of the workspace-wide run in 10-rules-lint.sh.)
set -euo pipefail
cd "$(dirname "$0")/../.."
buf="$PWD/proto/node_modules/.bin/buf"
[ -x "$buf" ] || { echo "buf is not installed: run tools/setup.sh"; exit 1; }
image="$PWD/proto/images/stdfund-v1.binpb"
(
  cd proto
  "$buf" lint
  "$buf" format --diff --exit-code
  "$buf" breaking --against "$image"
)
# Canary: renaming a field of the JSON boundary must be reported as breaking.
canary=$(mktemp -d)
trap 'rm -rf "$canary"' EXIT
cp -r proto/buf.yaml proto/stdfund "$canary/"
sed -i 's/^  string total = 4;$/  string total_amount = 4;/' "$canary/stdfund/v1/estimate.proto"
grep -q 'string total_amount = 4;' "$canary/stdfund/v1/estimate.proto" || { echo "canary: the field to rename is gone"; exit 1; }
if (cd "$canary" && "$buf" breaking --against "$image" >/dev/null 2>&1); then
  echo "canary: buf breaking did not report a renamed field"; exit 1
fi
echo "proto: buf lint, format and breaking (against images/stdfund-v1.binpb) clean; canary caught"
