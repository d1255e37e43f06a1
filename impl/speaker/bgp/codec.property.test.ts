// Property tests of the decoder: valid messages round-trip, and nothing a peer
// can send (random bytes, mutated valid messages, any chunking) makes the
// decoder throw anything but a BgpMessageError that maps to a NOTIFICATION
// RFC 4271 defines.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { BgpMessageError } from './errors.ts';
import { decodeMessage, encodeMessage, type BgpMessage, type CodecOptions, type PathAttributes } from './codec.ts';
import { MessageReader } from './message-reader.ts';
import { attributeDescriptor, AttributeType } from './attributes.ts';
import { formatIPv4, maskIPv4 } from '../../../lib/net/index.ts';

/** Subcodes the decoder may produce, per error code (the session adds 2/2 and 2/7). */
const decoderSubcodes: Record<number, number[]> = {
  1: [1, 2, 3],
  2: [0, 1, 3, 4, 6],
  3: [1, 2, 3, 4, 5, 6, 8, 10, 11],
};

function expectValidNotification(error: unknown): void {
  expect(error).toBeInstanceOf(BgpMessageError);
  const { code, subcode, data } = error as BgpMessageError;
  expect(decoderSubcodes[code], `code ${code}`).toBeDefined();
  expect(decoderSubcodes[code]).toContain(subcode);
  // A NOTIFICATION carrying this data must itself fit in a message.
  expect(() => encodeMessage({ type: 'notification', code, subcode, data }, { fourOctetAs: true })).not.toThrow();
}

const u8 = fc.integer({ min: 0, max: 0xff });
const u16 = fc.integer({ min: 0, max: 0xffff });
const u32 = fc.integer({ min: 0, max: 0xffffffff });
const address = u32.map(formatIPv4);
const unicastAddress = fc.integer({ min: 0x01000000, max: 0xdfffffff }).map(formatIPv4);
const prefix = fc.tuple(u32, fc.integer({ min: 0, max: 32 })).map(([a, length]) => `${formatIPv4(maskIPv4(a, length))}/${length}`);

function asn(options: CodecOptions) {
  return options.fourOctetAs ? u32 : u16;
}

function pathAttributes(options: CodecOptions, needRoute: boolean): fc.Arbitrary<PathAttributes> {
  const segment = fc.record({
    type: fc.constantFrom('set', 'sequence', 'confed-sequence', 'confed-set') as fc.Arbitrary<'set' | 'sequence' | 'confed-sequence' | 'confed-set'>,
    asns: fc.array(asn(options), { minLength: 1, maxLength: 8 }),
  });
  const other = fc.uniqueArray(
    fc.record({
      // Any type the table does not decode (MP_REACH_NLRI aside, whose presence changes the mandatory attributes).
      type: fc.integer({ min: 1, max: 255 }).filter((t) => !attributeDescriptor(t) && t !== AttributeType.MpReachNlri),
      value: fc.uint8Array({ maxLength: 300 }).map((a) => Buffer.from(a)),
    }),
    { selector: (o) => o.type, maxLength: 3 },
  ).map((list) => list.sort((a, b) => a.type - b.type).map((o) => ({ flags: 0xe0, ...o })));
  const optional = {
    origin: fc.integer({ min: 0, max: 2 }),
    asPath: fc.array(segment, { maxLength: 4 }),
    nextHop: unicastAddress,
    multiExitDisc: u32,
    localPref: u32,
    atomicAggregate: fc.constant(true),
    aggregator: fc.record({ asn: asn(options), address }),
    communities: fc.array(u32, { minLength: 1, maxLength: 10 }),
    other: other.filter((list) => list.length > 0),
  };
  return fc.record(optional, { requiredKeys: needRoute ? ['origin', 'asPath', 'nextHop'] : [] });
}

function validMessage(options: CodecOptions): fc.Arbitrary<BgpMessage> {
  const capability = fc.oneof(
    fc.record({ kind: fc.constant('multiprotocol' as const), afi: u16, safi: u8 }),
    fc.constant({ kind: 'route-refresh' as const }),
    fc.record({ kind: fc.constant('four-octet-as' as const), asn: u32 }),
    fc.record({
      kind: fc.constant('other' as const),
      code: u8.filter((c) => c !== 1 && c !== 2 && c !== 65),
      value: fc.uint8Array({ maxLength: 20 }).map((a) => Buffer.from(a)),
    }),
  );
  const open = fc.record({
    type: fc.constant('open' as const),
    version: fc.constant(4),
    myAs: u16,
    holdTime: u16.filter((h) => h !== 1 && h !== 2),
    bgpId: fc.integer({ min: 1, max: 0xffffffff }).map(formatIPv4),
    capabilities: fc.array(capability, { maxLength: 6 }),
  });
  const update = fc.tuple(fc.array(prefix, { maxLength: 40 }), fc.array(prefix, { maxLength: 40 })).chain(([withdrawn, nlri]) =>
    pathAttributes(options, nlri.length > 0).map((attributes) => ({ type: 'update' as const, withdrawn, attributes, nlri })));
  const notification = fc.record({
    type: fc.constant('notification' as const), code: u8, subcode: u8,
    data: fc.uint8Array({ maxLength: 64 }).map((a) => Buffer.from(a)),
  });
  const keepalive = fc.constant({ type: 'keepalive' as const });
  const routeRefresh = fc.record({ type: fc.constant('route-refresh' as const), afi: u16, safi: u8 });
  return fc.oneof(open, update, notification, keepalive, routeRefresh);
}

