import { mkdtemp, readFile, readlink, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { V1Pod } from '@kubernetes/client-node';
import { automountFallback, containerMounts, needsServiceAccountToken, prepareVolumes, VolumeError, type VolumeContext } from './pod-volumes.ts';
import { SERVICE_ACCOUNT_PATH } from './service-account.ts';
import type { ConfigSources } from './container-spec.ts';

let dir = '';
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'vc-volumes-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

const facts = { nodeName: 'vc-node-1', hostIP: '198.18.0.11', podIP: '198.18.65.3', podIPs: ['198.18.65.3'] };
const configMaps: Record<string, Record<string, string>> = { cfg: { 'app.yaml': 'a: 1', other: 'x' }, 'kube-root-ca.crt': { 'ca.crt': 'PEM' } };
const secrets: Record<string, Record<string, string>> = { tls: { 'tls.crt': 'CERT', 'tls.key': 'KEY' } };
const sources: ConfigSources = {
  configMap: async (_, name) => configMaps[name],
  secret: async (_, name) => secrets[name],
};

function pod(spec: Partial<NonNullable<V1Pod['spec']>>): V1Pod {
  return { metadata: { name: 'p', namespace: 'apps', uid: 'u', labels: { app: 'web' } }, spec: { containers: [], ...spec } } as V1Pod;
}

const ctx = (p: V1Pod, sub: string): VolumeContext => ({ pod: p, podDir: path.join(dir, sub), facts, sources, tokenFile: '/run/vc/pods/u/serviceaccount/token' });

describe('prepareVolumes', () => {
  it('writes configMap items, secrets, downwardAPI and projected sources; links the token', async () => {
    const p = pod({
      volumes: [
        { name: 'cfg', configMap: { name: 'cfg', items: [{ key: 'app.yaml', path: 'conf/app.yaml' }] } },
        { name: 'tls', secret: { secretName: 'tls' } },
        { name: 'info', downwardAPI: { items: [{ path: 'name', fieldRef: { fieldPath: 'metadata.name' } }, { path: 'labels', fieldRef: { fieldPath: 'metadata.labels' } }] } },
        { name: 'kube-api-access-x', projected: { sources: [
          { serviceAccountToken: { path: 'token' } },
          { configMap: { name: 'kube-root-ca.crt', items: [{ key: 'ca.crt', path: 'ca.crt' }] } },
          { downwardAPI: { items: [{ path: 'namespace', fieldRef: { fieldPath: 'metadata.namespace' } }] } },
        ] } },
        { name: 'scratch', emptyDir: {} },
      ],
    });
    const volumes = await prepareVolumes(ctx(p, 'a'));
    const at = (v: string, f: string) => readFile(path.join(volumes.get(v)!.hostPath, f), 'utf8');
    expect(await at('cfg', 'conf/app.yaml')).toBe('a: 1');
    expect(await at('tls', 'tls.key')).toBe('KEY');
    expect(await at('info', 'name')).toBe('p');
    expect(await at('info', 'labels')).toBe('app="web"');
    expect(await at('kube-api-access-x', 'ca.crt')).toBe('PEM');
    expect(await at('kube-api-access-x', 'namespace')).toBe('apps');
    expect(await readlink(path.join(volumes.get('kube-api-access-x')!.hostPath, 'token'))).toBe('/run/vc/pods/u/serviceaccount/token');
    expect(volumes.get('scratch')!.hostPath).toBe(path.join(dir, 'a', 'volumes', 'scratch'));
  });

  it.each([
    [{ name: 'v', configMap: { name: 'absent' } }, 'configmaps "absent" not found'],
    [{ name: 'v', secret: { secretName: 'absent' } }, 'secrets "absent" not found'],
    [{ name: 'v', configMap: { name: 'cfg', items: [{ key: 'nokey', path: 'x' }] } }, 'volume "v": ConfigMap apps/cfg has no key "nokey"'],
    [{ name: 'v', configMap: { name: 'cfg', items: [{ key: 'other', path: '../../escape' }] } }, 'volume "v": item path "../../escape" leaves the volume'],
    [{ name: 'v', persistentVolumeClaim: { claimName: 'c' } }, 'volume "v": type persistentVolumeClaim is not supported by the local node agent'],
  ])('fails clearly for %j', async (volume, message) => {
    await expect(prepareVolumes(ctx(pod({ volumes: [volume] }), 'b'))).rejects.toThrow(new VolumeError(message));
  });

  it('skips optional sources that do not exist', async () => {
    const volumes = await prepareVolumes(ctx(pod({ volumes: [{ name: 'v', configMap: { name: 'absent', optional: true } }] }), 'c'));
    expect(volumes.has('v')).toBe(true);
  });
});

describe('containerMounts', () => {
  const volumes = new Map([
    ['cfg', { hostPath: '/pods/u/volumes/cfg' }],
    ['data', { hostPath: '/pods/u/volumes/data' }],
  ]);
  const p = pod({ volumes: [{ name: 'cfg', configMap: { name: 'cfg' } }, { name: 'data', emptyDir: {} }] });

  it('maps volumeMounts, subPath of a content volume as a file, and adds the ServiceAccount fallback', () => {
    const mounts = containerMounts(p, { name: 'c', volumeMounts: [
      { name: 'cfg', mountPath: '/etc/app/app.yaml', subPath: 'app.yaml', readOnly: true },
      { name: 'data', mountPath: '/data', subPath: 'sub' },
    ] }, volumes, '/pods/u/serviceaccount');
    expect(mounts).toEqual([
      { source: '/pods/u/volumes/cfg/app.yaml', target: '/etc/app/app.yaml', readOnly: true, file: true },
      { source: '/pods/u/volumes/data/sub', target: '/data', readOnly: false, file: false },
      { source: '/pods/u/serviceaccount', target: SERVICE_ACCOUNT_PATH, readOnly: true },
    ]);
  });

  it('names a volumeMount without a volume', () => {
    expect(() => containerMounts(p, { name: 'c', volumeMounts: [{ name: 'nope', mountPath: '/x' }] }, volumes, undefined)).toThrow(/mounts volume "nope", which the pod does not define/);
  });
});

describe('ServiceAccount decisions', () => {
  it('uses the injected kube-api-access volume when present, else mounts the token itself unless the pod opts out', () => {
    const injected = pod({ volumes: [{ name: 'kube-api-access-abc', projected: { sources: [{ serviceAccountToken: { path: 'token' } }] } }] });
    expect(automountFallback(injected)).toBe(false);
    expect(needsServiceAccountToken(injected)).toBe(true);
    expect(automountFallback(pod({}))).toBe(true);
    expect(needsServiceAccountToken(pod({ automountServiceAccountToken: false }))).toBe(false);
  });
});
