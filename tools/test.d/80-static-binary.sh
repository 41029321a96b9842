#!/usr/bin/env bash
# Builds the statically linked stdfund (musl, rustls: no OpenSSL, no glibc),
# checks it links nothing dynamically, starts it on a fresh SQLite file and
# waits until `stdfund healthcheck` reports SERVING, then stops it with
# SIGTERM and checks it exits cleanly.
set -euo pipefail
cd "$(dirname "$0")/../.."
target=x86_64-unknown-linux-musl
profile=static-check
cargo build --locked -q --profile "$profile" --target "$target" -p stdfund-server --bin stdfund
bin="${CARGO_TARGET_DIR:-target}/$target/$profile/stdfund"
passed=0
failed=0
check() { if "$@"; then passed=$((passed + 1)); echo "ok      $*"; else failed=$((failed + 1)); echo "FAILED  $*"; fi; }

static_linked() { [ -x "$bin" ] && { ! ldd "$bin" >/dev/null 2>&1 || ldd "$bin" 2>&1 | grep -qE 'not a dynamic executable|statically linked'; }; }
no_openssl() { [ -x "$bin" ] && ! strings "$bin" | grep -q 'libssl\.so'; }
check static_linked
check no_openssl

work=$(mktemp -d)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
mport=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$bin" serve --listen "127.0.0.1:$port" --metrics-listen "127.0.0.1:$mport" \
  --database-url "sqlite://$work/stdfund.sqlite" >"$work/server.log" 2>&1 &
pid=$!
cleanup() { kill "$pid" 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT

serving() {
  for _ in $(seq 1 100); do
    if "$bin" healthcheck --addr "127.0.0.1:$port" >/dev/null 2>&1; then return 0; fi
    sleep 0.1
  done
  cat "$work/server.log"
  return 1
}
check serving
check test -s "$work/stdfund.sqlite"
stops_on_sigterm() {
  kill -TERM "$pid"
  for _ in $(seq 1 300); do
    if ! kill -0 "$pid" 2>/dev/null; then wait "$pid"; return $?; fi
    sleep 0.1
  done
  return 1
}
check stops_on_sigterm
echo "static binary: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
