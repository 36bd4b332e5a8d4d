import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { binaryForBuild, readLaunchSchema, toLaunchAttributes, withLaunchAttributes } from '../../src/schema/launchSchema';

// out/test/unit -> the extension root
const root = path.resolve(__dirname, '..', '..', '..');
const manifest = () => JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));

test('the launch schema keeps required and properties only', () => {
  const schema = { $schema: 'x', required: ['program'], properties: { program: { type: 'string' } } };
  assert.deepEqual(toLaunchAttributes(schema), { required: ['program'], properties: { program: { type: 'string' } } });
  assert.throws(() => toLaunchAttributes({ required: [] }), /properties/);
});

test('generation replaces only the launch attributes', () => {
  const before = JSON.stringify({ name: 'x', contributes: { debuggers: [{ type: 'wasmscope', label: 'L', configurationAttributes: { launch: {} } }] } }, null, 2);
  const after = JSON.parse(withLaunchAttributes(before, { properties: { a: { type: 'string' } } }));
  assert.deepEqual(after.contributes.debuggers[0], { type: 'wasmscope', label: 'L', configurationAttributes: { launch: { properties: { a: { type: 'string' } } } } });
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

test('the manifest offers launch only (the adapter has no attach)', () => {
  const attributes = manifest().contributes.debuggers[0].configurationAttributes;
  assert.deepEqual(Object.keys(attributes), ['launch']);
  for (const snippet of manifest().contributes.debuggers[0].configurationSnippets) {
    assert.equal(snippet.body.request, 'launch');
  }
});

test('breakpoints are enabled for C, C++, Rust and WAT', () => {
  const languages = manifest().contributes.breakpoints.map((b: { language: string }) => b.language);
  assert.deepEqual(languages.sort(), ['c', 'cpp', 'rust', 'wat']);
});
