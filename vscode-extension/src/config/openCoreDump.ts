// "wasmscope: Open coredump…": debugs a Wasm coredump post-mortem. The file is
// the one the command was invoked on (explorer context menu on a .coredump, or
// a path given by a keybinding), else one picked in an open dialog. The session
// is a `coreDump` launch (see coreDump.ts) with the sourceMap of the
// workspace's launch.json, if a wasmscope configuration there has one.
import * as fs from 'fs';
import * as vscode from 'vscode';
import { FolderConfigurations, coreDumpLaunchConfig, isCoreDumpFile, sourceMapForCoreDump } from './coreDump';

export async function openCoreDump(resource?: vscode.Uri | string): Promise<boolean> {
  const file = await chooseCoreDump(resource);
  if (!file) {
    return false;
  }
  if (!fs.existsSync(file)) {
    vscode.window.showErrorMessage(`No coredump at ${file}.`);
    return false;
  }
  const folders: FolderConfigurations<vscode.WorkspaceFolder>[] = (vscode.workspace.workspaceFolders ?? []).map((folder) => ({
    folder,
    configurations: vscode.workspace.getConfiguration('launch', folder).get<unknown[]>('configurations') ?? [],
  }));
  const dumpFolder = vscode.workspace.getWorkspaceFolder(vscode.Uri.file(file));
  const mapped = sourceMapForCoreDump(folders, dumpFolder);
  // The sourceMap's ${workspaceFolder} means the folder it came from: VS Code substitutes it for that folder.
  const folder = mapped?.folder ?? dumpFolder ?? vscode.workspace.workspaceFolders?.[0];
  return vscode.debug.startDebugging(folder, coreDumpLaunchConfig(file, mapped?.sourceMap));
}

async function chooseCoreDump(resource?: vscode.Uri | string): Promise<string | undefined> {
  if (typeof resource === 'string' && resource !== '') {
    return resource;
  }
  if (resource instanceof vscode.Uri && resource.scheme === 'file' && isCoreDumpFile(resource.fsPath)) {
    return resource.fsPath;
  }
  const picked = await vscode.window.showOpenDialog({
    title: 'Open a Wasm coredump',
    openLabel: 'Debug coredump',
    canSelectFiles: true,
    canSelectFolders: false,
    canSelectMany: false,
    defaultUri: vscode.workspace.workspaceFolders?.[0]?.uri,
    filters: { 'Wasm coredumps': ['coredump'], 'All files': ['*'] },
  });
  return picked?.[0]?.fsPath;
}
