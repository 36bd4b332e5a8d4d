#!/usr/bin/env bash
# The reliability suite of issue 11: hostile files, traffic, slow clients and
# deep/trapping/out-of-memory guests against the wasmscope binary.
#
#   tests/reliability/run.sh [--quick] [-k REGEX]
#
# Uses $WASMSCOPE, else target/debug/wasmscope (this script does not build it).
# Builds the guests with tests/guests/build.sh when one it needs is missing or
# older than its source. One line per check; exit status 1 if any failed.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd -P)"
OUT="$ROOT/target/guests"
BIN="${WASMSCOPE:-$ROOT/target/debug/wasmscope}"

if [ ! -x "$BIN" ]; then
  echo "run.sh: no wasmscope binary at $BIN (build it, or set WASMSCOPE)" >&2
  exit 2
fi

# guest SRC...: NAME.wasm needed, rebuilt by build.sh if missing or stale.
stale=0
check() {
  local wasm="$OUT/$1.wasm" src
  shift
  [ -e "$wasm" ] || { stale=1; return; }
  for src in "$@"; do
    [ "$src" -nt "$wasm" ] && stale=1
  done
  return 0
}
G="$ROOT/tests/guests"
check c-O0 "$G"/c/*
check hotspots-O0 "$ROOT/examples/hotspots/hotspots.c"
check hotspots-O2 "$ROOT/examples/hotspots/hotspots.c"
check io-O0 "$G"/io/*
for h in flood deep oom; do
  check "hostile-$h-O0" "$G/hostile/$h.c" "$G/build.sh"
done
if [ "$stale" = 1 ]; then
  "$G/build.sh" "$OUT"
fi

export WASMSCOPE="$BIN" WASMSCOPE_GUESTS="$OUT"
exec python3 "$ROOT/tests/reliability/suite.py" "$@"
