// Finding the source file a profile frame names. A frame's path is where the
// program was built; the sourceMap (when the profile came from a launch
// configuration) maps it, otherwise the workspace file with the longest
// matching tail wins.

/** The candidate ending in the most path components of `file`; at least its name must match. */
export function bestSuffixMatch(file: string, candidates: readonly string[]): string | undefined {
  const want = file.split(/[\\/]+/).filter((p) => p !== '' && p !== '.');
  let best: string | undefined;
  let bestShared = 0;
  for (const candidate of candidates) {
    const have = candidate.split(/[\\/]+/);
    let shared = 0;
    while (
      shared < want.length &&
      shared < have.length &&
      want[want.length - 1 - shared] === have[have.length - 1 - shared]
    ) {
      shared++;
    }
    if (shared > bestShared) {
      best = candidate;
      bestShared = shared;
    }
  }
  return best;
}
