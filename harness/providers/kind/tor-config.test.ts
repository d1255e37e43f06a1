import { describe, expect, it } from 'vitest';
import { kindTorBgpConfig, kindTorConfigToml } from './tor-config.ts';
import { NODE_ASN, TOR_ASN } from '../common/fixture-plan.ts';

describe('TOR container gobgpd config', () => {
  it('accepts dynamic neighbors from the kind network\'s subnet with multipath on', () => {
    const toml = kindTorConfigToml({ neighborPrefix: '172.18.0.0/16' });
    expect(toml).toContain(`as = ${TOR_ASN}`);
    expect(toml).toContain('prefix = "172.18.0.0/16"');
    expect(toml).toContain(`peer-as = ${NODE_ASN}`);
    expect(toml).toMatch(/\[global\.use-multiple-paths\.config\]\n\s+enabled = true/);
    expect(toml).toContain('local-address-list = ["0.0.0.0"]');
    expect(toml).toContain('afi-safi-name = "ipv4-unicast"');
  });

  it('takes the ASNs and hold time it is given (iBGP: the same AS on both sides)', () => {
    const config = kindTorBgpConfig({ neighborPrefix: '10.89.0.0/24', asn: 65000, peerAsn: 65000, holdTimeSec: 9 });
    expect(config).toMatchObject({ asn: 65000, peerAsn: 65000, holdTimeSec: 9, dynamicNeighborPrefix: '10.89.0.0/24' });
    expect(kindTorConfigToml({ neighborPrefix: '10.89.0.0/24', asn: 65000, peerAsn: 65000, holdTimeSec: 9 })).toContain('hold-time = 9');
  });

  it('refuses a subnet that is not an IPv4 CIDR', () => {
    expect(() => kindTorConfigToml({ neighborPrefix: 'fc00:f853:ccd:e793::/64' })).toThrow(/dynamicNeighborPrefix/);
  });
});
