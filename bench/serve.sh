#!/usr/bin/env bash
# Read benchmark: N synthetic entries in SQLite served by `ucr serve`, and the same database
# served by datasette (a tool a user might pick instead), measured side by side with wrk on
# loopback: GET by id (anonymous and with a token: the cost of the token check), search and
# filtered lists, p50/p99 latency, throughput, server memory.
#
#   bench/serve.sh [N] [SECONDS]
#
# UCR_BENCH_COMPARE names another build of `ucr` (an older commit's): its servers are then
# measured the same way on the same database, in the same run, after this build's (before it
# with UCR_BENCH_COMPARED_FIRST=1, to see what the order does).
#
# Needs wrk (Debian package) and datasette (PyPI); installs them when missing.
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-1000000}
SECS=${2:-10}
DIR=$(mktemp -d)
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$DIR"; }
trap cleanup EXIT

command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk; }
command -v datasette >/dev/null || pip install -q datasette

cargo build --release --quiet --bin ucr
UCR=target/release/ucr
DB="$DIR/ucr.db"

echo "loading $N synthetic entries…"
$UCR generate --count "$N" --output "$DIR/rows.ndjson"
$UCR --database "sqlite://$DB" load "$DIR/rows.ndjson" | tail -1
TOKEN=$($UCR --database "sqlite://$DB" token create --name bench-reader --role reader)
sync # the load's gigabytes go to disk now, not under the first measurement

PORT=18480
DPORT=18481
CPORT=18482
# Two servers of a build: one as `ucr serve` runs (answers of recent searches kept), and one
# keeping no answers, every search computed (what a search costs the first time, or after each
# write). Both build their search index in memory at start (searches read the tables until
# then): measurements start once it is ready.
start_ucr() { # binary
  RUST_LOG=warn,ucr::serve=info "$1" --database "sqlite://$DB" serve --bind "127.0.0.1:$PORT" \
    --pool-size 8 > "$DIR/kept.log" 2>&1 &
  UCR_PID=$!
  RUST_LOG=warn,ucr::serve=info "$1" --database "sqlite://$DB" serve --bind "127.0.0.1:$CPORT" \
    --pool-size 8 --search-cache-mib 0 > "$DIR/computed.log" 2>&1 &
  COLD_PID=$!
  PIDS+=("$UCR_PID" "$COLD_PID")
  for url in "http://127.0.0.1:$PORT/ready" "http://127.0.0.1:$CPORT/ready"; do
    for _ in $(seq 1 100); do curl -sf "$url" >/dev/null && break; sleep 0.2; done
  done
  for log in "$DIR/kept.log" "$DIR/computed.log"; do
    for _ in $(seq 1 300); do grep -q "search index" "$log" && break; sleep 0.2; done
    grep -o "search index.*" "$log" || echo "no search index in $log"
  done
}
stop_ucr() {
  kill "$UCR_PID" "$COLD_PID" 2>/dev/null || true
  wait "$UCR_PID" "$COLD_PID" 2>/dev/null || true
}

cat > "$DIR/metadata.json" <<JSON
{"databases": {"ucr": {"tables": {"entries": {"fts_table": "entry_search", "fts_pk": "rowid"}}}}}
JSON
datasette serve "$DB" --port "$DPORT" --metadata "$DIR/metadata.json" \
  --setting default_page_size 20 --setting sql_time_limit_ms 10000 >/dev/null 2>&1 &
PIDS+=($!)
DS_PID=$!
for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$DPORT/-/versions.json" >/dev/null && break; sleep 0.2; done
start_ucr "$UCR"

# 1 000 ids and registry numbers spread over the register.
curl -s "http://127.0.0.1:$PORT/api/v1/entries?limit=1000&sort=-created" \
  | python3 -c 'import json,sys; [print(e["id"]) for e in json.load(sys.stdin)["items"]]' > "$DIR/ids"

# A wrk script that cycles through a list of paths.
paths_script() { # file-of-paths > lua
  python3 - "$1" <<'PY'
import json, sys
paths = [l.strip() for l in open(sys.argv[1]) if l.strip()]
print("paths = " + json.dumps(paths).replace("[", "{").replace("]", "}"))
print("i = 0")
print("request = function() i = i + 1; return wrk.format('GET', paths[(i % #paths) + 1]) end")
PY
}

# Selective searches (what a clerk types: a person and a place) and broad ones (one word that
# 1 in 8 to 1 in 20 of the synthetic entries hold).
SELECTIVE="nizami%20seki sabir%20quba natavan%20gence fuzuli%20lenkeran cavid%20naxcivan behbudov%20qebele bulbul%20xacmaz vurgun%20zaqatala"
BROAD="seki gence quba nizami kitabxana teatr muzey"
sed 's|^|/api/v1/entries/|' "$DIR/ids" > "$DIR/ucr-get"
sed 's|^|/ucr/entries/|; s|$|.json|' "$DIR/ids" > "$DIR/ds-get"
: > "$DIR/ucr-search"; : > "$DIR/ds-search"; : > "$DIR/ucr-broad"; : > "$DIR/ds-broad"
for w in $SELECTIVE; do
  echo "/api/v1/entries?q=$w&limit=20" >> "$DIR/ucr-search"
  echo "/ucr/entries.json?_search=${w/\%20/*%20}*&_size=20" >> "$DIR/ds-search"
