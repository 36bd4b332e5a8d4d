// Puts what went wrong between VS Code and the adapter into the output
// channel: a crash, a non-zero exit, a request the adapter refused.
import * as vscode from 'vscode';
import { Log } from '../log';

// Hovers and watch expressions evaluate whatever is under the mouse; their
// failures are routine, not faults worth logging.
const QUIET_FAILURES = new Set(['evaluate', 'completions', 'setExpression']);

export class TrackerFactory implements vscode.DebugAdapterTrackerFactory {
  constructor(private readonly log: Log) {}

  createDebugAdapterTracker(session: vscode.DebugSession): vscode.DebugAdapterTracker {
    const log = this.log;
    return {
      onDidSendMessage(message: { type?: string; success?: boolean; command?: string; message?: string; body?: { error?: { format?: string } } }) {
        if (message.type === 'response' && message.success === false && !QUIET_FAILURES.has(message.command ?? '')) {
          const detail = message.body?.error?.format ?? message.message ?? '';
          log.error(`${session.name}: ${message.command} failed: ${detail}`);
        }
      },
      onError(error: Error) {
        log.error(`${session.name}: adapter error: ${error.message}`);
      },
      onExit(code: number | undefined, signal: string | undefined) {
        if ((code !== undefined && code !== 0) || signal) {
          log.error(`${session.name}: wasmscope dap exited with ${signal ? `signal ${signal}` : `code ${code}`}`);
        }
      },
    };
  }
}
