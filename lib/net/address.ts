// An IP address of either family: an IPv4 address is a uint32 number, an
// IPv6 address a 128-bit bigint, so the type itself says the family and IPv4
// code stays on plain numbers.
import { AddressError } from './errors.ts';
import { formatIPv4, isBuggyIPv4, parseIPv4 } from './ipv4.ts';
import { formatIPv6, parseIPv6 } from './ipv6.ts';

export type IpAddress = number | bigint;
export type IpFamily = 4 | 6;

export function familyOf(address: IpAddress): IpFamily {
  return typeof address === 'number' ? 4 : 6;
}

/** Address bits of a family: 32 or 128. */
export function bitsOf(family: IpFamily): 32 | 128 {
  return family === 4 ? 32 : 128;
}

/** True for text with a colon: an IPv6 address or prefix, or meant to be one (to say "IPv6 is not supported" rather than "invalid"). */
export function looksLikeIPv6(text: string): boolean {
  return text.includes(':');
}

/** Parses an address of either family (or only `family`); undefined if it is not one. */
export function parseIP(text: string, family?: 4): number | undefined;
export function parseIP(text: string, family: 6): bigint | undefined;
export function parseIP(text: string, family?: IpFamily): IpAddress | undefined;
export function parseIP(text: string, family?: IpFamily): IpAddress | undefined {
  if (family === 4) return parseIPv4(text);
  if (family === 6) return parseIPv6(text);
  return looksLikeIPv6(text) ? parseIPv6(text) : parseIPv4(text);
}

const KIND = { 4: 'IPv4 address', 6: 'IPv6 address' } as const;

/** As parseIP, but throws an AddressError naming the input. */
export function parseAddress(text: string, family: 4): number;
export function parseAddress(text: string, family: 6): bigint;
export function parseAddress(text: string, family?: IpFamily): IpAddress;
export function parseAddress(text: string, family?: IpFamily): IpAddress {
  const address = parseIP(text, family);
  if (address !== undefined) return address;
  const kind = family ? KIND[family] : 'IP address';
  const reason = family === 4 || (family === undefined && !looksLikeIPv6(text))
    ? 'expected a dotted quad a.b.c.d (decimal octets 0..255, no leading zeros)'
    : 'expected an RFC 4291 IPv6 address such as fd00::1';
  throw new AddressError(kind, text, reason);
}

export function formatIP(address: IpAddress): string {
  return typeof address === 'number' ? formatIPv4(address) : formatIPv6(address);
}

/** Numeric order; every IPv4 address sorts before every IPv6 address. */
export function compareIP(a: IpAddress, b: IpAddress): number {
  if (typeof a !== typeof b) return typeof a === 'number' ? -1 : 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Orders address texts, each optionally with "/length" (next hops, prefixes,
 * neighbors), numerically: by address, then length (a bare address counts as
 * a host prefix). Texts that are not addresses sort after, as strings.
 */
export function compareAddresses(a: string, b: string): number {
  const ka = sortKey(a);
  const kb = sortKey(b);
  if (ka && kb) return compareIP(ka.address, kb.address) || ka.length - kb.length;
  if (ka || kb) return ka ? -1 : 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

function sortKey(text: string): { address: IpAddress; length: number } | undefined {
  const slash = text.indexOf('/');
  const address = parseIP(slash < 0 ? text : text.slice(0, slash));
  if (address === undefined) return undefined;
  const length = slash < 0 ? (typeof address === 'number' ? 32 : 128) : Number(text.slice(slash + 1));
  return Number.isInteger(length) ? { address, length } : undefined;
}

/** MetalLB's avoid-buggy-ips: IPv4 addresses ending in .0 or .255 (IPv6 has no such firmware problem). */
export function isBuggyAddress(address: IpAddress): boolean {
  return typeof address === 'number' && isBuggyIPv4(address);
}
