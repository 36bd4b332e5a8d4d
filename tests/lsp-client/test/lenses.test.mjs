// Code lenses: one per function defined in hotspots.c, at its declaration
// line, whose figures are the profile's own — computed here from the profile
// file that `wasmscope profile` wrote into the workspace's .wasmscope/
// directory (pprof: exact sample counts; speedscope: weights in ms at
// 1000/RATE ms per sample), never taken from the server.
//
// Also measures the time from spawning `wasmscope lsp` to the first code lens
// answer (reported as a test diagnostic and in logs/timing.txt).
import { after, before, describe, test } from 'node:test';
import fs from 'node:fs';
import path from 'node:path';

import {
  HOTSPOTS_C, HOTSPOTS_FUNCTIONS, LOG_DIR, PROFILE_RATE, TEST_TIMEOUT, assert, definitionLine, fileUri, functionFigures,
  hotspotsSource, lensFigures, profileInto, profileWorkspace, readProfile, readSpeedscope, repoOptions, totalSamples,
  withSession, writeFolded,
} from './lib/harness.mjs';

describe('code lenses', () => {
  let ws;
  let run;
  let stacks;
  before(() => {
    ws = profileWorkspace('lenses');
    run = profileInto(path.join(ws.profiles, 'hotspots.pb.gz'), { rounds: 20 });
    stacks = readProfile(run.file);
  });
  after(() => ws.cleanup());

  test('one lens per function, at its declaration line, with the profile\'s self/total/samples', { timeout: TEST_TIMEOUT }, (t) =>
    withSession('lenses', async (s) => {
      const T = totalSamples(stacks);
      assert.ok(T > 0, 'the profile has samples');
      assert.equal(T, run.cliSamples, 'the profile file has the samples `wasmscope profile` reported');
      const figures = functionFigures(stacks);
      const text = hotspotsSource();

      await s.initialize({ root: ws.root, initializationOptions: repoOptions() });
      const uri = await s.open(HOTSPOTS_C);
      const lenses = await s.codeLens(uri);
      const elapsedMs = Date.now() - s.spawnedAtMs;
      t.diagnostic(`spawn → first codeLens answer: ${elapsedMs} ms`);
      fs.mkdirSync(LOG_DIR, { recursive: true });
      fs.appendFileSync(path.join(LOG_DIR, 'timing.txt'),
        `${new Date().toISOString()} spawn → first codeLens answer (hotspots-O2, ${T} samples): ${elapsedMs} ms\n`);

      assert.ok(Array.isArray(lenses), `codeLens: ${JSON.stringify(lenses)}`);
      const byLine = new Map(lenses.map((l) => [l.range.start.line, l]));
      assert.equal(byLine.size, lenses.length, `one lens per line: ${JSON.stringify(lenses)}`);
      const expectedLines = HOTSPOTS_FUNCTIONS.map((f) => definitionLine(text, f) - 1).sort((a, b) => a - b);
      assert.deepEqual([...byLine.keys()].sort((a, b) => a - b), expectedLines,
        `lenses at the definitions of ${HOTSPOTS_FUNCTIONS.join(', ')} (0-based lines ${expectedLines})`);

      for (const name of HOTSPOTS_FUNCTIONS) {
        const line0 = definitionLine(text, name) - 1;
        const lens = byLine.get(line0);
        const title = lens.command && lens.command.title;
        const fig = figures.get(name);
        assert.ok(fig, `${name} is in the profile (functions: ${[...figures.keys()].join(', ')})`);
        const want = lensFigures(fig, T);
        // mix is inlined at -O2: its title also counts the inlined copies.
        const m = /^(.*?)( · inlined in (\d+) places?)?$/.exec(title);
        assert.equal(m[1], want, `lens of ${name} (line ${line0 + 1}): ${JSON.stringify(lens)}; profile: ${JSON.stringify(fig)} of ${T}`);
        if (name === 'mix') {
          assert.ok(m[2], `mix is inlined (into heavy_work and light_work): ${title}`);
          assert.ok(Number(m[3]) >= 2, `mix is inlined in at least its 2 call sites: ${title}`);
        } else {
          assert.equal(m[2], undefined, `${name} is not inlined: ${title}`);
        }
      }
      // The three the profile is about, spelled out.
      for (const name of ['mix', 'heavy_work', 'light_work']) {
        const title = byLine.get(definitionLine(text, name) - 1).command.title;
        assert.ok(title.startsWith(lensFigures(figures.get(name), T)), `${name}: ${title}`);
      }
      s.assertAlive();
    }));

  test('a function the profile does not have: "not in the profile"; no profile: "no profile yet"', { timeout: TEST_TIMEOUT }, async () => {
    const empty = profileWorkspace('lenses-none');
    const other = profileWorkspace('lenses-other');
    try {
      // A folded profile in which only main and run_round appear.
      const folded = writeFolded(path.join(other.profiles, 'p.folded'), [['main;run_round', 3], ['main', 1]]);
      const figures = functionFigures(folded);
      const T = totalSamples(folded);
      await withSession('lenses-not-in-profile', async (s) => {
        await s.initialize({ root: other.root, initializationOptions: repoOptions() });
        const uri = await s.open(HOTSPOTS_C);
        const text = hotspotsSource();
        const byLine = new Map((await s.codeLens(uri)).map((l) => [l.range.start.line, l.command.title]));
        assert.equal(byLine.get(definitionLine(text, 'heavy_work') - 1), 'not in the profile');
        assert.match(byLine.get(definitionLine(text, 'mix') - 1), /^not in the profile · inlined in \d+ places?$/);
        for (const name of ['run_round', 'main']) {
          assert.equal(byLine.get(definitionLine(text, name) - 1), lensFigures(figures.get(name), T), name);
        }
      });
      await withSession('lenses-no-profile', async (s) => {
        await s.initialize({ root: empty.root, initializationOptions: repoOptions() });
        const uri = await s.open(HOTSPOTS_C);
        const titles = (await s.codeLens(uri)).map((l) => l.command.title);
        assert.equal(titles.length, HOTSPOTS_FUNCTIONS.length, JSON.stringify(titles));
        for (const title of titles) assert.match(title, /^no profile yet( · inlined in \d+ places?)?$/);
        // Hints need a profile; heat says there is none.
        assert.deepEqual(await s.inlayHints(uri), []);
        assert.deepEqual(await s.heat(uri), { profile: null, totalSamples: 0, lines: [] });
      });
    } finally {
      empty.cleanup();
      other.cleanup();
    }
  });

  test('a profile named in initializationOptions.profiles (no workspace root) is used as well', { timeout: TEST_TIMEOUT }, () =>
    withSession('lenses-profiles-option', async (s) => {
      const T = totalSamples(stacks);
      const figures = functionFigures(stacks);
      const text = hotspotsSource();
      await s.initialize({ root: null, initializationOptions: repoOptions({ profiles: [run.file] }) });
      const uri = await s.open(HOTSPOTS_C);
      const byLine = new Map((await s.codeLens(uri)).map((l) => [l.range.start.line, l.command.title]));
      for (const name of HOTSPOTS_FUNCTIONS) {
        const title = byLine.get(definitionLine(text, name) - 1);
        assert.equal(title.replace(/ · inlined in \d+ places?$/, ''), lensFigures(figures.get(name), T), `lens of ${name}`);
      }
      assert.equal((await s.heat(uri)).profile, run.file);
    }));

  test('a speedscope profile: the lens figures are the file\'s own, also when no stack has a single sample', { timeout: TEST_TIMEOUT }, async () => {
    // Speedscope weights are milliseconds: a stack sampled k times weighs
    // k * 1000/RATE ms. A short run often has no stack sampled exactly once;
    // profile until there is one run of each kind (a profile whose smallest
    // weight is one sample, and one where it is more), and check both.
    const period = 1000 / PROFILE_RATE;
    const kinds = new Map(); // 'single' | 'no-single' → {file, cliSamples, stacks}
    const dir = profileWorkspace('lenses-speedscope');
    try {
      for (let i = 0; i < 16 && kinds.size < 2; i += 1) {
        const r = profileInto(path.join(dir.root, `run-${i}.json`), { rounds: 5 });
        const weights = JSON.parse(fs.readFileSync(r.file, 'utf8')).profiles[0].weights;
        const kind = Math.min(...weights) === period ? 'single' : 'no-single';
        if (!kinds.has(kind)) kinds.set(kind, { ...r, stacks: readSpeedscope(r.file), weights });
      }
      assert.deepEqual([...kinds.keys()].sort(), ['no-single', 'single'],
        'could not produce both kinds of speedscope profile in 16 runs (this is a failure, not a skip)');
      const text = hotspotsSource();
      // The single-sample kind first: it must agree; then the other.
      for (const kind of ['single', 'no-single']) {
        const r = kinds.get(kind);
        const T = totalSamples(r.stacks);
        assert.equal(T, r.cliSamples, `${kind}: the weights add up to the samples \`wasmscope profile\` reported`);
        const figures = functionFigures(r.stacks);
        fs.rmSync(dir.profiles, { recursive: true, force: true });
        fs.mkdirSync(dir.profiles);
        fs.copyFileSync(r.file, path.join(dir.profiles, 'hotspots.json'));
        await withSession(`lenses-speedscope-${kind}`, async (s) => {
          await s.initialize({ root: dir.root, initializationOptions: repoOptions() });
          const uri = await s.open(HOTSPOTS_C);
          const byLine = new Map((await s.codeLens(uri)).map((l) => [l.range.start.line, l.command.title]));
          for (const name of ['mix', 'heavy_work', 'light_work', 'main']) {
            const title = byLine.get(definitionLine(text, name) - 1);
            assert.equal(title.replace(/ · inlined in \d+ places?$/, ''), lensFigures(figures.get(name), T),
              `${kind} profile (weights ${JSON.stringify(r.weights)} ms, ${T} samples as \`wasmscope profile\` printed): lens of ${name}`);
          }
        });
      }
    } finally {
      dir.cleanup();
    }
  });

  test('a document that is not a file (untitled:) gets empty answers, not errors', { timeout: TEST_TIMEOUT }, () =>
    withSession('lenses-untitled', async (s) => {
      await s.initialize({ root: null, initializationOptions: repoOptions() });
      const uri = 'untitled:Untitled-1';
      assert.equal(await s.codeLens(uri), null);
      assert.equal(await s.inlayHints(uri), null);
      assert.equal(await s.hover(uri, 3), null);
      // A file the program does not know: no lenses.
      assert.deepEqual(await s.codeLens(fileUri(path.join(ws.root, 'nothing.c'))), []);
    }));
});
