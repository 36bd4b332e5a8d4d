import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { INSTALL_HINT, checkVersionOutput, findExecutable, locateWasmscope } from '../../src/adapter/locate';
import { MIN_VERSION, compareVersions, parseVersion, parseVersionOutput } from '../../src/adapter/version';

test('parses what `wasmscope --version` prints', () => {
  assert.deepEqual(parseVersionOutput('wasmscope 0.1.0\n'), [0, 1, 0]);
  assert.deepEqual(parseVersionOutput('wasmscope 12.3.45-dev'), [12, 3, 45]);
  assert.equal(parseVersionOutput('lldb version 14'), undefined);
});

test('versions compare component by component, not as strings', () => {
  assert.ok(compareVersions(parseVersion('0.10.0'), parseVersion('0.9.9')) > 0);
  assert.ok(compareVersions(parseVersion('1.0.0'), parseVersion('1.0.1')) < 0);
  assert.equal(compareVersions(parseVersion('0.1.0'), parseVersion(MIN_VERSION)), 0);
});

test('a new enough binary is accepted', () => {
  assert.deepEqual(checkVersionOutput('/bin/w', 'wasmscope 0.1.0\n', '0.1.0'), { ok: true, path: '/bin/w', version: '0.1.0' });
});

test('a too old binary is refused with the versions and the fix', () => {
  const result = checkVersionOutput('/opt/wasmscope', 'wasmscope 0.0.9', '0.1.0');
  assert.equal(result.ok, false);
  assert.match(!result.ok ? result.message : '', /wasmscope 0\.0\.9 at \/opt\/wasmscope is too old: this extension needs 0\.1\.0/);
  assert.match(!result.ok ? result.message : '', /wasmscope\.path/);
});

test('something else is refused', () => {
  const result = checkVersionOutput('/usr/bin/true', '', '0.1.0');
  assert.equal(result.ok, false);
  assert.match(!result.ok ? result.message : '', /does not look like wasmscope/);
});

test('the setting wins over PATH', () => {
  const exists = (f: string) => f === '/custom/wasmscope' || f === '/usr/bin/wasmscope';
  assert.equal(findExecutable('/custom/wasmscope', '/usr/bin', exists, 'linux').path, '/custom/wasmscope');
  assert.equal(findExecutable('', '/nope:/usr/bin', exists, 'linux').path, '/usr/bin/wasmscope');
  assert.equal(findExecutable('  ', '/nope', exists, 'linux').path, undefined);
  assert.equal(findExecutable('/missing', '/usr/bin', exists, 'linux').path, undefined);
});

test('a missing binary names the fix', async () => {
  const onPath = await locateWasmscope(undefined, '/nonexistent-dir');
  assert.deepEqual(onPath, { ok: false, message: `wasmscope not found: no \`wasmscope\` on PATH. ${INSTALL_HINT}` });
  const fromSetting = await locateWasmscope('/nonexistent/wasmscope');
  assert.match(!fromSetting.ok ? fromSetting.message : '', /wasmscope\.path \(\/nonexistent\/wasmscope\) is not an executable file/);
});

test('the version check runs the binary', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wasmscope-version-'));
  const old = path.join(dir, 'wasmscope');
  fs.writeFileSync(old, '#!/bin/sh\necho "wasmscope 0.0.1"\n', { mode: 0o755 });
  const result = await locateWasmscope(undefined, dir);
  assert.equal(result.ok, false);
  assert.match(!result.ok ? result.message : '', /too old/);
  fs.rmSync(dir, { recursive: true });
});
