// Hovers: where a breakpoint on the line binds must be what `wasmscope lines`
// says (the offsets, and the line it moves to when the line has no code);
// what the line's code is inlined into must be what `wasmscope symbolize`
// says of those offsets (frames innermost first: the outermost is the
// function the code is in); a function's declaration line also names the
// function, its linkage name and size, and its callers in the profile — the
// callers computed here from the profile file.
import { after, before, describe, test } from 'node:test';
import path from 'node:path';

import {
  HOTSPOTS_C, HOTSPOTS_WASM, RECORDED_PREFIX, REPO, TEST_TIMEOUT, assert, callerFigures, cli, cliLines,
  cliSymbolize, definitionLine, hotspotsMarker, hotspotsSource, profilePprof, profileWorkspace,
  readProfile, repoOptions, withSession,
} from './lib/harness.mjs';

const MAP = { [RECORDED_PREFIX]: REPO };

/** What the hover must say of `line`, from `wasmscope lines` and `wasmscope symbolize`. */
function expectedLineFacts(line) {
  const bound = cliLines(HOTSPOTS_WASM, HOTSPOTS_C, line, MAP);
  if (!bound) return null;
  const text = bound.line === line
    ? `line ${line}: code at ${bound.offsets.join(', ')} (a breakpoint binds here)`
    : `line ${line} has no code: a breakpoint here moves to line ${bound.line} (${bound.offsets.join(', ')})`;
  const into = [];
  for (const offset of bound.offsets) {
    const frames = cliSymbolize(HOTSPOTS_WASM, offset);
    // More than one frame: the innermost is inlined into the outermost.
    if (frames.length > 1) {
      const outer = frames[frames.length - 1].name;
      if (!into.includes(outer)) into.push(outer);
    }
  }
  return { bound, text, into };
}

function hoverText(hover) {
  assert.ok(hover && hover.contents, `hover: ${JSON.stringify(hover)}`);
  assert.equal(hover.contents.kind, 'markdown', `hover: ${JSON.stringify(hover)}`);
  return hover.contents.value;
}

