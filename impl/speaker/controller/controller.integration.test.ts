// The controller role as a real process against a real API server (etcd +
// kube-apiserver on loopback), running as the ServiceAccount of
// fixtures/metallb: addresses in Service status, Events, the stale-config
// handling, stability across a restart, watches that survive the API server.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { CoreV1Api, PatchStrategy, setHeaderOptions, type CoreV1Event, type V1Service } from '@kubernetes/client-node';
import { TestApiServer } from '../../../lib/testing/apiserver.ts';
import { ManagedProcess } from '../../../lib/processes.ts';
import { waitFor, waitUntil } from '../../../lib/wait.ts';

const MAIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../main.ts');
const MANIFESTS = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../fixtures/metallb');
const NS = 'default';
const WAIT = { timeoutMs: 30_000, intervalMs: 200 };

const CONFIG = `address-pools:
- name: default
  protocol: bgp
  addresses: [198.19.0.0/30]
- name: manual
  protocol: bgp
  auto-assign: false
  addresses: [198.19.9.0/31]
`;

let dir: string;
let api: TestApiServer;
let core: CoreV1Api;
let controller: ManagedProcess | undefined;
let metricsPort = 0;
/** The controller runs as the manifests' ServiceAccount, so their RBAC is what it gets. */
let controllerKubeconfig: string;
let generation = 0;

async function startController(): Promise<void> {
  generation++;
  controller = new ManagedProcess({
    name: `controller-${generation}`,
    argv: [process.execPath, MAIN, 'controller', '--kubeconfig', controllerKubeconfig, '--metrics-port', '0', '--metrics-host', '127.0.0.1', '--api-timeout', '30'],
    logFile: path.join(dir, `controller-${generation}.log`),
    env: { POD_NAME: `controller-${generation}` },
  }).start();
  // Port 0: the controller picks a free port and logs it.
  metricsPort = (await waitFor('the controller to log its metrics port', async () => {
    const match = / on 127\.0\.0\.1:(\d+)$/m.exec(await controllerLog());
    return { ok: match !== null, value: Number(match?.[1]), observed: await controllerLog() };
  }, WAIT)).value;
  await waitFor('the controller to report ready on /healthz', async () => {
    if (!controller!.running) throw new Error(`controller exited; log: ${await controllerLog()}`);
    const response = await fetch(`http://127.0.0.1:${metricsPort}/healthz`);
    return { ok: response.status === 200, observed: `${response.status} ${await response.text()}` };
  }, WAIT);
}

function controllerLog(): Promise<string> {
  return readFile(path.join(dir, `controller-${generation}.log`), 'utf8').catch(() => '');
}

async function metric(name: string): Promise<number | undefined> {
  const text = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
  const match = new RegExp(`^${name} (\\S+)$`, 'm').exec(text);
  return match ? Number(match[1]) : undefined;
}

async function setConfig(text: string): Promise<void> {
  await core.replaceNamespacedConfigMap({ namespace: 'metallb-system', name: 'config', body: { metadata: { name: 'config', namespace: 'metallb-system' }, data: { config: text } } });
}

async function createService(name: string, options: { loadBalancerIP?: string; annotations?: Record<string, string> } = {}): Promise<void> {
  await core.createNamespacedService({ namespace: NS, body: {
    metadata: { name, namespace: NS, annotations: options.annotations ?? {} },
    spec: { type: 'LoadBalancer', ports: [{ port: 80, protocol: 'TCP' }], selector: { app: name }, ...(options.loadBalancerIP ? { loadBalancerIP: options.loadBalancerIP } : {}) },
  } });
}

async function addressOf(name: string): Promise<string[]> {
  const service: V1Service = await core.readNamespacedServiceStatus({ namespace: NS, name });
  return (service.status?.loadBalancer?.ingress ?? []).map((i) => i.ip ?? '');
}

function waitForAddress(name: string, expected: string | ((ips: string[]) => boolean)) {
  const test = typeof expected === 'string' ? (ips: string[]) => ips.length === 1 && ips[0] === expected : expected;
  return waitUntil(`service ${NS}/${name} status ${typeof expected === 'string' ? `= ${expected}` : 'to match'}`, () => addressOf(name), test, WAIT);
}

async function events(kind: string, name: string, namespace = NS): Promise<CoreV1Event[]> {
  const list = await core.listNamespacedEvent({ namespace, fieldSelector: `involvedObject.kind=${kind},involvedObject.name=${name}` });
  return list.items;
}

function waitForEvent(kind: string, name: string, reason: string, namespace = NS) {
  return waitFor(`a ${reason} event on ${kind} ${namespace}/${name}`, async () => {
    const found = (await events(kind, name, namespace)).filter((e) => e.reason === reason);
    return { ok: found.length > 0, value: found[0], observed: (await events(kind, name, namespace)).map((e) => `${e.reason}: ${e.message}`) };
  }, WAIT).then((r) => r.value!);
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'vc-speaker-controller-'));
  api = await TestApiServer.start(dir);
  core = api.kubeConfig.makeApiClient(CoreV1Api);
  await api.applyFile(path.join(MANIFESTS, '00-namespace.yaml'));
  await api.applyFile(path.join(MANIFESTS, '10-rbac.yaml'));
  controllerKubeconfig = await api.serviceAccountKubeconfig('metallb-system', 'controller');
  await core.createNamespacedConfigMap({ namespace: 'metallb-system', body: { metadata: { name: 'config', namespace: 'metallb-system' }, data: { config: CONFIG } } });
  await startController();
});

