#!/usr/bin/env bash
# Generates bindings/ (proxy.c, proxy.h, proxy_component_type.o): wit-bindgen's
# C bindings for the wasi:http/proxy world, from the WIT that
# wasmtime-wasi-http 48.0.8 ships (the version `wasmscope serve` runs). The
# output is committed, so building the example needs only clang; run this
# after changing either version. Installs wit-bindgen-cli 0.63.0 (C only)
# under target/tools.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)"
ROOT="$(cd "$HERE/../.." && pwd -P)"
TOOLS="$ROOT/target/tools/wit-bindgen"
if [ ! -x "$TOOLS/bin/wit-bindgen" ]; then
  cargo install --quiet --locked --root "$TOOLS" wit-bindgen-cli --version 0.63.0 --no-default-features --features c
fi
# The crate is a dependency of the runtime: cargo has it.
cargo fetch --quiet --locked --manifest-path "$ROOT/Cargo.toml"
WIT="$(ls -d "${CARGO_HOME:-$HOME/.cargo}"/registry/src/*/wasmtime-wasi-http-48.0.8/wit | head -n 1)"
"$TOOLS/bin/wit-bindgen" c "$WIT" --world wasi:http/proxy@0.2.12 --out-dir "$HERE/bindings"
