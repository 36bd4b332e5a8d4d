import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { LogFollower } from '../../src/adapter/logFollower';
import { parseFolded } from '../../src/profile/folded';
import { layoutFlamegraph } from '../../src/profile/layout';
import { profileInvocation, profileSummary } from '../../src/profile/profileArgs';
import { readProfile } from '../../src/profile/readProfile';
import { bestSuffixMatch } from '../../src/profile/sourceLocate';
import { parseSpeedscope } from '../../src/profile/speedscope';

// The shape `wasmscope profile --format speedscope` writes.
const speedscope = {
  $schema: 'https://www.speedscope.app/file-format-schema.json',
  shared: {
    frames: [
      { name: 'main', file: '/wasmscope/hot.c', line: 61 },
      { name: 'heavy_work', file: '/wasmscope/hot.c', line: 31 },
      { name: 'mix', file: '/wasmscope/hot.c', line: 21 },
      { name: 'mix', file: '/wasmscope/hot.c', line: 22 },
      { name: 'light_work', file: '/wasmscope/hot.c', line: 40 },
      { name: '__main_void' },
    ],
  },
  profiles: [
    {
      type: 'sampled',
      name: 'hot.wasm',
      unit: 'milliseconds',
      startValue: 0,
      endValue: 10,
      samples: [[5, 0, 1, 2], [5, 0, 1, 3], [5, 0, 1], [5, 0, 4, 2]],
      weights: [4, 2, 1, 3],
    },
  ],
  name: 'hot.wasm',
  exporter: 'wasmscope',
};

test('speedscope samples become a call tree; same-function frames merge across lines', () => {
  const profile = parseSpeedscope(speedscope);
  assert.equal(profile.unit, 'milliseconds');
  assert.equal(profile.root.total, 10);
  const main = [...profile.root.children.values()][0].children.get('main\u0000/wasmscope/hot.c')!;
  const heavy = main.children.get('heavy_work\u0000/wasmscope/hot.c')!;
  assert.equal(heavy.total, 7);
  assert.equal(heavy.self, 1);
  const mix = heavy.children.get('mix\u0000/wasmscope/hot.c')!;
  assert.equal(mix.total, 6);
  assert.deepEqual([...mix.lines.entries()], [[21, 4], [22, 2]]);
});

test('the layout gives each frame its share, children in name order, the hottest line', () => {
  const layout = layoutFlamegraph(parseSpeedscope(speedscope));
  const byName = (name: string) => layout.rects.filter((r) => r.name === name);
  assert.equal(layout.total, 10);
  assert.equal(layout.maxDepth, 4);
  assert.deepEqual(layout.rects[0], { id: 0, parent: -1, depth: 0, x: 0, width: 1, name: 'all', file: undefined, line: undefined, total: 10, self: 0 });
  const [heavy] = byName('heavy_work');
  const [light] = byName('light_work');
  assert.equal(heavy.depth, 3);
  assert.equal(heavy.x, 0);
  assert.equal(heavy.width, 0.7);
  assert.equal(light.x, 0.7);
  assert.ok(Math.abs(light.width - 0.3) < 1e-12);
  const mixes = byName('mix');
  assert.deepEqual(
    mixes.map((m) => [m.parent, m.line, m.total]),
    [
      [heavy.id, 21, 6],
      [light.id, 21, 3],
    ],
  );
  // Children lie within their parent.
  for (const r of layout.rects.slice(1)) {
    const p = layout.rects[r.parent];
    assert.ok(r.x >= p.x - 1e-12 && r.x + r.width <= p.x + p.width + 1e-12, r.name);
  }
});

test('evented speedscope profiles count the time between events', () => {
  const profile = parseSpeedscope({
    shared: { frames: [{ name: 'a' }, { name: 'b' }] },
    profiles: [
      {
        type: 'evented',
        unit: 'none',
        events: [
          { type: 'O', at: 0, frame: 0 },
          { type: 'O', at: 2, frame: 1 },
          { type: 'C', at: 5, frame: 1 },
          { type: 'C', at: 6, frame: 0 },
        ],
      },
    ],
  });
  const a = profile.root.children.get('a\u0000')!;
  assert.equal(a.total, 6);
  assert.equal(a.self, 3);
  assert.equal(a.children.get('b\u0000')!.total, 3);
  assert.equal(profile.unit, 'samples');
});

test('folded stacks, with the duplicate lines the profiler may print', () => {
  const profile = parseFolded('main;work 4\nmain;work 5\nmain;work;mix_[i] 53\n\nmain 1\n');
  const main = profile.root.children.get('main\u0000')!;
  assert.equal(profile.root.total, 63);
  assert.equal(main.self, 1);
  assert.equal(main.children.get('work\u0000')!.self, 9);
  assert.throws(() => parseFolded('no count here'), /not a folded stack line/);
  assert.throws(() => parseFolded('\n'), /no stacks/);
});

test('profile files are told apart by content', () => {
  assert.equal(readProfile(JSON.stringify(speedscope), 'x.json').root.total, 10);
  assert.equal(readProfile('a;b 2\n', 'x.folded').root.total, 2);
  assert.throws(() => readProfile('{"traceEvents": []}', 'chrome.json'), /not a speedscope profile/);
});

test('the profiler runs the launch configuration: program, args, env, dirs', () => {
  const invocation = profileInvocation(
    { program: 'build/app.wasm', args: ['--n', '3'], env: { A: '1', B: 'x=y' }, dirs: ['/data::/'], cwd: '/ws' },
    '/tmp/p.json',
  );
  assert.deepEqual(invocation, {
    cwd: '/ws',
    args: ['profile', '--format', 'speedscope', '-o', '/tmp/p.json', '--dir', '/data::/', '--env', 'A=1', '--env', 'B=x=y', '/ws/build/app.wasm', '--', '--n', '3'],
  });
  assert.deepEqual(profileInvocation({ program: '/a.wasm' }, 'o').args, ['profile', '--format', 'speedscope', '-o', 'o', '/a.wasm']);
  assert.throws(() => profileInvocation({ program: '' }, 'o'), /no `program`/);
});

test('the summary line is taken from the profiler stderr', () => {
  const stderr = 'warning: x\nwasmscope: 158 samples at 977 Hz; top: mix 94.3%; wrote /tmp/p.json\n';
  assert.equal(profileSummary(stderr), '158 samples at 977 Hz; top: mix 94.3%; wrote /tmp/p.json');
  assert.equal(profileSummary(''), undefined);
});

test('a frame file is found by its longest tail in the workspace', () => {
  const candidates = ['/ws/other/hotspots.c', '/ws/examples/hotspots/hotspots.c', '/ws/x/main.c'];
  assert.equal(bestSuffixMatch('/wasmscope/examples/hotspots/hotspots.c', candidates), '/ws/examples/hotspots/hotspots.c');
  assert.equal(bestSuffixMatch('./libc-top-half/musl/src/string/memcpy.c', candidates), undefined);
});

test('the adapter log is followed line by line, the last partial line at stop', () => {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'wasmscope-log-')), 'dap.log');
  const lines: string[] = [];
  const follower = new LogFollower(file, (l) => lines.push(l));
  follower.poll(); // not created yet: nothing
  fs.writeFileSync(file, '0.001 <- request 1 initialize\n0.002 -> resp');
  follower.poll();
  assert.deepEqual(lines, ['0.001 <- request 1 initialize']);
  fs.appendFileSync(file, 'onse 1 initialize ok\n0.003 -> event');
  follower.stop();
  assert.deepEqual(lines, ['0.001 <- request 1 initialize', '0.002 -> response 1 initialize ok', '0.003 -> event']);
});
