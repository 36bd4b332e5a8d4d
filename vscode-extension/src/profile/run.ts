// Runs `wasmscope profile` as a child process, cancellable.
import { spawn } from 'child_process';
import * as fs from 'fs';

export interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stderr: string;
}

export function runProfiler(
  binary: string,
  args: string[],
  options: { cwd?: string; stdin?: string; signal?: AbortSignal },
): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    // The guest reads `stdin` as in a debug session; without it, nothing (not our own stdin).
    const input = options.stdin ? fs.openSync(options.stdin, 'r') : 'ignore';
    const child = spawn(binary, args, { cwd: options.cwd, stdio: [input, 'ignore', 'pipe'], signal: options.signal });
    if (typeof input === 'number') {
      fs.closeSync(input);
    }
    let stderr = '';
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (chunk: string) => {
      // Keep the tail: the summary and any error are at the end.
      stderr = (stderr + chunk).slice(-64 * 1024);
    });
    child.on('error', (error) => {
      if (error.name === 'AbortError') {
        resolve({ code: null, signal: 'SIGTERM', stderr });
      } else {
        reject(error);
      }
    });
    child.on('close', (code, signal) => resolve({ code, signal, stderr }));
  });
}
