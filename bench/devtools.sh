#!/usr/bin/env bash
# DevTools targets benchmark: `wasmscope dap` debugging the same program on
# its three targets, the default Wasmtime one (in process), "target": "node"
# (Node under its inspector, wasmscope's WASI runner) and "target": "chrome"
# (chromium headless on tests/browser/index.html running the program), and
# each against the plain run of the program without a debugger, measured in
# the same run:
#   wasmtime  `wasmtime run GUEST.wasm` (scripts/install-wasmtime-cli.sh)
#   node      `node devtools/assets/run-wasi.mjs GUEST.wasm`
#   chrome    chromium --headless=new opened on the page, until
#             document.title starts with "exit"
# on the c-O0 and rust-O0 guests (target/guests). Per program, target and run,
# one DAP session over stdio (bench/devtools/measure.mjs):
#   first stop   breakpoint at factorial_recurse (C) / fib_recurse (Rust) set
#                before the start: ms from configurationDone to the `stopped`
#                event, and from the launch request to it (for chrome both
#                include starting the browser and loading the page);
#   stepIn/Out   S times (stepIn, next) down the recursion, then S stepOut;
#   next         from a breakpoint in a loop body (C: main's `values` loop,
#                then main; Rust: checksum's loop, `loop_body`, then main),
#                N consecutive `next` requests, each timed from the request
#                to its `stopped` event: mean and median ms.
# The step paths (function:line and Wasm depth after each step) of node and
# chrome are compared with the Wasmtime target's.
#
#   bench/devtools.sh [--runs R] [--steps N] [--step-in S] [--program NAME]...
#                     [--target wasmtime|node|chrome]... [--no-build] [--verbose]
#
# Defaults: R=3, N=50, S=3, programs c-O0 and rust-O0, all three targets.
# WASMSCOPE=/path/to/wasmscope uses that binary (and builds nothing);
# otherwise target/debug/wasmscope, built unless --no-build. Needs node and
# chromium (WASMSCOPE_CHROME names another binary); builds the guests
# (tests/guests/build.sh) only when one is missing.
# Prints a table of medians over the R runs: first stop (cfg→stop,
# launch→stop), the plain run, first stop ÷ plain run, ms per `next` (mean and
# median) and ÷ the Wasmtime target's, stepIn and stepOut ms; then `next` by
# the function each step starts in (V8 recompiles a function for each
# breakpoint set or removed, so the first `next` in a function costs more on
# node and chrome; the following ones reuse its breakpoints); then every step path that differs
# from Wasmtime's and every failure. All runs, step times
# and paths go to bench/devtools/results/results-<time>.json (and latest.json).
# Exit status: 0 when every session and plain run succeeded and every step
# path matched Wasmtime's, 1 otherwise, 2 on bad arguments.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)"
ARGS=()
PROGRAMS=()
BUILD=1
while [ $# -gt 0 ]; do
  case "$1" in
    --runs|--steps|--step-in|--target) ARGS+=("$1" "${2:?$1 wants a value}"); shift 2 ;;
    --program) PROGRAMS+=("${2:?--program wants a value}"); ARGS+=("$1" "$2"); shift 2 ;;
    --verbose) ARGS+=("$1"); shift ;;
    --no-build) BUILD=0; shift ;;
    -h|--help) sed -n '2,43p' "$0"; exit 0 ;;
    *) echo "devtools: unknown argument $1" >&2; exit 2 ;;
  esac
done
[ ${#PROGRAMS[@]} -gt 0 ] || PROGRAMS=(c-O0 rust-O0)

cd "$ROOT"
for bin in node "${WASMSCOPE_CHROME:-chromium}"; do
  command -v "$bin" >/dev/null || { echo "devtools: $bin not found" >&2; exit 1; }
done
WASMTIME="$(bash scripts/install-wasmtime-cli.sh)"
for prog in "${PROGRAMS[@]}"; do
  if [ ! -f "target/guests/$prog.wasm" ]; then
    tests/guests/build.sh >/dev/null
    break
  fi
done
if [ -n "${WASMSCOPE:-}" ]; then
  echo "devtools: wasmscope from \$WASMSCOPE: $WASMSCOPE" >&2
else
  WASMSCOPE="$ROOT/target/debug/wasmscope"
  if [ "$BUILD" = 1 ]; then
    cargo build --locked --quiet -p wasmscope
  fi
fi
"$WASMSCOPE" dap --help >/dev/null 2>&1 || { echo "devtools: $WASMSCOPE has no dap subcommand" >&2; exit 1; }

exec node bench/devtools/measure.mjs --wasmscope "$WASMSCOPE" --wasmtime "$WASMTIME" \
  --out "$ROOT/bench/devtools/results" ${ARGS[@]+"${ARGS[@]}"}
