#!/usr/bin/env bash
# Runs every test of wasmscope on a fresh machine: installs the toolchains the
# tests need (apt, npm), builds the guest programs, runs the Rust test suite,
# then the real-client tests: npm's DebugClient against `wasmscope dap` over
# stdio and TCP, an LSP client against `wasmscope lsp`, the comparison with
# LLDB, and the VS Code extension.
#
#   scripts/test.sh [extra cargo test args]
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)"
cd "$ROOT"

# Style first: it costs seconds and fails fast.
cargo fmt --all --check
scripts/install-toolchains.sh
scripts/install-node-deps.sh
tests/guests/build.sh "$ROOT/target/guests"
cargo test --workspace --locked "$@"
# `cargo test` built target/debug/wasmscope (the cli crate's tests run it);
# a separate `cargo build -p wasmscope` would resolve features differently
# and rebuild wasmtime.
# Hostile files, traffic, slow clients and deep guests against that binary.
tests/reliability/run.sh
cargo clippy --workspace --all-targets --locked -- -D warnings
# The fuzz targets (DAP framing, expressions, launch configurations, coredumps), 20 s each.
scripts/fuzz.sh 20
tests/dap-client/run.sh
# The language server with a real LSP client (vscode-jsonrpc): lenses, hints,
# hovers and heat against the profile's own figures and the CLI's answers.
tests/lsp-client/run.sh
# The reference debugger: stacks and locals at 8 breakpoints must equal
# what lldb-dap-22 attached to `wasmtime run -g` shows.
tests/lldb-compare/run.sh
# The VS Code extension: unit tests, the .vsix, and an end-to-end run in a
# real VS Code (code-server) in headless Chromium.
scripts/install-vscode-test-deps.sh
scripts/test-vscode-extension.sh
