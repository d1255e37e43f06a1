// IPv4 arithmetic for pool checks: whether an address lies in a pool entry
// (a CIDR or an a-b range), and addresses picked inside a CIDR.

export function ipv4ToNumber(address: string): number {
  const parts = address.split('.').map(Number);
  if (parts.length !== 4 || parts.some((p) => !Number.isInteger(p) || p < 0 || p > 255)) throw new Error(`not an IPv4 address: ${JSON.stringify(address)}`);
  return ((parts[0] * 256 + parts[1]) * 256 + parts[2]) * 256 + parts[3];
}

export function numberToIpv4(value: number): string {
  return [value >>> 24, (value >>> 16) & 255, (value >>> 8) & 255, value & 255].join('.');
}

/** Whether an address lies in a pool entry: a CIDR ("a.b.c.d/n") or a range ("a-b"). */
export function inPool(address: string, entry: string): boolean {
  const n = ipv4ToNumber(address);
  if (entry.includes('-')) {
    const [first, last] = entry.split('-').map((s) => ipv4ToNumber(s.trim()));
    return n >= first && n <= last;
  }
  const [base, length] = entry.split('/');
  const size = 2 ** (32 - Number(length));
  const start = ipv4ToNumber(base) - (ipv4ToNumber(base) % size);
  return n >= start && n < start + size;
}

/** The address `offset` places after a CIDR's network address. */
export function addressIn(cidr: string, offset: number): string {
  return numberToIpv4(ipv4ToNumber(cidr.split('/')[0]) + offset);
}
