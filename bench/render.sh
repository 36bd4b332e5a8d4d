#!/usr/bin/env bash
# Rendering benchmark: 1M samples, 50 deep, symbolized + folded + drawn,
# next to inferno's CLI drawing the same folded stacks.
#
#   bench/render.sh
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)"
cd "$ROOT"
bench/programs/build-sqlite.sh "$ROOT/target/bench"
INFERNO="$ROOT/target/tools/inferno/bin/inferno-flamegraph"
if [ ! -x "$INFERNO" ]; then
  cargo install --quiet --locked --root "$ROOT/target/tools/inferno" inferno@0.12.8 >&2
fi
cargo build --release --locked --quiet -p wasmscope-bench
target/release/render-bench "$ROOT/target/bench/sqlite-O2.wasm" "$INFERNO"