const optionsArbitrary = fc.constantFrom<CodecOptions>({ fourOctetAs: true }, { fourOctetAs: false });

/** Decodes, reporting any non-BgpMessageError as a test failure. */
function safeDecode(bytes: Buffer, options: CodecOptions): void {
  try {
    decodeMessage(bytes, options);
  } catch (error) {
    expectValidNotification(error);
  }
}

describe('decoder properties', () => {
  it('every valid message round-trips through encode and decode', () => {
    fc.assert(fc.property(optionsArbitrary.chain((o) => fc.tuple(fc.constant(o), validMessage(o))), ([options, message]) => {
      const bytes = encodeMessage(message, options);
      expect(decodeMessage(bytes, options)).toEqual(message);
      // and re-encoding the decoded message gives the same octets
      expect(encodeMessage(decodeMessage(bytes, options), options)).toEqual(bytes);
    }), { numRuns: 400 });
  });

  it('random bytes behind a valid marker yield a message or a BgpMessageError with a defined code/subcode', () => {
    const body = fc.uint8Array({ maxLength: 120 }).map((a) => Buffer.from(a));
    fc.assert(fc.property(optionsArbitrary, fc.integer({ min: 1, max: 6 }), body, fc.boolean(), (options, type, bytes, honestLength) => {
      const header = Buffer.alloc(19, 0xff);
      header.writeUInt16BE(honestLength ? 19 + bytes.length : (bytes.length * 7) & 0xffff, 16);
      header[18] = type;
      safeDecode(Buffer.concat([header, bytes]), options);
    }), { numRuns: 2000 });
  });

  it('entirely random buffers never throw anything but BgpMessageError', () => {
    fc.assert(fc.property(optionsArbitrary, fc.uint8Array({ maxLength: 200 }), (options, bytes) => {
      safeDecode(Buffer.from(bytes), options);
    }), { numRuns: 1000 });
  });

  it('mutated valid messages (flipped, overwritten, truncated, extended) are decoded or refused cleanly', () => {
    const mutation = fc.oneof(
      fc.record({ kind: fc.constant('set' as const), at: fc.nat(), value: u8 }),
      fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), bit: fc.integer({ min: 0, max: 7 }) }),
      fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
      fc.record({ kind: fc.constant('append' as const), bytes: fc.uint8Array({ minLength: 1, maxLength: 10 }) }),
    );
    fc.assert(fc.property(
      optionsArbitrary.chain((o) => fc.tuple(fc.constant(o), validMessage(o), fc.array(mutation, { minLength: 1, maxLength: 4 }), fc.boolean())),
      ([options, message, mutations, fixLength]) => {
        let bytes = Buffer.from(encodeMessage(message, options));
        for (const m of mutations) {
          if (m.kind === 'set') bytes[19 + (m.at % Math.max(1, bytes.length - 19))] = m.value;
          else if (m.kind === 'flip') { const i = m.at % bytes.length; bytes[i] ^= 1 << m.bit; }
          else if (m.kind === 'truncate') bytes = bytes.subarray(0, m.at % (bytes.length + 1));
          else bytes = Buffer.concat([bytes, Buffer.from(m.bytes)]);
        }
        // Often keep the header consistent so that the body checks are reached.
        if (fixLength && bytes.length >= 19 && bytes.length <= 4096) bytes.writeUInt16BE(bytes.length, 16);
        safeDecode(bytes, options);
      },
    ), { numRuns: 3000 });
  });

  it('the stream reader yields the same messages whatever the chunking', () => {
    fc.assert(fc.property(
      optionsArbitrary.chain((o) => fc.tuple(fc.constant(o), fc.array(validMessage(o), { minLength: 1, maxLength: 6 }))),
      fc.array(fc.integer({ min: 1, max: 200 }), { minLength: 1, maxLength: 30 }),
      ([options, messages], cuts) => {
        const stream = Buffer.concat(messages.map((m) => encodeMessage(m, options)));
        const reader = new MessageReader();
        reader.options = options;
        const out: BgpMessage[] = [];
        let p = 0;
        let c = 0;
        while (p < stream.length) {
          const size = cuts[c++ % cuts.length];
          reader.push(stream.subarray(p, p + size));
          p += size;
          for (let r = reader.next(); r; r = reader.next()) {
            expect(r.error).toBeUndefined();
            out.push(r.message!);
          }
        }
        expect(out).toEqual(messages);
        expect(reader.buffered).toBe(0);
      },
    ), { numRuns: 300 });
  });

  it('the stream reader turns any garbage into at most one error and then stops', () => {
    fc.assert(fc.property(fc.array(fc.uint8Array({ maxLength: 64 }), { maxLength: 20 }), (chunks) => {
      const reader = new MessageReader();
      let errors = 0;
      let afterError = 0;
      for (const chunk of chunks) {
        reader.push(Buffer.from(chunk));
        for (let r = reader.next(); r; r = reader.next()) {
          if (errors > 0) afterError++;
          if (r.error) {
            errors++;
            expectValidNotification(r.error);
          }
        }
      }
      expect(errors).toBeLessThanOrEqual(1);
      expect(afterError).toBe(0);
    }), { numRuns: 1000 });
  });
});
