// Helpers for devtools.test.mjs: the DevTools targets ("target": "node" and
// "target": "chrome") compared with the default Wasmtime target.
//
//   servePage()           tests/browser (index.html, wasi-shim.mjs) and the
//                         guests, served from 127.0.0.1 for chromium
//   launchArgs(...)       the same launch configuration for every target
//   stopSnapshot(s)       what a client shows at a stop: the stack, and the
//                         top frame's locals with one level of children
import './reference-env.mjs';

import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';

import { GUESTS, REPO, SOURCE_MAP, guest, assert } from './harness.mjs';

/** The targets under test; each is compared with the Wasmtime target. */
export const DEVTOOLS_TARGETS = ['node', 'chrome'];

const BROWSER = path.join(REPO, 'tests/browser');

function contentType(name) {
  switch (path.extname(name)) {
    case '.html': return 'text/html; charset=utf-8';
    case '.mjs': return 'text/javascript';
    case '.wasm': return 'application/wasm';
    default: return 'application/octet-stream';
  }
}

/**
 * Serves the test page (index.html, wasi-shim.mjs) and every built guest
 * (NAME.wasm from the guests directory) on 127.0.0.1, and `extra` (name →
 * bytes); anything else is 404. Returns {base, close()}.
 */
export async function servePage(extra = new Map()) {
  const files = new Map([
    ['index.html', path.join(BROWSER, 'index.html')],
    ['wasi-shim.mjs', path.join(BROWSER, 'wasi-shim.mjs')],
  ]);
  for (const name of fs.readdirSync(GUESTS)) {
    if (name.endsWith('.wasm')) files.set(name, path.join(GUESTS, name));
  }
  const server = http.createServer((req, res) => {
    const name = decodeURIComponent(new URL(req.url, 'http://127.0.0.1').pathname.replace(/^\/+/, ''));
    const file = files.get(name);
    if (req.method === 'GET' && extra.has(name)) {
      const body = extra.get(name);
      res.writeHead(200, { 'Content-Type': contentType(name), 'Content-Length': body.length, Connection: 'close' });
      res.end(body);
      return;
    }
    if (req.method !== 'GET' || !file) {
      res.writeHead(404, { 'Content-Length': 0, Connection: 'close' });
      res.end();
      return;
    }
    const body = fs.readFileSync(file);
    res.writeHead(200, {
      'Content-Type': contentType(name),
      'Content-Length': body.length,
      'Cache-Control': 'no-store',
      Connection: 'close',
    });
    res.end(body);
  });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address();
  return {
    base: `http://127.0.0.1:${port}`,
    close: () => new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

/**
 * The launch configuration of `guestName` (e.g. 'c-O0') with program
 * arguments `args`, for `target`: 'wasmtime' (no `target` attribute, the
 * default), 'node', or 'chrome' (then `base` is the servePage() address and
 * the page runs the same module with the same arguments).
 */
export function launchArgs(target, guestName, args = [], base = null) {
  const config = {
    program: guest(guestName),
    args,
    cwd: REPO,
    sourceMap: SOURCE_MAP,
    stopOnEntry: false,
  };
  if (target === 'node') {
    config.target = 'node';
  } else if (target === 'chrome') {
    assert.ok(base, 'the chrome target needs the page server');
    const query = new URLSearchParams({ program: `${guestName}.wasm`, args: args.join(',') });
    config.target = 'chrome';
    config.url = `${base}/index.html?${query}`;
  } else {
    assert.equal(target, 'wasmtime', `unknown target ${target}`);
  }
  return config;
}

/** A stack frame as a client shows it (ids and columns aside). */
export function frameView(f) {
  return {
    name: f.name,
    line: f.line,
    source: f.source ? (f.source.path || f.source.name) : null,
    hint: f.presentationHint || 'normal',
  };
}

/** Whether a frame runs Wasm (it has an instruction pointer into the module). */
export function isWasmFrame(f) {
  return typeof f.instructionPointerReference === 'string';
}

/**
 * The variables of a reference as {name: {type, value, children?}}, with
 * `depth` more levels of children (0: none).
 */
export async function variableTree(s, variablesReference, depth) {
  const out = {};
  for (const v of await s.variables(variablesReference)) {
    const entry = { type: v.type ?? null, value: v.value };
    if (depth > 0 && v.variablesReference > 0) {
      entry.children = await variableTree(s, v.variablesReference, depth - 1);
    }
    out[v.name] = entry;
  }
  return out;
}

/**
 * What the client shows at a stop: the Wasm part of the stack (every frame
 * above the first JavaScript one), the JavaScript frames below, and the top
 * frame's Locals with one level of children.
 */
export async function stopSnapshot(s) {
  const frames = await s.stackTrace();
  const firstJs = frames.findIndex((f) => !isWasmFrame(f));
  const wasm = firstJs < 0 ? frames : frames.slice(0, firstJs);
  const js = firstJs < 0 ? [] : frames.slice(firstJs);
  const scope = await s.localsScope(frames[0].id);
  const locals = await variableTree(s, scope.variablesReference, 1);
  return { top: frames[0], frames, wasm: wasm.map(frameView), js, locals };
}

/**
 * A module without its DWARF, which it names in an `external_debug_info`
 * section instead (`debugName`, resolved against the page), as
 * `llvm-objcopy --strip-debug` plus `--add-section` would make it.
 */
export function withExternalDwarf(module, debugName) {
  const leb = (n) => {
    const out = [];
    do {
      let byte = n & 0x7f;
      n >>>= 7;
      if (n) byte |= 0x80;
      out.push(byte);
    } while (n);
    return Buffer.from(out);
  };
  const readLeb = (at) => {
    let value = 0;
    let shift = 0;
    for (;;) {
      const byte = module[at++];
      value += (byte & 0x7f) * 2 ** shift;
      shift += 7;
      if (byte < 0x80) return [value, at];
    }
  };
  const parts = [module.subarray(0, 8)];
  let at = 8;
  while (at < module.length) {
    const id = module[at];
    const [size, start] = readLeb(at + 1);
    const end = start + size;
    let keep = true;
    if (id === 0) {
      const [length, nameStart] = readLeb(start);
      keep = !module.subarray(nameStart, nameStart + length).toString().startsWith('.debug');
    }
    if (keep) parts.push(module.subarray(at, end));
    at = end;
  }
  const name = Buffer.from('external_debug_info');
  const address = Buffer.from(debugName);
  const payload = Buffer.concat([leb(name.length), name, leb(address.length), address]);
  parts.push(Buffer.from([0]), leb(payload.length), payload);
  return Buffer.concat(parts);
}

