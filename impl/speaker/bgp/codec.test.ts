import { describe, expect, it } from 'vitest';
import { BgpMessageError } from './errors.ts';
import { decodeMessage, encodeMessage, type BgpMessage, type CodecOptions, type UpdateMessage } from './codec.ts';

const FOUR: CodecOptions = { fourOctetAs: true };
const TWO: CodecOptions = { fourOctetAs: false };

const hex = (text: string) => Buffer.from(text.replace(/\s+/g, ''), 'hex');
const MARKER = 'ff'.repeat(16);

/** A whole message from a type and a body, with the length computed. */
function frame(type: number, body: Buffer | string): Buffer {
  const bytes = typeof body === 'string' ? hex(body) : body;
  const header = hex(`${MARKER}0000${type.toString(16).padStart(2, '0')}`);
  header.writeUInt16BE(19 + bytes.length, 16);
  return Buffer.concat([header, bytes]);
}

/** An UPDATE from raw withdrawn, attribute and NLRI hex. */
function rawUpdate(withdrawn: string, attributes: string, nlri: string): Buffer {
  const w = hex(withdrawn);
  const a = hex(attributes);
  const lengths = Buffer.alloc(4);
  lengths.writeUInt16BE(w.length, 0);
  const body = Buffer.concat([lengths.subarray(0, 2), w, Buffer.from([a.length >> 8, a.length & 0xff]), a, hex(nlri)]);
  return frame(2, body);
}

// Attributes of a valid route, hand-encoded from RFC 4271 §4.3 (4-octet AS_PATH, RFC 6793).
const ORIGIN_INCOMPLETE = '40 01 01 02';
const AS_PATH_64512 = '40 02 06 02 01 0000fc00';
const NEXT_HOP_NODE = '40 03 04 c6 12 00 0b';
const VALID_ATTRIBUTES = ORIGIN_INCOMPLETE + AS_PATH_64512 + NEXT_HOP_NODE;
const NLRI_ONE = '20 c6 13 00 0a';

function decodeError(buffer: Buffer, options: CodecOptions = FOUR): BgpMessageError {
  try {
    decodeMessage(buffer, options);
  } catch (error) {
    if (error instanceof BgpMessageError) return error;
    throw error;
  }
  throw new Error('expected the message to be refused');
}

