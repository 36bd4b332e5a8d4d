import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { TOKEN_ENV, agentCaFile, agentToken, tokenKey } from '../../src/adapter/attach';
import {
  DEFAULT_REMOTE_SECONDS,
  chooseRemote,
  durationProblem,
  isTokenRefusal,
  parseRemoteSummary,
  profileError,
  remoteProfileArgs,
  remoteTargets,
} from '../../src/profile/remoteArgs';
import { runProfiler } from '../../src/profile/run';

const URL = 'ws://127.0.0.1:9229';

// What `wasmscope profile --connect` printed (stderr) in these situations.
const SUMMARY =
  'profiling ws://127.0.0.1:39921 for 3 s at 1000 Hz (Ctrl-C stops and writes the profile)\n' +
  'wasmscope: 328 samples at 109 Hz (requested 1000 Hz), 0 dropped ticks; top: mix 83.2%, checksum 16.5%, printf_core 0.3%; ' +
  'routes: GET /work/:id 100.0% of samples, 288 requests, 1.43 s wall (2 threads sampled); wrote /tmp/p/profile.json\n';
const CUT_SHORT =
  'profiling ws://127.0.0.1:39921 for 30 s at 1000 Hz (Ctrl-C stops and writes the profile)\n' +
  'wasmscope: 127 samples at 64 Hz (requested 1000 Hz), 0 dropped ticks; top: mix 84.3%, checksum 14.2%, dlmalloc 0.8%; ' +
  'routes: GET /work/:id 100.0% of samples, 114 requests, 0.59 s wall (cut short: interrupted; the profile holds what came before); wrote int.json\n';
const IDLE =
  'profiling ws://127.0.0.1:39921 for 1 s at 1000 Hz (Ctrl-C stops and writes the profile)\n' +
  'wasmscope: 0 samples at 0 Hz (requested 1000 Hz), 0 dropped ticks; top: (0 threads sampled); wrote idle.json\n';
const BAD_TOKEN =
  'profiling ws://127.0.0.1:39921 for 3 s at 1000 Hz (Ctrl-C stops and writes the profile)\n' +
  'wasmscope: error: the agent refused the token (401): check --token-file or WASMSCOPE_TOKEN\n';

const attach = (name: string, extra: Record<string, unknown> = {}) => ({ type: 'wasmscope', request: 'attach', name, connect: URL, ...extra });

test('the attach configurations with a connect are the remote servers; launch ones and those without connect are not', () => {
  const targets = remoteTargets([
    { folder: 'a', config: { type: 'wasmscope', request: 'launch', name: 'Debug', program: 'x.wasm' } },
    { folder: 'a', config: attach('Server', { tokenFile: 'agent.token', sourceMap: { '/wasmscope': '${workspaceFolder}' } }) },
    { folder: 'a', config: { type: 'wasmscope', request: 'attach', name: 'No connect' } },
    { folder: 'a', config: attach('Blank connect', { connect: '  ' }) },
    { folder: 'b', config: { type: 'node', request: 'attach', name: 'Node', connect: URL } },
    { folder: 'b', config: attach('Other', { connect: 'wss://prod.example:9229', tokenFile: 7, caFile: 'certs/prod.pem' }) },
    { config: 'junk' },
  ]);
  assert.deepEqual(targets, [
    { folder: 'a', name: 'Server', connect: URL, tokenFile: 'agent.token', caFile: undefined, sourceMap: { '/wasmscope': '${workspaceFolder}' } },
    { folder: 'b', name: 'Other', connect: 'wss://prod.example:9229', tokenFile: undefined, caFile: 'certs/prod.pem', sourceMap: undefined },
  ]);
});

test('one attach configuration is used as is, several are picked from, none means asking for a URL', () => {
  const [one, two] = remoteTargets([{ config: attach('One') }, { config: attach('Two', { connect: 'ws://127.0.0.1:9230' }) }]);
  assert.deepEqual(chooseRemote([one]), { kind: 'target', target: one });
  assert.deepEqual(chooseRemote([one, two]), { kind: 'pick', targets: [one, two] });
  assert.deepEqual(chooseRemote([]), { kind: 'ask' });
  // A command argument names a configuration, or is a URL.
  assert.deepEqual(chooseRemote([one, two], 'Two'), { kind: 'target', target: two });
  assert.deepEqual(chooseRemote([one, two], ' wss://h:1 '), { kind: 'target', target: { connect: 'wss://h:1' } });
  assert.deepEqual(chooseRemote([], URL), { kind: 'target', target: { connect: URL } });
  const missing = chooseRemote([one], 'Three');
  assert.equal(missing.kind, 'error');
  assert.match(missing.kind === 'error' ? missing.message : '', /No wasmscope attach configuration named "Three"/);
  // Not a string (a Uri from a menu, say): as if none was given.
  assert.deepEqual(chooseRemote([one, two], { fsPath: '/x' }), { kind: 'pick', targets: [one, two] });
});

