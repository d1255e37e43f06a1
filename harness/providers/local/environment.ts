// The whole local environment in one object: the namespaces and wires, the
// control plane, and on every node a real kube-proxy and our node agent.
// It runs inside the supervisor process (supervisor.ts), which `vipcheck up`
// starts and leaves running.
import { mkdir, writeFile, rm } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { listNetns, reclaimAll } from '../../../lib/netns/netns.ts';
import { ManagedProcess } from '../../../lib/processes.ts';
import { waitFor } from '../../../lib/wait.ts';
import { sleep } from '../../../lib/wait.ts';
import { ControlPlane, apiGet, writeControlPlaneFiles, writeNodeFiles, type ControlPlaneFiles } from './control-plane.ts';
import { controlPlaneBinDir, readVersions } from '../../../lib/control-plane-binaries.ts';
import { BUILTIN_IMAGES, NODE, type LocalImage } from './images.ts';
import { REPO_ROOT } from '../../../lib/repo-root.ts';
import { readExtraImages } from './target-images.ts';
import { IBGP_ROUTER_ADDRESS, IBGP_ROUTER_API_PORT, ibgpNodes } from './addressing.ts';
import { IBGP_NODE_LABEL, NODE_ASN, TOR_API_PORT, TOR_ASN } from '../common/fixture-plan.ts';
import { Tor } from '../../tor/tor.ts';
import { addAddress } from '../../../lib/netns/netns.ts';
import { createTopology, destroyTopology, planTopology, type NodeHost, type TopologyPlan } from './topology.ts';

export const NODE_AGENT = path.join(REPO_ROOT, 'harness/providers/local/node-agent/main.ts');

export interface EnvironmentOptions {
  nodes: number;
  runDir: string;
  /** Extra image → command mappings (a target's own images). */
  images?: Record<string, LocalImage>;
  log?: (line: string) => void;
  /** Called when the environment can no longer work (a namespace of ours vanished). */
  onBroken?: (reason: string) => void;
}

export interface EnvironmentTimings {
  topologyMs: number;
  controlPlaneMs: number;
  nodesReadyMs: number;
  totalMs: number;
}

export class LocalEnvironment {
  readonly plan: TopologyPlan;
  readonly runDir: string;
  private readonly options: EnvironmentOptions;
  private controlPlane: ControlPlane | undefined;
  private files: ControlPlaneFiles | undefined;
  private readonly nodeProcesses: ManagedProcess[] = [];
  private stopping = false;
  private readonly routers: Tor[] = [];
  kubernetesVersion = '';

  constructor(options: EnvironmentOptions) {
    this.options = options;
    this.runDir = options.runDir;
    this.plan = planTopology(options.nodes);
  }

  get adminKubeconfig(): string {
    return path.join(this.runDir, 'kubeconfigs', 'admin.kubeconfig');
  }

  private log(line: string): void {
    this.options.log?.(line);
  }

  async start(): Promise<EnvironmentTimings> {
    const t0 = performance.now();
    await controlPlaneBinDir(); // fail early, with the build command, when the binaries are missing
    this.kubernetesVersion = (await readVersions()).kubernetes;
    const reclaimed = await reclaimAll();
    if (reclaimed.netns.length) this.log(`reclaimed leftovers of an earlier run: ${reclaimed.netns.join(', ')}`);
    await rm(this.runDir, { recursive: true, force: true });
    await mkdir(path.join(this.runDir, 'logs'), { recursive: true });

    await createTopology(this.plan);
    const topologyMs = performance.now() - t0;
    this.log(`network: TOR, control plane and ${this.plan.nodes.length} nodes in ${Math.round(topologyMs)} ms`);

    await this.startRouters();
    this.log(`TOR: gobgpd AS ${TOR_ASN} at ${this.plan.tor.fabricAddress} (kernel FIB from its RIB), iBGP router AS ${NODE_ASN} at ${IBGP_ROUTER_ADDRESS}`);

    this.files = await writeControlPlaneFiles(this.runDir, this.plan);
    this.controlPlane = new ControlPlane(this.runDir, this.plan, this.files);
    await this.controlPlane.start({ onUnexpectedExit: (name, code) => this.log(`ERROR: ${name} exited unexpectedly (code ${code}); see ${path.join(this.runDir, 'logs', `${name}.log`)}`) });
    const controlPlaneMs = performance.now() - t0;
    this.log(`control plane ${this.kubernetesVersion} answering at ${this.files.apiServerUrl} after ${Math.round(controlPlaneMs)} ms`);

    for (const node of this.plan.nodes) await this.startNode(node);
    await waitFor(`all ${this.plan.nodes.length} Nodes to be Ready`, async () => {
      const ready = await this.readyNodes();
      return { ok: this.plan.nodes.every((n) => ready.includes(n.name)), observed: `Ready: [${ready.join(', ')}]` };
    }, { timeoutMs: 90_000, intervalMs: 250 });
    const nodesReadyMs = performance.now() - t0;
    this.log(`all ${this.plan.nodes.length} nodes Ready after ${Math.round(nodesReadyMs)} ms`);
    return { topologyMs, controlPlaneMs, nodesReadyMs, totalMs: performance.now() - t0 };
  }

