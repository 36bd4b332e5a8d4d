// "Profile remote server…": a live profile of a running `wasmscope serve
// --debug-addr` through its agent (`wasmscope profile --connect`), shown in
// the flamegraph view. The agent and its token come from an attach
// configuration, as for attaching (or a URL typed in and a stored token), and
// so do the certificates of a wss:// agent (`caFile`, passed as --ca-file).
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as vscode from 'vscode';
import { showAttachError } from '../adapter/agentToken';
import { SET_TOKEN_COMMAND, agentCaFile, agentToken } from '../adapter/attach';
import { DEFAULT_CONNECT, connectProblem } from '../config/attachConfig';
import { substituteVariables } from '../config/variables';
import { Log } from '../log';
import { locateForCommand } from './commands';
import { layoutFlamegraph } from './layout';
import { showFlamegraph } from './panel';
import {
  DEFAULT_REMOTE_SECONDS,
  RemoteTarget,
  chooseRemote,
  durationProblem,
  isTokenRefusal,
  parseRemoteSummary,
  profileError,
  remoteProfileArgs,
  remoteTargets,
} from './remoteArgs';
import { RunResult, runProfiler } from './run';
import { parseSpeedscope } from './speedscope';

type Target = RemoteTarget<vscode.WorkspaceFolder>;

/** After Cancel (SIGINT), how long the CLI has to write the profile before it is killed. */
const INTERRUPT_GRACE_MS = 20_000;

/**
 * `requested`: an attach configuration's name or a ws:// URL (for keybindings
 * and tests); `seconds`: the duration, skipping its input box.
 */
export async function profileRemote(
  extensionUri: vscode.Uri,
  log: Log,
  secrets: vscode.SecretStorage,
  requested?: unknown,
  seconds?: unknown,
): Promise<void> {
  const chosen = await chooseTarget(requested);
  if (!chosen) {
    return;
  }
  // VS Code substitutes variables only for debug sessions; the configuration is read from launch.json here.
  const { folder, ...fields } = chosen;
  let target: Target;
  try {
    target = {
      folder,
      ...substituteVariables(fields, {
        workspaceFolder: folder?.uri.fsPath,
        file: vscode.window.activeTextEditor?.document.uri.fsPath,
        env: process.env,
      }),
    };
  } catch (error) {
    vscode.window.showErrorMessage(`The wasmscope configuration "${chosen.name}": ${(error as Error).message}.`);
    return;
  }
  const problem = connectProblem(target.connect);
  if (problem) {
    vscode.window.showErrorMessage(target.name ? `The wasmscope configuration "${target.name}": ${problem}` : problem);
    return;
  }
  const connect = target.connect.trim();
  // A wrong `caFile` (not a file, or with a ws:// agent) is refused before the duration is asked for.
  const baseDir = target.folder?.uri.fsPath ?? vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
  const ca = agentCaFile(connect, target.caFile, { baseDir });
  if (!ca.ok) {
    const message = target.name ? `The wasmscope configuration "${target.name}": ${ca.message}` : ca.message;
    log.error(message);
    vscode.window.showErrorMessage(message);
    return;
  }

  const duration = typeof seconds === 'number' || typeof seconds === 'string' ? String(seconds) : await askDuration(connect);
  if (duration === undefined) {
    return;
  }
  const durationError = durationProblem(duration);
  if (durationError) {
    vscode.window.showErrorMessage(`wasmscope: ${durationError}`);
    return;
  }

  const token = await agentToken(connect, target.tokenFile, (key) => secrets.get(key), { baseDir });
  if (!token.ok) {
    log.error(token.message);
    showAttachError(token.message, token.connect);
    return;
  }
  const located = await locateForCommand(target.folder, log);
  if (!located) {
    return;
  }

  // The same file "Profile Wasm program" writes and reads: speedscope JSON.
  const output = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'wasmscope-profile-')), 'profile.json');
  const secs = Number(duration.trim());
  const args = remoteProfileArgs({ connect, duration: secs, output, tokenArgs: token.args, caArgs: ca.args });
  let result: RunResult;
  try {
    result = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `Profiling ${connect} for ${secs} s`, cancellable: true },
      (progress, cancel) => {
        const abort = new AbortController();
        cancel.onCancellationRequested(() => {
          progress.report({ message: 'stopping, writing what came so far…' });
          abort.abort();
        });
        // A tick a second: the bar fills over the duration, the message says the time left.
        const started = Date.now();
        let done = 0;
        const ticker = setInterval(() => {
          if (abort.signal.aborted) {
            return;
          }
          const elapsed = (Date.now() - started) / 1000;
          const percent = Math.min(100, (100 * elapsed) / secs);
          const left = Math.ceil(secs - elapsed);
          progress.report({ increment: percent - done, message: left > 0 ? `${left} s left` : 'writing the profile…' });
          done = percent;
        }, 1000);
        return runProfiler(located.path, args, {
          cwd: baseDir,
          env: token.env ?? process.env,
          signal: abort.signal,
          interrupt: { signal: 'SIGINT', graceMs: INTERRUPT_GRACE_MS },
        }).finally(() => clearInterval(ticker));
      },
    );
  } catch (error) {
    const message = `Cannot run ${located.path}: ${(error as Error).message}`;
    log.error(message);
    vscode.window.showErrorMessage(message);
    return;
  }

  const written = result.code === 0 && fs.existsSync(output) && fs.statSync(output).size > 0;
  if (!written) {
    const how = result.signal ?? `exit ${result.code}`;
    if (result.cancelled) {
      log.line(`wasmscope ${args.join(' ')} cancelled (${how}):\n${result.stderr}`);
      vscode.window.showInformationMessage(`wasmscope: profiling ${connect} cancelled before any samples came.`);
      return;
    }
    log.error(`wasmscope ${args.join(' ')} failed (${how}):\n${result.stderr}`);
    const message = profileError(result.stderr);
    const buttons = isTokenRefusal(message) && !target.tokenFile ? ['Set Token…', 'Show Log'] : ['Show Log'];
    vscode.window.showErrorMessage(`Profiling ${connect} failed: ${message}`, ...buttons).then((pick) => {
      if (pick === 'Set Token…') {
        vscode.commands.executeCommand(SET_TOKEN_COMMAND, connect);
      } else if (pick) {
        log.show();
      }
    });
    return;
  }
  const summary = parseRemoteSummary(result.stderr);
  if (summary?.samples === 0) {
    vscode.window.showWarningMessage(
      `wasmscope: no samples from ${connect}: the server ran no requests while it was profiled. Profile it while it is under load.`,
    );
    return;
  }
  let profile;
  try {
    profile = parseSpeedscope(JSON.parse(fs.readFileSync(output, 'utf8')));
  } catch (error) {
    vscode.window.showErrorMessage(`Cannot read the profile ${output}: ${(error as Error).message}`);
    return;
  }
  profile.title = target.name ?? connect;
  if (summary?.cutShort && !result.cancelled) {
    vscode.window.showWarningMessage(`wasmscope: the profile of ${connect} was cut short (${summary.cutShort}); it holds what came before.`);
  }
  showFlamegraph(extensionUri, {
    layout: layoutFlamegraph(profile),
    subtitle: summary?.text,
    source: { sourceMap: target.sourceMap, baseDir },
  });
}

