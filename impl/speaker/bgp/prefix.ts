// IPv4 unicast prefixes as they travel in BGP (RFC 4271 §4.3): a length
// octet and only the significant octets of the address. Addresses and
// prefixes themselves are lib/net's.
import { formatIPv4, maskIPv4, parsePrefix } from '../../../lib/net/index.ts';
import { UpdateSubcode, updateError } from './errors.ts';

/** Octets a prefix takes in withdrawn routes / NLRI: one length octet plus the significant address octets. */
export function encodedPrefixSize(length: number): number {
  return 1 + ((length + 7) >> 3);
}

/** Octets the prefixes ("a.b.c.d/len", host bits zero) take in a withdrawn-routes or NLRI field. Throws an AddressError on a malformed one. */
export function prefixesSize(prefixes: string[]): number {
  let size = 0;
  for (const prefix of prefixes) size += encodedPrefixSize(parsePrefix(prefix, 4).length);
  return size;
}

/** Writes the prefixes at `offset`; returns the offset after them. */
export function writePrefixes(buffer: Buffer, offset: number, prefixes: string[]): number {
  let p = offset;
  for (const text of prefixes) {
    const { address, length } = parsePrefix(text, 4);
    buffer[p++] = length;
    const octets = (length + 7) >> 3;
    for (let i = 0; i < octets; i++) buffer[p++] = (address >>> (24 - 8 * i)) & 0xff;
  }
  return p;
}

/** Reads the prefixes between `start` and `end` of a withdrawn-routes or NLRI field (`field` names it in errors). */
export function decodePrefixes(message: Buffer, start: number, end: number, field: string): string[] {
  const prefixes: string[] = [];
  let p = start;
  while (p < end) {
    const length = message[p];
    if (length > 32) {
      throw updateError(UpdateSubcode.InvalidNetworkField, `${field}: prefix length ${length} is more than 32`, p);
    }
    const octets = (length + 7) >> 3;
    if (p + 1 + octets > end) {
      throw updateError(UpdateSubcode.InvalidNetworkField, `${field}: a /${length} prefix needs ${octets} octets, only ${end - p - 1} left`, p);
    }
    let address = 0;
    for (let i = 0; i < 4; i++) address = address * 256 + (i < octets ? message[p + 1 + i] : 0);
    // Bits past the prefix length are irrelevant (RFC 4271 §4.3); clear them.
    prefixes.push(`${formatIPv4(maskIPv4(address, length))}/${length}`);
    p += 1 + octets;
  }
  return prefixes;
}
