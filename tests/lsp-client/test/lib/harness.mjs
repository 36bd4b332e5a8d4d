// Test harness for `wasmscope lsp` driven by a real LSP client: the
// ProtocolConnection of vscode-languageserver-protocol (the library the
// VS Code language client is built on), over the server's stdin/stdout.
//
// LspSession spawns `$WASMSCOPE_BIN lsp`, records everything the server sends
// on its own (notifications such as publishDiagnostics and showMessage, and
// requests such as workspace/codeLens/refresh, which it answers) from the
// start, so nothing that arrives before a test waits for it is lost; puts a
// time limit on every request and wait; and fails waits at once, with the
// server's stderr, when the server exits. Each session's transcript (every
// message both ways, and stderr) is written to tests/lsp-client/logs/.
//
// The expected values of the tests never come from the server: they are
// computed here from the inputs — a profile file's own data (profileFigures,
// lineFigures) and the CLI's own output (`wasmscope lines`, `symbolize`).

import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import zlib from 'node:zlib';
import { fileURLToPath, pathToFileURL } from 'node:url';
import assert from 'node:assert/strict';

import {
  createProtocolConnection, StreamMessageReader, StreamMessageWriter,
} from 'vscode-languageserver-protocol/node.js';

export { assert };

// ---- locations ------------------------------------------------------------------------------

const HERE = path.dirname(fileURLToPath(import.meta.url));
/** Repository root (real path). */
export const REPO = fs.realpathSync(path.resolve(HERE, '../../../..'));
export const BIN = process.env.WASMSCOPE_BIN
  ? path.resolve(process.env.WASMSCOPE_BIN)
  : path.join(REPO, 'target/debug/wasmscope');
export const GUESTS = process.env.WASMSCOPE_GUESTS
  ? path.resolve(process.env.WASMSCOPE_GUESTS)
  : path.join(REPO, 'target/guests');
export const LOG_DIR = path.resolve(HERE, '../../logs');

/** The example program of the tests, built at -O2 (mix() is inlined). */
export const HOTSPOTS_WASM = path.join(GUESTS, 'hotspots-O2.wasm');
/** Its source, relative to the repository (and to a copied workspace). */
export const HOTSPOTS_REL = 'examples/hotspots/hotspots.c';
export const HOTSPOTS_C = path.join(REPO, HOTSPOTS_REL);
/** The prefix the guests' DWARF records their sources under. */
export const RECORDED_PREFIX = '/wasmscope';
export const RECORDED_HOTSPOTS_C = `${RECORDED_PREFIX}/${HOTSPOTS_REL}`;

/** Per-test time limit for node:test. */
export const TEST_TIMEOUT = Number(process.env.LSP_TEST_TIMEOUT_MS || 120_000);
/** Time limit for one request, or one awaited message. */
export const WAIT_TIMEOUT = Number(process.env.LSP_WAIT_TIMEOUT_MS || 30_000);

// Fail loudly, never skip: a missing binary or guest is an error of the run.
function preflight() {
  const problems = [];
  if (!fs.existsSync(BIN)) problems.push(`wasmscope binary not found: ${BIN} (build it, or set WASMSCOPE_BIN)`);
  if (!fs.existsSync(HOTSPOTS_WASM)) problems.push(`guest not found: ${HOTSPOTS_WASM} (run tests/guests/build.sh)`);
  if (!fs.existsSync(HOTSPOTS_C)) problems.push(`source not found: ${HOTSPOTS_C}`);
  if (problems.length) throw new Error(`lsp-client tests cannot run:\n  ${problems.join('\n  ')}`);
}
preflight();

export function fileUri(p) {
  return pathToFileURL(p).href;
}

/** A fresh temporary directory (real path); removed by the caller. */
export function tempDir(prefix) {
  return fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), `wasmscope-lsp-${prefix}-`)));
}

