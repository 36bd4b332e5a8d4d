// Runs code-server (VS Code in the browser) for the test: its own user data,
// extensions and settings in a temporary directory.
import { ChildProcess, execFileSync, spawn } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

export interface CodeServerOptions {
  node: string;
  entry: string;
  home: string;
  vsix: string;
  log: string;
}

export interface CodeServer {
  url: string;
  stop(): Promise<void>;
}

// Quiet, deterministic workbench: no welcome page, tips, trust prompt or updates.
const USER_SETTINGS = {
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'workbench.welcomePage.walkthroughs.openOnInstall': false,
  'security.workspace.trust.enabled': false,
  'extensions.ignoreRecommendations': true,
  'extensions.autoCheckUpdates': false,
  'update.mode': 'none',
  'telemetry.telemetryLevel': 'off',
  'editor.minimap.enabled': false,
  'workbench.secondarySideBar.defaultVisibility': 'hidden',
  'debug.openDebug': 'openOnDebugBreak',
  'debug.toolBarLocation': 'floating',
  'chat.disableAIFeatures': true,
  'files.simpleDialog.enable': true,
};

export function installExtension(options: CodeServerOptions): void {
  const out = execFileSync(options.node, [options.entry, ...commonArgs(options), '--install-extension', options.vsix], {
    encoding: 'utf8',
    timeout: 120_000,
    env: { ...process.env, HOME: options.home },
  });
  if (!/successfully installed/i.test(out)) {
    throw new Error(`installing ${options.vsix} did not succeed:\n${out}`);
  }
}

function commonArgs(options: CodeServerOptions): string[] {
  return [
    '--user-data-dir', path.join(options.home, 'user-data'),
    '--extensions-dir', path.join(options.home, 'extensions'),
    '--config', path.join(options.home, 'config.yaml'),
  ];
}

export async function startCodeServer(options: CodeServerOptions, folder: string): Promise<CodeServer> {
  const userDir = path.join(options.home, 'user-data', 'User');
  fs.mkdirSync(userDir, { recursive: true });
  fs.writeFileSync(path.join(userDir, 'settings.json'), JSON.stringify(USER_SETTINGS, null, 2));
  fs.writeFileSync(path.join(options.home, 'config.yaml'), 'auth: none\ncert: false\n');

  const log = fs.openSync(options.log, 'a');
  const child: ChildProcess = spawn(
    options.node,
    [
      options.entry,
      ...commonArgs(options),
      '--bind-addr', '127.0.0.1:0',
      '--auth', 'none',
      '--disable-telemetry',
      '--disable-update-check',
      '--disable-workspace-trust',
      '--disable-getting-started-override',
      folder,
    ],
    { stdio: ['ignore', 'pipe', log], env: { ...process.env, HOME: options.home } },
  );
  const url = await new Promise<string>((resolve, reject) => {
    let seen = '';
    const timer = setTimeout(() => reject(new Error(`code-server did not start in 60 s:\n${seen}`)), 60_000);
    child.stdout!.on('data', (chunk: Buffer) => {
      fs.appendFileSync(options.log, chunk);
      seen += chunk.toString();
      const m = /HTTP server listening on (http:\/\/[^\s]+)/.exec(seen);
      if (m) {
        clearTimeout(timer);
        resolve(m[1].replace(/\/$/, ''));
      }
    });
    child.on('exit', (code) => reject(new Error(`code-server exited with ${code} before listening:\n${seen}`)));
  });
  child.stdout!.on('data', (chunk: Buffer) => fs.appendFileSync(options.log, chunk));
  return {
    url,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) {
          resolve();
          return;
        }
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}
