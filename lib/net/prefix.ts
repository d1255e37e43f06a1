// Prefixes (CIDRs) of either family: the network address and its length.
// Two parsers, because both behaviours are wanted: parsePrefix refuses host
// bits (one route, one spelling), parseCidr clears them as Go's
// net.ParseCIDR does (what MetalLB accepts in a pool).
import { parseIP, type IpAddress, type IpFamily } from './address.ts';
import { AddressError } from './errors.ts';
import { formatIPv4, IPV4_BITS, maskIPv4 } from './ipv4.ts';
import { formatIPv6, IPV6_BITS, IPV6_MAX } from './ipv6.ts';

export interface Ipv4Prefix {
  /** Network address, host bits zero. */
  address: number;
  length: number;
}

export interface Ipv6Prefix {
  /** Network address, host bits zero. */
  address: bigint;
  length: number;
}

export type IpPrefix = Ipv4Prefix | Ipv6Prefix;

/** Parses "address/length" strictly: host bits must be zero. Throws an AddressError naming the input. */
export function parsePrefix(text: string, family: 4): Ipv4Prefix;
export function parsePrefix(text: string, family: 6): Ipv6Prefix;
export function parsePrefix(text: string, family?: IpFamily): IpPrefix;
export function parsePrefix(text: string, family?: IpFamily): IpPrefix {
  return readPrefix(text, family, false);
}

/** Parses "address/length" leniently: host bits are cleared (Go's net.ParseCIDR). Throws an AddressError naming the input. */
export function parseCidr(text: string, family: 4): Ipv4Prefix;
export function parseCidr(text: string, family: 6): Ipv6Prefix;
export function parseCidr(text: string, family?: IpFamily): IpPrefix;
export function parseCidr(text: string, family?: IpFamily): IpPrefix {
  return readPrefix(text, family, true);
}

const SHAPE = { 4: 'a.b.c.d/length', 6: 'x:x::x/length' } as const;
const NAME = { 4: 'an IPv4 address', 6: 'an IPv6 address' } as const;

function readPrefix(text: string, family: IpFamily | undefined, clearHostBits: boolean): IpPrefix {
  const slash = text.indexOf('/');
  if (slash < 0) throw new AddressError('prefix', text, `expected ${family ? SHAPE[family] : 'address/length'}`);
  const addressText = text.slice(0, slash);
  const address = parseIP(addressText, family);
  if (address === undefined) throw new AddressError('prefix', text, `${JSON.stringify(addressText)} is not ${family ? NAME[family] : 'an IP address'}`);
  const bits = typeof address === 'number' ? IPV4_BITS : IPV6_BITS;
  const length = parseLength(text, slash + 1);
  if (length === undefined || length > bits) {
    throw new AddressError('prefix', text, `length ${JSON.stringify(text.slice(slash + 1))} is not an integer from 0 to ${bits}`);
  }
  const network = maskAddress(address, length);
  if (network !== address && !clearHostBits) {
    throw new AddressError('prefix', text, `host bits are set (the network is ${formatPrefix({ address: network, length } as IpPrefix)})`);
  }
  return { address: network, length } as IpPrefix;
}

/** Decimal digits from `start` to the end, no leading zero, at most three; undefined otherwise. */
function parseLength(text: string, start: number): number | undefined {
  const digits = text.length - start;
  if (digits < 1 || digits > 3 || (digits > 1 && text.charCodeAt(start) === 48)) return undefined;
  let length = 0;
  for (let p = start; p < text.length; p++) {
    const digit = text.charCodeAt(p) - 48;
    if (digit < 0 || digit > 9) return undefined;
    length = length * 10 + digit;
  }
  return length;
}

export function formatPrefix(prefix: IpPrefix): string {
  const address = typeof prefix.address === 'number' ? formatIPv4(prefix.address) : formatIPv6(prefix.address);
  return `${address}/${prefix.length}`;
}

/** The IPv6 network mask of a prefix length. */
export function ipv6Mask(length: number): bigint {
  return IPV6_MAX ^ ((1n << BigInt(IPV6_BITS - length)) - 1n);
}

/** `address` with the bits past `length` cleared. */
export function maskAddress(address: number, length: number): number;
export function maskAddress(address: bigint, length: number): bigint;
export function maskAddress(address: IpAddress, length: number): IpAddress;
export function maskAddress(address: IpAddress, length: number): IpAddress {
  return typeof address === 'number' ? maskIPv4(address, length) : address & ipv6Mask(length);
}

/** Number of addresses in the prefix. */
export function prefixSize(prefix: Ipv4Prefix): number;
export function prefixSize(prefix: Ipv6Prefix): bigint;
export function prefixSize(prefix: IpPrefix): IpAddress;
export function prefixSize(prefix: IpPrefix): IpAddress {
  return typeof prefix.address === 'number' ? 2 ** (IPV4_BITS - prefix.length) : 1n << BigInt(IPV6_BITS - prefix.length);
}

/** The last address of the prefix (the first is its `address`). */
export function prefixLast(prefix: Ipv4Prefix): number;
export function prefixLast(prefix: Ipv6Prefix): bigint;
export function prefixLast(prefix: IpPrefix): IpAddress;
export function prefixLast(prefix: IpPrefix): IpAddress {
  return typeof prefix.address === 'number'
    ? prefix.address + prefixSize(prefix as Ipv4Prefix) - 1
    : prefix.address + prefixSize(prefix as Ipv6Prefix) - 1n;
}

/** Whether `address` (of the same family) lies in the prefix. */
export function prefixContains(prefix: IpPrefix, address: IpAddress): boolean {
  return typeof address === typeof prefix.address && maskAddress(address, prefix.length) === prefix.address;
}
