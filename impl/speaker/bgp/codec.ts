// BGP-4 message codec (RFC 4271 §4, RFC 4760, RFC 5492, RFC 6793, RFC 1997,
// RFC 2918). Pure: a Buffer holding one message in, a typed message out, or a
// BgpMessageError carrying the NOTIFICATION the receiver must send (§6). No
// sockets, no timers, no session state beyond the options the caller passes.
import {
  BgpMessageError, ErrorCode, HeaderSubcode, OpenSubcode, UpdateSubcode,
} from './errors.ts';
import { encodedPrefixSize, formatIpv4, maskOf, parseIpv4, parsePrefix } from './prefix.ts';

export const BGP_PORT = 179;
export const BGP_VERSION = 4;
export const HEADER_LENGTH = 19;
export const MAX_MESSAGE_LENGTH = 4096;
/** RFC 6793: the 2-octet stand-in for an ASN that does not fit in 2 octets. */
export const AS_TRANS = 23456;

export const MessageType = { Open: 1, Update: 2, Notification: 3, Keepalive: 4, RouteRefresh: 5 } as const;

export const AttributeType = {
  Origin: 1,
  AsPath: 2,
  NextHop: 3,
  MultiExitDisc: 4,
  LocalPref: 5,
  AtomicAggregate: 6,
  Aggregator: 7,
  Communities: 8,
  MpReachNlri: 14,
} as const;

export const AttributeFlag = { Optional: 0x80, Transitive: 0x40, Partial: 0x20, ExtendedLength: 0x10 } as const;

export const Origin = { Igp: 0, Egp: 1, Incomplete: 2 } as const;

export const CapabilityCode = { Multiprotocol: 1, RouteRefresh: 2, FourOctetAs: 65 } as const;
export const Afi = { Ipv4: 1 } as const;
export const Safi = { Unicast: 1 } as const;

/** What the codec needs to know about the session: the ASN width negotiated in the OPEN exchange. */
export interface CodecOptions {
  fourOctetAs: boolean;
}

export type Capability =
  | { kind: 'multiprotocol'; afi: number; safi: number }
  | { kind: 'route-refresh' }
  | { kind: 'four-octet-as'; asn: number }
  | { kind: 'other'; code: number; value: Buffer };

export interface OpenMessage {
  type: 'open';
  version: number;
  /** The 2-octet My Autonomous System field (AS_TRANS when the real ASN needs 4 octets). */
  myAs: number;
  holdTime: number;
  bgpId: string;
  capabilities: Capability[];
}

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

export interface UpdateMessage {
  type: 'update';
  /** Prefixes as "a.b.c.d/len", host bits cleared. */
  withdrawn: string[];
  attributes: PathAttributes;
  nlri: string[];
}

export interface NotificationMessage {
  type: 'notification';
  code: number;
  subcode: number;
  data: Buffer;
}

export interface KeepaliveMessage {
  type: 'keepalive';
}

export interface RouteRefreshMessage {
  type: 'route-refresh';
  afi: number;
  safi: number;
}

export type BgpMessage = OpenMessage | UpdateMessage | NotificationMessage | KeepaliveMessage | RouteRefreshMessage;

// ───────────────────────────── header ─────────────────────────────

/** Smallest legal length of each message type (RFC 4271 §4, RFC 2918 §3). */
const minimumLength: Record<number, number> = { 1: 29, 2: 23, 3: 21, 4: 19, 5: 23 };
/** Types whose length is fixed. */
const exactLength: Record<number, number> = { 4: 19, 5: 23 };

export interface MessageHeader {
  length: number;
  type: number;
}

/**
 * Validates the 19-octet header at `offset` (marker, length, type) and returns
 * the length and type. `buffer` must hold at least the header.
 */
