// The attach configuration, one of two kinds:
// - a debugging agent (`wasmscope serve --debug-addr`) to connect to: the
//   adapter reads only `sourceMap`; `connect`, `tokenFile` and `caFile` are
//   for this extension, which starts `wasmscope dap --connect` with them;
// - a running Node (`--inspect`) or Chromium (`--remote-debugging-port`):
//   `target` and `port` (with `program`, `url`, `cwd`, `sourceMap`,
//   `debugFiles`) go to the plain stdio adapter (`wasmscope dap`, as for a
//   launch), which attaches over the DevTools port.
// Node only (no `vscode`), so it is unit-tested.

export const DEFAULT_CONNECT = 'ws://127.0.0.1:9229';
/** The targets an attach configuration can name, with its `port`. */
export const ATTACH_TARGETS = ['node', 'chrome'] as const;
/** What the adapter takes in an attach to Node or Chromium (besides VS Code's own `type`, `request`, `name`...). */
export const DEVTOOLS_ATTACH_ATTRIBUTES = ['target', 'port', 'program', 'url', 'cwd', 'sourceMap', 'debugFiles'] as const;
/** What only an attach to a debugging agent takes. */
const AGENT_ATTRIBUTES = ['connect', 'tokenFile', 'caFile'] as const;

export interface WasmscopeAttachConfig {
  type: 'wasmscope';
  request: 'attach';
  name: string;
  /** The agent, as a WebSocket URL: ws://HOST:PORT. */
  connect?: string;
  /** A file holding the agent's token; else the token in VS Code's secret storage. */
  tokenFile?: string;
  /** The certificates (PEM) to trust for a wss:// agent instead of the web's roots; passed on as --ca-file. */
  caFile?: string;
  /** Instead of `connect`: the running Node or Chromium to attach to, on its DevTools `port`. */
  target?: 'node' | 'chrome';
  port?: number;
  /** The module to debug (default: the first with DWARF the script or page loads). */
  program?: string;
  /** With "chrome": the start of the address of the page to debug. */
  url?: string;
  cwd?: string;
  debugFiles?: string[];
  sourceMap?: Record<string, string>;
}

/**
 * How an attach configuration is debugged: through a debugging agent
 * (`connect`), on the DevTools port of a running Node or Chromium (`target`,
 * `port`), or, with neither, not at all (checkAttachConfig says why).
 */
export function attachKind(config: { connect?: unknown; target?: unknown; port?: unknown; [key: string]: unknown }): 'agent' | 'devtools' | undefined {
  if (present(config.connect)) {
    return 'agent';
  }
  if (present(config.target) || present(config.port)) {
    return 'devtools';
  }
  return undefined;
}

function present(value: unknown): boolean {
  return value !== undefined && value !== null && !(typeof value === 'string' && value.trim() === '');
}

export function isWasmscopeAttach(config: unknown): config is WasmscopeAttachConfig {
  const c = config as Partial<WasmscopeAttachConfig> | undefined;
  return !!c && c.type === 'wasmscope' && c.request === 'attach';
}

/** Why `url` is not an agent address, or undefined when it is one. */
export function connectProblem(url: string): string | undefined {
  const trimmed = url.trim();
  if (trimmed === '') {
    return `Give the agent's address, e.g. ${DEFAULT_CONNECT}.`;
  }
  if (!/^wss?:\/\/[^\s/]/.test(trimmed)) {
    return `The agent's address is a ws:// or wss:// URL (e.g. ${DEFAULT_CONNECT}), not ${JSON.stringify(trimmed)}.`;
  }
  return undefined;
}

/**
 * Why `caFile` cannot go with the agent at `connect` (a checked URL), or
 * undefined: it must be a path, and only a wss:// agent has certificates to
 * check. An empty or absent `caFile` is none. The file itself is looked for
 * later (agentCaFile), once relative paths can be resolved.
 */
export function caFileProblem(connect: string, caFile: unknown): string | undefined {
  if (caFile === undefined || caFile === null || (typeof caFile === 'string' && caFile.trim() === '')) {
    return undefined;
  }
  if (typeof caFile !== 'string') {
    return '`caFile` must be the path of a file of certificates (PEM) to trust for a wss:// agent.';
  }
  if (!connect.trim().startsWith('wss://')) {
    return `\`caFile\` only applies to a wss:// agent (TLS), and \`connect\` is ${JSON.stringify(connect.trim())}: use a wss:// URL, or drop \`caFile\`.`;
  }
  return undefined;
}

type AttachFields = {
  name?: unknown;
  connect?: unknown;
  tokenFile?: unknown;
  caFile?: unknown;
  target?: unknown;
  port?: unknown;
  url?: unknown;
  program?: unknown;
  cwd?: unknown;
  debugFiles?: unknown;
};

