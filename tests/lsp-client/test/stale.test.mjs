// Stale-build hints, in a temporary workspace holding copies of the program
// and its source (nothing in the repository is touched), found by the
// server's own workspace scan (no `programs` option): the sourceMap points the
// recorded /wasmscope prefix at the workspace.
//
// A source no newer than its program: no diagnostic. Edited after the build
// (its mtime moved past the program's) and saved: a HINT that the program is
// older. The program rebuilt (its mtime moved past the source's): the server
// notices within its 1 s watch and publishes the diagnostics anew, empty.
import { after, before, describe, test } from 'node:test';
import fs from 'node:fs';
import path from 'node:path';

import {
  HOTSPOTS_C, HOTSPOTS_REL, HOTSPOTS_WASM, RECORDED_PREFIX, TEST_TIMEOUT, assert, setMtime, tempDir,
  withSession,
} from './lib/harness.mjs';

const HINT = 4; // DiagnosticSeverity.Hint

describe('stale-build hint', () => {
  let root;
  let program;
  let source;
  before(() => {
    root = tempDir('stale');
    program = path.join(root, 'build', path.basename(HOTSPOTS_WASM));
    source = path.join(root, HOTSPOTS_REL);
    fs.mkdirSync(path.dirname(program), { recursive: true });
    fs.mkdirSync(path.dirname(source), { recursive: true });
    fs.copyFileSync(HOTSPOTS_WASM, program);
    fs.copyFileSync(HOTSPOTS_C, source);
    const now = Date.now() / 1000;
    setMtime(program, now - 100); // built 100 s ago
    setMtime(source, now - 200); // from a source edited before that
  });
  after(() => fs.rmSync(root, { recursive: true, force: true }));

  test('no hint while the program is newer; a HINT once the source is newer; gone after a rebuild', { timeout: TEST_TIMEOUT }, () =>
    withSession('stale', async (s) => {
      await s.initialize({ root, initializationOptions: { sourceMap: { [RECORDED_PREFIX]: root } } });
      const mark0 = s.mark();
      const uri = await s.open(source);
      const first = await s.wait('textDocument/publishDiagnostics', { from: mark0, pred: (p) => p.uri === uri });
      assert.deepEqual(first.params.diagnostics, [], `source older than the program: no diagnostic: ${JSON.stringify(first.params)}`);
      // The scan found the copied program: it has lenses for the copied source.
      const lenses = await s.codeLens(uri);
      assert.ok(lenses.length > 0, `the workspace scan found ${path.relative(root, program)}: lenses ${JSON.stringify(lenses)}`);

      // Edit (touch) the source after the build, then save.
      setMtime(source, Date.now() / 1000);
      assert.ok(fs.statSync(source).mtimeMs > fs.statSync(program).mtimeMs, 'the source is now newer than the program');
      const mark1 = s.mark();
      await s.notify('textDocument/didSave', { textDocument: { uri } });
      const stale = await s.wait('textDocument/publishDiagnostics', { from: mark1, pred: (p) => p.uri === uri });
      const diags = stale.params.diagnostics;
      assert.equal(diags.length, 1, `one diagnostic: ${JSON.stringify(stale.params)}`);
      assert.equal(diags[0].severity, HINT, `a HINT: ${JSON.stringify(diags[0])}`);
      assert.ok(diags[0].message.includes(`${path.basename(program)} is older than this file`), `message: ${diags[0].message}`);
      assert.equal(diags[0].source, 'wasmscope');

      // Rebuild (touch) the program: the watcher reloads and republishes.
      const mark2 = s.mark();
      setMtime(program, Date.now() / 1000 + 5);
      const fresh = await s.wait('textDocument/publishDiagnostics', { from: mark2, pred: (p) => p.uri === uri, timeout: 10_000 });
      assert.deepEqual(fresh.params.diagnostics, [], `after the rebuild: ${JSON.stringify(fresh.params)}`);
      s.assertAlive();
    }));
});
