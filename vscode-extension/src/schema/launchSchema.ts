// The launch attributes in package.json are generated from the adapter's own
// definition (`wasmscope dap --launch-schema`), so the two cannot drift. The
// attach attributes (`connect`, `tokenFile`, `caFile`, `sourceMap`) are
// hand-written in package.json and left alone here; test/unit/schema.test.ts checks them.
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

export interface LaunchSchema {
  required?: string[];
  properties: Record<string, unknown>;
}

/** The schema as VS Code wants it under `configurationAttributes.launch`. */
export function toLaunchAttributes(schema: unknown): LaunchSchema {
  if (typeof schema !== 'object' || schema === null || typeof (schema as LaunchSchema).properties !== 'object') {
    throw new Error('`wasmscope dap --launch-schema` did not print an object with `properties`');
  }
  const { required, properties } = schema as LaunchSchema;
  return required ? { required, properties } : { properties };
}

/** Runs the adapter and returns its launch schema, converted. */
export function readLaunchSchema(binary: string): LaunchSchema {
  const out = execFileSync(binary, ['dap', '--launch-schema'], { encoding: 'utf8', timeout: 30_000 });
  return toLaunchAttributes(JSON.parse(out));
}

/** package.json text with the launch attributes replaced (attach kept); the rest byte-identical to `JSON.stringify(_, null, 2)`. */
export function withLaunchAttributes(packageJson: string, launch: LaunchSchema): string {
  const manifest = JSON.parse(packageJson);
  const debuggers = manifest?.contributes?.debuggers;
  if (!Array.isArray(debuggers) || debuggers[0]?.type !== 'wasmscope') {
    throw new Error('package.json has no `contributes.debuggers[0]` of type wasmscope');
  }
  debuggers[0].configurationAttributes = { ...debuggers[0].configurationAttributes, launch };
  return JSON.stringify(manifest, null, 2) + '\n';
}

/**
 * The wasmscope binary the build uses: $WASMSCOPE_BIN, else the repository's
 * debug build (the extension lives in <repo>/vscode-extension), else PATH.
 */
export function binaryForBuild(extensionRoot: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (env.WASMSCOPE_BIN) {
    return env.WASMSCOPE_BIN;
  }
  const repoBuild = path.resolve(extensionRoot, '..', 'target', 'debug', 'wasmscope');
  if (fs.existsSync(repoBuild)) {
    return repoBuild;
  }
  for (const dir of (env.PATH ?? '').split(path.delimiter)) {
    const file = dir && path.join(dir, 'wasmscope');
    if (file && fs.existsSync(file)) {
      return file;
    }
  }
  return undefined;
}
