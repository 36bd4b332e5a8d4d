// Which .wasm in the workspace the open source file most likely builds.
import * as path from 'path';

/** Lower is better; undefined when the name says nothing about the source. */
export function nameScore(wasm: string, sourceStem: string): number | undefined {
  const stem = path.basename(wasm, '.wasm').toLowerCase();
  const src = sourceStem.toLowerCase();
  if (stem === src) {
    return 0;
  }
  // Cargo turns `my-app` into `my_app.wasm`.
  if (stem === src.replace(/-/g, '_')) {
    return 1;
  }
  if (stem.startsWith(src + '-') || stem.startsWith(src + '_') || stem.startsWith(src + '.')) {
    return 2;
  }
  return undefined;
}

/** How many leading path components two files share (closer builds rank first). */
function sharedDepth(a: string, b: string): number {
  const pa = path.dirname(a).split(/[\\/]/);
  const pb = path.dirname(b).split(/[\\/]/);
  let i = 0;
  while (i < pa.length && i < pb.length && pa[i] === pb[i]) {
    i++;
  }
  return i;
}

export interface RankedWasm {
  file: string;
  /** Named after the source file (same stem), so probably its build. */
  matchesSource: boolean;
}

/**
 * All candidates, best first: same stem as the source, then the rest; within
 * each group the ones nearest the source, then by path.
 */
export function rankWasmFiles(files: readonly string[], source?: string): RankedWasm[] {
  const stem = source ? path.basename(source, path.extname(source)) : undefined;
  const keyed = files.map((file) => ({
    file,
    score: stem !== undefined ? nameScore(file, stem) : undefined,
    depth: source ? sharedDepth(file, source) : 0,
  }));
  keyed.sort(
    (a, b) =>
      (a.score ?? 99) - (b.score ?? 99) || b.depth - a.depth || a.file.localeCompare(b.file),
  );
  return keyed.map((k) => ({ file: k.file, matchesSource: k.score !== undefined }));
}

/** The one file to take without asking: the only exact-stem match, if any. */
export function obviousChoice(ranked: readonly RankedWasm[], source?: string): string | undefined {
  if (!source) {
    return undefined;
  }
  const stem = path.basename(source, path.extname(source));
  const exact = ranked.filter((r) => nameScore(r.file, stem) === 0);
  return exact.length === 1 ? exact[0].file : undefined;
}
