#!/usr/bin/env bash
# The main job on the bundled example: builds wasmscope and profiles
# examples/hotspots (embedded in the binary, so no guest toolchain is needed),
# writing a flamegraph you can open in a browser.
#
#   scripts/example.sh [extra `wasmscope profile` options]
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)"
cd "$ROOT"

cargo build --release --locked --quiet -p wasmscope
mkdir -p target/example
target/release/wasmscope profile -o target/example/profile.svg "$@"
target/release/wasmscope profile -o target/example/profile.folded "$@" >/dev/null
echo
echo "flamegraph: $ROOT/target/example/profile.svg (open it in a browser: zoom, search)"
echo "hottest stacks (folded):"
sort -t' ' -k2 -n -r target/example/profile.folded | head -5
