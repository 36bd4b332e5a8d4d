// The flamegraph's geometry, computed in the extension host (tested there)
// and sent to the webview, which only draws and zooms it.
import { CallNode, Profile, hottestLine } from './callTree';

/** One box. x and width are fractions of the root's total weight. Mirrored in src/webview/flamegraph.ts. */
export interface FlameRect {
  id: number;
  parent: number;
  depth: number;
  x: number;
  width: number;
  name: string;
  file?: string;
  line?: number;
  total: number;
  self: number;
}

export interface FlameLayout {
  rects: FlameRect[];
  total: number;
  unit: string;
  title: string;
  maxDepth: number;
}

/**
 * Depth-first boxes, root first; children sorted by name (a flamegraph's x axis
 * is not time, so alphabetical order keeps equal stacks adjacent across runs).
 */
export function layoutFlamegraph(profile: Profile): FlameLayout {
  const rects: FlameRect[] = [];
  const total = profile.root.total;
  let maxDepth = 0;
  const visit = (node: CallNode, parent: number, depth: number, start: number): void => {
    const id = rects.length;
    rects.push({
      id,
      parent,
      depth,
      x: total > 0 ? start / total : 0,
      width: total > 0 ? node.total / total : 0,
      name: node.name,
      file: node.file,
      line: hottestLine(node),
      total: node.total,
      self: node.self,
    });
    maxDepth = Math.max(maxDepth, depth);
    let offset = start;
    const children = [...node.children.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const child of children) {
      visit(child, id, depth + 1, offset);
      offset += child.total;
    }
  };
  visit(profile.root, -1, 0, 0);
  return { rects, total, unit: profile.unit, title: profile.title, maxDepth };
}
