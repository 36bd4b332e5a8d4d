#!/usr/bin/env bash
# Fuzzes the DAP framing and message decoding for a bounded time.
#
#   scripts/fuzz.sh [SECONDS]     (default 60)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)"
SECONDS_TO_RUN="${1:-60}"
if ! command -v cargo-fuzz >/dev/null; then
  cargo install --quiet --locked cargo-fuzz >&2
fi
# cargo fuzz needs nightly features; use a nightly toolchain when there is
# one, else unlock them on stable.
TOOLCHAIN=()
if rustup toolchain list 2>/dev/null | grep -q '^nightly'; then
  TOOLCHAIN=(+nightly)
else
  export RUSTC_BOOTSTRAP=1
fi
cd "$ROOT/dap-adapter"
cargo "${TOOLCHAIN[@]}" fuzz run dap_frames -- -max_total_time="$SECONDS_TO_RUN" -rss_limit_mb=2048
