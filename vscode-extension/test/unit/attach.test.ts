import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { TOKEN_ENV, agentCaFile, attachAdapter, noTokenMessage, tokenKey, tokenProblem } from '../../src/adapter/attach';
import { attachKind, checkAttachConfig, connectProblem, isWasmscopeAttach, portNumber } from '../../src/config/attachConfig';

const URL = 'ws://127.0.0.1:9229';
const WSS = 'wss://agent.example:9229';

/** A secret store holding `secrets`, recording the keys asked for. */
function store(secrets: Record<string, string> = {}) {
  const asked: string[] = [];
  return {
    asked,
    read: async (key: string) => {
      asked.push(key);
      return secrets[key];
    },
  };
}

test('with a tokenFile the adapter is `dap --connect URL --token-file FILE`, and the secret store is not read', async () => {
  const secrets = store({ [tokenKey(URL)]: 'stored-token-0123456789' });
  const result = await attachAdapter({ connect: URL, tokenFile: '/run/agent.token' }, secrets.read, { fileExists: () => true });
  assert.deepEqual(result, { ok: true, args: ['dap', '--connect', URL, '--token-file', '/run/agent.token'] });
  assert.deepEqual(secrets.asked, []);
});

test('a relative tokenFile resolves against the workspace folder', async () => {
  const seen: string[] = [];
  const result = await attachAdapter({ connect: URL, tokenFile: 'secrets/agent.token' }, store().read, {
    baseDir: '/ws',
    fileExists: (f) => (seen.push(f), true),
  });
  assert.deepEqual(result, { ok: true, args: ['dap', '--connect', URL, '--token-file', path.resolve('/ws', 'secrets/agent.token')] });
  assert.deepEqual(seen, [path.resolve('/ws', 'secrets/agent.token')]);
});

test('a tokenFile that does not exist is refused with its path (no token command to offer)', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wasmscope-attach-'));
  const missing = path.join(dir, 'nope.token');
  const result = await attachAdapter({ connect: URL, tokenFile: missing }, store().read);
  assert.equal(result.ok, false);
  assert.match(!result.ok ? result.message : '', new RegExp(`The token file ${missing.replace(/[.\\]/g, '\\$&')} \\(\`tokenFile\`\\) does not exist`));
  assert.equal(!result.ok ? result.connect : 'x', undefined);
  const existing = path.join(dir, 'agent.token');
  fs.writeFileSync(existing, 'a-token-of-sixteen-chars\n');
  assert.deepEqual(await attachAdapter({ connect: URL, tokenFile: existing }, store().read), {
    ok: true,
    args: ['dap', '--connect', URL, '--token-file', existing],
  });
  fs.rmSync(dir, { recursive: true });
});

test('a caFile for a wss:// agent is `--ca-file FILE`, resolved against the workspace folder like tokenFile', async () => {
  const seen: string[] = [];
  const options = { baseDir: '/ws', fileExists: (f: string) => (seen.push(f), true) };
  const result = await attachAdapter({ connect: ` ${WSS} `, tokenFile: 'agent.token', caFile: 'certs/agent.pem' }, store().read, options);
  assert.deepEqual(result, {
    ok: true,
    args: ['dap', '--connect', WSS, '--token-file', path.resolve('/ws', 'agent.token'), '--ca-file', path.resolve('/ws', 'certs/agent.pem')],
  });
  assert.deepEqual(seen.sort(), [path.resolve('/ws', 'agent.token'), path.resolve('/ws', 'certs/agent.pem')].sort());
  // With the stored token (in the environment) and an absolute caFile, kept as is.
  const secrets = store({ [tokenKey(WSS)]: 'stored-token-0123456789' });
  assert.deepEqual(await attachAdapter({ connect: WSS, caFile: '/etc/agent/ca.pem' }, secrets.read, { env: {}, fileExists: () => true }), {
    ok: true,
    args: ['dap', '--connect', WSS, '--ca-file', '/etc/agent/ca.pem'],
    env: { [TOKEN_ENV]: 'stored-token-0123456789' },
  });
  // No caFile (or an empty one): no --ca-file, the web's roots.
  for (const caFile of [undefined, '', '  ']) {
    assert.deepEqual(await attachAdapter({ connect: WSS, caFile }, secrets.read, { env: {} }), {
      ok: true,
      args: ['dap', '--connect', WSS],
      env: { [TOKEN_ENV]: 'stored-token-0123456789' },
    });
  }
});

