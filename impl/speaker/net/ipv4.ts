// IPv4 addresses as unsigned 32-bit numbers: pools, ranges and prefixes are
// compared and iterated as plain integers.

/** An IPv4 prefix: network address (host bits zero) and length. */
export interface Cidr {
  address: number;
  length: number;
}

const DOTTED_QUAD = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

/** Parses dotted-quad notation strictly (no leading zeros, each octet ≤ 255); undefined if it is not one. */
export function parseIPv4(text: string): number | undefined {
  const match = DOTTED_QUAD.exec(text);
  if (!match) return undefined;
  let value = 0;
  for (let i = 1; i <= 4; i++) {
    const octet = match[i];
    if (octet.length > 1 && octet.startsWith('0')) return undefined;
    const n = Number(octet);
    if (n > 255) return undefined;
    value = value * 256 + n;
  }
  return value;
}

export function formatIPv4(value: number): string {
  return [value >>> 24, (value >>> 16) & 255, (value >>> 8) & 255, value & 255].join('.');
}

/** True for text that looks like an IPv6 address (has a colon); used to say "IPv6 is not supported" instead of "invalid". */
export function looksLikeIPv6(text: string): boolean {
  return text.includes(':');
}

/** Number of addresses in a prefix of this length. */
export function prefixSize(length: number): number {
  return 2 ** (32 - length);
}

/** The network address of `address` under a prefix of `length` bits. */
export function maskAddress(address: number, length: number): number {
  if (length === 0) return 0;
  const size = prefixSize(length);
  return address - (address % size);
}

/** Parses "a.b.c.d/n"; host bits are cleared (as Go's net.ParseCIDR does). Undefined if malformed. */
export function parseCidr(text: string): Cidr | undefined {
  const slash = text.indexOf('/');
  if (slash < 0) return undefined;
  const address = parseIPv4(text.slice(0, slash));
  const lengthText = text.slice(slash + 1);
  if (address === undefined || !/^\d{1,2}$/.test(lengthText)) return undefined;
  const length = Number(lengthText);
  if (length > 32) return undefined;
  return { address: maskAddress(address, length), length };
}

export function formatCidr(cidr: Cidr): string {
  return `${formatIPv4(cidr.address)}/${cidr.length}`;
}

export function cidrFirst(cidr: Cidr): number {
  return cidr.address;
}

export function cidrLast(cidr: Cidr): number {
  return cidr.address + prefixSize(cidr.length) - 1;
}

/** The smallest list of prefixes that covers exactly first..last (both inclusive). */
export function summarizeRange(first: number, last: number): Cidr[] {
  const result: Cidr[] = [];
  let start = first;
  while (start <= last) {
    // Largest aligned block starting at `start` that does not run past `last`.
    let length = 32;
    while (length > 0) {
      const size = prefixSize(length - 1);
      if (start % size !== 0 || start + size - 1 > last) break;
      length--;
    }
    result.push({ address: start, length });
    start += prefixSize(length);
  }
  return result;
}

/** Addresses ending in .0 or .255, which some old consumer firmware drops as smurf-attack protection. */
export function isBuggyAddress(address: number): boolean {
  const last = address & 255;
  return last === 0 || last === 255;
}
