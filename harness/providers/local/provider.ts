// The local provider: an embedded cluster (the real control plane, node
// agents in the kubelet's place) in network namespaces of this machine, with
// the TOR and the iBGP router in a namespace of their own. Node loss takes
// the node's link at the TOR down (common/node-links.ts).
import { cp, mkdir, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { Environment, Provider } from '../provider.ts';
import { describeBgpAccess } from '../common/bgp-access.ts';
import { templateVars } from './addressing.ts';
import { bgpAccessFile, localBgpAccess } from './bgp-access.ts';
import { apiServerUrlOf } from './control-plane.ts';
import { describeNodes, down, runningEnvironment, status, up } from './lifecycle.ts';
import { doctor } from './prerequisites.ts';
import type { EnvironmentState } from './state.ts';
import { prepareTargetImages } from './target-images.ts';
import { planTopology } from './topology.ts';

export const provider: Provider = {
  summary: 'an embedded cluster in network namespaces of this machine (Linux, root), routers included; the default',
  capabilities: { bgpAccess: true, canCutNode: true, canPauseNode: false, layer2Client: false, ipFamilies: ['ipv4'] },
  flags: {},
  doctor,
  cluster: () => localApiServer(),
  prepareTarget(target, { log }) {
    // The node agents take their image table when the environment starts: a target's own images must be in it.
    const running = runningEnvironment();
    prepareTargetImages(target, { runDir: running?.runDir ?? '', up: running?.phase === 'ready' }, { log });
  },
  async attach({ nodes, log }) {
    return localEnvironment(await up({ nodes, log }));
  },
  lifecycle: {
    down: async ({ log }) => (await down({ log })).removed,
    async status() {
      const report = await status();
      if (!report.state) {
        return { up: false, lines: [report.namespaces.length ? `not up, but leftovers exist (run "vipcheck down"): ${report.namespaces.join(', ')}` : 'not up'] };
      }
      const s = report.state;
      const lines = [`${s.phase}: ${s.nodes} nodes, Kubernetes ${s.kubernetesVersion}, supervisor pid ${s.supervisorPid}, since ${s.startedAt}`, `kubeconfig: ${s.kubeconfig}`];
      if (s.phase === 'ready') lines.push(`BGP access (for --provider existing --bgp-access): ${bgpAccessFile(s.runDir)}`, await describeNodes(s.kubeconfig));
      return { up: s.phase === 'ready', lines };
    },
  },
};

/** The API server of the local environment: its addresses are fixed, one per machine. */
export function localApiServer(): string {
  return apiServerUrlOf(planTopology(1));
}

function localEnvironment(state: EnvironmentState): Environment {
  const plan = state.plan!;
  const { capabilities: bgp, ...access } = describeBgpAccess(localBgpAccess(plan, state.runDir));
  return {
    description: {
      name: 'local',
      kubeconfig: state.kubeconfig,
      kubernetesVersion: state.kubernetesVersion,
      nodes: plan.nodes.map((n) => ({ name: n.name, address: n.address })),
      ...access,
      capabilities: { ...provider.capabilities, ...bgp },
    },
    vars: templateVars(plan),
    collectLogs: (dir) => collectLocalLogs(state.runDir, dir),
  };
}

/** The control plane's, kube-proxies' and node agents' logs, the routers' and the supervisor's. */
async function collectLocalLogs(runDir: string, dir: string): Promise<void> {
  await mkdir(dir, { recursive: true });
  const problems: string[] = [];
  const sources = [path.join(runDir, 'logs'), path.join(runDir, 'tor'), path.join(runDir, 'ibgp-router'), path.join(path.dirname(runDir), `${path.basename(runDir)}-supervisor.log`)];
  for (const source of sources) {
    if (!existsSync(source)) continue;
    try {
      await cp(source, path.join(dir, path.basename(source)), { recursive: true });
    } catch (error) {
      problems.push(`${source}: ${(error as Error).message}`);
    }
  }
  if (problems.length) await writeFile(path.join(dir, 'collect-errors.txt'), `${problems.join('\n')}\n`);
}