async function chooseTarget(requested: unknown): Promise<Target | undefined> {
  const choice = chooseRemote(remoteTargets(attachConfigs()), requested);
  switch (choice.kind) {
    case 'target':
      return choice.target;
    case 'error':
      vscode.window.showErrorMessage(choice.message);
      return undefined;
    case 'pick': {
      const picked = await vscode.window.showQuickPick(
        choice.targets.map((t) => ({
          label: t.name ?? t.connect,
          description: t.connect,
          // The folder only when there are several.
          detail: (vscode.workspace.workspaceFolders?.length ?? 0) > 1 ? t.folder?.name : undefined,
          value: t,
        })),
        { title: 'wasmscope: profile the server of which attach configuration?' },
      );
      return picked?.value;
    }
    case 'ask': {
      const url = await vscode.window.showInputBox({
        title: 'wasmscope: profile a remote server',
        prompt: "No attach configuration has a `connect`: the agent's address (`wasmscope serve --debug-addr`), as a ws:// or wss:// URL",
        value: DEFAULT_CONNECT,
        ignoreFocusOut: true,
        validateInput: connectProblem,
      });
      return url === undefined ? undefined : { connect: url.trim() };
    }
  }
}

function askDuration(connect: string): Thenable<string | undefined> {
  return vscode.window.showInputBox({
    title: `wasmscope: profile ${connect} for how long?`,
    prompt: 'Seconds of sampling (Cancel on the progress notification stops early and keeps what came)',
    value: String(DEFAULT_REMOTE_SECONDS),
    ignoreFocusOut: true,
    validateInput: durationProblem,
  });
}

/** The attach configurations of every folder's launch.json. */
function attachConfigs(): { folder: vscode.WorkspaceFolder; config: unknown }[] {
  const out: { folder: vscode.WorkspaceFolder; config: unknown }[] = [];
  for (const folder of vscode.workspace.workspaceFolders ?? []) {
    for (const config of vscode.workspace.getConfiguration('launch', folder).get<unknown[]>('configurations') ?? []) {
      out.push({ folder, config });
    }
  }
  return out;
}
