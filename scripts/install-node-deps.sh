#!/usr/bin/env bash
# Installs the Node packages of the DAP client tests (tests/dap-client) from
# their package-lock.json. Idempotent: when node_modules already matches the
# lock file, it does nothing. Installs Node.js and npm (Debian packages) when
# they are missing.
#
#   scripts/install-node-deps.sh
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)"
DIR="$ROOT/tests/dap-client"

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

cd "$DIR"
# npm ci wipes and reinstalls node_modules; skip it when the installed tree
# was made from this very lock file (npm writes node_modules/.package-lock.json).
STAMP="node_modules/.install-stamp"
if [ -f "$STAMP" ] && [ -d node_modules ] && cmp -s package-lock.json "$STAMP"; then
  exit 0
fi
npm ci --no-audit --no-fund
cp package-lock.json "$STAMP"
