import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { HeatResponse, LEVELS, LEVEL_BOUNDS, LEVEL_STYLES, heatLevel, linesByLevel, parseHeatResponse } from '../../src/lsp/heatLevels';
import { DEFAULT_HEAT_THRESHOLD, heatThreshold, initializationOptions } from '../../src/lsp/options';
import { profileInvocation } from '../../src/profile/profileArgs';

// out/test/unit -> the extension root
const root = path.resolve(__dirname, '..', '..', '..');
const manifest = () => JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
const serverOptionsSource = () => fs.readFileSync(path.join(root, '..', 'lsp', 'src', 'options.rs'), 'utf8');

/** The settings as VS Code reads them when the user set nothing (package.json's defaults). */
function defaultSettings(): { programs: unknown; sourceMap: unknown; heatThreshold: unknown } {
  const props = manifest().contributes.configuration.properties;
  return {
    programs: props['wasmscope.lsp.programs'].default,
    sourceMap: props['wasmscope.lsp.sourceMap'].default,
    heatThreshold: props['wasmscope.lsp.heatThreshold'].default,
  };
}

const folder = (name: string) => ({ name, path: `/home/me/${name}` });
type Folder = ReturnType<typeof folder>;
const launch = (folders: { folder: Folder; configurations: unknown[] }[], root?: Folder) => ({
  folders,
  root: root ?? folders[0]?.folder,
  folderPath: (f: Folder) => f.path,
});

test('with nothing set, the server gets the heat threshold only', () => {
  const app = folder('app');
  const result = initializationOptions(defaultSettings(), launch([{ folder: app, configurations: [] }]));
  assert.deepEqual(result, { options: { heatThreshold: 0.01 }, sourceMapFrom: 'none', problems: [] });
  // No folder at all (a loose file): the same.
  assert.deepEqual(initializationOptions(defaultSettings(), launch([])).options, { heatThreshold: 0.01 });
});

test('the sourceMap comes from the first wasmscope configuration of launch.json that has one, for its folder', () => {
  const app = folder('app');
  const lib = folder('lib');
  const other = { type: 'cppdbg', request: 'launch', name: 'gdb', sourceMap: { '/x': '/y' } };
  const bare = { type: 'wasmscope', request: 'launch', name: 'No map', program: 'a.wasm' };
  const mapped = { type: 'wasmscope', request: 'launch', name: 'Mapped', program: 'a.wasm', sourceMap: { '/wasmscope': '${workspaceFolder}' } };
  const attach = { type: 'wasmscope', request: 'attach', name: 'Attach', connect: 'ws://h:1', sourceMap: { '/srv': '${workspaceFolder}/srv' } };

  const one = initializationOptions(defaultSettings(), launch([{ folder: app, configurations: [other, bare, mapped, attach] }]));
  assert.deepEqual(one.options, { heatThreshold: 0.01, sourceMap: { '/wasmscope': '/home/me/app' } });
  assert.equal(one.sourceMapFrom, 'launch.json');

  // The root folder's launch.json first, whatever the order of the folders.
  const rootFirst = initializationOptions(
    defaultSettings(),
    launch([{ folder: lib, configurations: [attach] }, { folder: app, configurations: [mapped] }], app),
  );
  assert.deepEqual(rootFirst.options.sourceMap, { '/wasmscope': '/home/me/app' });
  // Only another folder has one: its ${workspaceFolder} is that folder.
  const fromLib = initializationOptions(
    defaultSettings(),
    launch([{ folder: app, configurations: [bare] }, { folder: lib, configurations: [attach] }], app),
  );
  assert.deepEqual(fromLib.options.sourceMap, { '/srv': '/home/me/lib/srv' });
});

