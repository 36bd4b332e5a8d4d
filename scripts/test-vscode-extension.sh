#!/usr/bin/env bash
# Tests the VS Code extension: compiles it, checks package.json's launch
# attributes against the adapter, runs the unit tests, packages the .vsix and
# runs the end-to-end test in code-server + headless Chromium. Screenshots and
# logs go to vscode-extension/test-results/.
#
#   scripts/install-vscode-test-deps.sh     # once: chromium, Node 24, code-server, npm ci
#   scripts/test-vscode-extension.sh
#
# The wasmscope binary: $WASMSCOPE_BIN, else <repo>/target/debug/wasmscope.
# Never skips: anything missing is an error.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)"
EXT="$ROOT/vscode-extension"
# shellcheck source=vscode-extension/scripts/test-tools.sh
source "$EXT/scripts/test-tools.sh"

fail() {
  echo "test-vscode-extension: $*" >&2
  exit 1
}

export WASMSCOPE_BIN="${WASMSCOPE_BIN:-$ROOT/target/debug/wasmscope}"
[ -x "$WASMSCOPE_BIN" ] || fail "no wasmscope binary at $WASMSCOPE_BIN: build it (cargo build) or set WASMSCOPE_BIN"
for guest in c-O0 hotspots-O2 http-routes-O0-component; do
  [ -f "$ROOT/target/guests/$guest.wasm" ] || fail "missing target/guests/$guest.wasm: run tests/guests/build.sh"
done
[ -x "$CHROMIUM" ] || fail "no chromium at $CHROMIUM: run scripts/install-vscode-test-deps.sh"
[ -f "$NODE24_DIR/.installed" ] || fail "no Node $NODE24_VERSION in $NODE24_DIR: run scripts/install-vscode-test-deps.sh"
[ -f "$CODE_SERVER_DIR/.installed" ] || fail "no code-server in $CODE_SERVER_DIR: run scripts/install-vscode-test-deps.sh"
[ -d "$EXT/node_modules" ] || fail "no vscode-extension/node_modules: run scripts/install-vscode-test-deps.sh"

cd "$EXT"
# CI=1: the schema check fails instead of skipping when it cannot run the binary.
echo "== unit tests" >&2
CI=1 npm test
echo "== package" >&2
npm run package
echo "== end-to-end (code-server $CODE_SERVER_VERSION, $("$CHROMIUM" --version 2>/dev/null | head -1))" >&2
REPO="$ROOT" VSIX="$EXT/wasmscope.vsix" CODE_SERVER_NODE="$NODE24" CODE_SERVER_ENTRY="$CODE_SERVER_ENTRY" \
  CHROMIUM="$CHROMIUM" RESULTS_DIR="$EXT/test-results" \
  node --test --test-concurrency=1 out/test/e2e/extension.e2e.js
