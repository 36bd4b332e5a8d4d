// The "wasmscope" output channel. It stays empty while all is well: only
// failures go there, and the adapter's message log when `wasmscope.trace` is on.
import * as vscode from 'vscode';

export class Log implements vscode.Disposable {
  private readonly channel = vscode.window.createOutputChannel('wasmscope');

  line(text: string): void {
    this.channel.appendLine(text);
  }

  error(text: string): void {
    this.channel.appendLine(`[error] ${text}`);
  }

  show(): void {
    this.channel.show(true);
  }

  dispose(): void {
    this.channel.dispose();
  }
}
