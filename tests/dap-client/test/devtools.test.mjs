// The DevTools targets: launch configurations with "target": "node" (the
// program under `node --inspect-brk` with wasmscope's WASI runner) and
// "target": "chrome" (Debian's chromium, headless, on tests/browser/index.html
// running the program). Every scenario runs first on the default Wasmtime
// target, the reference, then on each DevTools target, and what the client
// sees must be the same: breakpoints set before the module loads, the Wasm
// stack (inlined frames included), locals with one level of children,
// evaluate, next/stepIn/stepOut, conditional breakpoints and traps. Below the
// Wasm frames a DevTools target shows the JavaScript frames that called the
// program (subtle, their sources deemphasized, no scopes).
//
// Over stdio only: the transport has nothing to do with the target.
//
// reference-env.mjs must come first: it sets WASMTIME_BIN for harness.mjs
// when the file runs outside run.sh.
import './lib/reference-env.mjs';

import fs from 'node:fs';
import path from 'node:path';
import { describe, test, before, after } from 'node:test';

import {
  TEST_TIMEOUT, LOG_DIR, REPO, withSession, source, markerLine, assert,
} from './lib/harness.mjs';
import {
  DEVTOOLS_TARGETS, servePage, launchArgs, stopSnapshot, frameView, isWasmFrame, withExternalDwarf,
} from './lib/devtools.mjs';

// ---- scenarios ------------------------------------------------------------------------------
//
// A scenario drives one session and returns what the client saw, as plain
// data; the test runs it on Wasmtime and on a DevTools target and compares.
// It also asserts what must hold on every target (the stop reasons, the top
// frame at the marker line).

let page = null; // the servePage() of this file, for the chrome target

/** {path, line} of `// BP: name` in tests/guests/`rel`. */
function marker(rel, name) {
  return { path: source(rel), line: markerLine(rel, name), name };
}

/** Enables every exception (trap) filter the adapter advertises. */
async function enableTrapFilters(s) {
  const filters = (s.capabilities.exceptionBreakpointFilters || []).map((f) => f.filter);
  assert.ok(filters.length > 0, `initialize: no exceptionBreakpointFilters: ${JSON.stringify(s.capabilities)}`);
  await s.call('setExceptionBreakpoints', { filters });
}

/** The Wasm frames of a stack as the client shows them (JavaScript frames left out). */
async function wasmStack(s) {
  return (await s.stackTrace()).filter(isWasmFrame).map(frameView);
}

/** The Wasm frames as the client shows them, and the names of the JavaScript frames. */
async function stackParts(s) {
  const frames = await s.stackTrace();
  return {
    wasm: frames.filter(isWasmFrame).map(frameView),
    js: frames.filter((f) => !isWasmFrame(f)).map((f) => f.name),
  };
}

/** The session ran where it should: JavaScript below the Wasm frames on a DevTools target only. */
function assertRanOn(target, want, got) {
  assert.deepEqual(want.js, [], `wasmtime shows no JavaScript frames: ${JSON.stringify(want.js)}`);
  assert.ok(got.js.length > 0, `[${target}] JavaScript frames below the Wasm ones: ${JSON.stringify(got.js)}`);
}

/** Waits for the stop after a step request; what the client then shows. */
async function step(s, request) {
  await s.call(request, { threadId: 1 });
  await s.stopped('step');
  const stack = await wasmStack(s);
  return { request, top: stack[0], depth: stack.length, stack };
}

/**
 * Stops at a marker set before the program starts, and records the stack,
 * the top frame's locals (one level of children), the answers to
 * `expressions`, and where each of `steps` lands (the breakpoint removed).
 */
