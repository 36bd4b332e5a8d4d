// Profile heat painted in the editor: each line of a visible C, C++ or Rust
// file with at least the heat threshold of the samples gets a background
// (five levels, more opaque for hotter lines; see heatLevels.ts) and a mark in
// the overview ruler. LSP has no way to colour lines that would not fight the
// language's own highlighting, so the heat comes from the server's
// `wasmscope/heat` request and is painted with decorations here.
//
// Painted again when editors are shown, when the server may have new heat
// (it started; the editor asks again for lenses or hints, as it does after
// the server reloaded its profile), after "Profile Wasm program", and when a
// file in a `.wasmscope/` directory changes.
import * as vscode from 'vscode';
import { LanguageServer, isServedDocument } from './client';
import { LEVELS, LEVEL_STYLES, HeatResponse, linesByLevel } from './heatLevels';

const ENABLED_KEY = 'wasmscope.heat.enabled';
/**
 * After a profile is written the server sees it within a second (it looks at
 * its files every second): ask again at these delays (ms) after it was written.
 */
const AFTER_PROFILE_MS = [0, 1_500, 3_500];

export class HeatPainter implements vscode.Disposable {
  private readonly types: vscode.TextEditorDecorationType[];
  private readonly subscriptions: vscode.Disposable[] = [];
  private enabled: boolean;
  private debounce: NodeJS.Timeout | undefined;
  private readonly later = new Set<NodeJS.Timeout>();
  /** Bumped per painting: a slower, older one does not paint over a newer one. */
  private generation = 0;

  constructor(
    private readonly server: LanguageServer,
    private readonly state: vscode.Memento,
  ) {
    this.enabled = state.get<boolean>(ENABLED_KEY, true);
    this.types = LEVEL_STYLES.map((style) =>
      vscode.window.createTextEditorDecorationType({
        isWholeLine: true,
        backgroundColor: style.background,
        overviewRulerColor: style.overviewRuler,
        overviewRulerLane: vscode.OverviewRulerLane.Right,
        rangeBehavior: vscode.DecorationRangeBehavior.ClosedClosed,
      }),
    );
    const watcher = vscode.workspace.createFileSystemWatcher('**/.wasmscope/*');
    this.subscriptions.push(
      watcher,
      watcher.onDidCreate(() => this.refreshAfterProfile()),
      watcher.onDidChange(() => this.refreshAfterProfile()),
      watcher.onDidDelete(() => this.refreshAfterProfile()),
      vscode.window.onDidChangeVisibleTextEditors(() => this.refresh()),
      server.onDidChange(() => this.refresh()),
    );
  }

  /** Paints the visible editors again, soon (changes coming together paint once). */
  refresh(delayMs = 100): void {
    clearTimeout(this.debounce);
    this.debounce = setTimeout(() => void this.paint(), delayMs);
  }

  /** A profile was just written: paint now and again once the server has surely read it. */
  refreshAfterProfile(): void {
    for (const delay of AFTER_PROFILE_MS) {
      const timer = setTimeout(() => {
        this.later.delete(timer);
        this.refresh(0);
      }, delay);
      this.later.add(timer);
    }
  }

  /** "wasmscope: Toggle profile heat": on or off, remembered for the workspace. */
  async toggle(): Promise<void> {
    this.enabled = !this.enabled;
    await this.state.update(ENABLED_KEY, this.enabled);
    await this.paint();
    vscode.window.setStatusBarMessage(`wasmscope: profile heat ${this.enabled ? 'on' : 'off'}`, 3_000);
  }

  private async paint(): Promise<void> {
    const generation = ++this.generation;
    const editors = vscode.window.visibleTextEditors.filter((e) => isServedDocument(e.document));
    // One request per document, however many editors show it.
    const answers = new Map<string, Promise<HeatResponse | undefined>>();
    for (const editor of editors) {
      const key = editor.document.uri.toString();
      if (!answers.has(key)) {
        answers.set(key, this.enabled ? this.server.heat(editor.document.uri) : Promise.resolve(undefined));
      }
    }
    for (const editor of editors) {
      const heat = await answers.get(editor.document.uri.toString());
      if (generation !== this.generation) {
        return;
      }
      const levels = heat
        ? linesByLevel(heat, this.server.heatThreshold, editor.document.lineCount)
        : Array.from({ length: LEVELS }, () => []);
      this.types.forEach((type, i) => editor.setDecorations(type, levels[i].map((line) => new vscode.Range(line, 0, line, 0))));
    }
  }

  dispose(): void {
    clearTimeout(this.debounce);
    for (const timer of this.later) {
      clearTimeout(timer);
    }
    for (const subscription of this.subscriptions) {
      subscription.dispose();
    }
    for (const type of this.types) {
      type.dispose();
    }
  }
}