describe('hover', () => {
  let ws;
  let stacks;
  before(() => {
    ws = profileWorkspace('hover');
    stacks = readProfile(profilePprof(path.join(ws.profiles, 'hotspots.pb.gz'), 20));
  });
  after(() => ws.cleanup());

  test('a line with code: its offsets as `wasmscope lines` has them, and what `symbolize` says it is inlined into', { timeout: TEST_TIMEOUT }, () =>
    withSession('hover-code', async (s) => {
      await s.initialize({ root: ws.root, initializationOptions: repoOptions() });
      const uri = await s.open(HOTSPOTS_C);
      const line = hotspotsMarker('hot_mix'); // mix's first statement, inlined at -O2
      const want = expectedLineFacts(line);
      assert.ok(want, `wasmscope lines finds code for line ${line}`);
      assert.equal(want.bound.line, line, `line ${line} has code of its own (wasmscope lines)`);
      assert.ok(want.into.length >= 2, `symbolize: mix's line is inlined into its callers: ${JSON.stringify(want.into)}`);
      assert.deepEqual([...want.into].sort(), ['heavy_work', 'light_work'], 'symbolize: mix inlined into heavy_work and light_work');
      const value = hoverText(await s.hover(uri, line - 1));
      assert.ok(value.includes(want.text), `hover on line ${line}:\n${value}\nwant: ${want.text}`);
      assert.ok(value.includes(`inlined into ${want.into.map((n) => `\`${n}\``).join(', ')}`),
        `hover on line ${line}:\n${value}\nwant inlined into ${want.into.join(', ')}`);

      // A line of code that is not inlined: no "inlined into".
      const roundEnd = hotspotsMarker('round_end');
      const plain = expectedLineFacts(roundEnd);
      assert.ok(plain, `wasmscope lines finds code for line ${roundEnd}`);
      assert.deepEqual(plain.into, [], `symbolize: line ${roundEnd} is not inlined`);
      const v2 = hoverText(await s.hover(uri, roundEnd - 1));
      assert.ok(v2.includes(plain.text), `hover on line ${roundEnd}:\n${v2}\nwant: ${plain.text}`);
      assert.ok(!v2.includes('inlined into'), `hover on line ${roundEnd}:\n${v2}`);
    }));

  test('a blank line and a line without code: the line a breakpoint moves to, as `wasmscope lines` has it', { timeout: TEST_TIMEOUT }, () =>
    withSession('hover-moved', async (s) => {
      await s.initialize({ root: ws.root, initializationOptions: repoOptions() });
      const uri = await s.open(HOTSPOTS_C);
      const text = hotspotsSource().split('\n');
      const mainLine = definitionLine(hotspotsSource(), 'main');
      // The first blank line in main's body.
      const blank = text.findIndex((l, i) => i + 1 > mainLine && l.trim() === '') + 1;
      assert.ok(blank > mainLine, 'main has a blank line');
      // A declaration without code at -O2 (wasmscope lines decides: it must move).
      const heavyLine = definitionLine(hotspotsSource(), 'heavy_work');
      const seedLine = heavyLine + 1; // `uint32_t h = seed;`
      assert.match(text[seedLine - 1], /uint32_t h = seed;/);

      for (const line of [blank, seedLine]) {
        const want = expectedLineFacts(line);
        assert.ok(want, `wasmscope lines binds line ${line} somewhere`);
        assert.notEqual(want.bound.line, line, `wasmscope lines moves line ${line} (${text[line - 1]})`);
        const value = hoverText(await s.hover(uri, line - 1));
        assert.ok(value.includes(want.text), `hover on line ${line}:\n${value}\nwant: ${want.text}`);
      }

      // A comment line outside any function: `wasmscope lines` finds no code, the hover is empty.
      const comment = definitionLine(hotspotsSource(), 'mix') - 1;
      assert.match(text[comment - 1], /^\/\*.*\*\/$/);
      assert.equal(expectedLineFacts(comment), null, `wasmscope lines: no code for line ${comment}`);
      assert.equal(await s.hover(uri, comment - 1), null, `no hover on the comment line ${comment}`);
    }));

  test('a declaration line: the function, its linkage name and size, its callers in the profile', { timeout: TEST_TIMEOUT }, () =>
    withSession('hover-function', async (s) => {
      await s.initialize({ root: ws.root, initializationOptions: repoOptions() });
      const uri = await s.open(HOTSPOTS_C);
      const src = hotspotsSource();
      const callers = callerFigures(stacks);
      // Function code ranges as `wasmscope info --functions` lists them (index, start..end, name).
      const info = cli(['info', '--functions', HOTSPOTS_WASM]);
      assert.equal(info.status, 0, info.stderr);
      const ranges = new Map([...info.stdout.matchAll(/^\s*\d+ 0x([0-9a-f]+)\.\.0x([0-9a-f]+) (\S+)$/gm)]
        .map((m) => [m[3], parseInt(m[2], 16) - parseInt(m[1], 16)]));

      for (const name of ['heavy_work', 'light_work', 'mix']) {
        const line = definitionLine(src, name);
        const value = hoverText(await s.hover(uri, line - 1));
        const head = new RegExp(`^\\*\\*${name}\\*\\*  \\nlinkage name \`${name}\` · (\\d+) bytes of code( · (\\d+) inlined copies)?\\n`);
        const m = head.exec(value);
        assert.ok(m, `hover on ${name}'s declaration (line ${line}):\n${value}`);
        const size = Number(m[1]);
        if (name === 'mix') {
          // Only inlined at -O2: no body of its own, and symbolize finds it inlined.
          assert.equal(ranges.has('mix'), false, 'mix has no function of its own (wasmscope info)');
          assert.equal(size, 0, `mix has no body: ${value}`);
          assert.ok(Number(m[3]) >= 2, `mix has inlined copies: ${value}`);
        } else {
          assert.ok(ranges.has(name), `wasmscope info lists ${name}`);
          assert.ok(size > 0 && size <= ranges.get(name),
            `${name}: ${size} bytes of code, within its ${ranges.get(name)}-byte function (wasmscope info)`);
          assert.equal(m[2], undefined, `${name} is not inlined: ${value}`);
        }
        // Callers, most samples first (then by name), as the profile has them.
        const want = [...(callers.get(name) ?? new Map())]
          .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
          .slice(0, 10)
          .map(([caller, n]) => `- \`${caller}\`: ${n} samples`);
        assert.ok(want.length > 0, `${name} has callers in the profile`);
        assert.ok(value.includes(`\ncallers in the profile:\n${want.join('\n')}\n`),
          `hover on ${name}:\n${value}\nwant callers:\n${want.join('\n')}`);
        // The declaration line's own binding follows, as for any line.
        const facts = expectedLineFacts(line);
        if (facts) assert.ok(value.includes(facts.text), `hover on line ${line}:\n${value}\nwant: ${facts.text}`);
      }
    }));
});
