#!/usr/bin/env bash
# Undo benchmark: N synthetic entries loaded by `ucr load`, then that import undone by
# `ucr imports undo` (every entry deleted, its last state kept in a revision), timed.
#
#   bench/undo.sh [N] [sqlite|postgres|both] [create|upsert]
#
# `upsert` undoes an upsert that changed every entry of the load instead (every entry given its
# previous state back). PostgreSQL uses UCR_BENCH_POSTGRES_URL (default
# postgres://postgres@127.0.0.1:5432/test); the benchmark creates and drops the databases
# ucr_bench and ucr_bench_compare there. UCR_BENCH_COMPARE names another build of `ucr` (an
# older commit's) to undo the same import with, in the same run, on a copy of the same
# register.
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-1000000}
WHICH=${2:-both}
WHAT=${3:-create}
export PGOPTIONS="-c client_min_messages=warning"
PG=${UCR_BENCH_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/test}
DIR=$(mktemp -d)
trap 'rm -rf "$DIR"' EXIT

cargo build --release --quiet --bin ucr
UCR=target/release/ucr

echo "generating $N synthetic entries…"
$UCR generate --count "$N" --output "$DIR/rows.ndjson"
if [ "$WHAT" = upsert ]; then
  # The same entries, each with another English name.
  sed 's/"name":{"az":\("[^"]*"\)}/"name":{"az":\1,"en":"Renamed"}/' "$DIR/rows.ndjson" > "$DIR/renamed.ndjson"
fi

# Runs a command, prints "seconds peak-KiB".
measure() {
  /usr/bin/time -f "%e %M" -o "$DIR/time" "$@" > "$DIR/out" 2>&1 || { cat "$DIR/out"; exit 1; }
  cat "$DIR/time"
}

# Loads the rows (and the upsert) into the register at $1; prints the id of the import to undo.
prepare() {
  $UCR --database "$1" load "$DIR/rows.ndjson" > /dev/null
  if [ "$WHAT" = upsert ]; then
    $UCR --database "$1" load --mode upsert "$DIR/renamed.ndjson" > /dev/null
  fi
  $UCR --database "$1" imports list | head -1 | cut -d' ' -f1
}

report() { # name seconds kib
  awk -v n="$N" -v name="$1" -v s="$2" -v m="$3" -v what="$WHAT" 'BEGIN {
    printf "%-26s undo of a %s of %d entries: %8.2f s (%8.0f entries/s)   peak %.0f MiB\n",
      name, what, n, s, n/s, m/1024 }'
}

if [ "$WHICH" != postgres ]; then
  ID=$(prepare "sqlite://$DIR/ucr.db")
  if [ -n "${UCR_BENCH_COMPARE:-}" ]; then
    # The same register, copied with its write-ahead log.
    cp "$DIR/ucr.db" "$DIR/compare.db"
    if [ -e "$DIR/ucr.db-wal" ]; then cp "$DIR/ucr.db-wal" "$DIR/compare.db-wal"; fi
    read -r c_s c_k < <(measure "$UCR_BENCH_COMPARE" --database "sqlite://$DIR/compare.db" imports undo "$ID")
    rm -f "$DIR"/compare.db*
    report "sqlite (compared build)" "$c_s" "$c_k"
  fi
  read -r o_s o_k < <(measure $UCR --database "sqlite://$DIR/ucr.db" imports undo "$ID")
  report sqlite "$o_s" "$o_k"
  rm -f "$DIR"/ucr.db*
fi

if [ "$WHICH" != sqlite ]; then
  ADMIN="$PG"
  SERVER="${PG%/*}"
  psql "$ADMIN" -qc "DROP DATABASE IF EXISTS ucr_bench WITH (FORCE)" -c "CREATE DATABASE ucr_bench" >/dev/null
  ID=$(prepare "$SERVER/ucr_bench")
  psql "$SERVER/ucr_bench" -qc "VACUUM ANALYZE" >/dev/null
  if [ -n "${UCR_BENCH_COMPARE:-}" ]; then
    psql "$ADMIN" -qc "DROP DATABASE IF EXISTS ucr_bench_compare WITH (FORCE)" \
      -c "CREATE DATABASE ucr_bench_compare TEMPLATE ucr_bench" >/dev/null
    read -r c_s c_k < <(measure "$UCR_BENCH_COMPARE" --database "$SERVER/ucr_bench_compare" imports undo "$ID")
    psql "$ADMIN" -qc "DROP DATABASE IF EXISTS ucr_bench_compare WITH (FORCE)" >/dev/null
    report "postgres (compared build)" "$c_s" "$c_k"
  fi
  read -r o_s o_k < <(measure $UCR --database "$SERVER/ucr_bench" imports undo "$ID")
  report postgres "$o_s" "$o_k"
  psql "$ADMIN" -qc "DROP DATABASE IF EXISTS ucr_bench WITH (FORCE)" >/dev/null
fi
