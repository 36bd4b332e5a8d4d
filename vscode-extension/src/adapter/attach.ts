// How the extension attaches. To a debugging agent (`wasmscope serve
// --debug-addr`, a configuration with `connect`): it runs `wasmscope dap
// --connect URL`, which speaks DAP on stdio and forwards it to the agent's
// WebSocket, with the agent's token from the configuration's `tokenFile` or,
// through WASMSCOPE_TOKEN, from VS Code's secret storage, and, for a wss://
// agent, the certificates of its `caFile` (`--ca-file`). To a running Node or
// Chromium (`target` and `port`): the plain stdio adapter, `wasmscope dap`, as
// for a launch, which gets the configuration in the attach request and
// attaches over the DevTools port. Node only (no `vscode`), so it is unit-tested.
import * as fs from 'fs';
import * as path from 'path';
import { attachKind, caFileProblem, checkAttachConfig } from '../config/attachConfig';

export const SET_TOKEN_COMMAND = 'wasmscope.setAgentToken';
export const SET_TOKEN_TITLE = 'wasmscope: Set the token of a debugging agent…';
/** Where `wasmscope dap --connect` reads the token when it has no `--token-file`. */
export const TOKEN_ENV = 'WASMSCOPE_TOKEN';

/** The secret-storage key of an agent's token: one per `connect` URL (surrounding spaces and trailing slashes aside). */
export function tokenKey(connect: string): string {
  return `wasmscope.token:${connect.trim().replace(/\/+$/, '')}`;
}

/** Why a token typed in by the user cannot be one, or undefined (empty is allowed: it forgets the stored token). */
export function tokenProblem(token: string): string | undefined {
  if (/\s/.test(token.trim())) {
    return 'A token has no spaces: paste the token `wasmscope serve` printed, or the contents of its --token-file.';
  }
  return undefined;
}

export type AttachAdapter =
  | { ok: true; args: string[]; env?: Record<string, string> }
  | { ok: false; message: string; /** set when storing a token would fix it */ connect?: string };

export interface AttachOptions {
  /** Against which a relative `tokenFile` or `caFile` resolves (the workspace folder). */
  baseDir?: string;
  /** The environment the adapter would inherit; WASMSCOPE_TOKEN goes over it. */
  env?: NodeJS.ProcessEnv;
  fileExists?: (file: string) => boolean;
}

export function noTokenMessage(connect: string): string {
  return (
    `No token for the debugging agent at ${connect}: run "${SET_TOKEN_TITLE}" (Command Palette) to store it, ` +
    'or give the configuration a `tokenFile` (the file given to `wasmscope serve --token-file`).'
  );
}

export type AgentToken =
  | { ok: true; /** `--token-file FILE`, or nothing when the token is in `env` */ args: string[]; env?: Record<string, string> }
  | { ok: false; message: string; /** set when storing a token would fix it */ connect?: string };

/**
 * How a wasmscope command that talks to the agent at `connect` (`dap
 * --connect`, `profile --connect`) gets its token: `--token-file FILE` for
 * the configuration's `tokenFile`, else the stored token in WASMSCOPE_TOKEN
 * (never on the command line). `connect` is a checked URL.
 */
export async function agentToken(
  connect: string,
  tokenFile: unknown,
  readSecret: (key: string) => PromiseLike<string | undefined>,
  options: AttachOptions = {},
): Promise<AgentToken> {
  const file = typeof tokenFile === 'string' ? tokenFile.trim() : '';
  if (file !== '') {
    const resolved = options.baseDir ? path.resolve(options.baseDir, file) : file;
    if (!(options.fileExists ?? fs.existsSync)(resolved)) {
      return { ok: false, message: `The token file ${resolved} (\`tokenFile\`) does not exist; it holds the agent's token, as given to \`wasmscope serve --token-file\`.` };
    }
    return { ok: true, args: ['--token-file', resolved] };
  }
  let token: string | undefined;
  try {
    token = await readSecret(tokenKey(connect));
  } catch (error) {
    return { ok: false, message: `Cannot read the stored token of ${connect}: ${(error as Error).message}. Give the configuration a \`tokenFile\` instead.` };
  }
  if (!token) {
    return { ok: false, message: noTokenMessage(connect), connect };
  }
  return { ok: true, args: [], env: { ...definedEnv(options.env ?? process.env), [TOKEN_ENV]: token } };
}

export type AgentCaFile = { ok: true; /** `--ca-file FILE`, or nothing */ args: string[] } | { ok: false; message: string };

/**
 * The certificates a wasmscope command that talks to the agent at `connect`
 * (a checked URL) trusts: `--ca-file FILE` for the configuration's `caFile`
 * (relative to `options.baseDir`), or nothing (the web's roots). Refused when
 * `caFile` is not a path, the agent is not wss://, or the file does not exist.
 */
export function agentCaFile(connect: string, caFile: unknown, options: AttachOptions = {}): AgentCaFile {
  const problem = caFileProblem(connect, caFile);
  if (problem) {
    return { ok: false, message: problem };
  }
  const file = typeof caFile === 'string' ? caFile.trim() : '';
  if (file === '') {
    return { ok: true, args: [] };
  }
  const resolved = options.baseDir ? path.resolve(options.baseDir, file) : file;
  if (!(options.fileExists ?? fs.existsSync)(resolved)) {
    return {
      ok: false,
      message:
        `The certificate file ${resolved} (\`caFile\`) does not exist; it holds the certificates (PEM) to trust for the agent at ${connect}, ` +
        'e.g. the self-signed certificate given to `wasmscope serve --tls-cert`.',
    };
  }
  return { ok: true, args: ['--ca-file', resolved] };
}

/**
 * The arguments (after the binary) and environment of the adapter for an
 * attach configuration, or why there is none: `dap --connect URL` (with the
 * agent's token) for a debugging agent, plain `dap` for Node or Chromium.
 */
export async function attachAdapter(
  config: Parameters<typeof checkAttachConfig>[0],
  readSecret: (key: string) => PromiseLike<string | undefined>,
  options: AttachOptions = {},
): Promise<AttachAdapter> {
  const problem = checkAttachConfig(config);
  if (problem) {
    return { ok: false, message: problem };
  }
  if (attachKind(config) === 'devtools') {
    // The adapter attaches by itself (the configuration comes in the attach request): no token, no bridge.
    return { ok: true, args: ['dap'] };
  }
  const connect = (config.connect as string).trim();
  // The certificates first: a missing file is the configuration's fault, whatever the token.
  const ca = agentCaFile(connect, config.caFile, options);
  if (!ca.ok) {
    return ca;
  }
  const token = await agentToken(connect, config.tokenFile, readSecret, options);
  if (!token.ok) {
    return token;
  }
  const args = ['dap', '--connect', connect, ...token.args, ...ca.args];
  return token.env ? { ok: true, args, env: token.env } : { ok: true, args };
}

function definedEnv(env: NodeJS.ProcessEnv): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(env)) {
    if (value !== undefined) {
      out[name] = value;
    }
  }
  return out;
}
