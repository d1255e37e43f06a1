// IPv4 addresses as unsigned 32-bit numbers: plain numbers keep the hot paths
// (10,000 /32s announced in a burst) free of allocation and bigint arithmetic.

export const IPV4_BITS = 32;

const DOT = 46;
const ZERO = 48;

/** Parses a dotted quad strictly (four decimal octets, no leading zeros, each ≤ 255); undefined if it is not one. */
export function parseIPv4(text: string): number | undefined {
  const end = text.length;
  if (end < 7 || end > 15) return undefined;
  let value = 0;
  let octets = 0;
  let p = 0;
  while (octets < 4) {
    const start = p;
    let octet = 0;
    while (p < end) {
      const digit = text.charCodeAt(p) - ZERO;
      if (digit < 0 || digit > 9) break;
      octet = octet * 10 + digit;
      p++;
    }
    const digits = p - start;
    if (digits === 0 || digits > 3 || octet > 255 || (digits > 1 && text.charCodeAt(start) === ZERO)) return undefined;
    value = value * 256 + octet;
    octets++;
    if (octets < 4) {
      if (text.charCodeAt(p) !== DOT) return undefined;
      p++;
    }
  }
  return p === end ? value : undefined;
}

export function formatIPv4(value: number): string {
  return `${value >>> 24}.${(value >>> 16) & 255}.${(value >>> 8) & 255}.${value & 255}`;
}

/** The network mask of a prefix length as an unsigned 32-bit number. */
export function ipv4Mask(length: number): number {
  return length === 0 ? 0 : (0xffffffff << (IPV4_BITS - length)) >>> 0;
}

/** `address` with the bits past `length` cleared. */
export function maskIPv4(address: number, length: number): number {
  return (address & ipv4Mask(length)) >>> 0;
}

/** Addresses ending in .0 or .255, which some old consumer firmware drops as smurf-attack protection (MetalLB's avoid-buggy-ips). */
export function isBuggyIPv4(address: number): boolean {
  const last = address & 255;
  return last === 0 || last === 255;
}
