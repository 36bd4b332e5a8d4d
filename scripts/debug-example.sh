#!/usr/bin/env bash
# The debugger on the bundled example (examples/hotspots, embedded in the
# binary): builds wasmscope, then runs `wasmscope debug` with no program,
# stopping at the end of a round to show the stack and the variables
# (at -O2, one of them lives on the Wasm operand stack), then steps and
# runs to the end. For an IDE, `wasmscope dap` serves the same debugger.
#
#   scripts/debug-example.sh [more `wasmscope debug` options]
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)"
cd "$ROOT"

cargo build --release --locked --quiet -p wasmscope
LINE="$(grep -n 'BP: round_end' examples/hotspots/hotspots.c | cut -d: -f1)"
target/release/wasmscope debug --break "hotspots.c:$LINE" "$@" \
  -x "run; bt; locals; print a ^ b; next; continue; locals; quit" -- 2
