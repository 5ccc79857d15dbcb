#!/usr/bin/env bash
# The floor a bulk load cannot go below with the register's storage: N synthetic entries,
# loaded and checked once by `ucr load`, are copied into an empty register by the database
# alone — secondary indexes dropped, rows in, indexes and full-text index built, one
# transaction, as `ucr load` writes them — beside the baseline of bench/bulk-load.sh on the
# same rows. No parsing, no validation, no application code is timed.
#
#   bench/floor.sh [N] [sqlite|postgres|both]
#
# Needs the sqlite3 and psql command-line tools. PostgreSQL uses UCR_BENCH_POSTGRES_URL
# (default postgres://postgres@127.0.0.1:5432/test) and creates and drops ucr_floor_src and
# ucr_floor there.
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-300000}
WHICH=${2:-both}
PG=${UCR_BENCH_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/test}
SERVER="${PG%/*}"
export PGOPTIONS="-c client_min_messages=warning"
DIR=$(mktemp -d)
trap 'rm -rf "$DIR"' EXIT

cargo build --release --quiet --bin ucr --example bulk_baseline -p ucr -p ucr-core
UCR=target/release/ucr
BASE=target/release/examples/bulk_baseline
$UCR generate --count "$N" --output "$DIR/rows.ndjson"

ratio() { awk -v n="$1" -v b="$2" -v f="$3" 'BEGIN {
  printf "%-10s baseline %7.2f s   floor %7.2f s   ratio %.2f×\n", n, b, f, f / b }'; }

if [ "$WHICH" != postgres ]; then
  read -r _ b_s < <($BASE sqlite "$DIR/baseline.db" "$DIR/rows.ndjson")
  $UCR --database "sqlite://$DIR/src.db" load "$DIR/rows.ndjson" > /dev/null
  $UCR --database "sqlite://$DIR/dst.db" migrate > /dev/null 2>&1
  # What a load into an empty register sets aside, from the register's own definitions.
  DEFS="SELECT sql || ';' FROM sqlite_master WHERE tbl_name IN ('entries', 'revisions')
        AND sql IS NOT NULL AND ((type = 'index' AND sql NOT LIKE 'CREATE UNIQUE%')
        OR name = 'entries_search_insert') ORDER BY name"
  {
    echo "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON;"
    echo "ATTACH '$DIR/src.db' AS src;"
    echo "BEGIN;"
    sqlite3 "$DIR/dst.db" "SELECT CASE type WHEN 'trigger' THEN 'DROP TRIGGER ' ELSE 'DROP INDEX ' END || name || ';'
      FROM sqlite_master WHERE tbl_name IN ('entries', 'revisions') AND sql IS NOT NULL
      AND ((type = 'index' AND sql NOT LIKE 'CREATE UNIQUE%') OR name = 'entries_search_insert')"
    echo "INSERT INTO main.entries SELECT * FROM src.entries ORDER BY rowid;"
    echo "INSERT INTO main.revisions SELECT * FROM src.revisions ORDER BY seq;"
    sqlite3 "$DIR/dst.db" "$DEFS"
    echo "INSERT INTO entry_search(entry_search) VALUES ('rebuild');"
    echo "COMMIT;"
  } > "$DIR/floor.sql"
  sync
  start=$(date +%s.%N)
  sqlite3 "$DIR/dst.db" < "$DIR/floor.sql" > /dev/null
  f_s=$(echo "$(date +%s.%N) - $start" | bc)
  ratio sqlite "$b_s" "$f_s"
fi

if [ "$WHICH" != sqlite ]; then
  for db in ucr_floor_src ucr_floor; do
    psql "$PG" -qc "DROP DATABASE IF EXISTS $db WITH (FORCE)" -c "CREATE DATABASE $db" > /dev/null
  done
  read -r _ b_s < <($BASE postgres "$SERVER/ucr_floor" "$DIR/rows.ndjson")
  psql "$SERVER/ucr_floor" -qc "DROP TABLE baseline"
  $UCR --database "$SERVER/ucr_floor_src" load "$DIR/rows.ndjson" > /dev/null
  psql "$SERVER/ucr_floor_src" -qc "\\copy entries TO '$DIR/entries.copy'" \
    -c "\\copy revisions TO '$DIR/revisions.copy'"
  $UCR --database "$SERVER/ucr_floor" migrate > /dev/null 2>&1
  DEFS="FROM pg_indexes WHERE schemaname = current_schema()
        AND tablename IN ('entries', 'revisions') AND indexdef NOT LIKE 'CREATE UNIQUE%'"
  {
    echo "BEGIN;"
    echo "LOCK TABLE revisions, entries IN ACCESS EXCLUSIVE MODE;"
    psql "$SERVER/ucr_floor" -Atc "SELECT 'DROP INDEX ' || indexname || ';' $DEFS"
    echo "SET LOCAL maintenance_work_mem = '256MB';"
    echo "\\copy entries FROM '$DIR/entries.copy'"
    echo "\\copy revisions FROM '$DIR/revisions.copy'"
    echo "SET CONSTRAINTS ALL IMMEDIATE;"
    psql "$SERVER/ucr_floor" -Atc "SELECT indexdef || ';' $DEFS"
    echo "COMMIT;"
  } > "$DIR/floor.psql"
  start=$(date +%s.%N)
  psql "$SERVER/ucr_floor" -q -v ON_ERROR_STOP=1 -f "$DIR/floor.psql" > /dev/null
  f_s=$(echo "$(date +%s.%N) - $start" | bc)
  ratio postgres "$b_s" "$f_s"
  for db in ucr_floor_src ucr_floor; do
    psql "$PG" -qc "DROP DATABASE IF EXISTS $db WITH (FORCE)" > /dev/null
  done
fi
