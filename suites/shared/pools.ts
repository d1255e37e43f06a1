// Pool checks: whether an address lies in a pool entry (a CIDR or an a-b
// range), and addresses picked inside a CIDR. The address math is lib/net's.
import { formatIP, parseCidr, parseIP, parseRange, prefixContains } from '../../lib/net/index.ts';

/** Whether an address lies in a pool entry: a CIDR ("a.b.c.d/n", host bits ignored as MetalLB does) or a range ("a-b"). */
export function inPool(address: string, entry: string): boolean {
  const value = parseIP(address);
  if (value === undefined) throw new Error(`not an IP address: ${JSON.stringify(address)}`);
  if (entry.includes('-')) {
    const { first, last } = parseRange(entry);
    return typeof value === typeof first && value >= first && value <= last;
  }
  return prefixContains(parseCidr(entry), value);
}

/** The address `offset` places after a CIDR's network address. */
export function addressIn(cidr: string, offset: number): string {
  const { address } = parseCidr(cidr);
  return formatIP(typeof address === 'number' ? address + offset : address + BigInt(offset));
}
