#!/usr/bin/env node
// The DevTools targets of `wasmscope dap` against its default Wasmtime
// target, and each target against the plain run of the same program:
//
//   target     launch configuration                       plain run (baseline)
//   wasmtime   {program}                                   `wasmtime run GUEST.wasm` (Wasmtime CLI)
//   node       {program, target: "node"}                   `node devtools/assets/run-wasi.mjs GUEST.wasm`
//   chrome     {program, target: "chrome", url: PAGE}      chromium --headless=new on PAGE until
//                                                          document.title starts with "exit"
//
// PAGE is tests/browser/index.html?program=GUEST.wasm&args= served from
// 127.0.0.1 by this script (with the guests next to it).
//
// One session per program, target and run, over stdio, driven by a small DAP
// client of its own (no dependencies):
//   1. initialize; launch (not awaited); on `initialized`, a line breakpoint
//      at the program's first marker (`factorial_recurse` in
//      tests/guests/c/main.c, `fib_recurse` in tests/guests/rust/main.rs);
//      configurationDone.
//      first stop: ms from sending configurationDone to the `stopped` event
//      (`cfgToStop`), and from sending launch to it (`launchToStop`); for
//      chrome both include starting the browser and loading the page.
//   2. the breakpoint removed, stepIn/stepOut: S times (stepIn, next) down
//      the recursion, then S stepOut back up; each request timed to its
//      `stopped` event (whose reason must be "step").
//   3. the breakpoint moved into a loop body (for C the line
//      `values[i] = i * i + depth;` of main, 8 rounds, then main's nested
//      `grid` loop; for Rust the `loop_body` marker, 16 rounds of checksum's
//      loop, then main); continue to it.
//   4. the breakpoint removed, N consecutive `next` requests, each timed from
//      the request to its `stopped` event (ms per `next`: mean and median).
//   After every step the location (top frame function:line and the number of
//   Wasm frames) is read outside the timed interval; the step paths of the
//   node and chrome targets are compared with the Wasmtime target's.
//   5. disconnect (terminateDebuggee); the adapter must exit.
//
//   node measure.mjs --wasmscope BIN --wasmtime BIN [--runs R] [--steps N]
//        [--step-in S] [--program NAME]... [--target NAME]... [--out DIR] [--verbose]
//
// Prints a table of medians over the R runs and the ratios, then the
// `next` times by the function each step starts in: on the DevTools targets
// a `next` places a breakpoint at every statement of its function and
// removes them at the stop, and V8 recompiles a Wasm function for each
// breakpoint set or removed in it, so a step costs about the function's
// size times its number of statements (checksum: a few ms; Rust's main,
// 10 KB and 75 statements: hundreds). Writes
// OUT/results-<time>.json (every run, every step time and step path) and
// OUT/latest.json. Exit status 1 if any session or plain run failed or any
// step path differs from the Wasmtime target's, 2 on bad arguments.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const REPO = path.resolve(HERE, '..', '..');
const GUESTS = path.join(REPO, 'target/guests');
const BROWSER = path.join(REPO, 'tests/browser');
const RUN_WASI = path.join(REPO, 'devtools/assets/run-wasi.mjs');
const TARGETS = ['wasmtime', 'node', 'chrome'];

// first: the `// BP:` marker of the first stop, then stepIn/next down the
// recursion and stepOut back up; loop: where the N `next` requests start, a
// marker, or for C the body of main's `values` loop found by its text (no
// marker there; the marked loops of main.c end too close to the program's
// exit for 50 steps: from matrix_cell the program exits at the 50th).
const PROGRAMS = {
  'c-O0': { source: 'tests/guests/c/main.c', first: 'factorial_recurse', loop: { text: 'values[i] = i * i + depth;' } },
  'rust-O0': { source: 'tests/guests/rust/main.rs', first: 'fib_recurse', loop: 'loop_body' },
};
const loopName = (spec) => (typeof spec.loop === 'string' ? spec.loop : `"${spec.loop.text}"`);

// ---- arguments ---------------------------------------------------------------------------------

