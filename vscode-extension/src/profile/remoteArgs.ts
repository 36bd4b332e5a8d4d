// "Profile remote server…": the pure parts. Which agent to profile (an
// attach configuration's `connect`, or a URL the user types), for how long,
// the `wasmscope profile --connect` command line, and what its stderr says.
// Node only (no `vscode`), so it is unit-tested.
import { connectProblem, isWasmscopeAttach } from '../config/attachConfig';

/** `wasmscope profile --connect` samples this long without --duration; the input box offers it. */
export const DEFAULT_REMOTE_SECONDS = 30;
/** The CLI refuses a --duration above a year. */
export const MAX_REMOTE_SECONDS = 365 * 24 * 3600;

/** An agent to profile: from an attach configuration, or typed in (no `name`, `tokenFile`, `caFile` or `sourceMap`). */
export interface RemoteTarget<Folder = unknown> {
  folder?: Folder;
  /** The attach configuration's name; undefined for a typed-in URL. */
  name?: string;
  connect: string;
  tokenFile?: string;
  /** The certificates (PEM) to trust for a wss:// agent, as written (relative to the folder). */
  caFile?: string;
  sourceMap?: Record<string, string>;
}

/** The attach configurations with a `connect` string, in launch.json order. */
export function remoteTargets<Folder>(configs: { folder?: Folder; config: unknown }[]): RemoteTarget<Folder>[] {
  const out: RemoteTarget<Folder>[] = [];
  for (const { folder, config } of configs) {
    if (!isWasmscopeAttach(config) || typeof config.connect !== 'string' || config.connect.trim() === '') {
      continue;
    }
    out.push({
      folder,
      name: typeof config.name === 'string' ? config.name : undefined,
      connect: config.connect,
      tokenFile: typeof config.tokenFile === 'string' ? config.tokenFile : undefined,
      caFile: typeof config.caFile === 'string' ? config.caFile : undefined,
      sourceMap: config.sourceMap && typeof config.sourceMap === 'object' ? config.sourceMap : undefined,
    });
  }
  return out;
}

export type RemoteChoice<Folder> =
  | { kind: 'target'; target: RemoteTarget<Folder> }
  | { kind: 'pick'; targets: RemoteTarget<Folder>[] }
  | { kind: 'ask' }
  | { kind: 'error'; message: string };

/**
 * What the command does with the workspace's attach configurations: one is
 * used as is, several are offered in a quick pick, none means asking for a URL.
 * `requested` (a command argument, for keybindings and tests) is a
 * configuration's name or a ws:// / wss:// URL.
 */
export function chooseRemote<Folder>(targets: RemoteTarget<Folder>[], requested?: unknown): RemoteChoice<Folder> {
  if (typeof requested === 'string' && requested.trim() !== '') {
    const named = targets.filter((t) => t.name === requested);
    if (named.length > 0) {
      return named.length === 1 ? { kind: 'target', target: named[0] } : { kind: 'pick', targets: named };
    }
    if (connectProblem(requested) === undefined) {
      return { kind: 'target', target: { connect: requested.trim() } };
    }
    return {
      kind: 'error',
      message: `No wasmscope attach configuration named "${requested}" (with a \`connect\`), and it is not a ws:// or wss:// URL.`,
    };
  }
  if (targets.length === 1) {
    return { kind: 'target', target: targets[0] };
  }
  return targets.length === 0 ? { kind: 'ask' } : { kind: 'pick', targets };
}

/** Why `text` is not a duration the CLI takes, or undefined. */
export function durationProblem(text: string): string | undefined {
  const trimmed = text.trim();
  const seconds = Number(trimmed);
  if (trimmed === '' || !/^(\d+\.?\d*|\.\d+)$/.test(trimmed) || !Number.isFinite(seconds)) {
    return `A number of seconds, e.g. ${DEFAULT_REMOTE_SECONDS}.`;
  }
  if (seconds <= 0) {
    return 'The duration must be above 0 seconds.';
  }
  if (seconds > MAX_REMOTE_SECONDS) {
    return `The duration must be at most ${MAX_REMOTE_SECONDS} seconds (a year).`;
  }
  return undefined;
}

export interface RemoteProfileRequest {
  connect: string;
  /** Seconds; checked with durationProblem. */
  duration: number;
  output: string;
  /** From agentToken: `--token-file FILE`, or nothing (the token is in WASMSCOPE_TOKEN). */
  tokenArgs: string[];
  /** From agentCaFile: `--ca-file FILE` (resolved), or nothing. */
  caArgs?: string[];
}

