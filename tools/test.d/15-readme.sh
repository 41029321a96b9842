#!/usr/bin/env bash
# The README's commands work as written: `cargo run -p stdfund-server` picks
# the stdfund binary, the example estimate prints its total, and `serve`
# starts on the embedded SQLite default and answers a health check.
set -euo pipefail
cd "$(dirname "$0")/../.."
out=$(cargo run -q --locked -p stdfund-server -- estimate examples/application.json --format table)
grep -q '合计 Total payable: 1,270,000.00 (127万元)' <<<"$out"
cargo run -q --locked -p stdfund-server -- rules | grep -q 'fz-2016 1.1.0'
work=$(mktemp -d)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
# The binary `cargo run` built, wherever CARGO_TARGET_DIR puts it (absolute:
# the server runs from a scratch directory).
bin="$(cd "${CARGO_TARGET_DIR:-target}" && pwd)/debug/stdfund"
(cd "$work" && exec "$bin" serve --listen "127.0.0.1:$port" --metrics-listen off >"$work/log" 2>&1) &
pid=$!
trap 'kill $pid 2>/dev/null || true; rm -rf "$work"' EXIT
ok=0
for _ in $(seq 1 100); do
  if "$bin" healthcheck --addr "127.0.0.1:$port" >/dev/null 2>&1; then ok=1; break; fi
  sleep 0.1
done
[ "$ok" = 1 ] || { cat "$work/log"; echo "serve did not become SERVING"; exit 1; }
test -s "$work/stdfund.sqlite"
# The workbench: the log names its address, the page is served.
grep -q "workbench.*http://127.0.0.1:$port/workbench/" "$work/log" || { cat "$work/log"; echo "the log does not name the workbench"; exit 1; }
python3 - "$port" <<'PY'
import sys, urllib.request
with urllib.request.urlopen(f"http://127.0.0.1:{sys.argv[1]}/workbench/", timeout=5) as r:
    body = r.read().decode()
    assert r.status == 200 and "text/html" in r.headers["content-type"], r.headers
    assert "Content-Security-Policy" in r.headers and "<script" in body, body[:300]
PY
kill "$pid"; wait "$pid" 2>/dev/null || true
# The README's token steps: `token new` prints the token once and an entry
# that, in a 0600 tokens file, lets the server start with it.
out=$("$bin" token new reviewer --name 审核员1)
grep -q '^token: stdfund_[0-9a-f]\{64\}$' <<<"$out"
sed -n '/^\[\[tokens\]\]/,$p' <<<"$out" >"$work/tokens.toml"
chmod 600 "$work/tokens.toml"
grep -q 'role = "reviewer"' "$work/tokens.toml"
(cd "$work" && exec "$bin" serve --listen "127.0.0.1:$port" --metrics-listen off --tokens-file "$work/tokens.toml" >"$work/log2" 2>&1) &
pid=$!
ok=0
for _ in $(seq 1 100); do
  if "$bin" healthcheck --addr "127.0.0.1:$port" --service stdfund.v1.RegistryService >/dev/null 2>&1; then ok=1; break; fi
  sleep 0.1
done
[ "$ok" = 1 ] || { cat "$work/log2"; echo "serve --tokens-file did not become SERVING"; exit 1; }
grep -q '"tokens":1\|tokens=1' "$work/log2" || { cat "$work/log2"; echo "the token was not loaded"; exit 1; }
echo "readme commands: 6 passed, 0 failed"