test('a caFile that does not exist is refused with its path, before any token is looked for', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wasmscope-attach-'));
  const secrets = store({ [tokenKey(WSS)]: 'stored-token-0123456789' });
  const result = await attachAdapter({ connect: WSS, caFile: 'nope.pem' }, secrets.read, { baseDir: dir });
  const missing = path.join(dir, 'nope.pem');
  assert.equal(result.ok, false);
  const message = !result.ok ? result.message : '';
  assert.match(message, new RegExp(`^The certificate file ${missing.replace(/[.\\]/g, '\\$&')} \\(\`caFile\`\\) does not exist`));
  assert.match(message, /wasmscope serve --tls-cert/);
  assert.equal(!result.ok ? result.connect : 'x', undefined, 'no token command to offer');
  assert.deepEqual(secrets.asked, []);
  assert.deepEqual(agentCaFile(WSS, 'nope.pem', { baseDir: dir }), { ok: false, message });
  fs.writeFileSync(missing, '-----BEGIN CERTIFICATE-----\n');
  assert.deepEqual(agentCaFile(WSS, 'nope.pem', { baseDir: dir }), { ok: true, args: ['--ca-file', missing] });
  fs.rmSync(dir, { recursive: true });
});

test('a caFile with a ws:// agent is refused: it only applies to wss://', async () => {
  const problem = checkAttachConfig({ name: 'Plain', connect: URL, caFile: 'agent.pem' });
  assert.match(problem ?? '', /^The wasmscope configuration "Plain": `caFile` only applies to a wss:\/\/ agent \(TLS\), and `connect` is "ws:\/\/127\.0\.0\.1:9229"/);
  // The adapter is refused the same way, without looking for the file or the token.
  const secrets = store({ [tokenKey(URL)]: 'stored-token-0123456789' });
  const looked: string[] = [];
  const result = await attachAdapter({ name: 'Plain', connect: URL, caFile: 'agent.pem' }, secrets.read, { fileExists: (f) => (looked.push(f), true) });
  assert.deepEqual(result, { ok: false, message: problem });
  assert.deepEqual(looked, []);
  assert.deepEqual(secrets.asked, []);
  // As "Profile remote server…" checks it (no configuration name to give).
  const direct = agentCaFile(` ${URL} `, 'agent.pem', { fileExists: () => true });
  assert.equal(direct.ok, false);
  assert.match(!direct.ok ? direct.message : '', /^`caFile` only applies to a wss:\/\/ agent/);
  // Not a path; an empty one is none, even with ws://.
  assert.match(checkAttachConfig({ connect: WSS, caFile: 3 }) ?? '', /`caFile` must be the path of a file of certificates \(PEM\)/);
  assert.equal(checkAttachConfig({ connect: URL, caFile: '' }), undefined);
  assert.equal(checkAttachConfig({ connect: WSS, caFile: 'agent.pem' }), undefined);
});

