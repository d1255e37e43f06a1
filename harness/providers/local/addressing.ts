// The local provider's side of the shared plan (common/fixture-plan.ts):
// where its iBGP router listens, which of its nodes peer with it, and the
// template variables of its addresses.
import { fixtureVars, ibgpPeerNodes } from '../common/fixture-plan.ts';
import type { TopologyPlan } from './topology.ts';

/** The second router, in the TOR namespace beside the TOR. */
export const IBGP_ROUTER_ADDRESS = '198.18.0.3';
export const IBGP_ROUTER_API_PORT = 50052;

export function ibgpNodes(plan: TopologyPlan): string[] {
  return ibgpPeerNodes(plan.nodes.map((n) => n.name));
}

export function templateVars(plan: TopologyPlan): Record<string, string | number> {
  return fixtureVars({ torAddress: plan.tor.fabricAddress, ibgpRouterAddress: IBGP_ROUTER_ADDRESS, clientAddress: plan.client.address });
}
