// The kind provider: a Kubernetes cluster from `kind` (nodes are Docker
// containers on the `kind` network), this repo's images loaded into it, and
// two GoBGP routers beside it (router-containers.ts). The host is the
// outside client: with root on Linux it routes the VIP pool through the TOR
// container, so VIP traffic takes the TOR's routing, never a shortcut to a node.
//
// Without Docker every entry point fails within seconds, in one line.
import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import { Kube } from '../../kube/client.ts';
import { currentOwner } from '../../../lib/netns/ownership.ts';
import { Tor } from '../../tor/tor.ts';
import { CommandError, run } from '../../../lib/exec.ts';
import { waitFor } from '../../../lib/wait.ts';
import type { ClusterNode, TorAccess } from '../provider.ts';
import { IBGP_NODE_LABEL, NODE_ASN, TOR_API_PORT, TOR_ASN, VIP_CIDR, ibgpPeerNodes } from '../common/fixture-plan.ts';
import { clusterConfigYaml } from './cluster-config.ts';
import {
  dockerContainerNetworksArgv, dockerExecArgv, dockerImageInspectArgv, dockerListByLabelArgv, dockerLogsArgv, dockerNetworkInspectArgv,
  dockerPausedNodesArgv, dockerRemoveArgv, dockerUnpauseArgv, hostRouteDeleteArgv, hostRouteReplaceArgv, hostRouteShowArgv,
  kindCreateClusterArgv, kindDeleteClusterArgv, kindExportLogsArgv, kindGetClustersArgv, kindGetKubeconfigArgv, kindLoadImageArgv,
  kindVersionArgv, parseContainerAddress, parseIpamConfig, parseKindVersion, parseLabelledContainers, parseNameList, parseRouteGateway,
} from './commands.ts';
import { requireDocker } from './docker.ts';
import { IMAGES, imageRef, imageSpec } from './images.ts';
import { isReady, readinessSummary, workerNodes } from './nodes.ts';
import { pauseKindNode, unpauseKindNode } from './operations.ts';
import { CLUSTER_LABEL, routerContainerSpec, startRouterContainer, type StartedRouter } from './router-containers.ts';
import { DEFAULT_ID, clusterName, kubeconfigOf, readKindState, runDirOf, writeKindState, type KindState } from './state.ts';
import { readKindVersions, readPackageVersion, type KindVersions } from './versions.ts';

const CREATE_TIMEOUT_MS = 10 * 60_000;
const LOAD_TIMEOUT_MS = 5 * 60_000;
const DELETE_TIMEOUT_MS = 3 * 60_000;
const LOGS_TIMEOUT_MS = 3 * 60_000;
export const READY_TIMEOUT_MS = 5 * 60_000;
/** BGP hold time the routers offer (the conformance ConfigMap asks for 9 s as well). */
const HOLD_TIME_SEC = 9;

export interface KindCreateOptions {
  /** The environment is named vc-<id> (cluster, node and router containers, run dir). Default "kind". */
  id?: string;
  workers: number;
  log?: (line: string) => void;
  /** Docker network of the cluster (kind's own, or KIND_EXPERIMENTAL_DOCKER_NETWORK). */
  network?: string;
  readyTimeoutMs?: number;
  /** Route the VIP pool from this host through the TOR; default: when running as root on Linux. */
  hostRoute?: boolean;
}

/** A kind environment: made, attached to, described, disturbed, collected from and removed. */
export class KindProvider {
  readonly state: KindState;
  readonly kubeconfigPath: string;
  private readonly workers: ClusterNode[];
  private torHandle: Tor | undefined;

  private constructor(state: KindState, workers: ClusterNode[]) {
    this.state = state;
    this.workers = workers;
    this.kubeconfigPath = kubeconfigOf(state.cluster);
  }

  /** A provider for a recorded environment (attach uses it; so do unit tests). */
  static fromState(state: KindState, workers: ClusterNode[]): KindProvider {
    return new KindProvider(state, workers);
  }

  get cluster(): string {
    return this.state.cluster;
  }

  get kubernetesVersion(): string {
    return this.state.kubernetesVersion;
  }

