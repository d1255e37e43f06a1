// How the BGP scenarios reach the local environment's routers: the TOR
// (eBGP, FIB programmed) and the iBGP router, both in the TOR namespace.
// The supervisor writes it next to the kubeconfig, so that a run through
// `--provider existing --bgp-access FILE` gets the same access as the
// local provider.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { bgpAccessYaml, type BgpAccess } from '../common/bgp-access.ts';
import { NODE_ASN, TOR_API_PORT, TOR_ASN } from '../common/fixture-plan.ts';
import { IBGP_ROUTER_ADDRESS, IBGP_ROUTER_API_PORT, ibgpNodes } from './addressing.ts';
import { torLinkOf, type TopologyPlan } from './topology.ts';

export function bgpAccessFile(runDir: string): string {
  return path.join(runDir, 'bgp-access.yaml');
}

export function localBgpAccess(plan: TopologyPlan, runDir: string): Required<BgpAccess> {
  return {
    tor: { netns: plan.tor.netns, apiPort: TOR_API_PORT, address: plan.tor.fabricAddress, asn: TOR_ASN, peerAsn: NODE_ASN, programsFib: true, runDir: path.join(runDir, 'tor') },
    ibgpRouter: { netns: plan.tor.netns, apiPort: IBGP_ROUTER_API_PORT, address: IBGP_ROUTER_ADDRESS, asn: NODE_ASN, peerAsn: NODE_ASN, programsFib: false, runDir: path.join(runDir, 'ibgp-router') },
    ibgpNodes: ibgpNodes(plan),
    nodeLinks: Object.fromEntries(plan.nodes.map((n) => [n.name, { netns: plan.tor.netns, link: torLinkOf(n) }])),
  };
}

export function writeLocalBgpAccess(plan: TopologyPlan, runDir: string, kubeconfig: string): string {
  const file = bgpAccessFile(runDir);
  const header = `BGP access to the routers of the local vipcheck environment in ${runDir}.\nUse: vipcheck run --provider existing --kubeconfig ${kubeconfig} --bgp-access ${file}`;
  writeFileSync(file, bgpAccessYaml(localBgpAccess(plan, runDir), header));
  return file;
}
