// BGP-4 message codec (RFC 4271 §4, RFC 4760, RFC 5492, RFC 6793, RFC 1997,
// RFC 2918). Pure: a Buffer holding one message in, a typed message out, or a
// BgpMessageError carrying the NOTIFICATION the receiver must send (§6). No
// sockets, no timers, no session state beyond the options the caller passes.
import { formatIPv4 } from '../../../lib/net/index.ts';
import { decodePathAttributes, encodePathAttributes } from './attribute-list.ts';
import { AttributeType, attributeName, checkAddress, checkUint, type CodecOptions, type PathAttributes } from './attributes.ts';
import { BgpMessageError, ErrorCode, HeaderSubcode, OpenSubcode, UpdateSubcode, updateError } from './errors.ts';
import { decodePrefixes, prefixesSize, writePrefixes } from './prefix.ts';

export {
  AttributeFlag, AttributeType, attributeName, describePathAttributes, Origin, PATH_ATTRIBUTES,
  type AsPathSegment, type AsPathSegmentType, type CodecOptions, type OtherAttribute, type PathAttributes,
} from './attributes.ts';
export { encodePathAttributes } from './attribute-list.ts';
export { prefixesSize } from './prefix.ts';

export const BGP_PORT = 179;
export const BGP_VERSION = 4;
export const HEADER_LENGTH = 19;
export const MAX_MESSAGE_LENGTH = 4096;
/** RFC 6793: the 2-octet stand-in for an ASN that does not fit in 2 octets. */
export const AS_TRANS = 23456;

export const MessageType = { Open: 1, Update: 2, Notification: 3, Keepalive: 4, RouteRefresh: 5 } as const;

export const CapabilityCode = { Multiprotocol: 1, RouteRefresh: 2, FourOctetAs: 65 } as const;
export const Afi = { Ipv4: 1 } as const;
export const Safi = { Unicast: 1 } as const;

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
  return { type: 'open', version, myAs, holdTime, bgpId: formatIPv4(bgpIdValue), capabilities };
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
  const { attributes, seen } = decodePathAttributes(message, attributesStart, attributesEnd, options);
  const nlri = decodePrefixes(message, attributesEnd, message.length, 'NLRI');
  // RFC 4271 §6.3 and RFC 4760 §3: what a route needs to be usable.
  if (nlri.length > 0 || seen.has(AttributeType.MpReachNlri)) {
    const mandatory = nlri.length > 0
      ? [AttributeType.Origin, AttributeType.AsPath, AttributeType.NextHop]
      : [AttributeType.Origin, AttributeType.AsPath];
    for (const type of mandatory) {
      if (!seen.has(type)) {
        // RFC 7606 §3 (d): treat-as-withdraw.
        throw updateError(UpdateSubcode.MissingWellKnownAttribute,
          `well-known mandatory attribute ${attributeName(type)} (${type}) is missing`, attributesStart, Buffer.from([type]), 'treat-as-withdraw');
      }
    }
  }
  return { type: 'update', withdrawn, attributes, nlri };
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
