// VS Code substitutes ${...} in launch configurations only for debug
// sessions; the profiler command reads launch.json itself, so it resolves the
// common variables here.
import * as os from 'os';
import * as path from 'path';

export interface VariableContext {
  workspaceFolder?: string;
  /** The active editor's file, for ${file} and friends. */
  file?: string;
  env: Record<string, string | undefined>;
}

export function substituteString(text: string, ctx: VariableContext): string {
  return text.replace(/\$\{([^}]+)\}/g, (whole, name: string) => {
    const value = variable(name, ctx);
    if (value === undefined) {
      throw new Error(`cannot resolve ${whole} here`);
    }
    return value;
  });
}

function variable(name: string, ctx: VariableContext): string | undefined {
  if (name.startsWith('env:')) {
    return ctx.env[name.slice(4)] ?? '';
  }
  const folder = ctx.workspaceFolder;
  const file = ctx.file;
  switch (name) {
    case 'workspaceFolder':
    case 'workspaceRoot':
      return folder;
    case 'workspaceFolderBasename':
      return folder && path.basename(folder);
    case 'userHome':
      return os.homedir();
    case 'pathSeparator':
      return path.sep;
    case 'file':
      return file;
    case 'fileBasename':
      return file && path.basename(file);
    case 'fileBasenameNoExtension':
      return file && path.basename(file, path.extname(file));
    case 'fileDirname':
      return file && path.dirname(file);
    case 'fileExtname':
      return file && path.extname(file);
    case 'relativeFile':
      return file && folder ? path.relative(folder, file) : undefined;
    default:
      return undefined;
  }
}

/** Substitutes in every string of a JSON-like value (keys too: sourceMap keys may use variables). */
export function substituteVariables<T>(value: T, ctx: VariableContext): T {
  if (typeof value === 'string') {
    return substituteString(value, ctx) as T;
  }
  if (Array.isArray(value)) {
    return value.map((v) => substituteVariables(v, ctx)) as T;
  }
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      out[substituteString(k, ctx)] = substituteVariables(v, ctx);
    }
    return out as T;
  }
  return value;
}
