// The workspace the end-to-end test opens: copies of the C guest and the
// hotspots example with their .wasm builds, and a launch.json whose
// sourceMap maps the DWARF's /wasmscope prefix onto the workspace.
import * as fs from 'fs';
import * as path from 'path';

export interface Fixture {
  dir: string;
  mainC: string;
  /** 1-based line of a `// BP: name` marker in main.c. */
  markerLine(name: string): number;
}

function copy(from: string, to: string): void {
  if (!fs.existsSync(from)) {
    throw new Error(`missing ${from}: build the guests with tests/guests/build.sh`);
  }
  fs.mkdirSync(path.dirname(to), { recursive: true });
  fs.copyFileSync(from, to);
}

export function createFixture(repo: string, dir: string, wasmscope: string): Fixture {
  for (const file of ['main.c', 'shapes.c', 'shapes.h', 'util.h']) {
    copy(path.join(repo, 'tests/guests/c', file), path.join(dir, 'tests/guests/c', file));
  }
  copy(path.join(repo, 'examples/hotspots/hotspots.c'), path.join(dir, 'examples/hotspots/hotspots.c'));
  copy(path.join(repo, 'target/guests/c-O0.wasm'), path.join(dir, 'build/c-O0.wasm'));
  copy(path.join(repo, 'target/guests/hotspots-O2.wasm'), path.join(dir, 'build/hotspots-O2.wasm'));

  const sourceMap = { '/wasmscope': '${workspaceFolder}' };
  const launch = {
    version: '0.2.0',
    configurations: [
      { type: 'wasmscope', request: 'launch', name: 'Debug C guest', program: '${workspaceFolder}/build/c-O0.wasm', args: [], sourceMap },
      { type: 'wasmscope', request: 'launch', name: 'Profile hotspots', program: '${workspaceFolder}/build/hotspots-O2.wasm', args: ['20'], sourceMap },
    ],
  };
  fs.mkdirSync(path.join(dir, '.vscode'), { recursive: true });
  fs.writeFileSync(path.join(dir, '.vscode/launch.json'), JSON.stringify(launch, null, 2));
  fs.writeFileSync(path.join(dir, '.vscode/settings.json'), JSON.stringify({ 'wasmscope.path': wasmscope }, null, 2));

  const mainC = path.join(dir, 'tests/guests/c/main.c');
  const lines = fs.readFileSync(mainC, 'utf8').split('\n');
  return {
    dir,
    mainC,
    markerLine(name: string): number {
      const index = lines.findIndex((l) => l.trimEnd().endsWith(`// BP: ${name}`));
      if (index < 0) {
        throw new Error(`no // BP: ${name} marker in ${mainC}`);
      }
      return index + 1;
    },
  };
}
