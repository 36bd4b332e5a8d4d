// Which wasmscope binaries the extension can drive. Kept free of `vscode`
// so the unit tests run in plain Node.

/** The first release whose `wasmscope dap` speaks the protocol this extension expects. */
export const MIN_VERSION = '0.1.0';

export type Version = [number, number, number];

/** Reads `wasmscope 1.2.3` (the output of `wasmscope --version`); undefined when it is not that. */
export function parseVersionOutput(output: string): Version | undefined {
  const m = /^wasmscope (\d+)\.(\d+)\.(\d+)/m.exec(output.trim());
  return m ? [Number(m[1]), Number(m[2]), Number(m[3])] : undefined;
}

export function parseVersion(text: string): Version {
  const m = /^(\d+)\.(\d+)\.(\d+)/.exec(text);
  if (!m) {
    throw new Error(`not a version: ${text}`);
  }
  return [Number(m[1]), Number(m[2]), Number(m[3])];
}

export function compareVersions(a: Version, b: Version): number {
  for (let i = 0; i < 3; i++) {
    if (a[i] !== b[i]) {
      return a[i] - b[i];
    }
  }
  return 0;
}

export function formatVersion(v: Version): string {
  return v.join('.');
}
