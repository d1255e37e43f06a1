// Changes the scenarios make to Deployments: scale, pin to a node (JSON
// merge patches), and waiting until every replica is ready again.
import { PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import type { ScenarioContext } from '../../harness/scenario/context.ts';

export interface DeploymentRef {
  namespace: string;
  name: string;
}

/** A Deployment of the scenario's namespace by name, or one elsewhere (e.g. the ingress controller's). */
function ref(ctx: ScenarioContext, deployment: string | DeploymentRef): DeploymentRef {
  return typeof deployment === 'string' ? { namespace: ctx.namespace, name: deployment } : { namespace: deployment.namespace, name: deployment.name };
}

export async function patchDeployment(ctx: ScenarioContext, deployment: string | DeploymentRef, body: object): Promise<void> {
  await ctx.kube.apps.patchNamespacedDeployment({ ...ref(ctx, deployment), body }, setHeaderOptions('Content-Type', PatchStrategy.MergePatch));
}

export function scale(ctx: ScenarioContext, deployment: string | DeploymentRef, replicas: number): Promise<void> {
  return patchDeployment(ctx, deployment, { spec: { replicas } });
}

/** Pins a Deployment's pods to one node (null: anywhere). */
export function pinToNode(ctx: ScenarioContext, deployment: string | DeploymentRef, node: string | null): Promise<void> {
  return patchDeployment(ctx, deployment, { spec: { template: { spec: { nodeSelector: node === null ? null : { 'kubernetes.io/hostname': node } } } } });
}

/** Waits (timeouts.deploymentReady) until every replica of the Deployment is ready. */
export async function deploymentReady(ctx: ScenarioContext, deployment: string | DeploymentRef): Promise<void> {
  const { namespace, name } = ref(ctx, deployment);
  await ctx.kube.waitForDeployment(namespace, name, ctx.timeouts.deploymentReady);
}

/** Scales and waits until every replica is ready. */
export async function scaleAndWait(ctx: ScenarioContext, deployment: string | DeploymentRef, replicas: number): Promise<void> {
  await scale(ctx, deployment, replicas);
  await deploymentReady(ctx, deployment);
}
