import { describe, expect, it } from 'vitest';
import { formatIPv4 } from '../../../../lib/net/index.ts';
import { allocateAddress, AddressPoolExhaustedError, isHostAddress, parsePodCidr } from './ipam.ts';

describe('parsePodCidr', () => {
  it('computes network and broadcast', () => {
    const c = parsePodCidr('198.18.65.0/24');
    expect(formatIPv4(c.network)).toBe('198.18.65.0');
    expect(formatIPv4(c.broadcast)).toBe('198.18.65.255');
    expect(c.prefix).toBe(24);
  });
  it('rejects malformed input, naming it', () => {
    expect(() => parsePodCidr('198.18.65.0')).toThrow('invalid prefix "198.18.65.0": expected a.b.c.d/length');
    expect(() => parsePodCidr('198.18.65.300/24')).toThrow(/"198.18.65.300" is not an IPv4 address/);
    expect(() => parsePodCidr('198.18.65.7/24')).toThrow(/host bits are set \(the network is 198.18.65.0\/24\)/);
  });
  it('tells pod host addresses from the network, broadcast and outside addresses', () => {
    const c = parsePodCidr('198.18.65.0/24');
    expect(['198.18.65.0', '198.18.65.1', '198.18.65.254', '198.18.65.255', '198.18.66.1', 'x'].map((a) => isHostAddress(c, a)))
      .toEqual([false, true, true, false, false, false]);
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
