import { describe, expect, it } from 'vitest';
import path from 'node:path';
import { loadTarget, validateTarget, TargetError } from './target.ts';
import { FIXTURES_DIR, loadFixture } from '../kube/fixtures.ts';
import { templateVars } from '../providers/local/addressing.ts';
import { planTopology } from '../providers/local/topology.ts';
import { ALL_FEATURES } from '../scenario/features.ts';

const lb = {
  manifests: ['a.yaml'], configMap: 'c.yaml', namespace: 'metallb-system',
  ready: [{ kind: 'DaemonSet', namespace: 'metallb-system', name: 'speaker' }],
  speakerPods: { namespace: 'metallb-system', labelSelector: 'app=s' },
  controllerPods: { namespace: 'metallb-system', labelSelector: 'app=c' },
};

describe('targets', () => {
  it('loads the reference target, which claims every feature', async () => {
    const target = await loadTarget('reference');
    expect(target.features.sort()).toEqual([...ALL_FEATURES].sort());
    expect(target.ingress?.manifests.length).toBeGreaterThan(0);
    expect(target.loadBalancer?.manifests.length).toBeGreaterThan(0);
  });

  it('loads a YAML target file with paths relative to its own folder', async () => {
    const target = await loadTarget(path.join(FIXTURES_DIR, 'targets/reference-lb.yaml'));
    expect(target.name).toBe('reference-lb');
    expect(target.baseDir).toBe(FIXTURES_DIR);
    expect(target.ingress).toBeUndefined();
  });

  it('names the file and the field of a bad target', () => {
    expect(() => validateTarget({ name: 'x', version: '1', features: ['lb-bgp', 'lb-teleport'], loadBalancer: lb }, 't.yaml', '/'))
      .toThrow('t.yaml: features[1]: unknown feature "lb-teleport"');
    expect(() => validateTarget({ name: 'x', version: '1', features: [], loadBalancer: { ...lb, ready: [{ kind: 'Job', namespace: 'a', name: 'b' }] } }, 't.yaml', '/'))
      .toThrow('t.yaml: loadBalancer.ready[0].kind: Deployment or DaemonSet');
    expect(() => validateTarget({ name: 'x', version: '1', features: ['ingress-core'], loadBalancer: lb }, 't.yaml', '/'))
      .toThrow('claims ingress features but has no "ingress" part');
    expect(() => validateTarget({ name: 'x', version: '1', features: [], loadBalancer: lb, extra: 1 }, 't.yaml', '/')).toThrow(TargetError);
  });

  it('renders every controller-instance recipe into the objects its contract names', async () => {
    const vars = { ...templateVars(planTopology(3)), namespace: 'vc-e2e-x', ingressClass: 'c', instanceName: 'second-proxy', hostPort: 18081 };
    for (const spec of ['reference', path.join(FIXTURES_DIR, 'targets/traefik/target.yaml'), path.join(FIXTURES_DIR, 'targets/traefik+metallb/target.yaml')]) {
      const target = await loadTarget(spec);
      const objects = (await Promise.all(target.ingress!.instance!.map((f) => loadFixture(path.resolve(target.baseDir, f), vars, 'vc-e2e-x')))).flat();
      const named = (kind: string) => objects.filter((o) => o.kind === kind).map((o) => o.metadata?.name);
      expect(named('IngressClass'), spec).toEqual(['vc-e2e-x']);
      expect(named('Deployment'), spec).toEqual(['second-proxy']);
      expect(named('Service'), spec).toEqual(['second-proxy']);
      const deployment = objects.find((o) => o.kind === 'Deployment') as unknown as { metadata: { namespace: string }; spec: { template: { metadata: { labels: Record<string, string> }; spec: { containers: { ports: { hostPort?: number }[] }[] } } } };
      expect(deployment.metadata.namespace).toBe('vc-e2e-x');
      expect(deployment.spec.template.metadata.labels.app).toBe('second-proxy');
      expect(deployment.spec.template.spec.containers[0].ports.map((p) => p.hostPort)).toContain(18081);
    }
    expect(() => validateTarget({ name: 'x', version: '1', features: [], loadBalancer: lb, ingress: { className: 'c', controllerName: 'k', manifests: [], publish: { namespace: 'n', service: 's' }, ready: [], pods: { namespace: 'n', labelSelector: 'a=b' }, instance: 'one.yaml' } }, 't.yaml', '/'))
      .toThrow('t.yaml: ingress.instance: a list of file paths is required');
  });

  it('says which file could not be loaded', async () => {
    await expect(loadTarget('/nonexistent/target.yaml')).rejects.toThrow('--target /nonexistent/target.yaml: cannot load');
  });
});
