#!/usr/bin/env bash
# Runs every test of wasmscope on a fresh machine: installs the toolchains the
# tests need (apt), builds the guest programs, then runs the Rust test suite.
#
#   scripts/test.sh [extra cargo test args]
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)"
cd "$ROOT"

scripts/install-toolchains.sh
tests/guests/build.sh "$ROOT/target/guests"
cargo test --workspace --locked "$@"
