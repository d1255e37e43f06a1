// IPv6 addresses as 128-bit bigints: parsed per RFC 4291 §2.2 (`::`, an
// embedded dotted quad) and printed in the canonical form of RFC 5952.
import { formatIPv4, parseIPv4 } from './ipv4.ts';

export const IPV6_BITS = 128;
export const IPV6_MAX = (1n << 128n) - 1n;

const HEX_GROUP = /^[0-9a-fA-F]{1,4}$/;

/** Parses any RFC 4291 text form (no zone index); undefined if it is not an IPv6 address. */
export function parseIPv6(text: string): bigint | undefined {
  if (text.length < 2 || text.length > 45) return undefined;
  const gap = text.indexOf('::');
  const head = gap < 0 ? text : text.slice(0, gap);
  const tail = gap < 0 ? '' : text.slice(gap + 2);
  const headGroups = head === '' ? [] : head.split(':');
  const tailGroups = tail === '' ? [] : tail.split(':');
  const last = gap < 0 ? headGroups : tailGroups;
  // The last 32 bits may be written as a dotted quad (RFC 4291 §2.2 form 3).
  let embedded: number | undefined;
  if (last.length > 0 && last[last.length - 1].includes('.')) {
    embedded = parseIPv4(last.pop()!);
    if (embedded === undefined) return undefined;
  }
  const groups = headGroups.length + tailGroups.length + (embedded === undefined ? 0 : 2);
  // `::` stands for at least one group of zeros.
  if (gap < 0 ? groups !== 8 : groups > 7) return undefined;
  let value = 0n;
  for (const group of headGroups) {
    if (!HEX_GROUP.test(group)) return undefined;
    value = (value << 16n) | BigInt(`0x${group}`);
  }
  value <<= 16n * BigInt(8 - groups);
  for (const group of tailGroups) {
    if (!HEX_GROUP.test(group)) return undefined;
    value = (value << 16n) | BigInt(`0x${group}`);
  }
  if (embedded !== undefined) value = (value << 32n) | BigInt(embedded);
  return value;
}

const MAPPED_PREFIX = 0xffffn << 32n;

/** RFC 5952 §4: lower-case hex without leading zeros, the longest run (first if tied) of two or more zero groups as `::`; IPv4-mapped addresses in mixed notation (§5). */
export function formatIPv6(value: bigint): string {
  if (value >> 32n === 0xffffn) return `::ffff:${formatIPv4(Number(value - MAPPED_PREFIX))}`;
  const groups: number[] = [];
  for (let shift = 112n; shift >= 0n; shift -= 16n) groups.push(Number((value >> shift) & 0xffffn));
  let bestStart = -1;
  let bestLength = 1;
  for (let i = 0; i < 8;) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLength) [bestStart, bestLength] = [i, j - i];
    i = j;
  }
  const hex = (list: number[]) => list.map((g) => g.toString(16)).join(':');
  if (bestStart < 0) return hex(groups);
  return `${hex(groups.slice(0, bestStart))}::${hex(groups.slice(bestStart + bestLength))}`;
}
