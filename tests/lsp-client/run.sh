#!/usr/bin/env bash
# End-to-end tests of `wasmscope lsp` with a real LSP client
# (vscode-languageserver-protocol's ProtocolConnection over the server's stdio).
#
#   tests/lsp-client/run.sh [node --test options / test files]
#
# WASMSCOPE_BIN    the wasmscope binary (default: <repo>/target/debug/wasmscope)
# WASMSCOPE_GUESTS the built guests (default: <repo>/target/guests; build them
#                  with tests/guests/build.sh)
# Transcripts of every session (messages both ways, server stderr) are written
# to tests/lsp-client/logs/, with logs/timing.txt (spawn → first code lens).
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)"
ROOT="$(cd "$HERE/../.." && pwd -P)"

BIN="${WASMSCOPE_BIN:-$ROOT/target/debug/wasmscope}"
GUESTS="${WASMSCOPE_GUESTS:-$ROOT/target/guests}"
fail() {
  echo "lsp-client tests: FAILED: $*" >&2
  exit 1
}
[ -x "$BIN" ] || fail "wasmscope binary not found or not executable: $BIN (build it with cargo, or set WASMSCOPE_BIN)"
"$BIN" lsp --help >/dev/null 2>&1 || fail "$BIN has no working \`lsp\` subcommand (\`$BIN lsp --help\` failed)"
for g in hotspots-O2; do
  [ -f "$GUESTS/$g.wasm" ] || fail "guest missing: $GUESTS/$g.wasm (run tests/guests/build.sh)"
done
[ -f "$ROOT/examples/hotspots/hotspots.c" ] || fail "source missing: $ROOT/examples/hotspots/hotspots.c"

"$ROOT/scripts/install-node-deps.sh"

export WASMSCOPE_BIN="$(cd "$(dirname "$BIN")" && pwd -P)/$(basename "$BIN")"
export WASMSCOPE_GUESTS="$(cd "$GUESTS" && pwd -P)"
cd "$HERE"
rm -rf logs
if [ "$#" -eq 0 ]; then
  set -- test/*.test.mjs
fi
# One test file at a time: each test starts wasmscope processes of its own.
exec node --test --test-concurrency=1 --test-reporter=spec "$@"
