// The kind provider: a kind cluster (its nodes are Docker containers) with
// the TOR and the iBGP router as containers on the same network
// (kind-provider.ts, docs/kind.md). Node loss pauses a node's container
// (operations.ts). Without Docker every entry point fails in one line.
import type { Environment, Provider } from '../provider.ts';
import { fixtureVars } from '../common/fixture-plan.ts';
import { kindDoctorChecks } from './doctor.ts';
import { KindProvider, destroyKindEnvironment, listKindEnvironments } from './kind-provider.ts';
import type { KindOperationsPayload } from './operations.ts';
import { DEFAULT_ID, clusterName, kubeconfigOf, readKindState } from './state.ts';

export const provider: Provider = {
  summary: 'a kind cluster (nodes are Docker containers), the routers as containers beside it; needs Docker',
  capabilities: { bgpAccess: true, canCutNode: true, canPauseNode: true, layer2Client: false, ipFamilies: ['ipv4'] },
  flags: {},
  doctor: kindDoctorChecks,
  cluster: () => `kind cluster ${clusterName(DEFAULT_ID)}`,
  attach: async ({ nodes, log }) => describeKindEnvironment(await KindProvider.ensure({ workers: nodes, log })),
  lifecycle: {
    down: ({ log }) => destroyKindEnvironment({ log }),
    async status() {
      const cluster = clusterName(DEFAULT_ID);
      const running = await listKindEnvironments();
      const state = readKindState(cluster);
      if (!running.includes(cluster) || !state) {
        return { up: false, lines: [running.length ? `not up; other vipcheck kind clusters: ${running.join(', ')}` : 'not up'] };
      }
      return { up: true, lines: [`ready: cluster ${cluster}, ${state.workers} workers, Kubernetes ${state.kubernetesVersion}, since ${state.createdAt}`, `kubeconfig: ${kubeconfigOf(cluster)}`] };
    },
  },
};

/** The description of a running kind environment. */
export function describeKindEnvironment(kind: KindProvider): Environment {
  const { state } = kind;
  // kind names each node container after its Node.
  const operations: KindOperationsPayload = { nodeContainers: Object.fromEntries(kind.nodes().map((n) => [n.name, n.name])) };
  return {
    description: {
      name: 'kind',
      kubeconfig: kind.kubeconfigPath,
      kubernetesVersion: kind.kubernetesVersion,
      nodes: kind.nodes(),
      tor: kind.torAccess,
      ibgpRouter: kind.ibgpRouterAccess,
      ibgpNodes: kind.ibgpNodes,
      capabilities: provider.capabilities,
      operations,
    },
    vars: fixtureVars({ torAddress: state.tor.address, ibgpRouterAddress: state.ibgpRouter.address, clientAddress: state.clientAddress }),
    collectLogs: (dir) => kind.collectLogs(dir),
  };
}
