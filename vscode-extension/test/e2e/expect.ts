// Polling assertions for UI state, which settles asynchronously.
import type { Frame, Page } from 'playwright-core';
export type { Frame, Page };

export async function expect<T>(read: () => Promise<T>, want: T | ((value: T) => boolean), timeoutMs = 30_000, what = ''): Promise<T> {
  const ok = typeof want === 'function' ? (want as (value: T) => boolean) : (v: T) => v === want;
  const deadline = Date.now() + timeoutMs;
  let last: T = await read();
  while (!ok(last)) {
    if (Date.now() > deadline) {
      const expected = typeof want === 'function' ? 'the condition' : JSON.stringify(want);
      throw new Error(`${what || 'UI state'}: expected ${expected}, still ${JSON.stringify(last)} after ${timeoutMs / 1000} s`);
    }
    await new Promise((r) => setTimeout(r, 200));
    last = await read();
  }
  return last;
}