export function delay(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Rejects with `what` after `ms` unless `promise` settles first. */
export function within(promise, ms, what) {
  let timer;
  const timeout = new Promise((resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: nothing within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

// ---- the CLI: the independent oracle ---------------------------------------------------------

/** Runs `wasmscope ARGS…`; returns {status, stdout, stderr}. */
export function cli(args, options = {}) {
  const r = spawnSync(BIN, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 120_000, ...options });
  if (r.error) throw r.error;
  assert.equal(r.signal, null, `wasmscope ${args.join(' ')} killed by ${r.signal}: ${r.stderr}`);
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** The sampling rate the tests profile at: one sample is 1000 / RATE ms of weight. */
export const PROFILE_RATE = 1000;

/**
 * `wasmscope profile --format FORMAT --rate RATE -o OUT PROGRAM -- ROUNDS`
 * (FORMAT from OUT: .json → speedscope, .pb.gz → pprof, .folded → folded).
 * The profile is written to a temporary name and renamed into place, so a
 * server watching OUT's directory never sees it half-written. Returns the
 * sample count the CLI's summary line reports.
 */
export function profileInto(out, { program = HOTSPOTS_WASM, rounds = 10 } = {}) {
  const format = out.endsWith('.json') ? 'speedscope' : out.endsWith('.pb.gz') ? 'pprof' : 'folded';
  const tmp = path.join(path.dirname(out), `.tmp-${path.basename(out)}`);
  const r = cli(['profile', '--format', format, '--rate', String(PROFILE_RATE), '-o', tmp, program, '--', String(rounds)]);
  assert.equal(r.status, 0, `wasmscope profile failed (${r.status}): ${r.stderr}`);
  const summary = /^wasmscope: (\d+) samples at /m.exec(r.stderr);
  assert.ok(summary, `wasmscope profile printed no summary: ${r.stderr}`);
  fs.renameSync(tmp, out);
  return { file: out, cliSamples: Number(summary[1]) };
}

/** A speedscope profile of hotspots in OUT (a .json path); returns OUT. */
export function profileSpeedscope(out, program = HOTSPOTS_WASM, rounds = 10) {
  return profileInto(out, { program, rounds }).file;
}

/** A pprof profile of hotspots in OUT (a .pb.gz path); returns OUT. */
export function profilePprof(out, rounds = 10) {
  return profileInto(out, { rounds }).file;
}

const INLINED_SUFFIX = '_[i]';

/**
 * A speedscope file's stacks, root first: [{frames: [{name, file, line}], count}].
 * Inlined frames' names lose their "_[i]" suffix (a function's inlined copies
 * and its body are one function). A stack's count is its weight in samples:
 * weight (ms) / the sampling period (1000 / PROFILE_RATE ms).
 */
export function readSpeedscope(file) {
  const json = JSON.parse(fs.readFileSync(file, 'utf8'));
  const frames = json.shared.frames.map((f) => ({
    name: f.name.endsWith(INLINED_SUFFIX) ? f.name.slice(0, -INLINED_SUFFIX.length) : f.name,
    file: f.file ?? null,
    line: f.line ?? 0,
  }));
  const profile = json.profiles[0];
  assert.equal(profile.unit, 'milliseconds', `speedscope unit: ${profile.unit}`);
  const period = 1000 / PROFILE_RATE;
  return profile.samples.map((stack, i) => {
    const count = profile.weights[i] / period;
    assert.ok(Math.abs(count - Math.round(count)) < 1e-6, `weight ${profile.weights[i]} is not a whole number of ${period} ms samples`);
    return { frames: stack.map((j) => frames[j]), count: Math.round(count) };
  });
}

// A minimal reader of profile.proto (github.com/google/pprof/proto/profile.proto),
// enough for the fields `wasmscope profile --format pprof` writes.

/** Protobuf fields of `buf`: [{field, wire, value}] (value: BigInt or a Buffer). */
function protoFields(buf) {
  const out = [];
  let i = 0;
  const varint = () => {
    let v = 0n;
    let shift = 0n;
    for (;;) {
      const b = buf[i];
      i += 1;
      v |= BigInt(b & 0x7f) << shift;
      if (!(b & 0x80)) return v;
      shift += 7n;
    }
  };
  while (i < buf.length) {
    const key = varint();
    const field = Number(key >> 3n);
    const wire = Number(key & 7n);
    if (wire === 0) out.push({ field, wire, value: varint() });
    else if (wire === 2) {
      const len = Number(varint());
      out.push({ field, wire, value: buf.subarray(i, i + len) });
      i += len;
    } else if (wire === 1) { out.push({ field, wire, value: buf.readBigUInt64LE(i) }); i += 8; }
    else if (wire === 5) { out.push({ field, wire, value: BigInt(buf.readUInt32LE(i)) }); i += 4; }
    else throw new Error(`protobuf: wire type ${wire}`);
  }
  return out;
}

/** The integers of a repeated integer field: packed (a Buffer of varints) or not. */
function protoInts(fields, field) {
  const out = [];
  for (const f of fields.filter((x) => x.field === field)) {
    if (f.wire === 0) out.push(Number(f.value));
    else {
      let i = 0;
      while (i < f.value.length) {
        let v = 0n;
        let shift = 0n;
        for (;;) {
          const b = f.value[i];
          i += 1;
          v |= BigInt(b & 0x7f) << shift;
          if (!(b & 0x80)) break;
          shift += 7n;
        }
        out.push(Number(v));
      }
    }
  }
  return out;
}

const protoInt = (fields, field) => Number(fields.find((f) => f.field === field)?.value ?? 0n);

/**
 * A gzipped pprof profile's stacks, root first, like readSpeedscope's: a
 * location's lines are innermost first (the last is the function with code),
 * a sample's locations leaf first; its count is the value of the sample
 * type "samples" (unit "count").
 */
export function readPprof(file) {
  const top = protoFields(zlib.gunzipSync(fs.readFileSync(file)));
  const strings = top.filter((f) => f.field === 6).map((f) => f.value.toString('utf8'));
  const sampleTypes = top.filter((f) => f.field === 1).map((f) => {
    const v = protoFields(f.value);
    return `${strings[protoInt(v, 1)]}/${strings[protoInt(v, 2)]}`;
  });
  const countIndex = sampleTypes.indexOf('samples/count');
  assert.ok(countIndex >= 0, `pprof sample types: ${sampleTypes}`);
  const functions = new Map(top.filter((f) => f.field === 5).map((f) => {
    const v = protoFields(f.value);
    return [protoInt(v, 1), { name: strings[protoInt(v, 2)], file: strings[protoInt(v, 4)] || null }];
  }));
  const locations = new Map(top.filter((f) => f.field === 4).map((f) => {
    const v = protoFields(f.value);
    const lines = v.filter((x) => x.field === 4).map((x) => {
      const l = protoFields(x.value);
      const fn = functions.get(protoInt(l, 1));
      return { name: fn.name, file: fn.file, line: protoInt(l, 2) };
    });
    return [protoInt(v, 1), lines];
  }));
  return top.filter((f) => f.field === 2).map((f) => {
    const v = protoFields(f.value);
    const frames = protoInts(v, 1).reverse().flatMap((id) => [...locations.get(id)].reverse());
    return { frames, count: protoInts(v, 2)[countIndex] };
  });
}

/** A profile file's stacks, by its extension (.json speedscope, .pb.gz pprof). */
export function readProfile(file) {
  return file.endsWith('.pb.gz') ? readPprof(file) : readSpeedscope(file);
}

/** Total samples of a profile's stacks. */
export function totalSamples(stacks) {
  return stacks.reduce((n, s) => n + s.count, 0);
}

/**
 * Per function name: self (samples where it is the innermost frame) and total
 * (samples of the stacks that contain it at least once).
 */
export function functionFigures(stacks) {
  const out = new Map();
  const get = (name) => {
    if (!out.has(name)) out.set(name, { self: 0, total: 0 });
    return out.get(name);
  };
  for (const { frames, count } of stacks) {
    for (const name of new Set(frames.map((f) => f.name))) get(name).total += count;
    get(frames[frames.length - 1].name).self += count;
  }
  return out;
}

/**
 * Per line (1-based) of the recorded source `file`: own (samples whose
 * innermost frame is that line) and total (stacks that contain the line at
 * least once).
 */
export function lineFigures(stacks, file) {
  const out = new Map();
  const get = (line) => {
    if (!out.has(line)) out.set(line, { own: 0, total: 0 });
    return out.get(line);
  };
  for (const { frames, count } of stacks) {
    const lines = new Set(frames.filter((f) => f.file === file && f.line > 0).map((f) => f.line));
    for (const line of lines) get(line).total += count;
    const leaf = frames[frames.length - 1];
    if (leaf.file === file && leaf.line > 0) get(leaf.line).own += count;
  }
  return out;
}

/**
 * A share of samples as a percentage with one decimal, e.g. 0.8861 → "88.6%".
 * The share is samples / total as a double; the percentage is rounded to
 * nearest from its exact binary value, ties (exactly representable x.x5) to
 * even, as Rust's `{:.1}` does.
 */
export function percent(samples, total) {
  const x = (total === 0 ? 0 : samples / total) * 100;
  const fixed = x.toFixed(1);
  const exact = x.toFixed(30); // the exact decimal expansion (a double has < 30 fraction digits here)
  const m = /^(\d+)\.(\d)5(0*)$/.exec(exact);
  if (m) {
    // An exact tie: toFixed rounds it up; Rust to the even digit.
    const down = `${m[1]}.${m[2]}`;
    return `${Number(m[2]) % 2 === 0 ? down : fixed}%`;
  }
  return `${fixed}%`;
}

/** 1-based line numbers of `text` whose line matches `re`. */
export function linesMatching(text, re) {
  const hits = [];
  text.split('\n').forEach((l, i) => {
    if (re.test(l)) hits.push(i + 1);
  });
  return hits;
}

/** The only 1-based line of `text` matching `re`. */
export function lineMatching(text, re) {
  const hits = linesMatching(text, re);
  assert.equal(hits.length, 1, `${re} matches lines ${JSON.stringify(hits)} (want exactly one)`);
  return hits[0];
}

/** 1-based line of the line ending in `// BP: name` in hotspots.c. */
export function hotspotsMarker(name) {
  return lineMatching(fs.readFileSync(HOTSPOTS_C, 'utf8'), new RegExp(`//\\s*BP:\\s*${name}\\s*$`));
}

// ---- the LSP session ------------------------------------------------------------------------

let sessionCounter = 0;

/** Client capabilities of an editor that re-asks for lenses and hints when told. */
export const REFRESHING_CLIENT = {
  workspace: { codeLens: { refreshSupport: true }, inlayHint: { refreshSupport: true } },
  textDocument: {
    codeLens: {}, inlayHint: {}, hover: { contentFormat: ['markdown', 'plaintext'] },
    publishDiagnostics: {}, synchronization: { didSave: true },
  },
  window: { showMessage: {} },
};

export class LspSession {
  /**
   * Spawns `BIN lsp` (or `command`, an argv) and connects a
   * ProtocolConnection to it. Does not initialize: see initialize() / open().
   */
  constructor(name, command = [BIN, 'lsp']) {
    sessionCounter += 1;
    this.name = `${process.pid}-${sessionCounter}-${name}`;
    this.spawnedAtMs = Date.now();
    this.proc = spawn(command[0], command.slice(1), { stdio: ['pipe', 'pipe', 'pipe'] });
    this.stderr = '';
    this.exit = null;
    this.transcript = [];
    /** What the server sent on its own: {kind: 'notification'|'request', method, params, at}. */
    this.received = [];
    this.waiters = [];
    this.proc.stderr.on('data', (d) => {
      this.stderr += d.toString();
    });
    this.exited = new Promise((resolve) => {
      this.proc.on('exit', (code, signal) => {
        this.exit = { code, signal };
        this._log('!!', `server exited (code ${code}, signal ${signal})`);
        for (const w of this.waiters.splice(0)) w.reject(new Error(`server exited (code ${code}, signal ${signal}) while waiting for ${w.what}${this.diag()}`));
        resolve(this.exit);
      });
    });
    this.proc.on('error', (e) => this._log('!!', `spawn: ${e.message}`));
    this.proc.stdin.on('error', (e) => this._log('!!', `stdin: ${e.message}`));

    // Transcript of the raw traffic, both ways.
    this.proc.stdout.on('data', (d) => this._log('<-', d.toString()));
    const toServer = new PassThrough();
    toServer.on('data', (d) => this._log('->', d.toString()));
    toServer.pipe(this.proc.stdin);

    const quiet = { error: () => {}, warn: () => {}, info: () => {}, log: () => {} };
    this.conn = createProtocolConnection(new StreamMessageReader(this.proc.stdout), new StreamMessageWriter(toServer), quiet);
    this.conn.onNotification((method, params) => this._record('notification', method, params));
    this.conn.onRequest((method, params) => {
      this._record('request', method, params);
      return null; // workspace/codeLens/refresh and workspace/inlayHint/refresh have a null result
    });
    this.conn.onError(([e]) => this._log('!!', `connection error: ${e && e.message}`));
    this.conn.listen();
  }

  _log(dir, text) {
    this.transcript.push(`${new Date().toISOString()} ${dir} ${text}`);
  }

  _record(kind, method, params) {
    const msg = { kind, method, params, at: Date.now() };
    this.received.push(msg);
    for (const w of [...this.waiters]) {
      if (w.index <= this.received.length - 1 && w.match(msg)) {
        this.waiters.splice(this.waiters.indexOf(w), 1);
        w.resolve(msg);
      }
    }
  }

  /** The server's stderr and the last messages, for failure messages. */
  diag() {
    const tail = this.transcript.slice(-12).map((l) => (l.length > 600 ? `${l.slice(0, 600)}…` : l));
    return `\n  server stderr:\n    ${this.stderr.slice(-2000).replace(/\n/g, '\n    ')}\n  last messages:\n    ${tail.join('\n    ')}`;
  }

  /** A position in what the server sent so far: wait() from there on. */
  mark() {
    return this.received.length;
  }

  /**
   * The first message from the server, at or after `from` (a mark()), with
   * `method` and for which `pred(params)` holds.
   */
  wait(method, { from = 0, pred = () => true, timeout = WAIT_TIMEOUT } = {}) {
    const what = `${method} from the server`;
    const match = (m) => m.method === method && pred(m.params);
    const found = this.received.slice(from).find(match);
    if (found) return Promise.resolve(found);
    if (this.exit) return Promise.reject(new Error(`server exited (${JSON.stringify(this.exit)}) before ${what}${this.diag()}`));
    const p = new Promise((resolve, reject) => {
      this.waiters.push({ index: from, match, resolve, reject, what });
    });
    return within(p, timeout, what).catch((e) => {
      this.waiters = this.waiters.filter((w) => w.match !== match);
      e.message += this.diag();
      throw e;
    });
  }

  /** Messages with `method` the server sent at or after `from`. */
  sent(method, from = 0) {
    return this.received.slice(from).filter((m) => m.method === method);
  }

  /** A request with a time limit; resolves with its result, rejects with the server's error. */
  request(method, params, timeout = WAIT_TIMEOUT) {
    const what = `${method} request`;
    const p = params === undefined ? this.conn.sendRequest(method) : this.conn.sendRequest(method, params);
    return within(Promise.race([
      p,
      this.exited.then((e) => { throw new Error(`server exited (${JSON.stringify(e)}) before answering ${what}`); }),
    ]), timeout, what).catch((e) => {
      if (typeof e.code !== 'number') e.message += this.diag();
      throw e;
    });
  }

  notify(method, params) {
    return this.conn.sendNotification(method, params);
  }

  /** initialize (with these options) then initialized; returns the initialize result. */
  async initialize({ root, initializationOptions, capabilities = REFRESHING_CLIENT } = {}) {
    const params = {
      processId: process.pid,
      clientInfo: { name: 'wasmscope-lsp-client-tests' },
      rootUri: root ? fileUri(root) : null,
      workspaceFolders: root ? [{ uri: fileUri(root), name: path.basename(root) }] : null,
      capabilities,
    };
    if (initializationOptions !== undefined) params.initializationOptions = initializationOptions;
    const result = await this.request('initialize', params);
    await this.notify('initialized', {});
    return result;
  }

  /** textDocument/didOpen of a file on disk. */
  async open(file, languageId = 'c') {
    const uri = fileUri(file);
    await this.notify('textDocument/didOpen', {
      textDocument: { uri, languageId, version: 1, text: fs.readFileSync(file, 'utf8') },
    });
    return uri;
  }

  /** didOpen, then the diagnostics the server publishes for it (so later waits see only newer ones). */
  async openSettled(file, languageId = 'c') {
    const mark = this.mark();
    const uri = await this.open(file, languageId);
    await this.wait('textDocument/publishDiagnostics', { from: mark, pred: (p) => p.uri === uri });
    return uri;
  }

  codeLens(uri) {
    return this.request('textDocument/codeLens', { textDocument: { uri } });
  }

  inlayHints(uri, startLine = 0, endLine = 100_000) {
    return this.request('textDocument/inlayHint', {
      textDocument: { uri },
      range: { start: { line: startLine, character: 0 }, end: { line: endLine, character: 0 } },
    });
  }

  hover(uri, line0) {
    return this.request('textDocument/hover', { textDocument: { uri }, position: { line: line0, character: 0 } });
  }

  heat(uri) {
    return this.request('wasmscope/heat', { uri });
  }

  assertAlive() {
    assert.equal(this.exit, null, `the server exited: ${JSON.stringify(this.exit)}${this.diag()}`);
  }

  /** shutdown + exit, as an editor ends a session; kills the server if it lingers. */
  async close() {
    if (!this.exit) {
      try {
        await this.request('shutdown', undefined, 5000);
        await this.notify('exit');
      } catch (e) {
        this._log('!!', `shutdown: ${e.message}`);
      }
      const t = setTimeout(() => { if (!this.exit) this.proc.kill('SIGKILL'); }, 5000);
      await this.exited;
      clearTimeout(t);
    }
    this.conn.dispose();
    fs.mkdirSync(LOG_DIR, { recursive: true });
    fs.writeFileSync(path.join(LOG_DIR, `${this.name}.log`),
      `${this.transcript.join('\n')}\n--- server stderr ---\n${this.stderr}`);
  }
}

/** Runs fn(session) with a session that is closed (and its transcript written) afterwards. */
export async function withSession(name, fn, command = undefined) {
  const s = new LspSession(name, command);
  try {
    return await fn(s);
  } finally {
    await s.close();
  }
}

/** Options that point the server at the repository's guest and sources. */
export function repoOptions(extra = {}) {
  return { programs: [HOTSPOTS_WASM], sourceMap: { [RECORDED_PREFIX]: REPO }, ...extra };
}

/** A temporary workspace with a `.wasmscope/` directory; returns {root, profiles, cleanup}. */
export function profileWorkspace(prefix) {
  const root = tempDir(prefix);
  const profiles = path.join(root, '.wasmscope');
  fs.mkdirSync(profiles);
  return { root, profiles, cleanup: () => fs.rmSync(root, { recursive: true, force: true }) };
}

// ---- facts of the source and of the CLI ------------------------------------------------------

/** The source text of hotspots.c. */
export function hotspotsSource() {
  return fs.readFileSync(HOTSPOTS_C, 'utf8');
}

/** The functions hotspots.c defines. */
export const HOTSPOTS_FUNCTIONS = ['mix', 'heavy_work', 'light_work', 'run_round', 'main'];

/** 1-based line of the definition of `name` in `text` (the line `… name(…) {`). */
export function definitionLine(text, name) {
  return lineMatching(text, new RegExp(`\\b${name}\\([^;]*\\)\\s*\\{\\s*$`));
}

/** 1-based line of the `}` that closes the function defined at `declLine`. */
export function closingLine(text, declLine) {
  const lines = text.split('\n');
  for (let i = declLine; i < lines.length; i += 1) {
    if (lines[i] === '}') return i + 1;
  }
  throw new Error(`no closing brace after line ${declLine}`);
}

/**
 * `wasmscope lines PROGRAM FILE:LINE`: {line, offsets} where a breakpoint on
 * LINE binds (line is LINE unless the CLI says `moved to FILE:M`), or null when
 * the CLI finds no code for it.
 */
export function cliLines(program, file, line, map = {}) {
  const maps = Object.entries(map).flatMap(([from, to]) => ['--map', `${from}=${to}`]);
  const r = cli(['lines', ...maps, program, `${file}:${line}`]);
  if (r.status !== 0) {
    assert.match(r.stderr, /no code for/, `wasmscope lines ${file}:${line} failed: ${r.stderr}`);
    return null;
  }
  const out = r.stdout.trim().split('\n');
  let bound = line;
  const moved = /^moved to (.*):(\d+)$/.exec(out[0]);
  if (moved) {
    bound = Number(moved[2]);
    out.shift();
  }
  for (const o of out) assert.match(o, /^0x[0-9a-f]+$/, `wasmscope lines output: ${r.stdout}`);
  return { line: bound, offsets: out };
}

/**
 * `wasmscope symbolize PROGRAM OFFSET`: its frames, innermost first, as
 * [{name, location}] (llvm-symbolizer's two lines per frame).
 */
export function cliSymbolize(program, offset) {
  const r = cli(['symbolize', program, offset]);
  assert.equal(r.status, 0, `wasmscope symbolize ${offset} failed: ${r.stderr}`);
  const lines = r.stdout.split('\n').filter((l) => l.trim() !== '');
  assert.equal(lines.length % 2, 0, `symbolize output: ${r.stdout}`);
  const frames = [];
  for (let i = 0; i < lines.length; i += 2) frames.push({ name: lines[i], location: lines[i + 1] });
  return frames;
}

/**
 * Callers per function: caller name → samples of the stacks in which it
 * calls the function directly (once per stack; recursion is not a caller).
 */
export function callerFigures(stacks) {
  const out = new Map();
  for (const { frames, count } of stacks) {
    const seen = new Set();
    for (let i = 1; i < frames.length; i += 1) {
      const caller = frames[i - 1].name;
      const callee = frames[i].name;
      const key = `${caller}\u0000${callee}`;
      if (caller === callee || seen.has(key)) continue;
      seen.add(key);
      if (!out.has(callee)) out.set(callee, new Map());
      const m = out.get(callee);
      m.set(caller, (m.get(caller) ?? 0) + count);
    }
  }
  return out;
}

/** The figures of a code lens title: "S self · T total · N samples". */
export function lensFigures(fig, total) {
  return `${percent(fig.self, total)} self · ${percent(fig.total, total)} total · ${fig.total} samples`;
}

/**
 * Writes a folded profile (one `root;…;leaf COUNT` line per stack) and reads
 * it back as stacks the way readSpeedscope gives them (no files or lines).
 */
export function writeFolded(file, folded) {
  fs.writeFileSync(file, `${folded.map(([stack, n]) => `${stack} ${n}`).join('\n')}\n`);
  return folded.map(([stack, count]) => ({
    frames: stack.split(';').map((n) => ({
      name: n.endsWith(INLINED_SUFFIX) ? n.slice(0, -INLINED_SUFFIX.length) : n, file: null, line: 0,
    })),
    count,
  }));
}

/** Sets a file's modification time to `date` (a Date or seconds since the epoch). */
export function setMtime(file, date) {
  fs.utimesSync(file, date, date);
}
