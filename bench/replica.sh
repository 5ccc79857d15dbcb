#!/usr/bin/env bash
# Read-only replicas: a streaming standby of the local PostgreSQL (made by .ci/standby.sh), a
# bulk load of N synthetic entries on the primary, and on the standby a `ucr serve --read-only`:
#   - the replica's lag (seconds, and changes behind the primary) sampled during the load,
#     and how long after the load's commit the replica has every change;
#   - the latency of a word search on the replica during the load (and idle, after it);
#   - the time a fresh read-only server takes to start and build its search index from the
#     standby.
# On one machine the standby and the primary share the cores: these are costs, not scale.
#
#   bench/replica.sh [N]
#
# UCR_BIN names the `ucr` to measure (default: a release build, made first).
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-1000000}
PORT=${UCR_STANDBY_PORT:-5434}
DIR=$(mktemp -d)
STANDBY=$(mktemp -d /tmp/ucr-bench-standby.XXXXXX)
NAME="ucr_bench_replica_$$"
PRIMARY_URL="postgres://postgres@127.0.0.1:5432/$NAME"
STANDBY_URL="postgres://postgres@127.0.0.1:$PORT/$NAME"
PIDS=()
cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  psql -h 127.0.0.1 -U postgres -qc "DROP DATABASE IF EXISTS $NAME WITH (FORCE)" >/dev/null 2>&1 || true
  .ci/standby.sh stop "$STANDBY"
  rm -rf "$DIR"
}
trap cleanup EXIT

if [ -z "${UCR_BIN:-}" ]; then
  cargo build --release --quiet --bin ucr
  UCR_BIN=target/release/ucr
fi
UCR=$UCR_BIN

echo "standby on port $PORT…"
.ci/standby.sh start "$STANDBY" "$PORT"
createdb -h 127.0.0.1 -U postgres "$NAME"
$UCR --database "$PRIMARY_URL" migrate >/dev/null
$UCR generate --count "$N" --output "$DIR/rows.ndjson"

serve_replica() { # port log
  RUST_LOG=warn,ucr::serve=info $UCR --database "$STANDBY_URL" serve --read-only \
    --bind "127.0.0.1:$1" --primary-database "$PRIMARY_URL" --max-lag 3600 >"$2" 2>&1 &
  PIDS+=("$!")
}
# The standby has the database (and its schema) once a read-only server starts on it.
for _ in $(seq 1 100); do
  serve_replica 18490 "$DIR/replica.log"
  sleep 1
  curl -sf http://127.0.0.1:18490/ready >/dev/null && break
done
curl -sf http://127.0.0.1:18490/ready >/dev/null || { cat "$DIR/replica.log"; exit 1; }

SEARCH="http://127.0.0.1:18490/api/v1/entries?q=teatr&limit=20"
echo "loading $N entries on the primary while sampling the replica…"
start=$(date +%s.%N)
$UCR --database "$PRIMARY_URL" load "$DIR/rows.ndjson" >"$DIR/load.txt" 2>&1 &
LOAD=$!
: >"$DIR/samples"
while kill -0 "$LOAD" 2>/dev/null; do
  t=$(curl -s -o /dev/null -w '%{time_total}' "$SEARCH")
  r=$(curl -s http://127.0.0.1:18490/ready)
  echo "$t $(echo "$r" | python3 -c 'import json,sys; r=json.load(sys.stdin)["replica"]; print(r["lag_seconds"], r["changes_behind"])')" >>"$DIR/samples"
  sleep 0.5
done
wait "$LOAD"
loaded=$(date +%s.%N)
tail -1 "$DIR/load.txt"
until curl -s http://127.0.0.1:18490/ready | grep -q '"changes_behind":0'; do sleep 0.1; done
caught=$(date +%s.%N)
: >"$DIR/idle"
for _ in $(seq 1 50); do curl -s -o /dev/null -w '%{time_total}\n' "$SEARCH" >>"$DIR/idle"; done

echo "a fresh read-only server on the standby…"
t0=$(date +%s.%N)
serve_replica 18491 "$DIR/fresh.log"
until curl -sf http://127.0.0.1:18491/ready >/dev/null; do sleep 0.05; done
t1=$(date +%s.%N)
for _ in $(seq 1 6000); do grep -q "search index" "$DIR/fresh.log" && break; sleep 0.1; done
t2=$(date +%s.%N)

python3 - "$DIR/samples" "$DIR/idle" "$start" "$loaded" "$caught" "$t0" "$t1" "$t2" "$N" <<'PY'
import sys, statistics as st
samples = [l.split() for l in open(sys.argv[1]) if l.strip()]
idle = sorted(float(l) * 1000 for l in open(sys.argv[2]) if l.strip())
start, loaded, caught, t0, t1, t2 = map(float, sys.argv[3:9])
n = int(sys.argv[9])
search = sorted(float(s[0]) * 1000 for s in samples)
lags = [float(s[1]) for s in samples if s[1] != "None"]
behind = [int(s[2]) for s in samples if s[2] != "None"]
def pct(v, p): return v[min(len(v) - 1, int(len(v) * p))] if v else float("nan")
print(f"entries: {n}; load on the primary: {loaded - start:.1f} s")
print(f"replica lag during the load ({len(samples)} samples): median {st.median(lags) if lags else float('nan'):.2f} s, max {max(lags) if lags else float('nan'):.2f} s; changes behind: max {max(behind) if behind else 0}")
print(f"replica has every change {caught - loaded:.2f} s after the load ended")
print(f"search on the replica during the load: p50 {pct(search, .5):.1f} ms, p99 {pct(search, .99):.1f} ms, max {search[-1] if search else float('nan'):.1f} ms")
print(f"search on the replica after it (idle, 50 requests): p50 {pct(idle, .5):.1f} ms, p99 {pct(idle, .99):.1f} ms")
print(f"fresh read-only server: ready {t1 - t0:.2f} s after start, search index built {t2 - t0:.2f} s after start")
PY
grep -o "search index ready.*" "$DIR/fresh.log" || true
