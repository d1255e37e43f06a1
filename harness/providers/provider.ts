// What every provider gives the suites: a cluster, its nodes, the TOR when
// there is one, and the means to disturb a node. Suites never know which
// provider runs.
import type { Tor } from '../tor/tor.ts';

export type ProviderName = 'local' | 'kind' | 'existing';

export interface ClusterNode {
  name: string;
  /** InternalIP: the address the TOR sees as a BGP next hop. */
  address: string;
}

export interface Provider {
  readonly name: ProviderName;
  readonly kubeconfigPath: string;
  readonly kubernetesVersion: string;
  nodes(): ClusterNode[];
  /** The TOR router, when this provider has BGP access; undefined means BGP scenarios are not-supported. */
  tor(): Tor | undefined;
  /** Cuts a node off the fabric (links down) and restores it; used by node-loss scenarios. */
  cutNode(name: string): Promise<void>;
  restoreNode(name: string): Promise<void>;
  /** Copies logs of the control plane, nodes and pods into dir (for failure dumps). */
  collectLogs(dir: string): Promise<void>;
}
