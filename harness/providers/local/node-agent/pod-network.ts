// A pod's network: its own namespace vc-pod-<12 hex of uid>, a veth whose
// node end (vc-<8 hex>) holds the pod gateway /32 and whose pod end is eth0
// with the pod address /32, and a /32 route to the pod on the node.
//
// The agent runs under `ip netns exec <node>`, which gives it a private
// (slave) mount namespace. A netns made from there would be bind-mounted
// under /run/netns only in that private namespace and be unusable by
// everyone else, so `ip netns add/del` run in the mount namespace of the
// process that started us (the supervisor), from which they propagate back.
import { existsSync, openSync, readlinkSync } from 'node:fs';
import { netnsPids } from '../../../../lib/netns/netns.ts';
import { killPids } from '../../../../lib/pids.ts';
import { run } from '../../../../lib/exec.ts';

export interface PodNetwork {
  netns: string;
  hostVeth: string;
  podIP: string;
}

function uidHex(uid: string): string {
  const hex = uid.replace(/[^0-9a-f]/gi, '').toLowerCase();
  if (hex.length < 12) throw new Error(`pod uid "${uid}" has fewer than 12 hex digits`);
  return hex;
}

export function podNetnsName(uid: string): string {
  return `vc-pod-${uidHex(uid).slice(0, 12)}`;
}

export function hostVethName(uid: string): string {
  return `vc-${uidHex(uid).slice(0, 8)}`;
}

/** Where namespace mounts must be made so that every process sees them. */
export class HostMountNamespace {
  /** nsenter target, or undefined when we already share the starter's mount namespace. */
  readonly path: string | undefined;

  private constructor(path: string | undefined) {
    this.path = path;
  }

  /** Keeps a handle on the parent's mount namespace (it stays valid if the parent dies). */
  static ofParent(): HostMountNamespace {
    const own = readlinkSync('/proc/self/ns/mnt');
    let parent: string;
    try {
      parent = readlinkSync(`/proc/${process.ppid}/ns/mnt`);
    } catch {
      return new HostMountNamespace(undefined);
    }
    if (own === parent) return new HostMountNamespace(undefined);
    const fd = openSync(`/proc/${process.ppid}/ns/mnt`, 'r');
    return new HostMountNamespace(`/proc/${process.pid}/fd/${fd}`);
  }

  wrap(argv: string[]): string[] {
    return this.path ? ['nsenter', `--mount=${this.path}`, '--', ...argv] : argv;
  }
}

export class PodNetworks {
  private readonly mountNs: HostMountNamespace;
  private readonly gateway: string;

  constructor(mountNs: HostMountNamespace, podGateway: string) {
    this.mountNs = mountNs;
    this.gateway = podGateway;
  }

  /** Creates the namespace, veth, addresses and routes (replacing a stale namespace of the same name). */
  async setup(uid: string, podIP: string): Promise<PodNetwork> {
    const net: PodNetwork = { netns: podNetnsName(uid), hostVeth: hostVethName(uid), podIP };
    await this.teardown(net);
    await run(this.mountNs.wrap(['ip', 'netns', 'add', net.netns]));
    try {
      await run(['ip', 'link', 'add', net.hostVeth, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', net.netns]);
      await run(['ip', '-batch', '-'], {
        input: [
          `link set ${net.hostVeth} up`,
          `address add ${this.gateway}/32 dev ${net.hostVeth}`,
          `route replace ${podIP}/32 dev ${net.hostVeth}`,
        ].join('\n'),
      });
      await run(['ip', '-n', net.netns, '-batch', '-'], {
        input: [
          'link set lo up',
          'link set eth0 up',
          `address add ${podIP}/32 dev eth0`,
          `route replace ${this.gateway} dev eth0 scope link`,
          `route replace default via ${this.gateway} dev eth0`,
        ].join('\n'),
      });
    } catch (error) {
      await this.teardown(net);
      throw error;
    }
    return net;
  }

  /** Kills what still runs in the namespace, removes veth and namespace. Idempotent. */
  async teardown(net: { netns?: string; hostVeth?: string }): Promise<void> {
    // /sys is the node's own sysfs here (ip netns exec mounts it), so it lists the node's links.
    const netnsExists = net.netns !== undefined && existsSync(`/run/netns/${net.netns}`);
    if (netnsExists) await killPids(await netnsPids(net.netns!), 1000);
    if (net.hostVeth && existsSync(`/sys/class/net/${net.hostVeth}`)) await run(['ip', 'link', 'del', net.hostVeth], { reject: false });
    if (netnsExists) await run(this.mountNs.wrap(['ip', 'netns', 'del', net.netns!]), { reject: false });
  }
}
