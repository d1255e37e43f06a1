// Pod addresses from the node's podCIDR. Pure: the caller keeps the set of
// addresses in use (persisted in the node state) and the last one handed
// out, so that an address freed by a deleted pod is not handed to the next
// pod at once (endpoints and conntrack entries may still point at it).

export interface Cidr {
  /** Network address as an unsigned 32-bit number. */
  network: number;
  broadcast: number;
  prefix: number;
}

export function ipv4ToNumber(address: string): number {
  const parts = address.split('.');
  if (parts.length !== 4 || parts.some((p) => !/^\d{1,3}$/.test(p) || Number(p) > 255)) {
    throw new Error(`"${address}" is not an IPv4 address`);
  }
  return parts.reduce((n, p) => n * 256 + Number(p), 0);
}

export function numberToIpv4(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}

export function parseCidr(cidr: string): Cidr {
  const match = /^(\d+\.\d+\.\d+\.\d+)\/(\d{1,2})$/.exec(cidr);
  if (!match) throw new Error(`"${cidr}" is not an IPv4 CIDR like 198.18.65.0/24`);
  const prefix = Number(match[2]);
  if (prefix > 32) throw new Error(`"${cidr}" has a prefix length above 32`);
  const address = ipv4ToNumber(match[1]);
  const size = 2 ** (32 - prefix);
  const network = address - (address % size);
  if (network !== address) throw new Error(`"${cidr}" has host bits set (network is ${numberToIpv4(network)}/${prefix})`);
  return { network, broadcast: network + size - 1, prefix };
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
  const { network, broadcast } = parseCidr(cidr);
  const gw = ipv4ToNumber(gateway);
  const first = network + 1;
  const lastHost = broadcast - 1;
  const count = lastHost - first + 1;
  let start = first;
  if (last !== undefined) {
    const n = ipv4ToNumber(last);
    if (n >= first && n <= lastHost) start = n + 1;
  }
  for (let i = 0; i < count; i++) {
    const candidate = first + ((start - first + i) % count);
    if (candidate === gw) continue;
    const address = numberToIpv4(candidate);
    if (!inUse.has(address)) return address;
  }
  throw new AddressPoolExhaustedError(cidr, inUse.size);
}
