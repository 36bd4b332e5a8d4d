#!/usr/bin/env bash
# The bundled example, end to end: builds examples/hotspots with DWARF and
# shows what wasmscope reads from it (modules, source files, where a
# breakpoint on a marked line binds, and the inlined call chain there).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)"
cd "$ROOT"

tests/guests/build.sh "$ROOT/target/guests" >/dev/null
cargo build --release --locked --quiet
ws="$ROOT/target/release/wasmscope"
app="$ROOT/target/guests/hotspots-O2.wasm"
line=$(grep -n 'BP: hot_mix' examples/hotspots/hotspots.c | cut -d: -f1)

set -x
"$ws" info "$app"
"$ws" lines "$app" "hotspots.c:$line"
"$ws" lines "$app" "hotspots.c:$line" | grep -v moved | "$ws" symbolize --pretty "$app"
