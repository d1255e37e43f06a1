// Installs a target into a cluster: its manifests and MetalLB ConfigMap by
// server-side apply, then waits for its workloads, then finds the address
// its ingress controller is published at.
import path from 'node:path';
import { Kube } from '../kube/client.ts';
import { loadFixture, type TemplateVars } from '../kube/fixtures.ts';
import type { Target, Workload } from './target.ts';

export interface InstallResult {
  /** The VIP of the ingress controller's LoadBalancer Service. */
  ingressAddress?: string;
  durationMs: number;
}

async function applyFiles(kube: Kube, target: Target, files: string[], vars: TemplateVars): Promise<void> {
  for (const file of files) {
    const full = path.resolve(target.baseDir, file);
    for (const object of await loadFixture(full, vars)) await kube.apply(object, path.relative(process.cwd(), full));
  }
}

async function waitReady(kube: Kube, workloads: Workload[], timeoutMs: number): Promise<void> {
  await Promise.all(workloads.map((w) => (w.kind === 'Deployment'
    ? kube.waitForDeployment(w.namespace, w.name, timeoutMs)
    : kube.waitForDaemonSet(w.namespace, w.name, timeoutMs))));
}

export async function installTarget(kube: Kube, target: Target, vars: TemplateVars, options: { timeoutMs?: number; log?: (line: string) => void } = {}): Promise<InstallResult> {
  const started = performance.now();
  const timeoutMs = options.timeoutMs ?? 120_000;
  const log = options.log ?? (() => {});
  // The load balancer first: the ingress controller's Service needs it for its VIP.
  if (target.loadBalancer) {
    const lb = target.loadBalancer;
    log(`installing ${target.name} load balancer (${lb.manifests.length} manifests + ConfigMap)`);
    await applyFiles(kube, target, lb.manifests, vars);
    await applyFiles(kube, target, [lb.configMap], vars);
    await waitReady(kube, lb.ready, timeoutMs);
  }
  let ingressAddress: string | undefined;
  if (target.ingress) {
    const ing = target.ingress;
    log(`installing ${target.name} ingress controller (${ing.manifests.length} manifests)`);
    await applyFiles(kube, target, ing.manifests, vars);
    await waitReady(kube, ing.ready, timeoutMs);
    if (target.loadBalancer || vars.externalLoadBalancer) {
      ingressAddress = (await kube.waitForLoadBalancerIp(ing.publish.namespace, ing.publish.service, timeoutMs)).value;
    }
  }
  return { ingressAddress, durationMs: performance.now() - started };
}
