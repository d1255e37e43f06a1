import { describe, expect, it } from 'vitest';
import { NodeAgentConfigError, parseNodeAgentConfig } from './config.ts';

const valid = {
  nodeName: 'vc-node-1',
  nodeAddress: '198.18.0.11',
  podCidr: '198.18.65.0/24',
  podGateway: '198.18.65.1',
  kubeconfig: '/run/vc/node-1.kubeconfig',
  caFile: '/run/vc/ca.crt',
  servingCertFile: '/run/vc/node-1.crt',
  servingKeyFile: '/run/vc/node-1.key',
  kubeletPort: 10250,
  runDir: '/run/vc/nodes/vc-node-1',
  kubernetesServiceHost: '198.18.128.1',
  kubernetesServicePort: 443,
  apiServerUrl: 'https://198.18.0.2:6443',
  kubernetesVersion: 'v1.37.0',
  labels: { 'topology.kubernetes.io/zone': 'rack-1' },
  images: { 'vipcheck/echo': { entrypoint: ['/usr/bin/node', '/repo/impl/echo/main.ts'] }, traefik: { entrypoint: ['/opt/traefik'], files: { '/traefik': '/opt/traefik' } } },
};

const parse = (value: unknown) => parseNodeAgentConfig(JSON.stringify(value), 'node-1.json');
const without = (key: string) => Object.fromEntries(Object.entries(valid).filter(([k]) => k !== key));

describe('parseNodeAgentConfig', () => {
  it('accepts a complete config and keeps every field', () => {
    expect(parse(valid)).toEqual(valid);
  });

  it('names the file and byte position of bad JSON', () => {
    expect(() => parseNodeAgentConfig('{"nodeName": ', 'node-1.json')).toThrow(/node-1\.json: not valid JSON/);
  });

  it.each([
    ['nodeName', /field "nodeName" is required/],
    ['kubeletPort', /field "kubeletPort" is required/],
    ['labels', /field "labels" is required/],
    ['images', /field "images" is required/],
  ])('requires %s', (field, message) => {
    expect(() => parse(without(field))).toThrow(message);
  });

  it.each([
    [{ nodeAddress: '198.18.0' }, /"nodeAddress" must be an IPv4 address/],
    [{ podCidr: '198.18.65.1/24' }, /"podCidr" .*host bits are set/],
    [{ podCidr: '198.18.65.0/31' }, /"podCidr" is too small/],
    [{ podGateway: '198.18.66.1' }, /"podGateway" 198\.18\.66\.1 is not a host address inside podCidr/],
    [{ kubeletPort: 70000 }, /"kubeletPort" must be an integer port/],
    [{ kubeletPort: '10250' }, /"kubeletPort" must be an integer port/],
    [{ apiServerUrl: 'http://198.18.0.2:6443' }, /"apiServerUrl" must be an https:\/\/ URL/],
    [{ kubernetesVersion: '1.37' }, /"kubernetesVersion" must look like v1\.37\.0/],
    [{ nodeName: 'Node_1' }, /"nodeName" must be a DNS subdomain name/],
    [{ labels: { a: 1 } }, /"labels\.a" must be a string/],
    [{ images: { x: { entrypoint: 'node' } } }, /"images\["x"\]\.entrypoint" must be an array of strings/],
    [{ images: { x: { entrypoint: [], cmd: [] } } }, /"images\["x"\]\.cmd" is not a known field/],
    [{ images: { x: { entrypoint: [], files: { '/a': 3 } } } }, /"images\["x"\]\.files\["\/a"\]" must be a non-empty string/],
    [{ extra: true }, /field "extra" is not a known field/],
  ])('rejects %j', (patch, message) => {
    const error = (() => {
      try {
        parse({ ...valid, ...patch });
      } catch (e) {
        return e as Error;
      }
      throw new Error('no error');
    })();
    expect(error).toBeInstanceOf(NodeAgentConfigError);
    expect(error.message).toMatch(/^node-1\.json: /);
    expect(error.message).toMatch(message);
  });
});