function parseArgs(argv) {
  const o = { runs: 3, steps: 50, stepIn: 3, programs: [], targets: [], out: path.join(HERE, 'results'), verbose: false };
  const num = (v, name) => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < 1) usage(`${name} wants a positive integer, not ${v}`);
    return n;
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const val = () => { if (i + 1 >= argv.length) usage(`${a} wants a value`); return argv[++i]; };
    if (a === '--runs') o.runs = num(val(), a);
    else if (a === '--steps') o.steps = num(val(), a);
    else if (a === '--step-in') o.stepIn = num(val(), a);
    else if (a === '--program') o.programs.push(val());
    else if (a === '--target') o.targets.push(val());
    else if (a === '--wasmscope') o.wasmscope = path.resolve(val());
    else if (a === '--wasmtime') o.wasmtime = path.resolve(val());
    else if (a === '--out') o.out = path.resolve(val());
    else if (a === '--verbose') o.verbose = true;
    else usage(`unknown argument ${a}`);
  }
  if (!o.programs.length) o.programs = Object.keys(PROGRAMS);
  if (!o.targets.length) o.targets = [...TARGETS];
  for (const p of o.programs) if (!Object.hasOwn(PROGRAMS, p)) usage(`unknown program ${p} (${Object.keys(PROGRAMS).join(', ')})`);
  for (const t of o.targets) if (!TARGETS.includes(t)) usage(`unknown target ${t} (${TARGETS.join(', ')})`);
  o.targets = TARGETS.filter((t) => o.targets.includes(t));
  if (!o.wasmscope) usage('--wasmscope is required');
  if (!o.wasmtime && o.targets.includes('wasmtime')) usage('--wasmtime is required');
  return o;
}

function usage(msg) {
  console.error(`measure.mjs: ${msg}\nusage: node measure.mjs --wasmscope BIN --wasmtime BIN [--runs R] [--steps N] ` +
    `[--step-in S] [--program ${Object.keys(PROGRAMS).join('|')}]... [--target ${TARGETS.join('|')}]... [--out DIR] [--verbose]`);
  process.exit(2);
}

const opts = parseArgs(process.argv.slice(2));
const now = () => performance.now();
const log = (...a) => { if (opts.verbose) console.error('[devtools]', ...a); };
const round = (x, d = 2) => (x == null || !Number.isFinite(x) ? null : Math.round(x * 10 ** d) / 10 ** d);

// The line of `// BP: name`, or of the one line containing {text}.
function markerLine(file, name) {
  const test = typeof name === 'string'
    ? (l) => new RegExp(`//\\s*BP:\\s*${name}\\s*$`).test(l)
    : (l) => l.includes(name.text);
  const hits = fs.readFileSync(file, 'utf8').split('\n').flatMap((l, i) => (test(l) ? [i + 1] : []));
  if (hits.length !== 1) throw new Error(`${JSON.stringify(name)}: ${hits.length} lines in ${file}`);
  return hits[0];
}

function withTimeout(promise, ms, what) {
  let t;
  return Promise.race([
    promise.finally(() => clearTimeout(t)),
    new Promise((_, rej) => { t = setTimeout(() => rej(new Error(`timeout after ${ms} ms: ${what}`)), ms); }),
  ]);
}

// Every child started here, killed (by its own pid) on any exit path.
const children = new Set();
function track(child) {
  children.add(child);
  child.once('exit', () => children.delete(child));
  return child;
}
process.on('exit', () => { for (const c of children) { try { c.kill('SIGKILL'); } catch { /* gone */ } } });
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => process.exit(130));

function waitExit(child, ms) {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true);
  return new Promise((resolve) => {
    const t = setTimeout(() => resolve(false), ms);
    child.once('exit', () => { clearTimeout(t); resolve(true); });
  });
}

function stats(xs) {
  if (!xs.length) return null;
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return {
    n: xs.length,
    mean: round(xs.reduce((a, b) => a + b, 0) / xs.length, 3),
    median: round(s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2, 3),
    min: round(s[0], 3),
    max: round(s[s.length - 1], 3),
  };
}
const median = (xs) => {
  const v = xs.filter((x) => x != null);
  return v.length ? stats(v).median : null;
};

// ---- the page server ---------------------------------------------------------------------------

