// Guessing `sourceMap` for a program built elsewhere: DWARF names the source
// as e.g. /build/src/main.c while it is open here as /home/me/app/src/main.c,
// so map /build -> /home/me/app.

function parts(p: string): string[] {
  return p.split(/[\\/]+/);
}

function join(components: string[], sep: string): string {
  const joined = components.join(sep);
  return joined === '' ? sep : joined;
}

/**
 * The prefix mapping that turns one of `debugPaths` into `localFile`, taken
 * from the debug path sharing the longest tail with it. Undefined when none
 * ends in the file's name, or when a debug path is the file itself (nothing
 * to map).
 */
export function guessSourceMap(debugPaths: readonly string[], localFile: string): Record<string, string> | undefined {
  const local = parts(localFile);
  const sep = localFile.includes('\\') && !localFile.includes('/') ? '\\' : '/';
  let best: { shared: number; from: string[] } | undefined;
  for (const candidate of debugPaths) {
    const remote = parts(candidate);
    let shared = 0;
    while (
      shared < remote.length &&
      shared < local.length &&
      remote[remote.length - 1 - shared] === local[local.length - 1 - shared]
    ) {
      shared++;
    }
    if (shared === 0) {
      continue;
    }
    if (shared === remote.length && shared === local.length) {
      return undefined;
    }
    if (!best || shared > best.shared) {
      best = { shared, from: remote.slice(0, remote.length - shared) };
    }
  }
  if (!best) {
    return undefined;
  }
  const remoteSep = best.from.length > 0 && /^[A-Za-z]:$/.test(best.from[0]) ? '\\' : '/';
  const from = join(best.from, remoteSep);
  const to = join(local.slice(0, local.length - best.shared), sep);
  return from === to ? undefined : { [from]: to };
}

/** Applies a sourceMap (longest prefix first) to a path from DWARF or a profile. */
export function mapSourcePath(file: string, sourceMap: Record<string, string> | undefined): string {
  if (!sourceMap) {
    return file;
  }
  const prefixes = Object.keys(sourceMap).sort((a, b) => b.length - a.length);
  for (const prefix of prefixes) {
    const trimmed = prefix.replace(/[\\/]+$/, '');
    if (file === trimmed || file.startsWith(trimmed + '/') || file.startsWith(trimmed + '\\')) {
      return sourceMap[prefix].replace(/[\\/]+$/, '') + file.slice(trimmed.length);
    }
  }
  return file;
}
