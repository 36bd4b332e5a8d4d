// The attach configuration: a debugging agent (`wasmscope serve
// --debug-addr`) to connect to. The adapter reads only `sourceMap`; `connect`
// and `tokenFile` are for this extension, which starts `wasmscope dap
// --connect` with them. Node only (no `vscode`), so it is unit-tested.

export const DEFAULT_CONNECT = 'ws://127.0.0.1:9229';

export interface WasmscopeAttachConfig {
  type: 'wasmscope';
  request: 'attach';
  name: string;
  /** The agent, as a WebSocket URL: ws://HOST:PORT. */
  connect: string;
  /** A file holding the agent's token; else the token in VS Code's secret storage. */
  tokenFile?: string;
  /** The certificates (PEM) to trust for a wss:// agent instead of the web's roots; passed on as --ca-file. */
  caFile?: string;
  sourceMap?: Record<string, string>;
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

/** What is wrong with an attach configuration (after variable substitution), or undefined. */
export function checkAttachConfig(config: { name?: unknown; connect?: unknown; tokenFile?: unknown; caFile?: unknown }): string | undefined {
  const which = typeof config.name === 'string' && config.name !== '' ? `The wasmscope configuration "${config.name}"` : 'The wasmscope attach configuration';
  const connect = config.connect;
  if (connect === undefined || connect === null || (typeof connect === 'string' && connect.trim() === '')) {
    return `${which} needs \`connect\`: the address of the debugging agent, as given to \`wasmscope serve --debug-addr\` (e.g. "${DEFAULT_CONNECT}").`;
  }
  if (typeof connect !== 'string') {
    return `${which}: \`connect\` must be a string such as "${DEFAULT_CONNECT}".`;
  }
  if (connectProblem(connect)) {
    return `${which}: \`connect\` must be a ws:// or wss:// URL such as "${DEFAULT_CONNECT}", not ${JSON.stringify(connect.trim())}.`;
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