  /** How scenario workers reach the TOR's gobgpd and FIB: through `docker exec` into its container. */
  get torAccess(): TorAccess {
    return { container: this.state.tor.container, apiPort: TOR_API_PORT, address: this.state.tor.address, asn: TOR_ASN, programsFib: true };
  }

  get ibgpRouterAccess(): TorAccess {
    return { container: this.state.ibgpRouter.container, apiPort: TOR_API_PORT, address: this.state.ibgpRouter.address, asn: NODE_ASN, programsFib: false };
  }

  /** Nodes labelled to peer with the iBGP router. */
  get ibgpNodes(): string[] {
    return ibgpPeerNodes(this.workers.map((w) => w.name));
  }

  nodes(): ClusterNode[] {
    return this.workers.map((n) => ({ ...n }));
  }

  tor(): Tor | undefined {
    // The speakers' AS tells Tor which sessions are iBGP (for its multipath reading of the RIB).
    this.torHandle ??= Tor.attach({ ...this.torAccess, peerAsn: NODE_ASN });
    return this.torHandle;
  }

  /** Freezes the node container (kubelet, speaker, pods): its BGP sessions end at the hold time and its pods stop answering. */
  async cutNode(name: string): Promise<void> {
    await pauseKindNode(this.workerContainer(name));
  }

  async restoreNode(name: string): Promise<void> {
    await unpauseKindNode(this.workerContainer(name));
  }

  private workerContainer(name: string): string {
    if (!this.workers.some((w) => w.name === name)) {
      throw new Error(`"${name}" is not a worker of kind cluster ${this.cluster} (workers: ${this.workers.map((w) => w.name).join(', ')})`);
    }
    return name; // kind names each node container after its Node
  }

  /** kind's own log export (nodes, kubelet, containerd, pods) plus both routers' logs; best effort, problems go to collect-errors.txt. */
  async collectLogs(dir: string): Promise<void> {
    await mkdir(dir, { recursive: true });
    const problems: string[] = [];
    const attempt = async (what: string, body: () => Promise<void>) => {
      try {
        await body();
      } catch (error) {
        problems.push(`${what}: ${(error as Error).message}`);
      }
    };
    await attempt('kind export logs', async () => { await run(kindExportLogsArgv(this.cluster, path.join(dir, 'kind')), { timeoutMs: LOGS_TIMEOUT_MS }); });
    for (const router of [this.state.tor, this.state.ibgpRouter]) {
      await attempt(`logs of ${router.container}`, async () => {
        const { stdout, stderr } = await run(dockerLogsArgv(router.container), { timeoutMs: 30_000 });
        await writeFile(path.join(dir, `${router.container}.log`), `${stdout}\n${stderr}`);
      });
      await attempt(`routes of ${router.container}`, async () => {
        const { stdout } = await run(dockerExecArgv(router.container, ['ip', 'route', 'show']), { timeoutMs: 30_000 });
        await writeFile(path.join(dir, `${router.container}.routes.txt`), stdout);
      });
    }
    if (problems.length) await writeFile(path.join(dir, 'collect-errors.txt'), `${problems.join('\n')}\n`);
  }

  /** Removes the cluster, both routers, the host route and the run dir. */
  async destroy(log?: (line: string) => void): Promise<string[]> {
    return destroyKindEnvironment({ cluster: this.cluster, log });
  }