export function decodeHeader(buffer: Buffer, offset = 0): MessageHeader {
  for (let i = 0; i < 16; i++) {
    if (buffer[offset + i] !== 0xff) {
      throw new BgpMessageError(ErrorCode.MessageHeader, HeaderSubcode.ConnectionNotSynchronized,
        `marker octet ${i} is 0x${buffer[offset + i].toString(16).padStart(2, '0')}, expected 0xff`, { offset: i });
    }
  }
  const length = buffer.readUInt16BE(offset + 16);
  const lengthField = Buffer.from(buffer.subarray(offset + 16, offset + 18));
  if (length < HEADER_LENGTH || length > MAX_MESSAGE_LENGTH) {
    throw new BgpMessageError(ErrorCode.MessageHeader, HeaderSubcode.BadMessageLength,
      `length ${length} is outside ${HEADER_LENGTH}..${MAX_MESSAGE_LENGTH}`, { data: lengthField, offset: 16 });
  }
  const type = buffer[offset + 18];
  if (minimumLength[type] === undefined) {
    throw new BgpMessageError(ErrorCode.MessageHeader, HeaderSubcode.BadMessageType,
      `message type ${type} is not one of 1..5`, { data: Buffer.from([type]), offset: 18 });
  }
  if (length < minimumLength[type] || (exactLength[type] !== undefined && length !== exactLength[type])) {
    const rule = exactLength[type] !== undefined ? `exactly ${exactLength[type]}` : `at least ${minimumLength[type]}`;
    throw new BgpMessageError(ErrorCode.MessageHeader, HeaderSubcode.BadMessageLength,
      `length ${length} of a type ${type} message must be ${rule}`, { data: lengthField, offset: 16 });
  }
  return { length, type };
}

function writeHeader(buffer: Buffer, type: number): void {
  buffer.fill(0xff, 0, 16);
  buffer.writeUInt16BE(buffer.length, 16);
  buffer[18] = type;
}

function allocateMessage(type: number, bodyLength: number, what: string): Buffer {
  const length = HEADER_LENGTH + bodyLength;
  if (length > MAX_MESSAGE_LENGTH) {
    throw new RangeError(`${what} would be ${length} octets, more than the ${MAX_MESSAGE_LENGTH}-octet maximum`);
  }
  const buffer = Buffer.alloc(length);
  writeHeader(buffer, type);
  return buffer;
}

// ───────────────────────────── decode ─────────────────────────────

/**
 * Decodes one whole message (header included). Throws BgpMessageError for
 * anything RFC 4271 §6 calls an error; never throws anything else.
 */
export function decodeMessage(buffer: Buffer, options: CodecOptions): BgpMessage {
  if (buffer.length < HEADER_LENGTH) {
    throw new BgpMessageError(ErrorCode.MessageHeader, HeaderSubcode.BadMessageLength,
      `only ${buffer.length} octets, a header needs ${HEADER_LENGTH}`, { offset: buffer.length });
  }
  const { length, type } = decodeHeader(buffer);
  if (buffer.length < length) {
    throw new BgpMessageError(ErrorCode.MessageHeader, HeaderSubcode.BadMessageLength,
      `header says ${length} octets but only ${buffer.length} were given`,
      { data: Buffer.from(buffer.subarray(16, 18)), offset: 16 });
  }
  const message = buffer.subarray(0, length);
  switch (type) {
    case MessageType.Open:
      return decodeOpen(message);
    case MessageType.Update:
      return decodeUpdate(message, options);
    case MessageType.Notification:
      return { type: 'notification', code: message[19], subcode: message[20], data: Buffer.from(message.subarray(21)) };
    case MessageType.Keepalive:
      return { type: 'keepalive' };
    default:
      return { type: 'route-refresh', afi: message.readUInt16BE(19), safi: message[22] };
  }
}

function openError(subcode: number, detail: string, offset: number, data?: Buffer): BgpMessageError {
  return new BgpMessageError(ErrorCode.OpenMessage, subcode, detail, { offset, data });
}

