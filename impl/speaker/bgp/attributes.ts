// The path attributes this speaker understands, one descriptor each: type
// code, category flags, length rule, what RFC 7606 says to do when it is
// malformed, and how its value is decoded, encoded and printed. Adding an
// attribute is one entry here (and its field in PathAttributes) plus tests;
// attribute-list.ts does the framing every attribute shares.
import { formatCommunity } from '../../../lib/bgp-community.ts';
import { formatIPv4, parseIPv4 } from '../../../lib/net/index.ts';
import { UpdateSubcode, type BgpMessageError, type Rfc7606Action } from './errors.ts';

/** What the codec needs to know about the session: the ASN width negotiated in the OPEN exchange. */
export interface CodecOptions {
  fourOctetAs: boolean;
}

export const AttributeFlag = { Optional: 0x80, Transitive: 0x40, Partial: 0x20, ExtendedLength: 0x10 } as const;

/** The category an attribute's Optional and Transitive bits must state (RFC 4271 §5). */
export const Category = {
  WellKnown: AttributeFlag.Transitive,
  OptionalTransitive: AttributeFlag.Optional | AttributeFlag.Transitive,
  OptionalNonTransitive: AttributeFlag.Optional,
} as const;

export const Origin = { Igp: 0, Egp: 1, Incomplete: 2 } as const;

export type AsPathSegmentType = 'set' | 'sequence' | 'confed-sequence' | 'confed-set';

export interface AsPathSegment {
  type: AsPathSegmentType;
  asns: number[];
}

/** An optional transitive attribute this speaker does not understand, kept for propagation. */
export interface OtherAttribute {
  flags: number;
  type: number;
  value: Buffer;
}

/** The decoded attributes of an UPDATE, one field per descriptor below. */
export interface PathAttributes {
  origin?: number;
  asPath?: AsPathSegment[];
  nextHop?: string;
  multiExitDisc?: number;
  localPref?: number;
  atomicAggregate?: boolean;
  aggregator?: { asn: number; address: string };
  /** RFC 1997 communities, each a uint32 (a:b = a << 16 | b). */
  communities?: number[];
  /** Unrecognized optional transitive attributes; the decoder sets their Partial bit (RFC 4271 §5). */
  other?: OtherAttribute[];
}

export type AttributeField = Exclude<keyof PathAttributes, 'other'>;
type Value<F extends AttributeField> = NonNullable<PathAttributes[F]>;

/** The value octets of one received attribute, and how to refuse them. */
export interface AttributeInput {
  message: Buffer;
  /** First value octet. */
  start: number;
  /** One past the last value octet. */
  end: number;
  options: CodecOptions;
  /** An error for this attribute carrying its RFC 7606 action; `withAttribute` puts the whole attribute in the NOTIFICATION data (RFC 4271 §6.3). */
  error(subcode: number, detail: string, offset: number, withAttribute?: boolean): BgpMessageError;
}

/** The value lengths an attribute may have; absent means any. */
export type LengthRule = { exactly: (options: CodecOptions) => number } | { nonZeroMultipleOf: number };

export interface AttributeDescriptor<F extends AttributeField = AttributeField> {
  code: number;
  name: string;
  field: F;
  /** Category flags (Optional, Transitive) the attribute must carry. */
  category: number;
  length?: LengthRule;
  /** RFC 7606 §7: what a receiver should do when this attribute is malformed (flags, length or value). */
  onMalformed: Rfc7606Action;
  /** Reads the value; throws `input.error(…)` when it is malformed. Length and flags are already checked. */
  decode(input: AttributeInput): Value<F>;
  /** The value octets, or undefined to send no attribute (an empty list, a false flag). Throws RangeError when a value does not fit. */
  encode(value: Value<F>, options: CodecOptions): Buffer | undefined;
  /** The value for logs, e.g. "64512:1 64512:2". */
  format(value: Value<F>): string;
}

/** Keeps each entry's field and value types tied together. */
function attribute<F extends AttributeField>(descriptor: AttributeDescriptor<F>): AttributeDescriptor<F> {
  return descriptor;
}

export function checkUint(value: number, bits: 8 | 16 | 32, field: string): number {
  if (!Number.isInteger(value) || value < 0 || value >= 2 ** bits) {
    throw new RangeError(`${field} ${value} does not fit in ${bits} bits`);
  }
  return value;
}

export function checkAddress(text: string, field: string): number {
  const value = parseIPv4(text);
  if (value === undefined) throw new RangeError(`${field} "${text}" is not an IPv4 address`);
  return value;
}

function uint32Value(value: number, field: string): Buffer {
  const buffer = Buffer.alloc(4);
  buffer.writeUInt32BE(checkUint(value, 32, field));
  return buffer;
}

