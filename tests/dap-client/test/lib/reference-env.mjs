// Imported before harness.mjs by test files that may run outside run.sh
// (`node --test test/devtools.test.mjs`): harness.mjs needs WASMTIME_BIN, the
// reference runtime that run.sh exports. When it is not set, this asks the
// same script run.sh asks (scripts/install-wasmtime-cli.sh, which installs it
// only the first time and prints its path).
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

if (!process.env.WASMTIME_BIN) {
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');
  const script = path.join(root, 'scripts/install-wasmtime-cli.sh');
  process.env.WASMTIME_BIN = execFileSync(script, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }).trim();
}
