import type { V1Node } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { isReady, readinessSummary, workerNodes } from './nodes.ts';

function node(name: string, options: { ready?: boolean; reason?: string; controlPlane?: boolean; address?: string } = {}): V1Node {
  return {
    metadata: { name, labels: options.controlPlane ? { 'node-role.kubernetes.io/control-plane': '' } : { 'kubernetes.io/hostname': name } },
    status: {
      conditions: [{ type: 'Ready', status: options.ready === false ? 'False' : 'True', reason: options.reason }],
      addresses: options.address === '' ? [] : [{ type: 'Hostname', address: name }, { type: 'InternalIP', address: options.address ?? '172.18.0.9' }],
    },
  } as V1Node;
}

describe('kind Nodes', () => {
  it('tells Ready from NotReady and says why in a summary', () => {
    expect(isReady(node('a'))).toBe(true);
    expect(isReady(node('a', { ready: false }))).toBe(false);
    expect(isReady({ metadata: { name: 'x' } } as V1Node)).toBe(false);
    expect(readinessSummary([node('vc-kind-control-plane'), node('vc-kind-worker', { ready: false, reason: 'KubeletNotReady' })]))
      .toBe('vc-kind-control-plane: Ready, vc-kind-worker: NotReady (KubeletNotReady)');
    expect(readinessSummary([])).toBe('no Nodes registered yet');
  });

  it('lists the workers (not the control plane) in kind\'s order, with their InternalIP', () => {
    const nodes = [
      node('vc-kind-worker10', { address: '172.18.0.12' }),
      node('vc-kind-control-plane', { controlPlane: true, address: '172.18.0.2' }),
      node('vc-kind-worker2', { address: '172.18.0.4' }),
      node('vc-kind-worker', { address: '172.18.0.3' }),
    ];
    expect(workerNodes(nodes)).toEqual([
      { name: 'vc-kind-worker', address: '172.18.0.3' },
      { name: 'vc-kind-worker2', address: '172.18.0.4' },
      { name: 'vc-kind-worker10', address: '172.18.0.12' },
    ]);
  });

  it('names a worker without an InternalIP', () => {
    expect(() => workerNodes([node('vc-kind-worker', { address: '' })])).toThrow('Node vc-kind-worker has no InternalIP in status.addresses');
  });
});
