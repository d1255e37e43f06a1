import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { formatCommunity, isCommunityValue, parseCommunity } from './bgp-community.ts';

describe('BGP communities (RFC 1997)', () => {
  it.each([
    ['64512:1', 4227858433],
    ['0:0', 0],
    ['65535:65535', 0xffffffff],
    ['65535:65281', 0xffffff01],
  ])('%s ↔ %i', (text, value) => {
    expect(parseCommunity(text)).toBe(value);
    expect(formatCommunity(value)).toBe(text);
  });

  it.each([
    ['65536:1', '"65536:1" is not a community (expected a:b with a and b in 0..65535)'],
    ['1:-2', '"1:-2" is not a community'],
    ['1', '"1" is not a community'],
    ['a:b', '"a:b" is not a community'],
    ['1:2:3', '"1:2:3" looks like a large community, which this speaker does not support (use a:b)'],
    ['', '"" is not a community'],
  ])('refuses %j', (text, message) => {
    expect(() => parseCommunity(text)).toThrow(message);
  });

  it('round-trips any uint32', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 0xffffffff }), (value) => parseCommunity(formatCommunity(value)) === value));
  });

  it('knows a community value when it sees one', () => {
    expect([0, 0xffffffff, 1.5, -1, 2 ** 32, '1:2'].map(isCommunityValue)).toEqual([true, true, false, false, false, false]);
  });
});