function decodeOpen(message: Buffer): OpenMessage {
  const version = message[19];
  if (version !== BGP_VERSION) {
    const supported = Buffer.alloc(2);
    supported.writeUInt16BE(BGP_VERSION);
    throw openError(OpenSubcode.UnsupportedVersionNumber, `version ${version}, only ${BGP_VERSION} is supported`, 19, supported);
  }
  const myAs = message.readUInt16BE(20);
  const holdTime = message.readUInt16BE(22);
  if (holdTime === 1 || holdTime === 2) {
    throw openError(OpenSubcode.UnacceptableHoldTime, `hold time ${holdTime} s; it must be 0 or at least 3`, 22);
  }
  const bgpIdValue = message.readUInt32BE(24);
  if (bgpIdValue === 0) {
    // RFC 6286: any non-zero 32-bit value is a valid BGP Identifier.
    throw openError(OpenSubcode.BadBgpIdentifier, 'BGP Identifier is 0.0.0.0', 24);
  }
  const parametersLength = message[28];
  if (29 + parametersLength !== message.length) {
    throw openError(OpenSubcode.Unspecific,
      `optional parameters length ${parametersLength} does not match the ${message.length - 29} octets that follow`, 28);
  }
  const capabilities: Capability[] = [];
  let p = 29;
  while (p < message.length) {
    if (p + 2 > message.length) throw openError(OpenSubcode.Unspecific, 'truncated optional parameter header', p);
    const parameterType = message[p];
    const parameterLength = message[p + 1];
    const start = p + 2;
    const end = start + parameterLength;
    if (end > message.length) {
      throw openError(OpenSubcode.Unspecific, `optional parameter of length ${parameterLength} overruns the message`, p + 1);
    }
    if (parameterType !== 2) {
      throw openError(OpenSubcode.UnsupportedOptionalParameter, `optional parameter type ${parameterType} (only 2, Capabilities, is supported)`, p);
    }
    decodeCapabilities(message, start, end, capabilities);
    p = end;
  }
  return { type: 'open', version, myAs, holdTime, bgpId: formatIpv4(bgpIdValue), capabilities };
}

function decodeCapabilities(message: Buffer, start: number, end: number, into: Capability[]): void {
  let p = start;
  while (p < end) {
    if (p + 2 > end) throw openError(OpenSubcode.Unspecific, 'truncated capability header', p);
    const code = message[p];
    const length = message[p + 1];
    const value = p + 2;
    if (value + length > end) throw openError(OpenSubcode.Unspecific, `capability ${code} of length ${length} overruns its parameter`, p + 1);
    const expect = (wanted: number, name: string) => {
      if (length !== wanted) throw openError(OpenSubcode.Unspecific, `${name} capability has length ${length}, expected ${wanted}`, p + 1);
    };
    if (code === CapabilityCode.Multiprotocol) {
      expect(4, 'multiprotocol');
      into.push({ kind: 'multiprotocol', afi: message.readUInt16BE(value), safi: message[value + 3] });
    } else if (code === CapabilityCode.RouteRefresh) {
      expect(0, 'route refresh');
      into.push({ kind: 'route-refresh' });
    } else if (code === CapabilityCode.FourOctetAs) {
      expect(4, '4-octet AS');
      into.push({ kind: 'four-octet-as', asn: message.readUInt32BE(value) });
    } else {
      into.push({ kind: 'other', code, value: Buffer.from(message.subarray(value, value + length)) });
    }
    p = value + length;
  }
}

function updateError(subcode: number, detail: string, offset: number, data?: Buffer): BgpMessageError {
  return new BgpMessageError(ErrorCode.UpdateMessage, subcode, detail, { offset, data });
}

