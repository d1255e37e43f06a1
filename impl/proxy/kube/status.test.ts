import type { V1Ingress, V1Service } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { desiredStatus, planStatusPatches } from './status.ts';

const ingress = (name: string, addresses: { ip?: string; hostname?: string }[] = []): V1Ingress => ({
  metadata: { name, namespace: 'web' },
  status: { loadBalancer: { ingress: addresses } },
});

describe('Ingress status', () => {
  const lb: V1Service = { metadata: { name: 'vipcheck-proxy', namespace: 'vipcheck-ingress' }, status: { loadBalancer: { ingress: [{ ip: '198.19.0.10', ipMode: 'VIP' }, { hostname: 'lb.example' }] } } };

  it('takes the publish Service load-balancer addresses, or the fixed list, or nothing', () => {
    const publish = { publishService: { namespace: 'vipcheck-ingress', name: 'vipcheck-proxy' }, publishStatusAddresses: [] };
    expect(desiredStatus(publish, [lb])).toEqual([{ ip: '198.19.0.10' }, { hostname: 'lb.example' }]);
    expect(desiredStatus(publish, [])).toEqual([]);
    expect(desiredStatus({ publishService: undefined, publishStatusAddresses: ['198.18.0.10', 'x.example'] }, [])).toEqual([{ ip: '198.18.0.10' }, { hostname: 'x.example' }]);
    expect(desiredStatus({ publishService: undefined, publishStatusAddresses: [] }, [lb])).toBeUndefined();
  });

  it('writes served Ingresses whose status differs, clears ones we stopped serving, never touches others', () => {
    const desired = [{ ip: '198.19.0.10' }];
    const current = ingress('current', [{ ip: '198.19.0.10' }]);
    const stale = ingress('stale', [{ ip: '198.19.0.99' }]);
    const fresh = ingress('fresh');
    const dropped = ingress('dropped', [{ ip: '198.19.0.10' }]);
    const foreign = ingress('foreign', [{ ip: '203.0.113.1' }]);
    const patches = planStatusPatches([current, stale, fresh, dropped, foreign], [current, stale, fresh], desired, new Set(['web/dropped', 'web/current']));
    expect(patches).toEqual([
      { namespace: 'web', name: 'stale', addresses: desired },
      { namespace: 'web', name: 'fresh', addresses: desired },
      { namespace: 'web', name: 'dropped', addresses: [] },
    ]);
  });

  it('compares address sets regardless of order', () => {
    const both = [{ ip: '198.19.0.1' }, { ip: '198.19.0.2' }];
    expect(planStatusPatches([ingress('a', [both[1], both[0]])], [ingress('a', [both[1], both[0]])], both, new Set())).toEqual([]);
  });
});
