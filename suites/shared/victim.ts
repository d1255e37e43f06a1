// Which node a node-loss scenario cuts off: one of the candidates (nodes
// that announce the VIP, or that run a controller replica), preferably not
// one running the load balancer's controller, whose loss would also stall
// allocation and so measure something else.
import type { ScenarioContext } from '../../harness/scenario/context.ts';

type ClusterNode = ScenarioContext['runtime']['provider']['nodes'][number];

/** A node among `candidates` (node names), preferring one without a load-balancer controller pod. */
export async function chooseVictim(ctx: ScenarioContext, candidates: string[]): Promise<ClusterNode> {
  const nodes = ctx.runtime.provider.nodes.filter((n) => candidates.includes(n.name));
  if (nodes.length === 0) throw new Error(`no node to cut off among ${candidates.join(', ') || 'no candidates'} (nodes: ${ctx.runtime.provider.nodes.map((n) => n.name).join(', ')})`);
  const lb = ctx.target.loadBalancer?.controllerPods;
  const busy = lb ? (await ctx.kube.podsOf(lb.namespace, lb.labelSelector)).map((p) => p.spec?.nodeName) : [];
  const victim = nodes.find((n) => !busy.includes(n.name)) ?? nodes[0];
  ctx.log(`victim ${victim.name} (${victim.address}) of ${nodes.map((n) => n.name).join(', ')}; load-balancer controller on ${busy.join(', ') || 'no node'}`);
  return victim;
}
