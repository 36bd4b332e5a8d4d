// Starts `wasmscope dap` for each debug session, after checking the binary:
// a missing or too old wasmscope fails the launch with the fix in the message.
// Attach sessions to a server's debugging agent run `wasmscope dap --connect
// URL`, the bridge to it, with the agent's token; attach sessions to a running
// Node or Chromium (`target`, `port`) run `wasmscope dap` as launches do (see
// attach.ts).
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import { Log } from '../log';
import { showAttachError } from './agentToken';
import { attachAdapter } from './attach';
import { locateWasmscope } from './locate';
import { LogFollower } from './logFollower';

export class AdapterFactory implements vscode.DebugAdapterDescriptorFactory, vscode.Disposable {
  private readonly followers = new Map<string, LogFollower>();
  private readonly onTerminate: vscode.Disposable;

  constructor(
    private readonly log: Log,
    private readonly logDir: string,
    private readonly secrets: vscode.SecretStorage,
  ) {
    this.onTerminate = vscode.debug.onDidTerminateDebugSession((session) => {
      this.followers.get(session.id)?.stop();
      this.followers.delete(session.id);
    });
  }

  async createDebugAdapterDescriptor(session: vscode.DebugSession): Promise<vscode.DebugAdapterDescriptor | undefined> {
    const settings = vscode.workspace.getConfiguration('wasmscope', session.workspaceFolder);
    const located = await locateWasmscope(settings.get<string>('path'));
    if (!located.ok) {
      this.log.error(located.message);
      throw new Error(located.message);
    }
    const cwd = session.workspaceFolder?.uri.fsPath;
    let args = ['dap'];
    let env: Record<string, string> | undefined;
    if (session.configuration.request === 'attach') {
      // The configuration provider checked this already; the token may have gone since.
      const attach = await attachAdapter(session.configuration, (key) => this.secrets.get(key), { baseDir: cwd });
      if (!attach.ok) {
        this.log.error(attach.message);
        showAttachError(attach.message, attach.connect);
        return undefined;
      }
      args = attach.args;
      env = attach.env;
    }
    if (settings.get<boolean>('trace')) {
      args.push('--log', this.followLog(session));
    }
    return new vscode.DebugAdapterExecutable(located.path, args, { cwd, env });
  }

  private followLog(session: vscode.DebugSession): string {
    fs.mkdirSync(this.logDir, { recursive: true });
    const file = path.join(this.logDir, `dap-${session.id}.log`);
    this.log.line(`--- ${session.name}: adapter log ${file}`);
    const follower = new LogFollower(file, (line) => this.log.line(line));
    follower.start();
    this.followers.set(session.id, follower);
    return file;
  }

  dispose(): void {
    this.onTerminate.dispose();
    for (const follower of this.followers.values()) {
      follower.stop();
    }
  }
}
