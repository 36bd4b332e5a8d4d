import assert from 'node:assert/strict';
import * as os from 'node:os';
import { test } from 'node:test';
import { guessSourceMap, mapSourcePath } from '../../src/config/sourceMap';
import { substituteVariables } from '../../src/config/variables';
import { debugPaths } from '../../src/config/wasmSections';
import { obviousChoice, rankWasmFiles } from '../../src/config/wasmPick';

test('variables resolve in values and keys', () => {
  const ctx = { workspaceFolder: '/ws', file: '/ws/src/main.c', env: { HOME: '/home/u' } };
  const config = {
    program: '${workspaceFolder}/build/${fileBasenameNoExtension}.wasm',
    args: ['${env:HOME}', '${env:UNSET}'],
    sourceMap: { '/build': '${workspaceFolder}' },
    stopOnEntry: true,
  };
  assert.deepEqual(substituteVariables(config, ctx), {
    program: '/ws/build/main.wasm',
    args: ['/home/u', ''],
    sourceMap: { '/build': '/ws' },
    stopOnEntry: true,
  });
  assert.equal(substituteVariables('${userHome}', ctx), os.homedir());
  assert.throws(() => substituteVariables('${command:pick}', ctx), /cannot resolve \$\{command:pick\}/);
});

test('the .wasm named after the source comes first, nearest first', () => {
  const files = ['/ws/a/other.wasm', '/ws/target/guests/main-O2.wasm', '/ws/build/main.wasm', '/ws/zz/main.wasm'];
  const ranked = rankWasmFiles(files, '/ws/zz/src/main.c').map((r) => r.file);
  assert.deepEqual(ranked, ['/ws/zz/main.wasm', '/ws/build/main.wasm', '/ws/target/guests/main-O2.wasm', '/ws/a/other.wasm']);
});

test('a single exact match is taken without asking; several are asked about', () => {
  assert.equal(obviousChoice(rankWasmFiles(['/ws/b/app.wasm', '/ws/x.wasm'], '/ws/src/app.rs'), '/ws/src/app.rs'), '/ws/b/app.wasm');
  assert.equal(obviousChoice(rankWasmFiles(['/ws/a/app.wasm', '/ws/b/app.wasm'], '/ws/app.c'), '/ws/app.c'), undefined);
  assert.equal(obviousChoice(rankWasmFiles(['/ws/my_app.wasm'], '/ws/my-app.rs'), '/ws/my-app.rs'), undefined);
  assert.equal(rankWasmFiles(['/ws/my_app.wasm'], '/ws/my-app.rs')[0].matchesSource, true);
});

test('sourceMap: the longest shared tail decides the prefixes', () => {
  const dwarf = ['/wasmscope', '/wasmscope/tests/guests/c/main.c', '/usr/include/stdio.h', '/build/llvm/main.c'];
  assert.deepEqual(guessSourceMap(dwarf, '/work/repo/tests/guests/c/main.c'), { '/wasmscope': '/work/repo' });
  // Directory and file name apart, as DWARF 4 line tables store them.
  assert.deepEqual(guessSourceMap(['/src/app/lib', '/x/y'], '/home/me/app/lib'), { '/src': '/home/me' });
  assert.equal(guessSourceMap(['/home/me/app/main.c'], '/home/me/app/main.c'), undefined);
  assert.equal(guessSourceMap(['/build/other.c'], '/home/me/main.c'), undefined);
});

test('sourceMap application takes the longest prefix and whole components', () => {
  const map = { '/build': '/ws', '/build/vendor/': '/deps' };
  assert.equal(mapSourcePath('/build/src/a.c', map), '/ws/src/a.c');
  assert.equal(mapSourcePath('/build/vendor/z.h', map), '/deps/z.h');
  assert.equal(mapSourcePath('/buildx/a.c', map), '/buildx/a.c');
  assert.equal(mapSourcePath('/build/a.c', undefined), '/build/a.c');
});

/** A wasm module with one custom section. */
function moduleWith(name: string, data: Buffer): Uint8Array {
  const nameBytes = Buffer.from(name);
  const payload = Buffer.concat([Buffer.from([nameBytes.length]), nameBytes, data]);
  const size: number[] = [];
  let n = payload.length;
  do {
    size.push((n & 0x7f) | (n > 0x7f ? 0x80 : 0));
    n >>= 7;
  } while (n > 0);
  return Buffer.concat([Buffer.from([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]), Buffer.from([0]), Buffer.from(size), payload]);
}

test('absolute paths are read from the DWARF sections only', () => {
  const strings = Buffer.from('clang 14\0/wasmscope\0/wasmscope/tests/c/main.c\0main.c\0C:\\src\\x.c\0'.repeat(20));
  assert.deepEqual(debugPaths(moduleWith('.debug_str', strings)).sort(), ['/wasmscope', '/wasmscope/tests/c/main.c', 'C:\\src\\x.c']);
  const rust = Buffer.from('/ws/src/main.rs/@/app.1a2b-cgu.0\0');
  assert.deepEqual(debugPaths(moduleWith('.debug_str', rust)), ['/ws/src/main.rs']);
  assert.deepEqual(debugPaths(moduleWith('producers', strings)), []);
  assert.deepEqual(debugPaths(Buffer.from('not wasm')), []);
});
