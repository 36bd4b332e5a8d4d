// "Profile Wasm program" and "Open profile…".
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as vscode from 'vscode';
import { locateWasmscope } from '../adapter/locate';
import { configForActiveFile } from '../config/fromWorkspace';
import { ProgramLaunchConfig, runsProgram } from '../config/launchConfig';
import { substituteVariables } from '../config/variables';
import { Log } from '../log';
import { layoutFlamegraph } from './layout';
import { showFlamegraph } from './panel';
import { profileInvocation, profileSummary } from './profileArgs';
import { runProfiler } from './run';
import { parseSpeedscope } from './speedscope';
import { readProfile } from './readProfile';
import { Profile } from './callTree';

interface FolderConfig {
  folder?: vscode.WorkspaceFolder;
  config: ProgramLaunchConfig;
}

/**
 * The `wasmscope` binary a command runs (the folder's `wasmscope.path`, else
 * PATH), or undefined after telling the user why there is none.
 */
export async function locateForCommand(
  folder: vscode.WorkspaceFolder | undefined,
  log: Log,
): Promise<{ path: string } | undefined> {
  const located = await locateWasmscope(vscode.workspace.getConfiguration('wasmscope', folder).get<string>('path'));
  if (located.ok) {
    return located;
  }
  log.error(located.message);
  const fix = await vscode.window.showErrorMessage(located.message, 'Open Settings');
  if (fix) {
    vscode.commands.executeCommand('workbench.action.openSettings', 'wasmscope.path');
  }
  return undefined;
}

/** `resource`: a .wasm from the explorer; a launch configuration name also works (for keybindings and tests). */
export async function profileProgram(extensionUri: vscode.Uri, log: Log, resource?: vscode.Uri | string): Promise<void> {
  const chosen = await chooseConfig(resource);
  if (!chosen) {
    return;
  }
  const located = await locateForCommand(chosen.folder, log);
  if (!located) {
    return;
  }
  const config = substituteVariables(chosen.config, {
    workspaceFolder: chosen.folder?.uri.fsPath,
    file: vscode.window.activeTextEditor?.document.uri.fsPath,
    env: process.env,
  });
  const cwd = config.cwd ?? chosen.folder?.uri.fsPath;
  const output = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'wasmscope-profile-')), 'profile.json');
  const invocation = profileInvocation({ ...config, cwd }, output, chosen.folder?.uri.fsPath);

  const result = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: `Profiling ${path.basename(config.program)}…`, cancellable: true },
    (_progress, token) => {
      const abort = new AbortController();
      token.onCancellationRequested(() => abort.abort());
      return runProfiler(located.path, invocation.args, { cwd: invocation.cwd, stdin: config.stdin, signal: abort.signal });
    },
  );
  if (result.signal === 'SIGTERM' && !fs.existsSync(output)) {
    return; // cancelled
  }
  if (result.code !== 0 || !fs.existsSync(output)) {
    log.error(`wasmscope ${invocation.args.join(' ')} failed (${result.signal ?? `exit ${result.code}`}):\n${result.stderr}`);
    const last = result.stderr.trim().split('\n').pop() ?? '';
    vscode.window.showErrorMessage(`Profiling failed: ${last}`, 'Show Log').then((pick) => pick && log.show());
    return;
  }
  const profile = parseSpeedscope(JSON.parse(fs.readFileSync(output, 'utf8')));
  profile.title = config.name || path.basename(config.program);
  showFlamegraph(extensionUri, {
    layout: layoutFlamegraph(profile),
    subtitle: profileSummary(result.stderr),
    source: { sourceMap: config.sourceMap, baseDir: cwd },
  });
}

async function chooseConfig(resource?: vscode.Uri | string): Promise<FolderConfig | undefined> {
  if (resource instanceof vscode.Uri) {
    const folder = vscode.workspace.getWorkspaceFolder(resource);
    const config = await configForActiveFile(folder, resource);
    return config && { folder, config };
  }
  const all = launchConfigs();
  const named = typeof resource === 'string' ? all.filter((c) => c.config.name === resource) : all;
  if (named.length === 1) {
    return named[0];
  }
  if (named.length === 0) {
    if (typeof resource === 'string') {
      vscode.window.showErrorMessage(`No wasmscope launch configuration named "${resource}".`);
      return undefined;
    }
    const folder = vscode.workspace.workspaceFolders?.[0];
    const config = await configForActiveFile(folder);
    return config && { folder, config };
  }
  const picked = await vscode.window.showQuickPick(
    named.map((c) => ({ label: c.config.name, description: c.config.program, value: c })),
    { title: 'wasmscope: profile which launch configuration?' },
  );
  return picked?.value;
}

/** The wasmscope configurations of every folder's launch.json that run a program in wasmtime (coredump ones cannot be profiled; Node and chromium ones run elsewhere). */
function launchConfigs(): FolderConfig[] {
  const out: FolderConfig[] = [];
  for (const folder of vscode.workspace.workspaceFolders ?? []) {
    const configs = vscode.workspace.getConfiguration('launch', folder).get<unknown[]>('configurations') ?? [];
    for (const config of configs) {
      if (runsProgram(config)) {
        out.push({ folder, config });
      }
    }
  }
  return out;
}

export async function openProfile(extensionUri: vscode.Uri, resource?: vscode.Uri): Promise<void> {
  const uri =
    resource ??
    (
      await vscode.window.showOpenDialog({
        title: 'Open profile',
        canSelectMany: false,
        filters: { 'Profiles (speedscope JSON, folded stacks)': ['json', 'folded', 'txt'], 'All files': ['*'] },
      })
    )?.[0];
  if (!uri) {
    return;
  }
  let profile: Profile;
  try {
    profile = readProfile(fs.readFileSync(uri.fsPath, 'utf8'), path.basename(uri.fsPath));
  } catch (error) {
    vscode.window.showErrorMessage(`Cannot open ${uri.fsPath} as a profile: ${(error as Error).message}`);
    return;
  }
  showFlamegraph(extensionUri, {
    layout: layoutFlamegraph(profile),
    subtitle: uri.fsPath,
    source: { baseDir: path.dirname(uri.fsPath) },
  });
}

