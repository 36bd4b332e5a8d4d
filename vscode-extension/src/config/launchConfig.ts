// The launch configuration as this extension reads it (the adapter validates
// the full set; see `wasmscope dap --launch-schema`).

export interface WasmscopeLaunchConfig {
  type: 'wasmscope';
  request: 'launch';
  name: string;
  program: string;
  args?: string[];
  cwd?: string;
  env?: Record<string, string>;
  dirs?: string[];
  stdin?: string;
  sourceMap?: Record<string, string>;
  stopOnEntry?: boolean;
  debugFiles?: string[];
}

export function isWasmscopeLaunch(config: unknown): config is WasmscopeLaunchConfig {
  const c = config as Partial<WasmscopeLaunchConfig> | undefined;
  return !!c && c.type === 'wasmscope' && c.request === 'launch';
}
