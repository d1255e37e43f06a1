// What a pod holds on the node while it runs, like the kubelet's sandbox:
// its address, network namespace and veth, its hostPort rules, and the
// record in the node state that lets a restarted agent reclaim all of it
// (including the processes started in it).
import type { V1Pod } from '@kubernetes/client-node';
import type { NodeAgentConfig } from './config.ts';
import { hostPortMappings, type HostPortMapping, type HostPortRules } from './hostports.ts';
import { allocateAddress, isHostAddress, parsePodCidr } from './ipam.ts';
import { processStartTicks, type NodeStateStore } from './node-state.ts';
import type { PodNetwork, PodNetworks } from './pod-network.ts';

export interface SandboxDeps {
  config: Pick<NodeAgentConfig, 'nodeAddress' | 'podCidr' | 'podGateway'>;
  networks: PodNetworks;
  hostPorts: HostPortRules;
  state: NodeStateStore;
  log: (line: string) => void;
}

/**
 * The address a pod reported before (this agent restarted while it ran), if
 * it may have it back: a host address of the podCIDR that no other pod holds.
 */
export function reusableAddress(reported: string | undefined, config: SandboxDeps['config'], inUse: ReadonlySet<string>): string | undefined {
  if (!reported || reported === config.nodeAddress || inUse.has(reported)) return undefined;
  return isHostAddress(parsePodCidr(config.podCidr), reported) && reported !== config.podGateway ? reported : undefined;
}

export class PodSandbox {
  private readonly uid: string;
  private readonly deps: SandboxDeps;
  private network: PodNetwork | undefined;
  private hostPortRules: HostPortMapping[] = [];
  /** namespace/name: the comment that marks the pod's hostPort rules. */
  private owner = '';
  /** Kept after release: a finished pod still reports the address it had. */
  podIP: string | undefined;
  ready = false;

  constructor(uid: string, deps: SandboxDeps) {
    this.uid = uid;
    this.deps = deps;
  }

  /** The pod's network namespace; undefined for hostNetwork pods (and before setup). */
  get netns(): string | undefined {
    return this.network?.netns;
  }

  /** Sets up the pod's network (none of its own for hostNetwork) and records it; may be retried after a failure. */
  async setup(pod: V1Pod): Promise<void> {
    const { config, state } = this.deps;
    const namespace = pod.metadata!.namespace!;
    const name = pod.metadata!.name!;
    this.owner = `${namespace}/${name}`;
    if (pod.spec?.hostNetwork) {
      this.podIP = config.nodeAddress;
      await state.update((s) => {
        s.pods[this.uid] = { namespace, name, processes: s.pods[this.uid]?.processes ?? [] };
      });
    } else {
      // A restarted agent gives a running pod its address back, as a kubelet keeps the sandbox.
      const previous = state.state.pods[this.uid]?.podIP ?? reusableAddress(pod.status?.podIP, config, state.addressesInUse());
      // Allocation and recording happen without an await in between: no two pods get one address.
      const podIP = previous ?? allocateAddress(config.podCidr, config.podGateway, state.addressesInUse(), state.state.lastAllocated);
      const pending = state.update((s) => {
        s.lastAllocated = podIP;
        s.pods[this.uid] = { namespace, name, podIP, processes: s.pods[this.uid]?.processes ?? [] };
      });
      await pending;
      this.network = await this.deps.networks.setup(this.uid, podIP);
      this.podIP = podIP;
      this.hostPortRules = hostPortMappings(pod, podIP);
      await state.update((s) => {
        Object.assign(s.pods[this.uid], { netns: this.network!.netns, hostVeth: this.network!.hostVeth, hostPorts: this.hostPortRules });
      });
      if (this.hostPortRules.length > 0) await this.deps.hostPorts.add(this.hostPortRules, this.owner);
      this.deps.log(`network ready: ${podIP} in ${this.network.netns} (node side ${this.network.hostVeth})`);
    }
    this.ready = true;
  }

  /** Removes the hostPort rules, namespace and veth, and the pod's record (its address is free again). */
  async release(): Promise<void> {
    if (this.hostPortRules.length > 0) await this.deps.hostPorts.remove(this.hostPortRules, this.owner);
    this.hostPortRules = [];
    if (this.network) await this.deps.networks.teardown(this.network);
    this.network = undefined;
    this.ready = false;
    await this.deps.state.update((s) => {
      delete s.pods[this.uid];
    });
  }

  /** Records a started process (add) or forgets an exited one, so a restarted agent can kill what is left. */
  async recordProcess(pid: number, add: boolean): Promise<void> {
    if (pid <= 0) return;
    let startTicks = 0;
    if (add) {
      const ticks = processStartTicks(pid);
      if (ticks === undefined) return; // already gone
      startTicks = ticks;
    }
    await this.deps.state.update((s) => {
      const record = s.pods[this.uid];
      if (!record) return;
      record.processes = record.processes.filter((p) => p.pid !== pid);
      if (add) record.processes.push({ pid, startTicks });
    }).catch(() => undefined);
  }
}