done
for w in $BROAD; do
  echo "/api/v1/entries?q=$w&limit=20" >> "$DIR/ucr-broad"
  echo "/ucr/entries.json?_search=$w*&_size=20" >> "$DIR/ds-broad"
done
: > "$DIR/ucr-filter"; : > "$DIR/ds-filter"
for r in AZ-SA AZ-BA AZ-GA AZ-QBA AZ-LAN AZ-NX AZ-SUS AZ-ZAQ; do
  for k in theatre museum library school; do
    echo "/api/v1/entries?region=$r&kind=$k&limit=20" >> "$DIR/ucr-filter"
    echo "/ucr/entries.json?region=$r&kind=$k&_size=20" >> "$DIR/ds-filter"
  done
done

run() { # name base pathsfile [header]
  paths_script "$3" > "$DIR/s.lua"
  local args=(-t2 -c8 -d"${SECS}s" --timeout 10s --latency -s "$DIR/s.lua")
  [ -n "${4:-}" ] && args+=(-H "$4")
  wrk "${args[@]}" "$2" > "$DIR/wrk.out"
  awk -v name="$1" '
    /Requests\/sec/ { rps = $2 }
    /^ +50%/ { p50 = $2 } /^ +99%/ { p99 = $2 }
    /Non-2xx/ { bad = $NF }
    END { printf "%-40s %10.0f req/s   p50 %8s   p99 %8s%s\n", name, rps, p50, p99, (bad ? "   non-2xx " bad : "") }' "$DIR/wrk.out"
  awk -v name="$1" '/Requests\/sec/ { print name "\t" $2 }' "$DIR/wrk.out" >> "$DIR/rps"
}

U="http://127.0.0.1:$PORT"
C="http://127.0.0.1:$CPORT"
D="http://127.0.0.1:$DPORT"
hwm() { awk '/VmHWM/ {printf "%.0f MiB", $2/1024}' "/proc/$1/status"; }
ucr_runs() { # label
  run "$1 GET by id" "$U" "$DIR/ucr-get"
  run "$1 GET by id, reader token" "$U" "$DIR/ucr-get" "Authorization: Bearer $TOKEN"
  run "$1 filter region+kind" "$U" "$DIR/ucr-filter"
  run "$1 search, selective, computed" "$C" "$DIR/ucr-search"
  sleep 5
  run "$1 search, broad, computed" "$C" "$DIR/ucr-broad"
  sleep 15 # requests still running when wrk stops must not count against the next run
  # Each search once (computed), then measured while the register does not change.
  for p in $(cat "$DIR/ucr-search" "$DIR/ucr-broad"); do curl -sf -o /dev/null "$U$p"; done
  run "$1 search, selective, kept" "$U" "$DIR/ucr-search"
  run "$1 search, broad, kept" "$U" "$DIR/ucr-broad"
  echo "$1 server memory (peak RSS): $(hwm "$UCR_PID"), keeping no answers $(hwm "$COLD_PID")"
}
measure_this() { ucr_runs "ucr"; stop_ucr; }
measure_compared() {
  [ -n "${UCR_BENCH_COMPARE:-}" ] || return 0
  start_ucr "$UCR_BENCH_COMPARE"
  ucr_runs "compared"
  stop_ucr
}
if [ -n "${UCR_BENCH_COMPARED_FIRST:-}" ]; then
  # The servers started for the ids serve the compared build's turn's place: stop them first.
  stop_ucr
  measure_compared
  start_ucr "$UCR"
  measure_this
else
  measure_this
  measure_compared
fi
run "datasette GET row" "$D" "$DIR/ds-get"
run "datasette filter" "$D" "$DIR/ds-filter"
run "datasette search, selective" "$D" "$DIR/ds-search"
run "datasette search, broad" "$D" "$DIR/ds-broad"

echo "datasette memory (peak RSS): $(hwm $DS_PID)"
awk -F'\t' '
  { rps[$1] = $2 }
  END {
    printf "GET by id: ucr / datasette = %.1f×;  token check: %.1f%% of anonymous throughput lost\n",
      rps["ucr GET by id"] / rps["datasette GET row"], (1 - rps["ucr GET by id, reader token"] / rps["ucr GET by id"]) * 100
    if ("compared GET by id" in rps)
      for (k in rps) if (k ~ /^ucr /) {
        c = "compared" substr(k, 4)
        if (c in rps) printf "%-40s now / compared = %.2f\n", k, rps[k] / rps[c]
      }
  }' "$DIR/rps"
