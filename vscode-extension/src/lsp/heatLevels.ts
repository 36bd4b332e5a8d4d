// Profile heat in the editor, the part without `vscode` (unit-tested): the
// answer to `wasmscope/heat` checked, and each line's share of the samples
// (its total: the samples with the line anywhere on the stack) turned into one
// of a few levels of background colour.

/** The server's custom request: a document's lines with samples. */
export const HEAT_METHOD = 'wasmscope/heat';

export interface HeatLine {
  /** 0-based. */
  line: number;
  own: number;
  total: number;
  ownShare: number;
  totalShare: number;
}

export interface HeatResponse {
  /** The profile the heat comes from; null before there is one. */
  profile: string | null;
  totalSamples: number;
  lines: HeatLine[];
}

/**
 * The lowest total share of each level after the first (level 1 starts at
 * the heat threshold). Most lines of a profile have a few percent at most, a
 * few have most of it: the steps grow so that both are told apart.
 */
export const LEVEL_BOUNDS = [0.05, 0.15, 0.35, 0.65] as const;
export const LEVELS = LEVEL_BOUNDS.length + 1;

/**
 * The colours of the levels: the whole line's background (more opaque for
 * hotter lines, light enough to read code over in light and dark themes), and
 * its mark in the overview ruler.
 */
export const LEVEL_STYLES: readonly { background: string; overviewRuler: string }[] = [0.08, 0.15, 0.24, 0.34, 0.46].map(
  (alpha, i) => ({
    background: `rgba(255, 96, 48, ${alpha})`,
    overviewRuler: `rgba(255, 96, 48, ${[0.35, 0.5, 0.65, 0.8, 1][i]})`,
  }),
);

/**
 * The level (1..LEVELS) of a line with `totalShare` of the samples, or 0 for
 * none: lines below `threshold` (the `wasmscope.lsp.heatThreshold` the inlay
 * hints use too) or without samples are not painted.
 */
export function heatLevel(totalShare: number, total: number, threshold: number): number {
  if (!(total > 0) || !Number.isFinite(totalShare) || totalShare < threshold) {
    return 0;
  }
  return 1 + LEVEL_BOUNDS.filter((bound) => totalShare >= bound).length;
}

/**
 * The 0-based lines to paint per level: `result[level - 1]` for levels
 * 1..LEVELS, in line order; lines at or past `lineCount` (the document
 * changed since the profile) are left out.
 */
export function linesByLevel(heat: HeatResponse, threshold: number, lineCount = Number.POSITIVE_INFINITY): number[][] {
  const levels: number[][] = Array.from({ length: LEVELS }, () => []);
  for (const line of heat.lines) {
    const level = heatLevel(line.totalShare, line.total, threshold);
    if (level > 0 && line.line < lineCount) {
      levels[level - 1].push(line.line);
    }
  }
  for (const lines of levels) {
    lines.sort((a, b) => a - b);
  }
  return levels;
}

/** The server's answer, checked; undefined when it is not the shape of a heat response. */
export function parseHeatResponse(value: unknown): HeatResponse | undefined {
  if (typeof value !== 'object' || value === null) {
    return undefined;
  }
  const v = value as { profile?: unknown; totalSamples?: unknown; lines?: unknown };
  if ((v.profile !== null && typeof v.profile !== 'string') || !isCount(v.totalSamples) || !Array.isArray(v.lines)) {
    return undefined;
  }
  const lines: HeatLine[] = [];
  for (const item of v.lines) {
    const l = item as Partial<Record<keyof HeatLine, unknown>> | null;
    if (
      !l ||
      !isCount(l.line) ||
      !isCount(l.own) ||
      !isCount(l.total) ||
      !isShare(l.ownShare) ||
      !isShare(l.totalShare)
    ) {
      return undefined;
    }
    lines.push({ line: l.line, own: l.own, total: l.total, ownShare: l.ownShare, totalShare: l.totalShare });
  }
  return { profile: v.profile, totalSamples: v.totalSamples, lines };
}

function isCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0;
}

function isShare(value: unknown): value is number {
  return typeof value === 'number' && value >= 0 && value <= 1;
}