  /**
   * The TOR (eBGP with the nodes; its RIB drives the kernel FIB that carries
   * client traffic) and a second router in the nodes' AS (iBGP, RIB only),
   * both taking dynamic neighbors from the fabric.
   */
  private async startRouters(): Promise<void> {
    const tor = this.plan.tor;
    await addAddress(tor.netns, 'fabric', `${IBGP_ROUTER_ADDRESS}/24`);
    const common = { netns: tor.netns, dynamicNeighborPrefix: this.plan.fabricCidr, peerAsn: NODE_ASN, holdTimeSec: 9, keepaliveSec: 3 };
    this.routers.push(await Tor.start({ ...common, routerId: tor.fabricAddress, asn: TOR_ASN, listenAddress: tor.fabricAddress, apiPort: TOR_API_PORT, runDir: path.join(this.runDir, 'tor') }));
    this.routers.push(await Tor.start({ ...common, routerId: IBGP_ROUTER_ADDRESS, asn: NODE_ASN, listenAddress: IBGP_ROUTER_ADDRESS, apiPort: IBGP_ROUTER_API_PORT, programFib: false, runDir: path.join(this.runDir, 'ibgp-router') }));
  }

  /** Names of the Nodes whose Ready condition is True. */
  async readyNodes(): Promise<string[]> {
    const { status, body } = await apiGet(this.files!, '/api/v1/nodes');
    if (status !== 200) throw new Error(`GET /api/v1/nodes: ${status} ${body.slice(0, 200)}`);
    const list = JSON.parse(body) as { items: { metadata: { name: string }; status?: { conditions?: { type: string; status: string }[] } }[] };
    return list.items
      .filter((n) => n.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'))
      .map((n) => n.metadata.name);
  }

  private async startNode(node: NodeHost): Promise<void> {
    const files = this.files!;
    const bin = await controlPlaneBinDir();
    const nodeDir = path.join(this.runDir, 'nodes', node.name);
    await mkdir(nodeDir, { recursive: true });
    const identity = await writeNodeFiles(this.runDir, files, node.name, node.address);
    const logs = path.join(this.runDir, 'logs');

    this.supervise(new ManagedProcess({
      name: `kube-proxy ${node.name}`,
      netns: node.name,
      logFile: path.join(logs, `kube-proxy-${node.name}.log`),
      argv: [path.join(bin, 'vc-kube-proxy'),
        `--kubeconfig=${files.kubeProxyKubeconfig}`, `--hostname-override=${node.name}`, `--bind-address=${node.address}`,
        '--proxy-mode=iptables', `--cluster-cidr=${this.plan.clusterCidr}`,
        // Leave the kernel's conntrack settings alone: they are not per-namespace.
        '--conntrack-max-per-core=0', '--conntrack-tcp-timeout-established=0', '--conntrack-tcp-timeout-close-wait=0',
        '--metrics-bind-address=127.0.0.1:10249', `--healthz-bind-address=${node.address}:10256`,
        '--v=1'],
    }));

    const agentConfig = {
      nodeName: node.name,
      nodeAddress: node.address,
      podCidr: node.podCidr,
      podGateway: node.podGateway,
      kubeconfig: identity.kubeconfig,
      caFile: files.pki.caCert,
      servingCertFile: identity.serving.cert,
      servingKeyFile: identity.serving.key,
      kubeletPort: 10250,
      runDir: nodeDir,
      kubernetesServiceHost: this.plan.kubernetesServiceIp,
      kubernetesServicePort: 443,
      apiServerUrl: files.apiServerUrl,
      kubernetesVersion: this.kubernetesVersion,
      labels: ibgpNodes(this.plan).includes(node.name) ? { [IBGP_NODE_LABEL]: 'true' } : {},
      // A target's own images: VIPCHECK_EXTRA_IMAGES, set by `vipcheck run --target FILE` (target-images.ts).
      images: { ...BUILTIN_IMAGES, ...readExtraImages(), ...this.options.images },
    };
    const configFile = path.join(nodeDir, 'agent.json');
    await writeFile(configFile, JSON.stringify(agentConfig, null, 2));
    if (!existsSync(NODE_AGENT)) throw new Error(`the node agent is missing: ${NODE_AGENT}`);
    this.supervise(new ManagedProcess({
      name: `agent ${node.name}`,
      netns: node.name,
      logFile: path.join(logs, `agent-${node.name}.log`),
      argv: [NODE, NODE_AGENT, '--config', configFile],
    }));
  }

  /** Starts a node process and restarts it when it dies, as systemd would restart a kubelet. */
  private supervise(proc: ManagedProcess, restarts = 0): void {
    this.nodeProcesses.push(proc);
    proc.onUnexpectedExit = (status) => {
      if (this.stopping) return;
      void listNetns().then((present) => {
        if (proc.spec.netns && !present.includes(proc.spec.netns)) {
          // Someone removed our namespace: restarting cannot help, the environment is broken.
          this.options.onBroken?.(`network namespace ${proc.spec.netns} disappeared (${proc.spec.name} exited)`);
        }
      });
      this.log(`${proc.spec.name} exited (code ${status.code}, signal ${status.signal}); restarting (see ${proc.spec.logFile})`);
      const index = this.nodeProcesses.indexOf(proc);
      if (index >= 0) this.nodeProcesses.splice(index, 1);
      void sleep(Math.min(10_000, 500 * 2 ** restarts)).then(() => {
        if (!this.stopping) this.supervise(new ManagedProcess(proc.spec), restarts + 1);
      });
    };
    proc.start();
  }

  async stop(): Promise<void> {
    this.stopping = true;
    // Node agents first: they stop their pods and remove the pods' namespaces.
    await Promise.all(this.nodeProcesses.map((p) => p.stop(15_000)));
    await this.controlPlane?.stop();
    for (const router of this.routers) await router.stop().catch(() => {});
    await destroyTopology(this.plan);
    await reclaimAll(); // pods whose agent could not remove them
  }
}
