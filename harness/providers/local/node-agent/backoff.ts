// Restart back-off, the kubelet's way but with a small cap so tests stay
// fast: the first restart after a crash is immediate, then 10 s, 20 s, 40 s,
// 40 s, … (the kubelet caps at 300 s). A container that has not been
// restarted for twice the cap starts over from the beginning. Pure: the
// caller passes the clock. Failed image pulls are retried on the same
// schedule (counted in failures, not restarts).

export const RESTART_BACKOFF_INITIAL_MS = 10_000;
export const RESTART_BACKOFF_MAX_MS = 40_000;

export class RestartBackoff {
  readonly initialMs: number;
  readonly maxMs: number;
  private delayMs = 0;
  private lastRestartAt: number | undefined;

  constructor(initialMs = RESTART_BACKOFF_INITIAL_MS, maxMs = RESTART_BACKOFF_MAX_MS) {
    this.initialMs = initialMs;
    this.maxMs = maxMs;
  }

  private expired(now: number): boolean {
    return this.lastRestartAt === undefined || now - this.lastRestartAt > 2 * this.maxMs;
  }

  /** When a container that finished at `finishedAt` may start again. */
  restartAt(finishedAt: number): number {
    return this.expired(finishedAt) ? finishedAt : finishedAt + this.delayMs;
  }

  /** The current wait after a crash (for the CrashLoopBackOff message). */
  currentDelayMs(finishedAt: number): number {
    return this.restartAt(finishedAt) - finishedAt;
  }

  /** Records a restart at `now`: the next crash waits longer. */
  recordRestart(now: number): void {
    this.delayMs = this.expired(now) ? this.initialMs : Math.min(this.delayMs * 2, this.maxMs);
    this.lastRestartAt = now;
  }
}

/** A failed pull shows ErrImagePull this long, then ImagePullBackOff until the next attempt. */
export const IMAGE_PULL_BACKOFF_AFTER_MS = 2000;

/** Pull retries after `failures` failed pulls: 10 s, 20 s, 40 s, 40 s, … */
export function imagePullRetryDelayMs(failures: number): number {
  return Math.min(RESTART_BACKOFF_INITIAL_MS * 2 ** Math.max(0, failures - 1), RESTART_BACKOFF_MAX_MS);
}