test('without a tokenFile the stored token goes in WASMSCOPE_TOKEN, over the inherited environment', async () => {
  const secrets = store({ [tokenKey(URL)]: 'stored-token-0123456789' });
  const result = await attachAdapter({ connect: ` ${URL} ` }, secrets.read, {
    env: { PATH: '/usr/bin', HOME: '/home/u', [TOKEN_ENV]: 'inherited', UNSET: undefined },
  });
  assert.deepEqual(result, {
    ok: true,
    args: ['dap', '--connect', URL],
    env: { PATH: '/usr/bin', HOME: '/home/u', [TOKEN_ENV]: 'stored-token-0123456789' },
  });
  assert.deepEqual(secrets.asked, ['wasmscope.token:ws://127.0.0.1:9229']);
  // An empty tokenFile counts as none.
  const again = await attachAdapter({ connect: URL, tokenFile: '' }, secrets.read, { env: {} });
  assert.deepEqual(again, { ok: true, args: ['dap', '--connect', URL], env: { [TOKEN_ENV]: 'stored-token-0123456789' } });
});

test('the token is stored per connect URL, trailing slashes aside', () => {
  assert.equal(tokenKey('ws://127.0.0.1:9229'), 'wasmscope.token:ws://127.0.0.1:9229');
  assert.equal(tokenKey(' ws://127.0.0.1:9229/ '), tokenKey('ws://127.0.0.1:9229'));
  assert.notEqual(tokenKey('ws://127.0.0.1:9230'), tokenKey('ws://127.0.0.1:9229'));
});

test('neither a tokenFile nor a stored token: refused, naming the command that stores one', async () => {
  const secrets = store({ [tokenKey('ws://127.0.0.1:9230')]: 'other-agent-token-0123' });
  const result = await attachAdapter({ connect: URL }, secrets.read, { env: { [TOKEN_ENV]: 'inherited' } });
  assert.deepEqual(result, { ok: false, message: noTokenMessage(URL), connect: URL });
  assert.match(noTokenMessage(URL), /No token for the debugging agent at ws:\/\/127\.0\.0\.1:9229/);
  assert.match(noTokenMessage(URL), /wasmscope: Set the token of a debugging agent…/);
  assert.match(noTokenMessage(URL), /tokenFile/);
});

test('a failing secret store is refused with the reason', async () => {
  const result = await attachAdapter({ connect: URL }, async () => {
    throw new Error('no keyring');
  });
  assert.equal(result.ok, false);
  assert.match(!result.ok ? result.message : '', /Cannot read the stored token of ws:\/\/127\.0\.0\.1:9229: no keyring/);
});

test('an attach configuration without connect, or with a connect that is not ws:// or wss://, is refused', async () => {
  assert.match(checkAttachConfig({ name: 'Attach' }) ?? '', /The wasmscope configuration "Attach" needs `connect`: the address of the debugging agent, as given to `wasmscope serve --debug-addr`/);
  // With neither, the message names the other way too.
  assert.match(checkAttachConfig({ name: 'Attach' }) ?? '', /or `target` and `port` to attach to a running Node .* or Chromium/);
  assert.match(checkAttachConfig({ connect: '  ' }) ?? '', /The wasmscope attach configuration needs `connect`/);
  assert.match(checkAttachConfig({ connect: 9229 }) ?? '', /`connect` must be a string/);
  for (const bad of ['127.0.0.1:9229', 'http://127.0.0.1:9229', 'tcp://h:1', 'ws://', 'ws:/h:1']) {
    assert.match(checkAttachConfig({ name: 'A', connect: bad }) ?? '', /`connect` must be a ws:\/\/ or wss:\/\/ URL such as "ws:\/\/127\.0\.0\.1:9229"/, bad);
  }
  assert.match(checkAttachConfig({ connect: URL, tokenFile: 3 }) ?? '', /`tokenFile` must be the path/);
  for (const good of [URL, 'wss://agent.example:443', ' ws://[::1]:9229 ']) {
    assert.equal(checkAttachConfig({ connect: good }), undefined, good);
  }
  // The factory refuses the same configurations, and never reads a secret for them.
  const secrets = store();
  assert.deepEqual(await attachAdapter({ name: 'A', connect: 'http://h:1' }, secrets.read), {
    ok: false,
    message: checkAttachConfig({ name: 'A', connect: 'http://h:1' }),
  });
  assert.equal((await attachAdapter({}, secrets.read)).ok, false);
  assert.deepEqual(secrets.asked, []);
});

