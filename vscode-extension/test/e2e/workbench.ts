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
    await this.page.locator('.quick-input-list .monaco-list-row', { hasText: path.basename(file) }).first().waitFor();
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