afterAll(async () => {
  await controller?.stop();
  await api?.stop();
  if (dir && !process.env.VC_KEEP) await rm(dir, { recursive: true, force: true });
});

describe('controller against a real API server', () => {
  it('allocates the lowest pool address, writes status and an IPAllocated event', async () => {
    await createService('a');
    await waitForAddress('a', '198.19.0.0');
    const event = await waitForEvent('Service', 'a', 'IPAllocated');
    expect(event).toMatchObject({ type: 'Normal', message: 'Assigned IP ["198.19.0.0"]', source: { component: 'vipcheck-lb-controller' } });
    expect(await metric('vipcheck_speaker_config_stale')).toBe(0);
    expect(await metric('vipcheck_speaker_config_loaded_timestamp_seconds')).toBeGreaterThan(0);
  });

  it('honours requested addresses and the pool annotation, and refuses addresses outside every pool', async () => {
    await createService('b', { loadBalancerIP: '198.19.0.3' });
    await createService('c', { annotations: { 'metallb.universe.tf/address-pool': 'manual' } });
    await createService('d', { annotations: { 'metallb.universe.tf/loadBalancerIPs': '203.0.113.5' } });
    await waitForAddress('b', '198.19.0.3');
    await waitForAddress('c', '198.19.9.0');
    const failed = await waitForEvent('Service', 'd', 'AllocationFailed');
    expect(failed).toMatchObject({ type: 'Warning', message: 'Failed to allocate IP for "default/d": 203.0.113.5 is not in any address pool' });
    expect(await addressOf('d')).toEqual([]);
  });

  it('leaves a Service pending while the pool is exhausted and serves it once an address is freed', async () => {
    await createService('e');
    await createService('f');
    await waitForAddress('e', '198.19.0.1');
    await waitForAddress('f', '198.19.0.2');
    await createService('g');
    const failed = await waitForEvent('Service', 'g', 'AllocationFailed');
    expect(failed.message).toBe('Failed to allocate IP for "default/g": no available addresses in the auto-assign pools ("default")');
    await core.deleteNamespacedService({ namespace: NS, name: 'e' });
    await waitForAddress('g', '198.19.0.1');
  });

  it('refuses an invalid config and one that takes an address away, keeping the old one; a good one is loaded', async () => {
    await setConfig(`${CONFIG}  colour: blue\n`);
    const invalid = await waitForEvent('ConfigMap', 'config', 'InvalidConfig', 'metallb-system');
    expect(invalid.message).toBe('address-pools[1].colour: unknown field (known fields: name, protocol, addresses, auto-assign, avoid-buggy-ips, bgp-advertisements)');
    expect(await controllerLog()).toContain(`config (re)load failed, config marked stale: ${invalid.message}`);
    expect(await metric('vipcheck_speaker_config_stale')).toBe(1);

    await setConfig('address-pools:\n- {name: default, protocol: bgp, addresses: [198.19.0.0/30]}\n');
    await waitUntil('the controller to refuse a config that drops pool "manual"', controllerLog,
      (log) => log.includes('config (re)load failed, config marked stale: new config not compatible with assigned addresses: service "default/c" holds 198.19.9.0, which no pool of the new config contains'), WAIT);
    expect(await addressOf('c')).toEqual(['198.19.9.0']);

    await createService('h');
    await waitForEvent('Service', 'h', 'AllocationFailed');
    // Adding a pool keeps every address and serves the pending Service from the new pool.
    await setConfig(`${CONFIG}- {name: extra, protocol: bgp, addresses: [198.19.1.0/30]}\n`);
    await waitForAddress('h', '198.19.1.0');
    await waitUntil('config_stale to return to 0', () => metric('vipcheck_speaker_config_stale'), (v) => v === 0, WAIT);
    expect(await Promise.all(['a', 'b', 'c', 'f', 'g'].map(addressOf))).toEqual([['198.19.0.0'], ['198.19.0.3'], ['198.19.9.0'], ['198.19.0.2'], ['198.19.0.1']]);
  });

  it('clears the status and frees the address when a Service stops being a LoadBalancer', async () => {
    await core.patchNamespacedService({ namespace: NS, name: 'a', body: { spec: { type: 'ClusterIP' } } }, setHeaderOptions('Content-Type', PatchStrategy.MergePatch));
    await waitForAddress('a', (ips) => ips.length === 0);
    await createService('i');
    await waitForAddress('i', '198.19.0.0');
  });

  it('keeps every address across a controller restart', async () => {
    const names = ['b', 'c', 'f', 'g', 'h', 'i'];
    const before = await Promise.all(names.map(addressOf));
    const allocatedBefore = (await events('Service', 'b')).filter((e) => e.reason === 'IPAllocated').length;
    await controller!.stop();
    await createService('j');
    await startController();
    await waitForAddress('j', '198.19.1.1');
    expect(await Promise.all(names.map(addressOf))).toEqual(before);
    expect((await events('Service', 'b')).filter((e) => e.reason === 'IPAllocated')).toHaveLength(allocatedBefore);
    expect(await controllerLog()).toContain('adopted 6 address(es) already in Service status');
  });

  it('keeps watching after the API server restarts', async () => {
    await api.restartApiServer(2000);
    await waitUntil('the controller to notice the lost watch', controllerLog, (log) => /services: list\/watch failed/.test(log), WAIT);
    await createService('k');
    await waitForAddress('k', '198.19.1.2');
    expect(await controllerLog()).toContain('services: watching again');
  });
});