test('the token command checks what is typed in', () => {
  assert.equal(connectProblem(URL), undefined);
  assert.match(connectProblem('') ?? '', /Give the agent's address/);
  assert.match(connectProblem('localhost:9229') ?? '', /ws:\/\/ or wss:\/\//);
  assert.equal(tokenProblem('0123456789abcdef0123'), undefined);
  assert.equal(tokenProblem('  0123456789abcdef0123\n'), undefined);
  assert.equal(tokenProblem(''), undefined, 'empty forgets the stored token');
  assert.match(tokenProblem('token: 0123456789abcdef') ?? '', /no spaces/);
});

test('attach configurations are told apart from launch ones', () => {
  assert.equal(isWasmscopeAttach({ type: 'wasmscope', request: 'attach', name: 'a', connect: URL }), true);
  assert.equal(isWasmscopeAttach({ type: 'wasmscope', request: 'launch', name: 'a', program: 'x.wasm' }), false);
  assert.equal(isWasmscopeAttach(undefined), false);
});

// Attaching to a running Node or Chromium by its DevTools port.

test('with target and port the adapter is the plain `dap` (as for a launch): no bridge, no token, no file looked for', async () => {
  const secrets = store({ [tokenKey(URL)]: 'stored-token-0123456789' });
  const looked: string[] = [];
  const options = { baseDir: '/ws', env: { PATH: '/usr/bin' }, fileExists: (f: string) => (looked.push(f), true) };
  const configs = [
    { target: 'node', port: 9229 },
    { name: 'Node', target: 'node', port: 9333, program: '/ws/build/app.wasm', cwd: '/ws', sourceMap: { '/src': '/ws' }, debugFiles: ['/ws/app.debug.wasm'] },
    { target: 'chrome', port: 9222, url: 'http://127.0.0.1:8080/', program: 'build/app.wasm' },
    { target: 'node', port: '9229' }, // from a variable
  ];
  for (const config of configs) {
    assert.equal(attachKind(config), 'devtools', JSON.stringify(config));
    assert.deepEqual(await attachAdapter(config, secrets.read, options), { ok: true, args: ['dap'] }, JSON.stringify(config));
  }
  assert.deepEqual(secrets.asked, []);
  assert.deepEqual(looked, []);
  // With connect, the bridge as before.
  assert.equal(attachKind({ connect: URL }), 'agent');
  assert.deepEqual(await attachAdapter({ connect: URL, tokenFile: '/t' }, secrets.read, { fileExists: () => true }), {
    ok: true,
    args: ['dap', '--connect', URL, '--token-file', '/t'],
  });
  assert.equal(attachKind({}), undefined);
  assert.equal(attachKind({ connect: ' ', target: '', port: null }), undefined);
});

test('an attach with only one of target and port says which is missing', async () => {
  const noPort = checkAttachConfig({ name: 'Node', target: 'node' }) ?? '';
  assert.match(noPort, /^The wasmscope configuration "Node" needs `port`: the DevTools port of the running Node, the port of `node --inspect` \(9229 by default\)\.$/);
  assert.match(checkAttachConfig({ target: 'chrome', port: '' }) ?? '', /^The wasmscope attach configuration needs `port`: the DevTools port of the running Chromium, Chromium's --remote-debugging-port\.$/);
  const noTarget = checkAttachConfig({ name: 'Node', port: 9229 }) ?? '';
  assert.match(noTarget, /^The wasmscope configuration "Node" has a `port` but no `target`: "node" \(the port of `node --inspect`\) or "chrome"/);
  assert.match(noTarget, /or, to attach to a wasmscope debugging agent, `connect`/);
  // The adapter is not started for them, and no secret is read.
  const secrets = store();
  assert.deepEqual(await attachAdapter({ name: 'Node', target: 'node' }, secrets.read), { ok: false, message: noPort });
  assert.deepEqual(await attachAdapter({ name: 'Node', port: 9229 }, secrets.read), { ok: false, message: noTarget });
  assert.deepEqual(secrets.asked, []);
});

test('target, port and the rest of an attach to Node or Chromium are checked', () => {
  const ok = { target: 'node', port: 9229 };
  assert.equal(checkAttachConfig(ok), undefined);
  for (const target of ['wasmtime', 'Node', 3]) {
    assert.match(checkAttachConfig({ ...ok, target }) ?? '', /`target` must be "node" or "chrome" to attach/, String(target));
  }
  for (const port of [0, 65536, -1, 1.5, 'abc', '92 29', true, [9229]]) {
    assert.match(checkAttachConfig({ ...ok, port }) ?? '', /`port` must be a port number from 1 to 65535/, JSON.stringify(port));
  }
  assert.equal(checkAttachConfig({ ...ok, port: 1 }), undefined);
  assert.equal(checkAttachConfig({ ...ok, port: ' 65535 ' }), undefined);
  // url picks a page: chrome only, a string.
  assert.match(checkAttachConfig({ ...ok, url: 'http://h/' }) ?? '', /`url` goes with "target": "chrome" \(it picks the page\), not "node"/);
  assert.match(checkAttachConfig({ target: 'chrome', port: 9222, url: 3 }) ?? '', /`url` must be a string/);
  assert.equal(checkAttachConfig({ target: 'chrome', port: 9222, url: 'http://127.0.0.1:8080/' }), undefined);
  // The agent's files do not go with a port.
  assert.match(checkAttachConfig({ ...ok, tokenFile: 'agent.token' }) ?? '', /`tokenFile` only go with `connect`/);
  assert.match(checkAttachConfig({ ...ok, tokenFile: 't', caFile: 'c.pem' }) ?? '', /`tokenFile` and `caFile` only go with `connect` \(a wasmscope debugging agent\), not with `target` and `port`/);
  // Paths are strings.
  assert.match(checkAttachConfig({ ...ok, program: 3 }) ?? '', /`program` must be a path/);
  assert.match(checkAttachConfig({ ...ok, cwd: {} }) ?? '', /`cwd` must be a path/);
  assert.match(checkAttachConfig({ ...ok, debugFiles: 'a.debug.wasm' }) ?? '', /`debugFiles` must be a list of paths/);
  assert.equal(checkAttachConfig({ ...ok, program: 'a.wasm', cwd: '/ws', debugFiles: ['a.debug.wasm'] }), undefined);
});

test('connect with target or port is refused: one kind of attach or the other', async () => {
  for (const extra of [{ target: 'node' }, { port: 9229 }, { target: 'node', port: 9229 }, { url: 'http://h/' }]) {
    const problem = checkAttachConfig({ name: 'Both', connect: URL, ...extra }) ?? '';
    assert.match(problem, /^The wasmscope configuration "Both" has both `connect` \(a wasmscope debugging agent\) and `(target|port|url)`.* \(a running Node or Chromium\): keep one of the two\.$/, JSON.stringify(extra));
    const secrets = store({ [tokenKey(URL)]: 'stored-token-0123456789' });
    assert.deepEqual(await attachAdapter({ name: 'Both', connect: URL, ...extra }, secrets.read), { ok: false, message: problem });
    assert.deepEqual(secrets.asked, []);
  }
});

test('a port is a number from 1 to 65535, or its digits (as a variable gives it)', () => {
  assert.equal(portNumber(9229), 9229);
  assert.equal(portNumber('9229'), 9229);
  assert.equal(portNumber(' 80 '), 80);
  for (const bad of [0, 65536, 1.5, NaN, '', '0x10', '1e3', undefined, null]) {
    assert.equal(portNumber(bad), undefined, String(bad));
  }
});