function decodeUpdate(message: Buffer, options: CodecOptions): UpdateMessage {
  const withdrawnLength = message.readUInt16BE(19);
  const withdrawnEnd = 21 + withdrawnLength;
  if (withdrawnEnd + 2 > message.length) {
    throw updateError(UpdateSubcode.MalformedAttributeList,
      `withdrawn routes length ${withdrawnLength} leaves no room for the attribute length in a ${message.length}-octet message`, 19);
  }
  const withdrawn = decodePrefixes(message, 21, withdrawnEnd, 'withdrawn routes');
  const attributesLength = message.readUInt16BE(withdrawnEnd);
  const attributesStart = withdrawnEnd + 2;
  const attributesEnd = attributesStart + attributesLength;
  if (attributesEnd > message.length) {
    throw updateError(UpdateSubcode.MalformedAttributeList,
      `total path attribute length ${attributesLength} overruns the message by ${attributesEnd - message.length} octets`, withdrawnEnd);
  }
  const { attributes, seen } = decodeAttributes(message, attributesStart, attributesEnd, options);
  const nlri = decodePrefixes(message, attributesEnd, message.length, 'NLRI');
  // RFC 4271 §6.3 and RFC 4760 §3: what a route needs to be usable.
  if (nlri.length > 0 || seen.has(AttributeType.MpReachNlri)) {
    const mandatory = nlri.length > 0
      ? [AttributeType.Origin, AttributeType.AsPath, AttributeType.NextHop]
      : [AttributeType.Origin, AttributeType.AsPath];
    for (const type of mandatory) {
      if (!seen.has(type)) {
        throw updateError(UpdateSubcode.MissingWellKnownAttribute,
          `well-known mandatory attribute ${attributeName(type)} (${type}) is missing`, attributesStart, Buffer.from([type]));
      }
    }
  }
  return { type: 'update', withdrawn, attributes, nlri };
}

function decodePrefixes(message: Buffer, start: number, end: number, field: string): string[] {
  const prefixes: string[] = [];
  let p = start;
  while (p < end) {
    const length = message[p];
    if (length > 32) {
      throw updateError(UpdateSubcode.InvalidNetworkField, `${field}: prefix length ${length} is more than 32`, p);
    }
    const octets = Math.ceil(length / 8);
    if (p + 1 + octets > end) {
      throw updateError(UpdateSubcode.InvalidNetworkField, `${field}: a /${length} prefix needs ${octets} octets, only ${end - p - 1} left`, p);
    }
    let address = 0;
    for (let i = 0; i < 4; i++) address = address * 256 + (i < octets ? message[p + 1 + i] : 0);
    // Bits past the prefix length are irrelevant (RFC 4271 §4.3); clear them.
    prefixes.push(`${formatIpv4((address & maskOf(length)) >>> 0)}/${length}`);
    p += 1 + octets;
  }
  return prefixes;
}

const WELL_KNOWN = AttributeFlag.Transitive;
const OPTIONAL_TRANSITIVE = AttributeFlag.Optional | AttributeFlag.Transitive;
const OPTIONAL_NON_TRANSITIVE = AttributeFlag.Optional;

/** Category flags (Optional, Transitive) and length rule of each attribute this codec understands. */
const knownAttributes: Record<number, { name: string; category: number; length?: (options: CodecOptions) => number }> = {
  1: { name: 'ORIGIN', category: WELL_KNOWN, length: () => 1 },
  2: { name: 'AS_PATH', category: WELL_KNOWN },
  3: { name: 'NEXT_HOP', category: WELL_KNOWN, length: () => 4 },
  4: { name: 'MULTI_EXIT_DISC', category: OPTIONAL_NON_TRANSITIVE, length: () => 4 },
  5: { name: 'LOCAL_PREF', category: WELL_KNOWN, length: () => 4 },
  6: { name: 'ATOMIC_AGGREGATE', category: WELL_KNOWN, length: () => 0 },
  7: { name: 'AGGREGATOR', category: OPTIONAL_TRANSITIVE, length: (o) => (o.fourOctetAs ? 8 : 6) },
  8: { name: 'COMMUNITIES', category: OPTIONAL_TRANSITIVE },
};

export function attributeName(type: number): string {
  return knownAttributes[type]?.name ?? (type === AttributeType.MpReachNlri ? 'MP_REACH_NLRI' : `attribute ${type}`);
}

const segmentTypes: Record<number, AsPathSegmentType> = { 1: 'set', 2: 'sequence', 3: 'confed-sequence', 4: 'confed-set' };

