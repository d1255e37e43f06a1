// The third-party target files under fixtures/targets/ against what
// scripts/build-third-party.sh builds: they load, their manifests parse, every
// image their pods use is mapped to a binary of the version the build makes,
// and the combined target is exactly the union of the two others.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { V1PodTemplateSpec } from '@kubernetes/client-node';
import { loadTarget, type Target } from '../../harness/targets/target.ts';
import { loadFixture } from '../../harness/kube/fixtures.ts';
import { imageRepository } from '../../harness/providers/local/images.ts';
import { REPO_ROOT } from '../../lib/repo-root.ts';
import { resolveTargetImages } from '../../harness/providers/local/target-images.ts';
import { templateVars } from '../../harness/providers/local/addressing.ts';
import { planTopology } from '../../harness/providers/local/topology.ts';

const versions = JSON.parse(readFileSync(path.join(REPO_ROOT, 'scripts/third-party/versions.json'), 'utf8')) as { traefik: string; metallb: string };
const targetFile = (name: string) => path.join(REPO_ROOT, 'fixtures/targets', name, 'target.yaml');
const NAMES = ['traefik', 'metallb-v0.12', 'traefik+metallb'];
const CACHE = '/cache';

/** Every manifest of a target, rendered with the local provider's variables. */
async function objectsOf(target: Target) {
  const files = [...(target.ingress?.manifests ?? []), ...(target.loadBalancer?.manifests ?? []), ...(target.loadBalancer ? [target.loadBalancer.configMap] : [])];
  const vars = templateVars(planTopology(3));
  return (await Promise.all(files.map((f) => loadFixture(path.resolve(target.baseDir, f), vars)))).flat();
}

function podImages(objects: Awaited<ReturnType<typeof objectsOf>>): string[] {
  return objects
    .filter((o) => o.kind === 'Deployment' || o.kind === 'DaemonSet')
    .flatMap((o) => ((o as { spec: { template: V1PodTemplateSpec } }).spec.template.spec?.containers ?? []).map((c) => c.image!));
}

describe('third-party target files', () => {
  it.each(NAMES)('%s loads, and every image its pods use maps to a binary of the built version', async (name) => {
    const target = await loadTarget(targetFile(name));
    expect(target.name).toBe(name);
    const objects = await objectsOf(target);
    const images = resolveTargetImages(target.images, name, { VIPCHECK_CACHE: CACHE });
    const used = podImages(objects);
    expect(used.length).toBeGreaterThan(0);
    for (const image of used) {
      const local = images[imageRepository(image)];
      expect(local, `image ${image} of ${name} has no entry under images`).toBeDefined();
      const component = image.startsWith('traefik:') ? 'traefik' : 'metallb';
      const version = versions[component];
      expect(image.endsWith(`:${version}`), `${image} is tagged with the built version ${version}`).toBe(true);
      expect(local.entrypoint[0].startsWith(`${CACHE}/${component}-${version}/bin/`), `${image} runs ${local.entrypoint[0]}`).toBe(true);
    }
  });

  it('traefik+metallb is traefik plus metallb-v0.12: the same manifests, features and images', async () => {
    const [traefik, metallb, both] = await Promise.all(NAMES.map((n) => loadTarget(targetFile(n))));
    expect([...both.features].sort()).toEqual([...traefik.features, ...metallb.features].sort());
    const resolved = (t: Target, list: string[] | undefined) => (list ?? []).map((f) => path.resolve(t.baseDir, f));
    expect(resolved(both, both.ingress?.manifests)).toEqual(resolved(traefik, traefik.ingress?.manifests));
    expect(resolved(both, both.ingress?.instance)).toEqual(resolved(traefik, traefik.ingress?.instance));
    expect(resolved(both, both.loadBalancer?.manifests)).toEqual(resolved(metallb, metallb.loadBalancer?.manifests));
    expect(both.images).toEqual({ ...traefik.images, ...metallb.images });
    const { baseDir: _a, name: _b, version: _c, description: _d, features: _e, images: _f, ...bothParts } = both;
    expect(bothParts.ingress).toEqual({ ...traefik.ingress, manifests: both.ingress!.manifests, instance: both.ingress!.instance });
    expect(bothParts.loadBalancer).toEqual({ ...metallb.loadBalancer, manifests: both.loadBalancer!.manifests });
  });

  it('the load balancers use the conformance ConfigMap', async () => {
    for (const name of ['metallb-v0.12', 'traefik+metallb']) {
      const target = await loadTarget(targetFile(name));
      expect(path.resolve(target.baseDir, target.loadBalancer!.configMap)).toBe(path.join(REPO_ROOT, 'fixtures/conformance/metallb-config.yaml'));
    }
  });
});