async function servePage() {
  const files = new Map([
    ['index.html', path.join(BROWSER, 'index.html')],
    ['wasi-shim.mjs', path.join(BROWSER, 'wasi-shim.mjs')],
  ]);
  for (const p of opts.programs) files.set(`${p}.wasm`, path.join(GUESTS, `${p}.wasm`));
  const types = { '.html': 'text/html; charset=utf-8', '.mjs': 'text/javascript', '.wasm': 'application/wasm' };
  const server = http.createServer((req, res) => {
    const name = decodeURIComponent(new URL(req.url, 'http://127.0.0.1').pathname.replace(/^\/+/, ''));
    const file = files.get(name);
    if (req.method !== 'GET' || !file) {
      res.writeHead(404, { 'Content-Length': 0, Connection: 'close' });
      res.end();
      return;
    }
    const body = fs.readFileSync(file);
    res.writeHead(200, {
      'Content-Type': types[path.extname(name)] ?? 'application/octet-stream',
      'Content-Length': body.length, 'Cache-Control': 'no-store', Connection: 'close',
    });
    res.end(body);
  });
  await new Promise((resolve, reject) => { server.once('error', reject); server.listen(0, '127.0.0.1', resolve); });
  return {
    base: `http://127.0.0.1:${server.address().port}`,
    close: () => new Promise((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}

const pageUrl = (base, program) =>
  `${base}/index.html?${new URLSearchParams({ program: `${program}.wasm`, args: '' })}`;

// ---- a DAP client over stdio ---------------------------------------------------------------------

class Dap {
  constructor(bin) {
    this.child = track(spawn(bin, ['dap'], { cwd: REPO, stdio: ['pipe', 'pipe', 'pipe'] }));
    this.seq = 1;
    this.pending = new Map();
    this.waiters = [];
    this.events = [];
    this.stderr = '';
    this.output = [];
    this.buf = Buffer.alloc(0);
    this.child.stdin.on('error', () => {});
    this.child.stderr.on('data', (d) => { this.stderr = (this.stderr + d).slice(-8000); });
    this.child.stdout.on('data', (d) => this.onData(d));
    this.died = new Promise((_, reject) => {
      this.child.once('exit', (code, signal) => reject(new Error(`adapter exited (code ${code}, signal ${signal})`)));
      this.child.once('error', (e) => reject(new Error(`adapter: ${e.message}`)));
    });
    this.died.catch(() => {});
  }

  onData(d) {
    this.buf = Buffer.concat([this.buf, d]);
    for (;;) {
      const end = this.buf.indexOf('\r\n\r\n');
      if (end < 0) return;
      const m = /Content-Length:\s*(\d+)/i.exec(this.buf.subarray(0, end).toString('latin1'));
      if (!m) throw new Error(`bad DAP header: ${this.buf.subarray(0, end)}`);
      const len = Number(m[1]);
      if (this.buf.length < end + 4 + len) return;
      const msg = JSON.parse(this.buf.subarray(end + 4, end + 4 + len).toString('utf8'));
      this.buf = this.buf.subarray(end + 4 + len);
      this.onMessage(msg, now());
    }
  }

  onMessage(msg, t) {
    if (msg.type === 'response') {
      const p = this.pending.get(msg.request_seq);
      if (p) { this.pending.delete(msg.request_seq); p.resolve(msg); }
    } else if (msg.type === 'event') {
      if (msg.event === 'output') {
        this.output.push(`[${msg.body?.category ?? ''}] ${msg.body?.output ?? ''}`);
        if (this.output.length > 200) this.output.shift();
      } else {
        log('event', msg.event, JSON.stringify(msg.body ?? {}).slice(0, 200));
      }
      const rec = { t, ev: msg };
      this.events.push(rec);
      this.waiters = this.waiters.filter((w) => {
        if (!w.types.includes(msg.event)) return true;
        w.resolve(rec);
        return false;
      });
    } else if (msg.type === 'request') {
      // Reverse requests (runInTerminal, startDebugging): not supported here.
      this.write({ type: 'response', request_seq: msg.seq, command: msg.command, success: false, message: 'not supported' });
    }
  }

  write(obj) {
    obj.seq = this.seq++;
    const body = Buffer.from(JSON.stringify(obj), 'utf8');
    this.child.stdin.write(Buffer.concat([Buffer.from(`Content-Length: ${body.length}\r\n\r\n`, 'latin1'), body]));
    return obj.seq;
  }

  // The response (rejects on success: false, adapter death or timeout).
  request(command, args, ms = 30000) {
    let resolve;
    const p = new Promise((r) => { resolve = r; });
    const seq = this.write({ type: 'request', command, arguments: args ?? {} });
    this.pending.set(seq, { resolve });
    log('request', command);
    return withTimeout(Promise.race([p, this.died]), ms, `${command} response`).then((r) => {
      if (!r.success) throw new Error(`${command} failed: ${r.message ?? ''} ${JSON.stringify(r.body ?? {})}`);
      return r;
    });
  }

  // The next event of one of `types` after this call: call it before the request.
  next(types, ms, what) {
    let resolve;
    const p = new Promise((r) => { resolve = r; });
    this.waiters.push({ types, resolve });
    return withTimeout(Promise.race([p, this.died]), ms, what ?? `event ${types.join('|')}`);
  }
}

// ---- one session ------------------------------------------------------------------------------

function launchConfig(target, program, base) {
  const config = {
    program: path.join(GUESTS, `${program}.wasm`),
    args: [],
    cwd: REPO,
    sourceMap: { '/wasmscope': REPO },
    stopOnEntry: false,
  };
  if (target === 'node') config.target = 'node';
  if (target === 'chrome') Object.assign(config, { target: 'chrome', url: pageUrl(base, program) });
  return config;
}

// Top Wasm frame and Wasm depth (JavaScript frames, without an instruction
// pointer, left out).
async function where(dap, threadId) {
  const frames = (await dap.request('stackTrace', { threadId, startFrame: 0, levels: 200 })).body.stackFrames;
  const wasm = frames.filter((f) => typeof f.instructionPointerReference === 'string');
  const top = wasm[0] ?? frames[0];
  if (!top) return { at: '<no frame>', depth: 0, js: frames.length };
  const src = top.source ? path.basename(top.source.path || top.source.name || '') : '';
  return {
    at: `${top.name}@${src || '<no source>'}:${top.line}`,
    depth: wasm.length,
    jsTop: wasm.length && frames[0] !== wasm[0] ? `${frames[0].name}` : null,
  };
}

async function session(target, program, base) {
  const spec = PROGRAMS[program];
  const source = path.join(REPO, spec.source);
  const firstLine = markerLine(source, spec.first);
  const loopLine = markerLine(source, spec.loop);
  const r = { target, program, ok: false, firstMarker: { name: spec.first, line: firstLine }, loopMarker: { name: loopName(spec), line: loopLine } };
  const tSpawn = now();
  const dap = new Dap(opts.wasmscope);
  r.adapterPid = dap.child.pid;
  const stopWait = (what, ms = 30000) => dap.next(['stopped', 'terminated', 'exited'], ms, what);
  // A request whose `stopped` event is timed: returns {ms, ev}.
  const timed = async (command, args, what) => {
    const stopped = stopWait(`stopped after ${what}`);
    const t = now();
    const resp = dap.request(command, args);
    resp.catch(() => {});
    const ev = await stopped;
    await resp;
    if (ev.ev.event !== 'stopped') throw new Error(`${ev.ev.event} event after ${what}`);
    // A step must end as a step (not at a breakpoint, a trap or a pause).
    const want = command === 'continue' ? 'breakpoint' : 'step';
    if (ev.ev.body?.reason !== want) throw new Error(`${what} stopped with reason ${ev.ev.body?.reason}, not ${want}`);
    return { ms: ev.t - t, ev: ev.ev };
  };
  const setBps = async (lines) => {
    const resp = await dap.request('setBreakpoints', {
      source: { path: source, name: path.basename(source) },
      breakpoints: lines.map((line) => ({ line })), lines,
    });
    const bps = resp.body.breakpoints;
    for (const b of bps) if (!b.verified) throw new Error(`breakpoint not verified: ${JSON.stringify(bps)}`);
    return bps;
  };
  try {
    const init = await dap.request('initialize', {
      clientID: 'wasmscope-bench-devtools', adapterID: 'wasmscope', linesStartAt1: true, columnsStartAt1: true,
      pathFormat: 'path', supportsVariableType: true, supportsRunInTerminalRequest: false,
    });
    const initialized = dap.events.some((e) => e.ev.event === 'initialized')
      ? Promise.resolve() : dap.next(['initialized'], 120000, 'initialized event');
    const firstStop = stopWait('first stopped event', 180000);
    const tLaunch = now();
    const launch = dap.request('launch', launchConfig(target, program, base), 180000);
    launch.catch(() => {});
    await Promise.race([initialized, launch.then(() => initialized)]);
    await setBps([firstLine]);
    await dap.request('setExceptionBreakpoints', { filters: [] }).catch(() => {});
    const tCfg = now();
    if (init.body?.supportsConfigurationDoneRequest) await dap.request('configurationDone', {}, 180000);
    await launch;
    const stop = await firstStop;
    if (stop.ev.event !== 'stopped') throw new Error(`program ended before ${spec.first} (${stop.ev.event})`);
    r.firstStop = {
      cfgToStop: round(stop.t - tCfg), launchToStop: round(stop.t - tLaunch), spawnToStop: round(stop.t - tSpawn),
      reason: stop.ev.body.reason,
    };
    const threadId = stop.ev.body.threadId ?? (await dap.request('threads')).body.threads[0].id;
    const at0 = await where(dap, threadId);
    r.firstStop.at = at0.at;
    if (!at0.at.endsWith(`:${firstLine}`)) throw new Error(`first stop at ${at0.at}, not at ${spec.first} (line ${firstLine})`);

    // stepIn/next down the recursion, stepOut back up (the breakpoint
    // removed first: the recursion passes its line again).
    await setBps([]);
    r.stepInOut = { stepIn: [], stepOut: [], next: [], trace: [] };
    const steps = [];
    for (let i = 0; i < opts.stepIn; i++) steps.push('stepIn', 'next');
    for (let i = 0; i < opts.stepIn; i++) steps.push('stepOut');
    for (const [i, command] of steps.entries()) {
      const { ms } = await timed(command, { threadId }, `${command} #${i + 1}`);
      r.stepInOut[command].push(round(ms, 3));
      const w = await where(dap, threadId);
      r.stepInOut.trace.push(`${command} -> ${w.at} [${w.depth}]`);
    }

    // To the loop.
    await setBps([loopLine]);
    const { ev: loopStop } = await timed('continue', { threadId }, `continue to ${loopName(spec)}`);
    const at1 = await where(dap, threadId);
    if (loopStop.body.reason !== 'breakpoint' || !at1.at.endsWith(`:${loopLine}`)) {
      throw new Error(`continue stopped (${loopStop.body.reason}) at ${at1.at}, not at ${loopName(spec)} (line ${loopLine})`);
    }
    r.loopStart = `${at1.at} [${at1.depth}]`;
    await setBps([]);

    // N `next` requests.
    const times = [];
    const trace = [];
    for (let i = 0; i < opts.steps; i++) {
      const { ms } = await timed('next', { threadId }, `next #${i + 1}`);
      times.push(ms);
      const w = await where(dap, threadId);
      trace.push(`${w.at} [${w.depth}]${w.jsTop ? ` (js top ${w.jsTop})` : ''}`);
    }
    r.next = { ...stats(times), times: times.map((x) => round(x, 3)), trace };
    r.stepInStats = stats(r.stepInOut.stepIn);
    r.stepOutStats = stats(r.stepInOut.stepOut);
    r.ok = true;
  } catch (e) {
    r.error = String(e?.stack ?? e);
  } finally {
    try {
      await dap.request('disconnect', { terminateDebuggee: true }, 15000);
      r.disconnected = true;
    } catch (e) {
      r.disconnected = false;
      r.disconnectError = String(e?.message ?? e);
    }
    r.adapterExited = await waitExit(dap.child, 10000);
    if (!r.adapterExited) {
      dap.child.kill('SIGKILL');
      if (r.ok) { r.ok = false; r.error = 'the adapter did not exit within 10 s of disconnect'; }
    }
    if (!r.ok || opts.verbose) {
      r.adapterStderr = dap.stderr.split('\n').slice(-30);
      r.adapterOutput = dap.output.slice(-40);
    }
  }
  return r;
}

// ---- plain runs ------------------------------------------------------------------------------

// Wall time of a command from spawn to exit; fails unless it exits 0.
function runTimed(bin, args) {
  return new Promise((resolve) => {
    const t = now();
    const child = track(spawn(bin, args, { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] }));
    let out = '';
    child.stdout.on('data', (d) => { out += d; });
    child.stderr.on('data', (d) => { out += d; });
    const timer = setTimeout(() => child.kill('SIGKILL'), 120000);
    child.once('error', (e) => { clearTimeout(timer); resolve({ ok: false, error: `${bin}: ${e.message}` }); });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      const ms = round(now() - t);
      resolve(code === 0 ? { ok: true, ms } : { ok: false, ms, error: `exit ${code ?? signal}: ${out.slice(-500)}` });
    });
  });
}

