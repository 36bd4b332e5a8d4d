// Starts `wasmscope dap` for each debug session, after checking the binary:
// a missing or too old wasmscope fails the launch with the fix in the message.
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import { Log } from '../log';
import { locateWasmscope } from './locate';
import { LogFollower } from './logFollower';

export class AdapterFactory implements vscode.DebugAdapterDescriptorFactory, vscode.Disposable {
  private readonly followers = new Map<string, LogFollower>();
  private readonly onTerminate: vscode.Disposable;

  constructor(
    private readonly log: Log,
    private readonly logDir: string,
  ) {
    this.onTerminate = vscode.debug.onDidTerminateDebugSession((session) => {
      this.followers.get(session.id)?.stop();
      this.followers.delete(session.id);
    });
  }

  async createDebugAdapterDescriptor(session: vscode.DebugSession): Promise<vscode.DebugAdapterDescriptor> {
    const settings = vscode.workspace.getConfiguration('wasmscope', session.workspaceFolder);
    const located = await locateWasmscope(settings.get<string>('path'));
    if (!located.ok) {
      this.log.error(located.message);
      throw new Error(located.message);
    }
    const args = ['dap'];
    if (settings.get<boolean>('trace')) {
      args.push('--log', this.followLog(session));
    }
    return new vscode.DebugAdapterExecutable(located.path, args, { cwd: session.workspaceFolder?.uri.fsPath });
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
