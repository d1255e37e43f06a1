import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { formatIPv4, ipv4Mask, isBuggyIPv4, maskIPv4, parseIPv4 } from './ipv4.ts';

describe('parseIPv4', () => {
  it.each([
    ['0.0.0.0', 0],
    ['198.19.0.1', 0xc6130001],
    ['255.255.255.255', 0xffffffff],
    ['10.0.100.9', 0x0a006409],
  ])('%s → %i', (text, value) => {
    expect(parseIPv4(text)).toBe(value);
  });

  it.each([
    '', '1.2.3', '1.2.3.4.5', '256.0.0.1', '1.2.3.256', '01.2.3.4', '1.2.3.04', '00.0.0.0', '1.2.3.4 ', ' 1.2.3.4',
    'a.b.c.d', '1..2.3', '1.2.3.', '.1.2.3', '1.2.3.4/32', '1234.1.1.1', '+1.2.3.4', '1.2.3.-4', '::1', '1.2.3.4\n', '0x1.2.3.4',
  ])('refuses %j', (text) => {
    expect(parseIPv4(text)).toBeUndefined();
  });

  it('round-trips any address through format and parse', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 0xffffffff }), (n) => parseIPv4(formatIPv4(n)) === n), { numRuns: 2000 });
  });

  it('accepts exactly the canonical dotted quads (agrees with a regex over any short text of digits and dots)', () => {
    const strict = /^(0|[1-9]\d?|1\d\d|2[0-4]\d|25[0-5])(\.(0|[1-9]\d?|1\d\d|2[0-4]\d|25[0-5])){3}$/;
    fc.assert(fc.property(fc.string({ unit: fc.constantFrom('0', '1', '2', '5', '9', '.'), maxLength: 16 }), (text) => {
      expect(parseIPv4(text) !== undefined).toBe(strict.test(text));
    }), { numRuns: 3000 });
  });
});

describe('masks', () => {
  it.each([
    [0, 0], [1, 0x80000000], [8, 0xff000000], [23, 0xfffffe00], [31, 0xfffffffe], [32, 0xffffffff],
  ])('/%i mask is %i', (length, mask) => {
    expect(ipv4Mask(length)).toBe(mask);
  });

  it('clears host bits and stays unsigned', () => {
    expect(maskIPv4(0xc61301ff, 23)).toBe(0xc6130000);
    expect(maskIPv4(0xffffffff, 1)).toBe(0x80000000);
    expect(maskIPv4(0xffffffff, 0)).toBe(0);
  });
});

it('flags .0 and .255 as buggy', () => {
  expect(isBuggyIPv4(parseIPv4('198.19.1.0')!)).toBe(true);
  expect(isBuggyIPv4(parseIPv4('198.19.1.255')!)).toBe(true);
  expect(isBuggyIPv4(parseIPv4('198.19.1.1')!)).toBe(false);
  expect(isBuggyIPv4(parseIPv4('198.19.255.1')!)).toBe(false);
});