function decodeAttributes(message: Buffer, start: number, end: number, options: CodecOptions): { attributes: PathAttributes; seen: Set<number> } {
  const attributes: PathAttributes = {};
  const seen = new Set<number>();
  let p = start;
  while (p < end) {
    if (p + 3 > end) throw updateError(UpdateSubcode.MalformedAttributeList, 'truncated attribute header', p);
    const flags = message[p];
    const type = message[p + 1];
    const extended = (flags & AttributeFlag.ExtendedLength) !== 0;
    const headerLength = extended ? 4 : 3;
    if (p + headerLength > end) throw updateError(UpdateSubcode.MalformedAttributeList, 'truncated extended-length attribute header', p);
    const length = extended ? message.readUInt16BE(p + 2) : message[p + 2];
    const valueStart = p + headerLength;
    const valueEnd = valueStart + length;
    if (valueEnd > end) {
      throw updateError(UpdateSubcode.MalformedAttributeList,
        `${attributeName(type)} of length ${length} overruns the path attributes by ${valueEnd - end} octets`, p);
    }
    if (seen.has(type)) throw updateError(UpdateSubcode.MalformedAttributeList, `${attributeName(type)} appears more than once`, p);
    seen.add(type);
    const whole = () => Buffer.from(message.subarray(p, valueEnd));
    const known = knownAttributes[type];
    if (!known) {
      if ((flags & AttributeFlag.Optional) === 0) {
        throw updateError(UpdateSubcode.UnrecognizedWellKnownAttribute, `unrecognized well-known attribute type ${type}`, p, whole());
      }
      if ((flags & AttributeFlag.Transitive) !== 0) {
        (attributes.other ??= []).push({
          flags: (flags & 0xe0) | AttributeFlag.Partial,
          type,
          value: Buffer.from(message.subarray(valueStart, valueEnd)),
        });
      }
      // Unrecognized optional non-transitive attributes are quietly ignored (RFC 4271 §5).
      p = valueEnd;
      continue;
    }
    const category = flags & (AttributeFlag.Optional | AttributeFlag.Transitive);
    const partialAllowed = known.category === OPTIONAL_TRANSITIVE;
    if (category !== known.category || (!partialAllowed && (flags & AttributeFlag.Partial) !== 0)) {
      throw updateError(UpdateSubcode.AttributeFlagsError,
        `${known.name} has flags 0x${flags.toString(16).padStart(2, '0')}, which contradict its category`, p, whole());
    }
    const expectedLength = known.length?.(options);
    if ((expectedLength !== undefined && length !== expectedLength) || (type === AttributeType.Communities && (length === 0 || length % 4 !== 0))) {
      const rule = expectedLength !== undefined ? `${expectedLength}` : 'a non-zero multiple of 4';
      throw updateError(UpdateSubcode.AttributeLengthError, `${known.name} has length ${length}, expected ${rule}`, p, whole());
    }
    switch (type) {
      case AttributeType.Origin: {
        const origin = message[valueStart];
        if (origin > Origin.Incomplete) throw updateError(UpdateSubcode.InvalidOriginAttribute, `ORIGIN value ${origin} is not 0, 1 or 2`, valueStart, whole());
        attributes.origin = origin;
        break;
      }
      case AttributeType.AsPath:
        attributes.asPath = decodeAsPath(message, valueStart, valueEnd, options);
        break;
      case AttributeType.NextHop: {
        const nextHop = message.readUInt32BE(valueStart);
        if (!isUsableNextHop(nextHop)) {
          throw updateError(UpdateSubcode.InvalidNextHopAttribute, `NEXT_HOP ${formatIpv4(nextHop)} is not a unicast host address`, valueStart, whole());
        }
        attributes.nextHop = formatIpv4(nextHop);
        break;
      }
      case AttributeType.MultiExitDisc:
        attributes.multiExitDisc = message.readUInt32BE(valueStart);
        break;
      case AttributeType.LocalPref:
        attributes.localPref = message.readUInt32BE(valueStart);
        break;
      case AttributeType.AtomicAggregate:
        attributes.atomicAggregate = true;
        break;
      case AttributeType.Aggregator:
        attributes.aggregator = options.fourOctetAs
          ? { asn: message.readUInt32BE(valueStart), address: formatIpv4(message.readUInt32BE(valueStart + 4)) }
          : { asn: message.readUInt16BE(valueStart), address: formatIpv4(message.readUInt32BE(valueStart + 2)) };
        break;
      case AttributeType.Communities: {
        const communities: number[] = [];
        for (let c = valueStart; c < valueEnd; c += 4) communities.push(message.readUInt32BE(c));
        attributes.communities = communities;
        break;
      }
    }
    p = valueEnd;
  }
  return { attributes, seen };
}

