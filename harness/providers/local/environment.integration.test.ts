// The local provider for real: up with 3 nodes, workloads through the real
// kube-proxy, readiness, scaling, pod deletion, kill -9 of the supervisor
// and reclaim, and a down that leaves nothing of ours.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readdirSync } from 'node:fs';
import { Kube } from '../../kube/client.ts';
import { loadFixture } from '../../kube/fixtures.ts';
import { listNetns, listRootLinks } from '../../../lib/netns/netns.ts';
import { alive } from '../../../lib/pids.ts';
import { run } from '../../../lib/exec.ts';
import { waitFor, waitUntil } from '../../../lib/wait.ts';
import { NODE } from './images.ts';
import { down, up } from './lifecycle.ts';
import { DEFAULT_RUN_DIR, type EnvironmentState } from './state.ts';

const NS = 'vc-env-test';
let state: EnvironmentState;
let kube: Kube;

/** GET from inside a pod's network namespace (pods are not reachable from the outside client). */
async function getFromPod(podNetns: string, url: string): Promise<{ pod: string; node: string }> {
  const { stdout } = await run([NODE, '-e', `fetch(${JSON.stringify(url)}, { signal: AbortSignal.timeout(3000) }).then(r => r.json()).then(j => console.log(JSON.stringify({ pod: j.pod, node: j.node })))`], { netns: podNetns, timeoutMs: 10_000 });
  return JSON.parse(stdout);
}

async function podNetnsOf(podUid: string): Promise<string> {
  const name = `vc-pod-${podUid.replace(/-/g, '').slice(0, 12)}`;
  expect(await listNetns()).toContain(name);
  return name;
}

async function applyEcho(name: string, replicas: number): Promise<void> {
  for (const object of await loadFixture('scenarios/common/echo.yaml', { name, replicas }, NS)) await kube.apply(object);
}

