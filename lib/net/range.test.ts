import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { IPV6_MAX } from './ipv6.ts';
import { formatPrefix, prefixLast, type IpPrefix } from './prefix.ts';
import { parseRange, summarizeRange } from './range.ts';

describe('parseRange', () => {
  it('parses both families, spaces allowed', () => {
    expect(parseRange('198.19.0.10 - 198.19.0.20')).toEqual({ first: 0xc613000a, last: 0xc6130014 });
    expect(parseRange('fd00::1-fd00::ff')).toEqual({ first: (0xfd00n << 112n) | 1n, last: (0xfd00n << 112n) | 0xffn });
  });

  it.each([
    ['198.19.0.9-198.19.0.1', 'invalid range "198.19.0.9-198.19.0.1": the start address is after the end address'],
    ['198.19.0.1-x', 'invalid range "198.19.0.1-x": invalid end address "x"'],
    ['198.19.0.1', 'invalid range "198.19.0.1": invalid end address ""'],
    ['x-198.19.0.1', 'invalid range "x-198.19.0.1": invalid start address "x"'],
    ['1.1.1.1-2.2.2.2-3.3.3.3', 'invalid range "1.1.1.1-2.2.2.2-3.3.3.3": invalid start address "1.1.1.1"'],
    ['198.19.0.1-fd00::1', 'invalid range "198.19.0.1-fd00::1": the start and end addresses are of different families'],
  ])('refuses %j', (text, message) => {
    expect(() => parseRange(text)).toThrow(message);
  });
});

describe('summarizeRange', () => {
  it.each([
    ['198.19.0.10', '198.19.0.20', ['198.19.0.10/31', '198.19.0.12/30', '198.19.0.16/30', '198.19.0.20/32']],
    ['198.19.0.0', '198.19.0.255', ['198.19.0.0/24']],
    ['0.0.0.0', '255.255.255.255', ['0.0.0.0/0']],
    ['198.19.0.5', '198.19.0.5', ['198.19.0.5/32']],
  ])('%s-%s', (first, last, prefixes) => {
    const { first: a, last: b } = parseRange(`${first}-${last}`);
    expect(summarizeRange(a, b).map(formatPrefix)).toEqual(prefixes);
  });

  it('summarises IPv6 ranges', () => {
    const { first, last } = parseRange('fd00::1-fd00::ff');
    expect(summarizeRange(first, last).map(formatPrefix)).toEqual([
      'fd00::1/128', 'fd00::2/127', 'fd00::4/126', 'fd00::8/125', 'fd00::10/124', 'fd00::20/123', 'fd00::40/122', 'fd00::80/121',
    ]);
    expect(summarizeRange(0n, IPV6_MAX).map(formatPrefix)).toEqual(['::/0']);
  });

  /** The prefixes are aligned, in order, adjacent, and cover first..last exactly. */
  function coversExactly(prefixes: IpPrefix[], first: bigint, last: bigint, bits: number): boolean {
    let next = first;
    for (const prefix of prefixes) {
      const start = BigInt(prefix.address);
      if (start !== next || start % (1n << BigInt(bits - prefix.length)) !== 0n) return false;
      next = BigInt(prefixLast(prefix)) + 1n;
    }
    return next === last + 1n;
  }

  it('covers any IPv4 range exactly with aligned prefixes', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 0xffffffff }), fc.integer({ min: 0, max: 5000 }), (first, span) => {
      const last = Math.min(0xffffffff, first + span);
      return coversExactly(summarizeRange(first, last), BigInt(first), BigInt(last), 32);
    }));
  });

  it('covers any IPv6 range exactly with aligned prefixes', () => {
    fc.assert(fc.property(fc.bigInt({ min: 0n, max: IPV6_MAX }), fc.bigInt({ min: 0n, max: IPV6_MAX }), (a, b) => {
      const [first, last] = a <= b ? [a, b] : [b, a];
      return coversExactly(summarizeRange(first, last), first, last, 128);
    }), { numRuns: 300 });
  });
});
