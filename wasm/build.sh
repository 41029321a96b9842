#!/usr/bin/env bash
# Builds the @stdfund/rules npm package into wasm/pkg/ (git-ignored):
#   pkg/web/   ES module for browsers (call the default export `init()` first)
#   pkg/node/  ES module for Node (synchronous, reads the .wasm next to it)
#   pkg/grpc-web.js  the portal's grpc-web client, bundled (when proto/ exists)
# and type-checks the generated .d.ts.
#
# `build.sh --tools` only installs the tools (tools/setup.d/40-wasm.sh).
#
# Idempotent: installs its pinned tools only when missing or of another
# version (the wasm32 target, wasm-bindgen-cli 0.2.130, the npm packages of
# wasm/package-lock.json: binaryen 132 for wasm-opt, typescript, esbuild, ...)
# and redoes wasm-bindgen + wasm-opt only when the compiled module changed.
set -euo pipefail
cd "$(dirname "$0")"
here=$(pwd)
root=$(cd .. && pwd)
export PATH="$HOME/.cargo/bin:$PATH"

WASM_BINDGEN_VERSION=0.2.130
target_dir=${CARGO_TARGET_DIR:-$root/target}
say() { printf '[wasm/build] %s\n' "$*"; }

# --- tools -------------------------------------------------------------------
rustup target list --installed | grep -qx wasm32-unknown-unknown || rustup target add wasm32-unknown-unknown
if [ "$(wasm-bindgen --version 2>/dev/null || true)" != "wasm-bindgen $WASM_BINDGEN_VERSION" ]; then
  say "installing wasm-bindgen-cli $WASM_BINDGEN_VERSION (about 2 minutes)"
  cargo install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION" --force
fi
lock_sum=$(sha256sum package-lock.json | cut -d' ' -f1)
if [ "$(cat node_modules/.stdfund-lock 2>/dev/null || true)" != "$lock_sum" ]; then
  say "installing npm dev tools (npm ci)"
  npm ci --no-audit --no-fund --loglevel=error
  echo "$lock_sum" > node_modules/.stdfund-lock
fi

if [ "${1:-}" = "--tools" ]; then
  exit 0
fi

# --- the module ----------------------------------------------------------------
# The size-tuned profile is set here, not in the workspace, so that native
# release builds keep their own. No `strip`: wasm-bindgen needs the
# target_features section. sha256 of the input (software in WASM, SHA-NI
# natively) at opt-level 3: 13 % faster estimates for 1 KB more
# (docs/BENCHMARKS.md, WASM).
say "cargo build (wasm32, opt-level s, lto, panic abort)"
CARGO_PROFILE_RELEASE_OPT_LEVEL=s \
CARGO_PROFILE_RELEASE_LTO=true \
CARGO_PROFILE_RELEASE_CODEGEN_UNITS=1 \
CARGO_PROFILE_RELEASE_PANIC=abort \
CARGO_PROFILE_RELEASE_DEBUG=false \
  cargo build --quiet --release --locked --target wasm32-unknown-unknown -p stdfund-wasm \
    --config 'profile.release.package.sha2.opt-level=3'
raw="$target_dir/wasm32-unknown-unknown/release/stdfund_wasm.wasm"

stamp="$(sha256sum "$raw" | cut -d' ' -f1) $(wasm-bindgen --version) binaryen-$(npx --no-install wasm-opt --version | awk '{print $3}') $(sha256sum build.sh | cut -d' ' -f1)"
if [ "$(cat pkg/.build-stamp 2>/dev/null || true)" != "$stamp" ] \
  || [ ! -f pkg/web/stdfund_rules_bg.wasm ] || [ ! -f pkg/node/stdfund_rules_bg.wasm ]; then
  say "wasm-bindgen (web, node) + wasm-opt -Oz"
  rm -rf pkg/web pkg/node
  wasm-bindgen --target web --out-dir pkg/web --out-name stdfund_rules "$raw"
  wasm-bindgen --target experimental-nodejs-module --out-dir pkg/node --out-name stdfund_rules "$raw"
  npx --no-install wasm-opt -Oz pkg/web/stdfund_rules_bg.wasm -o pkg/web/stdfund_rules_bg.wasm
  npx --no-install wasm-opt -Oz pkg/node/stdfund_rules_bg.wasm -o pkg/node/stdfund_rules_bg.wasm
  echo "$stamp" > pkg/.build-stamp
fi

# --- the package ----------------------------------------------------------------
crate_version=$(sed -n 's/^version = "\(.*\)"/\1/p' "$root/Cargo.toml" | head -1)
pkg_version=$(node -p 'require("./pkg-src/package.json").version')
if [ "$crate_version" != "$pkg_version" ]; then
  echo "pkg-src/package.json version $pkg_version differs from the workspace version $crate_version" >&2
  exit 1
fi
cp pkg-src/package.json pkg-src/README.md pkg-src/CHANGELOG.md pkg/
cp pkg-src/node/index.js pkg-src/node/index.d.ts pkg/node/
# Let Node and tsc resolve `@stdfund/rules` through the package's own exports map.
mkdir -p node_modules/@stdfund
ln -sfn ../../pkg node_modules/@stdfund/rules

# --- the portal's grpc-web client -------------------------------------------------
if compgen -G "$root/proto/stdfund/v1/*.proto" >/dev/null; then
  bash portal/build-grpc.sh
else
  say "no proto/stdfund/v1/*.proto yet: the portal's verify button has no client"
fi

# --- type-check the .d.ts -----------------------------------------------------------
say "type-check (tsc --noEmit)"
node test/types/snapshot.mjs > pkg/types-snapshot.ts
npx --no-install tsc --noEmit -p test/types/tsconfig.json
say "done: $(wc -c < pkg/web/stdfund_rules_bg.wasm) bytes, $(gzip -9c pkg/web/stdfund_rules_bg.wasm | wc -c) gzipped"