test('the duration is a positive number of seconds, at most a year', () => {
  assert.equal(DEFAULT_REMOTE_SECONDS, 30);
  for (const good of ['30', ' 5 ', '0.5', '.5', '2.', '31536000']) {
    assert.equal(durationProblem(good), undefined, good);
  }
  for (const bad of ['', '  ', 'abc', '5s', '-1', '1e3', 'NaN', 'Infinity', '0x10', '1 2']) {
    assert.match(durationProblem(bad) ?? '', /A number of seconds, e\.g\. 30/, bad);
  }
  assert.match(durationProblem('0') ?? '', /above 0/);
  assert.match(durationProblem('0.0') ?? '', /above 0/);
  assert.match(durationProblem('31536001') ?? '', /at most 31536000 seconds/);
});

test('the command line: --connect, --duration, speedscope JSON to the output, and the token file when there is one', () => {
  assert.deepEqual(remoteProfileArgs({ connect: ` ${URL} `, duration: 2.5, output: '/tmp/p/profile.json', tokenArgs: [] }), [
    'profile', '--connect', URL, '--duration', '2.5', '--format', 'speedscope', '-o', '/tmp/p/profile.json',
  ]);
  assert.deepEqual(remoteProfileArgs({ connect: URL, duration: 30, output: 'o.json', tokenArgs: ['--token-file', '/run/agent.token'] }), [
    'profile', '--connect', URL, '--duration', '30', '--format', 'speedscope', '-o', 'o.json', '--token-file', '/run/agent.token',
  ]);
  assert.throws(() => remoteProfileArgs({ connect: 'http://h:1', duration: 3, output: 'o', tokenArgs: [] }), /ws:\/\/ or wss:\/\//);
  assert.throws(() => remoteProfileArgs({ connect: URL, duration: 0, output: 'o', tokenArgs: [] }), /above 0/);
  assert.throws(() => remoteProfileArgs({ connect: URL, duration: NaN, output: 'o', tokenArgs: [] }), /number of seconds/);
});

test('a wss:// agent with a caFile is profiled with --ca-file and the resolved path', () => {
  const wss = 'wss://prod.example:9229';
  const [target] = remoteTargets([{ config: attach('Prod', { connect: wss, caFile: 'certs/prod.pem' }) }]);
  const seen: string[] = [];
  const ca = agentCaFile(target.connect, target.caFile, { baseDir: '/ws', fileExists: (f) => (seen.push(f), true) });
  assert.deepEqual(ca, { ok: true, args: ['--ca-file', path.resolve('/ws', 'certs/prod.pem')] });
  assert.deepEqual(seen, [path.resolve('/ws', 'certs/prod.pem')]);
  const args = remoteProfileArgs({
    connect: wss,
    duration: 3,
    output: 'o.json',
    tokenArgs: ['--token-file', '/run/agent.token'],
    caArgs: ca.ok ? ca.args : ['?'],
  });
  assert.deepEqual(args, [
    'profile', '--connect', wss, '--duration', '3', '--format', 'speedscope', '-o', 'o.json',
    '--token-file', '/run/agent.token', '--ca-file', path.resolve('/ws', 'certs/prod.pem'),
  ]);
  // Without a caFile, nothing: the web's roots.
  assert.deepEqual(agentCaFile(wss, undefined), { ok: true, args: [] });
  assert.ok(!remoteProfileArgs({ connect: wss, duration: 3, output: 'o.json', tokenArgs: [], caArgs: [] }).includes('--ca-file'));
});

test('a caFile that does not exist, or with a ws:// agent, is refused before wasmscope profile runs', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wasmscope-remote-'));
  const missing = agentCaFile('wss://prod.example:9229', 'prod.pem', { baseDir: dir });
  assert.equal(missing.ok, false);
  assert.match(!missing.ok ? missing.message : '', /^The certificate file .*prod\.pem \(`caFile`\) does not exist/);
  assert.ok(!missing.ok && missing.message.includes(path.join(dir, 'prod.pem')));
  fs.rmSync(dir, { recursive: true });
  const plain = agentCaFile(URL, 'prod.pem', { fileExists: () => true });
  assert.equal(plain.ok, false);
  assert.match(!plain.ok ? plain.message : '', /`caFile` only applies to a wss:\/\/ agent/);
  // The command line refuses it too.
  assert.throws(
    () => remoteProfileArgs({ connect: URL, duration: 3, output: 'o', tokenArgs: [], caArgs: ['--ca-file', '/ca.pem'] }),
    /--ca-file only applies to a wss:\/\/ agent/,
  );
});

