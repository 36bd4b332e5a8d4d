// Line, conditional, hit-count, log, function and instruction breakpoints, and
// stepping, on the C guest at -O0 — over stdio and over TCP.
import { describe, test } from 'node:test';

import {
  TRANSPORTS, TEST_TIMEOUT, withSession, cLaunchArgs, cMarker, lineMatching, source,
  C_STDOUT, assert, parseAddress,
} from './lib/harness.mjs';

const MAIN_C = source('c/main.c');
const RECURSE = cMarker('factorial_recurse');
// First statement of factorial(): where stepping into it should stop.
const FACTORIAL_FIRST = lineMatching('c/main.c', /^\s*if \(n <= 1\)\s*$/);
const FIB_HEADER = lineMatching('c/main.c', /^static int fib\(int n\) \{/);
const FIB_RECURSE = cMarker('fib_recurse');

for (const transport of TRANSPORTS) {
  describe(`breakpoints [${transport}]`, () => {
    test('every setBreakpoints entry has a line a client can match: the bound one when moved, else the asked one', { timeout: TEST_TIMEOUT }, () =>
      withSession(transport, 'breakpoint-lines', async (s) => {
        // The `}` after `return 0;` in main's "deep" branch has no code and
        // moves to the next line that has; a line past the end of the file
        // binds nowhere. nvim-dap matches answers by line.
        const blank = lineMatching('c/main.c', /deep_sum\(100, 0\)/) + 2;
        await s.launch(cLaunchArgs(), async () => {
          const bps = await s.setBreakpoints(MAIN_C, [{ line: blank }, { line: 99999 }]);
          for (const bp of bps) {
            assert.equal(typeof bp.line, 'number', `every entry carries a line: ${JSON.stringify(bps)}`);
          }
          assert.equal(bps[0].verified, true, JSON.stringify(bps[0]));
          assert.ok(bps[0].line > blank, `a moved breakpoint reports its new line: ${JSON.stringify(bps[0])}`);
          assert.equal(bps[1].verified, false, JSON.stringify(bps[1]));
          assert.equal(bps[1].line, 99999, `an unbound one reports the line asked for: ${JSON.stringify(bps[1])}`);
          await s.setBreakpoints(MAIN_C, []);
        });
        await s.expectExit(0);
      }));


    test('line breakpoint: stack, locals, evaluate, continue, stepIn/next/stepOut, exit', { timeout: TEST_TIMEOUT }, () =>
      withSession(transport, 'line-breakpoint', async (s) => {
        let ids;
        await s.launch(cLaunchArgs(), async () => {
          ids = (await s.setVerifiedBreakpoints(RECURSE.path, [{ line: RECURSE.line }])).map((b) => b.id);
        });

        // First hit: factorial(10), called from main.
        let ev = await s.stopped('breakpoint');
        assert.ok(Array.isArray(ev.body.hitBreakpointIds) && ev.body.hitBreakpointIds.includes(ids[0]),
          `hitBreakpointIds ${JSON.stringify(ev.body.hitBreakpointIds)} should include ${ids[0]}`);
        let frames = await s.stackTrace();
        const top = frames[0];
        assert.equal(top.name, 'factorial', `top frame: ${JSON.stringify(top)}`);
        assert.equal(top.line, RECURSE.line, `top frame line: ${JSON.stringify(top)}`);
        assert.ok(top.source && top.source.path.endsWith('tests/guests/c/main.c'), `top frame source: ${JSON.stringify(top.source)}`);
        assert.equal(top.source.path, MAIN_C, 'sourceMap /wasmscope → repo root applies to frame paths');
        const mainIndex = frames.findIndex((f) => f.name === 'main');
        assert.ok(mainIndex > 0, `'main' should be lower on the stack: ${frames.map((f) => f.name).join(' < ')}`);
        assert.equal(frames[mainIndex].source && frames[mainIndex].source.path, MAIN_C, 'main frame source');
        await s.expectLocal('n', '10');
        const r = await s.evaluate('n * 2', top.id, 'watch');
        assert.equal(r.result, '20', `evaluate n * 2: ${JSON.stringify(r)}`);

        // Second hit: factorial(9).
        await s.continue();
        ev = await s.stopped('breakpoint');
        assert.ok(ev.body.hitBreakpointIds && ev.body.hitBreakpointIds.includes(ids[0]), 'hitBreakpointIds on 2nd hit');
        assert.equal((await s.topFrame()).line, RECURSE.line);
        await s.expectLocal('n', '9');
        frames = await s.stackTrace();
        const depth = frames.length;

        // Step without the breakpoint in the way.
        await s.setBreakpoints(RECURSE.path, []);

        await s.call('stepIn', { threadId: 1 });
        await s.stopped('step');
        frames = await s.stackTrace();
        assert.equal(frames[0].name, 'factorial', `after stepIn: ${JSON.stringify(frames[0])}`);
        assert.equal(frames[0].line, FACTORIAL_FIRST, `stepIn should stop at factorial's first statement: ${JSON.stringify(frames[0])}`);
        assert.equal(frames.length, depth + 1, 'stepIn adds one frame');
        await s.expectLocal('n', '8');

        await s.call('next', { threadId: 1 });
        await s.stopped('step');
        frames = await s.stackTrace();
        assert.equal(frames[0].name, 'factorial');
        assert.equal(frames[0].line, RECURSE.line, `next from the if should reach the recursive return: ${JSON.stringify(frames[0])}`);
        assert.equal(frames.length, depth + 1, 'next stays in the frame');
        await s.expectLocal('n', '8');

        await s.call('stepOut', { threadId: 1 });
        await s.stopped('step');
        frames = await s.stackTrace();
        assert.equal(frames[0].name, 'factorial');
        assert.equal(frames[0].line, RECURSE.line, `stepOut returns into the caller's recursive line: ${JSON.stringify(frames[0])}`);
        assert.equal(frames.length, depth, 'stepOut removes one frame');
        await s.expectLocal('n', '9');

        await s.continue();
        await s.expectExit(0);
        assert.equal(s.outputText('stdout'), C_STDOUT, 'guest stdout in output events');
      }));

    test('conditional breakpoint n == 3 stops once', { timeout: TEST_TIMEOUT }, () =>
      withSession(transport, 'conditional', async (s) => {
        let ids;
        await s.launch(cLaunchArgs(), async () => {
          ids = (await s.setVerifiedBreakpoints(RECURSE.path, [{ line: RECURSE.line, condition: 'n == 3' }])).map((b) => b.id);
        });
        const ev = await s.stopped('breakpoint');
        assert.ok(ev.body.hitBreakpointIds && ev.body.hitBreakpointIds.includes(ids[0]), 'hitBreakpointIds');
        await s.expectLocal('n', '3');
        await s.continue();
        await s.expectExit(0); // asserts no further stop
        assert.equal(s.outputText('stdout'), C_STDOUT);
      }));

    test('hit count 3 stops first on the third hit', { timeout: TEST_TIMEOUT }, () =>
      withSession(transport, 'hit-count', async (s) => {
        await s.launch(cLaunchArgs(), async () => {
          await s.setVerifiedBreakpoints(RECURSE.path, [{ line: RECURSE.line, hitCondition: '3' }]);
        });
        await s.stopped('breakpoint');
        await s.expectLocal('n', '8'); // hits: n = 10, 9, 8
        await s.setBreakpoints(RECURSE.path, []);
        await s.continue();
        await s.expectExit(0);
      }));

    test('logpoint prints "n is {n}" without stopping', { timeout: TEST_TIMEOUT }, () =>
      withSession(transport, 'logpoint', async (s) => {
        await s.launch(cLaunchArgs(), async () => {
          await s.setVerifiedBreakpoints(RECURSE.path, [{ line: RECURSE.line, logMessage: 'n is {n}' }]);
        });
        await s.expectExit(0); // no stopped event
        await new Promise((resolve) => setTimeout(resolve, 300)); // let late messages show up
        // factorial() runs before main prints its first line: every log message must
        // come before that output, and before exited/terminated.
        const at = (pred) => s.events.findIndex(pred);
        const lastLog = s.events.map((e) => e.event === 'output' && /^n is /m.test(e.body.output || '')).lastIndexOf(true);
        const firstPrint = at((e) => e.event === 'output' && e.body.category === 'stdout' && e.body.output.includes('fib(10)'));
        const exited = at((e) => e.event === 'exited');
        assert.ok(lastLog >= 0 && lastLog < firstPrint && lastLog < exited,
          `logpoint output out of order (last log message is event #${lastLog}, first guest print #${firstPrint}, exited #${exited}): ` +
          JSON.stringify(s.events.filter((e) => ['output', 'exited', 'terminated'].includes(e.event))
            .map((e) => (e.event === 'output' ? `${e.body.category}: ${e.body.output}` : e.event))));
        const consoleText = s.outputText('console');
        const logged = consoleText.split('\n').map((l) => l.trim()).filter((l) => /^n is /.test(l));
        const want = [10, 9, 8, 7, 6, 5, 4, 3, 2].map((k) => `n is ${k}`);
        assert.deepEqual(logged, want, `logpoint output (console): ${JSON.stringify(consoleText)}`);
        assert.equal(s.outputText('stdout'), C_STDOUT, 'logpoint messages must not go to the guest stdout');
      }));

    test('function breakpoint on fib', { timeout: TEST_TIMEOUT }, () =>
      withSession(transport, 'function-breakpoint', async (s) => {
        let id;
        await s.launch(cLaunchArgs(), async () => {
          const resp = await s.call('setFunctionBreakpoints', { breakpoints: [{ name: 'fib' }] });
          const bps = resp.body.breakpoints;
          assert.equal(bps.length, 1);
          assert.equal(bps[0].verified, true, `function breakpoint: ${JSON.stringify(bps[0])}`);
          id = bps[0].id;
        });
        const ev = await s.stopped(['breakpoint', 'function breakpoint']);
        assert.ok(ev.body.hitBreakpointIds && ev.body.hitBreakpointIds.includes(id), `hitBreakpointIds ${JSON.stringify(ev.body)}`);
        const top = await s.topFrame();
        assert.equal(top.name, 'fib', `top frame: ${JSON.stringify(top)}`);
        assert.ok(top.line >= FIB_HEADER && top.line < FIB_RECURSE.line,
          `stop in fib's prologue/first lines (${FIB_HEADER}..${FIB_RECURSE.line - 1}): ${JSON.stringify(top)}`);
        await s.expectLocal('n', '10');
        await s.call('setFunctionBreakpoints', { breakpoints: [] });
        await s.continue();
        await s.expectExit(0);
      }));

    test('instruction breakpoint at the frame\'s instructionPointerReference', { timeout: TEST_TIMEOUT }, () =>
      withSession(transport, 'instruction-breakpoint', async (s) => {
        await s.launch(cLaunchArgs(), async () => {
          await s.setVerifiedBreakpoints(RECURSE.path, [{ line: RECURSE.line }]);
        });
        await s.stopped('breakpoint');
        const ip = (await s.topFrame()).instructionPointerReference;
        assert.ok(typeof ip === 'string' && ip.length > 0, `instructionPointerReference: ${ip}`);
        await s.setBreakpoints(RECURSE.path, []);
        const resp = await s.call('setInstructionBreakpoints', { breakpoints: [{ instructionReference: ip }] });
        const bp = resp.body.breakpoints[0];
        assert.equal(bp.verified, true, `instruction breakpoint: ${JSON.stringify(bp)}`);
        await s.continue();
        const ev = await s.stopped(['instruction breakpoint', 'breakpoint']);
        assert.ok(ev.body.hitBreakpointIds && ev.body.hitBreakpointIds.includes(bp.id), `hitBreakpointIds ${JSON.stringify(ev.body)}`);
        const top = await s.topFrame();
        assert.equal(parseAddress(top.instructionPointerReference) ?? top.instructionPointerReference,
          parseAddress(ip) ?? ip, 'stopped at the instruction');
        assert.equal(top.line, RECURSE.line);
        await s.expectLocal('n', '9');
        await s.call('setInstructionBreakpoints', { breakpoints: [] });
        await s.continue();
        await s.expectExit(0);
      }));
  });
}
