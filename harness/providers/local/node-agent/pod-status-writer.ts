// Writes a pod's status to the API: coalesced (many changes within 50 ms
// make one patch), only when it changed, one patch at a time, retried on
// failure, and written again when someone else overwrote our conditions.
// What the status says is computed by pod-status.ts.
import type { V1Pod } from '@kubernetes/client-node';
import { computePodStatus, mergeConditions, type ConditionJson, type PodRuntime } from './pod-status.ts';

export const COALESCE_MS = 50;
export const RETRY_MS = 1000;

export interface StatusWriterDeps {
  /** Merge-patches the pod's status subresource. */
  patch(body: object): Promise<void>;
  /** The pod as last seen from the API. */
  pod(): V1Pod;
  runtime(): PodRuntime;
  log(line: string): void;
}

export class PodStatusWriter {
  private readonly deps: StatusWriterDeps;
  private timer: NodeJS.Timeout | undefined;
  private writing = false;
  private writeAgain = false;
  private closed = false;
  private lastWritten = '';
  private lastConditions: ConditionJson[] | undefined;

  constructor(deps: StatusWriterDeps) {
    this.deps = deps;
  }

  /** Asks for a write soon; requests until then make one. */
  publish(): void {
    if (this.closed || this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.flush().catch((error: Error) => {
        this.deps.log(`status update failed, retrying in ${RETRY_MS / 1000} s: ${error.message}`);
        setTimeout(() => this.publish(), RETRY_MS).unref();
      });
    }, COALESCE_MS);
  }

  /** Writes now unless nothing changed; while a write is under way, makes it write once more instead. */
  async flush(): Promise<void> {
    if (this.writing) {
      this.writeAgain = true;
      return;
    }
    this.writing = true;
    try {
      do {
        this.writeAgain = false;
        const pod = this.deps.pod();
        // Our last conditions stand in for the API's, so their transition times carry over.
        const conditionsBefore = mergeConditions(pod.status?.conditions as { type: string }[] | undefined, this.lastConditions ?? []);
        const basis: V1Pod = { ...pod, status: { ...pod.status, conditions: conditionsBefore as never } };
        const status = computePodStatus(basis, this.deps.runtime(), new Date());
        const json = JSON.stringify(status);
        if (json === this.lastWritten) continue;
        const conditions = mergeConditions(pod.status?.conditions as { type: string }[] | undefined, status.conditions);
        await this.deps.patch({ status: { ...status, conditions } });
        this.lastWritten = json;
        this.lastConditions = status.conditions;
      } while (this.writeAgain);
    } finally {
      this.writing = false;
    }
  }

  /**
   * The pod as the API now has it. When someone else rewrote our conditions
   * (the node lifecycle controller marks pods not ready while the node is
   * unreachable), the next write goes out even if our status is unchanged.
   */
  observe(pod: V1Pod): void {
    if (!this.lastConditions) return;
    const api = new Map((pod.status?.conditions ?? []).map((c) => [c.type, c.status]));
    if (this.lastConditions.some((c) => api.get(c.type) !== c.status)) this.lastWritten = '';
  }

  /** No more writes from publish(); a flush() still writes (the final status before deletion). */
  close(): void {
    this.closed = true;
    clearTimeout(this.timer);
  }
}
