#!/usr/bin/env node
// Tables and agreement checks for results of compare.mjs.
//
//   node report.mjs RESULTS_DIR [PROGRAM...]
//
// RESULTS_DIR holds one directory per program (c-O0, heavy-rust-O0, ...,
// as bench/dap-compare.sh writes them), each with lldb-*.json and
// wasmscope-*.json; or those files directly (one program). One block per
// program: the table, then stack, locals and step path compared.
//
// Timings are the median over the runs of each adapter (of each run's mean
// or median step); the last column is lldb / wasmscope. Stacks, locals and
// step traces are compared from each adapter's first successful run; the
// step path (function@file:line after each `next`) is also compared between
// the runs of one adapter.
// Programs with heavy-call lines (compare.mjs `heavyLines`: the lines of
// main's loop that call checksum/fib/sorted_copy/words) get the figure that
// matters there: ms per `next` over such a line, from the steps that start
// on one and stop in main's frame (a step over that ran the line's calls to
// their return; a step that ends in a callee or out of main is not counted),
// and the median per line.
// Exit status: 0 when both adapters ran for every program, 1 otherwise (the
// tables are printed either way).
//
// Normalization (what is not counted as a disagreement), and why:
//  * Function names: a module prefix ("wasm-0`"), an offset suffix (" + 121"),
//    an argument list ("factorial(n=10)") and a Rust symbol hash
//    ("::h9776b51e87861d5e", which LLDB shows with the legacy mangling half
//    decoded: `$LT$impl$u20$...` is decoded too) and wasmscope's ` [inlined]`
//    mark are dropped: they are presentation, not identity. `__main_argc_argv` is read as `main`:
//    wasi-libc renames C's `int main(int, char **)` to that symbol, LLDB shows
//    the symbol name while the DWARF subprogram is `main`.
//  * Frames without a source file (lldb-dap points them at generated
//    disassembly) have no source line: only their names are compared.
//  * Values: numbers are compared as numbers, so `0x000116d0` = `0x116d0` and
//    `1.50` = `1.5`; a type prefix like `(char *) 0x10` is dropped; a char
//    shown as `97 'a'` or `'a'` compares by its character; quoted strings
//    compare by content. Other values of aggregates (structs, arrays, unions)
//    are summaries whose form is each adapter's own choice (lldb-dap shows the
//    type, e.g. `Shape[3]`): only their presence is compared.
//  * A value that cannot be read compares equal to another one:
//    `<error: variable not available>` = `<error: optimized out>` =
//    `<unreadable>`.
//  * lldb-dap reports "no variable information" as a pseudo-variable named
//    `<error>`; it is dropped (the frame then has no locals).
//  * Scopes: the locals of a frame are the union of its local and argument
//    scopes (lldb-dap has one "Locals" scope holding the arguments too).
//  * Step traces compare function@file:line of each stop, with the same name
//    rule (a stop without a source file compares by function name only), and
//    the stack depth relative to the stack at the first stop.
import { readFileSync, readdirSync, existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const ORDER = ['c-O0', 'heavy-rust-O0', 'heavy-cpp-O0'];

const root = process.argv[2];
if (!root) { console.error('usage: node report.mjs RESULTS_DIR [PROGRAM...]'); process.exit(2); }
let dir = root; // the program's results directory, set by reportProgram

function load(adapter) {
  const files = readdirSync(dir).filter((f) => f.startsWith(`${adapter}-`) && f.endsWith('.json')).sort();
  return files.map((f) => {
    try { return JSON.parse(readFileSync(path.join(dir, f), 'utf8')); } catch (e) {
      return { adapter, ok: false, error: `unreadable ${f}: ${e.message}` };
    }
  });
}

const median = (xs) => {
  const s = xs.filter((x) => typeof x === 'number').sort((a, b) => a - b);
  if (!s.length) return null;
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

// Mean ms of the steps that stop on a line of main(): the two adapters do
// not take the same sequence of steps (LLDB steps into the recursion and by
// instructions after main returns), this is the comparable subset.
function mainStepMs(r) {
  const t = r.steps?.times ?? [];
  const xs = t.filter((_, i) => /^main@main\.c:/.test(traceKey(r.steps.trace[i] ?? '')));
  return xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : null;
}

const mean = (xs) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : null);

// Steps over a heavy-call line: they start on one of `heavyLines` and stop in
// the program's source at the depth of the first stop (main's frame).
function heavySteps(r) {
  const lines = new Set(r.heavyLines ?? []);
  const st = r.steps;
  if (!lines.size || !st?.fromLines) return [];
  const file = path.basename(r.breakpoint?.file ?? '');
  return st.times.flatMap((t, i) => {
    const to = String(st.trace[i] ?? '');
    const ok = lines.has(st.fromLines[i]) && to.endsWith(`@${file}:${to.split(':').pop()}`) &&
      st.depths[i] === r.stack.length;
    return ok ? [{ line: st.fromLines[i], ms: t }] : [];
  });
}

function summarize(adapter) {
  const runs = load(adapter);
  const good = runs.filter((r) => r.ok);
  const heavy = good.map(heavySteps);
  const byLine = {};
  for (const h of heavy.flat()) (byLine[h.line] ??= []).push(h.ms);
  const paths = good.map((r) => (r.steps?.trace ?? []).map(traceKey).join('\n'));
  return {
    runsSamePath: good.length ? paths.every((p) => p === paths[0]) : null,
    heavyMs: median(heavy.map((h) => mean(h.map((x) => x.ms)))),
    heavyMedianMs: median(heavy.map((h) => median(h.map((x) => x.ms)))),
    heavyCount: good.length ? heavy.map((h) => h.length).join('/') : null,
    // ms/step over the first `n` steps (the path both adapters share).
    prefixMs: (n) => median(good.map((r) => mean((r.steps?.times ?? []).slice(0, n)))),
    heavyByLine: Object.fromEntries(Object.entries(byLine).map(([l, xs]) => [l, { median: median(xs), n: xs.length }])),
    adapter, runs: runs.length, okRuns: good.length, first: good[0] ?? null,
    error: good.length ? null : (runs[0]?.error ?? 'no result'),
    firstStopMs: median(good.map((r) => r.firstStopMs)),
    firstStopFromSpawnMs: median(good.map((r) => r.firstStopFromSpawnMs)),
    msPerStep: median(good.map((r) => r.steps?.msPerStep)),
    medianStepMs: median(good.map((r) => r.steps?.stats?.median)),
    msPerMainStep: median(good.map(mainStepMs)),
    stepsDone: good[0]?.steps ? `${good[0].steps.completed}/${good[0].steps.requested}` : null,
    version: runs[0]?.adapterVersion ?? null,
  };
}

function normName(name) {
  if (name == null) return null;
  let n = String(name).trim();
  n = n.replace(/^[^`\s]*`/, ''); // module prefix
  n = n.replace(/\s*\+\s*(0x)?[0-9a-f]+$/i, ''); // "+ 121"
  n = n.replace(/\(.*\)\s*$/, ''); // argument list
  n = n.replace(/\s*\[inlined\]$/, ''); // wasmscope's mark on an inlined frame
  n = n.trim();
  if (n === '__main_argc_argv') n = 'main';
  // Rust legacy symbols as LLDB shows them: hash dropped, `$..$` escapes decoded.
  n = n.replace(/::h[0-9a-f]{16}$/, '');
  if (/\$(LT|GT|u20|RF|BP|C|u7b|u7d|u5b|u5d|u27|LP|RP)\$/.test(n)) {
    const esc = { LT: '<', GT: '>', u20: ' ', RF: '&', BP: '*', C: ',', u7b: '{', u7d: '}', u5b: '[', u5d: ']', u27: "'", LP: '(', RP: ')' };
    n = n.replace(/(^|::)_\$/g, '$1$').replace(/\$(LT|GT|u20|RF|BP|C|u7b|u7d|u5b|u5d|u27|LP|RP)\$/g, (_, k) => esc[k]).replace(/\.\./g, '::');
  }
  return n;
}

// Returns { kind, v } where kind says how the value is compared.
function normValue(value, isCompound) {
  let s = String(value ?? '').trim();
  s = s.replace(/^\([^()]*\)\s*/, ''); // "(char *) 0x10" -> "0x10"
  let m;
  if (/^<(error\b.*|unreadable|optimized out|unavailable)>$/i.test(s)) return { kind: 'unavailable', v: null };
  if ((m = /^(-?\d+)\s+'(.*)'$/.exec(s)) || (m = /^()'(.*)'$/.exec(s))) return { kind: 'char', v: m[2] };
  if (/^".*"$/s.test(s)) return { kind: 'string', v: s.slice(1, -1) };
  if (/^-?0x[0-9a-f]+$/i.test(s)) {
    const neg = s.startsWith('-');
    return { kind: 'number', v: ((neg ? -1n : 1n) * BigInt(s.replace('-', ''))).toString() };
  }
  if (/^-?\d+$/.test(s)) return { kind: 'number', v: BigInt(s).toString() };
  if (/^-?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i.test(s)) return { kind: 'number', v: String(Number(s)) };
  if (/^(true|false)$/i.test(s)) return { kind: 'bool', v: s.toLowerCase() };
  if (isCompound) return { kind: 'aggregate', v: null };
  return { kind: 'text', v: s };
}

function valuesAgree(a, b) {
  if (a.kind === 'aggregate' || b.kind === 'aggregate') {
    // A summary against a summary: presence only. A summary against a
    // concrete scalar/string is reported.
    return a.kind === b.kind || a.kind === 'aggregate' && b.kind === 'text' || b.kind === 'aggregate' && a.kind === 'text';
  }
  return a.kind === b.kind && a.v === b.v;
}

function compareStacks(A, B, an, bn) {
  const diffs = [];
  const n = Math.max(A.length, B.length);
  for (let i = 0; i < n; i++) {
    const a = A[i];
    const b = B[i];
    if (!a || !b) {
      const f = a ?? b;
      diffs.push(`frame #${i}: only ${a ? an : bn} has ${normName(f.name)} ${f.source ? `${f.source}:${f.line}` : '(no source)'}`);
      continue;
    }
    const na = normName(a.name);
    const nb = normName(b.name);
    if (na !== nb) diffs.push(`frame #${i}: name ${an}=${JSON.stringify(a.name)} ${bn}=${JSON.stringify(b.name)}`);
    if (a.line != null && b.line != null && a.line !== b.line) diffs.push(`frame #${i} (${na}): line ${an}=${a.line} ${bn}=${b.line}`);
    if (a.source && b.source && a.source !== b.source) diffs.push(`frame #${i} (${na}): source ${an}=${a.source} ${bn}=${b.source}`);
    if ((a.line == null) !== (b.line == null)) {
      diffs.push(`frame #${i} (${na}): source line ${an}=${a.line ?? 'none'} ${bn}=${b.line ?? 'none'}`);
    }
  }
  return diffs;
}

// Variable names as each adapter prints them: lldb-dap appends ` @ file:line`
// to a name it lists twice and calls a parameter without a name `<null>`,
// wasmscope `<unnamed>`: both become `<unnamed>`.
function cleanVars(frame) {
  const vars = {};
  for (const [name, value] of Object.entries(frame?.vars ?? {})) {
    if (name === '<error>') continue;
    let n = name.replace(/ @ \S+:\d+$/, '');
    if (n === '<null>') n = '<unnamed>';
    vars[n] = value;
  }
  return vars;
}

function compareLocals(LA, LB, an, bn) {
  const diffs = [];
  let compared = 0;
  let presenceOnly = 0;
  const n = Math.max(LA.length, LB.length);
  for (let i = 0; i < n; i++) {
    const fa = LA[i];
    const fb = LB[i];
    const label = `frame #${i} (${normName(fa?.frame ?? fb?.frame)})`;
    if (!fa || !fb) { diffs.push(`${label}: locals only from ${fa ? an : bn}`); continue; }
    const va = cleanVars(fa);
    const vb = cleanVars(fb);
    const ca = new Set(fa.compound ?? []);
    const cb = new Set(fb.compound ?? []);
    for (const k of Object.keys(va)) if (!(k in vb)) diffs.push(`${label}: ${k} only in ${an} (= ${va[k]})`);
    for (const k of Object.keys(vb)) if (!(k in va)) diffs.push(`${label}: ${k} only in ${bn} (= ${vb[k]})`);
    for (const k of Object.keys(va)) {
      if (!(k in vb)) continue;
      const x = normValue(va[k], ca.has(k));
      const y = normValue(vb[k], cb.has(k));
      if (x.kind === 'aggregate' || y.kind === 'aggregate') presenceOnly++; else compared++;
      if (!valuesAgree(x, y)) diffs.push(`${label}: ${k} ${an}=${JSON.stringify(va[k])} ${bn}=${JSON.stringify(vb[k])}`);
    }
  }
  return { diffs, compared, presenceOnly };
}

function traceKey(t) {
  const [fn, loc] = String(t).split('@');
  const name = normName(fn);
  return loc === '<no source>' || loc === undefined ? name : `${name}@${loc}`;
}

// Stops compare by function@file:line and by stack depth relative to the
// stack at the first stop (so an adapter that hides or adds runtime frames
// below main is not penalized for it).
function compareTraces(a, b) {
  const A = a.steps?.trace ?? [];
  const B = b.steps?.trace ?? [];
  const DA = (a.steps?.depths ?? []).map((d) => d - a.stack.length);
  const DB = (b.steps?.depths ?? []).map((d) => d - b.stack.length);
  const n = Math.min(A.length, B.length);
  let same = 0;
  let firstDiff = null;
  for (let i = 0; i < n; i++) {
    const eq = traceKey(A[i]) === traceKey(B[i]) && (DA[i] == null || DB[i] == null || DA[i] === DB[i]);
    if (eq) same++;
    else if (firstDiff == null) firstDiff = i;
  }
  if (firstDiff == null && A.length !== B.length) firstDiff = n;
  // Stops in common in order (longest common subsequence of function:line),
  // so that one extra or missing stop does not count as all later ones; the
  // stops outside it are listed.
  const KA = A.map(traceKey);
  const KB = B.map(traceKey);
  const T = Array.from({ length: KA.length + 1 }, () => new Array(KB.length + 1).fill(0));
  for (let i = KA.length - 1; i >= 0; i--) {
    for (let j = KB.length - 1; j >= 0; j--) {
      T[i][j] = KA[i] === KB[j] ? T[i + 1][j + 1] + 1 : Math.max(T[i + 1][j], T[i][j + 1]);
    }
  }
  const common = T[0][0];
  const extra = []; // [step, 'lldb'|'wasmscope', key]
  let i = 0;
  let j = 0;
  while (i < KA.length || j < KB.length) {
    if (i < KA.length && j < KB.length && KA[i] === KB[j]) { i++; j++; }
    else if (j >= KB.length || (i < KA.length && T[i + 1][j] >= T[i][j + 1])) { extra.push([i + 1, 'lldb', KA[i]]); i++; }
    else { extra.push([j + 1, 'wasmscope', KB[j]]); j++; }
  }
  const at = (T, D, i) => (T[i] == null ? '-' : `${traceKey(T[i])}${D[i] == null ? '' : ` (depth ${D[i] >= 0 ? '+' : ''}${D[i]})`}`);
  return { same, common, extra, of: Math.max(A.length, B.length), firstDiff, at: (i) => [at(A, DA, i), at(B, DB, i)] };
}

const fmt = (x, d = 1) => (x == null ? '-' : x.toFixed(d));
const ratio = (a, b) => (a == null || b == null || !b ? '-' : `${(a / b).toFixed(1)}x`);

function sourceLineText(file, line) {
  try { return readFileSync(file, 'utf8').split('\n')[line - 1].replace(/\/\/.*$/, '').trim(); } catch { return ''; }
}

// One program's block; returns whether both adapters ran.
function reportProgram(name, programDir) {
  dir = programDir;
  const L = summarize('lldb');
  const W = summarize('wasmscope');
  const any = L.first ?? W.first;
  const isC = !name || name === 'c-O0';
  const heavy = (any?.heavyLines ?? []).length > 0;

  const rows = [
    ['', 'lldb-dap-22 + wasmtime -g', 'wasmscope dap', 'lldb/wasmscope'],
    ['runs ok', `${L.okRuns}/${L.runs}`, `${W.okRuns}/${W.runs}`, ''],
    ['launch/attach -> first stop (ms)', fmt(L.firstStopMs), fmt(W.firstStopMs), ratio(L.firstStopMs, W.firstStopMs)],
    ['spawn -> first stop (ms)', fmt(L.firstStopFromSpawnMs), fmt(W.firstStopFromSpawnMs), ratio(L.firstStopFromSpawnMs, W.firstStopFromSpawnMs)],
    ['next: ms/step (mean)', fmt(L.msPerStep, 2), fmt(W.msPerStep, 2), ratio(L.msPerStep, W.msPerStep)],
    ['next: ms/step (median step)', fmt(L.medianStepMs, 2), fmt(W.medianStepMs, 2), ratio(L.medianStepMs, W.medianStepMs)],
  ];
  if (isC) rows.push(['next: ms/step, stops in main()', fmt(L.msPerMainStep, 2), fmt(W.msPerMainStep, 2), ratio(L.msPerMainStep, W.msPerMainStep)]);
  if (heavy) {
    rows.push(
      ['next over heavy-call lines: ms/step (mean)', fmt(L.heavyMs, 2), fmt(W.heavyMs, 2), ratio(L.heavyMs, W.heavyMs)],
      ['next over heavy-call lines: ms/step (median)', fmt(L.heavyMedianMs, 2), fmt(W.heavyMedianMs, 2), ratio(L.heavyMedianMs, W.heavyMedianMs)],
      ['heavy-call-line steps (per run)', L.heavyCount ?? '-', W.heavyCount ?? '-', ''],
    );
  }
  // When the step paths diverge, the figure over the steps before the first
  // difference is the one that compares the same work.
  const tr0 = L.first && W.first ? compareTraces(L.first, W.first) : null;
  if (!isC && tr0?.firstDiff != null && tr0.firstDiff > 0) {
    const k = tr0.firstDiff;
    rows.push([`next: ms/step (mean), common path (steps 1-${k})`, fmt(L.prefixMs(k), 2), fmt(W.prefixMs(k), 2), ratio(L.prefixMs(k), W.prefixMs(k))]);
  }
  rows.push(['steps completed', L.stepsDone ?? '-', W.stepsDone ?? '-', '']);
  const widths = [0, 1, 2, 3].map((c) => Math.max(...rows.map((r) => String(r[c]).length)));
  const bp = any?.breakpoint;
  const where = bp ? `\`// BP: ${bp.marker}\` (${path.relative(REPO, bp.file)})` : '?';
  const prog = any?.program ? path.relative(REPO, any.program) : '?';
  console.log(`DAP comparison${name ? ` [${name}]` : ''}: breakpoint at ${where}, ${prog}`);
  for (const r of rows) {
    console.log(`  ${r[0].padEnd(widths[0])}  ${String(r[1]).padStart(widths[1])}  ${String(r[2]).padStart(widths[2])}  ${String(r[3]).padStart(widths[3])}`);
  }
  console.log(`  (medians over the runs; adapters: ${L.version ?? '?'} | ${W.version ?? '?'})`);
  if (heavy) {
    console.log('  next over each heavy-call line, median ms (steps):');
    const file = any.breakpoint.file;
    for (const line of any.heavyLines) {
      const l = L.heavyByLine[line];
      const w = W.heavyByLine[line];
      console.log(`    ${String(line).padStart(4)} ${sourceLineText(file, line).slice(0, 44).padEnd(44)}` +
        `  lldb ${l ? `${fmt(l.median, 2)} (${l.n})` : '- (0)'}  wasmscope ${w ? `${fmt(w.median, 2)} (${w.n})` : '- (0)'}`);
    }
  }

  for (const s of [L, W]) if (!s.first) console.log(`\n${s.adapter}: no successful run: ${String(s.error).split('\n')[0]}`);

  if (L.first && W.first) {
    const a = L.first;
    const b = W.first;
    const sd = compareStacks(a.stack, b.stack, 'lldb', 'wasmscope');
    const ld = compareLocals(a.locals, b.locals, 'lldb', 'wasmscope');
    const tr = compareTraces(a, b);
    console.log(`\nstack (names + lines): ${sd.length ? 'DIFFER' : 'agree'} (${a.stack.length} vs ${b.stack.length} frames)`);
    for (const d of sd) console.log(`  - ${d}`);
    console.log(`locals (first 4 frames): ${ld.diffs.length ? 'DIFFER' : 'agree'} (${ld.compared} values compared, ${ld.presenceOnly} aggregates by presence)`);
    for (const d of ld.diffs) console.log(`  - ${d}`);
    console.log(`step trace: ${tr.same}/${tr.of} stops equal step by step (function:line and relative depth), ` +
      `${tr.common} function:line stops in common in order` +
      (tr.firstDiff != null ? `; first difference at step ${tr.firstDiff + 1}: lldb=${tr.at(tr.firstDiff)[0]} wasmscope=${tr.at(tr.firstDiff)[1]}` : ''));
    if (!isC) {
      // The heavy programs' timings compare like with like only if both
      // adapters stop on the same lines: say so plainly.
      console.log(tr.firstDiff == null
        ? `step path: SAME for both adapters (${tr.of} stops)`
        : `step path: DIVERGES at step ${tr.firstDiff + 1} (same for steps 1-${tr.firstDiff}); ` +
          'timings of the later steps are not comparable');
    }
    const runsPath = (s) => (s.runsSamePath == null ? '-' : s.runsSamePath ? `same in all ${s.okRuns} run(s)` : 'DIFFERS between its runs');
    console.log(`step path of each adapter: lldb ${runsPath(L)}, wasmscope ${runsPath(W)}`);
    // LLDB 22's `next` over the recursive call at the breakpoint stops in the
    // innermost activation (depth +9) instead of stepping over it: on wasm it
    // takes the callee's frame for the same frame. An adapter that steps over
    // correctly differs from step 1 or 2 on; see README.md.
    if (tr.extra.length) {
      // Runs of consecutive extra stops of one side are folded into one line.
      const lines = [];
      for (const [step, who, key] of tr.extra) {
        const last = lines[lines.length - 1];
        if (last && last.who === who && last.key === key && last.to === step - 1) { last.to = step; last.n++; }
        else lines.push({ who, key, from: step, to: step, n: 1 });
      }
      console.log('  stops of one adapter only (step numbers of that adapter):');
      for (const l of lines.slice(0, 20)) {
        console.log(`    ${l.who} step ${l.from}${l.to > l.from ? `-${l.to}` : ''}: ${l.key}${l.n > 1 ? ` (x${l.n})` : ''}`);
      }
      if (lines.length > 20) console.log(`    … ${lines.length - 20} more`);
    }
    if (isC && tr.firstDiff != null && tr.firstDiff < 12) console.log('  (LLDB steps into the recursion at the first `next`: see bench/dap-compare/README.md)');
  } else if (L.first) {
    const a = L.first;
    console.log('\nlldb stack:');
    for (const f of a.stack) console.log(`  ${f.name}  ${f.source ? `${f.source}:${f.line}` : '(no source)'}`);
    console.log('lldb locals:');
    for (const f of a.locals) console.log(`  ${f.frame}: ${JSON.stringify(cleanVars(f))}`);
  }
  return !!(L.first && W.first);
}

// One program (result files directly in RESULTS_DIR) or one per directory.
const isResult = (f) => /^(lldb|wasmscope)-.*\.json$/.test(f);
let programs;
if (readdirSync(root).some(isResult)) programs = [[null, root]];
else {
  const names = readdirSync(root).filter((d) => statSync(path.join(root, d)).isDirectory());
  const wanted = process.argv.slice(3);
  const order = (n) => (ORDER.includes(n) ? ORDER.indexOf(n) : ORDER.length);
  programs = (wanted.length ? wanted : names.sort((x, y) => order(x) - order(y) || x.localeCompare(y)))
    .map((n) => [n, path.join(root, n)]);
}
let allOk = programs.length > 0;
programs.forEach(([name, d], i) => {
  if (i) console.log(`\n${'-'.repeat(78)}\n`);
  if (!existsSync(d)) { console.log(`${name}: no results in ${d}`); allOk = false; return; }
  allOk = reportProgram(name, d) && allOk;
});
if (!programs.length) console.log(`no results in ${root}`);
process.exit(allOk ? 0 : 1);
