// Driving VS Code's UI the way a user does (keyboard, command palette), and
// reading state back from what is on screen.
import * as fs from 'fs';
import * as path from 'path';
import { Frame, Page, expect } from './expect';

export class Workbench {
  private shot = 0;

  constructor(
    readonly page: Page,
    private readonly resultsDir: string,
  ) {}

  async waitReady(): Promise<void> {
    await this.page.locator('.monaco-workbench').waitFor({ timeout: 90_000 });
    // The explorer lists the folder once the workspace is loaded.
    await this.page.locator('.explorer-folders-view .monaco-list-row').first().waitFor({ timeout: 90_000 });
  }

  async screenshot(name: string): Promise<string> {
    this.shot++;
    const file = path.join(this.resultsDir, `${String(this.shot).padStart(2, '0')}-${name}.png`);
    fs.mkdirSync(this.resultsDir, { recursive: true });
    await this.page.screenshot({ path: file });
    return file;
  }

  async runCommand(title: string): Promise<void> {
    await this.page.keyboard.press('Control+Shift+P');
    const input = this.page.locator('.quick-input-widget input');
    await input.waitFor();
    await input.fill(`>${title}`);
    // Click the command itself: the highlighted first row may be a fuzzy match.
    await this.page.locator(`.quick-input-list .monaco-list-row[aria-label^=${JSON.stringify(title)}]`).first().click();
  }

