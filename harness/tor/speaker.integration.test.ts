// The whole reference load balancer, for real: the controller (root
// namespace) and one speaker per node namespace of the local topology, a
// real etcd + kube-apiserver reachable through the TOR, and the TOR's real
// gobgpd. EndpointSlices are written by the test (no controller-manager
// runs), everything else is the real thing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CoreV1Api, DiscoveryV1Api, type CoreV1Event, type V1EndpointSlice } from '@kubernetes/client-node';
import { createTopology, destroyTopology, planTopology } from '../providers/local/topology.ts';
import { claimTopology } from './topology-claim.ts';
import { Tor } from './tor.ts';
import { ManagedProcess } from '../../lib/processes.ts';
import { waitFor, waitUntil } from '../../lib/wait.ts';
import { TestApiServer } from '../../lib/testing/apiserver.ts';
import { REPO_ROOT } from '../../lib/repo-root.ts';

// The speaker is started as a program of impl/, never imported.
const MAIN = join(REPO_ROOT, 'impl/speaker/main.ts');
const MANIFESTS = join(REPO_ROOT, 'fixtures/metallb');
const plan = planTopology(2);
const [node1, node2] = plan.nodes;
const TOR_ASN = 64512;
const NODE_ASN = 64513;
const NS = 'default';
const WAIT = { timeoutMs: 30_000, intervalMs: 200 };
const SPEAKER_METRICS_PORT = 7473;

const POOLS = `address-pools:
- name: default
  protocol: bgp
  addresses: [198.19.0.0/24]
- name: agg
  protocol: bgp
  auto-assign: false
  addresses: [198.19.1.0/24]
  bgp-advertisements:
  - aggregation-length: 24
    communities: [gold, "64512:7"]
`;
const CONFIG = `bgp-communities:
  gold: 64512:100
peers:
- peer-address: ${plan.tor.fabricAddress}
  peer-asn: ${TOR_ASN}
  my-asn: ${NODE_ASN}
  hold-time: 9s
${POOLS}`;

let runDir: string;
let api: TestApiServer | undefined;
let tor: Tor | undefined;
let core: CoreV1Api;
let discovery: DiscoveryV1Api;
let controller: ManagedProcess | undefined;
const speakers = new Map<string, ManagedProcess>();
/** Both roles run as the manifests' ServiceAccounts, so their RBAC is what they get. */
const kubeconfigs = { controller: '', speaker: '' };
let speakerRuns = 0;

function startSpeaker(node: typeof node1): ManagedProcess {
  speakerRuns++;
  const speaker = new ManagedProcess({
    name: `speaker ${node.name}`, netns: node.name,
    argv: [process.execPath, MAIN, 'speaker', '--kubeconfig', kubeconfigs.speaker, '--metrics-port', String(SPEAKER_METRICS_PORT), '--api-timeout', '30'],
    env: { NODE_NAME: node.name, NODE_IP: node.address },
    logFile: join(runDir, `speaker-${node.name}-${speakerRuns}.log`),
  }).start();
  speakers.set(node.name, speaker);
  return speaker;
}

async function speakerLog(node: typeof node1): Promise<string> {
  return readFile(speakers.get(node.name)!.spec.logFile, 'utf8').catch(() => '');
}

async function speakerMetric(node: typeof node1, name: string): Promise<number | undefined> {
  const text = await (await fetch(`http://${node.address}:${SPEAKER_METRICS_PORT}/metrics`)).text();
  const match = new RegExp(`^${name} (\\S+)$`, 'm').exec(text);
  return match ? Number(match[1]) : undefined;
}

async function createService(name: string, options: { local?: boolean; annotations?: Record<string, string> } = {}): Promise<string> {
  await core.createNamespacedService({ namespace: NS, body: {
    metadata: { name, namespace: NS, annotations: options.annotations ?? {} },
    spec: { type: 'LoadBalancer', externalTrafficPolicy: options.local ? 'Local' : 'Cluster', ports: [{ port: 80, protocol: 'TCP' }], selector: { app: name } },
  } });
  const { value } = await waitFor(`service ${name} to get an address`, async () => {
    const service = await core.readNamespacedServiceStatus({ namespace: NS, name });
    const ip = service.status?.loadBalancer?.ingress?.[0]?.ip;
    return { ok: ip !== undefined, value: ip, observed: service.status };
  }, WAIT);
  return value!;
}

