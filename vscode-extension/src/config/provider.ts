// Completes launch configurations: F5 with no launch.json debugs the .wasm
// built from the open file; a configuration without `program` is sent back
// to launch.json instead of failing inside the adapter.
import * as vscode from 'vscode';
import { configForActiveFile } from './fromWorkspace';

export class ConfigurationProvider implements vscode.DebugConfigurationProvider {
  async resolveDebugConfiguration(
    folder: vscode.WorkspaceFolder | undefined,
    config: vscode.DebugConfiguration,
  ): Promise<vscode.DebugConfiguration | null | undefined> {
    if (!config.type && !config.request && !config.name) {
      return configForActiveFile(folder);
    }
    if (!config.program) {
      vscode.window.showErrorMessage(`The wasmscope configuration "${config.name}" needs a \`program\`: the .wasm to debug.`);
      return null; // null: VS Code opens launch.json
    }
    // Relative paths resolve against cwd in the adapter; default it to the folder, as users expect.
    if (config.cwd === undefined && folder) {
      config.cwd = folder.uri.fsPath;
    }
    return config;
  }
}