  /** Creates a new environment; a leftover one of the same name is removed first. */
  static async create(options: KindCreateOptions): Promise<KindProvider> {
    const log = options.log ?? (() => {});
    const cluster = clusterName(options.id ?? DEFAULT_ID);
    const network = options.network ?? (process.env.KIND_EXPERIMENTAL_DOCKER_NETWORK || 'kind');
    const versions = readKindVersions();
    const config = clusterConfigYaml({ workers: options.workers, nodeImage: versions.kindNodeImage }); // checks --nodes before anything runs
    const { images, torImage } = await preflight(log, versions);
    const wantRoute = options.hostRoute ?? (process.platform === 'linux' && process.getuid?.() === 0);
    if (wantRoute) refuseWhileLocalEnvironmentIsUp();

    if ((await listClusters()).includes(cluster) || readKindState(cluster)) {
      log(`removing the leftover environment ${cluster}`);
      await destroyKindEnvironment({ cluster, log });
    }
    const runDir = runDirOf(cluster);
    await mkdir(runDir, { recursive: true });
    const kubeconfig = kubeconfigOf(cluster);

    const started = performance.now();
    log(`kind: creating cluster ${cluster} (1 control plane + ${options.workers} workers, ${versions.kindNodeImage.split('@')[0]})`);
    await runLogged(kindCreateClusterArgv(cluster, versions.kindNodeImage, kubeconfig), {
      input: config,
      timeoutMs: CREATE_TIMEOUT_MS,
      log: (line) => log(`kind: ${line}`),
    });
    try {
      const kube = new Kube(kubeconfig);
      const readyMs = await waitForNodesReady(kube, options.workers + 1, options.readyTimeoutMs ?? READY_TIMEOUT_MS);
      log(`all ${options.workers + 1} Nodes Ready ${Math.round(readyMs / 1000)} s after kind returned`);
      const nodeList = (await kube.core.listNode()).items;
      const workers = workerNodes(nodeList);
      const kubernetesVersion = nodeList[0]?.status?.nodeInfo?.kubeletVersion ?? versions.kubernetes;

      for (const image of images) {
        await run(kindLoadImageArgv(image, cluster), { timeoutMs: LOAD_TIMEOUT_MS });
        log(`loaded ${image} into ${cluster}`);
      }

      const { subnet, gateway } = parseIpamConfig((await run(dockerNetworkInspectArgv(network))).stdout, network);
      const clientAddress = gateway ?? (await hostAddressOn(network, workers[0].name));
      const routerOptions = { cluster, image: torImage, network, subnet, holdTimeSec: HOLD_TIME_SEC };
      const tor = await startRouterContainer(routerContainerSpec('tor', routerOptions));
      const ibgp = await startRouterContainer(routerContainerSpec('ibgp', routerOptions));
      log(`TOR ${tor.name} at ${tor.address} (AS ${TOR_ASN}, accepts every node of ${subnet}); iBGP router ${ibgp.name} at ${ibgp.address} (AS ${NODE_ASN}, RIB only)`);

      const ibgpNodes = ibgpPeerNodes(workers.map((w) => w.name));
      for (const name of ibgpNodes) {
        await kube.apply({ apiVersion: 'v1', kind: 'Node', metadata: { name, labels: { [IBGP_NODE_LABEL]: 'true' } } }, 'the kind provider');
      }

      const state: KindState = {
        cluster, workers: options.workers, network, subnet, clientAddress,
        tor: { container: tor.name, address: tor.address },
        ibgpRouter: { container: ibgp.name, address: ibgp.address },
        kubernetesVersion, createdAt: new Date().toISOString(),
      };
      writeKindState(state); // before the route: `down` must find everything made so far
      if (wantRoute) {
        state.hostRoute = await routeVipsThrough(tor);
        writeKindState(state);
        log(`host route ${state.hostRoute.cidr} via the TOR ${tor.address}`);
      } else {
        log(`no host route to the VIP pool (needs root on Linux): VIPs are reachable only from inside the ${network} network`);
      }
      log(`kind environment ${cluster} ready in ${((performance.now() - started) / 1000).toFixed(1)} s; kubeconfig ${kubeconfig}`);
      return new KindProvider(state, workers);
    } catch (error) {
      const logs = path.join(runDir, 'failed-create-logs');
      log(`creating ${cluster} failed: ${(error as Error).message}; exporting logs to ${logs}, then removing it`);
      await run(kindExportLogsArgv(cluster, logs), { timeoutMs: LOGS_TIMEOUT_MS, reject: false }).catch(() => undefined);
      await destroyKindEnvironment({ cluster, log, keepRunDir: true }).catch((e: unknown) => log(`cleanup after the failure: ${(e as Error).message}`));
      throw new Error(`creating the kind environment ${cluster} failed: ${(error as Error).message} (kind logs: ${logs})`);
    }
  }

