// Entry point: wires the debug adapter, the configuration provider, the
// profiler commands (a program, a remote server), the agent-token command and
// "Open coredump…" to VS Code.
import * as vscode from 'vscode';
import { setAgentToken } from './adapter/agentToken';
import { SET_TOKEN_COMMAND } from './adapter/attach';
import { AdapterFactory } from './adapter/factory';
import { TrackerFactory } from './adapter/tracker';
import { openCoreDump } from './config/openCoreDump';
import { ConfigurationProvider } from './config/provider';
import { Log } from './log';
import { openProfile, profileProgram } from './profile/commands';
import { profileRemote } from './profile/remote';

export function activate(context: vscode.ExtensionContext): void {
  const log = new Log();
  const factory = new AdapterFactory(log, vscode.Uri.joinPath(context.logUri, 'dap').fsPath, context.secrets);
  context.subscriptions.push(
    log,
    factory,
    vscode.debug.registerDebugAdapterDescriptorFactory('wasmscope', factory),
    vscode.debug.registerDebugAdapterTrackerFactory('wasmscope', new TrackerFactory(log)),
    vscode.debug.registerDebugConfigurationProvider('wasmscope', new ConfigurationProvider(context.secrets)),
    vscode.commands.registerCommand('wasmscope.profile', (resource?: vscode.Uri | string) =>
      profileProgram(context.extensionUri, log, resource),
    ),
    vscode.commands.registerCommand('wasmscope.profileRemote', (target?: unknown, seconds?: unknown) =>
      profileRemote(context.extensionUri, log, context.secrets, target, seconds),
    ),
    vscode.commands.registerCommand('wasmscope.openProfile', (resource?: vscode.Uri) =>
      openProfile(context.extensionUri, resource),
    ),
    vscode.commands.registerCommand(SET_TOKEN_COMMAND, (connect?: unknown) => setAgentToken(context.secrets, connect)),
    vscode.commands.registerCommand('wasmscope.openCoreDump', (resource?: vscode.Uri | string) => openCoreDump(resource)),
  );
}

export function deactivate(): void {}
