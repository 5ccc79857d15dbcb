#!/usr/bin/env bash
# The in-memory index's postings (sorted lists OR-ed into dense bitsets) against roaring
# bitmaps, on the synthetic register of bench/serve.sh: memory, build time, searches.
# Usage: bench/postings.sh [entries] [rounds]
set -euo pipefail
cd "$(dirname "$0")/postings"
CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-../../target/bench-postings}" cargo run --release --quiet -- "${1:-1000000}" "${2:-15}"
