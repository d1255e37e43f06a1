// The attribute table, entry by entry: each attribute's byte vector both
// ways, what it prints as, and the RFC 7606 action its errors carry.
import { describe, expect, it } from 'vitest';
import { decodePathAttributes, encodePathAttributes } from './attribute-list.ts';
import { attributeName, describePathAttributes, PATH_ATTRIBUTES, type CodecOptions, type PathAttributes } from './attributes.ts';
import { BgpMessageError } from './errors.ts';

const FOUR: CodecOptions = { fourOctetAs: true };
const TWO: CodecOptions = { fourOctetAs: false };
const hex = (text: string) => Buffer.from(text.replace(/\s+/g, ''), 'hex');

function decode(bytes: string, options = FOUR): PathAttributes {
  const buffer = hex(bytes);
  return decodePathAttributes(buffer, 0, buffer.length, options).attributes;
}

function refusal(bytes: string, options = FOUR): BgpMessageError {
  try {
    decode(bytes, options);
  } catch (error) {
    if (error instanceof BgpMessageError) return error;
    throw error;
  }
  throw new Error(`expected ${bytes} to be refused`);
}

describe('one entry per attribute', () => {
  const cases: { name: string; bytes: string; attributes: PathAttributes; printed: string; options?: CodecOptions }[] = [
    { name: 'ORIGIN', bytes: '40 01 01 02', attributes: { origin: 2 }, printed: 'ORIGIN incomplete' },
    { name: 'AS_PATH', bytes: '40 02 10 02 02 0000fc00 0000fde8 01 01 00010000', attributes: { asPath: [{ type: 'sequence', asns: [64512, 65000] }, { type: 'set', asns: [65536] }] }, printed: 'AS_PATH 64512 65000 {65536}' },
    { name: 'AS_PATH', bytes: '40 02 00', attributes: { asPath: [] }, printed: 'AS_PATH (empty)' },
    { name: 'NEXT_HOP', bytes: '40 03 04 c612000b', attributes: { nextHop: '198.18.0.11' }, printed: 'NEXT_HOP 198.18.0.11' },
    { name: 'MULTI_EXIT_DISC', bytes: '80 04 04 00000005', attributes: { multiExitDisc: 5 }, printed: 'MULTI_EXIT_DISC 5' },
    { name: 'LOCAL_PREF', bytes: '40 05 04 00000064', attributes: { localPref: 100 }, printed: 'LOCAL_PREF 100' },
    { name: 'ATOMIC_AGGREGATE', bytes: '40 06 00', attributes: { atomicAggregate: true }, printed: 'ATOMIC_AGGREGATE set' },
    { name: 'AGGREGATOR', bytes: 'c0 07 08 0000fde8 0a000002', attributes: { aggregator: { asn: 65000, address: '10.0.0.2' } }, printed: 'AGGREGATOR AS65000 10.0.0.2' },
    { name: 'AGGREGATOR', bytes: 'c0 07 06 fde8 0a000002', attributes: { aggregator: { asn: 65000, address: '10.0.0.2' } }, printed: 'AGGREGATOR AS65000 10.0.0.2', options: TWO },
    { name: 'COMMUNITIES', bytes: 'c0 08 08 fc000001 ffffff01', attributes: { communities: [0xfc000001, 0xffffff01] }, printed: 'COMMUNITIES 64512:1 65535:65281' },
  ];

  for (const c of cases) {
    it(`${c.name}: ${c.bytes}`, () => {
      const options = c.options ?? FOUR;
      expect(decode(c.bytes, options)).toEqual(c.attributes);
      expect(encodePathAttributes(c.attributes, options)).toEqual(hex(c.bytes));
      expect(describePathAttributes(c.attributes)).toBe(c.printed);
    });
  }

  it('covers every entry of the table, in type-code order', () => {
    expect(PATH_ATTRIBUTES.map((d) => d.name)).toEqual([...new Set(cases.map((c) => c.name))]);
    const codes = PATH_ATTRIBUTES.map((d) => d.code);
    expect(codes).toEqual([...codes].sort((a, b) => a - b));
    for (const d of PATH_ATTRIBUTES) expect(attributeName(d.code)).toBe(d.name);
    expect(attributeName(14)).toBe('MP_REACH_NLRI');
    expect(attributeName(99)).toBe('attribute 99');
  });

  it('sends nothing for an empty community list or an unset ATOMIC_AGGREGATE', () => {
    expect(encodePathAttributes({ communities: [], atomicAggregate: false }, FOUR)).toEqual(Buffer.alloc(0));
  });
});

describe('errors carry the RFC 7606 action of the attribute (§7)', () => {
  it.each([
    ['ORIGIN value 3', '40 01 01 03', 6, 'treat-as-withdraw'],
    ['ORIGIN of length 2', '40 01 02 0200', 5, 'treat-as-withdraw'],
    ['ORIGIN marked optional', 'c0 01 01 02', 4, 'treat-as-withdraw'],
    ['AS_PATH segment type 7', '40 02 06 07 01 0000fc00', 11, 'treat-as-withdraw'],
    ['NEXT_HOP 0.0.0.0', '40 03 04 00000000', 8, 'treat-as-withdraw'],
    ['MULTI_EXIT_DISC marked transitive', 'c0 04 04 00000001', 4, 'treat-as-withdraw'],
    ['LOCAL_PREF of length 2', '40 05 02 0064', 5, 'treat-as-withdraw'],
    ['ATOMIC_AGGREGATE with a value', '40 06 01 00', 5, 'attribute-discard'],
    ['2-octet AGGREGATOR on a 4-octet session', 'c0 07 06 fde8 0a000002', 5, 'attribute-discard'],
    ['COMMUNITIES not a multiple of 4', 'c0 08 06 fc0000010000', 5, 'treat-as-withdraw'],
    ['an attribute twice', '40 01 01 02 40 01 01 02', 1, 'attribute-discard'],
    ['an attribute overrunning the list', '40 03 09 c612000b', 1, 'session-reset'],
    ['an unrecognized well-known attribute', '40 63 01 00', 2, 'session-reset'],
  ])('%s → 3/%i, %s', (_name, bytes, subcode, action) => {
    const error = refusal(bytes);
    expect({ code: error.code, subcode: error.subcode, action: error.action }).toEqual({ code: 3, subcode, action });
  });
});
