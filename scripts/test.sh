#!/usr/bin/env bash
# Runs every test of wasmscope on a fresh machine: installs the toolchains the
# tests need (apt, npm), builds the guest programs, runs the Rust test suite,
# then the real-client tests: npm's DebugClient against `wasmscope dap` over
# stdio and TCP, the comparison with LLDB, and the VS Code extension.
#
#   scripts/test.sh [extra cargo test args]
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)"
cd "$ROOT"

scripts/install-toolchains.sh
scripts/install-node-deps.sh
tests/guests/build.sh "$ROOT/target/guests"
cargo test --workspace --locked "$@"
# `cargo test` built target/debug/wasmscope (the cli crate's tests run it);
# a separate `cargo build -p wasmscope` would resolve features differently
# and rebuild wasmtime.
tests/dap-client/run.sh
# The reference debugger: stacks and locals at 8 breakpoints must equal
# what lldb-dap-22 attached to `wasmtime run -g` shows.
tests/lldb-compare/run.sh
# The VS Code extension: unit tests, the .vsix, and an end-to-end run in a
# real VS Code (code-server) in headless Chromium.
scripts/install-vscode-test-deps.sh
scripts/test-vscode-extension.sh
