// The target's ingress controller as the scenarios reach it: the Service it
// is published through, the next hops the TOR must hold for its VIP, the
// nodes and hostPort of its pods, scenario-owned copies of that Service with
// another type or traffic policy, and other instances of the controller.
import path from 'node:path';
import type { V1Service, V1ServicePort } from '@kubernetes/client-node';
import { NotSupportedError, SCENARIO_LABEL, type ScenarioContext } from '../../harness/scenario/context.ts';
import type { IngressPart } from '../../harness/targets/target.ts';
import { deploymentReady, scaleAndWait } from './deployments.ts';
import { nodeAddresses, nodesWithReadyEndpoints } from './nodes.ts';

export function ingressOf(ctx: ScenarioContext): IngressPart {
  const ingress = ctx.target.ingress;
  if (!ingress) throw new NotSupportedError(`target ${ctx.target.name} has no ingress controller`);
  return ingress;
}

export async function publishedService(ctx: ScenarioContext): Promise<V1Service> {
  const { namespace, service } = ingressOf(ctx).publish;
  return ctx.kube.core.readNamespacedService({ namespace, name: service });
}

/** The VIP's next hops at the TOR: every node with Cluster, the nodes with a ready controller pod with Local. */
export async function expectedHops(ctx: ScenarioContext, service: V1Service): Promise<string[]> {
  if (service.spec?.externalTrafficPolicy !== 'Local') return nodeAddresses(ctx);
  return nodesWithReadyEndpoints(ctx, service.metadata!.name!, service.metadata!.namespace!);
}

/** The Service port clients use for plain HTTP (named http, else port 80, else the first). */
export function httpPort(service: V1Service): V1ServicePort {
  const ports = service.spec?.ports ?? [];
  const port = ports.find((p) => p.name === 'http') ?? ports.find((p) => p.port === 80) ?? ports[0];
  if (!port) throw new Error(`Service ${service.metadata?.namespace}/${service.metadata?.name} has no ports`);
  return port;
}

/** Nodes that run a Ready controller pod. */
export async function controllerNodes(ctx: ScenarioContext): Promise<string[]> {
  const { namespace, labelSelector } = ingressOf(ctx).pods;
  const pods = await ctx.kube.podsOf(namespace, labelSelector);
  const ready = pods.filter((p) => !p.metadata?.deletionTimestamp && p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'));
  return [...new Set(ready.map((p) => p.spec?.nodeName).filter((n): n is string => !!n))].sort();
}

/**
 * A copy of the controller's published Service (same selector and ports)
 * with another type and traffic policy, in the controller's namespace (a
 * Service selects pods of its own namespace only), named after the
 * scenario's namespace and deleted at the end.
 */
export async function copyOfPublishedService(ctx: ScenarioContext, spec: { type: 'LoadBalancer' | 'NodePort'; externalTrafficPolicy: 'Cluster' | 'Local' }): Promise<V1Service> {
  const original = await publishedService(ctx);
  const copy: V1Service = {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: ctx.namespace, namespace: original.metadata!.namespace, labels: { [SCENARIO_LABEL]: ctx.scenario.id } },
    spec: {
      type: spec.type,
      externalTrafficPolicy: spec.externalTrafficPolicy,
      selector: original.spec?.selector,
      ports: (original.spec?.ports ?? []).map((p) => ({ name: p.name, protocol: p.protocol, port: p.port, targetPort: p.targetPort })),
    },
  };
  ctx.defer(() => ctx.kube.deleteObject(copy));
  return ctx.kube.apply(copy, `a ${spec.type} copy of the controller's Service`);
}

/**
 * Installs another instance of the target's controller from its
 * `ingress.instance` recipe into the scenario's namespace (IngressClass
 * `<namespace>`, Deployment and LoadBalancer Service `name`, HTTP on
 * `hostPort`), waits for it, and deletes its cluster-scoped objects at the
 * end. Not-supported for a target without a recipe.
 */
export async function installControllerInstance(ctx: ScenarioContext, name: string, hostPort: number): Promise<void> {
  const recipe = ingressOf(ctx).instance;
  if (!recipe?.length) {
    throw new NotSupportedError(`${ctx.scenario.id} needs another instance of ${ctx.target.name}'s controller, and the target has no recipe for one (ingress.instance)`);
  }
  for (const file of recipe) {
    for (const object of await ctx.apply(path.resolve(ctx.target.baseDir, file), { instanceName: name, hostPort })) {
      if (!object.metadata?.namespace) ctx.defer(() => ctx.kube.deleteObject(object));
    }
  }
  await deploymentReady(ctx, name);
}

/** The hostPort the target's controller pods serve HTTP on, and the nodes of its Ready pods; undefined when it declares none. */
export async function controllerHostPort(ctx: ScenarioContext): Promise<{ port: number; nodes: string[] } | undefined> {
  const { namespace, labelSelector } = ingressOf(ctx).pods;
  const pods = await ctx.kube.podsOf(namespace, labelSelector);
  const ports = pods.flatMap((p) => (p.spec?.containers ?? []).flatMap((c) => c.ports ?? [])).filter((p) => p.hostPort);
  const http = ports.find((p) => p.name === 'http') ?? ports.find((p) => p.hostPort === 80 || p.containerPort === 80);
  if (!http?.hostPort) return undefined;
  return { port: http.hostPort, nodes: await controllerNodes(ctx) };
}

/** The nodes running a Ready controller; with fewer than two, the controller's Deployment is scaled out for the scenario (and back after it). */
export async function controllerOnTwoNodes(ctx: ScenarioContext): Promise<string[]> {
  const running = await controllerNodes(ctx);
  if (running.length >= 2) return running;
  const deployment = ingressOf(ctx).ready.find((w) => w.kind === 'Deployment');
  if (!deployment) throw new Error(`the controller runs on ${running.length} node(s) and is not a Deployment that could be scaled out: no replica would remain`);
  const before = (await ctx.kube.apps.readNamespacedDeployment({ namespace: deployment.namespace, name: deployment.name })).spec?.replicas ?? 1;
  const replicas = ctx.runtime.provider.nodes.length;
  ctx.log(`scaling ${deployment.namespace}/${deployment.name} from ${before} to ${replicas} replicas for the scenario`);
  ctx.defer(() => scaleAndWait(ctx, deployment, before));
  await scaleAndWait(ctx, deployment, replicas);
  return (await ctx.eventually('controller replicas on at least two nodes', async () => {
    const nodes = await controllerNodes(ctx);
    return { ok: nodes.length >= 2, value: nodes, observed: nodes };
  })).value;
}