const fixed = (octets: number): LengthRule => ({ exactly: () => octets });
const ORIGINS = ['igp', 'egp', 'incomplete'];
const segmentTypes: Record<number, AsPathSegmentType> = { 1: 'set', 2: 'sequence', 3: 'confed-sequence', 4: 'confed-set' };
const segmentCodes: Record<AsPathSegmentType, number> = { set: 1, sequence: 2, 'confed-sequence': 3, 'confed-set': 4 };

/** A NEXT_HOP must be a unicast host address: not in 0.0.0.0/8 and not multicast, reserved or broadcast (224.0.0.0/3). */
function isUsableNextHop(address: number): boolean {
  const first = address >>> 24;
  return first !== 0 && first < 224;
}

function decodeAsPath({ message, start, end, options, error }: AttributeInput): AsPathSegment[] {
  const asnSize = options.fourOctetAs ? 4 : 2;
  const segments: AsPathSegment[] = [];
  let p = start;
  while (p < end) {
    if (p + 2 > end) throw error(UpdateSubcode.MalformedAsPath, 'truncated AS_PATH segment header', p);
    const type = segmentTypes[message[p]];
    if (!type) throw error(UpdateSubcode.MalformedAsPath, `AS_PATH segment type ${message[p]} is not 1..4`, p);
    const count = message[p + 1];
    if (count === 0) throw error(UpdateSubcode.MalformedAsPath, 'AS_PATH segment with no ASNs', p + 1);
    const valueEnd = p + 2 + count * asnSize;
    if (valueEnd > end) {
      throw error(UpdateSubcode.MalformedAsPath,
        `AS_PATH segment of ${count} ${asnSize}-octet ASNs overruns the attribute by ${valueEnd - end} octets`, p + 1);
    }
    const asns: number[] = [];
    for (let a = p + 2; a < valueEnd; a += asnSize) asns.push(asnSize === 4 ? message.readUInt32BE(a) : message.readUInt16BE(a));
    segments.push({ type, asns });
    p = valueEnd;
  }
  return segments;
}

function encodeAsPath(segments: AsPathSegment[], options: CodecOptions): Buffer {
  const asnSize = options.fourOctetAs ? 4 : 2;
  const size = segments.reduce((sum, s) => sum + 2 + s.asns.length * asnSize, 0);
  const buffer = Buffer.alloc(size);
  let p = 0;
  for (const segment of segments) {
    if (segment.asns.length === 0 || segment.asns.length > 255) {
      throw new RangeError(`AS_PATH segment has ${segment.asns.length} ASNs; it must have 1 to 255`);
    }
    buffer[p++] = segmentCodes[segment.type];
    buffer[p++] = segment.asns.length;
    for (const asn of segment.asns) {
      if (asnSize === 4) buffer.writeUInt32BE(checkUint(asn, 32, 'AS_PATH ASN'), p);
      else buffer.writeUInt16BE(checkUint(asn, 16, 'AS_PATH ASN (2-octet session)'), p);
      p += asnSize;
    }
  }
  return buffer;
}

function formatAsPath(segments: AsPathSegment[]): string {
  if (segments.length === 0) return '(empty)';
  return segments.map(({ type, asns }) => (type === 'sequence' ? asns.join(' ') : type === 'set' ? `{${asns.join(' ')}}` : `(${type} ${asns.join(' ')})`)).join(' ');
}

