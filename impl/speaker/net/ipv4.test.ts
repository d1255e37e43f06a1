import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { formatCidr, formatIPv4, isBuggyAddress, maskAddress, parseCidr, parseIPv4, summarizeRange, cidrFirst, cidrLast } from './ipv4.ts';

describe('ipv4', () => {
  it('parses and formats dotted quads strictly', () => {
    expect(parseIPv4('198.19.0.1')).toBe(0xc6130001);
    expect(parseIPv4('255.255.255.255')).toBe(0xffffffff);
    expect(formatIPv4(0xc6130001)).toBe('198.19.0.1');
    for (const bad of ['256.0.0.1', '1.2.3', '01.2.3.4', '1.2.3.4 ', 'a.b.c.d', '1.2.3.4.5']) expect(parseIPv4(bad)).toBeUndefined();
  });

  it('round-trips any address', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 0xffffffff }), (n) => parseIPv4(formatIPv4(n)) === n));
  });

  it('parses CIDRs and masks host bits', () => {
    expect(parseCidr('198.19.0.77/24')).toEqual({ address: 0xc6130000, length: 24 });
    expect(formatCidr(parseCidr('0.0.0.0/0')!)).toBe('0.0.0.0/0');
    expect(parseCidr('1.2.3.4/33')).toBeUndefined();
    expect(parseCidr('1.2.3.4')).toBeUndefined();
    expect(maskAddress(0xc61301ff, 23)).toBe(0xc6130000);
  });

  it('summarises any range into aligned prefixes that cover it exactly', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 0xffffffff }), fc.integer({ min: 0, max: 5000 }), (first, span) => {
      const last = Math.min(0xffffffff, first + span);
      const cidrs = summarizeRange(first, last);
      let next = first;
      for (const cidr of cidrs) {
        if (cidrFirst(cidr) !== next || cidr.address % 2 ** (32 - cidr.length) !== 0) return false;
        next = cidrLast(cidr) + 1;
      }
      return next === last + 1;
    }));
    expect(summarizeRange(0, 0xffffffff)).toEqual([{ address: 0, length: 0 }]);
  });

  it('flags .0 and .255 as buggy', () => {
    expect(isBuggyAddress(parseIPv4('198.19.1.0')!)).toBe(true);
    expect(isBuggyAddress(parseIPv4('198.19.1.255')!)).toBe(true);
    expect(isBuggyAddress(parseIPv4('198.19.1.1')!)).toBe(false);
  });
});
