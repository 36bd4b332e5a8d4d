// Building a launch configuration without launch.json: the .wasm built from
// the open source file, or one the user picks from the workspace.
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import { ProgramLaunchConfig } from './launchConfig';
import { guessSourceMap } from './sourceMap';
import { debugPaths } from './wasmSections';
import { obviousChoice, rankWasmFiles } from './wasmPick';

const EXCLUDE = '{**/node_modules/**,**/.git/**}';

/** The .wasm to run for `source` (or for no file in particular); undefined when the user gave up. */
export async function pickWasm(source: string | undefined): Promise<string | undefined> {
  const found = await vscode.workspace.findFiles('**/*.wasm', EXCLUDE, 5000);
  const ranked = rankWasmFiles(
    found.map((uri) => uri.fsPath),
    source,
  );
  if (ranked.length === 0) {
    vscode.window.showErrorMessage(
      'No .wasm file in the workspace to debug. Build your program for wasm32-wasi with debug info (-g), or add a wasmscope configuration to launch.json.',
    );
    return undefined;
  }
  const obvious = obviousChoice(ranked, source);
  if (obvious) {
    return obvious;
  }
  const items = ranked.map((r) => ({
    label: path.basename(r.file),
    description: vscode.workspace.asRelativePath(r.file),
    detail: r.matchesSource && source ? `named after ${path.basename(source)}` : undefined,
    file: r.file,
  }));
  const picked = await vscode.window.showQuickPick(items, {
    title: 'wasmscope: which WebAssembly program?',
    placeHolder: source ? `No build of ${path.basename(source)} found by name; pick the .wasm to run` : 'Pick the .wasm to run',
    matchOnDescription: true,
  });
  return picked?.file;
}

/** A sourceMap that maps the program's DWARF paths onto `source`, when they differ. */
export async function sourceMapFor(program: string, source: string | undefined): Promise<Record<string, string> | undefined> {
  if (!source) {
    return undefined;
  }
  try {
    const bytes = await fs.promises.readFile(program);
    return guessSourceMap(debugPaths(bytes), source);
  } catch {
    return undefined; // unreadable program: the adapter will say why at launch
  }
}

/** A whole configuration for the active editor, as F5 without launch.json wants. */
export async function configForActiveFile(
  folder: vscode.WorkspaceFolder | undefined,
  resource?: vscode.Uri,
): Promise<ProgramLaunchConfig | undefined> {
  const active = resource ?? vscode.window.activeTextEditor?.document.uri;
  const file = active?.scheme === 'file' ? active.fsPath : undefined;
  const isWasm = file?.endsWith('.wasm');
  const program = isWasm ? file : await pickWasm(file);
  if (!program) {
    return undefined;
  }
  const cwd = (folder ?? vscode.workspace.getWorkspaceFolder(vscode.Uri.file(program)))?.uri.fsPath ?? path.dirname(program);
  const config: ProgramLaunchConfig = {
    type: 'wasmscope',
    request: 'launch',
    name: `Debug ${path.basename(program)}`,
    program,
    args: [],
    cwd,
  };
  const sourceMap = await sourceMapFor(program, isWasm ? undefined : file);
  if (sourceMap) {
    config.sourceMap = sourceMap;
  }
  return config;
}
