// Finding the wasmscope binary and checking that it is new enough. Node only
// (no `vscode`), so it is unit-tested; the messages are what the user sees.
import { execFile } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { MIN_VERSION, compareVersions, formatVersion, parseVersion, parseVersionOutput } from './version';

export const INSTALL_HINT =
  'Install wasmscope (from its repository: `cargo install --path cli`) so that `wasmscope` is on PATH, ' +
  'or set the `wasmscope.path` setting to the binary.';

export type Located = { ok: true; path: string; version: string } | { ok: false; message: string };

/** Where `wasmscope` would be run from: the setting when set, else the first match on PATH. */
export function findExecutable(
  setting: string | undefined,
  envPath: string | undefined,
  isExecutable: (file: string) => boolean = isExecutableFile,
  platform: NodeJS.Platform = process.platform,
): { path?: string; tried: string } {
  if (setting && setting.trim() !== '') {
    const file = setting.trim();
    return { path: isExecutable(file) ? file : undefined, tried: `wasmscope.path (${file})` };
  }
  const names = platform === 'win32' ? ['wasmscope.exe', 'wasmscope'] : ['wasmscope'];
  for (const dir of (envPath ?? '').split(path.delimiter)) {
    if (!dir) {
      continue;
    }
    for (const name of names) {
      const file = path.join(dir, name);
      if (isExecutable(file)) {
        return { path: file, tried: 'PATH' };
      }
    }
  }
  return { tried: 'PATH' };
}

function isExecutableFile(file: string): boolean {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

/** The verdict on `wasmscope --version` output, with the fix in the message. */
export function checkVersionOutput(binary: string, output: string, minimum = MIN_VERSION): Located {
  const version = parseVersionOutput(output);
  if (!version) {
    return {
      ok: false,
      message: `${binary} does not look like wasmscope (\`--version\` printed ${JSON.stringify(output.trim().slice(0, 80))}). ${INSTALL_HINT}`,
    };
  }
  if (compareVersions(version, parseVersion(minimum)) < 0) {
    return {
      ok: false,
      message: `wasmscope ${formatVersion(version)} at ${binary} is too old: this extension needs ${minimum} or newer. Update wasmscope, or set \`wasmscope.path\` to a newer binary.`,
    };
  }
  return { ok: true, path: binary, version: formatVersion(version) };
}

/** Finds the binary and runs `--version`; never throws. */
export async function locateWasmscope(setting: string | undefined, envPath = process.env.PATH): Promise<Located> {
  const found = findExecutable(setting, envPath);
  if (!found.path) {
    const where = found.tried === 'PATH' ? 'no `wasmscope` on PATH' : `${found.tried} is not an executable file`;
    return { ok: false, message: `wasmscope not found: ${where}. ${INSTALL_HINT}` };
  }
  const binary = found.path;
  return new Promise((resolve) => {
    execFile(binary, ['--version'], { timeout: 10_000 }, (error, stdout, stderr) => {
      if (error && !stdout) {
        resolve({ ok: false, message: `Running \`${binary} --version\` failed: ${stderr.trim() || error.message}. ${INSTALL_HINT}` });
        return;
      }
      resolve(checkVersionOutput(binary, stdout));
    });
  });
}
