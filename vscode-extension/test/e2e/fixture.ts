// The workspace the end-to-end test opens: copies of the C guest and the
// hotspots example with their .wasm builds, the http-routes example's source
// (its server runs from the repository), and a launch.json whose
// sourceMap maps the DWARF's /wasmscope prefix onto the workspace.
import * as fs from 'fs';
import * as path from 'path';

export interface Fixture {
  dir: string;
  mainC: string;
  /** 1-based line of a `// BP: name` marker in main.c. */
  markerLine(name: string): number;
  /** 1-based line of a `// BP: name` marker in `file` (relative to the workspace). */
  markerLineIn(file: string, name: string): number;
  /** Adds a configuration to .vscode/launch.json (VS Code picks the change up by itself). */
  addLaunchConfiguration(config: Record<string, unknown>): void;
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
  copy(path.join(repo, 'examples/http-routes/routes.c'), path.join(dir, 'examples/http-routes/routes.c'));
  copy(path.join(repo, 'target/guests/c-O0.wasm'), path.join(dir, 'build/c-O0.wasm'));
  copy(path.join(repo, 'target/guests/hotspots-O2.wasm'), path.join(dir, 'build/hotspots-O2.wasm'));

  const sourceMap = { '/wasmscope': '${workspaceFolder}' };
  const launch: { version: string; configurations: Record<string, unknown>[] } = {
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
  const markerLineIn = (file: string, name: string): number => {
    const full = path.join(dir, file);
    const index = fs.readFileSync(full, 'utf8').split('\n').findIndex((l) => l.trimEnd().endsWith(`// BP: ${name}`));
    if (index < 0) {
      throw new Error(`no // BP: ${name} marker in ${full}`);
    }
    return index + 1;
  };
  return {
    dir,
    mainC,
    markerLine: (name) => markerLineIn('tests/guests/c/main.c', name),
    markerLineIn,
    addLaunchConfiguration(config: Record<string, unknown>): void {
      launch.configurations.push(config);
      fs.writeFileSync(path.join(dir, '.vscode/launch.json'), JSON.stringify(launch, null, 2));
    },
  };
}
