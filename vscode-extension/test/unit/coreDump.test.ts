import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import {
  OPEN_CORE_DUMP_COMMAND,
  OPEN_CORE_DUMP_TITLE,
  coreDumpLaunchConfig,
  isCoreDumpFile,
  sourceMapForCoreDump,
} from '../../src/config/coreDump';
import { checkLaunchConfig, isCoreDumpLaunch, runsProgram } from '../../src/config/launchConfig';

// out/test/unit -> the extension root
const root = path.resolve(__dirname, '..', '..', '..');
const manifest = () => JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));

test('a launch needs a program or a coredump, and says so naming both', () => {
  assert.equal(checkLaunchConfig({ name: 'Run', program: '${workspaceFolder}/app.wasm' }), undefined);
  assert.equal(checkLaunchConfig({ name: 'Dump', coreDump: '/tmp/app.coredump' }), undefined);
  assert.equal(checkLaunchConfig({ name: 'Both', program: 'app.wasm', coreDump: 'app.coredump' }), undefined);
  const missing = checkLaunchConfig({ name: 'Nothing' });
  assert.ok(missing, 'no error for a launch with neither program nor coreDump');
  assert.match(missing, /"Nothing" needs a `program` \(the \.wasm to debug\) or a `coreDump`/);
  assert.equal(checkLaunchConfig({ name: 'Empty', program: '', coreDump: '' }), missing.replace('"Nothing"', '"Empty"'));
  // No name (a configuration built by hand): still a sentence.
  assert.match(checkLaunchConfig({}) ?? '', /^The wasmscope configuration needs a `program`/);
  assert.match(checkLaunchConfig({ name: 'N', coreDump: ['a.coredump'] }) ?? '', /`coreDump` that is not a string/);
  assert.match(checkLaunchConfig({ name: 'N', program: 42, coreDump: 'a.coredump' }) ?? '', /`program` that is not a string/);
});

test('a page in chromium or a Node script may leave the program out: the adapter takes the first module with DWARF it loads', () => {
  assert.equal(checkLaunchConfig({ name: 'Page', target: 'chrome', url: 'http://127.0.0.1:8080/' }), undefined);
  assert.equal(checkLaunchConfig({ name: 'Page', target: 'chrome', url: 'http://127.0.0.1:8080/', program: 'app.wasm' }), undefined);
  assert.equal(checkLaunchConfig({ name: 'Script', target: 'node', script: 'app.mjs' }), undefined);
  // Node without a script runs the program with wasmscope's own runner: it needs one.
  assert.match(checkLaunchConfig({ name: 'Node', target: 'node' }) ?? '', /"Node" needs a `program`/);
  assert.match(checkLaunchConfig({ name: 'Node', target: 'node', script: '' }) ?? '', /"Node" needs a `program`/);
  assert.match(checkLaunchConfig({ name: 'W', target: 'wasmtime' }) ?? '', /"W" needs a `program`/);
  // A script without "target": "node" is not run: wasmtime wants the program.
  assert.match(checkLaunchConfig({ name: 'S', script: 'app.mjs' }) ?? '', /"S" needs a `program`/);
});

test('programs run in Node or chromium are not offered to the profiler (it runs programs in wasmtime)', () => {
  const run = { type: 'wasmscope', request: 'launch', name: 'Run', program: 'app.wasm' };
  assert.equal(runsProgram({ ...run, target: 'wasmtime' }), true);
  assert.equal(runsProgram({ ...run, target: 'chrome', url: 'http://127.0.0.1:8080/' }), false);
  assert.equal(runsProgram({ ...run, target: 'node' }), false);
});

test('coredump launches are not programs to profile', () => {
  const run = { type: 'wasmscope', request: 'launch', name: 'Run', program: 'app.wasm' };
  assert.equal(runsProgram(run), true);
  assert.equal(isCoreDumpLaunch(run), false);
  const dump = { type: 'wasmscope', request: 'launch', name: 'Dump', coreDump: 'app.coredump' };
  assert.equal(runsProgram(dump), false);
  assert.equal(isCoreDumpLaunch(dump), true);
  // A program given for a coredump only says where the dump's program is: it is not run either.
  assert.equal(runsProgram({ ...dump, program: 'app.wasm' }), false);
  assert.equal(runsProgram({ type: 'wasmscope', request: 'attach', name: 'A', program: 'app.wasm' }), false);
  assert.equal(runsProgram({ type: 'other', request: 'launch', name: 'O', program: 'app.wasm' }), false);
});

