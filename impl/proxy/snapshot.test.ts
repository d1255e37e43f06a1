import type { V1Ingress } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { DEFAULT_CONTROLLER_NAME } from './routing/class-selection.ts';
import { SnapshotBuilder } from './snapshot.ts';
import { testState, TEST_CLASS } from './testing/state.ts';
import { selfSignedCertificate } from './tls/self-signed.ts';

const builder = new SnapshotBuilder({ controllerName: DEFAULT_CONTROLLER_NAME }, selfSignedCertificate({ commonName: 'snapshot.test' }));

function catchAll(namespace: string, created: string): V1Ingress {
  return {
    metadata: { name: 'catch-all', namespace, uid: `uid-${namespace}`, creationTimestamp: new Date(created) },
    spec: { ingressClassName: TEST_CLASS, defaultBackend: { service: { name: 'echo', port: { number: 80 } } } },
  };
}

describe('SnapshotBuilder: Namespaces in the state', () => {
  const ingresses = [catchAll('vc-old', '2026-06-01T00:00:00Z'), catchAll('vc-new', '2026-06-01T00:00:12Z')];

  it('gives the catch-all to the Ingress whose namespace is not being deleted, and reports nothing against the terminating one', () => {
    const state = testState({ ingresses });
    state.namespaces.push({ metadata: { name: 'vc-old', deletionTimestamp: new Date('2026-06-01T00:00:10Z') } }, { metadata: { name: 'vc-new' } });
    const snapshot = builder.build(state);
    expect(snapshot.routes.defaultRoute?.ingress).toEqual({ namespace: 'vc-new', name: 'catch-all' });
    expect(snapshot.routes.issues.map((i) => i.ingress.namespace)).toEqual(['vc-old']);
    expect(snapshot.issues).toEqual([]);
  });

  it('keeps the older one, and a RuleConflict Event for the newer, while both namespaces live', () => {
    const snapshot = builder.build(testState({ ingresses }));
    expect(snapshot.routes.defaultRoute?.ingress.namespace).toBe('vc-old');
    expect(snapshot.issues).toEqual([{ ingress: { namespace: 'vc-new', name: 'catch-all' }, reason: 'RuleConflict', message: expect.stringContaining('vc-old/catch-all, which is older') }]);
  });
});