function markerScenario({ guestName, args = [], at, expressions = [], steps = [] }) {
  return async (s, target) => {
    let ids;
    await s.launch(launchArgs(target, guestName, args, page && page.base), async () => {
      ids = (await s.setVerifiedBreakpoints(at.path, [{ line: at.line }])).map((b) => b.id);
    });
    const ev = await s.stopped('breakpoint');
    assert.ok(Array.isArray(ev.body.hitBreakpointIds) && ev.body.hitBreakpointIds.includes(ids[0]),
      `[${target}] hitBreakpointIds ${JSON.stringify(ev.body.hitBreakpointIds)} should include ${ids[0]}`);
    const snap = await stopSnapshot(s);
    assert.equal(snap.top.line, at.line, `[${target}] top frame at the marker ${at.name}: ${JSON.stringify(snap.top)}`);
    assert.equal(snap.top.source && snap.top.source.path, at.path, `[${target}] top frame source: ${JSON.stringify(snap.top)}`);
    const evaluated = {};
    for (const expression of expressions) {
      const resp = await s.request('evaluate', { expression, frameId: snap.top.id, context: 'watch' });
      evaluated[expression] = resp.success
        ? { result: resp.body.result, type: resp.body.type ?? null, structured: resp.body.variablesReference > 0 }
        : { error: resp.message };
    }
    const scopesOfJs = await jsScopes(s, snap.js);
    await s.setBreakpoints(at.path, []);
    const stepped = [];
    for (const request of steps) stepped.push(await step(s, request));
    return { stack: snap.wasm, js: snap.js, jsScopes: scopesOfJs, locals: snap.locals, evaluated, stepped };
  };
}

/** The scopes answer of every JavaScript frame (they must have none). */
async function jsScopes(s, jsFrames) {
  const out = [];
  for (const f of jsFrames) {
    const resp = await s.call('scopes', { frameId: f.id });
    out.push({ name: f.name, scopes: resp.body.scopes });
  }
  return out;
}

/**
 * A conditional breakpoint on the C guest's factorial_recurse, and a plain
 * one at main_end as the end mark: every stop until main_end, with `n` and
 * the stack.
 */
function conditionalScenario(condition) {
  const recurse = marker('c/main.c', 'factorial_recurse');
  const end = marker('c/main.c', 'main_end');
  return async (s, target) => {
    await s.launch(launchArgs(target, 'c-O0', [], page && page.base), async () => {
      const bps = await s.setBreakpoints(recurse.path, [{ line: recurse.line, condition }, { line: end.line }]);
      for (const bp of bps) assert.equal(bp.verified, true, `[${target}] breakpoint: ${JSON.stringify(bps)}`);
    });
    const stops = [];
    let js = null;
    for (;;) {
      await s.stopped('breakpoint');
      const parts = await stackParts(s);
      const stack = parts.wasm;
      js = js ?? parts.js;
      const top = stack[0];
      assert.ok(top.line === recurse.line || top.line === end.line,
        `[${target}] stopped at ${JSON.stringify(top)}, want ${recurse.line} or ${end.line}`);
      if (top.line === end.line) break;
      const n = (await s.locals()).get('n');
      assert.ok(n, `[${target}] no local n at factorial_recurse`);
      stops.push({ n: n.value, stack });
      assert.ok(stops.length <= 12, `[${target}] too many stops: ${JSON.stringify(stops.map((x) => x.n))}`);
      await s.continue();
    }
    await s.continue();
    if (target !== 'chrome') {
      // A page does not end; Node and Wasmtime run the program to its exit.
      await s.expectExit(0);
    }
    return { stops, js, stdout: target === 'chrome' ? null : s.outputText('stdout') };
  };
}

/** The C guest with `arg` (trap-oob or trap-unreachable): the trap stop. */
function trapScenario(arg) {
  const at = marker('c/main.c', arg.replace('-', '_'));
  return async (s, target) => {
    await s.launch(launchArgs(target, 'c-O0', [arg], page && page.base), enableTrapFilters);
    const ev = await s.stopped('exception');
    const { wasm: stack, js } = await stackParts(s);
    assert.equal(stack[0].line, at.line, `[${target}] trap stop at the marker ${at.name}: ${JSON.stringify(stack[0])}`);
    return { reason: ev.body.reason, stack, js, description: ev.body.description ?? null };
  };
}

