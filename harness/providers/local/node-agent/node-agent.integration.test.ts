// The node agent against the real local environment (etcd, kube-apiserver,
// controller-manager, scheduler, kube-proxy, our agents): Nodes, pods with
// real processes and namespaces, probes, EndpointSlices, ServiceAccount
// tokens through the kubernetes Service, hostPort, restarts, logs, deletion.
// Uses the running environment when one is up (and leaves it up); otherwise
// brings one up with 2 nodes and takes it down afterwards.
import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppsV1Api, CoordinationV1Api, CoreV1Api, DiscoveryV1Api, KubeConfig, type V1Pod } from '@kubernetes/client-node';
import { alive } from '../../../../lib/pids.ts';
import { run } from '../../../../lib/exec.ts';
import { waitFor } from '../../../../lib/wait.ts';
import { NODE } from '../images.ts';
import { down, runningEnvironment, up } from '../lifecycle.ts';
import { podNetnsName } from './pod-network.ts';

const NS = `vc-agent-${process.pid}`;
/** emptyDir mount point for the init-container test: created on the host by the agent (mount points must exist), removed afterwards. */
const WORK_DIR = `/run/vc-agent-test-${process.pid}`;
let kubeconfig = '';
let nodeNames: string[] = [];
let core: CoreV1Api;
let apps: AppsV1Api;
let discovery: DiscoveryV1Api;
let ownEnvironment = false;

const kubectl = (...args: string[]) => run(['kubectl', '--kubeconfig', kubeconfig, ...args], { timeoutMs: 30_000 });

/** Runs a node script inside a node's network namespace (pods are reachable from there). */
async function fromNode(node: string, script: string): Promise<string> {
  const { stdout } = await run(['ip', 'netns', 'exec', node, NODE, '-e', script], { timeoutMs: 15_000 });
  return stdout;
}

const httpGet = (node: string, url: string) =>
  fromNode(node, `fetch(${JSON.stringify(url)}, { signal: AbortSignal.timeout(5000) }).then(async (r) => console.log(JSON.stringify({ status: r.status, body: await r.text() })))`).then(
    (out) => JSON.parse(out) as { status: number; body: string },
  );

async function pod(name: string): Promise<V1Pod> {
  return core.readNamespacedPod({ namespace: NS, name });
}

function waitForPod(name: string, what: string, test: (p: V1Pod) => boolean, timeoutMs = 30_000) {
  return waitFor(`pod ${NS}/${name} ${what}`, async () => {
    const p = await pod(name);
    return { ok: test(p), value: p, observed: { phase: p.status?.phase, containers: p.status?.containerStatuses?.map((c) => ({ name: c.name, state: c.state, restarts: c.restartCount, ready: c.ready })) } };
  }, { timeoutMs, intervalMs: 250 });
}

const echo = { name: 'echo', image: 'vipcheck/echo:0.1.0' };

beforeAll(async () => {
  const existing = runningEnvironment();
  const state = existing?.phase === 'ready' ? existing : await up({ nodes: 2, log: () => undefined });
  ownEnvironment = existing?.phase !== 'ready';
  kubeconfig = state.kubeconfig;
  nodeNames = state.plan!.nodes.map((n) => n.name);
  const kc = new KubeConfig();
  kc.loadFromFile(kubeconfig);
  core = kc.makeApiClient(CoreV1Api);
  apps = kc.makeApiClient(AppsV1Api);
  discovery = kc.makeApiClient(DiscoveryV1Api);
  await core.createNamespace({ body: { metadata: { name: NS } } });
  // The ServiceAccount controller creates "default" shortly after the namespace.
  await waitFor(`ServiceAccount ${NS}/default`, async () => ({ ok: Boolean(await core.readNamespacedServiceAccount({ namespace: NS, name: 'default' }).catch(() => undefined)) }), { timeoutMs: 20_000, intervalMs: 200 });
});

afterAll(async () => {
  if (core) {
    await core.deleteNamespace({ name: NS }).catch(() => undefined);
    await waitFor(`namespace ${NS} to be gone`, async () => ({ ok: !(await core.readNamespace({ name: NS }).catch(() => undefined)) }), { timeoutMs: 60_000, intervalMs: 500 }).catch(() => undefined);
  }
  await rm(WORK_DIR, { recursive: true, force: true });
  if (ownEnvironment) await down();
});

