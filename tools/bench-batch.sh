#!/usr/bin/env bash
# Benchmarks of issue 11 (docs/BENCHMARKS.md, sections "Batch estimates" and
# "免申即享 match"): `stdfund estimate --batch` on 10,000, 50,000 and 100,000
# achievements as NDJSON and as XLSX, the 100,000 also into XLSX and CSV
# tables; `stdfund match` of 10,000 list rows against a 100,000-enterprise
# register (reading the held keys from a SQLite registry). Each run is timed
# with /usr/bin/time (wall, user, system, peak RSS); RUNS runs each.
#
#   bash tools/bench-batch.sh [RUNS]        (default 3; data under target/bench)
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-3}
cargo build --release --locked -p stdfund-server -p stdfund-match
bin=target/release
data=target/bench
mkdir -p "$data"
for n in 10000 50000 100000; do
  "$bin/stdfund-batch-synth" --out "$data" --achievements "$n" --per-unit 5
done
"$bin/stdfund-match-synth" --out "$data/match" --enterprises 100000 --rows 10000 --format xlsx
rm -f "$data/registry.sqlite"
"$bin/stdfund" migrate --database-url "sqlite://$PWD/$data/registry.sqlite" >/dev/null

timed() { # label, command…
  local label=$1; shift
  for r in $(seq 1 "$runs"); do
    /usr/bin/time -f "$label run $r: wall %e s, user %U s, sys %S s, peak RSS %M KB" "$@" >/dev/null
  done
}

echo "== machine: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(nproc) cores; load $(cut -d' ' -f1-3 /proc/loadavg)"
for format in ndjson xlsx; do
  for n in 10000 50000 100000; do
    timed "--batch $format $n" "$bin/stdfund" estimate --batch "$data/batch-$n.$format"
  done
done
timed "--batch ndjson 100000 -> xlsx" "$bin/stdfund" estimate --batch "$data/batch-100000.ndjson" --output "$data/answers-100000.xlsx"
timed "--batch ndjson 100000 -> csv" "$bin/stdfund" estimate --batch "$data/batch-100000.ndjson" --output "$data/answers-100000.csv"
m="$data/match"
timed "match 10000 rows x 100000 register" "$bin/stdfund" match --register "$m/register.xlsx" \
  --standards "$m/standards.xlsx" --awards "$m/awards.xlsx" --committees "$m/committees.xlsx" \
  --pilots "$m/pilots.xlsx" --gi "$m/gi.xlsx" \
  --database-url "sqlite://$PWD/$data/registry.sqlite" --out "$data/match-out"
echo "== load after: $(cut -d' ' -f1-3 /proc/loadavg)"
