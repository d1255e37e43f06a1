import { describe, expect, it } from 'vitest';
import type { V1Pod } from '@kubernetes/client-node';
import { HOSTPORT_CHAIN, hostPortJumps, hostPortMappings, hostPortRule } from './hostports.ts';

const pod = (spec: object): V1Pod => ({ metadata: { name: 'p', namespace: 'ns', uid: 'u' }, spec: { containers: [], ...spec } }) as V1Pod;

describe('hostPortMappings', () => {
  it('maps every container port that has a hostPort, default protocol TCP', () => {
    const p = pod({
      containers: [
        { name: 'a', ports: [{ containerPort: 8080, hostPort: 80 }, { containerPort: 9000 }] },
        { name: 'b', ports: [{ containerPort: 5353, hostPort: 53, protocol: 'UDP', hostIP: '198.18.0.11' }] },
      ],
    });
    expect(hostPortMappings(p, '198.18.65.7')).toEqual([
      { protocol: 'TCP', hostPort: 80, hostIP: undefined, podIP: '198.18.65.7', containerPort: 8080 },
      { protocol: 'UDP', hostPort: 53, hostIP: '198.18.0.11', podIP: '198.18.65.7', containerPort: 5353 },
    ]);
  });

  it('treats hostIP 0.0.0.0 as any address', () => {
    const p = pod({ containers: [{ name: 'a', ports: [{ containerPort: 1, hostPort: 2, hostIP: '0.0.0.0' }] }] });
    expect(hostPortMappings(p, '198.18.65.7')[0].hostIP).toBeUndefined();
  });

  it('gives no rules for hostNetwork pods', () => {
    const p = pod({ hostNetwork: true, containers: [{ name: 'a', ports: [{ containerPort: 80, hostPort: 80 }] }] });
    expect(hostPortMappings(p, '198.18.0.11')).toEqual([]);
  });
});

describe('hostPortRule', () => {
  it('DNATs protocol, optional destination and port to the pod', () => {
    expect(hostPortRule({ protocol: 'TCP', hostPort: 80, podIP: '198.18.65.7', containerPort: 8080 }, 'ns/p')).toEqual([
      '-p', 'tcp', '--dport', '80', '-m', 'comment', '--comment', 'vc-hostport ns/p', '-j', 'DNAT', '--to-destination', '198.18.65.7:8080',
    ]);
    expect(hostPortRule({ protocol: 'UDP', hostPort: 53, hostIP: '198.18.0.11', podIP: '198.18.65.7', containerPort: 5353 }, 'ns/p')).toEqual([
      '-p', 'udp', '-d', '198.18.0.11/32', '--dport', '53', '-m', 'comment', '--comment', 'vc-hostport ns/p', '-j', 'DNAT', '--to-destination', '198.18.65.7:5353',
    ]);
  });

  it('hooks our chain from PREROUTING and OUTPUT for local destinations only', () => {
    const jumps = hostPortJumps();
    expect(jumps.map((j) => j.chain)).toEqual(['PREROUTING', 'OUTPUT']);
    for (const j of jumps) {
      expect(j.rule.slice(-2)).toEqual(['-j', HOSTPORT_CHAIN]);
      expect(j.rule.join(' ')).toContain('--dst-type LOCAL');
    }
  });
});