/**
 * The arguments after the binary. The token itself never appears here: only a
 * token file's path. `--ca-file` is refused for a ws:// agent (it has no TLS).
 */
export function remoteProfileArgs(request: RemoteProfileRequest): string[] {
  const problem = connectProblem(request.connect);
  if (problem) {
    throw new Error(problem);
  }
  const caArgs = request.caArgs ?? [];
  if (caArgs.length > 0 && !request.connect.trim().startsWith('wss://')) {
    throw new Error(`--ca-file only applies to a wss:// agent, not ${request.connect.trim()}`);
  }
  const duration = String(request.duration);
  const durationError = durationProblem(duration);
  if (durationError) {
    throw new Error(durationError);
  }
  return [
    'profile',
    '--connect',
    request.connect.trim(),
    '--duration',
    duration,
    '--format',
    'speedscope',
    '-o',
    request.output,
    ...request.tokenArgs,
    ...caArgs,
  ];
}

export interface RouteShare {
  /** As the flamegraph's root frames name it, e.g. "GET /work/:id". */
  route: string;
  /** Percent of the samples. */
  percent: number;
  requests: number;
  /** Seconds of wall time spent in the route's requests. */
  wallSeconds: number;
}

export interface RemoteSummary {
  /** The summary line without "wasmscope: ", shown above the flamegraph. */
  text: string;
  samples: number;
  routes: RouteShare[];
  /** Why the profile ended early (Cancel: "interrupted"), when it did. */
  cutShort?: string;
  /** The file written. */
  output?: string;
}

const SUMMARY = /^wasmscope: (\d+) samples? at .*$/;
const ROUTE = /^(.+) (\d+(?:\.\d+)?)% of samples, (\d+) requests?, (\d+(?:\.\d+)?) s wall$/;

/**
 * The last line `wasmscope profile --connect` prints: "wasmscope: N samples
 * at …; routes: GET /work/:id 99.7% of samples, 249 requests, 1.26 s wall; …
 * (2 threads sampled); wrote OUT". Undefined when there is none.
 */
export function parseRemoteSummary(stderr: string): RemoteSummary | undefined {
  const lines = stderr.split(/\r?\n/).filter((l) => SUMMARY.test(l));
  if (lines.length === 0) {
    return undefined;
  }
  const line = lines[lines.length - 1].trimEnd();
  const text = line.slice('wasmscope: '.length);
  const samples = Number(SUMMARY.exec(line)![1]);
  let rest = text;
  let output: string | undefined;
  const wrote = /; wrote (.+)$/.exec(rest);
  if (wrote) {
    output = wrote[1];
    rest = rest.slice(0, wrote.index);
  }
  let cutShort: string | undefined;
  const how = / \((\d+ threads? sampled.*|cut short: .*|ended)\)$/.exec(rest);
  if (how) {
    cutShort = /^cut short: (.*?)(?:; the profile holds what came before)?$/.exec(how[1])?.[1];
    rest = rest.slice(0, how.index);
  }
  const routes: RouteShare[] = [];
  const at = rest.indexOf('; routes: ');
  if (at >= 0) {
    // "ROUTE P% of samples, N requests, W s wall" joined by "; ", maybe "; N more routes" last.
    for (const part of rest.slice(at + '; routes: '.length).split('; ')) {
      const m = ROUTE.exec(part.trim());
      if (m) {
        routes.push({ route: m[1], percent: Number(m[2]), requests: Number(m[3]), wallSeconds: Number(m[4]) });
      }
    }
  }
  return { text, samples, routes, cutShort, output };
}

/** What went wrong, from a failed run's stderr: its error line without the "wasmscope: error: " prefix. */
export function profileError(stderr: string): string {
  const lines = stderr
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== '');
  for (let i = lines.length - 1; i >= 0; i--) {
    const m = /^(?:wasmscope: )?error: (.*)$/.exec(lines[i]);
    if (m) {
      return m[1];
    }
  }
  return lines.length > 0 ? lines[lines.length - 1] : 'no message';
}

/** Whether the agent refused the token, so that storing another one is the fix. */
export function isTokenRefusal(message: string): boolean {
  return /\b401\b|refused the token/i.test(message);
}