// ---- running a scenario on the reference and on a target ------------------------------------

const references = new Map(); // scenario key → Promise of the Wasmtime result

function reference(key, scenario) {
  if (!references.has(key)) {
    references.set(key, withSession('stdio', `devtools-wasmtime-${key}`, (s) => scenario(s, 'wasmtime')));
  }
  return references.get(key);
}

async function onBoth(target, key, scenario) {
  const want = await reference(key, scenario);
  const got = await withSession('stdio', `devtools-${target}-${key}`, (s) => scenario(s, target));
  // Both answers next to the session transcripts, for a failure's reader.
  try {
    fs.mkdirSync(LOG_DIR, { recursive: true });
    fs.writeFileSync(path.join(LOG_DIR, `devtools-${key}-${target}.json`),
      `${JSON.stringify({ wasmtime: want, [target]: got }, null, 1)}\n`);
  } catch {
    // logs are a convenience
  }
  return { want, got };
}

/** Every path where two JSON-able values differ, as "path: wasmtime X, target Y". */
function differences(want, got, at = '') {
  if (typeof want !== 'object' || want === null || typeof got !== 'object' || got === null) {
    return Object.is(want, got) ? [] : [`${at || '(root)'}: wasmtime ${JSON.stringify(want)}, target ${JSON.stringify(got)}`];
  }
  const keys = [...new Set([...Object.keys(want), ...Object.keys(got)])];
  return keys.flatMap((k) => differences(want[k], got[k], `${at}${Array.isArray(want) ? `[${k}]` : `.${k}`}`));
}

/**
 * Asserts that every [label, wasmtime value, target value] triple agrees;
 * a failure lists every difference of every triple, not just the first.
 */
function assertSame(target, triples) {
  const report = [];
  for (const [label, want, got] of triples) {
    const diffs = differences(want, got);
    if (diffs.length) {
      report.push(`${label}: ${target} differs from wasmtime in ${diffs.length} place(s):\n    ${diffs.slice(0, 20).join('\n    ')}`);
    }
  }
  assert.ok(report.length === 0, `[${target}] not as on wasmtime:\n  ${report.join('\n  ')}`);
}

// ---- what the JavaScript frames look like ----------------------------------------------------

const JS_SOURCES = {
  // node:wasi's start() called by wasmscope's runner module.
  node: [{ name: 'start', source: /^node:wasi$/ }, { name: '(anonymous)', source: /^wasmscope-run-wasi-.*\.mjs$/ }],
  // wasi-shim.mjs's start() called by the page's module script.
  chrome: [{ name: 'start', source: /^wasi-shim\.mjs$/ }, { name: '(anonymous)', source: /^index\.html$/ }],
};

function assertJsFrames(target, result) {
  const { js, jsScopes: scopes } = result;
  const want = JS_SOURCES[target];
  assert.equal(js.length, want.length,
    `[${target}] JavaScript frames below the Wasm frames: ${JSON.stringify(js)}`);
  js.forEach((f, i) => {
    assert.equal(f.name, want[i].name, `[${target}] JavaScript frame ${i}: ${JSON.stringify(f)}`);
    assert.match(String(f.source && f.source.name), want[i].source, `[${target}] JavaScript frame ${i} source: ${JSON.stringify(f)}`);
    assert.equal(f.presentationHint, 'subtle', `[${target}] JavaScript frame ${i} presentationHint: ${JSON.stringify(f)}`);
    assert.equal(f.source.presentationHint, 'deemphasize', `[${target}] JavaScript frame ${i} source hint: ${JSON.stringify(f)}`);
    assert.ok(f.line > 0, `[${target}] JavaScript frame ${i} has its script line: ${JSON.stringify(f)}`);
  });
  for (const { name, scopes: sc } of scopes) {
    assert.deepEqual(sc, [], `[${target}] JavaScript frame ${name} has no scopes`);
  }
}

