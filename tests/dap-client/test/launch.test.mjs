// Launching: plain runs, stopOnEntry, program arguments, bad launches, traps
// and pause — over stdio and over TCP.
import { randomUUID } from 'node:crypto';
import { describe, test } from 'node:test';

import {
  TRANSPORTS, TEST_TIMEOUT, withSession, cLaunchArgs, cMarker, guest, errorText, referenceStdout,
  C_STDOUT, REPO, SOURCE_MAP, assert,
} from './lib/harness.mjs';

function delay(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Enables every exception filter the adapter advertises; returns their ids. */
async function enableAllExceptionFilters(s) {
  const filters = s.capabilities.exceptionBreakpointFilters || [];
  assert.ok(filters.length > 0, `initialize: no exceptionBreakpointFilters: ${JSON.stringify(s.capabilities)}`);
  const ids = filters.map((f) => f.filter);
  await s.call('setExceptionBreakpoints', { filters: ids });
  return ids;
}

/** After a trap stop: continue and expect the session to end (exit code, if reported, non-zero). */
async function continueToEndAfterTrap(s) {
  await s.continue();
  await s.next('terminated');
  const exited = s.pendingEvents('exited');
  if (exited.length) {
    assert.notEqual(exited[0].body.exitCode, 0, `a trapped program should not exit 0: ${JSON.stringify(exited[0].body)}`);
  }
}

for (const transport of TRANSPORTS) {
  describe(`launch [${transport}]`, () => {
    test('initialize advertises the supported requests', { timeout: TEST_TIMEOUT }, () =>
      withSession(transport, 'capabilities', async (s) => {
        const caps = (await s.initialize()).body || {};
        for (const cap of [
          'supportsConfigurationDoneRequest', 'supportsConditionalBreakpoints', 'supportsHitConditionalBreakpoints',
          'supportsLogPoints', 'supportsFunctionBreakpoints', 'supportsInstructionBreakpoints',
          'supportsBreakpointLocationsRequest', 'supportsSetVariable', 'supportsEvaluateForHovers',
          'supportsReadMemoryRequest', 'supportsWriteMemoryRequest', 'supportsDisassembleRequest',
          'supportsExceptionInfoRequest', 'supportsLoadedSourcesRequest', 'supportsModulesRequest',
          'supportsTerminateRequest', 'supportsDelayedStackTraceLoading',
        ]) {
          assert.equal(caps[cap], true, `capability ${cap}: ${JSON.stringify(caps)}`);
        }
        assert.ok(Array.isArray(caps.exceptionBreakpointFilters) && caps.exceptionBreakpointFilters.length > 0,
          `exceptionBreakpointFilters (trap filters): ${JSON.stringify(caps.exceptionBreakpointFilters)}`);
      }));

    test('runs to the end: stdout in output events, exited 0, terminated', { timeout: TEST_TIMEOUT }, () =>
      withSession(transport, 'plain-run', async (s) => {
        await s.launch(cLaunchArgs());
        const exited = await s.expectExit(0);
        assert.equal(s.outputText('stdout'), C_STDOUT);
        // exited comes before terminated (expectExit waits for them in that order;
        // check the transcript order too).
        const order = s.transcript.filter((l) => /"event":"(exited|terminated)"/.test(l))
          .map((l) => /"event":"(\w+)"/.exec(l)[1]);
        assert.deepEqual(order, ['exited', 'terminated'], 'exited then terminated, once each');
        assert.ok(exited);
      }));

    test('program args reach the guest', { timeout: TEST_TIMEOUT }, () =>
      withSession(transport, 'args', async (s) => {
        await s.launch(cLaunchArgs({ args: ['5'] }));
        await s.expectExit(0);
        assert.ok(s.outputText('stdout').startsWith('fib(5) = 5 in 15 calls, factorial = 120\n'),
          `stdout: ${JSON.stringify(s.outputText('stdout'))}`);
      }));

    test('stopOnEntry stops with reason entry, then runs to the end', { timeout: TEST_TIMEOUT }, () =>
      withSession(transport, 'stop-on-entry', async (s) => {
        await s.launch(cLaunchArgs({ stopOnEntry: true }));
        await s.stopped('entry');
        const threads = (await s.call('threads')).body.threads;
        assert.deepEqual(threads.map((t) => t.id), [1], `threads: ${JSON.stringify(threads)}`);
        assert.equal(typeof threads[0].name, 'string');
        const frames = await s.stackTrace();
        assert.ok(typeof frames[0].instructionPointerReference === 'string', `entry frame: ${JSON.stringify(frames[0])}`);
        assert.equal(s.outputText('stdout'), '', 'nothing printed before the first instruction');
        await s.continue();
        await s.expectExit(0);
        assert.equal(s.outputText('stdout'), C_STDOUT);
      }));

    test('launch arguments VS Code adds (type, request, name, __sessionId) are accepted', { timeout: TEST_TIMEOUT }, () =>
      withSession(transport, 'vscode-args', async (s) => {
        await s.launch({
          type: 'wasmscope',
          request: 'launch',
          name: 'Debug C guest',
          __sessionId: randomUUID(),
          ...cLaunchArgs(),
        });
        await s.expectExit(0);
      }));

    test('missing program: error response naming it; adapter still answers', { timeout: TEST_TIMEOUT }, () =>
      withSession(transport, 'missing-program', async (s) => {
        const missing = guest('no-such-guest');
        const resp = await s.launchExpectingError(cLaunchArgs({ program: missing }));
        const text = errorText(resp);
        assert.ok(text.includes('no-such-guest.wasm'), `error should name the program: ${JSON.stringify(resp)}`);
        // Still usable: requests get answers, disconnect succeeds.
        const threads = await s.request('threads');
        assert.equal(threads.command, 'threads');
        await s.disconnect();
      }));

    test('unknown launch attribute "progam": error response naming it', { timeout: TEST_TIMEOUT }, () =>
      withSession(transport, 'unknown-attribute', async (s) => {
        const resp = await s.launchExpectingError({ progam: guest('c-O0'), sourceMap: SOURCE_MAP, cwd: REPO });
        const text = errorText(resp);
        assert.ok(text.includes('progam'), `error should name the attribute: ${JSON.stringify(resp)}`);
        await s.disconnect();
      }));

    test('trap (unreachable): stopped on exception, exceptionInfo', { timeout: TEST_TIMEOUT }, () =>
      withSession(transport, 'trap-unreachable', async (s) => {
        await s.launch(cLaunchArgs({ args: ['trap-unreachable'] }), enableAllExceptionFilters);
        const ev = await s.stopped('exception');
        assert.match(String(ev.body.description), /unreachable/i, `trap description: ${JSON.stringify(ev.body)}`);
        const top = await s.topFrame();
        assert.equal(top.name, 'trap_unreachable', `top frame: ${JSON.stringify(top)}`);
        assert.equal(top.line, cMarker('trap_unreachable').line, `trap line: ${JSON.stringify(top)}`);
        const info = (await s.call('exceptionInfo', { threadId: 1 })).body;
        assert.ok(typeof info.exceptionId === 'string' && info.exceptionId.length > 0, `exceptionInfo: ${JSON.stringify(info)}`);
        assert.match(String(info.description), /unreachable/i, `exceptionInfo: ${JSON.stringify(info)}`);
        assert.ok(['never', 'always', 'unhandled', 'userUnhandled'].includes(info.breakMode), `breakMode: ${JSON.stringify(info)}`);
        await continueToEndAfterTrap(s);
      }));

    test('trap (out-of-bounds store): stopped on exception naming it', { timeout: TEST_TIMEOUT }, () =>
      withSession(transport, 'trap-oob', async (s) => {
        await s.launch(cLaunchArgs({ args: ['trap-oob'] }), enableAllExceptionFilters);
        const ev = await s.stopped('exception');
        assert.match(String(ev.body.description), /out of bounds|out-of-bounds/i, `trap description: ${JSON.stringify(ev.body)}`);
        const top = await s.topFrame();
        assert.equal(top.name, 'trap_oob');
        assert.equal(top.line, cMarker('trap_oob').line);
        await continueToEndAfterTrap(s);
      }));

    test('pause a running program (sleeper), then continue to the end', { timeout: TEST_TIMEOUT }, () =>
      withSession(transport, 'pause', async (s) => {
        // sleeper sleeps 4 × 100 ms: it is still running shortly after configurationDone.
        await s.launch({ program: guest('sleeper-O2'), args: [], cwd: REPO, sourceMap: SOURCE_MAP });
        await delay(100);
        assert.equal(s.pendingEvents('exited').length, 0, 'sleeper ended before the pause request');
        await s.call('pause', { threadId: 1 });
        await s.stopped('pause');
        const frames = await s.stackTrace();
        assert.ok(frames.some((f) => f.name === 'main'), `main on the stack: ${frames.map((f) => f.name).join(' < ')}`);
        await s.continue();
        await s.expectExit(0);
        assert.equal(s.outputText('stdout'), referenceStdout('sleeper-O2'));
      }));
  });
}
