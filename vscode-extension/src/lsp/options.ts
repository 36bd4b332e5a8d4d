// The `initializationOptions` the extension starts `wasmscope lsp` with, from
// the `wasmscope.lsp.*` settings and launch.json. Node only (no `vscode`), so
// it is unit-tested. The server refuses keys it does not know: only
// `programs`, `sourceMap` and `heatThreshold` are ever sent.
import * as path from 'path';
import { FolderConfigurations, sourceMapForCoreDump } from '../config/coreDump';
import { VariableContext, substituteString } from '../config/variables';

export const DEFAULT_HEAT_THRESHOLD = 0.01;

/** What `wasmscope lsp` reads at `initialize` (see lsp/src/options.rs). */
export interface InitializationOptions {
  programs?: string[];
  sourceMap?: Record<string, string>;
  heatThreshold: number;
}

/** The `wasmscope.lsp.*` settings as read, unchecked. */
export interface LspSettings {
  programs?: unknown;
  sourceMap?: unknown;
  heatThreshold?: unknown;
}

export interface OptionsResult {
  options: InitializationOptions;
  /** Where the sourceMap came from: the setting, a launch configuration, or nowhere. */
  sourceMapFrom: 'setting' | 'launch.json' | 'none';
  /** Settings that were left out, said in the output channel. */
  problems: string[];
}

/** The heat threshold: a share 0..1 (the server refuses others), else the default. */
export function heatThreshold(value: unknown): number {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 && value <= 1 ? value : DEFAULT_HEAT_THRESHOLD;
}

/**
 * The options for a server whose root is `folder`: `programs` with variables
 * substituted and made absolute against the folder; `sourceMap` from the
 * setting when it has entries, else from the first wasmscope configuration of
 * launch.json that has one (the root folder's first, as "Open coredump…"
 * does), each with ${workspaceFolder} meaning the folder it is defined for.
 */
export function initializationOptions<F>(
  settings: LspSettings,
  launch: {
    folders: readonly FolderConfigurations<F>[];
    /** The server's root folder. */
    root?: F;
    /** A folder's path, for ${workspaceFolder}. */
    folderPath: (folder: F) => string | undefined;
  },
  env: Record<string, string | undefined> = {},
): OptionsResult {
  const problems: string[] = [];
  const rootPath = launch.root === undefined ? undefined : launch.folderPath(launch.root);
  const rootContext: VariableContext = { workspaceFolder: rootPath, env };
  const options: InitializationOptions = { heatThreshold: heatThreshold(settings.heatThreshold) };
  if (settings.heatThreshold !== undefined && settings.heatThreshold !== options.heatThreshold) {
    problems.push(
      `wasmscope.lsp.heatThreshold must be a number from 0 to 1, not ${JSON.stringify(settings.heatThreshold)}: using ${DEFAULT_HEAT_THRESHOLD}`,
    );
  }

  const programs: string[] = [];
  if (settings.programs !== undefined && !Array.isArray(settings.programs)) {
    problems.push('wasmscope.lsp.programs must be a list of paths: ignored');
  }
  for (const program of Array.isArray(settings.programs) ? settings.programs : []) {
    if (typeof program !== 'string' || program.trim() === '') {
      problems.push(`wasmscope.lsp.programs: ${JSON.stringify(program)} is not a path: left out`);
      continue;
    }
    const resolved = substitute(program, rootContext, 'wasmscope.lsp.programs', problems);
    if (resolved !== undefined) {
      programs.push(rootPath && !path.isAbsolute(resolved) ? path.resolve(rootPath, resolved) : resolved);
    }
  }
  if (programs.length > 0) {
    options.programs = programs;
  }

  let sourceMapFrom: OptionsResult['sourceMapFrom'] = 'none';
  const setting = stringMap(settings.sourceMap);
  if (settings.sourceMap !== undefined && setting === undefined) {
    problems.push('wasmscope.lsp.sourceMap must be an object of build path prefix → local path (strings): ignored');
  }
  if (setting && Object.keys(setting).length > 0) {
    options.sourceMap = substituteMap(setting, rootContext, 'wasmscope.lsp.sourceMap', problems);
    sourceMapFrom = 'setting';
  } else {
    const found = sourceMapForCoreDump(launch.folders, launch.root);
    if (found) {
      const context: VariableContext = { workspaceFolder: launch.folderPath(found.folder), env };
      options.sourceMap = substituteMap(found.sourceMap, context, 'the sourceMap of launch.json', problems);
      sourceMapFrom = 'launch.json';
    }
  }
  if (options.sourceMap && Object.keys(options.sourceMap).length === 0) {
    delete options.sourceMap;
    sourceMapFrom = 'none';
  }
  return { options, sourceMapFrom, problems };
}

function stringMap(value: unknown): Record<string, string> | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return undefined;
  }
  const entries = Object.entries(value);
  return entries.every(([, to]) => typeof to === 'string') ? (Object.fromEntries(entries) as Record<string, string>) : undefined;
}

function substitute(text: string, context: VariableContext, where: string, problems: string[]): string | undefined {
  try {
    return substituteString(text, context);
  } catch (error) {
    problems.push(`${where}: ${JSON.stringify(text)}: ${(error as Error).message}: left out`);
    return undefined;
  }
}

function substituteMap(map: Record<string, string>, context: VariableContext, where: string, problems: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [from, to] of Object.entries(map)) {
    const key = substitute(from, context, where, problems);
    const value = key === undefined ? undefined : substitute(to, context, where, problems);
    if (key !== undefined && value !== undefined) {
      out[key] = value;
    }
  }
  return out;
}
