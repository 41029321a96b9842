#!/usr/bin/env bash
# The independent Python client: grpcio-tools generates it from proto/ (not
# from the Rust code) and it calls the real `stdfund serve` binary, started on
# free loopback ports with a temporary SQLite database, then again against a
# throwaway PostgreSQL cluster (tests/python/pg_cluster.py; under CI=true that
# leg must run). The last line sums both legs.
set -euo pipefail
cd "$(dirname "$0")/../.."
[ -x .venv/bin/python ] || { echo ".venv is missing: run tools/setup.sh"; exit 1; }
cargo build -p stdfund-server --bin stdfund --locked
target_dir=$(cargo metadata --format-version 1 --no-deps --locked |
  python3 -c 'import json, sys; print(json.load(sys.stdin)["target_directory"])')
legs=(sqlite)
if [ "${CI:-}" = true ] || .venv/bin/python -c 'import sys; sys.path.insert(0, "tests/python"); import pg_cluster; sys.exit(0 if pg_cluster.find_bindir() else 1)'; then
  legs+=(postgres)
else
  echo "SKIPPED the PostgreSQL leg (not in CI): no PostgreSQL server binaries"
fi
total=0
for leg in "${legs[@]}"; do
  echo "== python client on $leg"
  extra=()
  [ "$leg" = postgres ] && extra=(--postgres)
  log=$(mktemp)
  .venv/bin/python tests/python/run_grpc_client.py --binary "$target_dir/debug/stdfund" "${extra[@]}" "$@" | tee "$log"
  n=$(sed -n 's/^python client: \([0-9][0-9]*\) passed, 0 failed$/\1/p' "$log" | tail -n 1)
  rm -f "$log"
  [ -n "$n" ] || { echo "python client: the $leg leg printed no summary"; exit 1; }
  total=$((total + n))
done
echo "python client: $total passed, 0 failed"
