// Opens the source line of a flamegraph frame.
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import { mapSourcePath } from '../config/sourceMap';
import { bestSuffixMatch } from './sourceLocate';

export interface SourceContext {
  sourceMap?: Record<string, string>;
  /** Where relative paths in the profile resolve (the run's cwd). */
  baseDir?: string;
}

export async function openSource(file: string, line: number | undefined, context: SourceContext): Promise<void> {
  const target = await findSource(file, context);
  if (!target) {
    vscode.window.showWarningMessage(
      `Source ${file} is not in the workspace. If the program was built elsewhere, add a "sourceMap" to its launch configuration.`,
    );
    return;
  }
  const document = await vscode.workspace.openTextDocument(target);
  const position = new vscode.Position(Math.max(0, (line ?? 1) - 1), 0);
  await vscode.window.showTextDocument(document, {
    viewColumn: vscode.ViewColumn.One,
    selection: new vscode.Range(position, position),
  });
}

async function findSource(file: string, context: SourceContext): Promise<vscode.Uri | undefined> {
  const mapped = mapSourcePath(file, context.sourceMap);
  const absolute = path.isAbsolute(mapped) ? mapped : path.resolve(context.baseDir ?? '', mapped);
  if (fs.existsSync(absolute)) {
    return vscode.Uri.file(absolute);
  }
  const name = path.basename(file);
  const candidates = await vscode.workspace.findFiles(`**/${name}`, '**/node_modules/**', 200);
  const best = bestSuffixMatch(
    file,
    candidates.map((uri) => uri.fsPath),
  );
  return best ? vscode.Uri.file(best) : undefined;
}
