#!/usr/bin/env bash
# The WASM package and its tests: the wasm32 target, wasm-bindgen-cli 0.2.130
# and the npm tools pinned in wasm/package-lock.json (binaryen 132 for
# wasm-opt, typescript, esbuild, buf, protoc-gen-es, connect-web,
# playwright-core) through `wasm/build.sh --tools`; then Debian's Chromium for
# the browser test and a CJK font so that its screenshots show Chinese.
# Idempotent: each piece is installed only when it is missing.
set -euo pipefail
cd "$(dirname "$0")/../.."
export PATH="$HOME/.cargo/bin:$PATH"
bash wasm/build.sh --tools
need=()
[ -x /usr/bin/chromium ] || need+=(chromium)
{ command -v fc-list >/dev/null && fc-list :lang=zh | grep -q .; } || need+=(fonts-wqy-microhei)
if [ "${#need[@]}" -gt 0 ]; then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  echo "installing ${need[*]} (apt)"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${need[@]}" >/dev/null
fi
