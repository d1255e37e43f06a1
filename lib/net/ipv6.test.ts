import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { formatIPv6, IPV6_MAX, parseIPv6 } from './ipv6.ts';

const v6 = (hex: string) => BigInt(`0x${hex.replace(/[\s_]/g, '')}`);

describe('parseIPv6 (RFC 4291 §2.2)', () => {
  it.each([
    ['2001:db8:0:0:8:800:200c:417a', v6('20010db8 00000000 00080800 200c417a')],
    ['2001:DB8::8:800:200C:417A', v6('20010db8 00000000 00080800 200c417a')],
    ['2001:0db8:0000:0000:0008:0800:200c:417a', v6('20010db8 00000000 00080800 200c417a')],
    ['ff01::101', v6('ff010000 00000000 00000000 00000101')],
    ['::1', 1n],
    ['::', 0n],
    ['1::', 1n << 112n],
    ['fd00::', v6('fd00') << 112n],
    ['1:2:3:4:5:6:7::', v6('00010002 00030004 00050006 00070000')],
    ['::2:3:4:5:6:7:8', v6('00000002 00030004 00050006 00070008')],
    ['0:0:0:0:0:0:13.1.68.3', v6('0000000000000000 00000000 0d014403')],
    ['::13.1.68.3', v6('0d014403')],
    ['::ffff:129.144.52.38', v6('0000ffff 81903426')],
    ['64:ff9b::192.0.2.33', v6('0064ff9b 00000000 00000000 c0000221')],
    ['1:2:3:4:5:6:1.2.3.4', v6('00010002 00030004 00050006 01020304')],
    ['ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff', IPV6_MAX],
  ])('%s', (text, value) => {
    expect(parseIPv6(text)).toBe(value);
  });

  it.each([
    '', ':', ':::', '1:2:3:4:5:6:7', '1:2:3:4:5:6:7:8:9', '1::2::3', '1:::2', ':1::2', '1::2:', '12345::', 'g::1',
    '1:2:3:4:5:6:7:8::', '::1:2:3:4:5:6:7:8', '1:2:3:4:5:6:7::8', '::1.2.3', '::1.2.3.04', '1.2.3.4::', '::1.2.3.4:5',
    '1:2:3:4:5:6:7:1.2.3.4', 'fe80::1%eth0', '[::1]', '::1/128', ' ::1', '1.2.3.4', '::-1',
  ])('refuses %j', (text) => {
    expect(parseIPv6(text)).toBeUndefined();
  });
});

describe('formatIPv6 (RFC 5952 §4 canonical form)', () => {
  it.each([
    ['2001:db8:0:0:0:0:2:1', '2001:db8::2:1'], // §4.2.1 longest run, §4.1 no leading zeros
    ['2001:db8:0:1:1:1:1:1', '2001:db8:0:1:1:1:1:1'], // §4.2.2 a single 0 group stays
    ['2001:0:0:1:0:0:0:1', '2001:0:0:1::1'], // §4.2.3 the longest run wins
    ['2001:db8:0:0:1:0:0:1', '2001:db8::1:0:0:1'], // §4.2.3 ties: the first run
    ['2001:DB8::AAAA', '2001:db8::aaaa'], // §4.3 lower case
    ['0:0:0:0:0:0:0:0', '::'],
    ['0:0:0:0:0:0:0:1', '::1'],
    ['1:0:0:0:0:0:0:0', '1::'],
    ['::ffff:192.0.2.1', '::ffff:192.0.2.1'], // §5 IPv4-mapped in mixed notation
    ['::ffff:0:0', '::ffff:0.0.0.0'],
    ['::1.2.3.4', '::102:304'], // deprecated IPv4-compatible form: plain hex
    ['fd00:0:0:0:0:0:0:a', 'fd00::a'],
  ])('%s → %s', (text, canonical) => {
    expect(formatIPv6(parseIPv6(text)!)).toBe(canonical);
  });

  const address = fc.bigInt({ min: 0n, max: IPV6_MAX });
  // Addresses with runs of zero groups, where compression choices matter.
  const sparse = fc.array(fc.constantFrom(0, 0, 0, 1, 0xffff, 0xdb8), { minLength: 8, maxLength: 8 })
    .map((groups) => groups.reduce((v, g) => (v << 16n) | BigInt(g), 0n));

  it('round-trips any address through format and parse', () => {
    fc.assert(fc.property(fc.oneof(address, sparse), (value) => parseIPv6(formatIPv6(value)) === value), { numRuns: 3000 });
  });

  it('any spelling of an address (full, leading zeros, upper case) formats to the same canonical text', () => {
    fc.assert(fc.property(fc.oneof(address, sparse), fc.boolean(), (value, upper) => {
      const groups = Array.from({ length: 8 }, (_, i) => ((value >> BigInt(112 - 16 * i)) & 0xffffn).toString(16).padStart(4, '0'));
      const full = groups.join(':');
      expect(formatIPv6(parseIPv6(upper ? full.toUpperCase() : full)!)).toBe(formatIPv6(value));
    }), { numRuns: 1000 });
  });

  it('the canonical text never has two "::", never compresses a single zero group, and is lower case', () => {
    fc.assert(fc.property(fc.oneof(address, sparse), (value) => {
      const text = formatIPv6(value);
      expect(text.split('::').length).toBeLessThanOrEqual(2);
      expect(text).toBe(text.toLowerCase());
      if (text.includes('::') && !text.startsWith('::ffff:')) expect(text.split(':').filter((g) => g !== '').length).toBeLessThanOrEqual(6);
    }), { numRuns: 1000 });
  });
});
