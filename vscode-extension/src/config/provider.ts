// Completes launch configurations: F5 with no launch.json debugs the .wasm
// built from the open file; a configuration with neither `program` nor
// `coreDump` (a post-mortem launch) is sent back to launch.json instead of
// failing inside the adapter. Attach configurations are checked the same way
// (`connect`, a ws:// URL, or `target` and `port` for a running Node or
// Chromium), and an attach to an agent is refused before the adapter starts
// when there is no token for it.
import * as vscode from 'vscode';
import { showAttachError } from '../adapter/agentToken';
import { attachAdapter } from '../adapter/attach';
import { attachKind, checkAttachConfig, portNumber } from './attachConfig';
import { configForActiveFile } from './fromWorkspace';
import { checkLaunchConfig } from './launchConfig';

export class ConfigurationProvider implements vscode.DebugConfigurationProvider {
  constructor(private readonly secrets: vscode.SecretStorage) {}

  async resolveDebugConfiguration(
    folder: vscode.WorkspaceFolder | undefined,
    config: vscode.DebugConfiguration,
  ): Promise<vscode.DebugConfiguration | null | undefined> {
    if (!config.type && !config.request && !config.name) {
      return configForActiveFile(folder);
    }
    if (config.request === 'attach') {
      if (attachKind(config) === undefined) {
        vscode.window.showErrorMessage(checkAttachConfig(config) ?? '');
        return null; // null: VS Code opens launch.json
      }
      // Node or Chromium: relative paths resolve against cwd in the adapter, as for a launch.
      if (attachKind(config) === 'devtools' && config.cwd === undefined && folder) {
        config.cwd = folder.uri.fsPath;
      }
      return config; // the rest is checked once variables are substituted
    }
    const problem = checkLaunchConfig(config);
    if (problem) {
      vscode.window.showErrorMessage(problem);
      return null;
    }
    // Relative paths resolve against cwd in the adapter; default it to the folder, as users expect.
    if (config.cwd === undefined && folder) {
      config.cwd = folder.uri.fsPath;
    }
    return config;
  }

  async resolveDebugConfigurationWithSubstitutedVariables(
    folder: vscode.WorkspaceFolder | undefined,
    config: vscode.DebugConfiguration,
  ): Promise<vscode.DebugConfiguration | null | undefined> {
    if (config.request !== 'attach') {
      return config;
    }
    // A port from a variable (`${input:port}`) is a string; the adapter wants a number.
    if (attachKind(config) === 'devtools' && typeof config.port === 'string' && portNumber(config.port) !== undefined) {
      config.port = portNumber(config.port);
    }
    const problem = checkAttachConfig(config);
    if (problem) {
      vscode.window.showErrorMessage(problem);
      return null;
    }
    // Refuse here rather than in the adapter factory: VS Code would add its
    // own "couldn't find a debug adapter descriptor" error to ours.
    const attach = await attachAdapter(config, (key) => this.secrets.get(key), { baseDir: folder?.uri.fsPath });
    if (!attach.ok) {
      showAttachError(attach.message, attach.connect);
      return undefined; // undefined: the session does not start
    }
    return config;
  }
}
