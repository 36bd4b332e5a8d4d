#!/usr/bin/env bash
# Debugger benchmark: execution under the debugger vs plain, false
# conditional breakpoints (µs per hit), launch to first stop cold and warm,
# a large -O0 module cold and rebuilt with one function changed.
#
#   bench/debug.sh
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)"
cd "$ROOT"
tests/guests/build.sh >/dev/null
bench/programs/build-sqlite.sh "$ROOT/target/bench"
bench/programs/build-markdown-stats.sh "$ROOT/target/bench"
cargo build --release --locked --quiet -p wasmscope-bench -p wasmscope
target/release/debug-bench "$ROOT/target/guests" "$ROOT/target/bench"
