import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { SyncLoop } from './sync-loop.ts';

/** A loop whose sync records when it ran and can be held open until release(). */
function setup(fail = false) {
  const ran: number[] = [];
  const errors: string[] = [];
  let release: () => void = () => undefined;
  let holding = false;
  const loop = new SyncLoop(async () => {
    ran.push(Date.now());
    if (holding) await new Promise<void>((resolve) => (release = resolve));
    if (fail) throw new Error('boom');
  }, (error) => errors.push(error.message));
  return { loop, ran, errors, hold: () => (holding = true), release: () => ((holding = false), release()) };
}

describe('SyncLoop', () => {
  beforeEach(() => vi.useFakeTimers({ now: 0 }));
  afterEach(() => vi.useRealTimers());

  it('never runs two syncs at once: kicks during a sync make exactly one more pass', async () => {
    const { loop, ran, hold, release } = setup();
    hold();
    loop.kick();
    loop.kick();
    loop.kick();
    await vi.advanceTimersByTimeAsync(0);
    expect(ran).toHaveLength(1);
    release();
    await vi.advanceTimersByTimeAsync(0);
    expect(ran).toHaveLength(2);
  });

  it('wake-ups collapse into the earliest one asked for', async () => {
    const { loop, ran } = setup();
    loop.wake(5000);
    loop.wake(1000);
    loop.wake(3000);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(ran).toEqual([1000]);
  });

  it('a cancelled wake-up does not run, and a later one is still honoured', async () => {
    const { loop, ran } = setup();
    loop.wake(1000);
    loop.cancelWake();
    loop.wake(4000);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(ran).toEqual([4000]);
  });

  it('a failed sync is reported and does not stop later syncs', async () => {
    const { loop, ran, errors } = setup(true);
    loop.kick();
    await vi.advanceTimersByTimeAsync(0);
    loop.kick();
    await vi.advanceTimersByTimeAsync(0);
    expect([ran.length, errors]).toEqual([2, ['boom', 'boom']]);
  });

  it('after close, kicks and wake-ups do nothing', async () => {
    const { loop, ran } = setup();
    loop.wake(1000);
    loop.close();
    loop.kick();
    loop.wake(10);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(ran).toEqual([]);
  });
});
