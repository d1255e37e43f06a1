import { describe, expect, it } from 'vitest';
import { AddressError } from './errors.ts';
import { compareAddresses, compareIP, familyOf, formatIP, isBuggyAddress, parseAddress, parseIP } from './address.ts';

describe('either family', () => {
  it('parses and formats by family', () => {
    expect(parseIP('198.19.0.1')).toBe(0xc6130001);
    expect(parseIP('fd00::1')).toBe((0xfd00n << 112n) | 1n);
    expect(parseIP('fd00::1', 4)).toBeUndefined();
    expect(parseIP('198.19.0.1', 6)).toBeUndefined();
    expect(familyOf(parseIP('198.19.0.1')!)).toBe(4);
    expect(familyOf(parseIP('::')!)).toBe(6);
    expect(formatIP(parseIP('FD00:0::01')!)).toBe('fd00::1');
    expect(formatIP(0xc6130001)).toBe('198.19.0.1');
  });

  it.each([
    ['1.2.3', undefined, 'invalid IP address "1.2.3": expected a dotted quad a.b.c.d (decimal octets 0..255, no leading zeros)'],
    ['1.2.3', 4, 'invalid IPv4 address "1.2.3": expected a dotted quad'],
    ['fd00:::1', undefined, 'invalid IP address "fd00:::1": expected an RFC 4291 IPv6 address'],
    ['198.19.0.1', 6, 'invalid IPv6 address "198.19.0.1"'],
  ] as const)('parseAddress refuses %j (family %s) naming it', (text, family, message) => {
    expect(() => parseAddress(text, family)).toThrow(message);
    expect(() => parseAddress(text, family)).toThrow(AddressError);
  });

  it('orders IPv4 before IPv6, numerically within a family', () => {
    const sorted = [parseIP('fd00::2')!, parseIP('198.18.0.12')!, parseIP('fd00::10')!, parseIP('10.0.0.1')!].sort(compareIP);
    expect(sorted.map(formatIP)).toEqual(['10.0.0.1', '198.18.0.12', 'fd00::2', 'fd00::10']);
  });

  it('flags only IPv4 .0 and .255 as buggy', () => {
    expect(isBuggyAddress(parseIP('198.19.1.0')!)).toBe(true);
    expect(isBuggyAddress(parseIP('198.19.1.7')!)).toBe(false);
    expect(isBuggyAddress(parseIP('fd00::ff')!)).toBe(false);
  });
});

describe('compareAddresses (texts)', () => {
  it.each([
    [['198.18.0.12', '198.18.0.2', '10.0.0.1'], ['10.0.0.1', '198.18.0.2', '198.18.0.12']],
    [['198.19.0.0/24', '198.19.0.0/16', '198.19.0.0'], ['198.19.0.0/16', '198.19.0.0/24', '198.19.0.0']],
    [['fd00::10', 'fd00::2', '198.18.0.1'], ['198.18.0.1', 'fd00::2', 'fd00::10']],
    [['b', '198.18.0.1', 'a'], ['198.18.0.1', 'a', 'b']],
  ])('%j', (input, sorted) => {
    expect([...input].sort(compareAddresses)).toEqual(sorted);
  });
});
