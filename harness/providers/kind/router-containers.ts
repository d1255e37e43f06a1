// The kind provider's two BGP routers, as privileged containers of the
// vipcheck/tor image on the kind network, started through testcontainers:
//   - the TOR (eBGP to the nodes; route-sync programs its kernel FIB, and the
//     host routes the VIP pool through it), and
//   - the iBGP router (the nodes' own AS, RIB only), like the local
//     provider's second gobgpd.
// They outlive this process (`vipcheck up` leaves them running), so
// testcontainers' reaper is not used: `down` removes them by name.
import { GenericContainer, Wait } from 'testcontainers';
import { TOR_CONFIG_PATH, kindTorConfigToml } from './tor-config.ts';
import { NODE_ASN, TOR_API_PORT, TOR_ASN } from '../common/fixture-plan.ts';

export const CLUSTER_LABEL = 'vipcheck.cluster';
export const ROLE_LABEL = 'vipcheck.role';
export const ROUTER_START_TIMEOUT_MS = 60_000;

export type RouterRole = 'tor' | 'ibgp';

export interface RouterContainerSpec {
  role: RouterRole;
  name: string;
  image: string;
  network: string;
  asn: number;
  env: Record<string, string>;
  labels: Record<string, string>;
  /** gobgpd config, copied to configPath before start. */
  config: string;
  configPath: string;
  /** Shell command that succeeds once gobgpd's API answers. */
  readyCommand: string;
}

export interface RouterSpecOptions {
  cluster: string;
  image: string;
  network: string;
  /** The kind network's IPv4 subnet: every node in it may peer. */
  subnet: string;
  holdTimeSec?: number;
}

/** Pure: everything about one router container except starting it. */
export function routerContainerSpec(role: RouterRole, options: RouterSpecOptions): RouterContainerSpec {
  const tor = role === 'tor';
  const asn = tor ? TOR_ASN : NODE_ASN;
  return {
    role,
    name: `${options.cluster}-${role}`,
    image: options.image,
    network: options.network,
    asn,
    env: { TOR_PROGRAM_FIB: tor ? 'true' : 'false', TOR_API_PORT: String(TOR_API_PORT), TOR_CONFIG: TOR_CONFIG_PATH },
    labels: { [CLUSTER_LABEL]: options.cluster, [ROLE_LABEL]: role },
    config: kindTorConfigToml({ neighborPrefix: options.subnet, asn, peerAsn: NODE_ASN, holdTimeSec: options.holdTimeSec }),
    configPath: TOR_CONFIG_PATH,
    readyCommand: `gobgp -p ${TOR_API_PORT} global`,
  };
}

export interface StartedRouter {
  name: string;
  address: string;
}

/** Starts the container and waits (bounded) until gobgpd's API answers; errors say which router and image. */
export async function startRouterContainer(spec: RouterContainerSpec, timeoutMs = ROUTER_START_TIMEOUT_MS): Promise<StartedRouter> {
  try {
    const started = await new GenericContainer(spec.image)
      .withName(spec.name)
      .withNetworkMode(spec.network)
      .withPrivilegedMode()
      .withEnvironment(spec.env)
      .withLabels(spec.labels)
      .withCopyContentToContainer([{ content: spec.config, target: spec.configPath }])
      .withAutoCleanup(false)
      .withWaitStrategy(Wait.forSuccessfulCommand(spec.readyCommand))
      .withStartupTimeout(timeoutMs)
      .start();
    return { name: spec.name, address: started.getIpAddress(spec.network) };
  } catch (error) {
    const message = ((error as Error).message ?? String(error)).replace(/\s+/g, ' ').trim();
    throw new Error(`starting the ${spec.role === 'tor' ? 'TOR' : 'iBGP router'} container ${spec.name} (${spec.image} on network ${spec.network}) failed: ${message}`);
  }
}
