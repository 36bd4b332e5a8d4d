#!/usr/bin/env bash
# Installs LLDB 22 with its DAP server (Debian's lldb-22, which bookworm ships
# through bookworm-security) and prints the path of lldb-dap-22. LLDB is the
# reference debugger the DAP comparison (bench/dap-compare.sh) runs against,
# attached to `wasmtime run -g` through its wasm gdb-remote plugin.
set -euo pipefail
BIN=/usr/bin/lldb-dap-22
if [ ! -x "$BIN" ] || ! command -v lldb-22 >/dev/null; then
  SUDO=
  [ "$(id -u)" = 0 ] || SUDO=sudo
  export DEBIAN_FRONTEND=noninteractive
  # (no `grep -q` straight on apt-cache's output: with pipefail, its early
  # exit would fail the pipeline through SIGPIPE)
  candidate() { apt-cache policy lldb-22 2>/dev/null | sed -n 's/^ *Candidate: *//p'; }
  case "$(candidate)" in ""|"(none)") $SUDO apt-get update -qq >&2 ;; esac
  case "$(candidate)" in ""|"(none)")
    # On bookworm lldb-22 comes from the security suite: check it is a source.
    echo "install-lldb: no apt source offers lldb-22 (on Debian bookworm it is in" \
         "bookworm-security; add 'bookworm-security' to the apt sources)" >&2
    exit 1 ;;
  esac
  $SUDO apt-get install -y -qq --no-install-recommends lldb-22 >&2
fi
"$BIN" --version >&2
echo "$BIN"