// ---- the guests and markers -----------------------------------------------------------------

const LANGUAGES = [
  {
    // main after its structs are set up: ints, a long, an array of tagged
    // unions, pointers, argv, 2-D arrays, a union; two steps over, into
    // shape_area (shapes.c), one over there and back out.
    guestName: 'c-O0',
    at: marker('c/main.c', 'after_struct_init'),
    expressions: ['depth * 2', 'argv[0]', 'shapes[2].name'],
    steps: ['next', 'next', 'stepIn', 'next', 'stepOut'],
  },
  {
    // main after the vectors are filled: std::vector of ints, doubles and a
    // class, unique_ptrs, std::string, a class with two bases, templates;
    // into Point's constructor and out, into sum_dots, over its loop, out.
    guestName: 'cpp-O0',
    at: marker('cpp/main.cpp', 'after_vectors_init'),
    expressions: ['popped * 2', 'argv[0]', 'widget.count_ + 1', '*first'],
    steps: ['stepIn', 'stepOut', 'stepIn', 'next', 'next', 'stepOut'],
  },
  {
    // main after the shapes: Vec<String> (args), Option<&str>,
    // Result<u32, String>, nested structs, a Vec of enums with data (the std
    // frames below main include inlined ones); into Vec's deref (std,
    // without its source here) and out.
    guestName: 'rust-O0',
    at: marker('rust/main.rs', 'after_struct_init'),
    expressions: ['depth * 2', 'frame.size.w', 'frame.origin.y - 1'],
    steps: ['next', 'stepIn', 'stepOut', 'next'],
  },
];

/** The reference answered every expression (else comparing them proves little). */
function assertEvaluated(result) {
  for (const [expression, answer] of Object.entries(result.evaluated)) {
    assert.ok(typeof answer.result === 'string', `wasmtime evaluates ${expression}: ${JSON.stringify(answer)}`);
  }
}

// ---- tests ----------------------------------------------------------------------------------

before(async () => {
  // c-O0 without its DWARF, which it names (c-O0.debug.wasm: the module
  // itself, whose DWARF is whole), for the separate-DWARF test.
  const module = fs.readFileSync(launchArgs('node', 'c-O0').program);
  page = await servePage(new Map([
    ['c-O0-stripped.wasm', withExternalDwarf(module, 'c-O0.debug.wasm')],
    ['c-O0.debug.wasm', module],
  ]));
});

after(async () => {
  if (page) await page.close();
});

