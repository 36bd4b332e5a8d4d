// Bad input: malformed requests get JSON-RPC errors and the server answers on;
// a corrupt profile newer than the good one is reported with a
// window/showMessage warning and the good profile stays in use (the server
// takes the newest *readable* profile); bad initializationOptions fail
// initialize with InvalidParams.
import { after, before, describe, test } from 'node:test';
import fs from 'node:fs';
import path from 'node:path';

import {
  HOTSPOTS_C, HOTSPOTS_FUNCTIONS, TEST_TIMEOUT, assert, definitionLine, delay, fileUri, functionFigures,
  hotspotsSource, lensFigures, profilePprof, profileWorkspace, readProfile, repoOptions, setMtime,
  totalSamples, withSession,
} from './lib/harness.mjs';

const INVALID_PARAMS = -32602;
const METHOD_NOT_FOUND = -32601;
const PARSE_ERROR = -32700;
const SERVER_NOT_INITIALIZED = -32002;
const WARNING = 2; // MessageType.Warning

/** Function name → lens title figures, from the stacks of a profile. */
function expectedTitles(stacks) {
  const T = totalSamples(stacks);
  const figures = functionFigures(stacks);
  return new Map(HOTSPOTS_FUNCTIONS.map((f) => [f, lensFigures(figures.get(f), T)]));
}

async function lensTitles(s, uri) {
  const text = hotspotsSource();
  const byLine = new Map((await s.codeLens(uri)).map((l) => [l.range.start.line, l.command.title]));
  return new Map(HOTSPOTS_FUNCTIONS.map((f) => [f, (byLine.get(definitionLine(text, f) - 1) ?? '(no lens)').replace(/ · inlined in \d+ places?$/, '')]));
}

/** Asserts that `promise` is rejected with JSON-RPC error `code` (and a message matching `re`). */
async function rejectsWith(promise, code, re, what) {
  await assert.rejects(promise, (e) => {
    assert.equal(e.code, code, `${what}: error ${e.code} ${e.message} (want ${code})`);
    if (re) assert.match(e.message, re, what);
    return true;
  }, `${what}: an error response`);
}

