// Runs a pod worker's sync one at a time: a kick during a sync makes one
// more pass after it (not a parallel one), and timed wake-ups (back-off,
// retries) collapse into the earliest one asked for. So the informer,
// process exits, probe results and timers never race.

/** How long a failed step (a sync, network, volumes, container config, the final delete) waits before it is tried again. */
export const RETRY_MS = 5000;

export class SyncLoop {
  private readonly sync: () => Promise<void>;
  private readonly failed: (error: Error) => void;
  private syncing = false;
  private again = false;
  private closed = false;
  private timer: NodeJS.Timeout | undefined;
  private wakeAt = Infinity;

  /** `failed` hears of a sync that threw (it usually asks for a wake-up to retry). */
  constructor(sync: () => Promise<void>, failed: (error: Error) => void) {
    this.sync = sync;
    this.failed = failed;
  }

  /** Syncs now, or once more after the sync under way. */
  kick(): void {
    if (this.closed) return;
    if (this.syncing) {
      this.again = true;
      return;
    }
    this.syncing = true;
    void this.loop();
  }

  private async loop(): Promise<void> {
    do {
      this.again = false;
      try {
        await this.sync();
      } catch (error) {
        this.failed(error as Error);
      }
    } while (this.again && !this.closed);
    this.syncing = false;
  }

  /** Asks for a sync after delayMs (the earliest request wins). */
  wake(delayMs: number): void {
    if (this.closed) return;
    const at = Date.now() + delayMs;
    if (at >= this.wakeAt) return;
    clearTimeout(this.timer);
    this.wakeAt = at;
    this.timer = setTimeout(() => {
      this.wakeAt = Infinity;
      this.kick();
    }, delayMs);
  }

  /** Drops the pending wake-up; a later wake() sets a new one. */
  cancelWake(): void {
    clearTimeout(this.timer);
    this.wakeAt = Infinity;
  }

  /** No more syncs: kicks and wake-ups are ignored from now on. */
  close(): void {
    this.closed = true;
    this.cancelWake();
  }
}