describe('fixed byte vectors (RFC 4271 §4 layouts)', () => {
  it('KEEPALIVE is 16×0xff, length 19, type 4', () => {
    const bytes = hex(`${MARKER} 0013 04`);
    expect(encodeMessage({ type: 'keepalive' }, FOUR)).toEqual(bytes);
    expect(decodeMessage(bytes, FOUR)).toEqual({ type: 'keepalive' });
  });

  it('OPEN with multiprotocol IPv4 unicast, 4-octet AS and route refresh', () => {
    const bytes = hex(`${MARKER} 0031 01  04 fc00 005a c612000b 14
      02 06 01 04 0001 00 01
      02 06 41 04 0000fc00
      02 02 02 00`);
    const open: BgpMessage = {
      type: 'open', version: 4, myAs: 64512, holdTime: 90, bgpId: '198.18.0.11',
      capabilities: [{ kind: 'multiprotocol', afi: 1, safi: 1 }, { kind: 'four-octet-as', asn: 64512 }, { kind: 'route-refresh' }],
    };
    expect(encodeMessage(open, FOUR)).toEqual(bytes);
    expect(decodeMessage(bytes, TWO)).toEqual(open);
  });

  it('OPEN of a 4-octet ASN carries AS_TRANS (23456 = 0x5ba0) in My AS', () => {
    const bytes = hex(`${MARKER} 0025 01  04 5ba0 00b4 01020304 08  02 06 41 04 0001 0000`);
    expect(decodeMessage(bytes, TWO)).toEqual({
      type: 'open', version: 4, myAs: 23456, holdTime: 180, bgpId: '1.2.3.4', capabilities: [{ kind: 'four-octet-as', asn: 65536 }],
    });
  });

  it('UPDATE with withdrawn routes, every common attribute and NLRI', () => {
    const attributes = `${ORIGIN_INCOMPLETE}${AS_PATH_64512}${NEXT_HOP_NODE} 40 05 04 00000064 c0 08 04 fc000001`;
    const bytes = hex(`${MARKER} 0046 02  0005 20c6130001  0022 ${attributes}  20c613000a 10c613`);
    const update: UpdateMessage = {
      type: 'update',
      withdrawn: ['198.19.0.1/32'],
      attributes: {
        origin: 2, asPath: [{ type: 'sequence', asns: [64512] }], nextHop: '198.18.0.11', localPref: 100, communities: [(64512 << 16 | 1) >>> 0],
      },
      nlri: ['198.19.0.10/32', '198.19.0.0/16'],
    };
    expect(encodeMessage(update, FOUR)).toEqual(bytes);
    expect(decodeMessage(bytes, FOUR)).toEqual(update);
  });

  it('UPDATE with a 2-octet AS_PATH, MED, ATOMIC_AGGREGATE and a 2-octet AGGREGATOR', () => {
    const attributes = '40 01 01 00  40 02 04 02 01 fde8  40 03 04 0a000001  80 04 04 00000005  40 06 00  c0 07 06 fde8 0a000002';
    const bytes = rawUpdate('', attributes, '18 c61300');
    expect(decodeMessage(bytes, TWO)).toEqual({
      type: 'update', withdrawn: [],
      attributes: {
        origin: 0, asPath: [{ type: 'sequence', asns: [65000] }], nextHop: '10.0.0.1', multiExitDisc: 5, atomicAggregate: true,
        aggregator: { asn: 65000, address: '10.0.0.2' },
      },
      nlri: ['198.19.0.0/24'],
    });
    expect(encodeMessage(decodeMessage(bytes, TWO), TWO)).toEqual(bytes);
  });

  it('UPDATE with only withdrawn routes needs no attributes; bits past the prefix length are cleared', () => {
    expect(decodeMessage(rawUpdate('20 c6130001 17 c61301 00', '', ''), FOUR)).toEqual({
      type: 'update', withdrawn: ['198.19.0.1/32', '198.19.0.0/23', '0.0.0.0/0'], attributes: {}, nlri: [],
    });
  });

  it('AS_SET and AS_SEQUENCE segments, 4-octet ASNs above 65535', () => {
    const attributes = `${ORIGIN_INCOMPLETE} 40 02 10 02 01 00010000 01 02 0000fde8 fffffffe ${NEXT_HOP_NODE}`;
    const message = decodeMessage(rawUpdate('', attributes, NLRI_ONE), FOUR) as UpdateMessage;
    expect(message.attributes.asPath).toEqual([{ type: 'sequence', asns: [65536] }, { type: 'set', asns: [65000, 4294967294] }]);
  });

  it('NOTIFICATION carries code, subcode and data', () => {
    const bytes = hex(`${MARKER} 0017 03 06 02 01 41`);
    const message: BgpMessage = { type: 'notification', code: 6, subcode: 2, data: Buffer.from([1, 0x41]) };
    expect(encodeMessage(message, FOUR)).toEqual(bytes);
    expect(decodeMessage(bytes, FOUR)).toEqual(message);
    expect(decodeMessage(hex(`${MARKER} 0015 03 04 00`), FOUR)).toEqual({ type: 'notification', code: 4, subcode: 0, data: Buffer.alloc(0) });
  });

  it('ROUTE-REFRESH for IPv4 unicast (RFC 2918)', () => {
    const bytes = hex(`${MARKER} 0017 05 0001 00 01`);
    expect(encodeMessage({ type: 'route-refresh', afi: 1, safi: 1 }, FOUR)).toEqual(bytes);
    expect(decodeMessage(bytes, FOUR)).toEqual({ type: 'route-refresh', afi: 1, safi: 1 });
  });

  it('unknown capabilities are kept; unknown optional transitive attributes are kept with the Partial bit; unknown non-transitive ones are dropped', () => {
    const open = decodeMessage(hex(`${MARKER} 0023 01 04 fc00 005a 01020304 06 02 04 46 02 abcd`), FOUR);
    expect(open).toMatchObject({ capabilities: [{ kind: 'other', code: 70, value: hex('abcd') }] });
    // 240 is unassigned (IANA), so no attribute the table may gain later.
    const attributes = `${VALID_ATTRIBUTES} c0 f0 0c 0000fc00 00000001 00000002  80 63 02 beef`;
    const update = decodeMessage(rawUpdate('', attributes, NLRI_ONE), FOUR) as UpdateMessage;
    expect(update.attributes.other).toEqual([{ flags: 0xe0, type: 240, value: hex('0000fc00 00000001 00000002') }]);
    // Re-encoded for propagation: same attribute, Partial bit set.
    const again = encodeMessage(update, FOUR);
    expect(again.includes(hex('e0 f0 0c 0000fc00'))).toBe(true);
  });

  it('attributes longer than 255 octets use the Extended Length bit', () => {
    const communities = Array.from({ length: 100 }, (_, i) => i + 1);
    const bytes = encodeMessage({ type: 'update', withdrawn: [], nlri: ['198.19.0.1/32'], attributes: { origin: 2, asPath: [], nextHop: '198.18.0.11', communities } }, FOUR);
    expect(bytes.includes(hex('d0 08 0190 00000001'))).toBe(true);
    expect((decodeMessage(bytes, FOUR) as UpdateMessage).attributes.communities).toEqual(communities);
  });
});