/** A NEXT_HOP must be a unicast host address: not in 0.0.0.0/8 and not multicast, reserved or broadcast (224.0.0.0/3). */
function isUsableNextHop(address: number): boolean {
  const first = address >>> 24;
  return first !== 0 && first < 224;
}

function decodeAsPath(message: Buffer, start: number, end: number, options: CodecOptions): AsPathSegment[] {
  const asnSize = options.fourOctetAs ? 4 : 2;
  const segments: AsPathSegment[] = [];
  let p = start;
  while (p < end) {
    if (p + 2 > end) throw updateError(UpdateSubcode.MalformedAsPath, 'truncated AS_PATH segment header', p);
    const type = segmentTypes[message[p]];
    if (!type) throw updateError(UpdateSubcode.MalformedAsPath, `AS_PATH segment type ${message[p]} is not 1..4`, p);
    const count = message[p + 1];
    if (count === 0) throw updateError(UpdateSubcode.MalformedAsPath, 'AS_PATH segment with no ASNs', p + 1);
    const valueEnd = p + 2 + count * asnSize;
    if (valueEnd > end) {
      throw updateError(UpdateSubcode.MalformedAsPath,
        `AS_PATH segment of ${count} ${asnSize}-octet ASNs overruns the attribute by ${valueEnd - end} octets`, p + 1);
    }
    const asns: number[] = [];
    for (let a = p + 2; a < valueEnd; a += asnSize) asns.push(asnSize === 4 ? message.readUInt32BE(a) : message.readUInt16BE(a));
    segments.push({ type, asns });
    p = valueEnd;
  }
  return segments;
}

// ───────────────────────────── encode ─────────────────────────────

/** Encodes a message. Throws RangeError when a value does not fit its field or the message exceeds 4096 octets. */
export function encodeMessage(message: BgpMessage, options: CodecOptions): Buffer {
  switch (message.type) {
    case 'open':
      return encodeOpen(message);
    case 'update':
      return encodeUpdate(message, options);
    case 'notification': {
      const buffer = allocateMessage(MessageType.Notification, 2 + message.data.length, 'NOTIFICATION');
      buffer[19] = checkUint(message.code, 8, 'NOTIFICATION error code');
      buffer[20] = checkUint(message.subcode, 8, 'NOTIFICATION error subcode');
      message.data.copy(buffer, 21);
      return buffer;
    }
    case 'keepalive':
      return allocateMessage(MessageType.Keepalive, 0, 'KEEPALIVE');
    case 'route-refresh': {
      const buffer = allocateMessage(MessageType.RouteRefresh, 4, 'ROUTE-REFRESH');
      buffer.writeUInt16BE(checkUint(message.afi, 16, 'ROUTE-REFRESH AFI'), 19);
      buffer[22] = checkUint(message.safi, 8, 'ROUTE-REFRESH SAFI');
      return buffer;
    }
  }
}

function checkUint(value: number, bits: 8 | 16 | 32, field: string): number {
  if (!Number.isInteger(value) || value < 0 || value >= 2 ** bits) {
    throw new RangeError(`${field} ${value} does not fit in ${bits} bits`);
  }
  return value;
}

function checkAddress(text: string, field: string): number {
  const value = parseIpv4(text);
  if (value === undefined) throw new RangeError(`${field} "${text}" is not an IPv4 address`);
  return value;
}

