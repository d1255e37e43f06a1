import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { AddressError } from './errors.ts';
import { IPV6_MAX } from './ipv6.ts';
import { formatPrefix, maskAddress, parseCidr, parsePrefix, prefixContains, prefixLast, prefixSize } from './prefix.ts';

describe('parsePrefix (strict)', () => {
  it.each([
    ['198.19.0.0/24', { address: 0xc6130000, length: 24 }],
    ['198.19.0.10/32', { address: 0xc613000a, length: 32 }],
    ['0.0.0.0/0', { address: 0, length: 0 }],
    ['fd00::/8', { address: 0xfdn << 120n, length: 8 }],
    ['2001:db8::1/128', { address: (0x20010db8n << 96n) | 1n, length: 128 }],
    ['::/0', { address: 0n, length: 0 }],
  ])('%s', (text, prefix) => {
    expect(parsePrefix(text)).toEqual(prefix);
    expect(formatPrefix(parsePrefix(text))).toBe(text);
  });

  it.each([
    ['198.19.0.1', undefined, 'invalid prefix "198.19.0.1": expected address/length'],
    ['198.19.0.1', 4, 'invalid prefix "198.19.0.1": expected a.b.c.d/length'],
    ['198.19.0/24', 4, 'invalid prefix "198.19.0/24": "198.19.0" is not an IPv4 address'],
    ['fd00::/8', 4, 'invalid prefix "fd00::/8": "fd00::" is not an IPv4 address'],
    ['198.19.0.0/24', 6, 'invalid prefix "198.19.0.0/24": "198.19.0.0" is not an IPv6 address'],
    ['198.19.0.0/33', undefined, 'invalid prefix "198.19.0.0/33": length "33" is not an integer from 0 to 32'],
    ['198.19.0.0/024', undefined, 'invalid prefix "198.19.0.0/024": length "024" is not an integer from 0 to 32'],
    ['198.19.0.0/', undefined, 'invalid prefix "198.19.0.0/": length "" is not an integer from 0 to 32'],
    ['198.19.0.0/2a', undefined, 'invalid prefix "198.19.0.0/2a": length "2a" is not an integer from 0 to 32'],
    ['fd00::/129', undefined, 'invalid prefix "fd00::/129": length "129" is not an integer from 0 to 128'],
    ['198.19.0.5/24', undefined, 'invalid prefix "198.19.0.5/24": host bits are set (the network is 198.19.0.0/24)'],
    ['fd00::1/64', undefined, 'invalid prefix "fd00::1/64": host bits are set (the network is fd00::/64)'],
  ] as const)('refuses %j (family %s)', (text, family, message) => {
    expect(() => parsePrefix(text, family)).toThrow(message);
    try {
      parsePrefix(text, family);
    } catch (error) {
      expect(error).toBeInstanceOf(AddressError);
      expect(error).toMatchObject({ kind: 'prefix', input: text });
    }
  });
});

describe('parseCidr (lenient, as net.ParseCIDR)', () => {
  it.each([
    ['198.19.0.77/24', '198.19.0.0/24'],
    ['198.19.1.255/23', '198.19.0.0/23'],
    ['255.255.255.255/0', '0.0.0.0/0'],
    ['fd00::1:2/112', 'fd00::1:0/112'],
  ])('%s → %s', (text, network) => {
    expect(formatPrefix(parseCidr(text))).toBe(network);
  });

  it('still refuses what is not a prefix', () => {
    expect(() => parseCidr('1.2.3.4/33')).toThrow(AddressError);
    expect(() => parseCidr('1.2.3.4')).toThrow('invalid prefix "1.2.3.4"');
  });
});

describe('size, last, contains', () => {
  it.each([
    ['198.19.0.0/24', 256, '198.19.0.255'],
    ['198.19.0.10/32', 1, '198.19.0.10'],
    ['0.0.0.0/0', 2 ** 32, '255.255.255.255'],
  ])('%s', (text, size, last) => {
    const prefix = parsePrefix(text, 4);
    expect(prefixSize(prefix)).toBe(size);
    expect(formatPrefix({ address: prefixLast(prefix), length: 32 })).toBe(`${last}/32`);
  });

  it('works for IPv6 too', () => {
    const prefix = parsePrefix('fd00::/120', 6);
    expect(prefixSize(prefix)).toBe(256n);
    expect(prefixLast(prefix)).toBe((0xfd00n << 112n) | 0xffn);
    expect(prefixSize(parsePrefix('::/0', 6))).toBe(IPV6_MAX + 1n);
  });

  it('contains only addresses of its own family inside it', () => {
    const v4 = parsePrefix('198.19.0.0/24');
    expect(prefixContains(v4, 0xc6130042)).toBe(true);
    expect(prefixContains(v4, 0xc6130100)).toBe(false);
    expect(prefixContains(v4, 0xc6130042n)).toBe(false);
    expect(prefixContains(parsePrefix('::/0'), 5n)).toBe(true);
  });

  it('any address masked to any length is the network of a prefix that contains it', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 0xffffffff }), fc.integer({ min: 0, max: 32 }), (address, length) => {
      const prefix = { address: maskAddress(address, length), length };
      expect(prefixContains(prefix, address)).toBe(true);
      expect(address).toBeLessThanOrEqual(prefixLast(prefix));
      expect(parsePrefix(formatPrefix(prefix))).toEqual(prefix);
    }), { numRuns: 1000 });
    fc.assert(fc.property(fc.bigInt({ min: 0n, max: IPV6_MAX }), fc.integer({ min: 0, max: 128 }), (address, length) => {
      const prefix = { address: maskAddress(address, length), length };
      expect(prefixContains(prefix, address)).toBe(true);
      expect(parsePrefix(formatPrefix(prefix))).toEqual(prefix);
    }), { numRuns: 1000 });
  });
});
