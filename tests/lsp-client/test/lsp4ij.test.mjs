// What LSP4IJ does with the user-defined language server template in
// intellij/lsp/templates/wasmscope/: it runs the template's command
// (programArgs.default; `wasmscope` found on PATH, here the binary under
// test), initializes with initializationOptions.json as the user edited it
// (the program and the sourceMap filled in), and opens the files its
// fileTypeMappings map with their languageId.
import { after, before, describe, test } from 'node:test';
import fs from 'node:fs';
import path from 'node:path';

import {
  BIN, HOTSPOTS_C, HOTSPOTS_WASM, REPO, RECORDED_PREFIX, TEST_TIMEOUT, assert, profileInto, profileWorkspace,
  withSession,
} from './lib/harness.mjs';

const TEMPLATE = path.join(REPO, 'intellij/lsp/templates/wasmscope');

describe('the LSP4IJ template', () => {
  let ws;
  before(() => {
    ws = profileWorkspace('lsp4ij');
    profileInto(path.join(ws.profiles, 'hotspots.pb.gz'), { rounds: 10 });
  });
  after(() => ws.cleanup());

  test('its command speaks LSP over stdio, with its options, on the files it maps', { timeout: TEST_TIMEOUT }, () => {
    const template = JSON.parse(fs.readFileSync(path.join(TEMPLATE, 'template.json'), 'utf8'));
    const options = JSON.parse(fs.readFileSync(path.join(TEMPLATE, 'initializationOptions.json'), 'utf8'));
    assert.equal(template.id, 'wasmscope');
    const argv = template.programArgs.default.trim().split(/\s+/);
    assert.equal(argv[0], 'wasmscope', 'the command is the wasmscope binary, from PATH');
    // C, C++ and Rust files, with the language ids clangd and rust-analyzer use.
    const byLanguage = Object.fromEntries(template.fileTypeMappings.map((m) => [m.languageId, m.fileType.patterns]));
    assert.deepEqual(Object.keys(byLanguage).sort(), ['c', 'cpp', 'rust']);
    assert.ok(byLanguage.c.includes('*.c') && byLanguage.cpp.includes('*.cpp') && byLanguage.rust.includes('*.rs'));
    // The options as shipped are accepted as they are, and with the user's edits.
    const edited = { ...options, programs: [HOTSPOTS_WASM], sourceMap: { [RECORDED_PREFIX]: REPO } };
    return withSession('lsp4ij', async (s) => {
      const init = await s.initialize({ root: ws.root, initializationOptions: edited });
      assert.equal(init.capabilities.codeLensProvider?.resolveProvider, false);
      const uri = await s.open(HOTSPOTS_C, 'c');
      const lenses = await s.codeLens(uri);
      assert.ok(lenses.length >= 5, `lenses on hotspots.c: ${JSON.stringify(lenses)}`);
      assert.ok(lenses.some((l) => /% self · .*% total · \d+ samples/.test(l.command.title)), JSON.stringify(lenses));
      s.assertAlive();
    }, [BIN, ...argv.slice(1)]);
  });

  test('the options file as shipped initializes a server', { timeout: TEST_TIMEOUT }, () => {
    const options = JSON.parse(fs.readFileSync(path.join(TEMPLATE, 'initializationOptions.json'), 'utf8'));
    return withSession('lsp4ij-defaults', async (s) => {
      const init = await s.initialize({ root: ws.root, initializationOptions: options });
      assert.ok(init.capabilities.hoverProvider);
      s.assertAlive();
    });
  });
});
