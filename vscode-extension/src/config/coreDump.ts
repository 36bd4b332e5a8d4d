// Post-mortem debugging: the launch configuration that opens a Wasm coredump
// (`coreDump`; the adapter finds the program the dump names and stops at its
// trap), as "wasmscope: Open coredump…" builds it. Node only (no `vscode`), so
// it is unit-tested.
import * as path from 'path';
import { WasmscopeLaunchConfig } from './launchConfig';

export const OPEN_CORE_DUMP_COMMAND = 'wasmscope.openCoreDump';
export const OPEN_CORE_DUMP_TITLE = 'wasmscope: Open coredump…';
/** What `wasmscope run --coredump`, `serve --coredump-dir` and wasmtime name their dumps. */
export const CORE_DUMP_EXTENSION = '.coredump';

export function isCoreDumpFile(file: string): boolean {
  return file.toLowerCase().endsWith(CORE_DUMP_EXTENSION) && path.basename(file).length > CORE_DUMP_EXTENSION.length;
}

/** The launch configuration that opens `file` (an absolute path), with the sources mapped by `sourceMap`. */
export function coreDumpLaunchConfig(file: string, sourceMap?: Record<string, string>): WasmscopeLaunchConfig {
  const config: WasmscopeLaunchConfig = {
    type: 'wasmscope',
    request: 'launch',
    name: `Coredump ${path.basename(file)}`,
    coreDump: file,
  };
  if (sourceMap) {
    config.sourceMap = { ...sourceMap };
  }
  return config;
}

/** One workspace folder and the `configurations` of its launch.json. */
export interface FolderConfigurations<F> {
  folder: F;
  configurations: readonly unknown[];
}

function sourceMapOf(config: unknown): Record<string, string> | undefined {
  if (typeof config !== 'object' || config === null) {
    return undefined;
  }
  const c = config as { type?: unknown; request?: unknown; sourceMap?: unknown };
  if (c.type !== 'wasmscope' || (c.request !== 'launch' && c.request !== 'attach')) {
    return undefined;
  }
  const map = c.sourceMap;
  if (typeof map !== 'object' || map === null || Array.isArray(map)) {
    return undefined;
  }
  const entries = Object.entries(map);
  if (entries.length === 0 || entries.some(([, to]) => typeof to !== 'string')) {
    return undefined;
  }
  return Object.fromEntries(entries) as Record<string, string>;
}

/**
 * The sourceMap a coredump opened by the command uses: the one of the first
 * wasmscope configuration (launch or attach) in launch.json that has one,
 * looking at `preferred`'s launch.json (the folder holding the dump) first,
 * then at the other folders in order. Returned with its folder, since its
 * ${workspaceFolder} means that folder. Undefined when no configuration has one.
 */
export function sourceMapForCoreDump<F>(
  folders: readonly FolderConfigurations<F>[],
  preferred?: F,
): { folder: F; sourceMap: Record<string, string> } | undefined {
  const ordered = [...folders.filter((f) => f.folder === preferred), ...folders.filter((f) => f.folder !== preferred)];
  for (const { folder, configurations } of ordered) {
    for (const config of configurations) {
      const sourceMap = sourceMapOf(config);
      if (sourceMap) {
        return { folder, sourceMap };
      }
    }
  }
  return undefined;
}
