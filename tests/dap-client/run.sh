#!/usr/bin/env bash
# End-to-end tests of `wasmscope dap` with a real DAP client
# (@vscode/debugadapter-testsupport), every scenario over stdio and over TCP.
#
#   tests/dap-client/run.sh [node --test options / test files]
#
# WASMSCOPE_BIN    the wasmscope binary (default: <repo>/target/debug/wasmscope)
# WASMSCOPE_GUESTS the built guests (default: <repo>/target/guests; build them
#                  with tests/guests/build.sh)
# Transcripts of every session (requests, responses, events, adapter stderr)
# are written to tests/dap-client/logs/.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)"
ROOT="$(cd "$HERE/../.." && pwd -P)"

BIN="${WASMSCOPE_BIN:-$ROOT/target/debug/wasmscope}"
GUESTS="${WASMSCOPE_GUESTS:-$ROOT/target/guests}"
fail() {
  echo "dap-client tests: FAILED: $*" >&2
  exit 1
}
[ -x "$BIN" ] || fail "wasmscope binary not found or not executable: $BIN (build it with cargo, or set WASMSCOPE_BIN)"
"$BIN" dap --help >/dev/null 2>&1 || fail "$BIN has no working \`dap\` subcommand (\`$BIN dap --help\` failed)"
for g in c-O0 sleeper-O2; do
  [ -f "$GUESTS/$g.wasm" ] || fail "guest missing: $GUESTS/$g.wasm (run tests/guests/build.sh)"
done

"$ROOT/scripts/install-node-deps.sh"
# The reference runtime whose output the tests expect from the guests.
export WASMTIME_BIN="$("$ROOT/scripts/install-wasmtime-cli.sh")"

export WASMSCOPE_BIN="$(cd "$(dirname "$BIN")" && pwd -P)/$(basename "$BIN")"
export WASMSCOPE_GUESTS="$(cd "$GUESTS" && pwd -P)"
cd "$HERE"
rm -rf logs
if [ "$#" -eq 0 ]; then
  set -- test/*.test.mjs
fi
# One test file at a time: each test starts wasmscope processes of its own.
exec node --test --test-concurrency=1 --test-reporter=spec "$@"
