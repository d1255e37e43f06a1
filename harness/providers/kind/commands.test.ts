import { describe, expect, it } from 'vitest';
import {
  dockerContainerNetworksArgv, dockerExecArgv, dockerListByLabelArgv, dockerNetworkInspectArgv, dockerPauseArgv, dockerRemoveArgv,
  dockerUnpauseArgv, hostRouteDeleteArgv, hostRouteReplaceArgv, kindCreateClusterArgv, kindDeleteClusterArgv, kindExportLogsArgv,
  kindGetKubeconfigArgv, kindGetNodesArgv, kindLoadImageArgv, parseContainerAddress, parseIpamConfig, parseKindVersion,
  parseLabelledContainers, parseNameList, parseRouteGateway,
} from './commands.ts';

const IMAGE = 'kindest/node:v1.37.0@sha256:' + 'a'.repeat(64);

describe('kind command lines', () => {
  it('creates a cluster from a config on stdin, with the pinned image and our own kubeconfig', () => {
    expect(kindCreateClusterArgv('vc-kind', IMAGE, '/tmp/vc-kind/kubeconfig')).toEqual([
      'kind', 'create', 'cluster', '--name', 'vc-kind', '--config', '-', '--image', IMAGE, '--kubeconfig', '/tmp/vc-kind/kubeconfig',
    ]);
  });
  it('loads one image into one cluster', () => {
    expect(kindLoadImageArgv('vipcheck/proxy:0.1.0', 'vc-kind')).toEqual(['kind', 'load', 'docker-image', 'vipcheck/proxy:0.1.0', '--name', 'vc-kind']);
  });
  it('deletes, exports logs, reads kubeconfig and nodes by cluster name', () => {
    expect(kindDeleteClusterArgv('vc-kind')).toEqual(['kind', 'delete', 'cluster', '--name', 'vc-kind']);
    expect(kindDeleteClusterArgv('vc-kind', '/k')).toEqual(['kind', 'delete', 'cluster', '--name', 'vc-kind', '--kubeconfig', '/k']);
    expect(kindExportLogsArgv('vc-kind', '/tmp/logs')).toEqual(['kind', 'export', 'logs', '/tmp/logs', '--name', 'vc-kind']);
    expect(kindGetKubeconfigArgv('vc-kind')).toEqual(['kind', 'get', 'kubeconfig', '--name', 'vc-kind']);
    expect(kindGetNodesArgv('vc-kind')).toEqual(['kind', 'get', 'nodes', '--name', 'vc-kind']);
  });
  it('reads the version and name lists kind prints', () => {
    expect(parseKindVersion('kind v0.33.0 go1.25.4 linux/amd64\n')).toBe('v0.33.0');
    expect(() => parseKindVersion('command not found')).toThrow(/cannot read a version/);
    expect(parseNameList('vc-kind\nother\n')).toEqual(['vc-kind', 'other']);
    expect(parseNameList('No kind clusters found.\n')).toEqual([]);
  });
});

describe('docker command lines', () => {
  it('has the argument forms of the docker CLI', () => {
    expect(dockerNetworkInspectArgv('kind')).toEqual(['docker', 'network', 'inspect', 'kind', '--format', '{{json .IPAM.Config}}']);
    expect(dockerContainerNetworksArgv('vc-kind-tor')).toEqual(['docker', 'container', 'inspect', 'vc-kind-tor', '--format', '{{json .NetworkSettings.Networks}}']);
    expect(dockerExecArgv('vc-kind-tor', ['gobgp', 'neighbor', '-j'])).toEqual(['docker', 'exec', 'vc-kind-tor', 'gobgp', 'neighbor', '-j']);
    expect(dockerPauseArgv('vc-kind-worker2')).toEqual(['docker', 'pause', 'vc-kind-worker2']);
    expect(dockerUnpauseArgv('vc-kind-worker2')).toEqual(['docker', 'unpause', 'vc-kind-worker2']);
    expect(dockerRemoveArgv('vc-kind-tor')).toEqual(['docker', 'rm', '--force', '--volumes', 'vc-kind-tor']);
    expect(dockerListByLabelArgv('vipcheck.cluster')).toEqual(['docker', 'ps', '--all', '--filter', 'label=vipcheck.cluster', '--format', '{{.Names}}\t{{.Label "vipcheck.cluster"}}']);
  });

  it('picks the IPv4 subnet of a dual-stack kind network', () => {
    const json = '[{"Subnet":"fc00:f853:ccd:e793::/64"},{"Subnet":"172.18.0.0/16","Gateway":"172.18.0.1"}]';
    expect(parseIpamConfig(json, 'kind')).toEqual({ subnet: '172.18.0.0/16', gateway: '172.18.0.1' });
    expect(() => parseIpamConfig('[{"Subnet":"fc00::/64"}]', 'kind')).toThrow(/network kind has no IPv4 subnet/);
    expect(() => parseIpamConfig('null?', 'kind')).toThrow(/docker network inspect kind: not JSON/);
  });

  it('reads a container address on a given network and says which networks it has otherwise', () => {
    const json = '{"kind":{"IPAddress":"172.18.0.5","Gateway":"172.18.0.1"}}';
    expect(parseContainerAddress(json, 'vc-kind-tor', 'kind')).toBe('172.18.0.5');
    expect(() => parseContainerAddress('{"bridge":{"IPAddress":"172.17.0.2"}}', 'vc-kind-tor', 'kind'))
      .toThrow('container vc-kind-tor has no IPv4 address on network "kind" (it is on: bridge)');
  });

  it('splits labelled container lines', () => {
    expect(parseLabelledContainers('vc-kind-tor\tvc-kind\nvc-x-tor\tvc-x\n')).toEqual([
      { name: 'vc-kind-tor', value: 'vc-kind' },
      { name: 'vc-x-tor', value: 'vc-x' },
    ]);
  });
});

describe('host route to the VIP pool', () => {
  it('goes via the TOR container and is removed with the same gateway', () => {
    expect(hostRouteReplaceArgv('198.19.0.0/16', '172.18.0.9')).toEqual(['ip', 'route', 'replace', '198.19.0.0/16', 'via', '172.18.0.9']);
    expect(hostRouteDeleteArgv('198.19.0.0/16', '172.18.0.9')).toEqual(['ip', 'route', 'del', '198.19.0.0/16', 'via', '172.18.0.9']);
  });
  it('reads the gateway of an existing route', () => {
    expect(parseRouteGateway('[{"dst":"198.19.0.0/16","gateway":"172.18.0.9","dev":"br-1","flags":[]}]')).toBe('172.18.0.9');
    expect(parseRouteGateway('[]')).toBeUndefined();
    expect(parseRouteGateway('')).toBeUndefined();
  });
});
