// The flamegraph webview: the extension lays the profile out, the page
// (src/webview/flamegraph.ts) draws it, and asks us to open source lines.
import * as crypto from 'crypto';
import * as vscode from 'vscode';
import { FlameLayout } from './layout';
import { SourceContext, openSource } from './openSource';

export interface PanelInput {
  layout: FlameLayout;
  /** The profiler's summary line, or where the profile was read from. */
  subtitle?: string;
  source: SourceContext;
}

export function showFlamegraph(extensionUri: vscode.Uri, input: PanelInput): vscode.WebviewPanel {
  const panel = vscode.window.createWebviewPanel(
    'wasmscope.flamegraph',
    `Profile: ${input.layout.title}`,
    vscode.ViewColumn.Active,
    {
      enableScripts: true,
      retainContextWhenHidden: true,
      localResourceRoots: [vscode.Uri.joinPath(extensionUri, 'media'), vscode.Uri.joinPath(extensionUri, 'out', 'webview')],
    },
  );
  panel.webview.html = html(panel.webview, extensionUri);
  panel.webview.onDidReceiveMessage(async (message: { type: string; file?: string; line?: number }) => {
    if (message.type === 'ready') {
      // Sent on request so the data never arrives before the page listens.
      panel.webview.postMessage({ type: 'profile', layout: input.layout, subtitle: input.subtitle });
    } else if (message.type === 'open' && message.file) {
      await openSource(message.file, message.line, input.source);
    }
  });
  return panel;
}

function html(webview: vscode.Webview, extensionUri: vscode.Uri): string {
  const nonce = crypto.randomBytes(16).toString('base64');
  const script = webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, 'out', 'webview', 'flamegraph.js'));
  const style = webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, 'media', 'flamegraph.css'));
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src ${webview.cspSource}; script-src 'nonce-${nonce}';">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${style}">
<title>Flamegraph</title>
</head>
<body>
<header>
  <div class="title"><strong id="title">Loading profile…</strong> <span id="subtitle"></span></div>
  <div class="toolbar">
    <input id="search" type="search" placeholder="Search functions (regex)" aria-label="Search functions">
    <span id="matched"></span>
    <button id="reset" title="Show the whole profile (Esc)">Reset zoom</button>
  </div>
</header>
<div id="chart" role="tree" aria-label="Flamegraph"></div>
<footer id="details">Click a frame to zoom in; double-click it to open its source line.</footer>
<script nonce="${nonce}" src="${script}"></script>
</body>
</html>`;
}
