// Reads folded stacks (`a;b;c 12` per line, as `wasmscope profile --format
// folded` and flamegraph.pl's stackcollapse tools write).
import { Profile, addStack, newNode } from './callTree';

export function parseFolded(text: string, title = 'profile'): Profile {
  const root = newNode('all');
  let lines = 0;
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) {
      continue;
    }
    const m = /^(.*)\s+(\d+(?:\.\d+)?)$/.exec(line);
    if (!m) {
      throw new Error(`not a folded stack line: ${JSON.stringify(line.slice(0, 80))}`);
    }
    addStack(root, m[1].split(';').map((name) => ({ name })), Number(m[2]));
    lines++;
  }
  if (lines === 0) {
    throw new Error('no stacks in the folded profile');
  }
  return { root, unit: 'samples', title };
}
