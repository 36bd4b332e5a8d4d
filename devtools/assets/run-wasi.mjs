// Runs a WASI preview1 command in Node (node:wasi): `node run-wasi.mjs
// APP.wasm [ARGS]`, as `wasmtime run` does: argv[0] is the file's name, and
// the environment is only what WASMSCOPE_WASI_ENV holds (a JSON object; the
// debugger's `env`), none by default. The DevTools target runs it under the
// inspector; `wasmscope profile --node` tests profile with it.
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { argv, env, exit } from 'node:process';
import { WASI } from 'node:wasi';

const [program, ...args] = argv.slice(2);
const guestEnv = JSON.parse(env.WASMSCOPE_WASI_ENV ?? '{}');
const wasi = new WASI({ version: 'preview1', args: [basename(program), ...args], env: guestEnv, preopens: {}, returnOnExit: true });
const module = await WebAssembly.compile(await readFile(program));
const instance = await WebAssembly.instantiate(module, wasi.getImportObject());
exit(wasi.start(instance));
