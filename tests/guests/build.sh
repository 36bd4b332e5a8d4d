#!/usr/bin/env bash
# Build the wasm32-wasi guest programs (tests/guests/*, examples/hotspots)
# at -O0 and -O2, with full DWARF and the name section.
#
#   tests/guests/build.sh [OUTDIR]     default OUTDIR: <repo>/target/guests
#
# Outputs: c-O0.wasm c-O2.wasm cpp-O0.wasm cpp-O2.wasm rust-O0.wasm
#          rust-O2.wasm hotspots-O0.wasm hotspots-O2.wasm inline-O0.wasm
#          inline-O2.wasm io-O0.wasm sleeper-O2.wasm, http-routes-O0.wasm and
#          http-routes-O2.wasm (reactor modules of the server example), and
#          WASI preview2 command components of some of them, NAME-component.wasm
#          (the preview1 module wrapped with the WASI adapter by
#          tests/componentize: the compilers here only target preview1).
#
# Debug paths are remapped from the checkout to /wasmscope, so a source file
# appears as /wasmscope/tests/guests/c/main.c whatever the checkout location.
# An output is rebuilt only when a file of its source directory or this script
# is newer than it.
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)"
ROOT="$(cd "$SCRIPT_DIR/../.." && pwd -P)"
OUT="${1:-$ROOT/target/guests}"
mkdir -p "$OUT"
OUT="$(cd "$OUT" && pwd -P)"

"$ROOT/scripts/install-toolchains.sh"

CC=clang-14
CXX=clang++-14
RUSTC=/usr/bin/rustc   # Debian's rustc has the wasm32-wasi std; rustup's does not
PREFIX=/wasmscope

# All paths handed to the compilers are physical (pwd -P), and so is the
# working directory below, so one mapping covers every path in the DWARF.
CLANG_MAP=(-fdebug-prefix-map="$ROOT=$PREFIX" -fmacro-prefix-map="$ROOT=$PREFIX")
RUST_MAP=(--remap-path-prefix="$ROOT=$PREFIX")

# Compilers run from the repository root so DW_AT_comp_dir is remapped too.
cd "$ROOT"

built=0
fresh=0

# needs_build OUTPUT SRCDIR: true if OUTPUT is missing or older than any file
# under SRCDIR or this script.
needs_build() {
  local out="$1" dir="$2" f
  [ -e "$out" ] || return 0
  [ "$SCRIPT_DIR/build.sh" -nt "$out" ] && return 0
  while IFS= read -r -d '' f; do
    [ "$f" -nt "$out" ] && return 0
  done < <(find "$dir" -type f -print0)
  return 1
}

# build NAME SRCDIR COMMAND...: COMMAND writes "$TMP_OUT"; moved into place
# only on success, so a failed build never leaves an up-to-date-looking file.
build() {
  local name="$1" dir="$2"
  shift 2
  local out="$OUT/$name.wasm"
  if ! needs_build "$out" "$dir"; then
    fresh=$((fresh + 1))
    return 0
  fi
  TMP_OUT="$OUT/.$name.tmp.wasm"
  rm -f "$TMP_OUT"
  if ! "$@"; then
    rm -f "$TMP_OUT"
    echo "build.sh: FAILED to build $name.wasm from $dir" >&2
    exit 1
  fi
  mv -f "$TMP_OUT" "$out"
  built=$((built + 1))
  echo "built $out ($(stat -c %s "$out") bytes)"
}

cc_c() {   # OPT SOURCES...
  local opt="$1"
  shift
  "$CC" --target=wasm32-wasi -g "$opt" -Wall -Wextra "${CLANG_MAP[@]}" "$@" -o "$TMP_OUT"
}

cc_cpp() { # OPT SOURCES...
  local opt="$1"
  shift
  "$CXX" --target=wasm32-wasi -g "$opt" -std=c++17 -fno-exceptions -Wall -Wextra \
    "${CLANG_MAP[@]}" "$@" -o "$TMP_OUT"
}

rustc_wasm() { # OPTLEVEL SOURCE
  "$RUSTC" --edition 2018 --crate-name rust_guest --crate-type bin --target wasm32-wasi \
    -g -C opt-level="$1" "${RUST_MAP[@]}" "$2" -o "$TMP_OUT"
}