test('the command debugs the coredump alone, named after its file', () => {
  const file = '/srv/dumps/1796260134934-1-GET__crash.coredump';
  const config = coreDumpLaunchConfig(file);
  assert.deepEqual(config, {
    type: 'wasmscope',
    request: 'launch',
    name: 'Coredump 1796260134934-1-GET__crash.coredump',
    coreDump: file,
  });
  assert.equal(checkLaunchConfig(config), undefined, 'the built configuration passes the provider check');
  assert.equal('program' in config, false, 'the adapter finds the program the dump names');

  const sourceMap = { '/wasmscope': '${workspaceFolder}' };
  const mapped = coreDumpLaunchConfig(file, sourceMap);
  assert.deepEqual(mapped.sourceMap, sourceMap);
  assert.notEqual(mapped.sourceMap, sourceMap, 'a copy: the launch.json value is not shared');
});

test('only .coredump files are taken from the explorer', () => {
  assert.equal(isCoreDumpFile('/tmp/x/app.coredump'), true);
  assert.equal(isCoreDumpFile('C:\\dumps\\APP.COREDUMP'), true);
  assert.equal(isCoreDumpFile('/tmp/x/app.wasm'), false);
  assert.equal(isCoreDumpFile('/tmp/x/coredump'), false);
  assert.equal(isCoreDumpFile('/tmp/x/.coredump'), false);
});

test("the sourceMap comes from the first wasmscope configuration that has one, the dump's folder first", () => {
  const a = { name: 'a' };
  const b = { name: 'b' };
  const folders = [
    {
      folder: a,
      configurations: [
        { type: 'node', request: 'launch', name: 'not ours', sourceMap: { '/x': '/y' } },
        { type: 'wasmscope', request: 'launch', name: 'no map', program: 'p.wasm' },
        { type: 'wasmscope', request: 'launch', name: 'empty map', program: 'p.wasm', sourceMap: {} },
        { type: 'wasmscope', request: 'launch', name: 'bad map', program: 'p.wasm', sourceMap: { '/x': 1 } },
        { type: 'wasmscope', request: 'launch', name: 'A', program: 'p.wasm', sourceMap: { '/wasmscope': '${workspaceFolder}' } },
        { type: 'wasmscope', request: 'launch', name: 'A2', program: 'q.wasm', sourceMap: { '/other': '/z' } },
      ],
    },
    {
      folder: b,
      configurations: [{ type: 'wasmscope', request: 'attach', name: 'B', connect: 'ws://h:1', sourceMap: { '/build': '${workspaceFolder}/src' } }],
    },
  ];
  assert.deepEqual(sourceMapForCoreDump(folders), { folder: a, sourceMap: { '/wasmscope': '${workspaceFolder}' } });
  assert.deepEqual(sourceMapForCoreDump(folders, a), { folder: a, sourceMap: { '/wasmscope': '${workspaceFolder}' } });
  assert.deepEqual(sourceMapForCoreDump(folders, b), { folder: b, sourceMap: { '/build': '${workspaceFolder}/src' } });
  assert.equal(sourceMapForCoreDump([{ folder: a, configurations: [null, 'x', { type: 'wasmscope', request: 'launch' }] }]), undefined);
  assert.equal(sourceMapForCoreDump([]), undefined);
});

test('package.json: coredump launches are allowed, with a snippet, a command and an explorer entry', () => {
  const debuggerEntry = manifest().contributes.debuggers[0];
  const launch = debuggerEntry.configurationAttributes.launch;
  // program or coreDump: the adapter and the provider check, so the schema requires neither.
  assert.equal(launch.required, undefined);
  assert.equal(launch.properties.coreDump.type, 'string');
  assert.equal(launch.properties.coreDumpOnTrap.type, 'string');

  const snippet = debuggerEntry.configurationSnippets.find((s: { label: string }) => s.label === 'wasmscope: Open a coredump');
  assert.ok(snippet, 'no "wasmscope: Open a coredump" snippet');
  assert.deepEqual(snippet.body, {
    type: 'wasmscope',
    request: 'launch',
    name: '${1:Open coredump}',
    coreDump: '^"\\${workspaceFolder}/${2:app.coredump}"',
  });
  assert.equal(checkLaunchConfig(snippet.body), undefined);

  const commands = manifest().contributes.commands as { command: string; category: string; title: string }[];
  const command = commands.find((c) => c.command === OPEN_CORE_DUMP_COMMAND);
  assert.equal(command && `${command.category}: ${command.title}`, OPEN_CORE_DUMP_TITLE);
  const menu = manifest().contributes.menus['explorer/context'].find((m: { command: string }) => m.command === OPEN_CORE_DUMP_COMMAND);
  assert.equal(menu?.when, 'resourceExtname == .coredump');
});
