import { describe, expect, it } from 'vitest';
import type { V1Service } from '@kubernetes/client-node';
import { allocationSpec, backendKey, primaryFamily, requestedAddress, statusAddresses } from './service.ts';

describe('reading a Service', () => {
  it('builds the allocation spec from ports and annotations', () => {
    const service: V1Service = {
      metadata: { namespace: 'n', name: 's', annotations: { 'metallb.universe.tf/allow-shared-ip': 'k', 'metallb.universe.tf/address-pool': 'gold' } },
      spec: { type: 'LoadBalancer', ports: [{ port: 80 }, { port: 53, protocol: 'UDP' }], externalTrafficPolicy: 'Local', selector: { tier: 'web', app: 'x' } },
    };
    expect(allocationSpec(service)).toEqual({
      ports: [{ protocol: 'TCP', port: 80 }, { protocol: 'UDP', port: 53 }], sharingKey: 'k', backendKey: 'app=x,tier=web', pool: 'gold',
    });
    expect(backendKey({ spec: { externalTrafficPolicy: 'Cluster', selector: { app: 'x' } } })).toBe('');
  });

  it('reads requested and status addresses', () => {
    expect(requestedAddress({ spec: { loadBalancerIP: ' 198.19.0.1 ' } })).toBe('198.19.0.1');
    expect(requestedAddress({ metadata: { annotations: { 'metallb.universe.tf/loadBalancerIPs': '198.19.0.2' } } })).toBe('198.19.0.2');
    expect(requestedAddress({})).toBeUndefined();
    expect(() => requestedAddress({ metadata: { annotations: { 'metallb.universe.tf/loadBalancerIPs': '198.19.0.2,198.19.0.3' } } })).toThrow('only one IPv4 address is supported');
    expect(() => requestedAddress({ spec: { loadBalancerIP: '198.19.0' } })).toThrow('invalid spec.loadBalancerIP "198.19.0"');
    expect(statusAddresses({ status: { loadBalancer: { ingress: [{ hostname: 'x' }, { ip: 'fd00::1' }, { ip: '198.19.0.9' }] } } })).toEqual(['198.19.0.9']);
  });

  it('finds the primary IP family', () => {
    expect(primaryFamily({ spec: { ipFamilies: ['IPv6', 'IPv4'] } })).toBe('IPv6');
    expect(primaryFamily({ spec: { clusterIP: 'fd00::5' } })).toBe('IPv6');
    expect(primaryFamily({ spec: { clusterIP: '10.96.0.5' } })).toBe('IPv4');
  });
});
