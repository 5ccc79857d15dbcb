#!/usr/bin/env bash
# Bulk-load benchmark: N synthetic entries loaded by `ucr load` (full validation, revisions,
# indexes, one recorded import) side by side with the database's own fast path on the same
# rows (SQLite: a cached prepared INSERT per row in one transaction; PostgreSQL: COPY).
#
#   bench/bulk-load.sh [N] [sqlite|postgres|both]
#
# PostgreSQL uses UCR_BENCH_POSTGRES_URL (default postgres://postgres@127.0.0.1:5432/test);
# the benchmark creates and drops the database ucr_bench there. UCR_BENCH_COMPARE names
# another build of `ucr` (an older commit's) to load the same rows with, in the same run.
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-1000000}
WHICH=${2:-both}
PG=${UCR_BENCH_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/test}
DIR=$(mktemp -d)
trap 'rm -rf "$DIR"' EXIT

cargo build --release --quiet --bin ucr --example bulk_baseline -p ucr -p ucr-core
UCR=target/release/ucr
BASE=target/release/examples/bulk_baseline

echo "generating $N synthetic entries…"
$UCR generate --count "$N" --output "$DIR/rows.ndjson"
ls -l "$DIR/rows.ndjson" | awk '{printf "file: %.0f MiB\n", $5/1048576}'

# Runs a command, prints "seconds peak-KiB".
measure() {
  /usr/bin/time -f "%e %M" -o "$DIR/time" "$@" > "$DIR/out" 2>&1 || { cat "$DIR/out"; exit 1; }
  cat "$DIR/time"
}

report() { # name baseline_seconds ours_seconds ours_kib
  awk -v n="$N" -v name="$1" -v b="$2" -v o="$3" -v m="$4" 'BEGIN {
    printf "%-10s baseline %7.2f s (%8.0f rows/s)   ucr load %7.2f s (%8.0f rows/s)   ratio %.2f×   peak %.0f MiB\n",
      name, b, n/b, o, n/o, o/b, m/1024 }'
}

if [ "$WHICH" != postgres ]; then
  read -r b_s _ < <(measure $BASE sqlite "$DIR/baseline.db" "$DIR/rows.ndjson")
  if [ -n "${UCR_BENCH_COMPARE:-}" ]; then
    read -r c_s c_k < <(measure "$UCR_BENCH_COMPARE" --database "sqlite://$DIR/compare.db" load "$DIR/rows.ndjson")
    rm -f "$DIR"/compare.db*
    report "sqlite (compared build)" "$b_s" "$c_s" "$c_k"
  fi
  read -r o_s o_k < <(measure $UCR --database "sqlite://$DIR/ucr.db" load "$DIR/rows.ndjson")
  tail -1 "$DIR/out"
  report sqlite "$b_s" "$o_s" "$o_k"
fi

if [ "$WHICH" != sqlite ]; then
  ADMIN="$PG"
  SERVER="${PG%/*}"
  psql "$ADMIN" -qc "DROP DATABASE IF EXISTS ucr_bench" -c "CREATE DATABASE ucr_bench" >/dev/null
  read -r b_s _ < <(measure $BASE postgres "$SERVER/ucr_bench" "$DIR/rows.ndjson")
  if [ -n "${UCR_BENCH_COMPARE:-}" ]; then
    psql "$ADMIN" -qc "DROP DATABASE IF EXISTS ucr_bench WITH (FORCE)" -c "CREATE DATABASE ucr_bench" >/dev/null
    read -r c_s c_k < <(measure "$UCR_BENCH_COMPARE" --database "$SERVER/ucr_bench" load "$DIR/rows.ndjson")
    report "postgres (compared build)" "$b_s" "$c_s" "$c_k"
  fi
  psql "$ADMIN" -qc "DROP DATABASE IF EXISTS ucr_bench WITH (FORCE)" -c "CREATE DATABASE ucr_bench" >/dev/null
  read -r o_s o_k < <(measure $UCR --database "$SERVER/ucr_bench" load "$DIR/rows.ndjson")
  tail -1 "$DIR/out"
  report postgres "$b_s" "$o_s" "$o_k"
  psql "$ADMIN" -qc "DROP DATABASE IF EXISTS ucr_bench WITH (FORCE)" >/dev/null
fi