describe('local provider', () => {
  beforeAll(async () => {
    await down();
    state = await up({ nodes: 3 });
    kube = new Kube(state.kubeconfig);
    await kube.ensureNamespace(NS);
  }, 240_000);

  afterAll(async () => {
    await down();
  }, 120_000);

  it('brings 3 Ready nodes up and kubectl works with the printed kubeconfig', async () => {
    expect(state.phase).toBe('ready');
    const { stdout } = await run(['kubectl', '--kubeconfig', state.kubeconfig, 'get', 'nodes', '--no-headers'], { timeoutMs: 20_000 });
    const rows = stdout.split('\n').filter((l) => l.startsWith('vc-node-'));
    expect(rows).toHaveLength(3);
    for (const row of rows) expect(row.split(/\s+/)[1]).toBe('Ready');
  });

  it('runs a 3-replica echo Deployment across nodes; a pod reaches pods on other nodes through the ClusterIP', async () => {
    await applyEcho('web', 3);
    await kube.waitForDeployment(NS, 'web', 60_000);
    const pods = await kube.podsOf(NS, 'app=web');
    expect(new Set(pods.map((p) => p.spec?.nodeName)).size).toBe(3);
    for (const pod of pods) expect(pod.status?.podIP).toMatch(/^198\.18\.(6[5-9])\.\d+$/);
    // The EndpointSlice controller follows pod readiness a moment after the Deployment counts it.
    const podIPs = pods.map((p) => p.status!.podIP!).sort();
    await waitUntil('the EndpointSlice of web to list the 3 pod IPs as ready', async () => (await kube.readyEndpoints(NS, 'web')).map((e) => e.address).sort(), (a) => JSON.stringify(a) === JSON.stringify(podIPs), { timeoutMs: 20_000 });

    const svc = await kube.core.readNamespacedService({ namespace: NS, name: 'web' });
    const from = pods[0];
    const netns = await podNetnsOf(from.metadata!.uid!);
    const seen = new Set<string>();
    await waitUntil('a ClusterIP request from one pod to reach pods on the two other nodes', async () => {
      seen.add((await getFromPod(netns, `http://${svc.spec!.clusterIP}/`)).node);
      return seen;
    }, (s) => [...s].filter((n) => n !== from.spec!.nodeName).length >= 2, { timeoutMs: 30_000, intervalMs: 0 });
  });

  it('keeps a pod whose readiness probe fails out of the EndpointSlice until it passes', async () => {
    const [deployment, service] = await loadFixture('scenarios/common/echo.yaml', { name: 'late', replicas: 1 }, NS);
    const container = (deployment as { spec: { template: { spec: { containers: { args: string[] }[] } } } }).spec.template.spec.containers[0];
    container.args = [...container.args, '--start-unready'];
    await kube.apply(deployment);
    await kube.apply(service);
    const pod = (await waitUntil('the late pod to be Running', () => kube.podsOf(NS, 'app=late'), (p) => p[0]?.status?.phase === 'Running', { timeoutMs: 30_000 })).value[0];
    await new Promise((r) => setTimeout(r, 3000)); // several probe periods
    expect(await kube.readyEndpoints(NS, 'late')).toEqual([]);
    // Make it ready from inside the cluster: the node's namespace reaches the pod.
    await run([NODE, '-e', `fetch('http://${pod.status!.podIP}:8080/_vipcheck/ready?value=true', { method: 'POST' }).then(r => process.exit(r.ok ? 0 : 1))`], { netns: pod.spec!.nodeName!, timeoutMs: 10_000 });
    await waitUntil('the late pod to enter the EndpointSlice', () => kube.readyEndpoints(NS, 'late'), (e) => e.length === 1 && e[0].address === pod.status!.podIP, { timeoutMs: 20_000 });
  });

  it('scales up and down; deleting a pod kills its process and removes its namespace', async () => {
    await kube.apps.patchNamespacedDeploymentScale({ namespace: NS, name: 'web', body: [{ op: 'replace', path: '/spec/replicas', value: 5 }] });
    await kube.waitForDeployment(NS, 'web', 60_000);
    await waitUntil('the EndpointSlice of web to list 5 ready endpoints', () => kube.readyEndpoints(NS, 'web'), (e) => e.length === 5, { timeoutMs: 20_000 });
    const victim = (await kube.podsOf(NS, 'app=web'))[0];
    const netns = await podNetnsOf(victim.metadata!.uid!);
    const pids = (await run(['ip', 'netns', 'pids', netns])).stdout.split('\n').filter(Boolean);
    expect(pids.length).toBeGreaterThan(0);
    await kube.core.deleteNamespacedPod({ namespace: NS, name: victim.metadata!.name! });
    await waitFor(`pod ${victim.metadata!.name} gone with its namespace and processes`, async () => {
      const gone = !(await listNetns()).includes(netns) && pids.every((pid) => !readdirSync('/proc').includes(pid));
      return { ok: gone, observed: `netns present: ${(await listNetns()).includes(netns)}` };
    }, { timeoutMs: 30_000 });
    await kube.apps.patchNamespacedDeploymentScale({ namespace: NS, name: 'web', body: [{ op: 'replace', path: '/spec/replicas', value: 1 }] });
    await kube.waitForDeployment(NS, 'web', 60_000);
    await waitUntil('4 pod namespaces of web to be removed', async () => (await listNetns()).filter((n) => n.startsWith('vc-pod-')).length, (n) => n <= 2, { timeoutMs: 30_000 });
  });

  it('reclaims everything after kill -9 of the supervisor and comes up again without duplicates', async () => {
    process.kill(state.supervisorPid, 'SIGKILL');
    // The signal is delivered asynchronously: wait until the supervisor is really gone, as a user's next command would find it.
    await waitUntil('the killed supervisor to be gone', () => alive(state.supervisorPid), (living) => !living, { timeoutMs: 5000, intervalMs: 10 });
    const again = await up({ nodes: 3 });
    expect(again.supervisorPid).not.toBe(state.supervisorPid);
    const namespaces = await listNetns();
    expect(namespaces.filter((n) => !n.startsWith('vc-pod-')).sort()).toEqual(['vc-cp', 'vc-node-1', 'vc-node-2', 'vc-node-3', 'vc-tor']);
    expect(namespaces.filter((n) => n.startsWith('vc-pod-'))).toEqual([]); // the old pods went with the old environment
    const nodes = await new Kube(again.kubeconfig).core.listNode();
    expect(nodes.items.map((n) => n.metadata!.name).sort()).toEqual(['vc-node-1', 'vc-node-2', 'vc-node-3']);
    state = again;
  }, 120_000);

  it('down leaves no vc- namespace, link or process', async () => {
    await down();
    expect(await listNetns()).toEqual([]);
    expect(await listRootLinks()).toEqual([]);
    const { stdout } = await run(['ps', '-eo', 'args']);
    // Processes of this environment name its run directory in their arguments.
    expect(stdout.split('\n').filter((l) => l.includes(DEFAULT_RUN_DIR) || l.includes('local/supervisor.ts'))).toEqual([]);
  }, 120_000);
});
