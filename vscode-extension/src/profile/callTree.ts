// A profile as a call tree: the common shape of speedscope and folded input,
// and what the flamegraph is laid out from.

export interface FrameInfo {
  name: string;
  file?: string;
  line?: number;
}

export interface CallNode {
  name: string;
  file?: string;
  /** Weight by source line; the flamegraph opens the heaviest one. */
  lines: Map<number, number>;
  total: number;
  self: number;
  children: Map<string, CallNode>;
}

export interface Profile {
  root: CallNode;
  /** What a weight counts: "samples", "milliseconds", ... */
  unit: string;
  title: string;
}

export function newNode(name: string, file?: string): CallNode {
  return { name, file, lines: new Map(), total: 0, self: 0, children: new Map() };
}

/**
 * Adds one stack (root first). Frames of the same function under the same
 * parent merge, whatever line they were sampled at, as in any flamegraph.
 */
export function addStack(root: CallNode, stack: readonly FrameInfo[], weight: number): void {
  root.total += weight;
  let node = root;
  for (const frame of stack) {
    const key = `${frame.name}\u0000${frame.file ?? ''}`;
    let child = node.children.get(key);
    if (!child) {
      child = newNode(frame.name, frame.file);
      node.children.set(key, child);
    }
    child.total += weight;
    if (frame.line !== undefined) {
      child.lines.set(frame.line, (child.lines.get(frame.line) ?? 0) + weight);
    }
    node = child;
  }
  node.self += weight;
}

/** The line most of the node's weight was sampled at. */
export function hottestLine(node: CallNode): number | undefined {
  let best: number | undefined;
  let bestWeight = -1;
  for (const [line, weight] of node.lines) {
    if (weight > bestWeight || (weight === bestWeight && best !== undefined && line < best)) {
      best = line;
      bestWeight = weight;
    }
  }
  return best;
}
