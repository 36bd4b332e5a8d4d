// Inspecting and changing a stopped program: scopes, variables, evaluate,
// setVariable, readMemory/writeMemory, disassemble, stackTrace paging,
// breakpointLocations, loadedSources/modules/source — over stdio and over TCP.
import { describe, test } from 'node:test';

import {
  TRANSPORTS, TEST_TIMEOUT, withSession, cLaunchArgs, cMarker, source, errorText,
  C_STDOUT, assert, parseAddress,
} from './lib/harness.mjs';

const MAIN_C = source('c/main.c');
const RECURSE = cMarker('factorial_recurse');
const LIST_WALK = cMarker('list_walk');

/** Launches the C guest with one line breakpoint and waits for its first hit. */
async function stopAt(s, marker, extra = {}) {
  await s.launch(cLaunchArgs(), async () => {
    await s.setVerifiedBreakpoints(marker.path, [{ line: marker.line, ...extra }]);
  });
  await s.stopped('breakpoint');
  return s.topFrame();
}

/** Children of an expandable value, as Map name → Variable. */
async function children(s, v) {
  assert.ok(v.variablesReference > 0, `should be expandable: ${JSON.stringify(v)}`);
  const vars = await s.variables(v.variablesReference);
  return new Map(vars.map((c) => [c.name, c]));
}

function decode(data) {
  return Buffer.from(data || '', 'base64');
}

const HEX_POINTER = /^0x[0-9a-f]+\b/i;

