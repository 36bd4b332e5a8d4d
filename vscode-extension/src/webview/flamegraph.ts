// The flamegraph page. It draws the boxes the extension laid out (see
// src/profile/layout.ts) as DOM elements, one row per stack depth, root on
// top; click zooms, double-click opens the source line, the search box
// highlights matching functions.

// Mirrors FlameRect in src/profile/layout.ts (this page has no module loader).
interface FlameRect {
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

interface FlameLayout {
  rects: FlameRect[];
  total: number;
  unit: string;
  title: string;
  maxDepth: number;
}

declare function acquireVsCodeApi(): { postMessage(message: unknown): void };

const vscodeApi = acquireVsCodeApi();
const ROW_HEIGHT = 18;
const MIN_PIXELS = 0.5;

const chart = document.getElementById('chart') as HTMLDivElement;
const details = document.getElementById('details') as HTMLElement;
const search = document.getElementById('search') as HTMLInputElement;
const matched = document.getElementById('matched') as HTMLElement;

let layout: FlameLayout | undefined;
let zoom: FlameRect | undefined;

window.addEventListener('message', (event: MessageEvent) => {
  const message = event.data as { type: string; layout: FlameLayout; subtitle?: string };
  if (message.type === 'profile') {
    layout = message.layout;
    zoom = layout.rects[0];
    boxes.clear();
    chart.replaceChildren();
    (document.getElementById('title') as HTMLElement).textContent = layout.title;
    (document.getElementById('subtitle') as HTMLElement).textContent = message.subtitle ?? '';
    render();
  }
});

function formatWeight(value: number): string {
  if (!layout) {
    return String(value);
  }
  const percent = layout.total > 0 ? ((100 * value) / layout.total).toFixed(1) : '0';
  const amount = Number.isInteger(value) ? String(value) : value.toFixed(2);
  return `${amount} ${layout.unit} (${percent}%)`;
}

function describe(rect: FlameRect): string {
  const where = rect.file ? ` — ${rect.file}${rect.line ? `:${rect.line}` : ''}` : '';
  return `${rect.name}${where}\ntotal ${formatWeight(rect.total)}, self ${formatWeight(rect.self)}`;
}

// Stable warm colours per function name, greyer for frames without source.
function colour(rect: FlameRect): string {
  let hash = 0;
  for (let i = 0; i < rect.name.length; i++) {
    hash = (hash * 31 + rect.name.charCodeAt(i)) | 0;
  }
  const hue = 10 + (Math.abs(hash) % 40);
  const saturation = rect.file ? 75 : 25;
  const lightness = 55 + (Math.abs(hash >> 8) % 15);
  return `hsl(${hue}, ${saturation}%, ${lightness}%)`;
}

function searchPattern(): RegExp | undefined {
  const text = search.value.trim();
  if (text === '') {
    return undefined;
  }
  try {
    return new RegExp(text, 'i');
  } catch {
    return new RegExp(text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'), 'i');
  }
}

// One element per frame, kept across renders: replacing them would swallow
// the second click of a double-click.
const boxes = new Map<number, HTMLDivElement>();

function boxFor(rect: FlameRect): HTMLDivElement {
  let box = boxes.get(rect.id);
  if (!box) {
    box = document.createElement('div');
    box.textContent = rect.name;
    box.title = describe(rect);
    box.dataset.id = String(rect.id);
    box.setAttribute('role', 'treeitem');
    boxes.set(rect.id, box);
    chart.appendChild(box);
  }
  return box;
}

function render(): void {
  if (!layout || !zoom) {
    return;
  }
  const pattern = searchPattern();
  const width = chart.clientWidth || 800;
  const isMatch = new Set<number>();
  let matchedWeight = 0;
  for (const rect of layout.rects) {
    // Ancestors of the zoomed frame stretch past both edges and are clamped to full width.
    const left = Math.max(0, (rect.x - zoom.x) / zoom.width);
    const right = Math.min(1, (rect.x + rect.width - zoom.x) / zoom.width);
    const hit = pattern !== undefined && rect.parent >= 0 && pattern.test(rect.name);
    if (hit) {
      isMatch.add(rect.id);
      // Count a match once, not again inside another match (recursion).
      if (!hasMatchedAncestor(rect, isMatch)) {
        matchedWeight += rect.total;
      }
    }
    if ((right - left) * width < MIN_PIXELS) {
      const hidden = boxes.get(rect.id);
      if (hidden) {
        hidden.style.display = 'none';
      }
      continue;
    }
    const box = boxFor(rect);
    box.className = 'frame' + (hit ? ' match' : '') + (rect.depth < zoom.depth ? ' ancestor' : '');
    box.style.display = '';
    box.style.left = `${left * 100}%`;
    box.style.width = `${(right - left) * 100}%`;
    box.style.top = `${rect.depth * ROW_HEIGHT}px`;
    box.style.background = hit ? '' : colour(rect);
  }
  chart.style.height = `${(layout.maxDepth + 1) * ROW_HEIGHT}px`;
  matched.textContent = pattern ? `Matched: ${formatWeight(matchedWeight)}` : '';
}

function hasMatchedAncestor(rect: FlameRect, isMatch: Set<number>): boolean {
  for (let p = rect.parent; p >= 0 && layout; p = layout.rects[p].parent) {
    if (isMatch.has(p)) {
      return true;
    }
  }
  return false;
}

function rectOf(event: Event): FlameRect | undefined {
  const target = (event.target as HTMLElement).closest('.frame') as HTMLElement | null;
  return target && layout ? layout.rects[Number(target.dataset.id)] : undefined;
}

function showDetails(rect: FlameRect): void {
  details.replaceChildren();
  details.append(describe(rect).replace('\n', ' — '));
  if (rect.file) {
    const link = document.createElement('a');
    link.href = '#';
    link.textContent = ' Open source';
    link.addEventListener('click', (e) => {
      e.preventDefault();
      openSource(rect);
    });
    details.append(link);
  }
}

function openSource(rect: FlameRect): void {
  if (rect.file) {
    vscodeApi.postMessage({ type: 'open', file: rect.file, line: rect.line });
  }
}

chart.addEventListener('click', (event) => {
  const rect = rectOf(event);
  if (rect) {
    zoom = rect;
    showDetails(rect);
    render();
  }
});
chart.addEventListener('dblclick', (event) => {
  const rect = rectOf(event);
  if (rect) {
    openSource(rect);
  }
});
chart.addEventListener('mouseover', (event) => {
  const rect = rectOf(event);
  if (rect) {
    showDetails(rect);
  }
});
(document.getElementById('reset') as HTMLButtonElement).addEventListener('click', () => {
  zoom = layout?.rects[0];
  render();
});
document.addEventListener('keydown', (event) => {
  if (event.key === 'Escape') {
    zoom = layout?.rects[0];
    render();
  }
});
search.addEventListener('input', () => render());
window.addEventListener('resize', () => render());

vscodeApi.postMessage({ type: 'ready' });
