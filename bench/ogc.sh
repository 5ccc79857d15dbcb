#!/usr/bin/env bash
# OGC API – Features benchmark: N synthetic entries in SQLite; the largest collection
# downloaded whole by GDAL (`ogr2ogr -f GPKG`, pages of 1000 through the `next` links) beside
# the NDJSON export of the same entries in the same run; paging with wrk (the first page and
# a page deep in the collection, through a keyset cursor); the server's memory sampled while
# GDAL pages through everything.
#
#   bench/ogc.sh [N] [seconds of wrk per URL]
#
# Needs ogr2ogr (gdal-bin), wrk and curl.
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-1000000}
SECS=${2:-10}
PORT=${UCR_BENCH_PORT:-18090}
DIR=$(mktemp -d)
SERVER=
cleanup() {
  if [ -n "$SERVER" ]; then kill "$SERVER" 2>/dev/null || true; wait "$SERVER" 2>/dev/null || true; fi
  rm -rf "$DIR"
}
trap cleanup EXIT

cargo build --release --quiet --bin ucr
UCR=target/release/ucr
DB="sqlite://$DIR/ucr.db"

echo "generating and loading $N synthetic entries…"
$UCR generate --count "$N" --output "$DIR/rows.ndjson"
$UCR --database "$DB" load "$DIR/rows.ndjson" > /dev/null

# Without the search index: this benchmark reads lists, and the index would only add memory.
$UCR --database "$DB" serve --bind "127.0.0.1:$PORT" --search-index false > "$DIR/serve.log" 2>&1 &
SERVER=$!
BASE="http://127.0.0.1:$PORT"
for _ in $(seq 1 100); do curl -sf "$BASE/ready" > /dev/null && break; sleep 0.2; done

rss() { awk '/VmRSS/ {print $2}' "/proc/$SERVER/status"; }

# The largest collection and its kind.
read -r COLLECTION KIND COUNT < <(
  for c in theatres libraries museums reserves schools heritage-objects; do
    n=$(curl -sf "$BASE/ogc/collections/$c/items?limit=1" | sed -n 's/.*"numberMatched":\([0-9]*\).*/\1/p')
    k=$(curl -sf "$BASE/ogc/collections/$c/items?limit=1" | sed -n 's/.*"kind":"\([a-z_]*\)".*/\1/p')
    echo "$c $k $n"
  done | sort -k3 -n | tail -1)
echo "largest collection: $COLLECTION ($COUNT entries, kind $KIND)"

seconds() { /usr/bin/time -f "%e" -o "$DIR/time" "$@" > /dev/null 2> "$DIR/err" || { cat "$DIR/err"; exit 1; }; cat "$DIR/time"; }

NDJSON=$(seconds curl -sf -o "$DIR/export.ndjson" "$BASE/api/v1/export?format=ndjson&kind=$KIND")
LINES=$(wc -l < "$DIR/export.ndjson")

# GDAL's full download, with the server's memory sampled every 0.2 s meanwhile.
BEFORE=$(rss)
( while kill -0 "$SERVER" 2>/dev/null; do rss; sleep 0.2; done ) > "$DIR/rss" &
SAMPLER=$!
GDAL=$(seconds ogr2ogr -f GPKG -oo PAGE_SIZE=1000 "$DIR/out.gpkg" "OAPIF:$BASE/ogc" "$COLLECTION")
kill "$SAMPLER" 2>/dev/null || true
FEATURES=$(ogrinfo -so "$DIR/out.gpkg" "$COLLECTION" | sed -n 's/^Feature Count: //p')
PEAK=$(sort -n "$DIR/rss" | tail -1)
# The spread of the samples in the second half of the download: flat memory means the pages
# leave nothing behind.
HALF=$(( $(wc -l < "$DIR/rss") / 2 ))
read -r LOW HIGH < <(tail -n "$HALF" "$DIR/rss" | sort -n | awk 'NR==1 {l=$1} {h=$1} END {print l, h}')

awk -v n="$LINES" -v e="$NDJSON" -v f="$FEATURES" -v g="$GDAL" 'BEGIN {
  printf "NDJSON export        %7.2f s  %8.0f entries/s  (%d entries)\n", e, n/e, n
  printf "ogr2ogr -f GPKG      %7.2f s  %8.0f features/s (%d features)  %.2f× the export\n", g, f/g, f, g/e }'
echo "server memory: $((BEFORE / 1024)) MiB before, peak $((PEAK / 1024)) MiB during the download, second half $((LOW / 1024))–$((HIGH / 1024)) MiB"

# Paging with wrk: the first page, and a page after the middle entry (keyset: the same cost).
MIDDLE=$(sed -n "$(( (LINES + 1) / 2 ))p" "$DIR/export.ndjson" | sed -n 's/.*"id":"\([0-9a-f-]*\)".*/\1/p')
for url in "$BASE/ogc/collections/$COLLECTION/items?limit=100" \
           "$BASE/ogc/collections/$COLLECTION/items?limit=100&cursor=$MIDDLE"; do
  echo "wrk -t2 -c8 -d${SECS}s $url"
  wrk -t2 -c8 -d"${SECS}s" --latency "$url" | grep -E "Requests/sec|99%|Non-2xx" || true
done
echo "server memory after paging: $(( $(rss) / 1024 )) MiB"
