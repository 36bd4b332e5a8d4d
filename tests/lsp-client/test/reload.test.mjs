// Reload: a new profile written into the workspace's .wasmscope/ while the
// server runs. A client that declared refreshSupport is sent
// workspace/codeLens/refresh and workspace/inlayHint/refresh, and the lenses
// it then asks for have the new profile's figures (computed here from the new
// file); one that did not declare it gets no refresh request, but the new
// figures when it asks.
import { after, before, describe, test } from 'node:test';
import path from 'node:path';

import {
  HOTSPOTS_C, HOTSPOTS_FUNCTIONS, TEST_TIMEOUT, assert, definitionLine, functionFigures, hotspotsSource,
  lensFigures, profilePprof, profileWorkspace, readProfile, repoOptions, setMtime, totalSamples,
  withSession, writeFolded,
} from './lib/harness.mjs';

/** Function name → lens title figures (without the inlined part), from stacks. */
function expectedTitles(stacks) {
  const T = totalSamples(stacks);
  const figures = functionFigures(stacks);
  return new Map(HOTSPOTS_FUNCTIONS.map((f) => [f, figures.has(f) ? lensFigures(figures.get(f), T) : 'not in the profile']));
}

/** Function name → lens title without " · inlined in N places". */
async function lensTitles(s, uri) {
  const text = hotspotsSource();
  const byLine = new Map((await s.codeLens(uri)).map((l) => [l.range.start.line, l.command.title]));
  return new Map(HOTSPOTS_FUNCTIONS.map((f) => [f, (byLine.get(definitionLine(text, f) - 1) ?? '(no lens)').replace(/ · inlined in \d+ places?$/, '')]));
}

/**
 * A second profile, of a made-up run: heavy_work with self time, mix only
 * under light_work. Its figures cannot be those of a real -O2 run.
 */
const NEW_PROFILE = [
  ['_start;main;run_round;heavy_work', 5],
  ['_start;main;run_round;light_work;mix_[i]', 2],
  ['_start;main;run_round', 1],
];

describe('profile reload', () => {
  let ws;
  let firstStacks;
  before(() => {
    ws = profileWorkspace('reload');
    const first = profilePprof(path.join(ws.profiles, 'first.pb.gz'), 10);
    setMtime(first, Date.now() / 1000 - 60);
    firstStacks = readProfile(first);
  });
  after(() => ws.cleanup());

  test('a new profile in .wasmscope/: codeLens and inlayHint refresh requests, then the new figures', { timeout: TEST_TIMEOUT }, () =>
    withSession('reload', async (s) => {
      await s.initialize({ root: ws.root, initializationOptions: repoOptions() });
      const uri = await s.openSettled(HOTSPOTS_C);
      const before1 = await lensTitles(s, uri);
      assert.deepEqual(before1, expectedTitles(firstStacks), 'the first profile\'s figures');
      assert.deepEqual(s.sent('workspace/codeLens/refresh'), [], 'no refresh before anything changed');

      const mark = s.mark();
      const newStacks = writeFolded(path.join(ws.profiles, 'second.folded'), NEW_PROFILE);
      const want = expectedTitles(newStacks);
      assert.notDeepEqual(want, before1, 'the new profile has other figures');
      await s.wait('workspace/codeLens/refresh', { from: mark, timeout: 10_000 });
      await s.wait('workspace/inlayHint/refresh', { from: mark, timeout: 10_000 });
      assert.deepEqual(await lensTitles(s, uri), want, 'the lenses asked for after the refresh have the new figures');
      // Open documents' diagnostics are published anew with it.
      await s.wait('textDocument/publishDiagnostics', { from: mark, pred: (p) => p.uri === uri, timeout: 10_000 });

      // The heat, too, comes from the new profile (a folded one: no lines).
      const heat = await s.heat(uri);
      assert.equal(heat.profile, path.join(ws.profiles, 'second.folded'));
      assert.equal(heat.totalSamples, totalSamples(newStacks));
      assert.deepEqual(heat.lines, []);

      // Rewriting the same file (newer mtime, other counts) reloads it as well.
      const mark2 = s.mark();
      const third = writeFolded(path.join(ws.profiles, 'second.folded'), [['_start;main;run_round;heavy_work;mix_[i]', 9], ['_start;main', 3]]);
      setMtime(path.join(ws.profiles, 'second.folded'), Date.now() / 1000 + 2);
      await s.wait('workspace/codeLens/refresh', { from: mark2, timeout: 10_000 });
      assert.deepEqual(await lensTitles(s, uri), expectedTitles(third), 'the rewritten profile\'s figures');
      s.assertAlive();
    }));

  test('a client without refreshSupport: no refresh requests, the new figures when it asks', { timeout: TEST_TIMEOUT }, () =>
    withSession('reload-no-refresh', async (s) => {
      const ws2 = profileWorkspace('reload-plain');
      try {
        const first = writeFolded(path.join(ws2.profiles, 'a.folded'), [['main;run_round;light_work', 4]]);
        setMtime(path.join(ws2.profiles, 'a.folded'), Date.now() / 1000 - 60);
        await s.initialize({ root: ws2.root, initializationOptions: repoOptions(), capabilities: {} });
        const uri = await s.openSettled(HOTSPOTS_C);
        assert.deepEqual(await lensTitles(s, uri), expectedTitles(first));
        const mark = s.mark();
        const second = writeFolded(path.join(ws2.profiles, 'b.folded'), NEW_PROFILE);
        // The reload republishes the open document's diagnostics: that says it happened.
        await s.wait('textDocument/publishDiagnostics', { from: mark, pred: (p) => p.uri === uri, timeout: 10_000 });
        assert.deepEqual(await lensTitles(s, uri), expectedTitles(second));
        assert.deepEqual(s.received.filter((m) => m.kind === 'request'), [], 'no requests to a client without refreshSupport');
      } finally {
        ws2.cleanup();
      }
    }));
});
