#!/usr/bin/env bash
# Installs everything the tests need, idempotently: each step checks before it
# installs. Runs every tools/setup.d/*.sh in name order. Safe to run twice.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
for step in tools/setup.d/*.sh; do
  [ -e "$step" ] || continue
  echo "== setup: $step"
  bash "$step"
done