  /** The environment `create` left running, or undefined when there is none; refreshes its kubeconfig from kind. */
  static async attach(options: { id?: string; log?: (line: string) => void } = {}): Promise<KindProvider | undefined> {
    await requireDocker();
    const cluster = clusterName(options.id ?? DEFAULT_ID);
    const state = readKindState(cluster);
    if (!state || !(await listClusters()).includes(cluster)) return undefined;
    for (const router of [state.tor, state.ibgpRouter]) {
      const { exitCode } = await run(dockerContainerNetworksArgv(router.container), { reject: false });
      if (exitCode !== 0) {
        options.log?.(`${cluster}: router container ${router.container} is gone; the environment is incomplete`);
        return undefined;
      }
    }
    const { stdout } = await run(kindGetKubeconfigArgv(cluster));
    await writeFile(kubeconfigOf(cluster), `${stdout}\n`, { mode: 0o600 });
    const workers = workerNodes((await new Kube(kubeconfigOf(cluster)).core.listNode()).items);
    return KindProvider.fromState(state, workers);
  }

  /** Attaches to the running environment when it has `workers` workers, else creates a new one. */
  static async ensure(options: KindCreateOptions): Promise<KindProvider> {
    const existing = await KindProvider.attach({ id: options.id, log: options.log });
    if (existing && existing.state.workers === options.workers) {
      options.log?.(`using the running kind environment ${existing.cluster} (${existing.state.workers} workers)`);
      return existing;
    }
    if (existing) options.log?.(`${existing.cluster} has ${existing.state.workers} workers, ${options.workers} asked: recreating it`);
    return KindProvider.create(options);
  }
}

/**
 * Removes everything of one kind environment that exists: the host route (only
 * if it still points at our TOR), the router containers, paused nodes are
 * unpaused, the cluster, the run dir. Returns what it removed.
 */
export async function destroyKindEnvironment(options: { cluster?: string; id?: string; log?: (line: string) => void; keepRunDir?: boolean }): Promise<string[]> {
  const cluster = options.cluster ?? clusterName(options.id ?? DEFAULT_ID);
  if (!cluster.startsWith('vc-')) throw new Error(`refusing to remove "${cluster}": vipcheck only removes environments named vc-…`);
  await requireDocker();
  const log = options.log ?? (() => {});
  const removed: string[] = [];
  const state = readKindState(cluster);

  if (state?.hostRoute) {
    const { cidr, via } = state.hostRoute;
    const current = await run(hostRouteShowArgv(cidr), { reject: false });
    if (current.exitCode === 0 && parseRouteGateway(current.stdout) === via) {
      await run(hostRouteDeleteArgv(cidr, via));
      removed.push(`route ${cidr} via ${via}`);
    }
  }
  const routers = parseLabelledContainers((await run(dockerListByLabelArgv(CLUSTER_LABEL))).stdout).filter((c) => c.value === cluster);
  for (const { name } of routers) {
    await run(dockerRemoveArgv(name), { timeoutMs: 60_000 });
    removed.push(`container ${name}`);
  }
  const paused = (await run(dockerPausedNodesArgv(cluster))).stdout.split('\n').filter(Boolean);
  for (const node of paused) await run(dockerUnpauseArgv(node), { reject: false });
  if ((await listClusters()).includes(cluster)) {
    await run(kindDeleteClusterArgv(cluster, kubeconfigOf(cluster)), { timeoutMs: DELETE_TIMEOUT_MS });
    removed.push(`kind cluster ${cluster}`);
  }
  if (!options.keepRunDir) await rm(runDirOf(cluster), { recursive: true, force: true });
  if (removed.length) log(`removed ${removed.join(', ')}`);
  return removed;
}

/** Names of the running vc- environments (for `status`). */
export async function listKindEnvironments(): Promise<string[]> {
  await requireDocker();
  return (await listClusters()).filter((c) => c.startsWith('vc-'));
}

// ---- steps ----

interface Preflight {
  /** Images loaded into the cluster. */
  images: string[];
  torImage: string;
}

