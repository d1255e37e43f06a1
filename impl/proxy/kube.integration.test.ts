// The proxy as a controller against a real kube-apiserver (+ etcd), running
// under the ServiceAccount and RBAC of fixtures/proxy: watches, class
// selection, Ingress status from --publish-service, Events for a bad TLS
// Secret, updates, and recovery after the API server restarts. The backend
// echo runs in a vc- network namespace joined by a veth (EndpointSlices may
// not point at loopback).
import http from 'node:http';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { CoreV1Api, DiscoveryV1Api, NetworkingV1Api, PatchStrategy, setHeaderOptions, type V1Ingress } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addAddress, addNetns, addVeth, deleteNetns, listNetns, setLink } from '../../lib/netns/netns.ts';
import { run } from '../../lib/exec.ts';
import { waitUntil } from '../../lib/wait.ts';
import { spawnEcho, spawnListening, type EchoProcess, type ListeningProcess } from '../echo/spawn.ts';
import { TestApiServer } from '../../lib/testing/apiserver.ts';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const FIXTURES = path.resolve(HERE, '../../fixtures/proxy');
const NETNS = 'vc-pxk';
const HOST_END = { name: 'vc-pxk-h', address: '198.51.100.201' };
const NS_END = { name: 'vc-pxk-n', address: '198.51.100.202' };
const VIP = '198.51.100.10';
const CONVERGE = { timeoutMs: 30_000, intervalMs: 200 };

function get(port: number, urlPath: string, host: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path: urlPath, headers: { host }, agent: false }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode!, text }));
    });
    req.on('error', reject);
    req.setTimeout(5_000, () => req.destroy(new Error(`no answer within 5 s for ${host}${urlPath}`)));
    req.end();
  });
}

function ingress(name: string, className: string, host: string, paths: string[], tls?: { hosts: string[]; secretName: string }[]): V1Ingress {
  return {
    metadata: { name, namespace: 'web' },
    spec: {
      ingressClassName: className,
      tls,
      rules: [{ host, http: { paths: paths.map((p) => ({ path: p, pathType: 'Prefix', backend: { service: { name: 'echo', port: { number: 80 } } } })) } }],
    },
  };
}

async function removeLeftovers(): Promise<void> {
  if ((await listNetns()).includes(NETNS)) await deleteNetns(NETNS);
  await run(['ip', 'link', 'del', HOST_END.name], { reject: false });
}

