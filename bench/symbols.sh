#!/usr/bin/env bash
# Symbolization benchmark on a large real C program (SQLite, -O2, with DWARF):
# wasmscope vs llvm-symbolizer-14 throughput, and DWARF indexing time and memory.
#
#   bench/symbols.sh
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)"
cd "$ROOT"
OUT="$ROOT/target/bench"
bench/programs/build-sqlite.sh "$OUT"
cargo build --release --locked --quiet -p wasmscope -p wasmscope-bench
target/release/symbols-bench "$OUT/sqlite-O2.wasm" "$ROOT/target/release/wasmscope"
