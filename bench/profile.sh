#!/usr/bin/env bash
# Profiler overhead at 1 kHz on a tight-loop guest, the bundled example and
# SQLite, as ratios to an unprofiled run in the same process; next to
# Wasmtime's own guest profiler against plain `wasmtime run`.
#
#   bench/profile.sh [RUNS]      (default 5)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)"
cd "$ROOT"
RUNS="${1:-5}"
tests/guests/build.sh >/dev/null
bench/programs/build-sqlite.sh "$ROOT/target/bench"
WASMTIME="$(scripts/install-wasmtime-cli.sh)"
cargo build --release --locked --quiet -p wasmscope-bench
G="$ROOT/target/guests"
target/release/profile-bench "$WASMTIME" 1000 "$RUNS" \
  "$G/sleeper-O2.wasm" \
  "$G/hotspots-O2.wasm:150" \
  "$G/hotspots-O2-component.wasm:150" \
  "$G/hotspots-O0.wasm:40" \
  "$ROOT/target/bench/sqlite-O2.wasm:200000"
