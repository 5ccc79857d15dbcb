#!/usr/bin/env bash
# OAI-PMH and reconciliation benchmark: N synthetic entries in SQLite served by `ucr serve`.
#  1. A full OAI-PMH ListRecords harvest (oai_dc, following resumption tokens) beside a full
#     read of the change feed (`/api/v1/changes`, pages of 1000) in the same run: entries per
#     second of each, and the server's resident memory before and at its highest during each.
#  2. Batches of 50 reconciliation queries (names of the register, in a Latin spelling, some
#     with a region), from C concurrent clients: p50/p95/p99/max latency of a batch, after a
#     first batch from each client that is not counted (the first batches after the server
#     starts are slower: its threads, connections and caches start).
#
#   bench/oai.sh [N] [CLIENTS] [BATCHES_PER_CLIENT]
#
# UCR_BIN names the `ucr` binary to measure (default: a release build of this tree).
# UCR_BENCH_COMPARE names another build of `ucr` (an older commit's): the reconciliation
# batches are then measured on its server too, on the same database, in the same run, beside
# the server's CPU time per batch.
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-1000000}
CLIENTS=${2:-8}
BATCHES=${3:-25}
DIR=$(mktemp -d)
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$DIR"; }
trap cleanup EXIT

if [ -z "${UCR_BIN:-}" ]; then
  cargo build --release --quiet --bin ucr
  UCR_BIN=target/release/ucr
fi
DB="$DIR/ucr.db"
echo "loading $N synthetic entries…"
"$UCR_BIN" generate --count "$N" --output "$DIR/rows.ndjson"
"$UCR_BIN" --database "sqlite://$DB" load "$DIR/rows.ndjson" | tail -1
sync

PORT=18490
# A server of a build; measurements start once its search index (built at start, searches
# reading the tables until then) is ready: reconciliation searches go through it.
serve() { # binary
  RUST_LOG=warn,ucr::serve=info "$1" --database "sqlite://$DB" serve --bind "127.0.0.1:$PORT" \
    --pool-size 8 > "$DIR/serve.log" 2>&1 &
  SERVER=$!
  PIDS+=("$SERVER")
  for _ in $(seq 1 300); do curl -sf "http://127.0.0.1:$PORT/ready" >/dev/null && break; sleep 0.2; done
  for _ in $(seq 1 600); do grep -q "search index" "$DIR/serve.log" && break; sleep 0.2; done
  grep -o "search index.*" "$DIR/serve.log" || echo "no search index in the log"
}
measure() { # binary, parts (harvest,reconcile or reconcile)
  echo "== $1"
  serve "$1"
  python3 "$DIR/measure.py" "$PORT" "$SERVER" "$DIR/rows.ndjson" "$CLIENTS" "$BATCHES" "$2"
  kill "$SERVER"
  wait "$SERVER" 2>/dev/null || true
}

cat > "$DIR/measure.py" <<'PY'
import json, os, random, re, sys, threading, time, urllib.parse, urllib.request

port, server, rows, clients, batches = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5])
parts = sys.argv[6].split(",")
base = f"http://127.0.0.1:{port}"

