import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { buildClusterConfig, clusterConfigYaml, workerContainerNames } from './cluster-config.ts';
import { readKindVersions } from './versions.ts';

describe('kind cluster config', () => {
  const { kindNodeImage } = readKindVersions();

  it('has one control plane and N workers, all on the node image pinned in versions.json', () => {
    const config = parse(clusterConfigYaml({ workers: 3, nodeImage: kindNodeImage }));
    expect(config.kind).toBe('Cluster');
    expect(config.apiVersion).toBe('kind.x-k8s.io/v1alpha4');
    expect(config.nodes.map((n: { role: string }) => n.role)).toEqual(['control-plane', 'worker', 'worker', 'worker']);
    for (const node of config.nodes) expect(node.image).toBe(kindNodeImage);
    expect(kindNodeImage).toMatch(/^kindest\/node:v\d+\.\d+\.\d+@sha256:[0-9a-f]{64}$/);
  });

  it('taints the control plane so that no BGP speaker runs there, keeping kubeadm\'s own taint', () => {
    const [controlPlane, ...workers] = buildClusterConfig({ workers: 2, nodeImage: kindNodeImage }).nodes;
    expect(controlPlane.kubeadmConfigPatches).toHaveLength(1);
    expect(parse(controlPlane.kubeadmConfigPatches![0])).toEqual({
      kind: 'InitConfiguration',
      nodeRegistration: {
        taints: [
          { key: 'node-role.kubernetes.io/control-plane', effect: 'NoSchedule' },
          { key: 'vipcheck.dev/no-bgp-speaker', effect: 'NoSchedule' },
        ],
      },
    });
    for (const worker of workers) expect(worker.kubeadmConfigPatches).toBeUndefined();
  });

  it('uses the local provider\'s pod and Service ranges and keeps the template\'s networking', () => {
    const config = buildClusterConfig({ workers: 1, nodeImage: kindNodeImage });
    expect(config.networking).toMatchObject({
      podSubnet: '198.18.64.0/18',
      serviceSubnet: '198.18.128.0/20',
      ipFamily: 'ipv4',
      disableDefaultCNI: false,
      kubeProxyMode: 'iptables',
    });
  });

  it('refuses worker counts out of range and templates that are not a node-less kind Cluster', () => {
    expect(() => buildClusterConfig({ workers: 0, nodeImage: kindNodeImage })).toThrow('--nodes must be an integer from 1 to 10 for the kind provider, got 0');
    expect(() => buildClusterConfig({ workers: 2.5, nodeImage: kindNodeImage })).toThrow(/got 2.5/);
    expect(() => buildClusterConfig({ workers: 1, nodeImage: 'x', template: 'kind: Pod\napiVersion: v1\n' })).toThrow(/kind must be Cluster/);
    expect(() => buildClusterConfig({ workers: 1, nodeImage: 'x', template: 'kind: Cluster\napiVersion: kind.x-k8s.io/v1alpha4\nnodes: []\n' }))
      .toThrow(/must not list nodes/);
  });

  it('knows kind\'s worker container names', () => {
    expect(workerContainerNames('vc-kind', 3)).toEqual(['vc-kind-worker', 'vc-kind-worker2', 'vc-kind-worker3']);
  });
});
