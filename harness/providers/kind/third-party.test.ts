// The third-party recipes as data (pinned, every relevant feature claimed or
// declined with a reason) and the rendering of fetched manifests. The real
// release files cannot be fetched on this machine; small hand-written
// manifests of the same shapes stand in for them.
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { THIRD_PARTY_RECIPES, type ThirdPartyRecipe } from './recipes/index.ts';
import { metallb } from './recipes/metallb.ts';
import { traefik } from './recipes/traefik.ts';
import { ALL_FEATURES, isFeature } from '../../scenario/features.ts';
import { recipeManifestUrls, renderRecipeManifests } from './third-party.ts';

describe('third-party recipes', () => {
  it('are ingress-nginx, MetalLB v0.12.1 and traefik', () => {
    expect(THIRD_PARTY_RECIPES.map((r) => `${r.name} ${r.version}`)).toEqual(['ingress-nginx v1.15.1', 'metallb v0.12.1', 'traefik v3.7.9']);
  });

  for (const recipe of THIRD_PARTY_RECIPES) {
    describe(recipe.name, () => {
      it('pins every manifest URL by its release tag, over https, never a branch', () => {
        expect(recipe.manifests.length).toBeGreaterThan(0);
        for (const url of recipeManifestUrls(recipe)) {
          expect(url).toMatch(/^https:\/\//);
          expect(url).toContain(`/${recipe.name === 'ingress-nginx' ? 'controller-' : ''}${recipe.version}/`);
          expect(url).not.toMatch(/\/(main|master|HEAD)\//);
        }
      });

      it('takes a position on every feature of its kind, with a reason for each', () => {
        const claimed = Object.keys(recipe.claims);
        const declined = Object.keys(recipe.notClaimed);
        for (const f of [...claimed, ...declined]) expect(isFeature(f), `${f} is not a feature`).toBe(true);
        expect(claimed.filter((f) => declined.includes(f))).toEqual([]);
        const relevant = ALL_FEATURES.filter((f) => (recipe.ingress && f.startsWith('ingress-')) || (recipe.loadBalancer && f.startsWith('lb-')));
        expect([...claimed, ...declined].sort()).toEqual([...relevant].sort());
        for (const reason of [...Object.values(recipe.claims), ...Object.values(recipe.notClaimed)]) expect(reason!.length).toBeGreaterThan(30);
      });

      it('waits for workloads and finds pods in the namespaces it publishes', () => {
        const parts = [recipe.ingress, recipe.loadBalancer].filter(Boolean);
        expect(parts.length).toBeGreaterThan(0);
        if (recipe.ingress) {
          const { publish, ready, pods, className, controllerName } = recipe.ingress;
          expect(className).toMatch(/^[a-z0-9-]+$/);
          expect(controllerName).toMatch(/^[a-z0-9.-]+\/[a-z0-9-]+$/);
          expect(ready.every((w) => w.namespace === publish.namespace)).toBe(true);
          expect(pods.namespace).toBe(publish.namespace);
        }
        if (recipe.loadBalancer) {
          const { namespace, ready, speakerPods, controllerPods } = recipe.loadBalancer;
          expect(ready.map((w) => w.namespace)).toEqual(ready.map(() => namespace));
          expect([speakerPods.namespace, controllerPods.namespace]).toEqual([namespace, namespace]);
        }
      });
    });
  }

  it('traefik\'s own objects fit together: class, account, service, flags', () => {
    const objects = traefik.extraObjects as { kind: string; metadata: { name: string; namespace?: string }; spec?: Record<string, unknown> }[];
    const byKind = (kind: string) => objects.find((o) => o.kind === kind)!;
    expect(byKind('IngressClass')).toMatchObject({ metadata: { name: traefik.ingress!.className }, spec: { controller: traefik.ingress!.controllerName } });
    const deployment = byKind('Deployment') as unknown as { spec: { template: { spec: { serviceAccountName: string; containers: { image: string; args: string[] }[] } } } };
    const pod = deployment.spec.template.spec;
    expect(pod.serviceAccountName).toBe(byKind('ServiceAccount').metadata.name);
    expect(pod.serviceAccountName).toBe(traefik.patches![0].name);
    expect(pod.containers[0].image).toBe(`traefik:${traefik.version}`);
    expect(pod.containers[0].args).toContain('--providers.kubernetesingress.strictprefixmatching=true');
    expect(pod.containers[0].args).toContain(`--providers.kubernetesingress.ingressclass=${traefik.ingress!.className}`);
    expect(pod.containers[0].args).toContain(`--providers.kubernetesingress.ingressendpoint.publishedservice=${traefik.ingress!.publish.namespace}/${traefik.ingress!.publish.service}`);
    const { publish } = traefik.ingress!;
    expect(byKind('Service')).toMatchObject({ metadata: { name: publish.service, namespace: publish.namespace }, spec: { type: 'LoadBalancer', externalTrafficPolicy: 'Local' } });
  });
});

const [METALLB_NS, METALLB_MAIN] = recipeManifestUrls(metallb);
const metallbFiles = {
  [METALLB_NS]: 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: metallb-system\n',
  [METALLB_MAIN]: [
    'apiVersion: policy/v1beta1', 'kind: PodSecurityPolicy', 'metadata:', '  name: speaker', '---',
    'apiVersion: apps/v1', 'kind: DaemonSet', 'metadata:', '  name: speaker', '  namespace: metallb-system', '---',
    '', '---',
    'apiVersion: apps/v1', 'kind: Deployment', 'metadata:', '  name: controller', '  namespace: metallb-system', '',
  ].join('\n'),
};

function kinds(yaml: string): string[] {
  return parseAllDocuments(yaml).map((d) => d.toJS() as { kind: string } | null).filter(Boolean).map((o) => `${o!.kind}`);
}

describe('rendering fetched manifests', () => {
  it('keeps every document in order, leaves out the dropped kinds and says so in the header', () => {
    const out = renderRecipeManifests(metallb, metallbFiles);
    expect(kinds(out)).toEqual(['Namespace', 'DaemonSet', 'Deployment']);
    expect(out).toContain(`#   ${METALLB_MAIN}`);
    expect(out).toMatch(/# dropped policy\/v1beta1 PodSecurityPolicy: removed from Kubernetes in 1\.25/);
  });

  it('fails when a dropped kind is absent (the upstream file changed)', () => {
    const without = { ...metallbFiles, [METALLB_MAIN]: 'apiVersion: apps/v1\nkind: DaemonSet\nmetadata:\n  name: speaker\n' };
    expect(() => renderRecipeManifests(metallb, without)).toThrow('metallb v0.12.1: the recipe drops policy/v1beta1/PodSecurityPolicy, but the manifests have none (upstream changed? remove the drop)');
  });

  it('names the file and document of bad YAML, a non-object, and a manifest that was not fetched', () => {
    expect(() => renderRecipeManifests(metallb, { ...metallbFiles, [METALLB_MAIN]: 'apiVersion: v1\nkind: A\n---\nkey: [unclosed\n' }))
      .toThrow(new RegExp(`^metallb v0\\.12\\.1: ${METALLB_MAIN.replace(/[.]/g, '\\.')}: document 2: `));
    expect(() => renderRecipeManifests(metallb, { ...metallbFiles, [METALLB_MAIN]: 'just: a map\n' }))
      .toThrow(`metallb v0.12.1: ${METALLB_MAIN}: document 1: not a Kubernetes object (apiVersion and kind are required)`);
    expect(() => renderRecipeManifests(metallb, { [METALLB_MAIN]: metallbFiles[METALLB_MAIN] }))
      .toThrow(`metallb v0.12.1: manifest ${METALLB_NS} was not fetched`);
  });

  const [TRAEFIK_RBAC] = recipeManifestUrls(traefik);
  const rbac = [
    'apiVersion: rbac.authorization.k8s.io/v1', 'kind: ClusterRole', 'metadata:', '  name: traefik-ingress-controller', 'rules: []', '---',
    'apiVersion: rbac.authorization.k8s.io/v1', 'kind: ClusterRoleBinding', 'metadata:', '  name: traefik-ingress-controller',
    'roleRef:', '  apiGroup: rbac.authorization.k8s.io', '  kind: ClusterRole', '  name: traefik-ingress-controller',
    'subjects:', '  - kind: ServiceAccount', '    name: traefik-ingress-controller', '    namespace: default', '',
  ].join('\n');

  it('applies patches and appends the recipe\'s own objects after the fetched ones', () => {
    const out = renderRecipeManifests(traefik, { [TRAEFIK_RBAC]: rbac });
    const objects = parseAllDocuments(out).map((d) => d.toJS() as { kind: string; subjects?: { namespace: string }[] });
    expect(objects.map((o) => o.kind)).toEqual(['ClusterRole', 'ClusterRoleBinding', 'Namespace', 'ServiceAccount', 'IngressClass', 'Deployment', 'Service']);
    expect(objects[1].subjects![0].namespace).toBe('traefik');
    // The recipe's data is not changed by rendering.
    expect(traefik.patches![0].value).toBe('traefik');
  });

  it('fails loudly when a patch finds no object or no such field', () => {
    const noBinding = rbac.split('---')[0];
    expect(() => renderRecipeManifests(traefik, { [TRAEFIK_RBAC]: noBinding }))
      .toThrow('traefik v3.7.9: patch of ClusterRoleBinding traefik-ingress-controller at subjects.0.namespace: expected one such object in the manifests, found 0');
    const noNamespace = rbac.replace('    namespace: default\n', '');
    expect(() => renderRecipeManifests(traefik, { [TRAEFIK_RBAC]: noNamespace }))
      .toThrow('traefik v3.7.9: patch of ClusterRoleBinding traefik-ingress-controller at subjects.0.namespace: subjects.0.namespace does not exist (upstream changed?)');
    const recipe: ThirdPartyRecipe = { ...traefik, patches: [{ ...traefik.patches![0], path: ['subjects', 'first', 'namespace'] }] };
    expect(() => renderRecipeManifests(recipe, { [TRAEFIK_RBAC]: rbac })).toThrow('traefik v3.7.9: patch of ClusterRoleBinding traefik-ingress-controller at subjects.first.namespace: subjects is a list, but the path needs a map to take "first"');
  });
});