function encodeCapability(capability: Capability): Buffer {
  switch (capability.kind) {
    case 'multiprotocol': {
      const value = Buffer.alloc(4);
      value.writeUInt16BE(checkUint(capability.afi, 16, 'multiprotocol AFI'));
      value[3] = checkUint(capability.safi, 8, 'multiprotocol SAFI');
      return Buffer.concat([Buffer.from([CapabilityCode.Multiprotocol, 4]), value]);
    }
    case 'route-refresh':
      return Buffer.from([CapabilityCode.RouteRefresh, 0]);
    case 'four-octet-as': {
      const value = Buffer.alloc(6);
      value[0] = CapabilityCode.FourOctetAs;
      value[1] = 4;
      value.writeUInt32BE(checkUint(capability.asn, 32, '4-octet AS capability ASN'), 2);
      return value;
    }
    case 'other':
      if (capability.value.length > 253) throw new RangeError(`capability ${capability.code} value of ${capability.value.length} octets is too long`);
      return Buffer.concat([Buffer.from([checkUint(capability.code, 8, 'capability code'), capability.value.length]), capability.value]);
  }
}

/** Encodes each capability as its own Capabilities optional parameter (RFC 5492 allows either form). */
function encodeOpen(message: OpenMessage): Buffer {
  const parameters = message.capabilities.map((capability) => {
    const body = encodeCapability(capability);
    return Buffer.concat([Buffer.from([2, body.length]), body]);
  });
  const parametersLength = parameters.reduce((sum, p) => sum + p.length, 0);
  if (parametersLength > 255) throw new RangeError(`OPEN optional parameters take ${parametersLength} octets, more than 255`);
  const buffer = allocateMessage(MessageType.Open, 10 + parametersLength, 'OPEN');
  buffer[19] = checkUint(message.version, 8, 'OPEN version');
  buffer.writeUInt16BE(checkUint(message.myAs, 16, 'OPEN My Autonomous System'), 20);
  buffer.writeUInt16BE(checkUint(message.holdTime, 16, 'OPEN hold time'), 22);
  buffer.writeUInt32BE(checkAddress(message.bgpId, 'OPEN BGP Identifier'), 24);
  buffer[28] = parametersLength;
  let p = 29;
  for (const parameter of parameters) p += parameter.copy(buffer, p);
  return buffer;
}

interface EncodedAttribute {
  type: number;
  flags: number;
  value: Buffer;
}

function uint32Value(value: number, field: string): Buffer {
  const buffer = Buffer.alloc(4);
  buffer.writeUInt32BE(checkUint(value, 32, field));
  return buffer;
}

const segmentCodes: Record<AsPathSegmentType, number> = { set: 1, sequence: 2, 'confed-sequence': 3, 'confed-set': 4 };

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