test('the wasmscope.lsp.sourceMap setting wins over launch.json', () => {
  const app = folder('app');
  const mapped = { type: 'wasmscope', request: 'launch', name: 'Mapped', program: 'a.wasm', sourceMap: { '/wasmscope': '/elsewhere' } };
  const result = initializationOptions(
    { ...defaultSettings(), sourceMap: { '/build': '${workspaceFolder}/src', '${env:BUILD_ROOT}': '${workspaceFolder}' } },
    launch([{ folder: app, configurations: [mapped] }]),
    { BUILD_ROOT: '/ci/build' },
  );
  assert.deepEqual(result.options.sourceMap, { '/build': '/home/me/app/src', '/ci/build': '/home/me/app' });
  assert.equal(result.sourceMapFrom, 'setting');
  assert.deepEqual(result.problems, []);

  // Not a map of strings: ignored (said), and launch.json's is used.
  const wrong = initializationOptions({ ...defaultSettings(), sourceMap: { '/build': 3 } }, launch([{ folder: app, configurations: [mapped] }]));
  assert.deepEqual(wrong.options.sourceMap, { '/wasmscope': '/elsewhere' });
  assert.match(wrong.problems.join('\n'), /wasmscope\.lsp\.sourceMap must be an object/);
  // An entry whose variable cannot be resolved here (no active file for the server) is left out, and said.
  const unresolved = initializationOptions(
    { ...defaultSettings(), sourceMap: { '/a': '${fileDirname}', '/b': '/ok' } },
    launch([{ folder: app, configurations: [] }]),
  );
  assert.deepEqual(unresolved.options.sourceMap, { '/b': '/ok' });
  assert.match(unresolved.problems.join('\n'), /cannot resolve \$\{fileDirname\}/);
});

test('programs are made absolute against the workspace folder; what is not a path is left out', () => {
  const app = folder('app');
  const result = initializationOptions(
    { ...defaultSettings(), programs: ['build/app.wasm', '${workspaceFolder}/b.wasm', '/opt/c.wasm', 42, '', '${file}'] },
    launch([{ folder: app, configurations: [] }]),
  );
  assert.deepEqual(result.options.programs, ['/home/me/app/build/app.wasm', '/home/me/app/b.wasm', '/opt/c.wasm']);
  assert.equal(result.problems.length, 3, result.problems.join('\n'));
  assert.match(result.problems.join('\n'), /42 is not a path/);
  assert.match(result.problems.join('\n'), /cannot resolve \$\{file\}/);
  const notList = initializationOptions({ ...defaultSettings(), programs: 'app.wasm' }, launch([{ folder: app, configurations: [] }]));
  assert.equal(notList.options.programs, undefined);
  assert.match(notList.problems.join('\n'), /must be a list of paths/);
});

test('the heat threshold is a share from 0 to 1, else the default (the server would refuse it)', () => {
  for (const ok of [0, 0.01, 0.5, 1]) {
    assert.equal(heatThreshold(ok), ok);
  }
  for (const wrong of [-0.1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, '0.2', null, undefined]) {
    assert.equal(heatThreshold(wrong), DEFAULT_HEAT_THRESHOLD, `for ${String(wrong)}`);
  }
  const app = folder('app');
  const result = initializationOptions({ ...defaultSettings(), heatThreshold: 2 }, launch([{ folder: app, configurations: [] }]));
  assert.equal(result.options.heatThreshold, DEFAULT_HEAT_THRESHOLD);
  assert.match(result.problems.join('\n'), /heatThreshold must be a number from 0 to 1, not 2/);
});

test('the options sent are ones the server knows (it refuses others), with its defaults', () => {
  // The fields of `struct Options` in lsp/src/options.rs, as serde names them (camelCase).
  const source = serverOptionsSource();
  const struct = /pub struct Options \{([\s\S]*?)\n\}/.exec(source);
  assert.ok(struct, 'no `pub struct Options` in lsp/src/options.rs');
  const known = [...struct[1].matchAll(/pub (\w+):/g)].map((m) => m[1].replace(/_(\w)/g, (_, c: string) => c.toUpperCase()));
  assert.deepEqual(known.sort(), ['heatThreshold', 'profiles', 'programs', 'sourceMap']);
  const app = folder('app');
  const everything = initializationOptions(
    { programs: ['a.wasm'], sourceMap: { '/b': '/c' }, heatThreshold: 0.2 },
    launch([{ folder: app, configurations: [] }]),
  );
  for (const key of Object.keys(everything.options)) {
    assert.ok(known.includes(key), `the extension sends ${key}, which the server does not know`);
  }
  // The same default threshold on both sides, and in package.json.
  const serverDefault = /fn default_threshold\(\) -> f64 \{\s*([\d.]+)\s*\}/.exec(source);
  assert.ok(serverDefault, 'no default_threshold in lsp/src/options.rs');
  assert.equal(Number(serverDefault[1]), DEFAULT_HEAT_THRESHOLD);
  assert.equal(defaultSettings().heatThreshold, DEFAULT_HEAT_THRESHOLD);
});

