#!/usr/bin/env bash
# Builds bench/programs/markdown-stats (a real Rust program: pulldown-cmark,
# a regex crate, serde_json) for wasm32-wasip1 at -O0 with DWARF, as a user's
# debug build: the large Rust modules of the debugger's cold-start and
# rebuild figures (bench/debug.sh).
#
#   bench/programs/build-markdown-stats.sh OUTDIR
#     → OUTDIR/markdown-stats{,-edited}.wasm          (regex-lite: 8 MB)
#     → OUTDIR/markdown-stats-syntax{,-edited}.wasm   (and regex-syntax: 11 MB)
#     → OUTDIR/markdown-stats-url{,-edited}.wasm      (and url: 13 MB)
#     → OUTDIR/markdown-stats-regex{,-edited}.wasm    (regex: 19 MB)
# The -edited copies differ in one function (`page`), as after an edit and a
# rebuild. Needs rustup's wasm32-wasip1 standard library (added here) and the
# crates registry.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd -P)"
OUT="$1"
SRC="$ROOT/bench/programs/markdown-stats"
mkdir -p "$OUT"
rustup target list --installed | grep -qx wasm32-wasip1 || rustup target add wasm32-wasip1
build() { # NAME [CARGO ARGS...]
  local name="$1"
  shift
  if [ ! -f "$OUT/$name.wasm" ] || [ -n "$(find "$SRC" -newer "$OUT/$name.wasm" -type f -print -quit)" ]; then
    echo "building $name.wasm..." >&2
    local target="$OUT/markdown-stats-target/$name"
    cargo build --quiet --locked --manifest-path "$SRC/Cargo.toml" --target wasm32-wasip1 \
      --target-dir "$target" "$@"
    cp "$target/wasm32-wasip1/debug/markdown-stats.wasm" "$OUT/$name.wasm"
  fi
}
# The remap keeps the recorded paths the same in both copies and short.
export RUSTFLAGS="--remap-path-prefix=$SRC=/markdown-stats"
build markdown-stats
build markdown-stats-syntax --features syntax
build markdown-stats-url --features url
build markdown-stats-regex --features regex
MARKDOWN_STATS_EDITED=1 build markdown-stats-edited
MARKDOWN_STATS_EDITED=1 build markdown-stats-syntax-edited --features syntax
MARKDOWN_STATS_EDITED=1 build markdown-stats-url-edited --features url
MARKDOWN_STATS_EDITED=1 build markdown-stats-regex-edited --features regex