/** Docker answers, kind is installed, the images are built: each checked in seconds, each failure one line with the fix. */
async function preflight(log: (line: string) => void, versions: KindVersions): Promise<Preflight> {
  await requireDocker();
  const kind = await kindVersion();
  if (!kind) throw new Error(`the kind command is not installed; install kind ${versions.kindVersion} (https://kind.sigs.k8s.io/docs/user/quick-start/#installation)`);
  if (kind !== versions.kindVersion) log(`warning: kind ${kind} is installed, versions.json pins ${versions.kindVersion}`);
  const version = readPackageVersion();
  const all = IMAGES.map((spec) => imageRef(spec, version));
  const missing: string[] = [];
  for (const image of all) if ((await run(dockerImageInspectArgv(image), { reject: false })).exitCode !== 0) missing.push(image);
  if (missing.length) throw new Error(`images not built: ${missing.join(', ')}; run: npm run build:images`);
  return {
    images: IMAGES.filter((spec) => spec.loadIntoCluster).map((spec) => imageRef(spec, version)),
    torImage: imageRef(imageSpec('tor'), version),
  };
}

/** The installed kind's version, or undefined when the command is missing. */
export async function kindVersion(): Promise<string | undefined> {
  const [command, ...args] = kindVersionArgv();
  const result = await execa(command, args, { reject: false, timeout: 10_000 });
  if (result.exitCode !== 0) return undefined;
  return parseKindVersion(String(result.stdout));
}

async function listClusters(): Promise<string[]> {
  const result = await run(kindGetClustersArgv(), { timeoutMs: 30_000 });
  return parseNameList(result.stdout);
}

/** Runs a long command with its input, passing each stderr/stdout line to log. */
async function runLogged(argv: string[], options: { input: string; timeoutMs: number; log: (line: string) => void }): Promise<void> {
  const child = execa(argv[0], argv.slice(1), { input: options.input, timeout: options.timeoutMs, reject: false, all: true, buffer: { all: true } });
  let partial = '';
  child.all?.setEncoding('utf8');
  child.all?.on('data', (chunk: string) => {
    const lines = (partial + chunk).split(/\r?\n/);
    partial = lines.pop() ?? '';
    for (const line of lines) if (line.trim()) options.log(line.trim());
  });
  const result = await child;
  if (result.exitCode !== 0) {
    const why = result.timedOut ? `timed out after ${options.timeoutMs} ms` : String(result.all ?? '').trim().split('\n').slice(-15).join('\n');
    throw new CommandError(argv.join(' '), result.exitCode, why);
  }
}

async function waitForNodesReady(kube: Kube, expected: number, timeoutMs: number): Promise<number> {
  const result = await waitFor(`${expected} kind Nodes to be Ready`, async () => {
    const nodes = (await kube.core.listNode()).items;
    return { ok: nodes.length === expected && nodes.every(isReady), observed: readinessSummary(nodes) };
  }, { timeoutMs, intervalMs: 2000 });
  return result.convergenceMs;
}

/** The host's source address towards a container on the network (when the network reports no gateway). */
async function hostAddressOn(network: string, container: string): Promise<string> {
  const address = parseContainerAddress((await run(dockerContainerNetworksArgv(container))).stdout, container, network);
  const { stdout } = await run(['ip', '-j', 'route', 'get', address]);
  const source = (JSON.parse(stdout) as { prefsrc?: string }[])[0]?.prefsrc;
  if (!source) throw new Error(`cannot tell this host's address towards ${container} (${address}) on network ${network}`);
  return source;
}

/** The local provider's client route (198.18.0.0/15 via vc-client) would be shadowed by ours; one environment at a time. */
function refuseWhileLocalEnvironmentIsUp(): void {
  const owner = currentOwner();
  if (owner) {
    throw new Error(`a local vipcheck environment is up (pid ${owner.pid}: ${owner.what}); the kind provider's host route would shadow its client route; run "vipcheck down" first`);
  }
}

async function routeVipsThrough(tor: StartedRouter): Promise<{ cidr: string; via: string }> {
  const cidr = VIP_CIDR; // the pool every provider's fixtures pick sub-ranges of
  await run(hostRouteReplaceArgv(cidr, tor.address));
  return { cidr, via: tor.address };
}
