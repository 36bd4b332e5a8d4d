#!/usr/bin/env bash
# Builds the heavy-call programs (bench/programs/heavy/) at -O0 with DWARF,
# for the `next` timings of bench/dap-compare: Rust with Debian's rustc and
# C++ with clang++-14, as the test guests are built.
#
#   bench/programs/build-heavy.sh OUTDIR   → OUTDIR/heavy-rust-O0.wasm, OUTDIR/heavy-cpp-O0.wasm
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd -P)"
OUT="$1"
mkdir -p "$OUT"
"$ROOT/scripts/install-toolchains.sh"
SRC="$ROOT/bench/programs/heavy"
cd "$ROOT"
if [ ! -f "$OUT/heavy-rust-O0.wasm" ] || [ "$SRC/heavy_calls.rs" -nt "$OUT/heavy-rust-O0.wasm" ]; then
  /usr/bin/rustc --edition 2018 --crate-name heavy_calls --crate-type bin --target wasm32-wasi -g -C opt-level=0 \
    --remap-path-prefix="$ROOT=/wasmscope" "$SRC/heavy_calls.rs" -o "$OUT/heavy-rust-O0.wasm.tmp"
  mv "$OUT/heavy-rust-O0.wasm.tmp" "$OUT/heavy-rust-O0.wasm"
fi
if [ ! -f "$OUT/heavy-cpp-O0.wasm" ] || [ "$SRC/heavy_calls.cpp" -nt "$OUT/heavy-cpp-O0.wasm" ]; then
  clang++-14 --target=wasm32-wasi -g -O0 -std=c++17 -fno-exceptions \
    -fdebug-prefix-map="$ROOT=/wasmscope" "$SRC/heavy_calls.cpp" -o "$OUT/heavy-cpp-O0.wasm.tmp"
  mv "$OUT/heavy-cpp-O0.wasm.tmp" "$OUT/heavy-cpp-O0.wasm"
fi
