#!/usr/bin/env bash
# What a live profile costs a loaded server: `wasmscope serve` with its
# agent, under wrk, with no profile and with `wasmscope profile --connect`
# sampling it at 1 kHz, taking turns round after round on the same server
# (so a shared machine's drifts fall on both). Prints requests/s and p99 of
# each (medians), the median of each round's ratio (profiled / not, the two
# runs of a round back to back, so that a shared machine's drift between
# rounds cancels; target >= 0.97), and how many of the server's worker
# threads the profiles covered (target: all).
#
#   bench/serve-profile.sh [SECONDS] [CONNECTIONS] [ROUNDS] [PATH]
#     (default 5 s, 16 connections, 9 rounds, /hello/bench: the fast route,
#      where a per-request cost shows most; /work/200000 loads the slow one)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)"
cd "$ROOT"
SECONDS_EACH="${1:-5}"
CONNECTIONS="${2:-16}"
ROUNDS="${3:-9}"
URL_PATH="${4:-/hello/bench}"
scripts/install-toolchains.sh >/dev/null
tests/guests/build.sh >/dev/null
cargo build --release --locked --quiet -p wasmscope
WASMSCOPE="$ROOT/target/release/wasmscope"
APP="$ROOT/target/guests/http-routes-O2-component.wasm"
WORK="$(mktemp -d)"
PIDS=()
cleanup() { for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done; rm -rf "$WORK"; }
trap cleanup EXIT
printf 'bench-token-%s-0123456789abcdef' "$$" >"$WORK/token"

"$WASMSCOPE" serve "$APP" --addr 127.0.0.1:0 --debug-addr 127.0.0.1:0 --token-file "$WORK/token" \
  2>"$WORK/serve.log" >/dev/null &
PIDS+=($!)
for _ in $(seq 1 600); do
  ADDR="$(sed -n 's|^Serving HTTP on http://\(.*\)/$|\1|p' "$WORK/serve.log")"
  [ -n "$ADDR" ] && break
  sleep 0.1
done
[ -n "$ADDR" ] || { echo "bench/serve-profile.sh: the server did not start:" >&2; cat "$WORK/serve.log" >&2; exit 1; }
AGENT="$(sed -n 's|^Debugging agent (DAP over WebSocket) at \(ws://.*\)$|\1|p' "$WORK/serve.log")"
WORKERS="$(nproc)"

# run NAME: wrk against the server; appends requests/s and p99 (ms).
declare -A RUNS_RPS RUNS_P99
run() {
  local name="$1" out rps p99
  out="$(wrk -t2 -c"$CONNECTIONS" -d"${SECONDS_EACH}s" --latency "http://$ADDR$URL_PATH")"
  if grep -q "Non-2xx" <<<"$out"; then
    echo "bench/serve-profile.sh: $name answered errors:" >&2
    echo "$out" >&2
    exit 1
  fi
  rps="$(awk '/^Requests\/sec:/ { print $2 }' <<<"$out")"
  p99="$(awk '$1 == "99%" { v = $2; if (v ~ /ms$/) { sub(/ms$/, "", v) } else if (v ~ /us$/) { sub(/us$/, "", v); v /= 1000 } else if (v ~ /s$/) { sub(/s$/, "", v); v *= 1000 } print v }' <<<"$out")"
  RUNS_RPS[$name]+="$rps "
  RUNS_P99[$name]+="$p99 "
}

echo "wrk: ${SECONDS_EACH} s, $CONNECTIONS connections, 2 threads, GET $URL_PATH; $ROUNDS rounds, median; $WORKERS worker threads"
curl -sf "http://$ADDR$URL_PATH" >/dev/null
THREADS=""
RATIOS=""
for round in $(seq 1 "$ROUNDS"); do
  run "no profile"
  # The profile outlasts the load by a little on both sides.
  WASMSCOPE_TOKEN="$(cat "$WORK/token")" "$WASMSCOPE" profile --connect "$AGENT" --rate 1000 \
    --duration "$((SECONDS_EACH + 2))" -o "$WORK/live-$round.folded" 2>"$WORK/profile-$round.log" &
  PROFILE=$!
  sleep 1
  run "profile at 1 kHz"
  wait "$PROFILE" || { echo "bench/serve-profile.sh: the profile failed:" >&2; cat "$WORK/profile-$round.log" >&2; exit 1; }
  THREADS+="$(sed -n 's/.*(\([0-9]*\) threads sampled.*/\1/p' "$WORK/profile-$round.log") "
  RATIOS+="$(awk -v a="$(awk '{ print $NF }' <<<"${RUNS_RPS[profile at 1 kHz]}")" -v b="$(awk '{ print $NF }' <<<"${RUNS_RPS[no profile]}")" 'BEGIN { printf "%.4f", a / b }') "
done
median() { tr ' ' '\n' | grep -v '^$' | sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
declare -A RPS P99
for name in "no profile" "profile at 1 kHz"; do
  RPS[$name]="$(median <<<"${RUNS_RPS[$name]}")"
  P99[$name]="$(median <<<"${RUNS_P99[$name]}")"
  printf '%-20s %10.0f req/s   p99 %8.2f ms   (rounds: %s)\n' "$name" "${RPS[$name]}" "${P99[$name]}" "${RUNS_RPS[$name]% }"
done
tail -n1 "$WORK/profile-$ROUNDS.log" | cut -c1-400
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", a / b }'; }
echo "profiled / not profiled:  $(median <<<"$RATIOS") req/s, median of the rounds' ratios (target >= 0.97; rounds: ${RATIOS% }); p99 $(ratio "${P99[profile at 1 kHz]}" "${P99[no profile]}")x"
echo "worker threads sampled per profile: ${THREADS% } of $WORKERS"
