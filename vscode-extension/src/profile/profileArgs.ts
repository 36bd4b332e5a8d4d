// The `wasmscope profile` command line for a launch configuration: the same
// program, arguments, environment and directories as a debug session.
import * as path from 'path';
import { WasmscopeLaunchConfig } from '../config/launchConfig';

/** Where `wasmscope profile` keeps a copy of each profile for the language server, under its cwd. */
export const PROFILE_DIR = '.wasmscope';

export interface ProfileInvocation {
  args: string[];
  cwd?: string;
}

/**
 * `workspaceFolder`: the configuration's folder. `wasmscope profile` also
 * keeps a copy of the profile in `.wasmscope/` under its cwd, where the
 * language server (`wasmscope lsp`, rooted at the workspace folder) finds it;
 * when the cwd is elsewhere, `--save-dir` puts the copy in the folder's.
 */
export function profileInvocation(
  config: Pick<WasmscopeLaunchConfig, 'program' | 'args' | 'env' | 'dirs' | 'cwd'>,
  output: string,
  workspaceFolder?: string,
): ProfileInvocation {
  if (!config.program) {
    throw new Error('the launch configuration has no `program`');
  }
  // The adapter resolves relative paths against `cwd`; do the same here.
  const cwd = config.cwd;
  const program = cwd ? path.resolve(cwd, config.program) : config.program;
  const args = ['profile', '--format', 'speedscope', '-o', output];
  if (workspaceFolder && (!cwd || path.resolve(cwd) !== path.resolve(workspaceFolder))) {
    args.push('--save-dir', path.join(workspaceFolder, PROFILE_DIR));
  }
  for (const dir of config.dirs ?? []) {
    args.push('--dir', dir);
  }
  for (const [name, value] of Object.entries(config.env ?? {})) {
    if (name.includes('=')) {
      throw new Error(`environment variable name ${JSON.stringify(name)} contains '='`);
    }
    args.push('--env', `${name}=${value}`);
  }
  args.push(program);
  if (config.args && config.args.length > 0) {
    args.push('--', ...config.args);
  }
  return { args, cwd };
}

/** The profiler's one-line summary ("wasmscope: 158 samples at ..."), shown above the flamegraph. */
export function profileSummary(stderr: string): string | undefined {
  const lines = stderr.split(/\r?\n/).filter((l) => l.startsWith('wasmscope: '));
  return lines.length > 0 ? lines[lines.length - 1].slice('wasmscope: '.length) : undefined;
}
