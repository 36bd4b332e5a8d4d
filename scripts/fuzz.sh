#!/usr/bin/env bash
# Fuzzes, each for a bounded time: the DAP framing and message decoding
# (dap_frames), the expression parser (expression_parser), the launch
# configuration (launch_config) and the coredump reader (coredump, seeded
# with real dumps from dap-adapter/fuzz/seeds/coredump). CI runs it with a short time per target.
#
#   scripts/fuzz.sh [SECONDS_PER_TARGET] [TARGET...]     (default 60, all)
#
# The targets (dap-adapter/fuzz) are libFuzzer programs (libfuzzer-sys),
# built here with plain cargo and the coverage instrumentation cargo-fuzz
# would add, so a fresh machine needs no cargo-fuzz. Crashes land in
# target/fuzz/artifacts/TARGET/; each run's log in target/fuzz/logs/.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)"
SECONDS_TO_RUN="${1:-60}"
shift || true
TARGETS=("$@")
if [ "${#TARGETS[@]}" -eq 0 ]; then
  TARGETS=(dap_frames expression_parser launch_config coredump)
fi
OUT="$ROOT/target/fuzz"
mkdir -p "$OUT/logs"
HOST="$(rustc -vV | sed -n 's/^host: //p')"
# No sanitizer: the fuzzed code is safe Rust (unsafe is denied outside the
# sampler), so coverage guidance is what finds bugs here. --target keeps the
# instrumentation out of build scripts and proc macros.
export RUSTFLAGS="-Cpasses=sancov-module -Cllvm-args=-sanitizer-coverage-level=4 \
-Cllvm-args=-sanitizer-coverage-inline-8bit-counters -Cllvm-args=-sanitizer-coverage-pc-table \
-Cllvm-args=-sanitizer-coverage-trace-compares --cfg fuzzing -Cdebug-assertions -Coverflow-checks"
export CARGO_TARGET_DIR="$OUT/build"
for target in "${TARGETS[@]}"; do
  cargo build --quiet --release --target "$HOST" --manifest-path "$ROOT/dap-adapter/fuzz/Cargo.toml" --bin "$target"
done
for target in "${TARGETS[@]}"; do
  mkdir -p "$OUT/corpus/$target" "$OUT/artifacts/$target"
  echo "fuzz: $target for ${SECONDS_TO_RUN}s" >&2
  status=0
  seeds=()
  if [ -d "$ROOT/dap-adapter/fuzz/seeds/$target" ]; then
    seeds=("$ROOT/dap-adapter/fuzz/seeds/$target")
  fi
  "$OUT/build/$HOST/release/$target" -max_total_time="$SECONDS_TO_RUN" -rss_limit_mb=2048 -max_len=65536 \
    -print_final_stats=1 -artifact_prefix="$OUT/artifacts/$target/" "$OUT/corpus/$target" "${seeds[@]}" \
    >"$OUT/logs/$target.log" 2>&1 || status=$?
  grep -E 'stat::number_of_executed_units|panicked|SUMMARY|ERROR' "$OUT/logs/$target.log" >&2 || true
  if [ "$status" -ne 0 ]; then
    tail -40 "$OUT/logs/$target.log" >&2
    echo "fuzz: $target failed (exit $status); the input is in $OUT/artifacts/$target/" >&2
    exit "$status"
  fi
done
