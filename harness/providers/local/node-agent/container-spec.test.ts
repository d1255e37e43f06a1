import { describe, expect, it } from 'vitest';
import type { V1Container, V1Pod } from '@kubernetes/client-node';
import { ContainerConfigError, expandVariables, fieldRefValue, kubernetesServiceEnv, resolveArgv, resolveEnv, type ConfigSources } from './container-spec.ts';

const pod: V1Pod = {
  metadata: { name: 'echo-1', namespace: 'apps', uid: 'a1b2', labels: { app: 'echo', 'x.io/tier': 'web' }, annotations: { note: 'hi' } },
  spec: { nodeName: 'vc-node-1', serviceAccountName: 'echo-sa', containers: [] },
};
const facts = { nodeName: 'vc-node-1', hostIP: '198.18.0.11', podIP: '198.18.65.7', podIPs: ['198.18.65.7'] };
const sources: ConfigSources = {
  configMap: async (ns, name) => (ns === 'apps' && name === 'cfg' ? { MODE: 'fast', 'bad=key': 'x', PORT: '8080' } : undefined),
  secret: async (ns, name) => (ns === 'apps' && name === 'creds' ? { PASSWORD: 's3cret' } : undefined),
};
const svc = kubernetesServiceEnv('198.18.128.1', 443);

describe('expandVariables', () => {
  const lookup = (name: string) => ({ A: 'alpha', EMPTY: '' })[name];
  it.each([
    ['$(A)', 'alpha'],
    ['x-$(A)-y', 'x-alpha-y'],
    ['$(EMPTY)', ''],
    ['$(MISSING)', '$(MISSING)'],
    ['$$(A)', '$(A)'],
    ['$$', '$'],
    ['$A', '$A'],
    ['$(A', '$(A'],
    ['100$', '100$'],
    ['$(A)$(A)', 'alphaalpha'],
  ])('%s → %s', (input, output) => {
    expect(expandVariables(input, lookup)).toBe(output);
  });
});

describe('fieldRefValue', () => {
  it.each([
    ['metadata.name', 'echo-1'],
    ['metadata.namespace', 'apps'],
    ['metadata.uid', 'a1b2'],
    ["metadata.labels['app']", 'echo'],
    ["metadata.labels['x.io/tier']", 'web'],
    ["metadata.labels['nope']", ''],
    ["metadata.annotations['note']", 'hi'],
    ['spec.nodeName', 'vc-node-1'],
    ['spec.serviceAccountName', 'echo-sa'],
    ['status.hostIP', '198.18.0.11'],
    ['status.podIP', '198.18.65.7'],
    ['status.podIPs', '198.18.65.7'],
  ])('%s', (fieldPath, value) => {
    expect(fieldRefValue(pod, { fieldPath }, facts)).toBe(value);
  });
  it('rejects an unknown path', () => {
    expect(() => fieldRefValue(pod, { fieldPath: 'spec.bogus' }, facts)).toThrow(ContainerConfigError);
  });
});

describe('resolveEnv', () => {
  it('applies envFrom, then env with expansion and valueFrom, then the service variables', async () => {
    const container: V1Container = {
      name: 'c',
      envFrom: [{ configMapRef: { name: 'cfg' } }, { secretRef: { name: 'creds' }, prefix: 'S_' }],
      env: [
        { name: 'POD', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
        { name: 'GREETING', value: 'hello $(POD) on $(KUBERNETES_SERVICE_HOST) in $(MODE) mode, $(UNDEFINED)' },
        { name: 'FROM_CM', valueFrom: { configMapKeyRef: { name: 'cfg', key: 'PORT' } } },
        { name: 'FROM_SECRET', valueFrom: { secretKeyRef: { name: 'creds', key: 'PASSWORD' } } },
        { name: 'MODE', value: 'slow' },
        { name: 'KUBERNETES_SERVICE_PORT', value: '6443' },
      ],
    };
    const env = await resolveEnv(pod, container, facts, sources, svc);
    expect(env.MODE).toBe('slow');
    expect(env.S_PASSWORD).toBe('s3cret');
    expect(env.POD).toBe('echo-1');
    expect(env.GREETING).toBe('hello echo-1 on 198.18.128.1 in fast mode, $(UNDEFINED)');
    expect(env.FROM_CM).toBe('8080');
    expect(env.FROM_SECRET).toBe('s3cret');
    expect(env.KUBERNETES_SERVICE_PORT).toBe('6443');
    expect(env.KUBERNETES_SERVICE_HOST).toBe('198.18.128.1');
    expect(env.KUBERNETES_PORT_443_TCP_ADDR).toBe('198.18.128.1');
    expect(env.KUBERNETES_PORT).toBe('tcp://198.18.128.1:443');
  });

  it('skips optional references that do not resolve', async () => {
    const container: V1Container = {
      name: 'c',
      envFrom: [{ configMapRef: { name: 'absent', optional: true } }],
      env: [
        { name: 'A', valueFrom: { configMapKeyRef: { name: 'absent', key: 'k', optional: true } } },
        { name: 'B', valueFrom: { secretKeyRef: { name: 'creds', key: 'nokey', optional: true } } },
      ],
    };
    const env = await resolveEnv(pod, container, facts, sources, {});
    expect(env).toEqual({});
  });

  it.each([
    [{ name: 'A', valueFrom: { configMapKeyRef: { name: 'absent', key: 'k' } } }, 'configmaps "absent" not found'],
    [{ name: 'A', valueFrom: { configMapKeyRef: { name: 'cfg', key: 'nokey' } } }, "couldn't find key nokey in ConfigMap apps/cfg"],
    [{ name: 'A', valueFrom: { secretKeyRef: { name: 'absent', key: 'k' } } }, 'secrets "absent" not found'],
    [{ name: 'A', valueFrom: { secretKeyRef: { name: 'creds', key: 'nokey' } } }, "couldn't find key nokey in Secret apps/creds"],
  ])('fails with the kubelet message for %j', async (variable, message) => {
    await expect(resolveEnv(pod, { name: 'c', env: [variable] }, facts, sources, {})).rejects.toThrow(message);
  });
});

describe('resolveArgv', () => {
  const image = { entrypoint: ['/usr/bin/node', '/repo/impl/echo/main.ts'], files: { '/traefik': '/opt/bin/traefik' } };
  const env = { PORT: '8080', NAME: 'x' };

  it('uses the image entrypoint followed by args', () => {
    expect(resolveArgv({ name: 'c', args: ['--port=$(PORT)', '$$(PORT)'] }, image, env)).toEqual(['/usr/bin/node', '/repo/impl/echo/main.ts', '--port=8080', '$(PORT)']);
  });

  it('replaces the entrypoint with command, mapping a file of the image to its local program', () => {
    expect(resolveArgv({ name: 'c', command: ['/traefik', '--name=$(NAME)'], args: ['--x'] }, image, env)).toEqual(['/opt/bin/traefik', '--name=x', '--x']);
    expect(resolveArgv({ name: 'c', command: ['/bin/sh', '-c', 'echo $(PORT)'] }, image, env)).toEqual(['/bin/sh', '-c', 'echo 8080']);
  });

  it('fails when there is nothing to run', () => {
    expect(() => resolveArgv({ name: 'c', image: 'scratch' }, { entrypoint: [] }, env)).toThrow(/has no command and its image "scratch" has no entrypoint/);
  });
});