/** Every attribute this speaker understands, in type-code order (the order they are sent in). */
export const PATH_ATTRIBUTES: readonly AttributeDescriptor[] = [
  attribute({
    code: 1, name: 'ORIGIN', field: 'origin', category: Category.WellKnown, length: fixed(1), onMalformed: 'treat-as-withdraw',
    decode({ message, start, error }) {
      const origin = message[start];
      if (origin > Origin.Incomplete) throw error(UpdateSubcode.InvalidOriginAttribute, `ORIGIN value ${origin} is not 0, 1 or 2`, start, true);
      return origin;
    },
    encode: (origin) => Buffer.from([checkUint(origin, 8, 'ORIGIN')]),
    format: (origin) => ORIGINS[origin] ?? String(origin),
  }),
  attribute({
    code: 2, name: 'AS_PATH', field: 'asPath', category: Category.WellKnown, onMalformed: 'treat-as-withdraw',
    decode: decodeAsPath,
    encode: encodeAsPath,
    format: formatAsPath,
  }),
  attribute({
    code: 3, name: 'NEXT_HOP', field: 'nextHop', category: Category.WellKnown, length: fixed(4), onMalformed: 'treat-as-withdraw',
    decode({ message, start, error }) {
      const nextHop = message.readUInt32BE(start);
      if (!isUsableNextHop(nextHop)) {
        throw error(UpdateSubcode.InvalidNextHopAttribute, `NEXT_HOP ${formatIPv4(nextHop)} is not a unicast host address`, start, true);
      }
      return formatIPv4(nextHop);
    },
    encode: (nextHop) => uint32Value(checkAddress(nextHop, 'NEXT_HOP'), 'NEXT_HOP'),
    format: (nextHop) => nextHop,
  }),
  attribute({
    code: 4, name: 'MULTI_EXIT_DISC', field: 'multiExitDisc', category: Category.OptionalNonTransitive, length: fixed(4), onMalformed: 'treat-as-withdraw',
    decode: ({ message, start }) => message.readUInt32BE(start),
    encode: (med) => uint32Value(med, 'MULTI_EXIT_DISC'),
    format: String,
  }),
  attribute({
    code: 5, name: 'LOCAL_PREF', field: 'localPref', category: Category.WellKnown, length: fixed(4), onMalformed: 'treat-as-withdraw',
    decode: ({ message, start }) => message.readUInt32BE(start),
    encode: (localPref) => uint32Value(localPref, 'LOCAL_PREF'),
    format: String,
  }),
  attribute({
    code: 6, name: 'ATOMIC_AGGREGATE', field: 'atomicAggregate', category: Category.WellKnown, length: fixed(0), onMalformed: 'attribute-discard',
    decode: () => true,
    encode: (set) => (set ? Buffer.alloc(0) : undefined),
    format: () => 'set',
  }),
  attribute({
    code: 7, name: 'AGGREGATOR', field: 'aggregator', category: Category.OptionalTransitive,
    length: { exactly: (options) => (options.fourOctetAs ? 8 : 6) }, onMalformed: 'attribute-discard',
    decode: ({ message, start, options }) => (options.fourOctetAs
      ? { asn: message.readUInt32BE(start), address: formatIPv4(message.readUInt32BE(start + 4)) }
      : { asn: message.readUInt16BE(start), address: formatIPv4(message.readUInt32BE(start + 2)) }),
    encode({ asn, address }, options) {
      const value = Buffer.alloc(options.fourOctetAs ? 8 : 6);
      if (options.fourOctetAs) value.writeUInt32BE(checkUint(asn, 32, 'AGGREGATOR ASN'));
      else value.writeUInt16BE(checkUint(asn, 16, 'AGGREGATOR ASN (2-octet session)'));
      value.writeUInt32BE(checkAddress(address, 'AGGREGATOR address'), value.length - 4);
      return value;
    },
    format: ({ asn, address }) => `AS${asn} ${address}`,
  }),
  attribute({
    code: 8, name: 'COMMUNITIES', field: 'communities', category: Category.OptionalTransitive, length: { nonZeroMultipleOf: 4 }, onMalformed: 'treat-as-withdraw',
    decode({ message, start, end }) {
      const communities: number[] = [];
      for (let c = start; c < end; c += 4) communities.push(message.readUInt32BE(c));
      return communities;
    },
    encode(communities) {
      if (communities.length === 0) return undefined;
      const value = Buffer.alloc(communities.length * 4);
      communities.forEach((c, i) => value.writeUInt32BE(checkUint(c, 32, 'community'), i * 4));
      return value;
    },
    format: (communities) => communities.map(formatCommunity).join(' '),
  }),
];

/** Type codes the codec refers to without decoding them. */
export const AttributeType = { Origin: 1, AsPath: 2, NextHop: 3, LocalPref: 5, MpReachNlri: 14 } as const;

const byCode = new Map<number, AttributeDescriptor>(PATH_ATTRIBUTES.map((d) => [d.code, d]));
/** Attributes known by name only (RFC 4760): their presence matters to the mandatory-attribute check, their value is not read. */
const NAMED_ONLY: Record<number, string> = { 14: 'MP_REACH_NLRI', 15: 'MP_UNREACH_NLRI' };

export function attributeDescriptor(code: number): AttributeDescriptor | undefined {
  return byCode.get(code);
}

export function attributeName(code: number): string {
  return byCode.get(code)?.name ?? NAMED_ONLY[code] ?? `attribute ${code}`;
}

/** "ORIGIN incomplete, AS_PATH 64512, NEXT_HOP 198.18.0.11, COMMUNITIES 64512:1" — for logs. */
export function describePathAttributes(attributes: PathAttributes): string {
  const parts: string[] = [];
  for (const descriptor of PATH_ATTRIBUTES) {
    const value = attributes[descriptor.field];
    const text = value === undefined || value === false ? '' : descriptor.format(value as never);
    if (text !== '') parts.push(`${descriptor.name} ${text}`);
  }
  for (const other of attributes.other ?? []) parts.push(`${attributeName(other.type)} (${other.value.length} octets)`);
  return parts.join(', ');
}