def rss_kib():
    with open(f"/proc/{server}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0

def cpu_seconds():
    """The server's CPU time so far (user and system)."""
    with open(f"/proc/{server}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

class Peak(threading.Thread):
    """Samples the server's resident memory every 50 ms while a measurement runs."""
    def __init__(self):
        super().__init__(daemon=True)
        self.peak, self.running = rss_kib(), True
    def run(self):
        while self.running:
            self.peak = max(self.peak, rss_kib())
            time.sleep(0.05)
    def stop(self):
        self.running = False
        self.join()
        return self.peak

def get(path):
    with urllib.request.urlopen(base + path, timeout=600) as r:
        return r.read().decode()

def measure(name, walk):
    before = rss_kib()
    peak = Peak(); peak.start()
    t = time.monotonic()
    count, requests = walk()
    secs = time.monotonic() - t
    top = peak.stop()
    print(f"{name}: {count} entries in {secs:.1f} s = {count / secs:,.0f} entries/s, "
          f"{requests} requests; server RSS {before / 1024:.0f} MiB before, {top / 1024:.0f} MiB at most")
    return count / secs

def feed():
    since, count, requests = 0, 0, 0
    while True:
        page = json.loads(get(f"/api/v1/changes?since={since}&limit=1000"))
        requests += 1
        count += len(page["items"])
        if not page["items"]:
            return count, requests
        since = page["next_cursor"]

def harvest():
    count, requests = 0, 0
    query = "verb=ListRecords&metadataPrefix=oai_dc"
    while True:
        xml = get(f"/oai?{query}")
        requests += 1
        count += xml.count("<record>")
        m = re.search(r'<resumptionToken[^>]*>([^<]+)</resumptionToken>', xml)
        if not m:
            return count, requests
        query = "verb=ListRecords&resumptionToken=" + urllib.parse.quote(m.group(1))

if "harvest" in parts:
    feed_rate = measure("change feed (pages of 1000)", feed)
    oai_rate = measure("OAI-PMH ListRecords oai_dc (pages of 100)", harvest)
    print(f"harvest / change feed = {oai_rate / feed_rate:.2f}")

# 50-query batches of names of the register, written without Azerbaijani letters.
latin = str.maketrans("əƏıIİşŞçÇğĞöÖüÜ", "aAiIIsScCgGoOuU")
names, regions = [], []
with open(rows) as f:
    for i, line in enumerate(f):
        if i % 97 == 0:
            e = json.loads(line)
            names.append(e["name"]["az"].translate(latin))
            regions.append(e.get("region"))
        if len(names) >= 5000:
            break
random.seed(7)
def batch():
    q = {}
    for i in range(50):
        j = random.randrange(len(names))
        query = {"query": names[j]}
        if i % 3 == 0 and regions[j]:
            query["properties"] = [{"pid": "region", "v": regions[j]}]
        q[f"q{i}"] = query
    return urllib.parse.urlencode({"queries": json.dumps(q)}).encode()

latencies, matched, lock = [], [0, 0], threading.Lock()
def client(batches, counted=True):
    for _ in range(batches):
        body = batch()
        t = time.monotonic()
        with urllib.request.urlopen(urllib.request.Request(base + "/reconcile", data=body), timeout=600) as r:
            answer = json.loads(r.read())
        ms = (time.monotonic() - t) * 1000
        if not counted:
            continue
        with lock:
            latencies.append(ms)
            for a in answer.values():
                matched[1] += 1
                matched[0] += bool(a["result"]) and a["result"][0]["match"]
# A first batch from each client, not counted: the first after the server starts are slower.
warm = [threading.Thread(target=client, args=(1, False)) for _ in range(clients)]
for th in warm: th.start()
for th in warm: th.join()
threads = [threading.Thread(target=client, args=(batches,)) for _ in range(clients)]
cpu = cpu_seconds()
t = time.monotonic()
for th in threads: th.start()
for th in threads: th.join()
secs = time.monotonic() - t
cpu = cpu_seconds() - cpu
latencies.sort()
pct = lambda p: latencies[min(len(latencies) - 1, int(p / 100 * len(latencies)))]
print(f"reconcile, 50-query batches, {clients} clients x {batches}: p50 {pct(50):.0f} ms, "
      f"p95 {pct(95):.0f} ms, p99 {pct(99):.0f} ms, max {latencies[-1]:.0f} ms, "
      f"{len(latencies) / secs:.1f} batches/s, "
      f"server CPU {cpu * 1000 / len(latencies):.1f} ms a batch; "
      f"{matched[0]} of {matched[1]} queries matched")
PY

measure "$UCR_BIN" harvest,reconcile
if [ -n "${UCR_BENCH_COMPARE:-}" ]; then
  measure "$UCR_BENCH_COMPARE" reconcile
  measure "$UCR_BIN" reconcile
fi