test('heat levels: nothing below the threshold, then five levels by total share', () => {
  assert.equal(LEVELS, 5);
  assert.equal(heatLevel(0.009, 5, 0.01), 0);
  assert.equal(heatLevel(0.01, 5, 0.01), 1);
  assert.equal(heatLevel(0.049, 5, 0.01), 1);
  assert.equal(heatLevel(0.05, 5, 0.01), 2);
  assert.equal(heatLevel(0.149, 5, 0.01), 2);
  assert.equal(heatLevel(0.15, 5, 0.01), 3);
  assert.equal(heatLevel(0.35, 5, 0.01), 4);
  assert.equal(heatLevel(0.649, 5, 0.01), 4);
  assert.equal(heatLevel(0.65, 5, 0.01), 5);
  assert.equal(heatLevel(1, 5, 0.01), 5);
  // No samples: not painted, even with a threshold of 0.
  assert.equal(heatLevel(0, 0, 0), 0);
  assert.equal(heatLevel(0.001, 1, 0), 1);
  // A threshold above a bound: the line is either not hot or at its level by share.
  assert.equal(heatLevel(0.1, 5, 0.2), 0);
  assert.equal(heatLevel(0.2, 5, 0.2), 3);
  assert.deepEqual([...LEVEL_BOUNDS], [0.05, 0.15, 0.35, 0.65]);
});

test('hotter levels are more opaque, in the background and the overview ruler', () => {
  const alpha = (rgba: string) => {
    const m = /^rgba\(\d+, \d+, \d+, ([\d.]+)\)$/.exec(rgba);
    assert.ok(m, `not an rgba() colour: ${rgba}`);
    return Number(m[1]);
  };
  assert.equal(LEVEL_STYLES.length, LEVELS);
  for (const key of ['background', 'overviewRuler'] as const) {
    const alphas = LEVEL_STYLES.map((s) => alpha(s[key]));
    for (let i = 1; i < alphas.length; i++) {
      assert.ok(alphas[i] > alphas[i - 1], `${key}: level ${i + 1} (${alphas[i]}) is not more opaque than level ${i} (${alphas[i - 1]})`);
    }
    assert.ok(alphas.every((a) => a > 0 && a <= 1));
  }
  // Code stays readable over the hottest line.
  assert.ok(alpha(LEVEL_STYLES[LEVELS - 1].background) <= 0.5);
});

// An answer of `wasmscope lsp` for examples/hotspots/hotspots.c (221 samples), as it sends it.
const hotspotsHeat = {
  lines: [
    { line: 20, own: 148, ownShare: 0.669683257918552, total: 148, totalShare: 0.669683257918552 },
    { line: 22, own: 45, ownShare: 0.20361990950226244, total: 45, totalShare: 0.20361990950226244 },
    { line: 26, own: 18, ownShare: 0.08144796380090498, total: 18, totalShare: 0.08144796380090498 },
    { line: 28, own: 3, ownShare: 0.013574660633484163, total: 3, totalShare: 0.013574660633484163 },
    { line: 29, own: 0, ownShare: 0, total: 147, totalShare: 0.665158371040724 },
    { line: 36, own: 6, ownShare: 0.027149321266968326, total: 6, totalShare: 0.027149321266968326 },
    { line: 39, own: 0, ownShare: 0, total: 46, totalShare: 0.2081447963800905 },
    { line: 45, own: 0, ownShare: 0, total: 168, totalShare: 0.7601809954751131 },
    { line: 46, own: 0, ownShare: 0, total: 52, totalShare: 0.23529411764705882 },
    { line: 60, own: 0, ownShare: 0, total: 220, totalShare: 0.995475113122172 },
    { line: 62, own: 0, ownShare: 0, total: 1, totalShare: 0.004524886877828055 },
  ],
  profile: '/ws/.wasmscope/hotspots-O2.pb.gz',
  totalSamples: 221,
};

test('a heat answer becomes the lines of each level', () => {
  const heat = parseHeatResponse(hotspotsHeat);
  assert.ok(heat);
  // 148/221 = 67.0% → 5; 45/221 = 20.4% → 3; 18/221 = 8.1% → 2; 3/221 = 1.4% → 1; 147/221 = 66.5% → 5;
  // 6/221 = 2.7% → 1; 46/221 = 20.8% → 3; 168/221 = 76.0% → 5; 52/221 = 23.5% → 3; 220/221 → 5; 1/221 = 0.45%: below 1%.
  assert.deepEqual(linesByLevel(heat, 0.01), [[28, 36], [26], [22, 39, 46], [], [20, 29, 45, 60]]);
  // Threshold 0: the line with one sample too.
  assert.deepEqual(linesByLevel(heat, 0)[0], [28, 36, 62]);
  // A document now shorter than the profile's lines: those past its end are left out.
  assert.deepEqual(linesByLevel(heat, 0.01, 46), [[28, 36], [26], [22, 39], [], [20, 29, 45]]);
  // No profile yet: nothing.
  const none = parseHeatResponse({ profile: null, totalSamples: 0, lines: [] });
  assert.deepEqual(none, { profile: null, totalSamples: 0, lines: [] });
  assert.deepEqual(linesByLevel(none!, 0.01), [[], [], [], [], []]);
});

