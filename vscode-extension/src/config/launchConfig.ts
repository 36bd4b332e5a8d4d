// The launch configuration as this extension reads it (the adapter validates
// the full set; see `wasmscope dap --launch-schema`).

export interface WasmscopeLaunchConfig {
  type: 'wasmscope';
  request: 'launch';
  name: string;
  /** Optional with `coreDump` (the adapter then opens the program the dump names). */
  program?: string;
  args?: string[];
  cwd?: string;
  env?: Record<string, string>;
  dirs?: string[];
  stdin?: string;
  sourceMap?: Record<string, string>;
  stopOnEntry?: boolean;
  debugFiles?: string[];
  /** Post-mortem: open this Wasm coredump instead of running the program. */
  coreDump?: string;
  /** Write a coredump here when the program traps. */
  coreDumpOnTrap?: string;
  /** What runs the program: wasmtime (default), Node or chromium (on `url`). */
  target?: 'wasmtime' | 'node' | 'chrome';
  /** With target chrome: the page that loads the program. */
  url?: string;
  /** With target node: the script that loads the program. */
  script?: string;
  /** With target chrome: show the browser's window. */
  headed?: boolean;
}

export function isWasmscopeLaunch(config: unknown): config is WasmscopeLaunchConfig {
  const c = config as Partial<WasmscopeLaunchConfig> | undefined;
  return !!c && c.type === 'wasmscope' && c.request === 'launch';
}

/** Whether a launch configuration opens a coredump (post-mortem) rather than running its program. */
export function isCoreDumpLaunch(config: object): boolean {
  const coreDump = (config as { coreDump?: unknown }).coreDump;
  return typeof coreDump === 'string' && coreDump !== '';
}

/** Whether a launch configuration runs its program in V8 (`"target": "node"` or `"chrome"`) rather than in wasmtime. */
export function runsInV8(config: object): boolean {
  const target = (config as { target?: unknown }).target;
  return target === 'node' || target === 'chrome';
}

/** A launch configuration that runs a program in wasmtime (not a coredump, not in Node or Chromium): what the profiler can run too. */
export type ProgramLaunchConfig = WasmscopeLaunchConfig & { program: string };

export function runsProgram(config: unknown): config is ProgramLaunchConfig {
  return (
    isWasmscopeLaunch(config) && typeof config.program === 'string' && config.program !== '' && !isCoreDumpLaunch(config) && !runsInV8(config)
  );
}

/**
 * What is wrong with a launch configuration before it goes to the adapter, or
 * undefined: it needs a `program` to run or a `coreDump` to open (the schema
 * cannot say "one of the two", so the extension does, naming both), except
 * with `"target": "chrome"` or a Node `script`, where the adapter takes the
 * first module with DWARF that the page or script loads.
 */
export function checkLaunchConfig(config: {
  name?: unknown;
  program?: unknown;
  coreDump?: unknown;
  target?: unknown;
  url?: unknown;
  script?: unknown;
}): string | undefined {
  const name = typeof config.name === 'string' && config.name !== '' ? `"${config.name}" ` : '';
  for (const key of ['program', 'coreDump'] as const) {
    const value = config[key];
    if (value !== undefined && typeof value !== 'string') {
      return `The wasmscope configuration ${name}has a \`${key}\` that is not a string (a path).`;
    }
  }
  const loadsItsOwn = config.target === 'chrome' || (config.target === 'node' && typeof config.script === 'string' && config.script !== '');
  if (!config.program && !config.coreDump && !loadsItsOwn) {
    return `The wasmscope configuration ${name}needs a \`program\` (the .wasm to debug) or a \`coreDump\` (a Wasm coredump to open post-mortem).`;
  }
  return undefined;
}
