#!/usr/bin/env bash
# Install the Debian toolchains that build the wasm32-wasi guest programs
# (tests/guests/, examples/). Idempotent: a second run checks with dpkg only.
#
#   C/C++ : clang-14 --target=wasm32-wasi, wasi-libc, lld, compiler-rt, libc++
#   Rust  : Debian's /usr/bin/rustc (1.63) + libstd-rust-dev-wasm32
#   Tools : llvm-14 (llvm-symbolizer-14, llvm-dwarfdump-14, llvm-objdump-14);
#           openssl (test certificates for the agent's TLS);
#           wrk (the load generator of the server's tests and benchmarks);
#           golang-go (`go tool pprof`, the reader the pprof endpoint is tested with);
#           nodejs and chromium (Wasm under V8: `profile --node`, `profile --chrome`)
set -euo pipefail

PACKAGES=(
  clang-14
  lld-14
  lld
  llvm-14
  wasi-libc
  libclang-rt-14-dev-wasm32
  libc++-14-dev-wasm32
  libc++abi-14-dev-wasm32
  rustc
  libstd-rust-dev-wasm32
  openssl
  wrk
  golang-go
  nodejs
  chromium
)

missing=()
for pkg in "${PACKAGES[@]}"; do
  # dpkg -s also succeeds for removed-but-not-purged packages; check the status.
  if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$pkg")
  fi
done

if [ "${#missing[@]}" -eq 0 ]; then
  exit 0
fi

SUDO=()
if [ "$(id -u)" -ne 0 ]; then
  SUDO=(sudo)
fi

echo "install-toolchains: installing: ${missing[*]}" >&2
"${SUDO[@]}" apt-get update
"${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive \
  apt-get install -y --no-install-recommends "${missing[@]}"
