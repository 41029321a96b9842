#!/usr/bin/env bash
# Builds the registry workbench into crates/stdfund-server/assets/workbench/
# (committed; embedded by the binary through src/web.rs):
#   1. installs the npm tools pinned in package-lock.json when the lock changed
#      (esbuild, typescript, buf, protoc-gen-es, connect, preact, chart.js, and
#      for the tests playwright-core, axe-core, read-excel-file);
#   2. generates the TypeScript client from ../proto (stdfund.v1) and proto/
#      (google.rpc error details) with buf + protoc-gen-es, offline;
#   3. type-checks (tsc --noEmit, strict);
#   4. bundles with esbuild (build.mjs): minified, deterministic.
#
#   build.sh            build into the committed assets
#   build.sh --tools    only install the tools
#   build.sh --check    build into .build/check and fail if the committed
#                       assets differ (run by tools/test.d/55-workbench.sh)
set -euo pipefail
cd "$(dirname "$0")"
say() { printf '[workbench/build] %s\n' "$*"; }

lock_sum=$(sha256sum package-lock.json | cut -d' ' -f1)
if [ "$(cat node_modules/.stdfund-lock 2>/dev/null || true)" != "$lock_sum" ]; then
  say "installing npm tools (npm ci)"
  npm ci --no-audit --no-fund --loglevel=error
  echo "$lock_sum" > node_modules/.stdfund-lock
fi
[ "${1:-}" = "--tools" ] && exit 0

export PATH="$PWD/node_modules/.bin:$PATH"
rm -rf gen
buf generate ../proto --template buf.gen.yaml
buf generate proto --template buf.gen.yaml
tsc -p tsconfig.json
tsc -p test/tsconfig.json

assets=../crates/stdfund-server/assets/workbench
if [ "${1:-}" = "--check" ]; then
  node build.mjs --out .build/check
  if ! diff -r "$assets" .build/check >/dev/null; then
    diff -rq "$assets" .build/check >&2 || true
    echo "the committed workbench assets differ from a fresh build: run workbench/build.sh and commit $assets" >&2
    exit 1
  fi
  say "committed assets match a fresh build"
else
  node build.mjs
  say "built $(cd "$assets" && pwd)"
fi
