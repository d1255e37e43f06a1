import { describe, expect, it } from 'vitest';
import { imagePullRetryDelayMs, RestartBackoff } from './backoff.ts';

describe('RestartBackoff', () => {
  it('restarts at once after the first crash, then waits 10 s, 20 s, 40 s, 40 s', () => {
    const b = new RestartBackoff(10_000, 40_000);
    let now = 1_000_000;
    const waits: number[] = [];
    for (let crash = 0; crash < 5; crash++) {
      now += 1_000; // the container ran for a second, then exited
      const at = b.restartAt(now);
      waits.push(at - now);
      now = at;
      b.recordRestart(now);
    }
    expect(waits).toEqual([0, 10_000, 20_000, 40_000, 40_000]);
  });

  it('starts over when the container ran longer than twice the cap', () => {
    const b = new RestartBackoff(10_000, 40_000);
    b.recordRestart(0);
    b.recordRestart(10_000);
    expect(b.currentDelayMs(11_000)).toBe(20_000);
    expect(b.restartAt(10_000 + 80_001)).toBe(10_000 + 80_001);
    b.recordRestart(90_001);
    expect(b.currentDelayMs(91_000)).toBe(10_000);
  });
});

describe('imagePullRetryDelayMs', () => {
  it('retries a failed pull after 10 s, 20 s, 40 s, 40 s', () => {
    expect([1, 2, 3, 4, 10].map(imagePullRetryDelayMs)).toEqual([10_000, 20_000, 40_000, 40_000, 40_000]);
  });
});