for (const transport of TRANSPORTS) {
  describe(`program state [${transport}]`, () => {
    test('setVariable n = 5 changes the printed factorial', { timeout: TEST_TIMEOUT }, () =>
      withSession(transport, 'set-variable', async (s) => {
        const top = await stopAt(s, RECURSE);
        await s.expectLocal('n', '10');
        const locals = await s.localsScope(top.id);
        const resp = await s.call('setVariable', { variablesReference: locals.variablesReference, name: 'n', value: '5' });
        assert.equal(resp.body.value, '5', `setVariable response: ${JSON.stringify(resp.body)}`);
        await s.expectLocal('n', '5');
        assert.equal((await s.evaluate('n', top.id)).result, '5');
        await s.setBreakpoints(RECURSE.path, []);
        await s.continue();
        await s.expectExit(0);
        // factorial(10) now computes 5 * factorial(4) = 120.
        assert.equal(s.outputText('stdout'),
          C_STDOUT.replace('factorial = 3628800', 'factorial = 120'));
      }));

    test('evaluate in watch, hover and repl contexts; a bad expression is an error', { timeout: TEST_TIMEOUT }, () =>
      withSession(transport, 'evaluate', async (s) => {
        const top = await stopAt(s, RECURSE);
        for (const context of ['watch', 'hover', 'repl']) {
          const r = await s.evaluate('n * 2', top.id, context);
          assert.equal(r.result, '20', `${context}: ${JSON.stringify(r)}`);
          assert.equal(r.variablesReference, 0, `an int is not expandable (${context})`);
        }
        assert.equal((await s.evaluate('n - 1', top.id, 'hover')).result, '9');
        const bad = await s.request('evaluate', { expression: 'no_such_variable + 1', frameId: top.id, context: 'watch' });
        assert.equal(bad.success, false, `evaluating an unknown name should fail: ${JSON.stringify(bad)}`);
        assert.ok(errorText(bad).includes('no_such_variable'), `error names the identifier: ${JSON.stringify(bad)}`);
        // Evaluate in a caller frame: main's `depth`.
        const frames = await s.stackTrace();
        const main = frames.find((f) => f.name === 'main');
        assert.ok(main, `a frame named main: ${frames.map((f) => f.name).join(' < ')}`);
        assert.equal((await s.evaluate('depth', main.id, 'watch')).result, '10');
      }));

    test('scopes: Locals first, then others; structs expand', { timeout: TEST_TIMEOUT }, () =>
      withSession(transport, 'scopes-structs', async (s) => {
        const top = await stopAt(s, RECURSE);
        const scopes = await s.scopes(top.id);
        assert.equal(scopes[0].name, 'Locals');
        assert.equal(scopes[0].presentationHint, 'locals');
        assert.ok(scopes.length >= 2, `other scopes after Locals: ${JSON.stringify(scopes.map((x) => x.name))}`);
        for (const scope of scopes) {
          assert.ok(scope.variablesReference > 0, `scope ${scope.name}: ${JSON.stringify(scope)}`);
          assert.equal(typeof scope.expensive, 'boolean', `scope ${scope.name}.expensive`);
        }
        const n = (await s.locals(top.id)).get('n');
        assert.equal(n.value, '10');
        assert.equal(n.variablesReference, 0);

        // The global struct: nested struct and array members.
        const g = await s.evaluate('g_config', top.id, 'watch');
        const members = await children(s, { ...g, value: g.result });
        assert.equal(members.get('verbosity') && members.get('verbosity').value, '1', `g_config: ${JSON.stringify([...members.values()])}`);
        assert.match(String(members.get('title') && members.get('title').value), HEX_POINTER, 'title is a pointer');
        const anchor = await children(s, members.get('anchor'));
        assert.equal(anchor.get('x').value, '7');
        assert.equal(anchor.get('y').value, '-3');
        const limits = await s.variables(members.get('limits').variablesReference);
        assert.deepEqual(limits.map((v) => v.value), ['10', '100', '1000'], `limits: ${JSON.stringify(limits)}`);
      }));

    test('pointers: value is 0x…, expands to the pointee', { timeout: TEST_TIMEOUT }, () =>
      withSession(transport, 'pointers', async (s) => {
        const top = await stopAt(s, LIST_WALK);
        const locals = await s.locals(top.id);
        const head = locals.get('head');
        assert.ok(head, `locals: ${[...locals.keys()].join(', ')}`);
        assert.match(head.value, HEX_POINTER, `head: ${JSON.stringify(head)}`);
        const r = await s.evaluate('head->value', top.id);
        assert.equal(r.result, '10');
        assert.equal((await s.evaluate('head->next->next->value', top.id)).result, '30');
        // Expanding the pointer shows the struct behind it (directly or one level down).
        let node = await children(s, head);
        if (!node.has('value') && node.size === 1) node = await children(s, [...node.values()][0]);
        assert.equal(node.get('value') && node.get('value').value, '10', `*head: ${JSON.stringify([...node.values()])}`);
      }));

    test('readMemory at a pointer variable\'s memoryReference reads the pointee', { timeout: TEST_TIMEOUT }, () =>
      withSession(transport, 'memory-pointer', async (s) => {
        await stopAt(s, LIST_WALK);
        // DAP: "For pointer type variables, [memoryReference] is generally a reference
        // to the memory address contained in the pointer" — here a struct Node
        // {int value = 10; struct Node *next}.
        const head = (await s.locals()).get('head');
        assert.ok(typeof head.memoryReference === 'string', `head has no memoryReference: ${JSON.stringify(head)}`);
        assert.equal(parseAddress(head.memoryReference), parseAddress(head.value.match(HEX_POINTER)[0]),
          `pointer memoryReference should be the address it holds: ${JSON.stringify(head)}`);
        const mem = (await s.call('readMemory', { memoryReference: head.memoryReference, offset: 0, count: 8 })).body;
        const bytes = decode(mem.data);
        assert.equal(bytes.length, 8, `readMemory: ${JSON.stringify(mem)}`);
        assert.equal(bytes.readInt32LE(0), 10, 'head->value in memory');
        const next = (await s.evaluate('head->next')).result;
        assert.equal(BigInt(bytes.readUInt32LE(4)), parseAddress(next.match(HEX_POINTER)[0]), 'head->next in memory');
        // With an offset: the next pointer alone.
        const off = decode((await s.call('readMemory', { memoryReference: head.memoryReference, offset: 4, count: 4 })).body.data);
        assert.equal(BigInt(off.readUInt32LE(0)), parseAddress(next.match(HEX_POINTER)[0]), 'readMemory offset');
      }));

    test('readMemory/writeMemory at an int variable\'s memoryReference', { timeout: TEST_TIMEOUT }, () =>
      withSession(transport, 'memory-int', async (s) => {
        await stopAt(s, LIST_WALK);
        // An int: memoryReference is where it lives. Read it, write it, read it back.
        const sum = (await s.locals()).get('sum');
        assert.ok(sum && typeof sum.memoryReference === 'string', `sum has no memoryReference: ${JSON.stringify(sum)}`);
        const mem = (await s.call('readMemory', { memoryReference: sum.memoryReference, count: 4 })).body;
        assert.equal(parseAddress(mem.address), parseAddress(sum.memoryReference), `readMemory address: ${JSON.stringify(mem)}`);
        assert.equal(decode(mem.data).readInt32LE(0), 0, 'sum is 0 on the first iteration');
        const buf = Buffer.alloc(4);
        buf.writeInt32LE(1000);
        await s.call('writeMemory', { memoryReference: sum.memoryReference, data: buf.toString('base64') });
        assert.equal((await s.evaluate('sum')).result, '1000', 'writeMemory changed the variable');
        await s.setBreakpoints(LIST_WALK.path, []);
        await s.continue();
        await s.expectExit(0);
        assert.ok(s.outputText('stdout').includes('pointers: list sum 1060,'), `stdout: ${JSON.stringify(s.outputText('stdout'))}`);
      }));

    test('disassemble around the frame\'s instructionPointerReference', { timeout: TEST_TIMEOUT }, () =>
      withSession(transport, 'disassemble', async (s) => {
        const top = await stopAt(s, RECURSE);
        const ip = top.instructionPointerReference;
        assert.ok(typeof ip === 'string' && ip.length > 0, `instructionPointerReference: ${JSON.stringify(top)}`);
        const want = parseAddress(ip);
        assert.ok(want !== null, `instructionPointerReference is an address: ${ip}`);
        const body = (await s.call('disassemble', {
          memoryReference: ip, offset: 0, instructionOffset: -4, instructionCount: 8, resolveSymbols: true,
        })).body;
        const ins = body.instructions;
        assert.equal(ins.length, 8, `exactly instructionCount instructions: ${JSON.stringify(body)}`);
        for (const i of ins) {
          assert.ok(parseAddress(i.address) !== null, `instruction address: ${JSON.stringify(i)}`);
          assert.ok(typeof i.instruction === 'string' && i.instruction.length > 0, `instruction text: ${JSON.stringify(i)}`);
        }
        assert.equal(parseAddress(ins[4].address), want, `instructions[4] is at the ip: ${JSON.stringify(ins)}`);
        for (let k = 1; k < ins.length; k++) {
          assert.ok(parseAddress(ins[k].address) > parseAddress(ins[k - 1].address), 'addresses ascend');
        }
        const withLine = ins.find((i) => parseAddress(i.address) === want);
        if (withLine.location || withLine.line !== undefined) {
          assert.equal(withLine.line, RECURSE.line, `line of the ip instruction: ${JSON.stringify(withLine)}`);
        }
      }));

    test('stackTrace paging with startFrame/levels', { timeout: TEST_TIMEOUT }, () =>
      withSession(transport, 'stack-paging', async (s) => {
        await stopAt(s, RECURSE, { hitCondition: '3' }); // factorial(8) ← (9) ← (10) ← main
        const all = await s.stackTrace();
        const names = all.map((f) => f.name);
        assert.deepEqual(names.slice(0, 4), ['factorial', 'factorial', 'factorial', 'main'], `frames: ${names.join(' < ')}`);
        assert.deepEqual(all.slice(0, 3).map((f) => f.line), [RECURSE.line, RECURSE.line, RECURSE.line]);
        for (const f of all.slice(0, 4)) {
          assert.ok(typeof f.instructionPointerReference === 'string', `frame ${f.name} has instructionPointerReference`);
          assert.equal(f.source && f.source.path, MAIN_C);
        }
        const resp = await s.call('stackTrace', { threadId: 1, startFrame: 1, levels: 2 });
        const page = resp.body.stackFrames;
        assert.equal(page.length, 2, `levels: 2 → 2 frames: ${JSON.stringify(page)}`);
        assert.deepEqual(page.map((f) => [f.name, f.line]), all.slice(1, 3).map((f) => [f.name, f.line]));
        if (resp.body.totalFrames !== undefined) {
          assert.equal(resp.body.totalFrames, all.length, 'totalFrames');
        }
        // Each caller frame sees its own n.
        assert.equal((await s.evaluate('n', all[1].id)).result, '9');
        assert.equal((await s.evaluate('n', all[2].id)).result, '10');
      }));

    test('breakpointLocations, loadedSources, modules, source', { timeout: TEST_TIMEOUT }, () =>
      withSession(transport, 'sources-modules', async (s) => {
        const top = await stopAt(s, RECURSE);
        const locs = (await s.call('breakpointLocations', { source: { path: MAIN_C }, line: RECURSE.line })).body.breakpoints;
        assert.ok(locs.length > 0 && locs.every((l) => l.line === RECURSE.line), `breakpointLocations: ${JSON.stringify(locs)}`);
        const sources = (await s.call('loadedSources')).body.sources;
        assert.ok(sources.some((x) => x.path === MAIN_C), `loadedSources has ${MAIN_C}: ${JSON.stringify(sources.map((x) => x.path))}`);
        assert.ok(sources.some((x) => x.path === source('c/shapes.c')), 'loadedSources has shapes.c');
        const modules = (await s.call('modules', {})).body.modules;
        assert.ok(modules.length >= 1, `modules: ${JSON.stringify(modules)}`);
        assert.ok(modules.some((m) => String(m.path || m.name).includes('c-O0')), `module for c-O0.wasm: ${JSON.stringify(modules)}`);
        const resp = await s.call('source', { source: top.source, sourceReference: top.source.sourceReference || 0 });
        assert.ok(resp.body.content.includes('// BP: factorial_recurse'), 'source content is main.c');
      }));
  });
}
