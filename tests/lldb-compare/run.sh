#!/usr/bin/env bash
# Comparison test: wasmscope's DAP server against LLDB (lldb-dap-22 attached
# to `wasmtime run -g`) at `// BP:` markers of six guest programs: the C, C++
# and Rust guests, each at -O0 and -O2 (target/guests/{c,cpp,rust}-{O0,O2}.wasm,
# built from tests/guests/{c,cpp,rust}). At the first hit of each breakpoint
# the stack (functions, files, lines) and every local's value, expanded down
# to scalars, must agree, up to the normalizations of
# bench/dap-compare/normalize.mjs and the known LLDB differences of
# bench/dap-compare/markers.mjs (the markers and what each exercises are
# listed there too). See bench/dap-compare/README.md.
#
#   tests/lldb-compare/run.sh [check.mjs options, e.g. --only rust-O0:match_circle --dump]
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
for guest in c-O0 c-O2 cpp-O0 cpp-O2 rust-O0 rust-O2; do
  [ -f "$ROOT/target/guests/$guest.wasm" ] || die "target/guests/$guest.wasm was not built"
done

echo "lldb-compare: $("$LLDB_DAP" --version 2>&1 | head -n1) + $("$WASMTIME" --version) vs $WASMSCOPE" >&2
exec node "$DIR/check.mjs" --repo "$ROOT" --lldb-dap "$LLDB_DAP" --wasmtime "$WASMTIME" \
  --wasmscope "$WASMSCOPE" "$@"
