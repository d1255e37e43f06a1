import { describe, expect, it } from 'vitest';
import type { V1Pod } from '@kubernetes/client-node';
import { REPO_ROOT } from '../../../../lib/repo-root.ts';
import { containerLaunch, podHostname, type PodLaunchContext } from './container-launch.ts';

const pod = (spec: Partial<NonNullable<V1Pod['spec']>> = {}) =>
  ({ metadata: { name: 'web-7d9f', namespace: 'apps', uid: 'u1' }, spec: { containers: [], ...spec } }) as V1Pod;

function context(p: V1Pod, extra: Partial<PodLaunchContext> = {}): PodLaunchContext {
  return {
    pod: p,
    nodeName: 'vc-node-1',
    kubernetesServiceHost: '10.96.0.1',
    kubernetesServicePort: 443,
    facts: { nodeName: 'vc-node-1', hostIP: '198.18.0.11', podIP: '198.18.65.2', podIPs: ['198.18.65.2'] },
    sources: { configMap: async () => undefined, secret: async () => undefined },
    volumes: new Map(),
    credentials: undefined,
    netns: 'vc-pod-0123456789ab',
    ...extra,
  };
}

const image = { entrypoint: ['/usr/bin/echo-server'], files: { '/bin/probe': '/opt/vc/probe' } };

describe('podHostname', () => {
  it('is the node name for hostNetwork pods, else spec.hostname or the pod name, at most 63 characters', () => {
    expect(podHostname(pod({ hostNetwork: true }), 'vc-node-1')).toBe('vc-node-1');
    expect(podHostname(pod({ hostname: 'db-0' }), 'vc-node-1')).toBe('db-0');
    expect(podHostname(pod(), 'vc-node-1')).toBe('web-7d9f');
    expect(podHostname({ ...pod(), metadata: { name: 'x'.repeat(80) } }, 'n')).toHaveLength(63);
  });
});

describe('containerLaunch', () => {
  it('runs the image entrypoint with the args, in the pod namespace, with the runtime variables and the container env', async () => {
    const p = pod();
    const launch = await containerLaunch({ name: 'app', args: ['--port', '$(PORT)'], env: [{ name: 'PORT', value: '8080' }] }, image, context(p), '/run/vc/pods/u1/logs/app.log');
    expect(launch.argv).toEqual(['/usr/bin/echo-server', '--port', '8080']);
    expect(launch).toMatchObject({ netns: 'vc-pod-0123456789ab', hostname: 'web-7d9f', mounts: [], workingDir: undefined, fallbackDir: REPO_ROOT, logFile: '/run/vc/pods/u1/logs/app.log' });
    expect(launch.env).toMatchObject({ HOME: '/root', HOSTNAME: 'web-7d9f', PORT: '8080', KUBERNETES_SERVICE_HOST: '10.96.0.1' });
    expect(launch.env.KUBECONFIG).toBeUndefined();
  });

  it('points KUBECONFIG at the pod credentials and mounts them where client-go looks', async () => {
    const p = pod();
    const credentials = { dir: '/run/vc/pods/u1/serviceaccount', kubeconfig: '/run/vc/pods/u1/serviceaccount/kubeconfig' };
    const launch = await containerLaunch({ name: 'app' }, image, context(p, { credentials }), '/l');
    expect(launch.env.KUBECONFIG).toBe(credentials.kubeconfig);
    expect(launch.mounts).toEqual([{ source: credentials.dir, target: '/var/run/secrets/kubernetes.io/serviceaccount', readOnly: true }]);
  });

  it('uses workingDir only when it exists on this machine', async () => {
    const launch = (dir: string) => containerLaunch({ name: 'app', workingDir: dir }, image, context(pod()), '/l');
    expect((await launch('/tmp')).workingDir).toBe('/tmp');
    expect((await launch('/no/such/dir')).workingDir).toBeUndefined();
  });

  it('a container env that names a missing ConfigMap cannot be launched', async () => {
    const container = { name: 'app', env: [{ name: 'A', valueFrom: { configMapKeyRef: { name: 'absent', key: 'k' } } }] };
    await expect(containerLaunch(container, image, context(pod()), '/l')).rejects.toThrow('configmaps "absent" not found');
  });
});