/** Writes the Service's one EndpointSlice: one endpoint per entry, on that node. */
async function setEndpoints(service: string, endpoints: Array<{ node: typeof node1; ready?: boolean }>): Promise<void> {
  const body: V1EndpointSlice = {
    metadata: { name: `${service}-slice`, namespace: NS, labels: { 'kubernetes.io/service-name': service } },
    addressType: 'IPv4',
    endpoints: endpoints.map((e, i) => ({ addresses: [`${e.node.podCidr.replace(/0\/24$/, '')}${20 + i}`], nodeName: e.node.name, conditions: { ready: e.ready ?? true } })),
    ports: [{ name: '', port: 8080, protocol: 'TCP' }],
  };
  try {
    await discovery.replaceNamespacedEndpointSlice({ namespace: NS, name: body.metadata!.name!, body });
  } catch (error) {
    if ((error as { code?: number }).code !== 404) throw error;
    await discovery.createNamespacedEndpointSlice({ namespace: NS, body });
  }
}

async function setConfig(text: string): Promise<void> {
  await core.replaceNamespacedConfigMap({ namespace: 'metallb-system', name: 'config', body: { metadata: { name: 'config', namespace: 'metallb-system' }, data: { config: text } } });
}

async function serviceEvents(name: string, reason: string): Promise<CoreV1Event[]> {
  const list = await core.listNamespacedEvent({ namespace: NS, fieldSelector: `involvedObject.kind=Service,involvedObject.name=${name}` });
  return list.items.filter((e) => e.reason === reason);
}

/** On failure, the TOR's state and the speakers' log tails make the report. */
async function withDump<T>(body: () => Promise<T>): Promise<T> {
  try {
    return await body();
  } catch (error) {
    const logs = await Promise.all(plan.nodes.map(async (n) => `── ${n.name} speaker log tail\n${(await speakerLog(n)).split('\n').slice(-25).join('\n')}`));
    (error as Error).message += `\n\n${tor ? await tor.dump() : ''}\n${logs.join('\n')}`;
    throw error;
  }
}

beforeAll(async () => {
  runDir = await mkdtemp(join(tmpdir(), 'vc-speaker-it-'));
  await claimTopology(plan);
  await createTopology(plan);
  // The API server listens on the outside client's address: node namespaces reach it through the TOR.
  api = await TestApiServer.start(join(runDir, 'api'), { host: plan.client.address });
  core = api.kubeConfig.makeApiClient(CoreV1Api);
  discovery = api.kubeConfig.makeApiClient(DiscoveryV1Api);
  await api.applyFile(join(MANIFESTS, '00-namespace.yaml'));
  await api.applyFile(join(MANIFESTS, '10-rbac.yaml'));
  kubeconfigs.controller = await api.serviceAccountKubeconfig('metallb-system', 'controller');
  kubeconfigs.speaker = await api.serviceAccountKubeconfig('metallb-system', 'speaker');
  await core.createNamespacedConfigMap({ namespace: 'metallb-system', body: { metadata: { name: 'config', namespace: 'metallb-system' }, data: { config: CONFIG } } });
  for (const node of plan.nodes) await core.createNode({ body: { metadata: { name: node.name, labels: { 'kubernetes.io/hostname': node.name } } } });
  tor = await Tor.start({
    netns: plan.tor.netns, routerId: plan.tor.fabricAddress, asn: TOR_ASN, listenAddress: plan.tor.fabricAddress,
    dynamicNeighborPrefix: plan.fabricCidr, peerAsn: NODE_ASN, runDir: join(runDir, 'tor'),
  });
  controller = new ManagedProcess({
    name: 'controller', argv: [process.execPath, MAIN, 'controller', '--kubeconfig', kubeconfigs.controller, '--metrics-port', '0', '--metrics-host', '127.0.0.1'],
    logFile: join(runDir, 'controller.log'),
  }).start();
  for (const node of plan.nodes) startSpeaker(node);
}, 240_000);

afterAll(async () => {
  for (const speaker of speakers.values()) await speaker.stop();
  await controller?.stop();
  await tor?.stop();
  await api?.stop();
  await destroyTopology(plan);
  if (runDir && !process.env.VC_KEEP) await rm(runDir, { recursive: true, force: true });
});

