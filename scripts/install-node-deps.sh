#!/usr/bin/env bash
# Installs the Node packages the tests use, from their package-lock.json
# files: the DAP client tests (tests/dap-client), the LSP client tests
# (tests/lsp-client) and the published format schemas the profiler's outputs
# are checked against (tests/formats). Idempotent: when node_modules already matches the
# lock file, it does nothing. Installs Node.js and npm (Debian packages) when
# they are missing.
#
#   scripts/install-node-deps.sh
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)"

if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  SUDO=()
  if [ "$(id -u)" -ne 0 ]; then
    SUDO=(sudo)
  fi
  echo "install-node-deps: installing nodejs and npm" >&2
  "${SUDO[@]}" apt-get update
  "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y nodejs npm
fi

# node:test with --test-concurrency needs Node 20.
NODE_MAJOR="$(node -p 'process.versions.node.split(".")[0]')"
if [ "$NODE_MAJOR" -lt 20 ]; then
  echo "install-node-deps: Node.js >= 20 required, found $(node --version)" >&2
  exit 1
fi

for DIR in "$ROOT/tests/dap-client" "$ROOT/tests/lsp-client" "$ROOT/tests/formats"; do
  cd "$DIR"
  # npm ci wipes and reinstalls node_modules; skip it when the installed
  # tree was made from this very lock file.
  STAMP="node_modules/.install-stamp"
  if [ -f "$STAMP" ] && [ -d node_modules ] && cmp -s package-lock.json "$STAMP"; then
    continue
  fi
  npm ci --no-audit --no-fund
  cp package-lock.json "$STAMP"
done
