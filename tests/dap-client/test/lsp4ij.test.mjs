// The IntelliJ (LSP4IJ) launch contract, done the way LSP4IJ does it with
// intellij/dap/templates/wasmscope: take the template's command, put a free
// port in it, start it, wait for the template's "debug server ready"
// pattern, connect a DAP client over TCP, launch with the template's
// launch.json, and stop at a breakpoint.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import readline from 'node:readline';
import { describe, test } from 'node:test';

import { DebugClient } from '@vscode/debugadapter-testsupport';

import { BIN, REPO, SOURCE_MAP, TEST_TIMEOUT, WAIT_TIMEOUT, assert, cMarker, guest } from './lib/harness.mjs';

const TEMPLATES = path.join(REPO, 'intellij/dap/templates/wasmscope');

/** A port nobody listens on right now, as LSP4IJ picks one. */
function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** The template's ready pattern as a regular expression. */
function readyPattern(template) {
  const escaped = template.debugServerReadyPattern.replace(/[.*+?^()|[\]\\]/g, '\\$&');
  return new RegExp(escaped.replace('${address}', '([^\\s:]+)').replace('${port}', '(\\d+)'));
}

describe('LSP4IJ template', () => {
  test('starts the server on a free port, sees it ready, debugs over TCP', { timeout: TEST_TIMEOUT }, async () => {
    const template = JSON.parse(fs.readFileSync(path.join(TEMPLATES, 'template.json'), 'utf8'));
    const launch = JSON.parse(fs.readFileSync(path.join(TEMPLATES, 'launch.json'), 'utf8'));
    assert.equal(launch.type, 'wasmscope');
    for (const pattern of ['*.c', '*.cpp', '*.rs', '*.wat']) {
      assert.ok(template.fileTypeMappings.some((m) => m.fileType.patterns.includes(pattern)), `mapping for ${pattern}`);
    }

    const port = await freePort();
    const [command, ...args] = template.programArgs.default.replaceAll('${port}', String(port)).split(/\s+/);
    assert.equal(command, 'wasmscope', 'the template runs wasmscope from PATH');
    const server = spawn(BIN, args, { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    server.stderr.on('data', (d) => { stderr += d.toString(); });
    try {
      const pattern = readyPattern(template);
      const ready = await new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no line matching ${pattern} within ${WAIT_TIMEOUT} ms; stderr: ${stderr}`)), WAIT_TIMEOUT);
        readline.createInterface({ input: server.stdout }).on('line', (line) => {
          const match = pattern.exec(line);
          if (match) {
            clearTimeout(timer);
            resolve(match);
          }
        });
        server.on('exit', (code) => reject(new Error(`the server exited (${code}) before it was ready: ${stderr}`)));
      });
      assert.equal(ready[1], '127.0.0.1');
      assert.equal(Number(ready[2]), port, 'it listens on the port LSP4IJ gave it');

      const dc = new DebugClient(BIN, 'dap', 'wasmscope');
      await dc.start(port);
      try {
        const recurse = cMarker('factorial_recurse');
        const config = JSON.parse(JSON.stringify(launch).replaceAll('${workspaceFolder}', REPO));
        config.program = guest('c-O0');
        config.sourceMap = SOURCE_MAP;
        await dc.hitBreakpoint(config, { path: recurse.path, line: recurse.line });
        const trace = await dc.stackTraceRequest({ threadId: 1 });
        assert.equal(trace.body.stackFrames[0].name, 'factorial');
        await dc.disconnectRequest({ terminateDebuggee: true });
      } finally {
        // As the harness does: DebugClient.stop() would send a second
        // disconnect on a session that has ended.
        dc.stopAdapter();
      }
    } finally {
      server.kill('SIGTERM');
    }
  });
});
