#!/usr/bin/env bash
# cargo-fuzz for the fuzz targets in fuzz/ (tools/fuzz.sh,
# tools/test.d/85-fuzz-smoke.sh). Installed only when missing or of another
# version. It runs on the stable toolchain with RUSTC_BOOTSTRAP=1 (TOOLING.md).
set -euo pipefail
export PATH="$HOME/.cargo/bin:$PATH"
want=0.13.2
if [ "$(cargo fuzz --version 2>/dev/null | awk '{print $2}')" != "$want" ]; then
  echo "installing cargo-fuzz $want"
  cargo install cargo-fuzz --version "$want" --locked --force
fi
