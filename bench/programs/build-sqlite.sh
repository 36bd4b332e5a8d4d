#!/usr/bin/env bash
# Builds SQLite's amalgamation (from the npm package `sqlite3`, which ships it)
# as wasm32-wasi with DWARF, at -O2 and -O0: the large real program of the
# benchmarks.
#
#   bench/programs/build-sqlite.sh OUTDIR     → OUTDIR/sqlite-{O2,O0,O0-edited}.wasm
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd -P)"
OUT="$1"
SQLITE_NPM_VERSION=6.0.1       # ships sqlite-autoconf-3520000 (SQLite 3.52.0)
mkdir -p "$OUT/sqlite-src"
"$ROOT/scripts/install-toolchains.sh"
if [ ! -f "$OUT/sqlite-src/sqlite3.c" ]; then
  (cd "$OUT/sqlite-src" && npm pack --silent "sqlite3@$SQLITE_NPM_VERSION" >/dev/null \
    && tar xzf "sqlite3-$SQLITE_NPM_VERSION.tgz" --wildcards 'package/deps/sqlite-autoconf-*.tar.gz' \
    && tar xzf package/deps/sqlite-autoconf-*.tar.gz --strip-components=1 --wildcards '*/sqlite3.c' '*/sqlite3.h')
fi
# -O2: the large real program; -O0: the large debug build a user launches
# first; -O0-edited: the same with one function of sqlite_main.c changed, as
# after an edit and a rebuild (compile-time figures of bench/debug.sh).
build() { # NAME OPTLEVEL [CFLAGS...]
  local name="$1" level="$2"
  shift 2
  if [ ! -f "$OUT/$name.wasm" ] || [ "$ROOT/bench/programs/sqlite_main.c" -nt "$OUT/$name.wasm" ]; then
    echo "building $name.wasm (about a minute)..." >&2
    clang-14 --target=wasm32-wasi -g "-$level" "$@" \
      -fdebug-prefix-map="$OUT/sqlite-src=/sqlite" -fdebug-prefix-map="$ROOT=/wasmscope" \
      -DSQLITE_OS_OTHER=1 -DSQLITE_THREADSAFE=0 -DSQLITE_OMIT_LOAD_EXTENSION -DSQLITE_TEMP_STORE=3 \
      -I "$OUT/sqlite-src" "$OUT/sqlite-src/sqlite3.c" "$ROOT/bench/programs/sqlite_main.c" \
      -o "$OUT/$name.wasm.tmp"
    mv "$OUT/$name.wasm.tmp" "$OUT/$name.wasm"
  fi
}
build sqlite-O2 O2
build sqlite-O0 O0
build sqlite-O0-edited O0 -DDEFAULT_ROWS=20001
