// The debugging agent of `wasmscope serve --debug-addr`, reached through the
// stdio bridge `wasmscope dap --connect ws://… --token-file FILE` — the way an
// IDE that starts adapters as processes attaches to a running server.
//
// The session runs in the agent: the client attaches (no launch), every HTTP
// request is a DAP thread of its own, a breakpoint stops only the request that
// hits it while the server answers the others, and after the client
// disconnects the server serves on. A wrong token is refused and the bridge
// says so in the error response to the client's first request.
import { describe, test } from 'node:test';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';

import { DebugClient } from '@vscode/debugadapter-testsupport';

import {
  BIN, REPO, SOURCE_MAP, TEST_TIMEOUT, WAIT_TIMEOUT, Session, guest, markerLine, assert,
} from './lib/harness.mjs';

const COMPONENT = guest('http-routes-O0-component');
const ROUTES_C = path.join(REPO, 'examples/http-routes/routes.c');
// markerLine() reads paths relative to tests/guests; routes.c is an example.
const HELLO_ROUTE = markerLine('../../examples/http-routes/routes.c', 'hello_route');
const TOKEN = 'dap-client-agent-test-token-0123456789';

function tail(text, max = 2000) {
  return text.length > max ? `…${text.slice(-max)}` : text;
}

function delay(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Rejects with `what` after `ms` unless `promise` settles first. */
function within(promise, ms, what) {
  let timer;
  const timeout = new Promise((resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: nothing within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** GET `url` on a fresh connection; resolves with {status, body}. */
function httpGet(url, timeout = WAIT_TIMEOUT) {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d) => { body += d; });
      res.on('end', () => resolve({ status: res.statusCode, body }));
      res.on('error', reject);
    });
    req.setTimeout(timeout, () => req.destroy(new Error(`GET ${url}: no answer within ${timeout} ms`)));
    req.on('error', reject);
  });
}

/**
 * `wasmscope serve COMPONENT --addr 127.0.0.1:0 --debug-addr 127.0.0.1:0
 * --token-file FILE`, with the token in a temporary directory.
 */
class AgentServer {
  constructor() {
    this.dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wasmscope-agent-'));
    this.tokenFile = path.join(this.dir, 'token');
    fs.writeFileSync(this.tokenFile, TOKEN);
    this.proc = null;
    this.stderr = '';
    this.agentUrl = null; // ws://127.0.0.1:PORT
    this.httpUrl = null; // http://127.0.0.1:PORT/
    this.exit = null;
  }

  async start(timeout = 20_000) {
    const proc = spawn(BIN, [
      'serve', COMPONENT, '--addr', '127.0.0.1:0', '--debug-addr', '127.0.0.1:0', '--token-file', this.tokenFile,
    ], { cwd: REPO, stdio: ['ignore', 'ignore', 'pipe'] });
    this.proc = proc;
    this.exited = new Promise((resolve) => {
      proc.on('exit', (code, signal) => {
        this.exit = { code, signal };
        resolve(this.exit);
      });
    });
    const spawnError = new Promise((resolve, reject) => proc.on('error', reject));
    const lines = readline.createInterface({ input: proc.stderr });
    const serving = new Promise((resolve) => {
      lines.on('line', (line) => {
        this.stderr += `${line}\n`;
        let m = /^Debugging agent \(DAP over WebSocket\) at (ws:\/\/127\.0\.0\.1:\d+)\s*$/.exec(line);
        if (m && this.agentUrl === null) this.agentUrl = m[1];
        m = /^Serving HTTP on (http:\/\/127\.0\.0\.1:\d+\/)\s*$/.exec(line);
        if (m && this.httpUrl === null) {
          this.httpUrl = m[1];
          resolve();
        }
      });
    });
    const what = `\`wasmscope serve ${path.basename(COMPONENT)} --debug-addr 127.0.0.1:0\``;
    try {
      await Promise.race([
        within(serving, timeout, `${what} printed no 'Serving HTTP on' line`),
        spawnError,
        this.exited.then((e) => {
          throw new Error(`${what} exited (code ${e.code}, signal ${e.signal}) before serving`);
        }),
      ]);
      assert.ok(this.agentUrl, `${what} printed no 'Debugging agent (DAP over WebSocket) at ws://…' line before serving`);
    } catch (e) {
      await this.stop();
      e.message += `\n  serve stderr:\n    ${tail(this.stderr).replace(/\n/g, '\n    ')}`;
      throw e;
    }
    return this;
  }