/** Encodes the path attributes (without the total length field), ordered by type code. */
export function encodePathAttributes(attributes: PathAttributes, options: CodecOptions): Buffer {
  const list: EncodedAttribute[] = [];
  if (attributes.origin !== undefined) {
    list.push({ type: AttributeType.Origin, flags: WELL_KNOWN, value: Buffer.from([checkUint(attributes.origin, 8, 'ORIGIN')]) });
  }
  if (attributes.asPath !== undefined) {
    list.push({ type: AttributeType.AsPath, flags: WELL_KNOWN, value: encodeAsPath(attributes.asPath, options) });
  }
  if (attributes.nextHop !== undefined) {
    list.push({ type: AttributeType.NextHop, flags: WELL_KNOWN, value: uint32Value(checkAddress(attributes.nextHop, 'NEXT_HOP'), 'NEXT_HOP') });
  }
  if (attributes.multiExitDisc !== undefined) {
    list.push({ type: AttributeType.MultiExitDisc, flags: OPTIONAL_NON_TRANSITIVE, value: uint32Value(attributes.multiExitDisc, 'MULTI_EXIT_DISC') });
  }
  if (attributes.localPref !== undefined) {
    list.push({ type: AttributeType.LocalPref, flags: WELL_KNOWN, value: uint32Value(attributes.localPref, 'LOCAL_PREF') });
  }
  if (attributes.atomicAggregate) {
    list.push({ type: AttributeType.AtomicAggregate, flags: WELL_KNOWN, value: Buffer.alloc(0) });
  }
  if (attributes.aggregator !== undefined) {
    const { asn, address } = attributes.aggregator;
    const value = Buffer.alloc(options.fourOctetAs ? 8 : 6);
    if (options.fourOctetAs) value.writeUInt32BE(checkUint(asn, 32, 'AGGREGATOR ASN'));
    else value.writeUInt16BE(checkUint(asn, 16, 'AGGREGATOR ASN (2-octet session)'));
    value.writeUInt32BE(checkAddress(address, 'AGGREGATOR address'), value.length - 4);
    list.push({ type: AttributeType.Aggregator, flags: OPTIONAL_TRANSITIVE, value });
  }
  if (attributes.communities !== undefined && attributes.communities.length > 0) {
    const value = Buffer.alloc(attributes.communities.length * 4);
    attributes.communities.forEach((c, i) => value.writeUInt32BE(checkUint(c, 32, 'community'), i * 4));
    list.push({ type: AttributeType.Communities, flags: OPTIONAL_TRANSITIVE, value });
  }
  for (const other of attributes.other ?? []) {
    if (knownAttributes[other.type]) throw new RangeError(`attribute type ${other.type} is ${attributeName(other.type)}; set it by name, not in "other"`);
    list.push({ type: checkUint(other.type, 8, 'attribute type'), flags: checkUint(other.flags, 8, 'attribute flags') & 0xe0, value: other.value });
  }
  list.sort((a, b) => a.type - b.type);
  const parts: Buffer[] = [];
  for (const { type, flags, value } of list) {
    if (value.length > 0xffff) throw new RangeError(`${attributeName(type)} value of ${value.length} octets is too long`);
    const extended = value.length > 255;
    const header = Buffer.alloc(extended ? 4 : 3);
    header[0] = extended ? flags | AttributeFlag.ExtendedLength : flags;
    header[1] = type;
    if (extended) header.writeUInt16BE(value.length, 2);
    else header[2] = value.length;
    parts.push(header, value);
  }
  return Buffer.concat(parts);
}

/** Octets the prefixes take in a withdrawn-routes or NLRI field. */
export function prefixesSize(prefixes: string[]): number {
  let size = 0;
  for (const prefix of prefixes) size += encodedPrefixSize(parsePrefix(prefix).length);
  return size;
}

function writePrefixes(buffer: Buffer, offset: number, prefixes: string[]): number {
  let p = offset;
  for (const text of prefixes) {
    const { address, length } = parsePrefix(text);
    buffer[p++] = length;
    const octets = Math.ceil(length / 8);
    for (let i = 0; i < octets; i++) buffer[p++] = (address >>> (24 - 8 * i)) & 0xff;
  }
  return p;
}

/** The size of an UPDATE whose path attributes encode to `attributesLength` octets. */
export function updateSize(withdrawnOctets: number, attributesLength: number, nlriOctets: number): number {
  return HEADER_LENGTH + 2 + withdrawnOctets + 2 + attributesLength + nlriOctets;
}

function encodeUpdate(message: UpdateMessage, options: CodecOptions): Buffer {
  const attributes = encodePathAttributes(message.attributes, options);
  const withdrawnOctets = prefixesSize(message.withdrawn);
  const nlriOctets = prefixesSize(message.nlri);
  const buffer = allocateMessage(MessageType.Update, updateSize(withdrawnOctets, attributes.length, nlriOctets) - HEADER_LENGTH, 'UPDATE');
  buffer.writeUInt16BE(withdrawnOctets, 19);
  let p = writePrefixes(buffer, 21, message.withdrawn);
  buffer.writeUInt16BE(attributes.length, p);
  p += 2;
  p += attributes.copy(buffer, p);
  writePrefixes(buffer, p, message.nlri);
  return buffer;
}
