// Pod addresses from the node's podCIDR. Pure: the caller keeps the set of
// addresses in use (persisted in the node state) and the last one handed
// out, so that an address freed by a deleted pod is not handed to the next
// pod at once (endpoints and conntrack entries may still point at it).
import { formatIPv4, parseAddress, parseIPv4, parsePrefix, prefixLast } from '../../../../lib/net/index.ts';

export interface PodCidr {
  /** Network address as an unsigned 32-bit number. */
  network: number;
  broadcast: number;
  prefix: number;
}

/** The node's podCIDR, strictly (host bits refused): network and broadcast as numbers. Throws an AddressError naming it. */
export function parsePodCidr(cidr: string): PodCidr {
  const prefix = parsePrefix(cidr, 4);
  return { network: prefix.address, broadcast: prefixLast(prefix), prefix: prefix.length };
}

/** Whether `address` may be a pod's: inside the podCIDR, neither its network nor its broadcast address. */
export function isHostAddress(cidr: PodCidr, address: string): boolean {
  const n = parseIPv4(address);
  return n !== undefined && n > cidr.network && n < cidr.broadcast;
}

export class AddressPoolExhaustedError extends Error {
  constructor(cidr: string, inUse: number) {
    super(`no free pod address in ${cidr}: all ${inUse} host addresses are in use`);
    this.name = 'AddressPoolExhaustedError';
  }
}

/**
 * The next free host address of `cidr` after `last` (wrapping around), never
 * the network, broadcast or gateway address.
 */
export function allocateAddress(cidr: string, gateway: string, inUse: ReadonlySet<string>, last?: string): string {
  const { network, broadcast } = parsePodCidr(cidr);
  const gw = parseAddress(gateway, 4);
  const first = network + 1;
  const lastHost = broadcast - 1;
  const count = lastHost - first + 1;
  let start = first;
  if (last !== undefined) {
    const n = parseIPv4(last);
    if (n !== undefined && n >= first && n <= lastHost) start = n + 1;
  }
  for (let i = 0; i < count; i++) {
    const candidate = first + ((start - first + i) % count);
    if (candidate === gw) continue;
    const address = formatIPv4(candidate);
    if (!inUse.has(address)) return address;
  }
  throw new AddressPoolExhaustedError(cidr, inUse.size);
}
