#!/usr/bin/env bash
# The registry workbench's npm tools (workbench/package-lock.json: esbuild,
# typescript, buf, protoc-gen-es, connect, preact, chart.js, playwright-core,
# axe-core, read-excel-file), installed by `workbench/build.sh --tools` only
# when the lock changed. Chromium and a CJK font come from 40-wasm.sh.
set -euo pipefail
cd "$(dirname "$0")/../.."
bash workbench/build.sh --tools
