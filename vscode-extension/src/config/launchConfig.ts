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

/** A launch configuration that runs a program (not a coredump): what the profiler can run too. */
export type ProgramLaunchConfig = WasmscopeLaunchConfig & { program: string };

export function runsProgram(config: unknown): config is ProgramLaunchConfig {
  return isWasmscopeLaunch(config) && typeof config.program === 'string' && config.program !== '' && !isCoreDumpLaunch(config);
}

/**
 * What is wrong with a launch configuration before it goes to the adapter, or
 * undefined: it needs a `program` to run or a `coreDump` to open (the schema
 * cannot say "one of the two", so the extension does, naming both).
 */
export function checkLaunchConfig(config: { name?: unknown; program?: unknown; coreDump?: unknown }): string | undefined {
  const name = typeof config.name === 'string' && config.name !== '' ? `"${config.name}" ` : '';
  for (const key of ['program', 'coreDump'] as const) {
    const value = config[key];
    if (value !== undefined && typeof value !== 'string') {
      return `The wasmscope configuration ${name}has a \`${key}\` that is not a string (a path).`;
    }
  }
  if (!config.program && !config.coreDump) {
    return `The wasmscope configuration ${name}needs a \`program\` (the .wasm to debug) or a \`coreDump\` (a Wasm coredump to open post-mortem).`;
  }
  return undefined;
}
