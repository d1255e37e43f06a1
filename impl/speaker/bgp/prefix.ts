// IPv4 addresses and prefixes as they travel in BGP: dotted quads for
// people, 32-bit integers and truncated octets on the wire.

/** Parses "a.b.c.d" into an unsigned 32-bit integer, or returns undefined. */
export function parseIpv4(text: string): number | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  let value = 0;
  for (const part of parts) {
    if (!/^(0|[1-9][0-9]{0,2})$/.test(part)) return undefined;
    const octet = Number(part);
    if (octet > 255) return undefined;
    value = value * 256 + octet;
  }
  return value;
}

export function formatIpv4(value: number): string {
  return `${(value >>> 24) & 0xff}.${(value >>> 16) & 0xff}.${(value >>> 8) & 0xff}.${value & 0xff}`;
}

/** Network mask of a prefix length as an unsigned 32-bit integer. */
export function maskOf(length: number): number {
  return length === 0 ? 0 : (0xffffffff << (32 - length)) >>> 0;
}

export interface Ipv4Prefix {
  /** Network address, host bits zero. */
  address: number;
  length: number;
}

/**
 * Parses "a.b.c.d/len" strictly: the length is required and host bits must be
 * zero, so that one route has exactly one spelling. Throws a message that
 * names the input and what is wrong with it.
 */
export function parsePrefix(text: string): Ipv4Prefix {
  const slash = text.indexOf('/');
  if (slash < 0) throw new Error(`invalid prefix "${text}": expected a.b.c.d/length`);
  const address = parseIpv4(text.slice(0, slash));
  if (address === undefined) throw new Error(`invalid prefix "${text}": "${text.slice(0, slash)}" is not an IPv4 address`);
  const lengthText = text.slice(slash + 1);
  if (!/^(0|[1-9][0-9]?)$/.test(lengthText) || Number(lengthText) > 32) {
    throw new Error(`invalid prefix "${text}": length "${lengthText}" is not an integer from 0 to 32`);
  }
  const length = Number(lengthText);
  const network = (address & maskOf(length)) >>> 0;
  if (network !== address) {
    throw new Error(`invalid prefix "${text}": host bits are set (the network is ${formatIpv4(network)}/${length})`);
  }
  return { address, length };
}

export function formatPrefix(prefix: Ipv4Prefix): string {
  return `${formatIpv4(prefix.address)}/${prefix.length}`;
}

/** Octets a prefix takes in withdrawn routes / NLRI: one length octet plus the significant address octets. */
export function encodedPrefixSize(length: number): number {
  return 1 + Math.ceil(length / 8);
}