  /**
   * Starts the launch configuration `name` through "Debug: Select and Start
   * Debugging"; retries while the picker does not list it yet (VS Code reads a
   * changed launch.json a moment after it was written).
   */
  async startDebugging(name: string, timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      await this.runCommand('Debug: Select and Start Debugging');
      const row = this.page.locator('.quick-input-list .monaco-list-row', { hasText: name }).first();
      try {
        await row.waitFor({ timeout: 3_000 });
        await row.click();
        return;
      } catch (error) {
        if (Date.now() > deadline) {
          throw new Error(`no launch configuration "${name}" in the picker after ${timeoutMs / 1000} s: ${error}`);
        }
        await this.page.keyboard.press('Escape');
      }
    }
  }

  /**
   * Makes `name` the launch configuration F5 starts, in the drop-down of the
   * Run and Debug view, without starting it; retries while the drop-down does
   * not list it yet (a changed launch.json is read a moment later).
   */
  async selectDebugConfiguration(name: string, timeoutMs = 30_000): Promise<void> {
    const label = this.page.locator('.start-debug-action-item-dropdown-label');
    if (!(await label.isVisible())) {
      await this.page.keyboard.press('Control+Shift+D');
    }
    await label.waitFor({ timeout: 10_000 });
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      await label.click();
      const row = this.page.locator('.action-widget .monaco-list-row', { has: this.page.locator('.title', { hasText: new RegExp(`^${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`) }) });
      try {
        await row.first().waitFor({ timeout: 3_000 });
        await row.first().click();
        break;
      } catch (error) {
        if (Date.now() > deadline) {
          throw new Error(`the Run and Debug view offers no launch configuration "${name}" after ${timeoutMs / 1000} s: ${error}`);
        }
        await this.page.keyboard.press('Escape');
      }
    }
    await expect(async () => (await label.getAttribute('title')) ?? '', name, 5_000, 'the selected launch configuration');
  }

  /**
   * Picks `file` (an absolute path) in VS Code's own open dialog (the user
   * setting files.simpleDialog.enable): a quick input taking a path, whose list
   * shows the folder typed so far. The dialog fills in its starting folder a
   * moment after it opens, over anything typed before: type again until the
   * path stays and the list shows the file.
   */
  async pickInOpenDialog(file: string, timeoutMs = 30_000): Promise<void> {
    const input = this.page.locator('.quick-input-widget input');
    const row = this.page.locator('.quick-input-list .monaco-list-row', { hasText: path.basename(file) }).first();
    const deadline = Date.now() + timeoutMs;
    await input.waitFor();
    for (;;) {
      await input.fill(file);
      await this.page.waitForTimeout(500);
      if ((await input.inputValue()) === file && (await row.isVisible())) {
        break;
      }
      if (Date.now() > deadline) {
        throw new Error(`the open dialog did not take ${file} in ${timeoutMs / 1000} s (it shows ${await input.inputValue()})`);
      }
    }
    await this.page.keyboard.press('Enter');
  }

  /** The names of the thread rows of the Call Stack view (VS Code lists threads only when there are several). */
  async threads(): Promise<string[]> {
    const texts = await this.page.locator('.debug-call-stack .monaco-list-row .thread .name').allInnerTexts();
    return texts.map((t) => t.replace(/\s+/g, ' ').trim());
  }

  async quickOpen(file: string): Promise<void> {
    await this.page.keyboard.press('Control+P');
    const input = this.page.locator('.quick-input-widget input');
    await input.waitFor();
    await input.fill(file);
    // Enter opens the focused row: wait until it is the file (with a history, the recently opened come first, until filtered).
    await this.page.locator('.quick-input-list .monaco-list-row.focused', { hasText: path.basename(file) }).first().waitFor();
    await this.page.keyboard.press('Enter');
    await this.page.locator('.tab.active', { hasText: path.basename(file) }).waitFor();
  }

  async goToLine(line: number): Promise<void> {
    // The Go to Line box sometimes takes Enter before it has read the number: retry.
    for (let attempt = 1; ; attempt++) {
      await this.page.keyboard.press('Control+G');
      const input = this.page.locator('.quick-input-widget input');
      await input.waitFor();
      await input.fill(`:${line}`);
      await this.page.waitForTimeout(300);
      await this.page.keyboard.press('Enter');
      try {
        await expect(() => this.cursorLine(), line, 5_000, 'cursor line');
        return;
      } catch (error) {
        if (attempt === 3) {
          throw error;
        }
        await this.page.keyboard.press('Escape');
      }
    }
  }

  /** The cursor line the status bar shows ("Ln 50, Col 5"). */
  async cursorLine(): Promise<number | undefined> {
    const text = await this.page.locator('#status\\.editor\\.selection').textContent({ timeout: 5_000 }).catch(() => null);
    const m = /Ln (\d+)/.exec(text ?? '');
    return m ? Number(m[1]) : undefined;
  }

  /** The top frame of the Call Stack view, e.g. "factorial main.c 50:5". */
  async topStackFrame(): Promise<string | undefined> {
    const row = this.page.locator('.debug-call-stack .monaco-list-row .stack-frame').first();
    if ((await row.count()) === 0) {
      return undefined;
    }
    return (await row.innerText()).replace(/\s+/g, ' ').trim();
  }

  /**
   * Pages through the Call Stack view with the keyboard (which moves the list's focus, not the
   * selected frame), from the top, calling `visit` at each page; `visit` returning true starts
   * again from the top. The list draws only the rows in view. Back at the top at the end.
   */
  private async pageThroughCallStack(visit: () => Promise<boolean>): Promise<void> {
    const list = this.page.locator('.debug-call-stack .monaco-list').first();
    // The list marks its last row; PageDown first moves the focus to the bottom of the page, then scrolls.
    const end = this.page.locator('.debug-call-stack .monaco-list-row[data-last-element="true"]');
    if ((await list.count()) === 0) {
      return;
    }
    await list.focus();
    await this.page.keyboard.press('Home');
    for (let round = 0; round < 100; round++) {
      await this.page.waitForTimeout(150);
      if (await visit()) {
        await list.focus();
        await this.page.keyboard.press('Home');
        continue;
      }
      if ((await end.count()) > 0) {
        break;
      }
      await this.page.keyboard.press('PageDown');
    }
    await list.focus();
    await this.page.keyboard.press('Home');
  }

  /** Every frame of the Call Stack view, top first, as shown ("factorial main.c 52:9"). */
  async callStack(): Promise<string[]> {
    const rows = this.page.locator('.debug-call-stack .monaco-list-row');
    const frames = new Map<number, string>();
    await this.pageThroughCallStack(async () => {
      for (let i = 0, n = await rows.count(); i < n; i++) {
        const row = rows.nth(i);
        const attribute = await row.getAttribute('data-index').catch(() => null);
        const index = Number(attribute);
        if (attribute !== null && !Number.isNaN(index) && !frames.has(index) && (await row.locator('.stack-frame').count()) > 0) {
          frames.set(index, (await row.innerText().catch(() => '')).replace(/\s+/g, ' ').trim());
        }
      }
      return false;
    });
    return [...frames].sort((a, b) => a[0] - b[0]).map(([, text]) => text);
  }

  /**
   * Clicks each "Show N More Stack Frames" row of the Call Stack view (VS Code folds runs of
   * frames hinted subtle or deemphasize into one), as a user does to see them; their texts.
   */
  async showMoreStackFrames(): Promise<string[]> {
    const more = this.page.locator('.debug-call-stack .monaco-list-row', { hasText: /^\s*Show \d+ More Stack Frames\s*$/ });
    const clicked: string[] = [];
    await this.pageThroughCallStack(async () => {
      if ((await more.count()) === 0 || clicked.length >= 10) {
        return false;
      }
      clicked.push((await more.first().innerText()).trim());
      await more.first().click();
      await expect(() => more.filter({ hasText: clicked[clicked.length - 1] }).count(), 0, 5_000, `"${clicked[clicked.length - 1]}" row after a click`).catch(() => undefined);
      return true;
    });
    return clicked;
  }

  /** name → value of the Variables view's rows, as shown ("n = 10"); scope rows are left out. */
  async variables(): Promise<Record<string, string>> {
    const texts = await this.page.locator('.debug-variables .monaco-list-row').allInnerTexts();
    const out: Record<string, string> = {};
    for (const text of texts) {
      const m = /^\s*([^\s=:]+)\s*[=:]\s*(.*?)\s*$/s.exec(text);
      if (m) {
        out[m[1]] = m[2];
      }
    }
    return out;
  }

  /** Whether a scope of the Variables view is expanded; expands it when asked. */
  async scopeExpanded(name: string, expand = false): Promise<boolean> {
    const row = this.page.locator('.debug-variables .monaco-list-row', { hasText: name }).first();
    await row.waitFor();
    const expanded = (await row.getAttribute('aria-expanded')) === 'true';
    if (!expanded && expand) {
      await row.click();
    }
    return expanded;
  }

  async isDebugging(): Promise<boolean> {
    return (await this.page.locator('.debug-toolbar').count()) > 0 && (await this.page.locator('.debug-toolbar').isVisible());
  }

  /** The webview frame whose page contains `selector`. */
  async webviewFrame(selector: string, timeoutMs = 60_000): Promise<Frame> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      for (const frame of this.page.frames()) {
        if (await frame.locator(selector).count().catch(() => 0)) {
          return frame;
        }
      }
      await this.page.waitForTimeout(250);
    }
    throw new Error(`no webview shows ${selector} after ${timeoutMs / 1000} s`);
  }
}