/** What is wrong with an attach configuration (after variable substitution), or undefined. */
export function checkAttachConfig(config: AttachFields): string | undefined {
  const which = typeof config.name === 'string' && config.name !== '' ? `The wasmscope configuration "${config.name}"` : 'The wasmscope attach configuration';
  const kind = attachKind(config);
  if (kind === undefined) {
    return (
      `${which} needs \`connect\`: the address of the debugging agent, as given to \`wasmscope serve --debug-addr\` (e.g. "${DEFAULT_CONNECT}"); ` +
      'or `target` and `port` to attach to a running Node (`"target": "node"`, the port of its --inspect) or Chromium (`"target": "chrome"`, its --remote-debugging-port).'
    );
  }
  if (kind === 'devtools') {
    return checkDevtoolsAttach(which, config);
  }
  const connect = config.connect;
  if (typeof connect !== 'string') {
    return `${which}: \`connect\` must be a string such as "${DEFAULT_CONNECT}".`;
  }
  if (connectProblem(connect)) {
    return `${which}: \`connect\` must be a ws:// or wss:// URL such as "${DEFAULT_CONNECT}", not ${JSON.stringify(connect.trim())}.`;
  }
  const devtools = (['target', 'port', 'url'] as const).filter((k) => present(config[k]));
  if (devtools.length > 0) {
    return (
      `${which} has both \`connect\` (a wasmscope debugging agent) and ${devtools.map((k) => `\`${k}\``).join(', ')} (a running Node or Chromium): ` +
      'keep one of the two.'
    );
  }
  if (config.tokenFile !== undefined && typeof config.tokenFile !== 'string') {
    return `${which}: \`tokenFile\` must be the path of a file holding the agent's token.`;
  }
  const caProblem = caFileProblem(connect, config.caFile);
  if (caProblem) {
    return `${which}: ${caProblem}`;
  }
  return undefined;
}

/** The checks of an attach to Node or Chromium by its DevTools port. */
function checkDevtoolsAttach(which: string, config: AttachFields): string | undefined {
  const target = config.target;
  if (!present(target)) {
    return (
      `${which} has a \`port\` but no \`target\`: "node" (the port of \`node --inspect\`) or "chrome" (Chromium's --remote-debugging-port); ` +
      `or, to attach to a wasmscope debugging agent, \`connect\` (e.g. "${DEFAULT_CONNECT}").`
    );
  }
  if (typeof target !== 'string' || !(ATTACH_TARGETS as readonly string[]).includes(target)) {
    return `${which}: \`target\` must be "node" or "chrome" to attach (not ${JSON.stringify(target)}); a program is run in wasmtime by a launch configuration.`;
  }
  if (!present(config.port)) {
    const how = target === 'node' ? 'the port of `node --inspect` (9229 by default)' : "Chromium's --remote-debugging-port";
    return `${which} needs \`port\`: the DevTools port of the running ${target === 'node' ? 'Node' : 'Chromium'}, ${how}.`;
  }
  if (portNumber(config.port) === undefined) {
    return `${which}: \`port\` must be a port number from 1 to 65535, not ${JSON.stringify(config.port)}.`;
  }
  const agentOnly = AGENT_ATTRIBUTES.filter((k) => present(config[k]));
  if (agentOnly.length > 0) {
    return `${which}: ${agentOnly.map((k) => `\`${k}\``).join(' and ')} only go with \`connect\` (a wasmscope debugging agent), not with \`target\` and \`port\`.`;
  }
  if (config.url !== undefined) {
    if (target !== 'chrome') {
      return `${which}: \`url\` goes with "target": "chrome" (it picks the page), not "${target}".`;
    }
    if (typeof config.url !== 'string') {
      return `${which}: \`url\` must be a string: the start of the address of the page to debug.`;
    }
  }
  for (const key of ['program', 'cwd'] as const) {
    if (config[key] !== undefined && typeof config[key] !== 'string') {
      return `${which}: \`${key}\` must be a path.`;
    }
  }
  if (config.debugFiles !== undefined && !(Array.isArray(config.debugFiles) && config.debugFiles.every((f) => typeof f === 'string'))) {
    return `${which}: \`debugFiles\` must be a list of paths.`;
  }
  return undefined;
}

/** `port` as a number (a number, or a string of digits as variables give), when it is a port; else undefined. */
export function portNumber(port: unknown): number | undefined {
  const n = typeof port === 'number' ? port : typeof port === 'string' && /^\s*\d+\s*$/.test(port) ? Number(port) : NaN;
  return Number.isInteger(n) && n >= 1 && n <= 65535 ? n : undefined;
}
