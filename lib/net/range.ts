// Address ranges "first-last" (both inclusive, one family) and the smallest
// list of prefixes that covers one exactly.
import { familyOf, parseIP, type IpAddress } from './address.ts';
import { AddressError } from './errors.ts';
import { IPV4_BITS } from './ipv4.ts';
import { IPV6_BITS } from './ipv6.ts';
import type { IpPrefix, Ipv4Prefix, Ipv6Prefix } from './prefix.ts';

export interface AddressRange<A extends IpAddress = IpAddress> {
  first: A;
  last: A;
}

/** Parses "a-b" (spaces around either address allowed). Throws an AddressError naming the input and which end is wrong. */
export function parseRange(text: string): AddressRange {
  const [startText, endText, ...extra] = text.split('-').map((part) => part.trim());
  const first = parseIP(startText);
  if (extra.length > 0 || first === undefined) throw new AddressError('range', text, `invalid start address ${JSON.stringify(startText)}`);
  const last = endText === undefined ? undefined : parseIP(endText);
  if (last === undefined) throw new AddressError('range', text, `invalid end address ${JSON.stringify(endText ?? '')}`);
  if (familyOf(first) !== familyOf(last)) throw new AddressError('range', text, 'the start and end addresses are of different families');
  if (first > last) throw new AddressError('range', text, 'the start address is after the end address');
  return { first, last };
}

/** The smallest list of prefixes that covers exactly first..last (both inclusive), in address order. */
export function summarizeRange(first: number, last: number): Ipv4Prefix[];
export function summarizeRange(first: bigint, last: bigint): Ipv6Prefix[];
export function summarizeRange(first: IpAddress, last: IpAddress): IpPrefix[];
export function summarizeRange(first: IpAddress, last: IpAddress): IpPrefix[] {
  if (typeof first !== typeof last) throw new TypeError('summarizeRange: first and last are of different families');
  const v4 = typeof first === 'number';
  const bits = BigInt(v4 ? IPV4_BITS : IPV6_BITS);
  const end = BigInt(last);
  const result: IpPrefix[] = [];
  // One arithmetic for both families; ranges come from configuration, not from a hot path.
  for (let start = BigInt(first); start <= end;) {
    // The largest aligned block starting at `start` that does not run past `end`.
    let hostBits = 0n;
    while (hostBits < bits) {
      const size = 1n << (hostBits + 1n);
      if (start % size !== 0n || start + size - 1n > end) break;
      hostBits++;
    }
    const length = Number(bits - hostBits);
    result.push(v4 ? { address: Number(start), length } : { address: start, length });
    start += 1n << hostBits;
  }
  return result;
}
