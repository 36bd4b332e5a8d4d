// `wasmscope dap --port 0`: one listener, several sequential sessions.
import { describe, test } from 'node:test';

import {
  TEST_TIMEOUT, TcpServer, cLaunchArgs, cMarker, guest, errorText, C_STDOUT, REPO, SOURCE_MAP, assert,
} from './lib/harness.mjs';

const RECURSE = cMarker('factorial_recurse');

/** Runs fn(server) against a fresh server, stopping it afterwards. */
async function withServer(fn) {
  const server = await new TcpServer().start();
  try {
    return await fn(server);
  } finally {
    await server.stop();
  }
}

/** One session on `server`: fn(session), then close; the server must keep listening. */
async function session(server, name, fn) {
  const s = await server.session(name);
  try {
    await fn(s);
  } finally {
    await s.close();
  }
  // Give a crashing server a moment to show it.
  await new Promise((resolve) => setTimeout(resolve, 200));
  server.assertAlive();
}

async function runToEnd(s) {
  await s.launch(cLaunchArgs());
  await s.expectExit(0);
  assert.equal(s.outputText('stdout'), C_STDOUT);
}

describe('dap --port 0', () => {
  test('prints the listening line with a real port', { timeout: TEST_TIMEOUT }, () =>
    withServer(async (server) => {
      assert.ok(server.port > 0);
      assert.match(server.stdout, /^DAP server listening at: 127\.0\.0\.1:\d+\n/);
    }));

  test('two sequential sessions on the same listener', { timeout: TEST_TIMEOUT }, () =>
    withServer(async (server) => {
      await session(server, 'seq-1', runToEnd);
      await session(server, 'seq-2', async (s) => {
        await s.launch(cLaunchArgs(), async () => {
          await s.setVerifiedBreakpoints(RECURSE.path, [{ line: RECURSE.line }]);
        });
        await s.stopped('breakpoint');
        await s.expectLocal('n', '10');
        await s.setBreakpoints(RECURSE.path, []);
        await s.continue();
        await s.expectExit(0);
        assert.equal(s.outputText('stdout'), C_STDOUT);
      });
    }));

  test('disconnect while stopped ends that debuggee; the next session works', { timeout: TEST_TIMEOUT }, () =>
    withServer(async (server) => {
      await session(server, 'stopped-disconnect-1', async (s) => {
        await s.launch(cLaunchArgs(), async () => {
          await s.setVerifiedBreakpoints(RECURSE.path, [{ line: RECURSE.line }]);
        });
        await s.stopped('breakpoint');
        await s.disconnect({ terminateDebuggee: true });
      });
      await session(server, 'stopped-disconnect-2', runToEnd);
    }));

  test('terminate request ends the debuggee; the next session works', { timeout: TEST_TIMEOUT }, () =>
    withServer(async (server) => {
      await session(server, 'terminate-1', async (s) => {
        await s.launch(cLaunchArgs({ stopOnEntry: true }));
        await s.stopped('entry');
        await s.call('terminate', {});
        await s.next('terminated');
        assert.equal(s.outputText('stdout'), '', 'the program did not run on after terminate');
      });
      await session(server, 'terminate-2', runToEnd);
    }));

  test('bad launches (missing program, unknown attribute) leave the server usable', { timeout: TEST_TIMEOUT }, () =>
    withServer(async (server) => {
      await session(server, 'bad-1', async (s) => {
        const resp = await s.launchExpectingError(cLaunchArgs({ program: guest('no-such-guest') }));
        assert.ok(errorText(resp).includes('no-such-guest.wasm'), `error names the program: ${JSON.stringify(resp)}`);
      });
      await session(server, 'bad-2', async (s) => {
        const resp = await s.launchExpectingError({ progam: guest('c-O0'), sourceMap: SOURCE_MAP, cwd: REPO });
        assert.ok(errorText(resp).includes('progam'), `error names the attribute: ${JSON.stringify(resp)}`);
      });
      await session(server, 'bad-3', runToEnd);
    }));
});