// chromium headless, as wasmscope starts it (fresh profile, --headless=new,
// --disable-gpu, --no-sandbox as root), opened on the page: ms from spawn
// until document.title starts with "exit". DevTools over
// --remote-debugging-pipe only watches the title: the page target is
// attached when it appears and a promise evaluated in it resolves with the
// title on its change (a MutationObserver; Target.targetInfoChanged does not
// report title changes). An evaluation that lands in the initial about:blank
// document is lost with it on the navigation, and sent again.
const TITLE_WAIT = `new Promise((resolve) => {
  const done = () => /^(exit|error)/.test(document.title);
  if (done()) return resolve(document.title);
  new MutationObserver(() => { if (done()) resolve(document.title); })
    .observe(document, { subtree: true, childList: true, characterData: true });
  const poll = () => (done() ? resolve(document.title) : setTimeout(poll, 50));
  setTimeout(poll, 50);
})`;

async function chromePlain(url) {
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'wasmscope-bench-chrome-'));
  const args = ['--headless=new', '--remote-debugging-pipe', `--user-data-dir=${profile}`,
    '--no-first-run', '--no-default-browser-check', '--disable-gpu'];
  if (process.getuid?.() === 0) args.push('--no-sandbox');
  args.push(url);
  const bin = process.env.WASMSCOPE_CHROME || 'chromium';
  const t = now();
  const child = track(spawn(bin, args, { stdio: ['ignore', 'ignore', 'pipe', 'pipe', 'pipe'] }));
  let stderr = '';
  child.stderr.on('data', (d) => { stderr = (stderr + d).slice(-4000); });
  const [toChrome, fromChrome] = [child.stdio[3], child.stdio[4]];
  toChrome.on('error', () => {});
  let id = 1;
  const calls = new Map();
  const send = (method, params = {}, sessionId = undefined) => {
    const msg = { id: id++, method, params };
    if (sessionId) msg.sessionId = sessionId;
    toChrome.write(`${JSON.stringify(msg)}\0`);
    return new Promise((resolve) => calls.set(msg.id, resolve));
  };
  const result = { ok: false };
  try {
    const title = await withTimeout(new Promise((resolve, reject) => {
      let buf = '';
      let attached = false;
      const evaluate = async (sessionId, tries) => {
        const r = await send('Runtime.evaluate', { expression: TITLE_WAIT, awaitPromise: true, returnByValue: true }, sessionId);
        const value = r.result?.result?.value;
        if (typeof value === 'string' && /^(exit|error)/.test(value)) resolve({ t: now(), title: value });
        else if (tries < 100) setTimeout(() => evaluate(sessionId, tries + 1), 10);
        else reject(new Error(`no title from the page: ${JSON.stringify(r).slice(0, 500)}`));
      };
      fromChrome.on('data', (d) => {
        buf += d;
        let i;
        while ((i = buf.indexOf('\0')) >= 0) {
          const msg = JSON.parse(buf.slice(0, i));
          buf = buf.slice(i + 1);
          if (msg.id && calls.has(msg.id)) { calls.get(msg.id)(msg); calls.delete(msg.id); continue; }
          const info = msg.params?.targetInfo;
          if (msg.method === 'Target.targetCreated' && info?.type === 'page' && !attached) {
            attached = true;
            send('Target.attachToTarget', { targetId: info.targetId, flatten: true }).then((r) => {
              if (!r.result?.sessionId) reject(new Error(`attachToTarget: ${JSON.stringify(r)}`));
              else evaluate(r.result.sessionId, 0);
            });
          }
        }
      });
      child.once('exit', (code) => reject(new Error(`chromium exited (${code}) before the page ended: ${stderr.slice(-500)}`)));
      child.once('error', reject);
      send('Target.setDiscoverTargets', { discover: true });
    }), 120000, 'the page title "exit ..."');
    result.ms = round(title.t - t);
    result.title = title.title;
    result.ok = title.title === 'exit 0';
    if (!result.ok) result.error = `page title ${JSON.stringify(title.title)}`;
  } catch (e) {
    result.error = String(e?.message ?? e);
  } finally {
    send('Browser.close');
    if (!(await waitExit(child, 10000))) child.kill('SIGKILL');
    await waitExit(child, 5000);
    fs.rmSync(profile, { recursive: true, force: true, maxRetries: 5 });
  }
  return result;
}

