// Runs `wasmscope profile` as a child process, cancellable.
import { spawn } from 'child_process';
import * as fs from 'fs';

export interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stderr: string;
  /** The run was cancelled (options.signal aborted). */
  cancelled?: boolean;
}

export interface RunOptions {
  cwd?: string;
  stdin?: string;
  /** The child's whole environment (default: ours). */
  env?: NodeJS.ProcessEnv;
  signal?: AbortSignal;
  /**
   * How a cancel stops the child. Without it the child is killed (SIGTERM)
   * and the result comes at once. With it (SIGINT for `profile --connect`,
   * which then writes what it has) the child gets this signal and the result
   * comes when it exits; if it has not within `graceMs`, it is killed.
   */
  interrupt?: { signal: NodeJS.Signals; graceMs: number };
}

export function runProfiler(binary: string, args: string[], options: RunOptions): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    // The guest reads `stdin` as in a debug session; without it, nothing (not our own stdin).
    const input = options.stdin ? fs.openSync(options.stdin, 'r') : 'ignore';
    const interrupt = options.interrupt;
    const child = spawn(binary, args, {
      cwd: options.cwd,
      env: options.env,
      stdio: [input, 'ignore', 'pipe'],
      signal: interrupt ? undefined : options.signal,
    });
    if (typeof input === 'number') {
      fs.closeSync(input);
    }
    let stderr = '';
    let cancelled = false;
    let killTimer: NodeJS.Timeout | undefined;
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (chunk: string) => {
      // Keep the tail: the summary and any error are at the end.
      stderr = (stderr + chunk).slice(-64 * 1024);
    });
    const onAbort = () => {
      cancelled = true;
      if (interrupt && child.exitCode === null && child.signalCode === null) {
        child.kill(interrupt.signal);
        killTimer = setTimeout(() => child.kill('SIGKILL'), interrupt.graceMs);
      }
    };
    if (options.signal?.aborted) {
      onAbort();
    } else {
      options.signal?.addEventListener('abort', onAbort, { once: true });
    }
    child.on('error', (error) => {
      if (error.name === 'AbortError') {
        resolve({ code: null, signal: 'SIGTERM', stderr, cancelled: true });
      } else {
        clearTimeout(killTimer);
        reject(error);
      }
    });
    child.on('close', (code, signal) => {
      clearTimeout(killTimer);
      options.signal?.removeEventListener('abort', onAbort);
      resolve(cancelled ? { code, signal, stderr, cancelled } : { code, signal, stderr });
    });
  });
}
