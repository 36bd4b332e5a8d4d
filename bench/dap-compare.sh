#!/usr/bin/env bash
# DAP comparison: wasmscope's debug adapter against lldb-dap-22 attached to
# `wasmtime run -g`, on one scenario (a breakpoint, stack and locals there,
# then N `next` steps timed one by one) run on several programs:
#   c-O0           the C guest, breakpoint in its recursive factorial, 100 steps
#   heavy-rust-O0  bench/programs/heavy/heavy_calls.rs, breakpoint on the first
#   heavy-cpp-O0   line of main's loop, whose lines call heavy functions; 60 steps
# Prints one table per program (first-stop ms, ms/step, and for the heavy
# programs ms per `next` over the heavy-call lines) and whether stacks,
# locals and the step paths of both adapters agree.
#
#   bench/dap-compare.sh [--runs N] [--steps N] [--program NAME]... [--no-build]
#
# --steps overrides every program's step count; --program (repeatable) runs
# only the programs named. WASMSCOPE=/path/to/wasmscope uses that binary
# (and builds nothing); otherwise target/debug/wasmscope, built unless
# --no-build.
# Installs what it needs: lldb-22 (scripts/install-lldb.sh), the Wasmtime CLI
# (scripts/install-wasmtime-cli.sh), the npm packages (npm ci), the guests
# (tests/guests/build.sh) and the heavy programs
# (bench/programs/build-heavy.sh target/bench).
# Results (one JSON per program, adapter and run) go to
# bench/dap-compare/results/<program>/.
# Exit status: 0 when both adapters ran for every program, 1 otherwise.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)"
DIR="$ROOT/bench/dap-compare"
RUNS=3
STEPS=()
PROGRAMS=()
BUILD=1
while [ $# -gt 0 ]; do
  case "$1" in
    --runs) RUNS="$2"; shift 2 ;;
    --steps) STEPS=(--steps "$2"); shift 2 ;;
    --program) PROGRAMS+=("$2"); shift 2 ;;
    --no-build) BUILD=0; shift ;;
    -h|--help) sed -n '2,24p' "$0"; exit 0 ;;
    *) echo "dap-compare: unknown argument $1" >&2; exit 2 ;;
  esac
done
[ ${#PROGRAMS[@]} -gt 0 ] || PROGRAMS=(c-O0 heavy-rust-O0 heavy-cpp-O0)
for prog in "${PROGRAMS[@]}"; do
  case "$prog" in
    c-O0|heavy-rust-O0|heavy-cpp-O0) ;;
    *) echo "dap-compare: unknown program $prog (c-O0, heavy-rust-O0, heavy-cpp-O0)" >&2; exit 2 ;;
  esac
done

cd "$ROOT"
LLDB_DAP="$(bash scripts/install-lldb.sh 2>/dev/null)" || { bash scripts/install-lldb.sh; exit 1; }
WASMTIME="$(bash scripts/install-wasmtime-cli.sh)"
(cd "$DIR" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
tests/guests/build.sh >/dev/null
bench/programs/build-heavy.sh target/bench >/dev/null
if [ -n "${WASMSCOPE:-}" ]; then
  echo "dap-compare: wasmscope from \$WASMSCOPE: $WASMSCOPE" >&2
else
  WASMSCOPE="$ROOT/target/debug/wasmscope"
  if [ "$BUILD" = 1 ]; then
    cargo build --locked --quiet -p wasmscope
  fi
fi

RESULTS="$DIR/results"
rm -rf "$RESULTS"

WASMSCOPE_OK=0
if [ -x "$WASMSCOPE" ] && "$WASMSCOPE" dap --help >/dev/null 2>&1; then WASMSCOPE_OK=1; fi
for prog in "${PROGRAMS[@]}"; do
  OUT="$RESULTS/$prog"
  mkdir -p "$OUT"
  for i in $(seq 1 "$RUNS"); do
    node "$DIR/compare.mjs" lldb --program "$prog" ${STEPS[@]+"${STEPS[@]}"} \
      --lldb-dap "$LLDB_DAP" --wasmtime "$WASMTIME" >"$OUT/lldb-$i.json" || true
  done
  if [ "$WASMSCOPE_OK" = 1 ]; then
    for i in $(seq 1 "$RUNS"); do
      node "$DIR/compare.mjs" wasmscope --program "$prog" ${STEPS[@]+"${STEPS[@]}"} \
        --wasmscope "$WASMSCOPE" >"$OUT/wasmscope-$i.json" || true
    done
  else
    printf '{"adapter":"wasmscope","ok":false,"error":"%s has no dap subcommand (not built yet?)"}\n' \
      "$WASMSCOPE" >"$OUT/wasmscope-1.json"
  fi
done

node "$DIR/report.mjs" "$RESULTS" "${PROGRAMS[@]}"