for (const target of DEVTOOLS_TARGETS) {
  describe(`devtools target [${target}]`, () => {
    for (const lang of LANGUAGES) {
      test(`${lang.guestName}: breakpoint at ${lang.at.name} set before the module loads; stack, locals, evaluate and steps as on wasmtime`,
        { timeout: TEST_TIMEOUT }, async () => {
          const { want, got } = await onBoth(target, `${lang.guestName}-${lang.at.name}`, markerScenario(lang));
          assertEvaluated(want);
          // The Wasmtime stack has no JavaScript below it; a DevTools target's has.
          assert.deepEqual(want.js, [], 'wasmtime shows no JavaScript frames');
          assertJsFrames(target, got);
          assertSame(target, [
            [`stack at ${lang.at.name}`, want.stack, got.stack],
            [`locals at ${lang.at.name}`, want.locals, got.locals],
            [`evaluate at ${lang.at.name}`, want.evaluated, got.evaluated],
            [`steps from ${lang.at.name} (${lang.steps.join(', ')})`, want.stepped, got.stepped],
          ]);
        });
    }

    test('inline-O2: stepping into the inlined scramble and out of it, over the call; frames, locals, evaluate as on wasmtime',
      { timeout: TEST_TIMEOUT }, async () => {
        const scenario = markerScenario({
          guestName: 'inline-O2',
          at: marker('inline/main.c', 'before_inlined_call'),
          expressions: ['rounds * 2', 'i + 1'],
          steps: ['stepIn', 'next', 'stepOut', 'next'],
        });
        const { want, got } = await onBoth(target, 'inline-O2-before_inlined_call', scenario);
        assertEvaluated(want);
        // The reference enters `scramble` as an inlined frame over `caller`.
        const inside = want.stepped[0];
        assert.equal(inside.top.name, 'scramble [inlined]', `wasmtime steps into the inlined scramble: ${JSON.stringify(inside.top)}`);
        assert.equal(inside.stack[1].name, 'caller', `wasmtime: caller below the inlined frame: ${JSON.stringify(inside.stack)}`);
        assertJsFrames(target, got);
        assertSame(target, [
          ['stack at before_inlined_call', want.stack, got.stack],
          ['locals at before_inlined_call', want.locals, got.locals],
          ['evaluate at before_inlined_call', want.evaluated, got.evaluated],
          ['steps into and out of the inlined scramble', want.stepped, got.stepped],
        ]);
      });

    test('inline-O2: a breakpoint in the inlined body stops in the inlined frame over its caller, as on wasmtime',
      { timeout: TEST_TIMEOUT }, async () => {
        const at = marker('inline/main.c', 'scramble_first');
        const scenario = markerScenario({ guestName: 'inline-O2', at, expressions: ['v * 2'] });
        const { want, got } = await onBoth(target, 'inline-O2-scramble_first', scenario);
        assertEvaluated(want);
        assert.equal(want.stack[0].name, 'scramble [inlined]', `wasmtime: ${JSON.stringify(want.stack)}`);
        assert.equal(want.stack[1].name, 'caller', `wasmtime: ${JSON.stringify(want.stack)}`);
        assert.equal(want.stack[1].line, markerLine('inline/main.c', 'inlined_call'), `wasmtime: ${JSON.stringify(want.stack)}`);
        assertJsFrames(target, got);
        assertSame(target, [
          ['stack at scramble_first', want.stack, got.stack],
          ['locals at scramble_first', want.locals, got.locals],
          ['evaluate at scramble_first', want.evaluated, got.evaluated],
        ]);
      });

    test('c-O0: a conditional breakpoint (n % 3 == 0) stops only where it holds, as on wasmtime',
      { timeout: TEST_TIMEOUT }, async () => {
        const { want, got } = await onBoth(target, 'conditional', conditionalScenario('n % 3 == 0'));
        assert.ok(want.stops.length > 0, 'wasmtime stops at least once');
        assertRanOn(target, want, got);
        for (const { n } of got.stops) {
          assert.equal(Number(n) % 3, 0, `[${target}] stopped with n = ${n}, where the condition does not hold`);
        }
        assertSame(target, [
          ['values of n at the conditional stops', want.stops.map((x) => x.n), got.stops.map((x) => x.n)],
          ['stacks at the conditional stops', want.stops.map((x) => x.stack), got.stops.map((x) => x.stack)],
          ["the program's stdout (a page has none)", target === 'chrome' ? null : want.stdout, got.stdout],
        ]);
      });

    // The page catches the program's RuntimeError (it shows it in its title),
    // as Node's runner does not: either way the trap stops where it happens.
    // Except in Chromium for traps other than `unreachable`: its renderer
    // crashes when asked to pause on a caught exception through Wasm, so the
    // target does not ask (README, "Debugging Wasm in Node and Chromium").
    for (const arg of ['trap-oob', 'trap-unreachable']) {
      const todo = target === 'chrome' && arg === 'trap-oob'
        ? 'Chromium 156 cannot pause on a caught out-of-bounds trap without crashing its renderer'
        : undefined;
      test(`c-O0 ${arg}: stopped on the trap (reason exception) at its line, as on wasmtime`,
        { timeout: TEST_TIMEOUT, todo }, async () => {
          const { want, got } = await onBoth(target, arg, trapScenario(arg));
          const kind = arg === 'trap-oob' ? /out of bounds|out-of-bounds/i : /unreachable/i;
          assert.match(String(want.description), kind, `wasmtime trap description: ${JSON.stringify(want)}`);
          assert.match(String(got.description), kind, `[${target}] trap description: ${JSON.stringify(got)}`);
          assertRanOn(target, want, got);
          assertSame(target, [
            ['stop reason', want.reason, got.reason],
            [`stack at the ${arg} trap`, want.stack, got.stack],
          ]);
        });
    }

    test('without `program`: the module the page (or script) loads is debugged, its DWARF from the protocol',
      { timeout: TEST_TIMEOUT }, async () => {
        const at = marker('c/main.c', 'factorial_base');
        await withSession('stdio', `devtools-found-program-${target}`, async (s) => {
          const args = launchArgs(target, 'c-O0', [], page && page.base);
          const module = args.program;
          delete args.program;
          if (target === 'node') {
            // A script of the user's (here wasmscope's runner) that names the module.
            args.script = path.join(REPO, 'devtools/assets/run-wasi.mjs');
            args.args = [module];
          }
          await s.launch(args, async (session) => {
            const modules = await session.call('modules', {});
            assert.match(modules.body.modules[0].path, /^wasm:\/\/wasm\//, JSON.stringify(modules.body));
            assert.equal(modules.body.modules[0].symbolStatus, 'DWARF loaded');
            const set = await session.setBreakpoints(at.path, [{ line: at.line }]);
            assert.equal(set[0].verified, true, JSON.stringify(set));
          });
          const stopped = await s.next('stopped');
          assert.equal(stopped.body.reason, 'breakpoint');
          const top = (await s.stackTrace())[0];
          assert.equal(top.name, 'factorial');
          assert.equal(top.line, at.line);
        });
      });

    if (target === 'chrome') {
      test('without `program`: a module whose DWARF is a separate file (external_debug_info) is debugged from it',
        { timeout: TEST_TIMEOUT }, async () => {
          const at = marker('c/main.c', 'factorial_base');
          await withSession('stdio', 'devtools-external-dwarf-chrome', async (s) => {
            const args = launchArgs('chrome', 'c-O0', [], page.base);
            delete args.program;
            args.url = `${page.base}/index.html?program=c-O0-stripped.wasm`;
            await s.launch(args, async (session) => {
              const modules = await session.call('modules', {});
              assert.equal(modules.body.modules[0].symbolStatus, 'DWARF loaded', JSON.stringify(modules.body));
              const set = await session.setBreakpoints(at.path, [{ line: at.line }]);
              assert.equal(set[0].verified, true, JSON.stringify(set));
            });
            await s.next('stopped');
            const top = (await s.stackTrace())[0];
            assert.deepEqual([top.name, top.line], ['factorial', at.line]);
          });
        });
    }

    if (target === 'node') {
      test("io-O0: the program's environment is the launch configuration's env, as on wasmtime",
        { timeout: TEST_TIMEOUT }, async () => {
          // io-O0 `env NAME` prints NAME's value, or "(unset)".
          const cases = [
            { key: 'env-given', args: ['env', 'WASMSCOPE_TEST'], env: { WASMSCOPE_TEST: 'from the launch configuration' } },
            // PATH is set for the adapter (it starts node), not for the program.
            { key: 'env-not-given', args: ['env', 'PATH'], env: {} },
          ];
          const triples = [];
          for (const c of cases) {
            const scenario = async (s, t) => {
              await s.launch({ ...launchArgs(t, 'io-O0', c.args), env: c.env });
              await s.expectExit(0);
              return s.outputText('stdout');
            };
            const { want, got } = await onBoth(target, c.key, scenario);
            triples.push([`stdout of io-O0 ${c.args.join(' ')} with env ${JSON.stringify(c.env)}`, want, got]);
          }
          assert.equal(triples[0][1], 'env: from the launch configuration\n', 'wasmtime passes env');
          assertSame(target, triples);
        });
    }
  });
}
