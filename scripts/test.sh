#!/usr/bin/env bash
# Runs every test of wasmscope on a fresh machine: installs the toolchains the
# tests need (apt), builds the guest programs, runs the Rust test suite, then
# the real-client DAP tests (npm's DebugClient against `wasmscope dap`, over
# stdio and TCP).
#
#   scripts/test.sh [extra cargo test args]
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)"
cd "$ROOT"

scripts/install-toolchains.sh
tests/guests/build.sh "$ROOT/target/guests"
cargo test --workspace --locked "$@"
# `cargo test` built target/debug/wasmscope (the cli crate's tests use it).
cargo build --locked -p wasmscope
tests/dap-client/run.sh
