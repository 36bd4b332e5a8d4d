// A WASI preview2 command component (the C guest wrapped with the WASI
// adapter by tests/componentize) through a real client — over stdio and TCP:
// the same breakpoint, stack and locals as the module, and the program's
// output equal to the reference `wasmtime run` of the component.
import { describe, test } from 'node:test';

import {
  TRANSPORTS, TEST_TIMEOUT, withSession, cLaunchArgs, cMarker, guest, referenceStdout, assert,
} from './lib/harness.mjs';

const RECURSE = cMarker('factorial_recurse');
const COMPONENT_STDOUT = referenceStdout('c-O0-component');

for (const transport of TRANSPORTS) {
  describe(`component [${transport}]`, () => {
    test('breakpoint, stack, locals, step, output of a preview2 component', { timeout: TEST_TIMEOUT }, () =>
      withSession(transport, 'component', async (s) => {
        await s.launch(cLaunchArgs({ program: guest('c-O0-component') }), async () => {
          await s.setVerifiedBreakpoints(RECURSE.path, [{ line: RECURSE.line }]);
        });
        await s.stopped('breakpoint');
        const frames = await s.stackTrace();
        assert.equal(frames[0].name, 'factorial', `top frame: ${JSON.stringify(frames[0])}`);
        assert.equal(frames[0].line, RECURSE.line);
        assert.ok(frames.some((f) => f.name === 'main'), `main on the stack: ${frames.map((f) => f.name).join(' < ')}`);
        // Below _start: the WASI adapter's entry, shown without source.
        const start = frames.findIndex((f) => f.name === '_start');
        assert.ok(start > 0 && frames.length > start + 1, `adapter frames below _start: ${frames.map((f) => f.name).join(' < ')}`);
        assert.ok(frames.slice(start + 1).some((f) => !f.source), 'an adapter frame without source');
        await s.expectLocal('n', '10');
        await s.setBreakpoints(RECURSE.path, []);
        await s.call('next', { threadId: 1 });
        await s.stopped('step');
        assert.equal(frames[0].name, (await s.topFrame()).name, 'next stays in factorial');
        await s.continue();
        await s.expectExit(0);
        assert.equal(s.outputText('stdout'), COMPONENT_STDOUT);
      }));
  });
}
