#!/usr/bin/env bash
# Language server benchmark: `wasmscope lsp` on SQLite (-O2, with DWARF) and
# a 1M-sample profile of SQLite's own frames: spawn → first code lenses on
# sqlite3.c and peak memory, next to one `wasmscope lines` call.
#
#   bench/lsp.sh
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)"
cd "$ROOT"
OUT="$ROOT/target/bench"
bench/programs/build-sqlite.sh "$OUT"
cargo build --release --locked --quiet -p wasmscope -p wasmscope-bench
target/release/lsp-bench "$OUT/sqlite-O2.wasm" "$ROOT/target/release/wasmscope" "$OUT/lsp"
