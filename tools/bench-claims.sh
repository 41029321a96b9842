#!/usr/bin/env bash
# SubmitClaim per second against the real `stdfund serve` (release build) on
# loopback: once on a fresh SQLite file, once on a throwaway PostgreSQL
# cluster (initdb + pg_ctl, as the tests do). Bounded: a warm-up, then a
# fixed number of seconds per backend. Recorded in docs/BENCHMARKS.md,
# section "Claim registry".
#
#   bash tools/bench-claims.sh [CONCURRENCY [SECONDS]]
set -euo pipefail
cd "$(dirname "$0")/.."
concurrency=${1:-32}
seconds=${2:-10}

cargo build --release -p stdfund-server --bin stdfund --bin stdfund-claim-load --locked
target_dir=$(cargo metadata --format-version 1 --no-deps --locked |
  python3 -c 'import json, sys; print(json.load(sys.stdin)["target_directory"])')
bin="$target_dir/release/stdfund"
load="$target_dir/release/stdfund-claim-load"

work=$(mktemp -d /tmp/stdfund-bench-XXXXXX)
pgdata=""
as_pg=()
[ "$(id -u)" = 0 ] && as_pg=(runuser -u postgres --)
cleanup() {
  if [ -n "$pgdata" ] && [ -d "$pgdata" ]; then
    "${as_pg[@]}" "$pgbin/pg_ctl" -D "$pgdata" -m immediate stop >/dev/null 2>&1 || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(free -g | awk '/Mem:/ {print $2}') GiB; load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "== SQLite (WAL, synchronous=FULL): $work/bench.sqlite"
"$load" --serve "$bin" --database-url "sqlite://$work/bench.sqlite" \
  --concurrency "$concurrency" --seconds "$seconds"

pgbin=$(pg_config --bindir 2>/dev/null || true)
[ -x "$pgbin/initdb" ] || pgbin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
if [ ! -x "$pgbin/initdb" ]; then
  echo "no PostgreSQL server binaries: PostgreSQL skipped"
  exit 0
fi
pgdata="$work/pg"
mkdir -p "$pgdata"
[ ${#as_pg[@]} -gt 0 ] && chown postgres: "$work" "$pgdata"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"${as_pg[@]}" "$pgbin/initdb" -D "$pgdata" -U postgres -A trust -E UTF8 --locale=C >/dev/null
# Durable settings (fsync on, synchronous_commit on): the figure is a real one.
"${as_pg[@]}" "$pgbin/pg_ctl" -D "$pgdata" -l "$work/pg.log" -w \
  -o "-p $port -k $work -c listen_addresses=127.0.0.1 -c max_connections=100" start >/dev/null
echo "== PostgreSQL $("$pgbin/postgres" --version | awk '{print $3}') (fsync on, synchronous_commit on): 127.0.0.1:$port"
"$load" --serve "$bin" --database-url "postgres://postgres@127.0.0.1:$port/postgres" \
  --concurrency "$concurrency" --seconds "$seconds"