describe('validation → NOTIFICATION code/subcode (RFC 4271 §6)', () => {
  const cases: { name: string; bytes: () => Buffer; code: number; subcode: number; data?: string; options?: CodecOptions }[] = [
    // §6.1 message header
    { name: 'marker not all ones', bytes: () => hex(`${'ff'.repeat(15)}fe 0013 04`), code: 1, subcode: 1 },
    { name: 'length below 19', bytes: () => hex(`${MARKER} 0012 04`), code: 1, subcode: 2, data: '0012' },
    { name: 'length above 4096', bytes: () => Buffer.concat([hex(`${MARKER} 1001 02`), Buffer.alloc(4078)]), code: 1, subcode: 2, data: '1001' },
    { name: 'unknown message type', bytes: () => hex(`${MARKER} 0013 09`), code: 1, subcode: 3, data: '09' },
    { name: 'KEEPALIVE longer than 19', bytes: () => hex(`${MARKER} 0014 04 00`), code: 1, subcode: 2, data: '0014' },
    { name: 'OPEN shorter than 29', bytes: () => frame(1, '04 fc00 005a 01020304'), code: 1, subcode: 2, data: '001c' },
    { name: 'UPDATE shorter than 23', bytes: () => frame(2, '0000'), code: 1, subcode: 2, data: '0015' },
    { name: 'NOTIFICATION shorter than 21', bytes: () => frame(3, '06'), code: 1, subcode: 2, data: '0014' },
    { name: 'ROUTE-REFRESH not 23 long', bytes: () => frame(5, '0001 00 01 00'), code: 1, subcode: 2, data: '0018' },
    { name: 'header says more octets than given', bytes: () => hex(`${MARKER} 0020 04`), code: 1, subcode: 2, data: '0020' },
    // §6.2 OPEN
    { name: 'version 3', bytes: () => frame(1, '03 fc00 005a 01020304 00'), code: 2, subcode: 1, data: '0004' },
    { name: 'hold time 1', bytes: () => frame(1, '04 fc00 0001 01020304 00'), code: 2, subcode: 6 },
    { name: 'hold time 2', bytes: () => frame(1, '04 fc00 0002 01020304 00'), code: 2, subcode: 6 },
    { name: 'BGP identifier 0.0.0.0', bytes: () => frame(1, '04 fc00 005a 00000000 00'), code: 2, subcode: 3 },
    { name: 'optional parameter other than capabilities', bytes: () => frame(1, '04 fc00 005a 01020304 04 01 02 0000'), code: 2, subcode: 4 },
    { name: 'optional parameters length disagrees with the message', bytes: () => frame(1, '04 fc00 005a 01020304 05 02 02 0200'), code: 2, subcode: 0 },
    { name: 'optional parameter overruns', bytes: () => frame(1, '04 fc00 005a 01020304 04 02 07 0200'), code: 2, subcode: 0 },
    { name: 'multiprotocol capability of the wrong length', bytes: () => frame(1, '04 fc00 005a 01020304 05 02 03 01 01 01'), code: 2, subcode: 0 },
    { name: '4-octet AS capability of the wrong length', bytes: () => frame(1, '04 fc00 005a 01020304 05 02 03 41 01 01'), code: 2, subcode: 0 },
    // §6.3 UPDATE
    { name: 'withdrawn routes length too large', bytes: () => frame(2, '0010 20c6130001 0000'), code: 3, subcode: 1 },
    { name: 'total attribute length too large', bytes: () => frame(2, '0000 0030 40010102'), code: 3, subcode: 1 },
    { name: 'attribute overruns the attribute list', bytes: () => rawUpdate('', '40 03 09 c612000b', ''), code: 3, subcode: 1 },
    { name: 'truncated attribute header', bytes: () => rawUpdate('', `${VALID_ATTRIBUTES} c0`, ''), code: 3, subcode: 1 },
    { name: 'attribute appears twice', bytes: () => rawUpdate('', VALID_ATTRIBUTES + ORIGIN_INCOMPLETE, NLRI_ONE), code: 3, subcode: 1 },
    { name: 'unrecognized well-known attribute', bytes: () => rawUpdate('', `${VALID_ATTRIBUTES} 40 63 01 00`, NLRI_ONE), code: 3, subcode: 2, data: '40630100' },
    { name: 'missing ORIGIN', bytes: () => rawUpdate('', AS_PATH_64512 + NEXT_HOP_NODE, NLRI_ONE), code: 3, subcode: 3, data: '01' },
    { name: 'missing AS_PATH', bytes: () => rawUpdate('', ORIGIN_INCOMPLETE + NEXT_HOP_NODE, NLRI_ONE), code: 3, subcode: 3, data: '02' },
    { name: 'missing NEXT_HOP', bytes: () => rawUpdate('', ORIGIN_INCOMPLETE + AS_PATH_64512, NLRI_ONE), code: 3, subcode: 3, data: '03' },
    { name: 'ORIGIN marked optional', bytes: () => rawUpdate('', `c0 01 01 02${AS_PATH_64512}${NEXT_HOP_NODE}`, NLRI_ONE), code: 3, subcode: 4, data: 'c0010102' },
    { name: 'well-known NEXT_HOP with the Partial bit', bytes: () => rawUpdate('', `${ORIGIN_INCOMPLETE}${AS_PATH_64512} 60 03 04 c612000b`, NLRI_ONE), code: 3, subcode: 4, data: '600304c612000b' },
    { name: 'MULTI_EXIT_DISC marked transitive', bytes: () => rawUpdate('', `${VALID_ATTRIBUTES} c0 04 04 00000001`, NLRI_ONE), code: 3, subcode: 4, data: 'c00404 00000001' },
    { name: 'COMMUNITIES marked well-known', bytes: () => rawUpdate('', `${VALID_ATTRIBUTES} 40 08 04 fc000001`, NLRI_ONE), code: 3, subcode: 4, data: '400804fc000001' },
    { name: 'ORIGIN of length 2', bytes: () => rawUpdate('', `40 01 02 0200${AS_PATH_64512}${NEXT_HOP_NODE}`, NLRI_ONE), code: 3, subcode: 5, data: '40010202 00' },
    { name: 'NEXT_HOP of length 3', bytes: () => rawUpdate('', `${ORIGIN_INCOMPLETE}${AS_PATH_64512} 40 03 03 c61200`, NLRI_ONE), code: 3, subcode: 5, data: '400303c61200' },
    { name: 'LOCAL_PREF of length 2', bytes: () => rawUpdate('', `${VALID_ATTRIBUTES} 40 05 02 0064`, NLRI_ONE), code: 3, subcode: 5, data: '4005020064' },
    { name: 'ATOMIC_AGGREGATE with a value', bytes: () => rawUpdate('', `${VALID_ATTRIBUTES} 40 06 01 00`, NLRI_ONE), code: 3, subcode: 5, data: '40060100' },
    { name: 'COMMUNITIES not a multiple of 4', bytes: () => rawUpdate('', `${VALID_ATTRIBUTES} c0 08 06 fc0000010000`, NLRI_ONE), code: 3, subcode: 5, data: 'c00806fc0000010000' },
    { name: '2-octet AGGREGATOR on a 4-octet session', bytes: () => rawUpdate('', `${VALID_ATTRIBUTES} c0 07 06 fde8 0a000002`, NLRI_ONE), code: 3, subcode: 5, data: 'c00706fde80a000002' },
    { name: '4-octet AGGREGATOR on a 2-octet session', bytes: () => rawUpdate('', `${ORIGIN_INCOMPLETE} 40 02 04 02 01 fc00 ${NEXT_HOP_NODE} c0 07 08 0000fde8 0a000002`, NLRI_ONE), code: 3, subcode: 5, data: 'c007080000fde80a000002', options: TWO },
    { name: 'ORIGIN value 3', bytes: () => rawUpdate('', `40 01 01 03${AS_PATH_64512}${NEXT_HOP_NODE}`, NLRI_ONE), code: 3, subcode: 6, data: '40010103' },
    { name: 'NEXT_HOP 0.0.0.0', bytes: () => rawUpdate('', `${ORIGIN_INCOMPLETE}${AS_PATH_64512} 40 03 04 00000000`, NLRI_ONE), code: 3, subcode: 8, data: '40030400000000' },
    { name: 'NEXT_HOP multicast 224.0.0.1', bytes: () => rawUpdate('', `${ORIGIN_INCOMPLETE}${AS_PATH_64512} 40 03 04 e0000001`, NLRI_ONE), code: 3, subcode: 8, data: '400304e0000001' },
    { name: 'NEXT_HOP broadcast', bytes: () => rawUpdate('', `${ORIGIN_INCOMPLETE}${AS_PATH_64512} 40 03 04 ffffffff`, NLRI_ONE), code: 3, subcode: 8, data: '400304ffffffff' },
    { name: 'NLRI prefix length 33', bytes: () => rawUpdate('', VALID_ATTRIBUTES, '21 c6130001 00'), code: 3, subcode: 10 },
    { name: 'withdrawn prefix length 40', bytes: () => rawUpdate('28 c6130001 00', '', ''), code: 3, subcode: 10 },
    { name: 'truncated NLRI prefix', bytes: () => rawUpdate('', VALID_ATTRIBUTES, '20 c613'), code: 3, subcode: 10 },
    { name: 'AS_PATH segment type 7', bytes: () => rawUpdate('', `${ORIGIN_INCOMPLETE} 40 02 06 07 01 0000fc00 ${NEXT_HOP_NODE}`, NLRI_ONE), code: 3, subcode: 11 },
    { name: 'AS_PATH segment overruns', bytes: () => rawUpdate('', `${ORIGIN_INCOMPLETE} 40 02 06 02 02 0000fc00 ${NEXT_HOP_NODE}`, NLRI_ONE), code: 3, subcode: 11 },
    { name: 'AS_PATH with 2-octet ASNs on a 4-octet session', bytes: () => rawUpdate('', `${ORIGIN_INCOMPLETE} 40 02 04 02 01 fc00 ${NEXT_HOP_NODE}`, NLRI_ONE), code: 3, subcode: 11 },
    { name: 'AS_PATH segment with no ASNs', bytes: () => rawUpdate('', `${ORIGIN_INCOMPLETE} 40 02 02 02 00 ${NEXT_HOP_NODE}`, NLRI_ONE), code: 3, subcode: 11 },
  ];

  for (const c of cases) {
    it(`${c.name} → ${c.code}/${c.subcode}`, () => {
      const error = decodeError(c.bytes(), c.options);
      expect({ code: error.code, subcode: error.subcode }).toEqual({ code: c.code, subcode: c.subcode });
      if (c.data !== undefined) expect(error.data.toString('hex')).toBe(c.data.replace(/\s+/g, ''));
      expect(error.message).toMatch(/at byte \d+/);
    });
  }

  it('hold time 0 and 3 are acceptable', () => {
    expect(decodeMessage(frame(1, '04 fc00 0000 01020304 00'), FOUR)).toMatchObject({ holdTime: 0 });
    expect(decodeMessage(frame(1, '04 fc00 0003 01020304 00'), FOUR)).toMatchObject({ holdTime: 3 });
  });

  it('the error names the byte offset of the fault', () => {
    const error = decodeError(rawUpdate('', `40 01 01 03${AS_PATH_64512}${NEXT_HOP_NODE}`, NLRI_ONE));
    expect(error.offset).toBe(23 + 3); // the ORIGIN value octet
  });
});

describe('encoding refuses what does not fit', () => {
  it('a 4-octet ASN in a 2-octet AS_PATH', () => {
    expect(() => encodeMessage({ type: 'update', withdrawn: [], nlri: [], attributes: { asPath: [{ type: 'sequence', asns: [70000] }] } }, TWO))
      .toThrow(/AS_PATH ASN.*70000.*16 bits/);
  });
  it('an UPDATE over 4096 octets', () => {
    const nlri = Array.from({ length: 900 }, (_, i) => `198.19.${i >> 8}.${i & 255}/32`);
    expect(() => encodeMessage({ type: 'update', withdrawn: [], nlri, attributes: { origin: 2, asPath: [], nextHop: '198.18.0.11' } }, FOUR))
      .toThrow(/more than the 4096-octet maximum/);
  });
  it('a prefix with host bits set', () => {
    expect(() => encodeMessage({ type: 'update', withdrawn: ['198.19.0.5/24'], nlri: [], attributes: {} }, FOUR)).toThrow(/host bits/);
  });
});
