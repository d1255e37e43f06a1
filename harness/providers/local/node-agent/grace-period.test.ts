import { describe, expect, it } from 'vitest';
import type { V1Pod } from '@kubernetes/client-node';
import { SHORT_GRACE_MS, terminationGraceMs } from './grace-period.ts';

const pod = (terminationGracePeriodSeconds?: number, deletionGracePeriodSeconds?: number) =>
  ({ metadata: { deletionGracePeriodSeconds }, spec: { containers: [], terminationGracePeriodSeconds } }) as V1Pod;

describe('terminationGraceMs', () => {
  it('uses the pod spec, 30 s by default, within 2..30 s', () => {
    expect(terminationGraceMs(pod(), { deleting: false, forced: false })).toBe(30_000);
    expect(terminationGraceMs(pod(5), { deleting: false, forced: false })).toBe(5_000);
    expect(terminationGraceMs(pod(0), { deleting: false, forced: false })).toBe(2_000);
    expect(terminationGraceMs(pod(600), { deleting: false, forced: false })).toBe(30_000);
  });

  it('a deletion brings its own grace period; other stops ignore it', () => {
    expect(terminationGraceMs(pod(20, 3), { deleting: true, forced: false })).toBe(3_000);
    expect(terminationGraceMs(pod(20, 3), { deleting: false, forced: false })).toBe(20_000);
  });

  it('a pod gone from the API gets the short grace', () => {
    expect(terminationGraceMs(pod(20, 10), { deleting: true, forced: true })).toBe(SHORT_GRACE_MS);
  });
});
