// Runs `wasmscope lsp` (code lenses, inlay hints, hovers and stale-build hints
// on C, C++ and Rust files; the heat the editor paints) with
// vscode-languageclient: the same binary as `wasmscope dap`, started with the
// options of the `wasmscope.lsp.*` settings and launch.json, restarted when
// they change, stopped when `wasmscope.lsp.enable` is off. One server, for the
// first workspace folder (its root: where it looks for programs and for
// `.wasmscope/` profiles).
import * as vscode from 'vscode';
import { LanguageClient, LanguageClientOptions, RevealOutputChannelOn, ServerOptions, State } from 'vscode-languageclient/node';
import { locateWasmscope } from '../adapter/locate';
import { FolderConfigurations } from '../config/coreDump';
import { Log } from '../log';
import { HEAT_METHOD, HeatResponse, parseHeatResponse } from './heatLevels';
import { DEFAULT_HEAT_THRESHOLD, InitializationOptions, initializationOptions } from './options';

/** The languages the server answers for (the sources wasmscope reads DWARF of). */
export const LSP_LANGUAGES = ['c', 'cpp', 'rust'] as const;

export function isServedDocument(document: vscode.TextDocument): boolean {
  return document.uri.scheme === 'file' && (LSP_LANGUAGES as readonly string[]).includes(document.languageId);
}

export class LanguageServer implements vscode.Disposable {
  private client: LanguageClient | undefined;
  /** What the running client was started with: restart only when it changes. */
  private startedWith: string | undefined;
  private options: InitializationOptions | undefined;
  private queue: Promise<void> = Promise.resolve();
  private readonly changed = new vscode.EventEmitter<void>();
  /**
   * Fires when what the server would answer may have changed: it started or
   * stopped, or the editor asks again for lenses or hints (which it does
   * after the server reloaded its profile, and on edits).
   */
  readonly onDidChange = this.changed.event;

  constructor(private readonly log: Log) {}

  /** The heat threshold the server runs with (lines below it are not hot). */
  get heatThreshold(): number {
    return this.options?.heatThreshold ?? DEFAULT_HEAT_THRESHOLD;
  }

  /** Starts, restarts or stops the server to match the settings (one change at a time). */
  update(): Promise<void> {
    this.queue = this.queue.then(
      () => this.apply(),
      () => this.apply(),
    );
    return this.queue;
  }

  /** `wasmscope/heat` for a document; undefined when the server is not running or cannot say. */
  async heat(uri: vscode.Uri): Promise<HeatResponse | undefined> {
    const client = this.client;
    if (!client || client.state !== State.Running) {
      return undefined;
    }
    try {
      const answer = await client.sendRequest(HEAT_METHOD, { uri: client.code2ProtocolConverter.asUri(uri) });
      const heat = parseHeatResponse(answer);
      if (!heat) {
        this.log.error(`wasmscope lsp answered ${HEAT_METHOD} for ${uri.fsPath} with something else than heat: ${JSON.stringify(answer).slice(0, 200)}`);
      }
      return heat;
    } catch (error) {
      if (client.state === State.Running) {
        this.log.error(`${HEAT_METHOD} for ${uri.fsPath} failed: ${(error as Error).message}`);
      }
      return undefined;
    }
  }

  private async apply(): Promise<void> {
    const folders = vscode.workspace.workspaceFolders ?? [];
    const root = folders[0];
    const settings = vscode.workspace.getConfiguration('wasmscope', root);
    if (!settings.get<boolean>('lsp.enable', true)) {
      await this.stop();
      return;
    }
    const located = await locateWasmscope(settings.get<string>('path'));
    if (!located.ok) {
      this.log.error(`The language server (wasmscope lsp) is not running: ${located.message}`);
      await this.stop();
      return;
    }
    const launch: FolderConfigurations<vscode.WorkspaceFolder>[] = folders.map((folder) => ({
      folder,
      configurations: vscode.workspace.getConfiguration('launch', folder).get<unknown[]>('configurations') ?? [],
    }));
    const result = initializationOptions(
      {
        programs: settings.get('lsp.programs'),
        sourceMap: settings.get('lsp.sourceMap'),
        heatThreshold: settings.get('lsp.heatThreshold'),
      },
      { folders: launch, root, folderPath: (folder) => folder.uri.fsPath },
      process.env,
    );
    const key = JSON.stringify({ binary: located.path, root: root?.uri.toString(), options: result.options });
    if (this.client && key === this.startedWith) {
      return;
    }
    for (const problem of result.problems) {
      this.log.error(problem);
    }
    await this.stop();
    this.options = result.options;
    this.startedWith = key;
    this.client = this.createClient(located.path, root, result.options);
    try {
      await this.client.start();
    } catch (error) {
      this.log.error(`The language server (${located.path} lsp) did not start: ${(error as Error).message}`);
      await this.stop();
      return;
    }
    this.changed.fire();
  }

  private createClient(binary: string, root: vscode.WorkspaceFolder | undefined, options: InitializationOptions): LanguageClient {
    const serverOptions: ServerOptions = { command: binary, args: ['lsp'], options: { cwd: root?.uri.fsPath } };
    const fire = () => this.changed.fire();
    const clientOptions: LanguageClientOptions = {
      documentSelector: LSP_LANGUAGES.map((language) => ({ scheme: 'file', language })),
      workspaceFolder: root,
      initializationOptions: options,
      // A failure to start is said in a notification (vscode-languageclient's);
      // the channel has the server's log for whoever looks.
      revealOutputChannelOn: RevealOutputChannelOn.Never,
      middleware: {
        // The editor asks again for lenses and hints after the server's
        // workspace/codeLens/refresh (a new profile): the heat is new then too.
        provideCodeLenses: (document, token, next) => {
          fire();
          return next(document, token);
        },
        provideInlayHints: (document, range, token, next) => {
          fire();
          return next(document, range, token);
        },
      },
    };
    return new LanguageClient('wasmscope.lsp', 'wasmscope language server', serverOptions, clientOptions);
  }

  private async stop(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    this.startedWith = undefined;
    this.options = undefined;
    if (!client) {
      return;
    }
    try {
      // Stops it (shutdown, exit) if it runs, and lets go of its listeners.
      await client.dispose(5_000);
    } catch (error) {
      this.log.error(`Stopping the language server: ${(error as Error).message}`);
    }
    this.changed.fire();
  }

  dispose(): Promise<void> {
    this.changed.dispose();
    return this.queue.then(() => this.stop());
  }
}
