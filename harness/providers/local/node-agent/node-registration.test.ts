import { describe, expect, it } from 'vitest';
import type { NodeAgentConfig } from './config.ts';
import { microTime, nodeObject, nodeStatus } from './node-registration.ts';

const config = {
  nodeName: 'vc-node-2', nodeAddress: '198.18.0.12', podCidr: '198.18.66.0/24', podGateway: '198.18.66.1', kubeletPort: 10250,
  kubernetesVersion: 'v1.37.0', labels: { 'topology.kubernetes.io/zone': 'rack-2' },
} as unknown as NodeAgentConfig;
const now = new Date('2026-11-26T12:00:00.456Z');

describe('nodeObject', () => {
  it('carries the kubelet labels, the config labels and the podCIDR', () => {
    expect(nodeObject(config)).toEqual({
      apiVersion: 'v1', kind: 'Node',
      metadata: { name: 'vc-node-2', labels: { 'topology.kubernetes.io/zone': 'rack-2', 'kubernetes.io/hostname': 'vc-node-2', 'kubernetes.io/os': 'linux', 'kubernetes.io/arch': 'amd64' } },
      spec: { podCIDR: '198.18.66.0/24', podCIDRs: ['198.18.66.0/24'] },
    });
  });
});

describe('nodeStatus', () => {
  const status = (previous?: { type: string; status: string; lastTransitionTime?: string }[]) =>
    nodeStatus(config, previous, now, 'boot-1') as { conditions: { type: string; status: string; reason: string; lastHeartbeatTime: string; lastTransitionTime: string }[]; [k: string]: unknown };

  it('is Ready with no pressure, reports addresses, capacity, node info and the kubelet port', () => {
    const s = status();
    expect(s.conditions.map((c) => [c.type, c.status, c.reason])).toEqual([
      ['MemoryPressure', 'False', 'KubeletHasSufficientMemory'],
      ['DiskPressure', 'False', 'KubeletHasNoDiskPressure'],
      ['PIDPressure', 'False', 'KubeletHasSufficientPID'],
      ['Ready', 'True', 'KubeletReady'],
    ]);
    expect(s.addresses).toEqual([{ type: 'InternalIP', address: '198.18.0.12' }, { type: 'Hostname', address: 'vc-node-2' }]);
    expect(s.capacity).toMatchObject({ cpu: '4', memory: '8Gi', pods: '110' });
    expect(s.daemonEndpoints).toEqual({ kubeletEndpoint: { Port: 10250 } });
    expect(s.nodeInfo).toMatchObject({ kubeletVersion: 'v1.37.0', kubeProxyVersion: 'v1.37.0', osImage: 'vipcheck local node', containerRuntimeVersion: 'vipcheck://0.1.0', operatingSystem: 'linux', architecture: 'amd64', bootID: 'boot-1' });
  });

  it('keeps lastTransitionTime while a condition holds, and moves it when the node comes back from Unknown', () => {
    const held = status([{ type: 'Ready', status: 'True', lastTransitionTime: '2026-11-26T11:00:00Z' }]).conditions.find((c) => c.type === 'Ready')!;
    expect(held).toMatchObject({ lastTransitionTime: '2026-11-26T11:00:00Z', lastHeartbeatTime: '2026-11-26T12:00:00Z' });
    const back = status([{ type: 'Ready', status: 'Unknown', lastTransitionTime: '2026-11-26T11:00:00Z' }]).conditions.find((c) => c.type === 'Ready')!;
    expect(back.lastTransitionTime).toBe('2026-11-26T12:00:00Z');
  });
});

describe('microTime', () => {
  it('has the six fractional digits metav1.MicroTime parses', () => {
    expect(microTime(now)).toBe('2026-11-26T12:00:00.456000Z');
  });
});