G="$ROOT/tests/guests"
for lvl in 0 2; do
  build "c-O$lvl" "$G/c" cc_c "-O$lvl" "$G"/c/*.c
  build "cpp-O$lvl" "$G/cpp" cc_cpp "-O$lvl" "$G"/cpp/*.cpp
  build "rust-O$lvl" "$G/rust" rustc_wasm "$lvl" "$G/rust/main.rs"
  build "hotspots-O$lvl" "$ROOT/examples/hotspots" cc_c "-O$lvl" "$ROOT/examples/hotspots/hotspots.c"
  build "inline-O$lvl" "$G/inline" cc_c "-O$lvl" "$G"/inline/*.c
done
build "io-O0" "$G/io" cc_c -O0 "$G"/io/*.c
# Paths recorded as URLs, as wasi-sdk 30 records its libc's
# (`wasisdk://v30.0/src/…`, the unit's directory `wasisdk://v30.0/build/…`):
# whole names, never joined to the directory.
cc_url_paths() { # SOURCES...
  "$CC" --target=wasm32-wasi -g -O0 -Wall -Wextra -fdebug-prefix-map="$G/inline=wasisdk://v30.0/src/inline" \
    -fdebug-compilation-dir=wasisdk://v30.0/build/inline "$@" -o "$TMP_OUT"
}
build "url-paths-O0" "$G/inline" cc_url_paths "$G"/inline/*.c
build "sleeper-O2" "$G/profile" cc_c -O2 "$G/profile/sleeper.c"
# Hostile guests of tests/reliability (-O0 only), one program per file. A 64 MiB
# shadow stack placed first: deep.c runs out of Wasm stack before it runs out of
# shadow stack, and an overflow of the latter traps instead of overwriting data.
for h in flood deep oom; do
  build "hostile-$h-O0" "$G/hostile" cc_c -O0 -Wl,-z,stack-size=$((64 << 20)),--stack-first "$G/hostile/$h.c"
done

# The server example (examples/http-routes): a reactor module with the
# wasi:http/proxy bindings, made a component below.
cc_reactor() { # OPT SOURCES...
  local opt="$1"
  shift
  "$CC" --target=wasm32-wasi -mexec-model=reactor -g "$opt" -Wall -Wextra "${CLANG_MAP[@]}" \
    -I"$ROOT/examples/http-routes" "$@" -o "$TMP_OUT"
}
H="$ROOT/examples/http-routes"
for lvl in 0 2; do
  build "http-routes-O$lvl" "$H" cc_reactor "-O$lvl" "$H/routes.c" "$H/bindings/proxy.c" \
    "$H/bindings/proxy_component_type.o"
done

# componentize NAME [--proxy | --http-cli]: NAME-component.wasm (with
# --http-cli: NAME-cli-component.wasm) from NAME.wasm, rebuilt when the
# module or the tool's source is newer (--proxy: a wasi:http/proxy
# component; --http-cli: the same with the WASI CLI imports; else a command).
COMPONENTIZE="$ROOT/target/debug/wasmscope-componentize"
componentize() {
  local module="$OUT/$1.wasm" out="$OUT/$1-component.wasm"
  local flags=("${@:2}")
  if [ "${2:-}" = --http-cli ]; then
    out="$OUT/$1-cli-component.wasm"
  fi
  if [ -e "$out" ] && [ "$out" -nt "$module" ] && [ "$out" -nt "$ROOT/tests/componentize/src/main.rs" ]; then
    fresh=$((fresh + 1))
    return 0
  fi
  if [ ! -x "$COMPONENTIZE" ] || [ "$ROOT/tests/componentize/src/main.rs" -nt "$COMPONENTIZE" ]; then
    cargo build --quiet --locked -p wasmscope-componentize --manifest-path "$ROOT/Cargo.toml"
  fi
  "$COMPONENTIZE" "${flags[@]}" "$module" "$out.tmp"
  mv -f "$out.tmp" "$out"
  built=$((built + 1))
  echo "built $out ($(stat -c %s "$out") bytes)"
}
for name in c-O0 c-O2 rust-O0 hotspots-O2 sleeper-O2 io-O0; do
  componentize "$name"
done
for lvl in 0 2; do
  componentize "http-routes-O$lvl" --proxy
done
componentize http-routes-O0 --http-cli

echo "guests: $built built, $fresh up to date in $OUT"