describe('robustness', () => {
  let ws;
  let good;
  let goodStacks;
  before(() => {
    ws = profileWorkspace('robust');
    good = profilePprof(path.join(ws.profiles, 'good.pb.gz'), 10);
    setMtime(good, Date.now() / 1000 - 60);
    goodStacks = readProfile(good);
  });
  after(() => ws.cleanup());

  test('malformed requests get JSON-RPC errors and the server keeps answering', { timeout: TEST_TIMEOUT }, () =>
    withSession('malformed', async (s) => {
      await s.initialize({ root: ws.root, initializationOptions: repoOptions() });
      const uri = await s.open(HOTSPOTS_C);
      const want = expectedTitles(goodStacks);
      assert.deepEqual(await lensTitles(s, uri), want);

      const bad = [
        ['codeLens without params', s.request('textDocument/codeLens'), INVALID_PARAMS],
        ['codeLens with a number for the uri', s.request('textDocument/codeLens', { textDocument: { uri: 42 } }), INVALID_PARAMS],
        ['codeLens with an array for params', s.request('textDocument/codeLens', [1, 2]), INVALID_PARAMS],
        ['inlayHint without a range', s.request('textDocument/inlayHint', { textDocument: { uri } }), INVALID_PARAMS],
        ['hover with a string for the line', s.request('textDocument/hover', { textDocument: { uri }, position: { line: 'x', character: 0 } }), INVALID_PARAMS],
        ['hover without params', s.request('textDocument/hover'), INVALID_PARAMS],
        ['wasmscope/heat without params', s.request('wasmscope/heat'), INVALID_PARAMS],
        ['wasmscope/heat without a uri', s.request('wasmscope/heat', {}), INVALID_PARAMS],
        ['wasmscope/heat with a number for the uri', s.request('wasmscope/heat', { uri: 5 }), INVALID_PARAMS],
        ['wasmscope/heat of a non-file URI', s.request('wasmscope/heat', { uri: 'untitled:Untitled-1' }), INVALID_PARAMS],
        ['an unknown method', s.request('wasmscope/noSuchThing', {}), METHOD_NOT_FOUND],
        ['an unknown textDocument method', s.request('textDocument/noSuchThing', { textDocument: { uri } }), METHOD_NOT_FOUND],
      ];
      for (const [what, p, code] of bad) {
        await rejectsWith(p, code, null, what);
        s.assertAlive();
      }
      // Malformed notifications have no answer, and harm nothing.
      await s.notify('textDocument/didOpen', { wrong: 1 });
      await s.notify('textDocument/didSave', {});
      await s.notify('wasmscope/noSuchNotification', { x: 1 });

      // Still answering, the same.
      assert.deepEqual(await lensTitles(s, uri), want, 'the lenses after the malformed requests');
      const heat = await s.heat(uri);
      assert.equal(heat.profile, good);
      s.assertAlive();
    }));

  test('a message that is not JSON: a Parse error (-32700) and the server keeps answering', { timeout: TEST_TIMEOUT }, () =>
    withSession('not-json', async (s) => {
      await s.initialize({ root: ws.root, initializationOptions: repoOptions() });
      const uri = await s.open(HOTSPOTS_C);
      const want = expectedTitles(goodStacks);
      assert.deepEqual(await lensTitles(s, uri), want);
      // A well-framed message whose body is cut short: invalid JSON (JSON-RPC 2.0: Parse error, id null).
      const body = Buffer.from('{"jsonrpc":"2.0","id":9001,"method":');
      s.proc.stdin.write(Buffer.concat([Buffer.from(`Content-Length: ${body.length}\r\n\r\n`), body]));
      await delay(500);
      const answer = s.transcript.find((l) => l.includes(`"code":${PARSE_ERROR}`));
      assert.ok(answer, `a Parse error response${s.diag()}`);
      s.assertAlive();
      assert.deepEqual(await lensTitles(s, uri), want, 'the lenses after the bad message');
    }));

  test('a corrupt profile newer than the good one: a showMessage warning, the good profile stays in use', { timeout: TEST_TIMEOUT }, () =>
    withSession('corrupt-profile', async (s) => {
      await s.initialize({ root: ws.root, initializationOptions: repoOptions() });
      const uri = await s.open(HOTSPOTS_C);
      const want = expectedTitles(goodStacks);
      assert.deepEqual(await lensTitles(s, uri), want);

      const mark = s.mark();
      const corrupt = path.join(ws.profiles, 'x.json');
      fs.writeFileSync(corrupt, Buffer.from([0x7b, 0xff, 0x00, 0xfe, 0x13, 0x37, 0x0a, 0x80]));
      try {
        assert.ok(fs.statSync(corrupt).mtimeMs > fs.statSync(good).mtimeMs, 'the corrupt profile is the newest');
        const msg = await s.wait('window/showMessage', { from: mark, timeout: 10_000 });
        assert.equal(msg.params.type, WARNING, `a warning: ${JSON.stringify(msg.params)}`);
        assert.ok(msg.params.message.includes(corrupt), `the warning names ${corrupt}: ${msg.params.message}`);
        s.assertAlive();
        assert.deepEqual(await lensTitles(s, uri), want, 'the lenses still have the good profile\'s figures');
        assert.equal((await s.heat(uri)).profile, good, 'heat comes from the good profile');
        assert.equal((await s.hover(uri, definitionLine(hotspotsSource(), 'heavy_work') - 1)).contents.kind, 'markdown');
        // Reported once, not every second.
        await delay(2500);
        assert.equal(s.sent('window/showMessage', mark).length, 1,
          `one warning: ${JSON.stringify(s.sent('window/showMessage', mark).map((m) => m.params))}`);
        s.assertAlive();
      } finally {
        fs.rmSync(corrupt, { force: true });
      }
    }));

  test('bad initializationOptions: initialize fails with InvalidParams, naming the problem', { timeout: TEST_TIMEOUT }, async () => {
    const cases = [
      ['an unknown key', { programs: [], bogusKey: true }, /bogusKey/],
      ['heatThreshold 2', { heatThreshold: 2 }, /heatThreshold/],
      ['heatThreshold -0.5', { heatThreshold: -0.5 }, /heatThreshold/],
      ['heatThreshold a string', { heatThreshold: 'hot' }, /hot|f64|number|float/],
      ['programs not a list', { programs: 'a.wasm' }, /programs|sequence/],
    ];
    for (const [what, options, re] of cases) {
      await withSession(`bad-options-${what.replace(/\W+/g, '-')}`, async (s) => {
        await rejectsWith(s.initialize({ root: ws.root, initializationOptions: options }), INVALID_PARAMS, re, `initialize with ${what}`);
        s.assertAlive();
        // Not initialized: requests are refused (LSP: ServerNotInitialized)…
        await rejectsWith(s.codeLens(fileUri(HOTSPOTS_C)), SERVER_NOT_INITIALIZED, null, `codeLens after a failed initialize (${what})`);
        // …and a good initialize works.
        await s.initialize({ root: ws.root, initializationOptions: repoOptions() });
        const uri = await s.open(HOTSPOTS_C);
        assert.deepEqual(await lensTitles(s, uri), expectedTitles(goodStacks), `after retrying initialize (${what})`);
      });
    }
  });
});
