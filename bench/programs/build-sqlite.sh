#!/usr/bin/env bash
# Builds SQLite's amalgamation (from the npm package `sqlite3`, which ships it)
# as wasm32-wasi with DWARF, at -O2 and -O0: the large real program of the
# benchmarks.
#
#   bench/programs/build-sqlite.sh OUTDIR     → OUTDIR/sqlite-O2.wasm, OUTDIR/sqlite-O0.wasm
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
# first (compile-time figures of bench/debug.sh).
for level in O2 O0; do
  if [ ! -f "$OUT/sqlite-$level.wasm" ] || [ "$ROOT/bench/programs/sqlite_main.c" -nt "$OUT/sqlite-$level.wasm" ]; then
    echo "building sqlite-$level.wasm (about a minute)..." >&2
    clang-14 --target=wasm32-wasi -g -$level \
      -fdebug-prefix-map="$OUT/sqlite-src=/sqlite" -fdebug-prefix-map="$ROOT=/wasmscope" \
      -DSQLITE_OS_OTHER=1 -DSQLITE_THREADSAFE=0 -DSQLITE_OMIT_LOAD_EXTENSION -DSQLITE_TEMP_STORE=3 \
      -I "$OUT/sqlite-src" "$OUT/sqlite-src/sqlite3.c" "$ROOT/bench/programs/sqlite_main.c" \
      -o "$OUT/sqlite-$level.wasm.tmp"
    mv "$OUT/sqlite-$level.wasm.tmp" "$OUT/sqlite-$level.wasm"
  fi
done
