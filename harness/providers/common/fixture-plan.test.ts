import { describe, expect, it } from 'vitest';
import { VIP_CIDR, fixtureVars, ibgpPeerNodes } from './fixture-plan.ts';

describe('the plan every provider follows', () => {
  it('peers all nodes but the last with the iBGP router (one node: that one)', () => {
    expect(ibgpPeerNodes(['w1', 'w2', 'w3'])).toEqual(['w1', 'w2']);
    expect(ibgpPeerNodes(['w1'])).toEqual(['w1']);
  });

  it('takes every pool from the VIP range the client routes through the TOR, and the addresses it is given', () => {
    const vars = fixtureVars({ torAddress: '172.18.0.5', ibgpRouterAddress: '172.18.0.6', clientAddress: '172.18.0.1' });
    expect(vars).toMatchObject({ torAddress: '172.18.0.5', ibgpRouterAddress: '172.18.0.6', clientAddress: '172.18.0.1', torAsn: 64512, nodeAsn: 64513 });
    const prefix = VIP_CIDR.split('.').slice(0, 2).join('.') + '.';
    for (const [name, value] of Object.entries(vars)) if (name.startsWith('pool')) expect(String(value), name).toMatch(new RegExp(`^${prefix.replace(/\./g, '\\.')}`));
  });
});
