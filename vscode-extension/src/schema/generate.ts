// `npm run generate-schema`: writes the adapter's launch schema into
// package.json. Run it after changing the adapter's launch configuration.
import * as fs from 'fs';
import * as path from 'path';
import { binaryForBuild, readLaunchSchema, withLaunchAttributes } from './launchSchema';

// out/src/schema/generate.js -> the extension root.
const root = path.resolve(__dirname, '..', '..', '..');
const binary = binaryForBuild(root);
if (!binary) {
  console.error('generate-schema: no wasmscope binary: set WASMSCOPE_BIN, build the repository (target/debug/wasmscope) or put wasmscope on PATH');
  process.exit(1);
}
const manifestPath = path.join(root, 'package.json');
const before = fs.readFileSync(manifestPath, 'utf8');
const after = withLaunchAttributes(before, readLaunchSchema(binary));
if (after === before) {
  console.log(`generate-schema: package.json already matches ${binary}`);
} else {
  fs.writeFileSync(manifestPath, after);
  console.log(`generate-schema: wrote the launch attributes of ${binary} into package.json`);
}
