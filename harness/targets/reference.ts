// The reference target: impl/proxy behind a LoadBalancer Service, and
// impl/speaker as the MetalLB-style load balancer. It claims every feature
// and must pass every scenario.
import { readdirSync, existsSync } from 'node:fs';
import path from 'node:path';
import { ALL_FEATURES } from '../scenario/features.ts';
import { FIXTURES_DIR } from '../kube/fixtures.ts';
import type { Target } from './target.ts';

/** The numbered manifests of a fixtures folder (00-namespace.yaml, 10-rbac.yaml, …), in order. */
function numberedManifests(folder: string): string[] {
  const dir = path.join(FIXTURES_DIR, folder);
  if (!existsSync(dir)) throw new Error(`the reference target's manifests are missing: ${dir}`);
  return readdirSync(dir).filter((f) => /^\d\d-.*\.ya?ml$/.test(f)).sort().map((f) => path.join(folder, f));
}

export function referenceTarget(): Target {
  return {
    name: 'reference',
    version: '0.1.0',
    description: 'vipcheck reference implementations: impl/proxy (Ingress controller) and impl/speaker (MetalLB-style BGP load balancer)',
    features: [...ALL_FEATURES],
    baseDir: FIXTURES_DIR,
    ingress: {
      className: 'vipcheck',
      controllerName: 'vipcheck.dev/reference-proxy',
      manifests: numberedManifests('proxy'),
      publish: { namespace: 'vipcheck-ingress', service: 'vipcheck-proxy' },
      ready: [{ kind: 'Deployment', namespace: 'vipcheck-ingress', name: 'vipcheck-proxy' }],
      pods: { namespace: 'vipcheck-ingress', labelSelector: 'app.kubernetes.io/name=vipcheck-proxy' },
      // impl/proxy documents ImplementationSpecific as Prefix matching (impl/proxy/routing).
      implementationSpecific: 'prefix',
      instance: ['scenarios/e2e/reference-proxy-rbac.yaml', 'scenarios/e2e/reference-proxy-instance.yaml'],
    },
    loadBalancer: {
      manifests: numberedManifests('metallb'),
      configMap: 'conformance/metallb-config.yaml',
      namespace: 'metallb-system',
      ready: [
        { kind: 'Deployment', namespace: 'metallb-system', name: 'controller' },
        { kind: 'DaemonSet', namespace: 'metallb-system', name: 'speaker' },
      ],
      speakerPods: { namespace: 'metallb-system', labelSelector: 'app=metallb,component=speaker' },
      controllerPods: { namespace: 'metallb-system', labelSelector: 'app=metallb,component=controller' },
    },
  };
}
