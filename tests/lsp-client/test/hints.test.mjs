// Inlay hints on hot lines and wasmscope/heat, against the test's own
// per-line computation from the speedscope profile (frames carry file and
// line): own = samples whose innermost frame is the line, total = stacks that
// contain the line at least once.
import { after, before, describe, test } from 'node:test';
import path from 'node:path';

import {
  HOTSPOTS_C, RECORDED_HOTSPOTS_C, TEST_TIMEOUT, assert, closingLine, definitionLine, hotspotsSource,
  lineFigures, percent, profilePprof, profileWorkspace, readProfile, repoOptions, totalSamples,
  withSession,
} from './lib/harness.mjs';

const THRESHOLD = 0.05;

describe('inlay hints and wasmscope/heat', () => {
  let ws;
  let profile;
  let stacks;
  let T;
  let lines; // 1-based line → {own, total}, of hotspots.c
  before(() => {
    ws = profileWorkspace('hints');
    profile = profilePprof(path.join(ws.profiles, 'hotspots.pb.gz'), 40);
    stacks = readProfile(profile);
    T = totalSamples(stacks);
    lines = lineFigures(stacks, RECORDED_HOTSPOTS_C);
  });
  after(() => ws.cleanup());

  test(`hints on the lines with >= ${THRESHOLD * 100}% of samples (mix's loop among them), none on cold lines`, { timeout: TEST_TIMEOUT }, () =>
    withSession('hints', async (s) => {
      const text = hotspotsSource();
      const mixFirst = definitionLine(text, 'mix');
      const mixLast = closingLine(text, mixFirst);
      const isHot = (f) => f.total > 0 && f.total / T >= THRESHOLD;
      const hot = [...lines].filter(([, f]) => isHot(f)).map(([l]) => l).sort((a, b) => a - b);
      const cold = [...lines].filter(([, f]) => !isHot(f)).map(([l]) => l);
      // The profile is about mix: some of its lines are hot.
      const hotInMix = hot.filter((l) => l > mixFirst && l < mixLast);
      assert.ok(hotInMix.length > 0,
        `the profile has hot lines in mix (lines ${mixFirst}-${mixLast}): ${JSON.stringify([...lines])} of ${T}`);

      await s.initialize({ root: ws.root, initializationOptions: repoOptions({ heatThreshold: THRESHOLD }) });
      const uri = await s.open(HOTSPOTS_C);
      const hints = await s.inlayHints(uri, 0, text.split('\n').length);
      assert.ok(Array.isArray(hints), `inlayHint: ${JSON.stringify(hints)}`);

      const got = hints.map((h) => h.position.line + 1).sort((a, b) => a - b);
      assert.deepEqual(got, hot, `hinted lines (1-based) = the profile's lines with >= ${THRESHOLD} of ${T} samples; `
        + `cold lines with samples: ${JSON.stringify(cold)}; hints: ${JSON.stringify(hints)}`);
      for (const h of hints) {
        const line = h.position.line + 1;
        const f = lines.get(line);
        const want = f.own === f.total
          ? `${percent(f.own, T)} of samples`
          : `${percent(f.own, T)} self · ${percent(f.total, T)} total`;
        assert.equal(h.label, want, `hint on line ${line} (${JSON.stringify(f)} of ${T})`);
        const lineLength = text.split('\n')[line - 1].length;
        assert.ok(h.position.character >= lineLength, `hint at the end of line ${line}: ${JSON.stringify(h.position)}`);
      }
      // Comment lines have no samples and get no hint.
      for (const l of [1, mixFirst - 1]) {
        assert.ok(!lines.has(l) && !got.includes(l), `line ${l} has no samples and no hint`);
      }

      // A range: only the hints inside it (mix's body).
      const inMix = await s.inlayHints(uri, mixFirst - 1, mixLast - 1);
      assert.deepEqual(inMix.map((h) => h.position.line + 1).sort((a, b) => a - b),
        hot.filter((l) => l >= mixFirst && l <= mixLast), `hints in lines ${mixFirst}-${mixLast}: ${JSON.stringify(inMix)}`);
    }));

  test('the default threshold (1%) hints every line with at least 1% of samples', { timeout: TEST_TIMEOUT }, () =>
    withSession('hints-default', async (s) => {
      await s.initialize({ root: ws.root, initializationOptions: repoOptions() });
      const uri = await s.open(HOTSPOTS_C);
      const want = [...lines].filter(([, f]) => f.total > 0 && f.total / T >= 0.01).map(([l]) => l).sort((a, b) => a - b);
      const got = (await s.inlayHints(uri)).map((h) => h.position.line + 1).sort((a, b) => a - b);
      assert.deepEqual(got, want);
    }));

  test('wasmscope/heat: every line of the document with samples, own and total as the profile has them', { timeout: TEST_TIMEOUT }, () =>
    withSession('heat', async (s) => {
      await s.initialize({ root: ws.root, initializationOptions: repoOptions() });
      const uri = await s.open(HOTSPOTS_C);
      const heat = await s.heat(uri);
      const want = [...lines]
        .sort(([a], [b]) => a - b)
        .map(([line, f]) => ({ line: line - 1, own: f.own, total: f.total, ownShare: f.own / T, totalShare: f.total / T }));
      assert.equal(heat.profile, profile, 'heat names the profile it comes from');
      assert.equal(heat.totalSamples, T, 'totalSamples = the samples of the profile');
      assert.deepEqual(heat.lines, want, `heat of hotspots.c: ${JSON.stringify(heat)}`);
    }));
});