  url(rel) {
    return new URL(rel, this.httpUrl).href;
  }

  assertAlive() {
    assert.equal(this.exit, null, `serve exited (${JSON.stringify(this.exit)}); stderr: ${tail(this.stderr)}`);
  }

  async stop() {
    if (this.proc && !this.exit) {
      this.proc.kill('SIGTERM');
      const t = setTimeout(() => { if (!this.exit) this.proc.kill('SIGKILL'); }, 3000);
      await this.exited;
      clearTimeout(t);
    }
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}

let bridgeCounter = 0;

/**
 * A DebugClient session over the stdio of `wasmscope dap --connect URL
 * --token-file FILE`. DebugClient.start() spawns `runtime executable` with one
 * argument only, so the bridge is spawned here and DebugClient gets its
 * stdin/stdout, as start() does for an adapter it spawns itself.
 */
async function openBridgeSession(server, tokenFile, name) {
  const proc = spawn(BIN, ['dap', '--connect', server.agentUrl, '--token-file', tokenFile], {
    cwd: REPO, stdio: ['pipe', 'pipe', 'pipe'],
  });
  await new Promise((resolve, reject) => {
    proc.once('spawn', resolve);
    proc.once('error', reject);
  });
  const dc = new DebugClient(BIN, 'dap', 'wasmscope');
  dc.connect(proc.stdout, proc.stdin);
  dc._adapterProcess = proc; // so that stopAdapter() (Session.close) ends it
  let stderr = '';
  proc.stderr.on('data', (d) => { stderr += d.toString(); });
  bridgeCounter += 1;
  const session = new Session(dc, `bridge-${process.pid}-${bridgeCounter}-${name}`,
    () => `${stderr}\n  serve stderr:\n    ${tail(server.stderr).replace(/\n/g, '\n    ')}`);
  session.bridgeExit = new Promise((resolve) => {
    proc.on('close', (code, signal) => {
      session.transportClosed(`bridge process exited (code ${code}, signal ${signal})`);
      resolve({ code, signal });
    });
  });
  proc.stdin.on('error', (e) => {
    session._log('!!', `bridge stdin: ${e.message}`);
    setTimeout(() => session.transportClosed(`bridge stdin: ${e.message}`), 2000).unref();
  });
  return session;
}

/**
 * initialize → attach → (initialized) → configure(session) → configurationDone,
 * the order VS Code uses; returns the attach response.
 */
async function attach(s, args, configure) {
  await s.initialize();
  const attachP = s.request('attach', args);
  const initP = s.next('initialized');
  initP.catch(() => {}); // awaited below
  const first = await Promise.race([
    attachP.then((r) => ({ attach: r })),
    initP.then((e) => ({ initialized: e })),
  ]);
  if (first.attach && !first.attach.success) {
    throw new Error(`attach failed: ${JSON.stringify(first.attach)}${s.diag()}`);
  }
  await initP;
  await configure(s);
  await s.call('configurationDone');
  const resp = await attachP;
  assert.equal(resp.success, true, `attach: ${JSON.stringify(resp)}${s.diag()}`);
  return resp;
}

async function withServer(fn) {
  const server = await new AgentServer().start();
  try {
    return await fn(server);
  } finally {
    await server.stop();
  }
}

describe('debugging agent (serve --debug-addr) through dap --connect', () => {
  test('attach: a breakpoint stops one request, the others are served, disconnect leaves the server serving', { timeout: TEST_TIMEOUT }, () =>
    withServer(async (server) => {
      const s = await openBridgeSession(server, server.tokenFile, 'agent-attach');
      let pending = null; // the GET that stops at the breakpoint
      try {
        let bpId;
        await attach(s, { sourceMap: SOURCE_MAP }, async () => {
          [{ id: bpId }] = await s.setVerifiedBreakpoints(ROUTES_C, [{ line: HELLO_ROUTE }]);
        });

        let answered = false;
        pending = httpGet(server.url('/hello/debugclient'));
        pending.then(() => { answered = true; }, () => {});

        const ev = await s.next('stopped');
        assert.equal(ev.body.reason, 'breakpoint', `stopped: ${JSON.stringify(ev.body)}`);
        const threadId = ev.body.threadId;
        assert.equal(typeof threadId, 'number', `stopped threadId: ${JSON.stringify(ev.body)}`);
        assert.equal(ev.body.allThreadsStopped, false, `only the request stops: ${JSON.stringify(ev.body)}`);
        assert.ok(Array.isArray(ev.body.hitBreakpointIds) && ev.body.hitBreakpointIds.includes(bpId),
          `hitBreakpointIds ${JSON.stringify(ev.body.hitBreakpointIds)} should include ${bpId}`);

        const threads = (await s.call('threads')).body.threads;
        const thread = threads.find((t) => t.id === threadId);
        assert.ok(thread, `stopped thread ${threadId} not in threads: ${JSON.stringify(threads)}`);
        assert.equal(thread.name, `GET /hello/debugclient #${threadId}`, `thread name: ${JSON.stringify(threads)}`);

        const frames = await s.stackTrace({ threadId });
        const top = frames[0];
        assert.equal(top.name, 'route', `top frame: ${JSON.stringify(top)}`);
        assert.equal(top.line, HELLO_ROUTE, `top frame line: ${JSON.stringify(top)}`);
        assert.ok(top.source && top.source.path.endsWith('examples/http-routes/routes.c'),
          `top frame source: ${JSON.stringify(top.source)}`);
        assert.equal(top.source.path, ROUTES_C, 'sourceMap /wasmscope → repo root applies to frame paths');

        const scope = await s.localsScope(top.id);
        const locals = new Map((await s.variables(scope.variablesReference)).map((v) => [v.name, v]));
        const p = locals.get('path');
        assert.ok(p, `no local 'path'; locals: ${[...locals.keys()].join(', ')}`);
        assert.ok(p.value.includes('/hello/debugclient'), `local path: ${JSON.stringify(p)}`);
        const length = await s.evaluate('length', top.id);
        assert.equal(length.result, String('/hello/debugclient'.length), `evaluate length: ${JSON.stringify(length)}`);

        // The server answers other requests while this one waits at the breakpoint.
        const work = await httpGet(server.url('/work/1000'));
        assert.equal(work.status, 200, `GET /work/1000: ${JSON.stringify(work)}`);
        assert.match(work.body, /^1000 rounds: [0-9a-f]{8}\n$/);
        assert.equal(answered, false, 'the stopped request is not answered before continue');
        assert.deepEqual(s.pendingEvents('stopped').map((e) => e.body), [],
          'no other request stopped: /work/ has no breakpoint');

        await s.call('continue', { threadId });
        const hello = await pending;
        assert.deepEqual(hello, { status: 200, body: 'Hello, debugclient!\n' });

        await s.disconnect({});
        const exit = await within(s.bridgeExit, WAIT_TIMEOUT, 'bridge exit after disconnect');
        assert.equal(exit.code, 0, `the bridge ends with the session: ${JSON.stringify(exit)}${s.diag()}`);

        // Still serving, without a debugger.
        const after = await httpGet(server.url('/hello/after'));
        assert.deepEqual(after, { status: 200, body: 'Hello, after!\n' });
        server.assertAlive();
      } finally {
        await s.close();
        if (pending) await pending.catch(() => {});
      }
    }));

  test('a wrong token: initialize is answered with the refusal (401), nothing else changes', { timeout: TEST_TIMEOUT }, () =>
    withServer(async (server) => {
      const wrong = path.join(server.dir, 'wrong-token');
      fs.writeFileSync(wrong, 'another-token-that-is-long-enough');
      const s = await openBridgeSession(server, wrong, 'agent-wrong-token');
      try {
        await assert.rejects(
          within(s.dc.initializeRequest(), WAIT_TIMEOUT, 'initialize with a wrong token'),
          (e) => {
            s._log('<- initialize rejected', e.message);
            assert.match(e.message, /refused the token \(401\)/, `initialize error: ${e.message}${s.diag()}`);
            return true;
          });
        const exit = await within(s.bridgeExit, WAIT_TIMEOUT, 'bridge exit after the refusal');
        assert.notEqual(exit.code, 0, `the bridge fails: ${JSON.stringify(exit)}`);
      } finally {
        await s.close();
      }
      await delay(100);
      server.assertAlive();
      assert.deepEqual(await httpGet(server.url('/hello/x')), { status: 200, body: 'Hello, x!\n' });
    }));
});
