import { describe, expect, it } from 'vitest';
import path from 'node:path';
import { loadTarget, validateTarget, TargetError } from './target.ts';
import { FIXTURES_DIR } from '../kube/fixtures.ts';
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

  it('says which file could not be loaded', async () => {
    await expect(loadTarget('/nonexistent/target.yaml')).rejects.toThrow('--target /nonexistent/target.yaml: cannot load');
  });
});