test('a stored token goes in WASMSCOPE_TOKEN, never on the command line; a tokenFile as --token-file', async () => {
  const secret = 'stored-token-0123456789';
  const read = async (key: string) => (key === tokenKey(URL) ? secret : undefined);
  const stored = await agentToken(URL, undefined, read, { env: { PATH: '/usr/bin' } });
  assert.deepEqual(stored, { ok: true, args: [], env: { PATH: '/usr/bin', [TOKEN_ENV]: secret } });
  const args = remoteProfileArgs({ connect: URL, duration: 3, output: 'o.json', tokenArgs: stored.ok ? stored.args : ['?'] });
  assert.ok(!args.some((a) => a.includes(secret)), args.join(' '));
  const fromFile = await agentToken(URL, 'agent.token', read, { baseDir: '/ws', fileExists: () => true });
  assert.deepEqual(fromFile, { ok: true, args: ['--token-file', path.resolve('/ws', 'agent.token')] });
  const none = await agentToken('ws://127.0.0.1:9230', undefined, read);
  assert.equal(none.ok, false);
  assert.match(!none.ok ? none.message : '', /No token for the debugging agent at ws:\/\/127\.0\.0\.1:9230: run "wasmscope: Set the token of a debugging agent…"/);
  assert.equal(!none.ok ? none.connect : undefined, 'ws://127.0.0.1:9230');
});

test("the summary line gives the samples, each route's share, requests and wall time, and the file written", () => {
  assert.deepEqual(parseRemoteSummary(SUMMARY), {
    text:
      '328 samples at 109 Hz (requested 1000 Hz), 0 dropped ticks; top: mix 83.2%, checksum 16.5%, printf_core 0.3%; ' +
      'routes: GET /work/:id 100.0% of samples, 288 requests, 1.43 s wall (2 threads sampled); wrote /tmp/p/profile.json',
    samples: 328,
    routes: [{ route: 'GET /work/:id', percent: 100, requests: 288, wallSeconds: 1.43 }],
    cutShort: undefined,
    output: '/tmp/p/profile.json',
  });
  const cut = parseRemoteSummary(CUT_SHORT)!;
  assert.equal(cut.cutShort, 'interrupted');
  assert.equal(cut.samples, 127);
  assert.deepEqual(cut.routes, [{ route: 'GET /work/:id', percent: 100, requests: 114, wallSeconds: 0.59 }]);
  assert.equal(cut.output, 'int.json');
  const idle = parseRemoteSummary(IDLE)!;
  assert.equal(idle.samples, 0);
  assert.deepEqual(idle.routes, []);
  assert.equal(idle.cutShort, undefined);
  // Several routes, the rest counted; a reason in parentheses; CRLF.
  const many = parseRemoteSummary(
    'wasmscope: 1000 samples at 990 Hz (requested 1000 Hz), 0 dropped ticks; top: mix 80.0%; routes: GET /work/:id 70.5% of samples, 10 requests, 2.00 s wall; ' +
      'POST /upload/** 20.0% of samples, 1 requests, 0.25 s wall; GET /hello/:id 9.5% of samples, 0 requests, 0.00 s wall; 3 more routes ' +
      '(cut short: the agent went away (connection reset); the profile holds what came before); wrote out.json\r\n',
  )!;
  assert.deepEqual(many.routes, [
    { route: 'GET /work/:id', percent: 70.5, requests: 10, wallSeconds: 2 },
    { route: 'POST /upload/**', percent: 20, requests: 1, wallSeconds: 0.25 },
    { route: 'GET /hello/:id', percent: 9.5, requests: 0, wallSeconds: 0 },
  ]);
  assert.equal(many.cutShort, 'the agent went away (connection reset)');
  assert.equal(many.output, 'out.json');
  // No summary: an error, or nothing.
  assert.equal(parseRemoteSummary(BAD_TOKEN), undefined);
  assert.equal(parseRemoteSummary(''), undefined);
});

