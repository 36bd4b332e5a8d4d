import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { SET_TOKEN_COMMAND, SET_TOKEN_TITLE } from '../../src/adapter/attach';
import { ATTACH_TARGETS, DEVTOOLS_ATTACH_ATTRIBUTES, checkAttachConfig } from '../../src/config/attachConfig';
import { binaryForBuild, readLaunchSchema, toLaunchAttributes, withLaunchAttributes } from '../../src/schema/launchSchema';

// out/test/unit -> the extension root
const root = path.resolve(__dirname, '..', '..', '..');
const manifest = () => JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));

test('the launch schema keeps required and properties only', () => {
  const schema = { $schema: 'x', required: ['program'], properties: { program: { type: 'string' } } };
  assert.deepEqual(toLaunchAttributes(schema), { required: ['program'], properties: { program: { type: 'string' } } });
  assert.throws(() => toLaunchAttributes({ required: [] }), /properties/);
});

test('generation replaces only the launch attributes (the hand-written attach attributes stay)', () => {
  const attach = { required: ['connect'], properties: { connect: { type: 'string' } } };
  const before = JSON.stringify({ name: 'x', contributes: { debuggers: [{ type: 'wasmscope', label: 'L', configurationAttributes: { launch: {}, attach } }] } }, null, 2);
  const after = JSON.parse(withLaunchAttributes(before, { properties: { a: { type: 'string' } } }));
  assert.deepEqual(after.contributes.debuggers[0], {
    type: 'wasmscope',
    label: 'L',
    configurationAttributes: { launch: { properties: { a: { type: 'string' } } }, attach },
  });
  assert.throws(() => withLaunchAttributes('{"contributes":{}}', { properties: {} }), /debuggers/);
});

test('package.json has the launch attributes the adapter prints (run `npm run generate-schema` if not)', (t) => {
  const binary = binaryForBuild(root);
  if (!binary) {
    // On a developer machine without a build the check cannot run; CI must never skip it.
    if (process.env.CI || process.env.WASMSCOPE_BIN) {
      assert.fail('no wasmscope binary: build the repository or set WASMSCOPE_BIN (CI never skips this check)');
    }
    t.skip('no wasmscope binary (set WASMSCOPE_BIN)');
    return;
  }
  if (process.env.WASMSCOPE_BIN) {
    assert.ok(fs.existsSync(binary), `WASMSCOPE_BIN=${binary} does not exist`);
  }
  const expected = readLaunchSchema(binary);
  assert.deepEqual(
    manifest().contributes.debuggers[0].configurationAttributes.launch,
    expected,
    `package.json's launch attributes differ from \`${binary} dap --launch-schema\`: run \`npm run generate-schema\``,
  );
});

test('the manifest offers launch and attach; attach takes what the adapter and `dap --connect` read', () => {
  const debuggerEntry = manifest().contributes.debuggers[0];
  const attributes = debuggerEntry.configurationAttributes;
  assert.deepEqual(Object.keys(attributes), ['launch', 'attach']);
  // The adapter reads sourceMap (as launch does); connect, tokenFile and caFile are the extension's.
  // Nothing is required: `connect`, or `target` and `port`, which the extension checks (attachConfig.ts).
  assert.equal(attributes.attach.required, undefined);
  assert.deepEqual(Object.keys(attributes.attach.properties).sort(), [
    'caFile', 'connect', 'cwd', 'debugFiles', 'port', 'program', 'sourceMap', 'target', 'tokenFile', 'url',
  ]);
  // An attach to Node or Chromium takes what the adapter's `attach` does; the types are the launch ones.
  assert.deepEqual(attributes.attach.properties.target.enum, ['node', 'chrome']);
  assert.deepEqual(attributes.attach.properties.target.enum, [...ATTACH_TARGETS]);
  assert.equal(attributes.attach.properties.port.type, 'number');
  assert.deepEqual([attributes.attach.properties.port.minimum, attributes.attach.properties.port.maximum], [1, 65535]);
  for (const name of DEVTOOLS_ATTACH_ATTRIBUTES) {
    assert.ok(name in attributes.attach.properties, name);
    if (name in attributes.launch.properties && name !== 'target') {
      assert.equal(attributes.attach.properties[name].type, attributes.launch.properties[name].type, name);
    }
  }
  assert.deepEqual(attributes.attach.properties.debugFiles.items, attributes.launch.properties.debugFiles.items);
  // The two files are paths, resolved against the workspace folder; caFile is for wss:// agents only.
  for (const file of ['tokenFile', 'caFile']) {
    assert.equal(attributes.attach.properties[file].type, 'string', file);
    assert.match(attributes.attach.properties[file].description, /relative to the workspace folder/, file);
  }
  assert.match(attributes.attach.properties.caFile.description, /certificates \(PEM\) to trust for a wss:\/\/ agent/);
  assert.match(attributes.attach.properties.caFile.description, /wasmscope serve --tls-cert/);
  assert.deepEqual(attributes.attach.properties.sourceMap, attributes.launch.properties.sourceMap);
  const requests = debuggerEntry.configurationSnippets.map((s: { body: { request: string } }) => s.body.request);
  assert.ok(requests.every((r: string) => r === 'launch' || r === 'attach'), requests.join());
  const attach = debuggerEntry.configurationSnippets.find((s: { body: { request: string } }) => s.body.request === 'attach');
  assert.equal(attach.label, 'wasmscope: Attach to a server (wasmscope serve --debug-addr)');
  assert.equal(attach.body.connect, '${2:ws://127.0.0.1:9229}');
  assert.deepEqual(attach.body.sourceMap, { '${3:/wasmscope}': '^"\\${workspaceFolder}"' });
  // The Node one attaches by port, with the attributes of an attach to Node only.
  const node = debuggerEntry.configurationSnippets.find((s: { label: string }) => s.label === 'wasmscope: Attach to Node (--inspect)');
  assert.ok(node, 'no "wasmscope: Attach to Node (--inspect)" snippet');
  assert.equal(node.body.request, 'attach');
  assert.equal(node.body.target, 'node');
  assert.equal(node.body.port, 9229);
  assert.match(node.body.program, /\.wasm/);
  const unknown = Object.keys(node.body).filter((k) => !['type', 'request', 'name'].includes(k) && !(DEVTOOLS_ATTACH_ATTRIBUTES as readonly string[]).includes(k));
  assert.deepEqual(unknown, []);
  assert.equal(checkAttachConfig({ ...node.body, program: '/ws/program.wasm', cwd: '/ws' }), undefined);
});

