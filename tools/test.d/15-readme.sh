#!/usr/bin/env bash
# The README's commands work as written: `cargo run -p stdfund-server` picks
# the stdfund binary, the example estimate prints its total, and `serve`
# starts on the embedded SQLite default and answers a health check.
set -euo pipefail
cd "$(dirname "$0")/../.."
out=$(cargo run -q --locked -p stdfund-server -- estimate examples/application.json --format table)
grep -q '合计 Total payable: 1,270,000.00 (127万元)' <<<"$out"
cargo run -q --locked -p stdfund-server -- rules | grep -q 'fz-2016 1.0.0'
work=$(mktemp -d)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
bin=target/debug/stdfund
(cd "$work" && exec "$OLDPWD/$bin" serve --listen "127.0.0.1:$port" --metrics-listen off >"$work/log" 2>&1) &
pid=$!
trap 'kill $pid 2>/dev/null || true; rm -rf "$work"' EXIT
ok=0
for _ in $(seq 1 100); do
  if "$bin" healthcheck --addr "127.0.0.1:$port" >/dev/null 2>&1; then ok=1; break; fi
  sleep 0.1
done
[ "$ok" = 1 ] || { cat "$work/log"; echo "serve did not become SERVING"; exit 1; }
test -s "$work/stdfund.sqlite"
echo "readme commands: 4 passed, 0 failed"
