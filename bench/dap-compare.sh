#!/usr/bin/env bash
# DAP comparison: wasmscope's debug adapter against lldb-dap-22 attached to
# `wasmtime run -g`, on one scenario (a breakpoint in the recursive factorial
# of the C guest, stack and locals there, then 100 `next` steps). Prints a
# table (first-stop ms, ms/step) and whether stacks and locals agree.
#
#   bench/dap-compare.sh [--runs N] [--steps N] [--no-build]
#
# Installs what it needs: lldb-22 (scripts/install-lldb.sh), the Wasmtime CLI
# (scripts/install-wasmtime-cli.sh), the npm packages (npm ci), the guests
# (tests/guests/build.sh), and builds target/debug/wasmscope unless --no-build.
# Results (one JSON per adapter and run) go to bench/dap-compare/results/.
# Exit status: 0 when both adapters ran, 1 otherwise.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)"
DIR="$ROOT/bench/dap-compare"
RUNS=3
STEPS=100
BUILD=1
while [ $# -gt 0 ]; do
  case "$1" in
    --runs) RUNS="$2"; shift 2 ;;
    --steps) STEPS="$2"; shift 2 ;;
    --no-build) BUILD=0; shift ;;
    -h|--help) sed -n '2,13p' "$0"; exit 0 ;;
    *) echo "dap-compare: unknown argument $1" >&2; exit 2 ;;
  esac
done

cd "$ROOT"
LLDB_DAP="$(bash scripts/install-lldb.sh 2>/dev/null)" || { bash scripts/install-lldb.sh; exit 1; }
WASMTIME="$(bash scripts/install-wasmtime-cli.sh)"
(cd "$DIR" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
tests/guests/build.sh >/dev/null
if [ "$BUILD" = 1 ]; then
  cargo build --locked --quiet -p wasmscope
fi

RESULTS="$DIR/results"
rm -rf "$RESULTS"
mkdir -p "$RESULTS"

for i in $(seq 1 "$RUNS"); do
  node "$DIR/compare.mjs" lldb --steps "$STEPS" --lldb-dap "$LLDB_DAP" --wasmtime "$WASMTIME" \
    >"$RESULTS/lldb-$i.json" || true
done

WASMSCOPE="$ROOT/target/debug/wasmscope"
if [ -x "$WASMSCOPE" ] && "$WASMSCOPE" dap --help >/dev/null 2>&1; then
  for i in $(seq 1 "$RUNS"); do
    node "$DIR/compare.mjs" wasmscope --steps "$STEPS" --wasmscope "$WASMSCOPE" \
      >"$RESULTS/wasmscope-$i.json" || true
  done
else
  printf '{"adapter":"wasmscope","ok":false,"error":"%s has no dap subcommand (not built yet?)"}\n' \
    "$WASMSCOPE" >"$RESULTS/wasmscope-1.json"
fi

node "$DIR/report.mjs" "$RESULTS"