test('every launch snippet uses launch attributes only; the Chrome one runs the program on a page in chromium', () => {
  const debuggerEntry = manifest().contributes.debuggers[0];
  const launch = debuggerEntry.configurationAttributes.launch.properties;
  const snippets = debuggerEntry.configurationSnippets as { label: string; body: Record<string, unknown> }[];
  for (const { label, body } of snippets.filter((s) => s.body.request === 'launch')) {
    const unknown = Object.keys(body).filter((k) => !['type', 'request', 'name'].includes(k) && !(k in launch));
    assert.deepEqual(unknown, [], `${label}: not launch attributes`);
  }
  const chrome = snippets.find((s) => s.label === 'wasmscope: Debug Wasm in Chrome');
  assert.ok(chrome, snippets.map((s) => s.label).join('; '));
  assert.equal(chrome.body.target, 'chrome');
  assert.ok(launch.target.enum.includes('chrome'), JSON.stringify(launch.target));
  assert.match(String(chrome.body.url), /^\$\{2:https?:\/\/[^}]+\}$/);
  assert.match(String(chrome.body.program), /\.wasm/);
});

test('the README documents every attach attribute package.json declares', () => {
  const readme = fs.readFileSync(path.join(root, 'README.md'), 'utf8');
  const attach = manifest().contributes.debuggers[0].configurationAttributes.attach.properties;
  for (const name of Object.keys(attach)) {
    assert.ok(readme.includes(`"${name}":`), `README.md has no "${name}": in an attach example`);
  }
});

test('the agent-token command is contributed under the name the extension registers', () => {
  const commands = manifest().contributes.commands.map((c: { command: string; category: string; title: string }) => `${c.category}: ${c.title}`);
  assert.ok(commands.includes(SET_TOKEN_TITLE), commands.join('; '));
  assert.ok(manifest().contributes.commands.some((c: { command: string }) => c.command === SET_TOKEN_COMMAND));
});

test('the commands the extension registers are the ones package.json contributes', () => {
  const source = fs.readFileSync(path.join(root, 'src', 'extension.ts'), 'utf8');
  const registered = [...source.matchAll(/registerCommand\(\s*'([^']+)'/g)].map((m) => m[1]);
  if (/registerCommand\(\s*SET_TOKEN_COMMAND\b/.test(source)) {
    registered.push(SET_TOKEN_COMMAND);
  }
  const contributed = manifest().contributes.commands as { command: string; category: string; title: string }[];
  assert.deepEqual(registered.sort(), contributed.map((c) => c.command).sort());
  const remote = contributed.find((c) => c.command === 'wasmscope.profileRemote');
  assert.equal(remote && `${remote.category}: ${remote.title}`, 'wasmscope: Profile remote server…');
});

test('breakpoints are enabled for C, C++, Rust and WAT', () => {
  const languages = manifest().contributes.breakpoints.map((b: { language: string }) => b.language);
  assert.deepEqual(languages.sort(), ['c', 'cpp', 'rust', 'wat']);
});