test("a failed run's message is its error line, without the prefix", () => {
  assert.equal(profileError(BAD_TOKEN), 'the agent refused the token (401): check --token-file or WASMSCOPE_TOKEN');
  assert.equal(
    profileError('profiling ws://127.0.0.1:1 for 3 s at 1000 Hz\nwasmscope: error: cannot reach the agent at 127.0.0.1:1: Connection refused (os error 111)\n'),
    'cannot reach the agent at 127.0.0.1:1: Connection refused (os error 111)',
  );
  // clap's usage errors (an older binary without --connect) end with help lines.
  assert.equal(
    profileError("error: unexpected argument '--connect' found\n\nUsage: wasmscope profile [OPTIONS] [PROGRAM]\n\nFor more information, try '--help'.\n"),
    "unexpected argument '--connect' found",
  );
  assert.equal(profileError('thread main panicked at x.rs:1\nnote: run with RUST_BACKTRACE=1\n'), 'note: run with RUST_BACKTRACE=1');
  assert.equal(profileError(''), 'no message');
  assert.equal(isTokenRefusal(profileError(BAD_TOKEN)), true);
  assert.equal(isTokenRefusal('cannot reach the agent at 127.0.0.1:1: Connection refused'), false);
  assert.equal(isTokenRefusal('HTTP error: 4010 bytes'), false);
});

/** A child that writes `ready`, then on SIGINT writes `out` and exits 0 (as `profile --connect` writes what it has). */
function interruptible(dir: string): { script: string; ready: string; out: string } {
  const ready = path.join(dir, 'ready');
  const out = path.join(dir, 'out');
  const script = `
    process.on('SIGINT', () => {
      require('fs').writeFileSync(${JSON.stringify(out)}, 'partial');
      process.stderr.write('wasmscope: 5 samples at 5 Hz (cut short: interrupted); wrote out\\n');
      process.exit(0);
    });
    process.stderr.write('token=' + process.env.WASMSCOPE_TOKEN + '\\n');
    require('fs').writeFileSync(${JSON.stringify(ready)}, '');
    setTimeout(() => process.exit(3), 30000);
  `;
  return { script, ready, out };
}

async function until(check: () => boolean, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) {
      throw new Error(`not within ${ms} ms`);
    }
    await new Promise((r) => setTimeout(r, 20));
  }
}

test('Cancel sends SIGINT and waits for the profiler to write what it has; the environment carries the token', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wasmscope-remote-'));
  const child = interruptible(dir);
  const abort = new AbortController();
  const running = runProfiler(process.execPath, ['-e', child.script], {
    env: { ...process.env, [TOKEN_ENV]: 'env-token-0123456789' },
    signal: abort.signal,
    interrupt: { signal: 'SIGINT', graceMs: 10_000 },
  });
  await until(() => fs.existsSync(child.ready), 10_000);
  abort.abort();
  const result = await running;
  assert.equal(result.code, 0);
  assert.equal(result.signal, null);
  assert.equal(result.cancelled, true);
  assert.equal(fs.readFileSync(child.out, 'utf8'), 'partial');
  assert.match(result.stderr, /^token=env-token-0123456789$/m);
  assert.equal(parseRemoteSummary(result.stderr)?.cutShort, 'interrupted');
  fs.rmSync(dir, { recursive: true });
});

test('a profiler that ignores SIGINT is killed after the grace time', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wasmscope-remote-'));
  const ready = path.join(dir, 'ready');
  const script = `process.on('SIGINT', () => {}); require('fs').writeFileSync(${JSON.stringify(ready)}, ''); setTimeout(() => {}, 30000);`;
  const abort = new AbortController();
  const started = Date.now();
  const running = runProfiler(process.execPath, ['-e', script], { signal: abort.signal, interrupt: { signal: 'SIGINT', graceMs: 300 } });
  await until(() => fs.existsSync(ready), 10_000);
  abort.abort();
  const result = await running;
  assert.equal(result.signal, 'SIGKILL');
  assert.equal(result.cancelled, true);
  assert.ok(Date.now() - started < 10_000);
  fs.rmSync(dir, { recursive: true });
});

test('without interrupt, Cancel kills the profiler at once (Profile Wasm program)', async () => {
  const abort = new AbortController();
  const running = runProfiler(process.execPath, ['-e', 'setTimeout(() => {}, 30000)'], { signal: abort.signal });
  setTimeout(() => abort.abort(), 100);
  const result = await running;
  assert.equal(result.signal, 'SIGTERM');
  assert.equal(result.cancelled, true);
  // Not cancelled: the exit status and stderr, no `cancelled`.
  const done = await runProfiler(process.execPath, ['-e', 'process.stderr.write("wasmscope: error: boom\\n"); process.exit(2)'], {});
  assert.deepEqual(done, { code: 2, signal: null, stderr: 'wasmscope: error: boom\n' });
});
