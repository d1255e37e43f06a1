// hostPort: DNAT rules in the node namespace, in a nat chain of ours hooked
// from PREROUTING (traffic from the fabric) and OUTPUT (traffic from the
// node itself), so kube-proxy's chains are never touched. Rule generation is
// pure; HostPortRules applies it with iptables, one command at a time.
import type { V1Pod } from '@kubernetes/client-node';
import { run } from '../../../../lib/exec.ts';

export const HOSTPORT_CHAIN = 'VC-HOSTPORTS';

export interface HostPortMapping {
  protocol: 'TCP' | 'UDP' | 'SCTP';
  hostPort: number;
  /** Only traffic to this node address; undefined = any local address. */
  hostIP?: string;
  podIP: string;
  containerPort: number;
}

/** The hostPort mappings a pod asks for (none for hostNetwork pods: their ports are the node's). */
export function hostPortMappings(pod: V1Pod, podIP: string): HostPortMapping[] {
  if (pod.spec?.hostNetwork) return [];
  const mappings: HostPortMapping[] = [];
  for (const container of pod.spec?.containers ?? []) {
    for (const port of container.ports ?? []) {
      if (!port.hostPort) continue;
      const protocol = (port.protocol ?? 'TCP') as HostPortMapping['protocol'];
      const hostIP = port.hostIP && port.hostIP !== '0.0.0.0' ? port.hostIP : undefined;
      mappings.push({ protocol, hostPort: port.hostPort, hostIP, podIP, containerPort: port.containerPort });
    }
  }
  return mappings;
}

/** The rule body (after `-A CHAIN` / `-D CHAIN`) for one mapping. */
export function hostPortRule(mapping: HostPortMapping, owner: string): string[] {
  const rule = ['-p', mapping.protocol.toLowerCase()];
  if (mapping.hostIP) rule.push('-d', `${mapping.hostIP}/32`);
  rule.push('--dport', String(mapping.hostPort));
  rule.push('-m', 'comment', '--comment', `vc-hostport ${owner}`);
  rule.push('-j', 'DNAT', '--to-destination', `${mapping.podIP}:${mapping.containerPort}`);
  return rule;
}

/** The jumps into our chain: only packets addressed to this node. */
export function hostPortJumps(): { chain: string; rule: string[] }[] {
  const jump = ['-m', 'addrtype', '--dst-type', 'LOCAL', '-m', 'comment', '--comment', 'vc-hostports', '-j', HOSTPORT_CHAIN];
  return [
    { chain: 'PREROUTING', rule: jump },
    { chain: 'OUTPUT', rule: jump },
  ];
}

function iptables(args: string[], reject = true) {
  return run(['iptables', '-w', '5', '-t', 'nat', ...args], { reject });
}

/** Applies and removes hostPort rules in the current (node) network namespace. */
export class HostPortRules {
  private queue: Promise<unknown> = Promise.resolve();

  /** iptables calls one at a time: concurrent pod workers must not race on the table. */
  private serial<T>(task: () => Promise<T>): Promise<T> {
    const next = this.queue.catch(() => undefined).then(task);
    this.queue = next;
    return next;
  }

  /** Creates our chain (emptied) and the jumps into it. */
  reset(): Promise<void> {
    return this.serial(async () => {
      const exists = await iptables(['-S', HOSTPORT_CHAIN], false);
      if (exists.exitCode === 0) await iptables(['-F', HOSTPORT_CHAIN]);
      else await iptables(['-N', HOSTPORT_CHAIN]);
      for (const { chain, rule } of hostPortJumps()) {
        const present = await iptables(['-C', chain, ...rule], false);
        if (present.exitCode !== 0) await iptables(['-A', chain, ...rule]);
      }
    });
  }

  add(mappings: HostPortMapping[], owner: string): Promise<void> {
    return this.serial(async () => {
      for (const m of mappings) await iptables(['-A', HOSTPORT_CHAIN, ...hostPortRule(m, owner)]);
    });
  }

  /** Removes the rules; a rule already gone is not an error. */
  remove(mappings: HostPortMapping[], owner: string): Promise<void> {
    return this.serial(async () => {
      for (const m of mappings) await iptables(['-D', HOSTPORT_CHAIN, ...hostPortRule(m, owner)], false);
    });
  }

  /** Removes the jumps and our chain (agent shutdown). */
  destroy(): Promise<void> {
    return this.serial(async () => {
      for (const { chain, rule } of hostPortJumps()) await iptables(['-D', chain, ...rule], false);
      await iptables(['-F', HOSTPORT_CHAIN], false);
      await iptables(['-X', HOSTPORT_CHAIN], false);
    });
  }
}
