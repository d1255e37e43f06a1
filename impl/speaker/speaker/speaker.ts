// The speaker role: one per node (DaemonSet, host network). Peers with the
// configured routers whose node-selectors match this node and announces the
// addresses of LoadBalancer Services per externalTrafficPolicy. What to
// announce comes from the pure planAnnouncements/planPeers; this class owns
// the watches, the sessions and the Events.
import { CoreV1Api, DiscoveryV1Api, KubeConfig, type V1EndpointSlice, type V1Node, type V1Service } from '@kubernetes/client-node';
import { BgpSession } from '../bgp/session.ts';
import type { Config } from '../config/types.ts';
import { ConfigSource } from '../kube/config-source.ts';
import { EventRecorder, targetOf } from '../kube/events.ts';
import { ResilientInformer } from '../kube/informer.ts';
import type { Logger } from '../log.ts';
import type { MetricsRegistry } from '../metrics/metrics.ts';
import { parseIPv4 } from '../../../lib/net/index.ts';
import { planAnnouncements, planPeers, type NodeInfo, type NotAnnouncedReason } from './announcements.ts';
import { PeerSessions, type SessionFactory } from './sessions.ts';

export const SPEAKER_COMPONENT = 'vipcheck-lb-speaker';

export interface SpeakerOptions {
  kubeConfig: KubeConfig;
  nodeName: string;
  /** The node's address (status.hostIP); else the Node's InternalIP is used. Default router-id. */
  nodeAddress?: string;
  configNamespace: string;
  configName: string;
  log: Logger;
  metrics: MetricsRegistry;
  /** Creates BGP sessions; real BgpSession by default. */
  sessionFactory?: SessionFactory;
}

export class Speaker {
  private readonly options: SpeakerOptions;
  private readonly log: Logger;
  private readonly events: EventRecorder;
  private readonly configSource: ConfigSource;
  private readonly services: ResilientInformer<V1Service>;
  private readonly slices: ResilientInformer<V1EndpointSlice>;
  private readonly nodes: ResilientInformer<V1Node>;
  private readonly sessions: PeerSessions;
  private config: Config | undefined;
  private syncScheduled = false;
  private stopped = false;
  private announcedServices = new Map<string, string>();
  private notAnnounced = new Map<string, NotAnnouncedReason>();
  private lastProblems = '';
  private lastNodeProblem = '';

  constructor(options: SpeakerOptions) {
    this.options = options;
    this.log = options.log;
    const core = options.kubeConfig.makeApiClient(CoreV1Api);
    const discovery = options.kubeConfig.makeApiClient(DiscoveryV1Api);
    this.events = new EventRecorder(core, SPEAKER_COMPONENT, options.nodeName, options.log);
    // The session prefixes its own lines with the peer.
    const factory = options.sessionFactory ?? ((config) => new BgpSession({ ...config, logger: options.log }));
    this.sessions = new PeerSessions(factory, options.log);
    this.configSource = new ConfigSource({
      kubeConfig: options.kubeConfig,
      namespace: options.configNamespace,
      name: options.configName,
      apply: (config) => {
        this.config = config;
        this.schedule();
      },
      log: options.log,
      events: this.events,
      metrics: options.metrics,
    });
    const onChange = () => this.schedule();
    this.services = new ResilientInformer<V1Service>(options.kubeConfig, {
      name: 'services', path: '/api/v1/services', log: options.log, onChange,
      list: () => core.listServiceForAllNamespaces(),
    });
    this.slices = new ResilientInformer<V1EndpointSlice>(options.kubeConfig, {
      name: 'endpointslices', path: '/apis/discovery.k8s.io/v1/endpointslices', log: options.log, onChange,
      list: () => discovery.listEndpointSliceForAllNamespaces(),
    });
    const nodeSelector = `metadata.name=${options.nodeName}`;
    this.nodes = new ResilientInformer<V1Node>(options.kubeConfig, {
      name: `node ${options.nodeName}`, path: '/api/v1/nodes', fieldSelector: nodeSelector, log: options.log, onChange,
      list: () => core.listNode({ fieldSelector: nodeSelector }),
    });

    const sessionGauge = options.metrics.gauge('vipcheck_speaker_bgp_session', 'BGP sessions of this node by peer and state (1 per session)');
    const routesGauge = options.metrics.gauge('vipcheck_speaker_announced_routes', 'Routes this node wants announced, per peer');
    options.metrics.onCollect(() => {
      sessionGauge.reset();
      routesGauge.reset();
      for (const { peer, state, routes } of this.sessions.states()) {
        sessionGauge.set(1, { peer, state });
        routesGauge.set(routes, { peer });
      }
    });
  }

