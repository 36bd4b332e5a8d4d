// Entry point: wires the debug adapter, the configuration provider, the
// profiler commands (a program, a remote server), the agent-token command,
// "Open coredump…", and the language server (`wasmscope lsp`) with the profile
// heat it paints, to VS Code.
import * as vscode from 'vscode';
import { setAgentToken } from './adapter/agentToken';
import { SET_TOKEN_COMMAND } from './adapter/attach';
import { AdapterFactory } from './adapter/factory';
import { TrackerFactory } from './adapter/tracker';
import { openCoreDump } from './config/openCoreDump';
import { ConfigurationProvider } from './config/provider';
import { Log } from './log';
import { LanguageServer } from './lsp/client';
import { HeatPainter } from './lsp/heatDecorations';
import { openProfile, profileProgram } from './profile/commands';
import { profileRemote } from './profile/remote';

let languageServer: LanguageServer | undefined;

export function activate(context: vscode.ExtensionContext): void {
  const log = new Log();
  const server = new LanguageServer(log);
  languageServer = server;
  const heat = new HeatPainter(server, context.workspaceState);
  const factory = new AdapterFactory(log, vscode.Uri.joinPath(context.logUri, 'dap').fsPath, context.secrets);
  context.subscriptions.push(
    log,
    factory,
    vscode.debug.registerDebugAdapterDescriptorFactory('wasmscope', factory),
    vscode.debug.registerDebugAdapterTrackerFactory('wasmscope', new TrackerFactory(log)),
    vscode.debug.registerDebugConfigurationProvider('wasmscope', new ConfigurationProvider(context.secrets)),
    // A profile run writes .wasmscope/<program>.pb.gz, which the language server reads: paint its heat.
    vscode.commands.registerCommand('wasmscope.profile', (resource?: vscode.Uri | string) =>
      profileProgram(context.extensionUri, log, resource).finally(() => heat.refreshAfterProfile()),
    ),
    vscode.commands.registerCommand('wasmscope.profileRemote', (target?: unknown, seconds?: unknown) =>
      profileRemote(context.extensionUri, log, context.secrets, target, seconds).finally(() => heat.refreshAfterProfile()),
    ),
    vscode.commands.registerCommand('wasmscope.openProfile', (resource?: vscode.Uri) =>
      openProfile(context.extensionUri, resource),
    ),
    vscode.commands.registerCommand(SET_TOKEN_COMMAND, (connect?: unknown) => setAgentToken(context.secrets, connect)),
    vscode.commands.registerCommand('wasmscope.openCoreDump', (resource?: vscode.Uri | string) => openCoreDump(resource)),
    heat,
    vscode.commands.registerCommand('wasmscope.toggleHeat', () => heat.toggle()),
    // The server's options come from these settings and launch.json (its sourceMap): restart it when they change.
    vscode.workspace.onDidChangeConfiguration((event) => {
      if (event.affectsConfiguration('wasmscope') || event.affectsConfiguration('launch')) {
        void server.update();
      }
    }),
    vscode.workspace.onDidChangeWorkspaceFolders(() => void server.update()),
  );
  void server.update();
}

export function deactivate(): Promise<void> | undefined {
  const server = languageServer;
  languageServer = undefined;
  return server?.dispose();
}