describe('speaker and controller with a real TOR', () => {
  it('peers with the TOR from every node', () => withDump(async () => {
    await tor!.waitForNeighbors([node1.address, node2.address], WAIT);
  }));

  it('announces an ETP Cluster Service from every node, eBGP attributes, nodeAssigned events', () => withDump(async () => {
    const vip = await createService('web');
    expect(vip).toBe('198.19.0.0');
    await setEndpoints('web', [{ node: node2 }]);
    await tor!.waitForRoute(`${vip}/32`, { nextHops: [node1.address, node2.address], timeoutMs: WAIT.timeoutMs });
    const [route] = await tor!.routes(`${vip}/32`);
    for (const path of route.paths) {
      expect(path.asPath).toEqual([NODE_ASN]);
      expect(path.origin).toBe('incomplete');
      expect(path.localPref).toBeUndefined();
      expect(path.nextHop).toBe(path.neighbor);
    }
    const assigned = await waitUntil('nodeAssigned events from both nodes', () => serviceEvents('web', 'nodeAssigned'), (events) => events.length === 2, WAIT);
    expect(assigned.value.map((e) => e.message).sort()).toEqual(plan.nodes.map((n) => `announcing from node "${n.name}" with protocol "bgp"`));
  }));

  it('withdraws a Service with zero ready endpoints and announces it again when one is ready', () => withDump(async () => {
    await setEndpoints('web', [{ node: node2, ready: false }]);
    await tor!.waitForWithdrawn('198.19.0.0/32', WAIT);
    await setEndpoints('web', [{ node: node1 }]);
    await tor!.waitForRoute('198.19.0.0/32', { nextHops: [node1.address, node2.address], timeoutMs: WAIT.timeoutMs });
  }));

  it('announces an ETP Local Service only from nodes with a ready local endpoint, following the endpoints', () => withDump(async () => {
    const vip = await createService('local', { local: true });
    await setEndpoints('local', [{ node: node1 }]);
    await tor!.waitForRoute(`${vip}/32`, { nextHops: [node1.address], timeoutMs: WAIT.timeoutMs });
    await setEndpoints('local', [{ node: node2 }, { node: node1, ready: false }]);
    await tor!.waitForRoute(`${vip}/32`, { nextHops: [node2.address], timeoutMs: WAIT.timeoutMs });
    await setEndpoints('local', [{ node: node1 }, { node: node2 }]);
    await tor!.waitForRoute(`${vip}/32`, { nextHops: [node1.address, node2.address], timeoutMs: WAIT.timeoutMs });
  }));

  it('announces the aggregate with communities (alias resolved) for a pool with bgp-advertisements', () => withDump(async () => {
    const vip = await createService('agg', { annotations: { 'metallb.universe.tf/address-pool': 'agg' } });
    expect(vip).toBe('198.19.1.0');
    await setEndpoints('agg', [{ node: node1 }]);
    await tor!.waitForRoute('198.19.1.0/24', { nextHops: [node1.address, node2.address], timeoutMs: WAIT.timeoutMs });
    const [route] = await tor!.routes('198.19.1.0/24');
    expect(route.paths.map((p) => p.communities)).toEqual([['64512:7', '64512:100'], ['64512:7', '64512:100']]);
    expect(await tor!.routes('198.19.1.0/32')).toEqual([]);
  }));

  it('keeps routes and sessions through an invalid config and through adding a pool', () => withDump(async () => {
    const uptimeBefore = await tor!.neighbors();
    await setConfig(`${CONFIG}  bogus-key: 1\n`);
    await waitUntil(`${node1.name} to refuse the invalid config`, () => speakerLog(node1), (log) => log.includes('config (re)load failed, config marked stale: address-pools[1].bogus-key: unknown field'), WAIT);
    expect(await speakerMetric(node1, 'vipcheck_speaker_config_stale')).toBe(1);
    await setConfig(`${CONFIG}- {name: extra, protocol: bgp, addresses: [198.19.2.0/24]}\n`);
    await waitUntil(`${node1.name} to load the new config`, () => speakerMetric(node1, 'vipcheck_speaker_config_stale'), (v) => v === 0, WAIT);
    await tor!.waitForRoute('198.19.0.0/32', { nextHops: [node1.address, node2.address], timeoutMs: WAIT.timeoutMs });
    await tor!.waitForRoute('198.19.1.0/24', { nextHops: [node1.address, node2.address], timeoutMs: WAIT.timeoutMs });
    const uptimeAfter = await tor!.neighbors();
    for (const before of uptimeBefore) {
      const after = uptimeAfter.find((n) => n.address === before.address);
      expect(after?.state).toBe('established');
      expect(after?.uptimeSec ?? 0).toBeGreaterThanOrEqual(before.uptimeSec ?? 0);
    }
    expect(await speakerLog(node1)).not.toContain('stopping BGP session');
  }));

  it('withdraws a deleted Service', () => withDump(async () => {
    await core.deleteNamespacedService({ namespace: NS, name: 'local' });
    await tor!.waitForWithdrawn('198.19.0.1/32', WAIT);
  }));

  it('re-establishes and re-announces after a speaker restart', () => withDump(async () => {
    await speakers.get(node1.name)!.stop();
    await tor!.waitForRoute('198.19.0.0/32', { nextHops: [node2.address], timeoutMs: WAIT.timeoutMs });
    startSpeaker(node1);
    await tor!.waitForRoute('198.19.0.0/32', { nextHops: [node1.address, node2.address], timeoutMs: WAIT.timeoutMs });
  }));
});