  async start(): Promise<void> {
    this.log(`starting on node ${this.options.nodeName}${this.options.nodeAddress ? ` (${this.options.nodeAddress})` : ''}: config from ConfigMap ${this.options.configNamespace}/${this.options.configName}`);
    for (const source of [this.configSource, this.services, this.slices, this.nodes]) source.start();
    await Promise.all([this.configSource.waitForSync(), this.services.waitForSync(), this.slices.waitForSync(), this.nodes.waitForSync()]);
    this.log('initial sync done');
    this.schedule();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await Promise.all([this.configSource.stop(), this.services.stop(), this.slices.stop(), this.nodes.stop()]);
    await this.sessions.stopAll('speaker shutting down');
    await this.events.flush();
  }

  /** Why the speaker is not ready, or undefined when it is. */
  unready(): string | undefined {
    for (const informer of [this.services, this.slices, this.nodes]) {
      if (!informer.synced) return `waiting for the first list${informer.problem ? `: ${informer.problem}` : ''}`;
    }
    if (!this.configSource.loader.current) return `no valid config loaded${this.configSource.loader.error ? `: ${this.configSource.loader.error}` : ''}`;
    return undefined;
  }

  /** Coalesces bursts of watch events into one pass. */
  private schedule(): void {
    if (this.syncScheduled || this.stopped) return;
    this.syncScheduled = true;
    setImmediate(() => {
      this.syncScheduled = false;
      if (!this.stopped) this.sync();
    });
  }

  private sync(): void {
    if (!this.config || !this.services.synced || !this.slices.synced || !this.nodes.synced) return;
    const nodeObject = this.nodes.get(this.options.nodeName);
    if (!nodeObject) {
      this.reportNode(`Node ${this.options.nodeName} not found; not peering until it exists`);
      this.sessions.sync([]);
      return;
    }
    const node: NodeInfo = { name: this.options.nodeName, labels: { ...(nodeObject.metadata?.labels ?? {}) } };
    const nodeAddress = this.options.nodeAddress ?? internalAddress(nodeObject);
    this.reportNode(nodeAddress === undefined ? `Node ${this.options.nodeName} has no InternalIP and no node address was given` : '');

    const plan = planAnnouncements(this.config, this.services.list(), this.slices.list(), node);
    const { peers, problems } = planPeers(this.config, plan.routes, node, nodeAddress);
    const problemText = problems.join('; ');
    if (problemText !== this.lastProblems) {
      for (const problem of problems) this.log(problem);
      this.lastProblems = problemText;
    }
    this.sessions.sync(peers);

    for (const [key, announcement] of plan.announced) {
      const described = `${announcement.address} as ${announcement.prefixes.join(', ')}`;
      if (this.announcedServices.get(key) === described) continue;
      const isNew = !this.announcedServices.has(key);
      this.log(`service ${key}: announcing ${described} to ${peers.length} peer(s)`);
      const service = this.services.get(key.slice(key.indexOf('/') + 1), key.slice(0, key.indexOf('/')));
      if (isNew && peers.length > 0 && service) {
        this.events.record(targetOf('Service', 'v1', service), 'Normal', 'nodeAssigned', `announcing from node "${this.options.nodeName}" with protocol "bgp"`);
      }
    }
    for (const key of this.announcedServices.keys()) {
      if (plan.announced.has(key)) continue;
      const reason = plan.notAnnounced.get(key);
      this.log(`service ${key}: withdrawn (${reason ?? 'no longer a LoadBalancer with an address'})`);
    }
    for (const [key, reason] of plan.notAnnounced) {
      if (!plan.announced.has(key) && !this.announcedServices.has(key) && this.notAnnounced.get(key) !== reason) {
        this.log(`service ${key}: not announced from this node (${reason})`);
      }
    }
    this.announcedServices = new Map([...plan.announced].map(([key, a]) => [key, `${a.address} as ${a.prefixes.join(', ')}`]));
    this.notAnnounced = plan.notAnnounced;
  }

  private reportNode(problem: string): void {
    if (problem !== this.lastNodeProblem && problem !== '') this.log(problem);
    this.lastNodeProblem = problem;
  }
}

function internalAddress(node: V1Node): string | undefined {
  const addresses = node.status?.addresses ?? [];
  return addresses.find((a) => a.type === 'InternalIP' && parseIPv4(a.address) !== undefined)?.address;
}