async function plainRun(target, program, base) {
  const wasm = path.join(GUESTS, `${program}.wasm`);
  if (target === 'wasmtime') return runTimed(opts.wasmtime, ['run', wasm]);
  if (target === 'node') return runTimed(process.execPath, [RUN_WASI, wasm]);
  return chromePlain(pageUrl(base, program));
}

// ---- main ------------------------------------------------------------------------------------

function fmt(x, d = 1) {
  return x == null ? '-' : Number(x).toFixed(d);
}

function table(rows, header) {
  const all = [header, ...rows];
  const w = header.map((_, i) => Math.max(...all.map((r) => String(r[i]).length)));
  const line = (r) => r.map((c, i) => (i < 2 ? String(c).padEnd(w[i]) : String(c).padStart(w[i]))).join('  ');
  return [line(header), w.map((n) => '-'.repeat(n)).join('  '), ...rows.map(line)].join('\n');
}

async function main() {
  for (const p of opts.programs) {
    const wasm = path.join(GUESTS, `${p}.wasm`);
    if (!fs.existsSync(wasm)) throw new Error(`missing ${wasm} (tests/guests/build.sh)`);
  }
  // The binary may be replaced while this runs (a build elsewhere): noted.
  const binStamp = () => { try { const st = fs.statSync(opts.wasmscope); return `${st.size} bytes, modified ${st.mtime.toISOString()}`; } catch (e) { return String(e.message); } };
  const stampBefore = binStamp();
  const page = opts.targets.includes('chrome') ? await servePage() : null;
  const started = new Date();
  const results = { started: started.toISOString(), host: { cpus: os.cpus().length, node: process.version },
    wasmscope: opts.wasmscope, wasmtime: opts.wasmtime ?? null, options: { runs: opts.runs, steps: opts.steps, stepIn: opts.stepIn },
    sessions: [], plain: [], failures: [], divergences: [] };
  try {
    // Run r of everything before run r + 1, so that a slow period of the
    // machine is spread over the targets.
    for (let run = 1; run <= opts.runs; run++) {
      for (const program of opts.programs) {
        for (const target of opts.targets) {
          const p = await plainRun(target, program, page?.base);
          results.plain.push({ run, program, target, ...p });
          console.error(`run ${run} ${program} ${target} plain: ${p.ok ? `${p.ms} ms` : `FAILED ${p.error}`}`);
          if (!p.ok) results.failures.push(`plain ${program} ${target} run ${run}: ${p.error}`);
          const s = await session(target, program, page?.base);
          results.sessions.push({ run, ...s });
          console.error(`run ${run} ${program} ${target} session: ${s.ok
            ? `first stop ${s.firstStop.cfgToStop} ms (launch ${s.firstStop.launchToStop}), next ${s.next.mean}/${s.next.median} ms`
            : `FAILED ${s.error.split('\n')[0]}`}`);
          if (!s.ok) results.failures.push(`session ${program} ${target} run ${run}: ${s.error.split('\n')[0]}`);
        }
      }
    }
  } finally {
    await page?.close();
  }

  // Step paths: every session against the first Wasmtime session of its program.
  for (const program of opts.programs) {
    const ref = results.sessions.find((s) => s.ok && s.program === program && s.target === 'wasmtime');
    if (!ref) continue;
    for (const s of results.sessions.filter((x) => x.ok && x.program === program && x !== ref)) {
      for (const [what, a, b] of [['stepIn/stepOut', ref.stepInOut.trace, s.stepInOut.trace], ['next', ref.next.trace, s.next.trace],
        ['loop start', [ref.loopStart], [s.loopStart]]]) {
        const i = a.findIndex((x, k) => x !== b[k]);
        if (i >= 0) {
          results.divergences.push({ program, target: s.target, run: s.run, what, step: i + 1,
            wasmtime: a[i], target_: b[i], wasmtimeBefore: a[i - 1] ?? null, targetBefore: b[i - 1] ?? null });
        }
      }
    }
  }

  // Medians over the runs.
  const rows = [];
  const summary = {};
  for (const program of opts.programs) {
    summary[program] = {};
    for (const target of opts.targets) {
      const ss = results.sessions.filter((s) => s.program === program && s.target === target && s.ok);
      const ps = results.plain.filter((p) => p.program === program && p.target === target && p.ok);
      summary[program][target] = {
        sessions: ss.length, plainRuns: ps.length,
        cfgToStop: median(ss.map((s) => s.firstStop.cfgToStop)),
        launchToStop: median(ss.map((s) => s.firstStop.launchToStop)),
        nextMean: median(ss.map((s) => s.next.mean)),
        nextMedian: median(ss.map((s) => s.next.median)),
        stepIn: median(ss.map((s) => s.stepInStats.mean)),
        stepOut: median(ss.map((s) => s.stepOutStats.mean)),
        plain: median(ps.map((p) => p.ms)),
      };
    }
    const wt = summary[program].wasmtime;
    for (const target of opts.targets) {
      const m = summary[program][target];
      m.launchToStopOverPlain = m.launchToStop != null && m.plain ? round(m.launchToStop / m.plain, 2) : null;
      m.cfgToStopOverPlain = m.cfgToStop != null && m.plain ? round(m.cfgToStop / m.plain, 2) : null;
      m.nextMeanOverWasmtime = wt?.nextMean && m.nextMean != null ? round(m.nextMean / wt.nextMean, 2) : null;
      m.nextMedianOverWasmtime = wt?.nextMedian && m.nextMedian != null ? round(m.nextMedian / wt.nextMedian, 2) : null;
      rows.push([program, target, `${m.sessions}/${opts.runs}`, fmt(m.cfgToStop, 0), fmt(m.launchToStop, 0), fmt(m.plain, 0),
        fmt(m.cfgToStopOverPlain, 2), fmt(m.launchToStopOverPlain, 2),
        fmt(m.nextMean, 2), fmt(m.nextMedian, 2), fmt(m.nextMeanOverWasmtime, 2), fmt(m.nextMedianOverWasmtime, 2),
        fmt(m.stepIn, 2), fmt(m.stepOut, 2)]);
    }
  }
  results.summary = summary;
  results.wasmscopeBinary = { before: stampBefore, after: binStamp() };
  if (stampBefore !== results.wasmscopeBinary.after) {
    results.warnings = [`${opts.wasmscope} changed during the run (${stampBefore} -> ${results.wasmscopeBinary.after}): the sessions may mix two builds`];
  }
  results.finished = new Date().toISOString();

  fs.mkdirSync(opts.out, { recursive: true });
  const file = path.join(opts.out, `results-${started.toISOString().replace(/[:.]/g, '-')}.json`);
  fs.writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`);
  fs.writeFileSync(path.join(opts.out, 'latest.json'), `${JSON.stringify(results, null, 2)}\n`);

  console.log(`wasmscope dap, DevTools targets vs Wasmtime: medians of ${opts.runs} run(s); ${opts.steps} \`next\` from the loop marker, ` +
    `${opts.stepIn}x (stepIn, next) then ${opts.stepIn}x stepOut from the first stop`);
  for (const program of opts.programs) {
    const spec = PROGRAMS[program];
    console.log(`  ${program}: first stop at ${spec.first}, nexts from ${loopName(spec)} (${spec.source})`);
  }
  console.log('  cfg→stop: configurationDone → stopped; launch→stop: launch request → stopped; plain: the program without a debugger');
  console.log('  (wasmtime: `wasmtime run`, node: run-wasi.mjs, chrome: chromium headless until title "exit"); ms unless ×\n');
  console.log(table(rows, ['program', 'target', 'ok', 'cfg→stop', 'launch→stop', 'plain', 'cfg÷plain', 'launch÷plain',
    'next mean', 'next med', 'mean÷wt', 'med÷wt', 'stepIn', 'stepOut']));
  // `next` by the function each step starts in: the cost of a step on a
  // DevTools target depends on the function (see the header).
  console.log('\n`next` by the function it starts in: median ms over all runs (steps per session)');
  for (const program of opts.programs) {
    for (const target of opts.targets) {
      const ss = results.sessions.filter((s) => s.program === program && s.target === target && s.ok);
      const by = new Map();
      for (const s of ss) {
        let from = s.loopStart;
        s.next.trace.forEach((to, i) => {
          const fn = from.split('@')[0];
          if (!by.has(fn)) by.set(fn, []);
          by.get(fn).push(s.next.times[i]);
          from = to;
        });
      }
      const parts = [...by].map(([fn, xs]) => `${fn} ${fmt(stats(xs).median, 2)} (${xs.length / ss.length})`);
      if (parts.length) console.log(`  ${program.padEnd(8)} ${target.padEnd(8)}  ${parts.join(', ')}`);
    }
  }
  console.log(`\nresults: ${path.relative(process.cwd(), file)}`);
  for (const d of results.divergences) {
    console.log(`DIVERGENCE ${d.program} ${d.target} run ${d.run}, ${d.what} #${d.step}: wasmtime ${d.wasmtime}, ` +
      `${d.target} ${d.target_} (previous: wasmtime ${d.wasmtimeBefore}, ${d.target} ${d.targetBefore})`);
  }
  for (const w of results.warnings ?? []) console.log(`WARNING ${w}`);
  for (const f of results.failures) console.log(`FAILED ${f}`);
  return results.failures.length || results.divergences.length ? 1 : 0;
}

main().then((code) => process.exit(code), (e) => {
  console.error(`measure.mjs: ${e?.stack ?? e}`);
  process.exit(1);
});
