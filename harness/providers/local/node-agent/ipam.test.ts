import { describe, expect, it } from 'vitest';
import { allocateAddress, AddressPoolExhaustedError, parseCidr, numberToIpv4 } from './ipam.ts';

describe('parseCidr', () => {
  it('computes network and broadcast', () => {
    const c = parseCidr('198.18.65.0/24');
    expect(numberToIpv4(c.network)).toBe('198.18.65.0');
    expect(numberToIpv4(c.broadcast)).toBe('198.18.65.255');
  });
  it('rejects malformed input', () => {
    expect(() => parseCidr('198.18.65.0')).toThrow(/not an IPv4 CIDR/);
    expect(() => parseCidr('198.18.65.300/24')).toThrow(/not an IPv4 address/);
    expect(() => parseCidr('198.18.65.7/24')).toThrow(/host bits set/);
  });
});

describe('allocateAddress', () => {
  const cidr = '198.18.65.0/24';
  const gw = '198.18.65.1';

  it('starts at .2 (skipping network and gateway)', () => {
    expect(allocateAddress(cidr, gw, new Set())).toBe('198.18.65.2');
  });

  it('continues after the last address handed out, not reusing a freed one at once', () => {
    expect(allocateAddress(cidr, gw, new Set(['198.18.65.3']), '198.18.65.2')).toBe('198.18.65.4');
    expect(allocateAddress(cidr, gw, new Set(), '198.18.65.9')).toBe('198.18.65.10');
  });

  it('wraps around after .254 and never hands out the broadcast address', () => {
    expect(allocateAddress(cidr, gw, new Set(), '198.18.65.254')).toBe('198.18.65.2');
    expect(allocateAddress(cidr, gw, new Set(['198.18.65.2']), '198.18.65.253')).toBe('198.18.65.254');
  });

  it('hands out .2 to .254, each once, then reports exhaustion', () => {
    const used = new Set<string>();
    let last: string | undefined;
    for (let i = 0; i < 253; i++) {
      last = allocateAddress(cidr, gw, used, last);
      expect(used.has(last)).toBe(false);
      used.add(last);
    }
    expect(used.has('198.18.65.1')).toBe(false);
    expect(used.has('198.18.65.255')).toBe(false);
    expect(() => allocateAddress(cidr, gw, used, last)).toThrow(AddressPoolExhaustedError);
    expect(() => allocateAddress(cidr, gw, used, last)).toThrow(/no free pod address in 198\.18\.65\.0\/24/);
  });
});