describe('proxy controller against a real API server', () => {
  let dir: string;
  let api: TestApiServer;
  let echo: EchoProcess;
  let proxy: ListeningProcess;
  let networking: NetworkingV1Api;
  let discovery: DiscoveryV1Api;
  let core: CoreV1Api;
  const status = async (name: string) => (await networking.readNamespacedIngressStatus({ name, namespace: 'web' })).status?.loadBalancer?.ingress ?? [];
  const reach = (host: string, urlPath = '/') => get(proxy.listening.http!, urlPath, host).then((r) => r.status, (e: Error) => e.message);

  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'vc-proxy-kube-'));
    await removeLeftovers();
    await addNetns(NETNS);
    await addVeth({ name: HOST_END.name }, { name: NS_END.name, netns: NETNS });
    await addAddress(undefined, HOST_END.name, `${HOST_END.address}/30`);
    await addAddress(NETNS, NS_END.name, `${NS_END.address}/30`);
    await setLink(NETNS, 'lo', 'up');
    echo = await spawnEcho({ netns: NETNS, args: ['--host', NS_END.address], env: { POD_NAME: 'echo-k' } });

    api = await TestApiServer.start(path.join(dir, 'api'));
    for (const file of ['00-namespace.yaml', '10-ingressclass.yaml', '20-rbac.yaml', '40-service.yaml']) await api.applyFile(path.join(FIXTURES, file));
    core = api.kubeConfig.makeApiClient(CoreV1Api);
    networking = api.kubeConfig.makeApiClient(NetworkingV1Api);
    discovery = api.kubeConfig.makeApiClient(DiscoveryV1Api);
    // What a load balancer would do: give the controller's Service its VIP.
    await core.patchNamespacedServiceStatus({ name: 'vipcheck-proxy', namespace: 'vipcheck-ingress', body: { status: { loadBalancer: { ingress: [{ ip: VIP }] } } } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch));
    await networking.createIngressClass({ body: { metadata: { name: 'other' }, spec: { controller: 'example.com/other-controller' } } });
    await core.createNamespace({ body: { metadata: { name: 'web' } } });
    await core.createNamespacedService({ namespace: 'web', body: { metadata: { name: 'echo' }, spec: { ports: [{ name: 'http', port: 80, targetPort: echo.httpPort }] } } });
    await discovery.createNamespacedEndpointSlice({ namespace: 'web', body: {
      metadata: { name: 'echo-1', labels: { 'kubernetes.io/service-name': 'echo' } },
      addressType: 'IPv4',
      ports: [{ name: 'http', port: echo.httpPort, protocol: 'TCP' }],
      endpoints: [{ addresses: [NS_END.address], conditions: { ready: true } }],
    } });
    await networking.createNamespacedIngress({ namespace: 'web', body: ingress('app', 'vipcheck', 'app.test', ['/v1']) });
    await networking.createNamespacedIngress({ namespace: 'web', body: ingress('foreign', 'other', 'foreign.test', ['/']) });
    await networking.createNamespacedIngress({ namespace: 'web', body: ingress('secure', 'vipcheck', 'secure.test', ['/'], [{ hosts: ['secure.test'], secretName: 'no-such-secret' }]) });

    const kubeconfig = await api.serviceAccountKubeconfig('vipcheck-ingress', 'vipcheck-proxy');
    proxy = await spawnListening(path.join(HERE, 'main.ts'), [
      '--kubeconfig', kubeconfig, '--publish-service=vipcheck-ingress/vipcheck-proxy',
      '--bind-address', '127.0.0.1', '--http-port', '0', '--https-port', '0', '--metrics-port', '0',
    ], { env: { POD_NAME: 'vipcheck-proxy-test', POD_NAMESPACE: 'vipcheck-ingress' } });
  });

  afterAll(async () => {
    await proxy?.stop(5_000);
    await echo?.stop();
    await api?.stop();
    await removeLeftovers();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('serves Ingresses of its class and ignores the others', async () => {
    await waitUntil('app.test/v1 to reach the echo pod', () => reach('app.test', '/v1/x'), (s) => s === 200, { ...CONVERGE, consecutive: 2 });
    expect(JSON.parse((await get(proxy.listening.http!, '/v1', 'app.test')).text).pod).toBe('echo-k');
    expect(await reach('foreign.test')).toBe(404);
    expect((await get(proxy.listening.metrics!, '/readyz', 'x')).status).toBe(200);
  });

  it('writes the publish Service address into the status of served Ingresses only', async () => {
    await waitUntil('status of web/app to carry the VIP', () => status('app'), (s) => s.length === 1 && s[0].ip === VIP, CONVERGE);
    await waitUntil('status of web/secure to carry the VIP', () => status('secure'), (s) => s.length === 1 && s[0].ip === VIP, CONVERGE);
    expect(await status('foreign')).toEqual([]);
  });

  it('reports a missing TLS Secret as a Warning Event on the Ingress', async () => {
    const events = await waitUntil('an InvalidTLSSecret event on web/secure',
      async () => (await core.listNamespacedEvent({ namespace: 'web', fieldSelector: 'involvedObject.name=secure' })).items,
      (items) => items.some((e) => e.reason === 'InvalidTLSSecret'), CONVERGE);
    const event = events.value.find((e) => e.reason === 'InvalidTLSSecret')!;
    expect(event.type).toBe('Warning');
    expect(event.message).toContain('web/no-such-secret');
    // its plain HTTP route still works
    expect(await reach('secure.test')).toBe(200);
  });

  it('follows endpoint readiness, rule changes and a class change', async () => {
    const setReady = (ready: boolean) => discovery.patchNamespacedEndpointSlice({ name: 'echo-1', namespace: 'web', body: {
      endpoints: [{ addresses: [NS_END.address], conditions: { ready } }],
    } }, setHeaderOptions('Content-Type', PatchStrategy.MergePatch));
    await setReady(false);
    await waitUntil('an un-ready endpoint to give 503', () => reach('app.test', '/v1'), (s) => s === 503, CONVERGE);
    await setReady(true);
    await waitUntil('a ready endpoint to give 200 again', () => reach('app.test', '/v1'), (s) => s === 200, CONVERGE);

    await networking.replaceNamespacedIngress({ name: 'app', namespace: 'web', body: { ...(await networking.readNamespacedIngress({ name: 'app', namespace: 'web' })), spec: ingress('app', 'vipcheck', 'app.test', ['/v2']).spec } });
    await waitUntil('the new path /v2 to be served', () => reach('app.test', '/v2'), (s) => s === 200, CONVERGE);
    expect(await reach('app.test', '/v1')).toBe(404);

    await networking.patchNamespacedIngress({ name: 'app', namespace: 'web', body: { spec: { ingressClassName: 'other' } } }, setHeaderOptions('Content-Type', PatchStrategy.MergePatch));
    await waitUntil('an Ingress moved to another class to be dropped', () => reach('app.test', '/v2'), (s) => s === 404, CONVERGE);
    await waitUntil('its status to be cleared', () => status('app'), (s) => s.length === 0, CONVERGE);
  });

  it('keeps watching after the API server restarts', async () => {
    await api.restartApiServer(1_000);
    await networking.createNamespacedIngress({ namespace: 'web', body: ingress('late', 'vipcheck', 'late.test', ['/']) });
    await waitUntil('an Ingress made after the restart to be served', () => reach('late.test'), (s) => s === 200, { timeoutMs: 60_000, intervalMs: 500 });
    await waitUntil('its status to carry the VIP', () => status('late'), (s) => s.length === 1 && s[0].ip === VIP, CONVERGE);
    // the watches did break and were restarted (not merely never noticed)
    expect(proxy.output()).toContain('"msg":"watch failed; restarting"');
  });
});
