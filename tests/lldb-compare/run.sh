#!/usr/bin/env bash
# Comparison test: wasmscope's DAP server against LLDB (lldb-dap-22 attached
# to `wasmtime run -g`) at several `// BP:` markers of the C guest
# (target/guests/c-O0.wasm): stack (functions, files, lines) and every
# local's value at the first hit of each breakpoint must agree, up to the
# normalizations and the known LLDB differences listed in
# bench/dap-compare/check.mjs. See bench/dap-compare/README.md.
#
#   tests/lldb-compare/run.sh [check.mjs options, e.g. --only list_walk --dump]
#
# The wasmscope binary: $WASMSCOPE_BIN, else <repo>/target/debug/wasmscope
# (never built here). Installs what the check needs through the project's
# scripts: lldb-22 (scripts/install-lldb.sh), the Wasmtime CLI
# (scripts/install-wasmtime-cli.sh), the npm packages (npm ci in
# bench/dap-compare), the guests (tests/guests/build.sh, a no-op when they are
# up to date). Anything missing is an error, never a skip.
# Exit status: 0 all breakpoints agree, 1 a disagreement or a failed session,
# 2 something needed is missing.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd -P)"
DIR="$ROOT/bench/dap-compare"
die() { echo "lldb-compare: ERROR: $*" >&2; exit 2; }

WASMSCOPE="${WASMSCOPE_BIN:-$ROOT/target/debug/wasmscope}"
[ -e "$WASMSCOPE" ] || die "wasmscope binary not found: $WASMSCOPE (build it, or set WASMSCOPE_BIN)"
[ -x "$WASMSCOPE" ] || die "wasmscope binary is not executable: $WASMSCOPE"
"$WASMSCOPE" dap --help >/dev/null 2>&1 || die "$WASMSCOPE has no working \`dap\` subcommand"

command -v node >/dev/null || die "node is not installed (see scripts/install-node-deps.sh)"
command -v npm >/dev/null || die "npm is not installed"

cd "$ROOT"
LLDB_DAP="$(bash scripts/install-lldb.sh)" || die "scripts/install-lldb.sh failed"
[ -x "$LLDB_DAP" ] || die "lldb-dap not found at '$LLDB_DAP'"
WASMTIME="$(bash scripts/install-wasmtime-cli.sh)" || die "scripts/install-wasmtime-cli.sh failed"
[ -x "$WASMTIME" ] || die "wasmtime CLI not found at '$WASMTIME'"
(cd "$DIR" && npm ci --no-audit --no-fund --loglevel=error >/dev/null) || die "npm ci in $DIR failed"
tests/guests/build.sh >/dev/null || die "tests/guests/build.sh failed"
[ -f "$ROOT/target/guests/c-O0.wasm" ] || die "target/guests/c-O0.wasm was not built"

echo "lldb-compare: $("$LLDB_DAP" --version 2>&1 | head -n1) + $("$WASMTIME" --version) vs $WASMSCOPE" >&2
exec node "$DIR/check.mjs" --repo "$ROOT" --lldb-dap "$LLDB_DAP" --wasmtime "$WASMTIME" \
  --wasmscope "$WASMSCOPE" "$@"