test('an answer that is not heat is refused', () => {
  const line = hotspotsHeat.lines[0];
  for (const wrong of [
    null,
    'heat',
    { totalSamples: 1, lines: [] }, // no profile
    { profile: 3, totalSamples: 1, lines: [] },
    { profile: null, totalSamples: -1, lines: [] },
    { profile: null, totalSamples: 1 },
    { profile: null, totalSamples: 1, lines: [{ ...line, line: -1 }] },
    { profile: null, totalSamples: 1, lines: [{ ...line, line: 1.5 }] },
    { profile: null, totalSamples: 1, lines: [{ ...line, totalShare: 1.2 }] },
    { profile: null, totalSamples: 1, lines: [{ ...line, own: undefined }] },
    { profile: null, totalSamples: 1, lines: [null] },
  ]) {
    assert.equal(parseHeatResponse(wrong), undefined, JSON.stringify(wrong));
  }
});

test('a profile run keeps its copy in the workspace folder, where the language server looks', () => {
  const config = { program: 'build/app.wasm' };
  // cwd = the folder: the CLI's default (.wasmscope under its cwd) is the folder's.
  assert.deepEqual(profileInvocation({ ...config, cwd: '/ws' }, '/tmp/p.json', '/ws').args, [
    'profile', '--format', 'speedscope', '-o', '/tmp/p.json', '/ws/build/app.wasm',
  ]);
  assert.ok(!profileInvocation({ ...config, cwd: '/ws/' }, 'o', '/ws').args.includes('--save-dir'));
  // Another cwd: the copy goes to the folder's .wasmscope explicitly.
  assert.deepEqual(profileInvocation({ ...config, cwd: '/ws/run' }, '/tmp/p.json', '/ws').args, [
    'profile', '--format', 'speedscope', '-o', '/tmp/p.json', '--save-dir', '/ws/.wasmscope', '/ws/run/build/app.wasm',
  ]);
  // No folder (a loose .wasm): the CLI's default.
  assert.ok(!profileInvocation({ ...config, cwd: '/tmp/x' }, 'o').args.includes('--save-dir'));
});

test('package.json: the language server starts for C, C++ and Rust, with its settings and the heat command', () => {
  const m = manifest();
  for (const event of ['onLanguage:c', 'onLanguage:cpp', 'onLanguage:rust', 'workspaceContains:.wasmscope']) {
    assert.ok(m.activationEvents.includes(event), `no activation event ${event}`);
  }
  const props = m.contributes.configuration.properties;
  assert.equal(props['wasmscope.lsp.enable'].default, true);
  assert.deepEqual(props['wasmscope.lsp.programs'].default, []);
  assert.deepEqual(props['wasmscope.lsp.sourceMap'].default, {});
  assert.deepEqual([props['wasmscope.lsp.heatThreshold'].minimum, props['wasmscope.lsp.heatThreshold'].maximum], [0, 1]);
  // vscode-languageclient reads `<client id>.trace.server`; the client id is wasmscope.lsp.
  assert.equal(props['wasmscope.lsp.trace.server'].default, 'off');
  assert.ok(m.contributes.commands.some((c: { command: string; title: string }) => c.command === 'wasmscope.toggleHeat' && c.title === 'Toggle profile heat'));
  // The runtime dependency, pinned, and shipped: the .vsix is packaged with its dependencies.
  assert.deepEqual(m.dependencies, { 'vscode-languageclient': '9.0.1' });
  assert.doesNotMatch(m.scripts.package, /--no-dependencies/);
  const ignore = fs.readFileSync(path.join(root, '.vscodeignore'), 'utf8').split('\n');
  assert.ok(ignore.includes('!node_modules/**'), '.vscodeignore drops node_modules');
  // Every directory of compiled extension code that runs is kept.
  for (const dir of fs.readdirSync(path.join(root, 'src'), { withFileTypes: true })) {
    if (dir.isDirectory() && dir.name !== 'schema' && dir.name !== 'webview') {
      assert.ok(ignore.includes(`!out/src/${dir.name}/*.js`), `.vscodeignore leaves out out/src/${dir.name}`);
    }
  }
});
