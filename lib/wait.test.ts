import { describe, expect, it } from 'vitest';
import { waitFor, WaitTimeoutError } from './wait.ts';

describe('waitFor', () => {
  it('needs the given number of consecutive successes and reports when the final run started', async () => {
    const answers = [true, false, true, true, true];
    let i = 0;
    const result = await waitFor('x', () => ({ ok: answers[i++] ?? true, value: i }), { timeoutMs: 1000, intervalMs: 1, consecutive: 3 });
    expect(result.value).toBe(5);
    expect(result.attempts).toBe(5);
  });

  it('gives up at the bound, naming what it waited for and the last observation', async () => {
    const error = await waitFor('the answer', () => ({ ok: false, observed: 'still 41' }), { timeoutMs: 50, intervalMs: 5 }).catch((e) => e);
    expect(error).toBeInstanceOf(WaitTimeoutError);
    expect(error.message).toMatch(/^timed out after \d+ ms waiting for the answer; last observed: still 41$/);
  });

  it('treats a thrown error as a failed attempt', async () => {
    let calls = 0;
    const result = await waitFor('recovery', () => {
      if (++calls < 3) throw new Error('not yet');
      return { ok: true, value: calls };
    }, { timeoutMs: 1000, intervalMs: 1 });
    expect(result.value).toBe(3);
  });

  it('stops at once on a permanent error instead of waiting out the bound', async () => {
    const permanent = Object.assign(new Error('no TOR here'), { permanent: true });
    const started = performance.now();
    await expect(waitFor('a route', () => { throw permanent; }, { timeoutMs: 10_000 })).rejects.toBe(permanent);
    expect(performance.now() - started).toBeLessThan(1000);
  });
});
