// The provider contract. A provider gives `vipcheck` a cluster with its
// nodes, and the routers when it has BGP access. It has two halves, because
// scenario files run in vitest worker processes that get the environment as
// JSON (harness/scenario/runtime.ts):
//
//   Provider        main process: doctor, bring up or attach, describe, the
//                   target's needs at start, collect logs, tear down.
//   NodeOperations  scenario workers: what a scenario does to a node (cut,
//                   pause …), from the serialisable description alone.
//
// What a provider can do is data (Capabilities): a scenario that needs a
// capability the environment lacks is not-supported, with the reason.
// harness/providers/registry.ts names every provider; docs/writing-providers.md
// shows how to add one.
import type { TorAttachment } from '../tor/tor.ts';
import type { Target } from '../targets/target.ts';

export type Log = (line: string) => void;

export interface ClusterNode {
  name: string;
  /** InternalIP: the address the TOR sees as a BGP next hop. */
  address: string;
}

/** How to reach a router's GoBGP: a network namespace (local provider) or a container (kind provider). */
export type TorAccess = TorAttachment;

export type IpFamily = 'ipv4' | 'ipv6';

/** What an environment can do; scenarios needing more are not-supported. */
export interface Capabilities {
  /** The scenarios can read the TOR (and the iBGP router, when there is one): BGP scenarios need it. */
  bgpAccess: boolean;
  /** A node can be cut off the fabric and restored (node-loss scenarios): NodeOperations.cutNode/restoreNode. */
  canCutNode: boolean;
  /** A node can be frozen whole and resumed: NodeOperations.pauseNode/resumeNode. */
  canPauseNode: boolean;
  /** A client on the nodes' layer-2 segment (ARP/NDP announcements). No provider has one yet. */
  layer2Client: boolean;
  /** The address families of the nodes, the VIP pools and the client. */
  ipFamilies: IpFamily[];
}

export type Capability = { [K in keyof Capabilities]: Capabilities[K] extends boolean ? K : never }[keyof Capabilities];

/** The environment as the scenario workers get it: plain JSON (Runtime.provider). */
export interface EnvironmentDescription {
  /** The provider's name in the registry: workers find its node operations by it. */
  name: string;
  kubernetesVersion: string;
  kubeconfig: string;
  /** The nodes the speakers run on, with the address the TOR sees. */
  nodes: ClusterNode[];
  /** The main TOR (eBGP to the nodes), and the iBGP router, when there is BGP access. */
  tor?: TorAccess;
  ibgpRouter?: TorAccess;
  /** The nodes labelled to peer with the iBGP router. */
  ibgpNodes?: string[];
  capabilities: Capabilities;
  /** Why a capability is off in this environment, when the provider can say more than "it cannot". */
  unsupported?: Partial<Record<Capability, string>>;
  /** The provider's own data for its node operations (node links, containers …); opaque to everyone else. */
  operations?: unknown;
}

/** An environment `vipcheck run` brought up or attached to. */
export interface Environment {
  description: EnvironmentDescription;
  /** Template variables for fixtures and target manifests: addresses, ASNs, pools. */
  vars: Record<string, string | number>;
  /** Copies what explains a failure (control plane, nodes, routers) into dir; best effort, never throws for a missing piece. */
  collectLogs(dir: string): Promise<void>;
}

/** The command-line options a provider may read; which ones it takes, it says in `flags`. */
export interface ProviderOptions {
  nodes: number;
  kubeconfig?: string;
  bgpAccess?: string;
  log: Log;
}

export type ProviderFlag = 'kubeconfig' | 'bgp-access';

/** A check of `vipcheck doctor`: what was found, and what to do when it is missing. */
export interface Check {
  name: string;
  ok: boolean;
  detail: string;
  fix?: string;
}

/** `vipcheck up`, `down` and `status`, for providers that own their environments. */
export interface Lifecycle {
  /** Removes everything of the environment; returns what it removed. */
  down(options: { log: Log }): Promise<string[]>;
  /** What is up, in a few lines; `up` false when nothing usable is. */
  status(): Promise<{ up: boolean; lines: string[] }>;
}

/** The main-process half. */
export interface Provider {
  /** One line for the help text and the docs. */
  readonly summary: string;
  /** The most its environments can do (an environment's description says what that one does). */
  readonly capabilities: Capabilities;
  /** For a capability an environment has only given something (a file, a flag): what. */
  readonly conditions?: Partial<Record<Capability, string>>;
  /** The flags it reads besides --nodes; the others are refused for it. */
  readonly flags: Partial<Record<ProviderFlag, 'optional' | 'required'>>;
  /** What the machine lacks for it, each with the fix. */
  doctor(): Promise<Check[]>;
  /** What a run locks: the cluster it installs its target into (see cli/run-lock.ts). */
  cluster(options: Pick<ProviderOptions, 'kubeconfig'>): string;
  /** Before the environment starts: what the target needs of it at start (the local node agents' image table). */
  prepareTarget?(target: Target, options: ProviderOptions): void;
  /** Brings an environment up, or attaches to the one that is up, and describes it. */
  attach(options: ProviderOptions): Promise<Environment>;
  /** Absent when the provider uses environments it does not own (existing): `up` and `down` refuse it. */
  readonly lifecycle?: Lifecycle;
}

/**
 * The scenario-worker half: each operation the provider can do, from the
 * description (its `operations` payload). An absent operation is one the
 * provider cannot do; its capability says false.
 */
export interface NodeOperations {
  cutNode?(environment: EnvironmentDescription, node: string): Promise<void>;
  restoreNode?(environment: EnvironmentDescription, node: string): Promise<void>;
  pauseNode?(environment: EnvironmentDescription, node: string): Promise<void>;
  resumeNode?(environment: EnvironmentDescription, node: string): Promise<void>;
}

/** The operations each capability stands for: a capability is true exactly when both are there. */
export const CAPABILITY_OPERATIONS = {
  canCutNode: ['cutNode', 'restoreNode'],
  canPauseNode: ['pauseNode', 'resumeNode'],
} as const satisfies Partial<Record<Capability, readonly (keyof NodeOperations)[]>>;

export type NodeCapability = keyof typeof CAPABILITY_OPERATIONS;