describe('node agent in the local environment', () => {
  it('registers every Node Ready, with podCIDR, addresses, node info and a renewed Lease', async () => {
    const coordination = (() => {
      const kc = new KubeConfig();
      kc.loadFromFile(kubeconfig);
      return kc.makeApiClient(CoordinationV1Api);
    })();
    for (const [i, name] of nodeNames.entries()) {
      const node = await core.readNode({ name });
      expect(node.status?.conditions?.find((c) => c.type === 'Ready')).toMatchObject({ status: 'True', reason: 'KubeletReady' });
      expect(node.spec?.podCIDR).toBe(`198.18.${65 + i}.0/24`);
      expect(node.metadata?.labels).toMatchObject({ 'kubernetes.io/hostname': name, 'kubernetes.io/os': 'linux', 'kubernetes.io/arch': 'amd64' });
      expect(node.status?.addresses).toContainEqual({ type: 'InternalIP', address: `198.18.0.${11 + i}` });
      expect(node.status?.nodeInfo).toMatchObject({ kubeletVersion: 'v1.37.0', containerRuntimeVersion: 'vipcheck://0.1.0', operatingSystem: 'linux', architecture: 'amd64' });
      expect(node.status?.daemonEndpoints?.kubeletEndpoint?.Port).toBe(10250);
      const lease = await coordination.readNamespacedLease({ namespace: 'kube-node-lease', name });
      expect(Date.now() - new Date(lease.spec!.renewTime!).getTime()).toBeLessThan(15_000);
    }
  });

  it('runs a 3-replica echo Deployment across nodes; readiness decides EndpointSlice membership; kubectl logs works', async () => {
    const labels = { app: 'web' };
    await apps.createNamespacedDeployment({
      namespace: NS,
      body: {
        metadata: { name: 'web' },
        spec: {
          replicas: 3,
          selector: { matchLabels: labels },
          template: {
            metadata: { labels },
            spec: {
              terminationGracePeriodSeconds: 5,
              containers: [{
                ...echo,
                args: ['--port', '8080'],
                ports: [{ name: 'http', containerPort: 8080 }],
                env: [
                  { name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
                  { name: 'POD_NAMESPACE', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } },
                  { name: 'NODE_NAME', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } },
                  { name: 'POD_IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } },
                ],
                readinessProbe: { httpGet: { path: '/_vipcheck/ready', port: 'http' }, periodSeconds: 1, failureThreshold: 1 },
              }],
            },
          },
        },
      },
    });
    await core.createNamespacedService({ namespace: NS, body: { metadata: { name: 'web' }, spec: { selector: labels, ports: [{ port: 80, targetPort: 8080 }] } } });

    const { value: pods } = await waitFor('3 web pods Running and Ready', async () => {
      const list = (await core.listNamespacedPod({ namespace: NS, labelSelector: 'app=web' })).items;
      const ready = list.filter((p) => p.status?.phase === 'Running' && p.status.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'));
      return { ok: ready.length === 3, value: ready, observed: list.map((p) => `${p.metadata?.name}:${p.status?.phase}`) };
    }, { timeoutMs: 60_000, intervalMs: 500 });

    const nodesUsed = new Set(pods.map((p) => p.spec!.nodeName));
    expect(nodesUsed.size).toBeGreaterThanOrEqual(Math.min(2, nodeNames.length));
    for (const p of pods) {
      const index = nodeNames.indexOf(p.spec!.nodeName!);
      const status = p.status!;
      expect(status.podIP).toMatch(new RegExp(`^198\\.18\\.${65 + index}\\.\\d+$`));
      expect(status.hostIP).toBe(`198.18.0.${11 + index}`);
      expect(status.containerStatuses?.[0]).toMatchObject({ name: 'echo', ready: true, started: true, restartCount: 0, image: 'vipcheck/echo:0.1.0' });
      expect(status.containerStatuses?.[0].containerID).toMatch(/^vipcheck:\/\/\d+$/);
      expect(status.conditions?.map((c) => c.type).sort()).toEqual(['ContainersReady', 'Initialized', 'PodReadyToStartContainers', 'PodScheduled', 'Ready']);
      expect(existsSync(`/run/netns/${podNetnsName(p.metadata!.uid!)}`)).toBe(true);
      // The echo reports its identity from env fieldRefs: the agent resolved them.
      const answer = await httpGet(p.spec!.nodeName!, `http://${status.podIP}:8080/hello`);
      expect(answer.status).toBe(200);
      expect(JSON.parse(answer.body)).toMatchObject({ pod: p.metadata!.name, namespace: NS, node: p.spec!.nodeName, podIP: status.podIP });
    }

    const sliceAddresses = async () => {
      const slices = (await discovery.listNamespacedEndpointSlice({ namespace: NS, labelSelector: 'kubernetes.io/service-name=web' })).items;
      return slices.flatMap((s) => s.endpoints ?? []).filter((e) => e.conditions?.ready).flatMap((e) => e.addresses).sort();
    };
    const allIPs = pods.map((p) => p.status!.podIP!).sort();
    await waitFor('EndpointSlice to list the 3 ready pods', async () => {
      const ready = await sliceAddresses();
      return { ok: JSON.stringify(ready) === JSON.stringify(allIPs), observed: ready };
    }, { timeoutMs: 20_000, intervalMs: 250 });

    // Fail one pod's readiness probe: it leaves the EndpointSlice, and comes back.
    const victim = pods[0];
    const victimNode = victim.spec!.nodeName!;
    await fromNode(victimNode, `fetch('http://${victim.status!.podIP}:8080/_vipcheck/ready?value=false', { method: 'POST' }).then((r) => r.text())`);
    await waitForPod(victim.metadata!.name!, 'to turn unready', (p) => p.status?.containerStatuses?.[0].ready === false && p.status.phase === 'Running', 15_000);
    const others = allIPs.filter((ip) => ip !== victim.status!.podIP);
    await waitFor('EndpointSlice without the unready pod', async () => {
      const ready = await sliceAddresses();
      return { ok: JSON.stringify(ready) === JSON.stringify(others), observed: ready };
    }, { timeoutMs: 20_000, intervalMs: 250 });
    await fromNode(victimNode, `fetch('http://${victim.status!.podIP}:8080/_vipcheck/ready?value=true', { method: 'POST' }).then((r) => r.text())`);
    await waitFor('EndpointSlice with all 3 pods again', async () => {
      const ready = await sliceAddresses();
      return { ok: JSON.stringify(ready) === JSON.stringify(allIPs), observed: ready };
    }, { timeoutMs: 20_000, intervalMs: 250 });

    // kubectl logs goes apiserver → agent's TLS endpoint on the node.
    const name = victim.metadata!.name!;
    const logs = await kubectl('logs', '-n', NS, name);
    expect(logs.stdout).toContain('8080');
    const tail = await kubectl('logs', '-n', NS, name, '--tail=1', '--timestamps');
    expect(tail.stdout.split('\n')).toHaveLength(1);
    expect(tail.stdout).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z /);
    const missing = await run(['kubectl', '--kubeconfig', kubeconfig, 'logs', '-n', NS, name, '-c', 'nope'], { reject: false });
    expect(missing.exitCode).not.toBe(0);
  });

  it('deleting a pod stops its process and removes its namespace before the pod object goes', async () => {
    await core.createNamespacedPod({ namespace: NS, body: { metadata: { name: 'doomed' }, spec: { terminationGracePeriodSeconds: 3, containers: [{ ...echo, args: ['--port', '8080'] }] } } });
    const { value: running } = await waitForPod('doomed', 'Running', (p) => p.status?.phase === 'Running');
    const pid = Number(running.status!.containerStatuses![0].containerID!.replace('vipcheck://', ''));
    const netns = podNetnsName(running.metadata!.uid!);
    expect(alive(pid)).toBe(true);
    expect(existsSync(`/run/netns/${netns}`)).toBe(true);
    await core.deleteNamespacedPod({ namespace: NS, name: 'doomed' });
    await waitFor('pod doomed to be gone from the API', async () => ({ ok: !(await pod('doomed').catch(() => undefined)) }), { timeoutMs: 20_000, intervalMs: 250 });
    expect(alive(pid)).toBe(false);
    expect(existsSync(`/run/netns/${netns}`)).toBe(false);

    // Force-deleted (gone from the API at once): the agent still kills and cleans up.
    await core.createNamespacedPod({ namespace: NS, body: { metadata: { name: 'forced' }, spec: { containers: [{ ...echo, args: ['--port', '8080'] }] } } });
    const { value: forced } = await waitForPod('forced', 'Running', (p) => p.status?.phase === 'Running');
    const forcedPid = Number(forced.status!.containerStatuses![0].containerID!.replace('vipcheck://', ''));
    const forcedNetns = podNetnsName(forced.metadata!.uid!);
    await core.deleteNamespacedPod({ namespace: NS, name: 'forced', gracePeriodSeconds: 0, body: { gracePeriodSeconds: 0 } });
    await waitFor('the force-deleted pod\'s process and namespace to be gone', () => {
      const left = { process: alive(forcedPid), netns: existsSync(`/run/netns/${forcedNetns}`) };
      return { ok: !left.process && !left.netns, observed: left };
    }, { timeoutMs: 10_000, intervalMs: 100 });
  });

  it('reports an image outside the image table as ErrImagePull, then ImagePullBackOff', async () => {
    await core.createNamespacedPod({ namespace: NS, body: { metadata: { name: 'no-image' }, spec: { containers: [{ name: 'c', image: 'example.com/nope:1' }] } } });
    await waitForPod('no-image', 'in ErrImagePull', (p) => p.status?.containerStatuses?.[0].state?.waiting?.reason === 'ErrImagePull');
    const { value } = await waitForPod('no-image', 'in ImagePullBackOff', (p) => p.status?.containerStatuses?.[0].state?.waiting?.reason === 'ImagePullBackOff');
    expect(value.status?.phase).toBe('Pending');
    expect(value.status?.containerStatuses?.[0].state?.waiting?.message).toBe(
      `image "example.com/nope:1" is not in the local provider's image table (harness/providers/local/images.ts or the target's images)`,
    );
  });

  it('runs init containers first, shares emptyDir, mounts a ServiceAccount token that works through the kubernetes Service', async () => {
    // The token is checked from inside the pod: in-cluster config path + KUBERNETES_SERVICE_HOST (kube-proxy ClusterIP).
    const check = [
      "const fs = require('node:fs'); const https = require('node:https');",
      "const dir = '/var/run/secrets/kubernetes.io/serviceaccount';",
      `console.log('init says: ' + fs.readFileSync('${WORK_DIR}/init.txt', 'utf8').trim());`,
      "console.log('namespace: ' + fs.readFileSync(dir + '/namespace', 'utf8'));",
      "https.get({ host: process.env.KUBERNETES_SERVICE_HOST, port: process.env.KUBERNETES_SERVICE_PORT, path: '/api', ca: fs.readFileSync(dir + '/ca.crt'),",
      "  headers: { authorization: 'Bearer ' + fs.readFileSync(dir + '/token', 'utf8') } }, (res) => { console.log('api status: ' + res.statusCode); res.resume(); res.on('end', () => setTimeout(() => {}, 1e9)); })",
      "  .on('error', (e) => { console.log('api error: ' + e.message); process.exit(1); });",
    ].join('\n');
    await core.createNamespacedPod({
      namespace: NS,
      body: {
        metadata: { name: 'sa-check' },
        spec: {
          volumes: [{ name: 'work', emptyDir: {} }],
          initContainers: [{ name: 'init', image: 'vipcheck/echo:0.1.0', command: ['/bin/sh', '-c', `echo hello-from-init > ${WORK_DIR}/init.txt`], volumeMounts: [{ name: 'work', mountPath: WORK_DIR }] }],
          containers: [{ name: 'check', image: 'vipcheck/echo:0.1.0', command: [NODE, '-e', check], volumeMounts: [{ name: 'work', mountPath: WORK_DIR }] }],
        },
      },
    });
    await waitForPod('sa-check', 'Running with the init container completed', (p) =>
      p.status?.phase === 'Running' && p.status.initContainerStatuses?.[0].state?.terminated?.reason === 'Completed');
    const { value: logs } = await waitFor('sa-check to report the API answer', async () => {
      const out = (await kubectl('logs', '-n', NS, 'sa-check')).stdout;
      return { ok: out.includes('api '), value: out, observed: out };
    }, { timeoutMs: 20_000, intervalMs: 500 });
    expect(logs).toContain('init says: hello-from-init');
    expect(logs).toContain(`namespace: ${NS}`);
    expect(logs).toContain('api status: 200');
  });

  it('restarts a crashing container with back-off, keeps the previous log, and reports exit codes truthfully', async () => {
    // $(date …) is not a defined variable: Kubernetes expansion leaves it to the shell.
    await core.createNamespacedPod({
      namespace: NS,
      body: { metadata: { name: 'crasher' }, spec: { containers: [{ name: 'c', image: 'vipcheck/echo:0.1.0', command: ['/bin/sh', '-c', 'echo "run at $(date +%s%N)"; sleep 4; exit 3'] }] } },
    });
    // First crash: restarted at once (like the kubelet). While the second run runs, --previous is the first run.
    await waitForPod('crasher', 'running again after its first exit', (p) =>
      p.status?.containerStatuses?.[0].restartCount === 1 && Boolean(p.status.containerStatuses[0].state?.running), 20_000);
    const current = (await kubectl('logs', '-n', NS, 'crasher')).stdout;
    const previous = (await kubectl('logs', '-n', NS, 'crasher', '--previous')).stdout;
    expect(current).toMatch(/^run at \d+$/);
    expect(previous).toMatch(/^run at \d+$/);
    expect(previous).not.toBe(current);
    // Second crash: back-off.
    const { value } = await waitForPod('crasher', 'in CrashLoopBackOff', (p) => p.status?.containerStatuses?.[0].state?.waiting?.reason === 'CrashLoopBackOff', 20_000);
    const status = value.status!.containerStatuses![0];
    expect(value.status?.phase).toBe('Running');
    expect(status.restartCount).toBe(1);
    expect(status.lastState?.terminated).toMatchObject({ exitCode: 3, reason: 'Error' });
    expect(status.state?.waiting?.message).toMatch(/^back-off 10s restarting failed container=c pod=crasher_/);

    await core.createNamespacedPod({
      namespace: NS,
      body: { metadata: { name: 'once' }, spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'vipcheck/echo:0.1.0', command: ['/bin/sh', '-c', 'exit 7'] }] } },
    });
    const { value: once } = await waitForPod('once', 'Failed', (p) => p.status?.phase === 'Failed');
    expect(once.status?.containerStatuses?.[0].state?.terminated).toMatchObject({ exitCode: 7, reason: 'Error' });
    expect(once.status?.conditions?.find((c) => c.type === 'Ready')).toMatchObject({ status: 'False', reason: 'PodFailed' });
  });

  it('follows a running container\'s log until it exits (kubectl logs -f)', async () => {
    await core.createNamespacedPod({
      namespace: NS,
      body: { metadata: { name: 'ticker' }, spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'vipcheck/echo:0.1.0',
        command: ['/bin/sh', '-c', 'i=0; while [ $i -lt 10 ]; do echo "tick $i"; i=$((i+1)); sleep 0.3; done'] }] } },
    });
    await waitForPod('ticker', 'Running', (p) => p.status?.phase === 'Running' || p.status?.phase === 'Succeeded');
    const followed = await kubectl('logs', '-n', NS, 'ticker', '-f');
    expect(followed.stdout.split('\n')).toEqual(Array.from({ length: 10 }, (_, i) => `tick ${i}`));
    await waitForPod('ticker', 'Succeeded', (p) => p.status?.phase === 'Succeeded');
  });

  it('restarts a container whose liveness probe fails', async () => {
    // The echo starts unready: its readiness endpoint answers 503, which the liveness probe reads.
    await core.createNamespacedPod({
      namespace: NS,
      body: { metadata: { name: 'unhealthy' }, spec: { terminationGracePeriodSeconds: 2, containers: [{ ...echo, args: ['--port', '8080', '--start-unready'],
        livenessProbe: { httpGet: { path: '/_vipcheck/ready', port: 8080 }, initialDelaySeconds: 1, periodSeconds: 1, failureThreshold: 2 } }] } },
    });
    const { value } = await waitForPod('unhealthy', 'restarted by its liveness probe', (p) => (p.status?.containerStatuses?.[0].restartCount ?? 0) >= 1, 20_000);
    expect(value.status?.containerStatuses?.[0].lastState?.terminated?.finishedAt).toBeTruthy();
    expect(value.status?.phase).toBe('Running');
  });

  it('forwards a hostPort on the node address to the pod', async () => {
    const node = nodeNames[0];
    const nodeAddress = (await core.readNode({ name: node })).status!.addresses!.find((a) => a.type === 'InternalIP')!.address;
    await core.createNamespacedPod({
      namespace: NS,
      body: { metadata: { name: 'hostport' }, spec: { nodeName: node, containers: [{ ...echo, args: ['--port', '8080'], ports: [{ containerPort: 8080, hostPort: 18080 }], env: [{ name: 'POD_NAME', value: 'hostport' }] }] } },
    });
    await waitForPod('hostport', 'Running', (p) => p.status?.phase === 'Running' && p.status.containerStatuses?.[0].ready === true);
    const other = nodeNames[1] ?? node;
    const { value } = await waitFor('the hostPort to answer', async () => {
      const answer = await httpGet(other, `http://${nodeAddress}:18080/`);
      return { ok: answer.status === 200, value: answer, observed: answer };
    }, { timeoutMs: 10_000, intervalMs: 250 });
    expect(JSON.parse(value.body).pod).toBe('hostport');
    await core.deleteNamespacedPod({ namespace: NS, name: 'hostport' });
    await waitFor('hostport pod gone', async () => ({ ok: !(await pod('hostport').catch(() => undefined)) }), { timeoutMs: 20_000, intervalMs: 250 });
    const rules = await run(['iptables', '-t', 'nat', '-S', 'VC-HOSTPORTS'], { netns: node });
    expect(rules.stdout).not.toContain('18080');
  });
});
