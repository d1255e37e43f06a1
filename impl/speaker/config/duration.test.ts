import { describe, expect, it } from 'vitest';
import { parseGoDuration } from './duration.ts';

describe('parseGoDuration', () => {
  it.each([
    ['90s', 90], ['1m30s', 90], ['1.5h', 5400], ['0', 0], ['-3s', -3], ['+2m', 120], ['500ms', 0.5], ['1h1m1s', 3661], ['.5s', 0.5], ['3µs', 3e-6],
  ])('%s = %d seconds', (text, seconds) => {
    expect(parseGoDuration(text)).toBeCloseTo(seconds, 9);
  });

  it.each([
    ['', 'invalid duration ""'], ['90', 'missing unit in duration "90"'], ['s', 'invalid duration "s"'], ['1x', 'unknown unit "x"'], ['1s2', 'missing unit in duration "1s2"'], ['1 s', 'invalid duration "1 s"'],
  ])('refuses %j', (text, message) => {
    expect(() => parseGoDuration(text)).toThrow(message);
  });
});
