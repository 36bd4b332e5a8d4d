// Runs a WASI preview1 command in Node (node:wasi): `node run-wasi.mjs
// APP.wasm [ARGS]`. What `wasmscope profile --node` tests profile; the same
// guests as under Wasmtime, with stdout and the exit status passed through.
import { readFile } from 'node:fs/promises';
import { argv, env, exit } from 'node:process';
import { WASI } from 'node:wasi';

const [program, ...args] = argv.slice(2);
const wasi = new WASI({ version: 'preview1', args: [program, ...args], env, preopens: {}, returnOnExit: true });
const module = await WebAssembly.compile(await readFile(program));
const instance = await WebAssembly.instantiate(module, wasi.getImportObject());
exit(wasi.start(instance));
