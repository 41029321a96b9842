#!/usr/bin/env bash
# The musl target and musl-gcc (for the bundled SQLite C code) for the static
# release binary. Installed only when missing.
set -euo pipefail
export PATH="$HOME/.cargo/bin:$PATH"
rustup target list --installed | grep -q '^x86_64-unknown-linux-musl$' || rustup target add x86_64-unknown-linux-musl
if ! command -v musl-gcc >/dev/null; then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq musl-tools >/dev/null
fi
