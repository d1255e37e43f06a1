import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { podKubeconfig, renewalDelayMs, ServiceAccountCredentials, type TokenRequester } from './service-account.ts';

describe('renewalDelayMs', () => {
  it('renews at 80 % of the lifetime', () => {
    const issued = new Date(0);
    expect(renewalDelayMs(issued, new Date(3600_000), issued)).toBe(2880_000);
    expect(renewalDelayMs(issued, new Date(3600_000), new Date(2000_000))).toBe(880_000);
  });
  it('never schedules in the past', () => {
    expect(renewalDelayMs(new Date(0), new Date(10_000), new Date(60_000))).toBe(1000);
  });
});

describe('podKubeconfig', () => {
  it('points at the apiserver with the token and CA files', () => {
    expect(podKubeconfig('https://198.18.0.2:6443', 'apps', '/d')).toMatchObject({
      clusters: [{ cluster: { server: 'https://198.18.0.2:6443', 'certificate-authority': '/d/ca.crt' } }],
      users: [{ user: { 'token-file': '/d/token' } }],
      contexts: [{ context: { namespace: 'apps' } }],
    });
  });
});

describe('ServiceAccountCredentials', () => {
  let dir = '';
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('requests a token bound to the pod for one hour and writes token, ca.crt, namespace and a kubeconfig', async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'vc-sa-'));
    const calls: unknown[] = [];
    const request: TokenRequester = async (...args) => {
      calls.push(args);
      return { token: `token-${calls.length}`, expiresAt: new Date(Date.now() + 3600_000) };
    };
    const creds = new ServiceAccountCredentials({ request, caPem: 'PEM', apiServerUrl: 'https://198.18.0.2:6443', log: () => undefined });
    const pod = { metadata: { name: 'p', namespace: 'apps', uid: 'u-1' }, spec: { serviceAccountName: 'robot', containers: [] } };
    const out = await creds.provide(pod, dir);
    await creds.provide(pod, dir); // a second container: no second request
    creds.forget('u-1');
    expect(calls).toEqual([['apps', 'robot', { name: 'p', uid: 'u-1' }, 3600]]);
    expect(await readFile(path.join(out.dir, 'token'), 'utf8')).toBe('token-1');
    expect(await readFile(path.join(out.dir, 'ca.crt'), 'utf8')).toBe('PEM');
    expect(await readFile(path.join(out.dir, 'namespace'), 'utf8')).toBe('apps');
    expect(JSON.parse(await readFile(out.kubeconfig, 'utf8')).contexts[0].context.namespace).toBe('apps');
  });
});
