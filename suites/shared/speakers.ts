// The load balancer's speaker pods (one per node), for the scenarios that
// restart one: which pod runs on a node, and its deletion until replaced.
import type { V1Pod } from '@kubernetes/client-node';
import { NotSupportedError, type ScenarioContext } from '../../harness/scenario/context.ts';

function speakerPods(ctx: ScenarioContext): { namespace: string; labelSelector: string } {
  const lb = ctx.target.loadBalancer;
  if (!lb) throw new NotSupportedError(`target ${ctx.target.name} installs no load balancer, so it has no speaker pods`);
  return lb.speakerPods;
}

export async function speakerPodOn(ctx: ScenarioContext, node: string): Promise<V1Pod> {
  const { namespace, labelSelector } = speakerPods(ctx);
  const pods = await ctx.kube.podsOf(namespace, labelSelector);
  const pod = pods.find((p) => p.spec?.nodeName === node);
  if (!pod) throw new Error(`no speaker pod (${labelSelector} in ${namespace}) on ${node}; speakers on: ${pods.map((p) => p.spec?.nodeName).join(', ')}`);
  return pod;
}

/**
 * Deletes the speaker pod on `node` and waits (timeouts.speakerRestart)
 * until another one runs Ready there; returns performance.now() of the delete.
 */
export async function restartSpeaker(ctx: ScenarioContext, node: string): Promise<number> {
  const { namespace, labelSelector } = speakerPods(ctx);
  const old = await speakerPodOn(ctx, node);
  const deletedAt = performance.now();
  ctx.log(`deleting speaker pod ${old.metadata!.name} on ${node}`);
  await ctx.kube.core.deleteNamespacedPod({ namespace, name: old.metadata!.name! });
  await ctx.eventually(`a new Ready speaker pod on ${node}`, async () => {
    const pods = await ctx.kube.podsOf(namespace, labelSelector);
    const fresh = pods.find((p) => p.spec?.nodeName === node && p.metadata?.uid !== old.metadata?.uid);
    const ready = fresh?.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
    return { ok: ready, observed: pods.map((p) => `${p.metadata?.name}@${p.spec?.nodeName} ${p.status?.phase}`) };
  }, { timeoutMs: ctx.timeouts.speakerRestart });
  return deletedAt;
}
