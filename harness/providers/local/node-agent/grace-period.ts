// How long a container gets between SIGTERM and SIGKILL: the deletion's
// grace period, else the pod's terminationGracePeriodSeconds, kept within
// bounds so that tests stay fast but programs still see their SIGTERM.
import type { V1Pod } from '@kubernetes/client-node';

/** Longest grace period honoured on deletion (tests must stay fast). */
export const MAX_GRACE_SECONDS = 30;
/** Shortest grace period (the kubelet's minimum). */
export const MIN_GRACE_SECONDS = 2;
/** Grace for pods that vanished from the API (force-deleted) and on agent shutdown. */
export const SHORT_GRACE_MS = 2000;

export interface GraceOccasion {
  /** The pod is being deleted (its deletionGracePeriodSeconds applies). */
  deleting: boolean;
  /** The pod vanished from the API: nobody waits for a graceful stop. */
  forced: boolean;
}

export function terminationGraceMs(pod: V1Pod, occasion: GraceOccasion): number {
  if (occasion.forced) return SHORT_GRACE_MS;
  const fromDeletion = occasion.deleting ? pod.metadata?.deletionGracePeriodSeconds : undefined;
  const seconds = fromDeletion ?? pod.spec?.terminationGracePeriodSeconds ?? 30;
  return Math.min(Math.max(seconds, MIN_GRACE_SECONDS), MAX_GRACE_SECONDS) * 1000;
}
