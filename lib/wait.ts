// Bounded waiting. Every wait in vipcheck goes through here so that each one
// has a limit and, when it gives up, says what it waited for and what it saw.

export class WaitTimeoutError extends Error {
  readonly what: string;
  readonly lastObserved: unknown;
  readonly elapsedMs: number;
  constructor(what: string, elapsedMs: number, lastObserved: unknown) {
    super(`timed out after ${elapsedMs} ms waiting for ${what}; last observed: ${describe(lastObserved)}`);
    this.name = 'WaitTimeoutError';
    this.what = what;
    this.lastObserved = lastObserved;
    this.elapsedMs = elapsedMs;
  }
}

export interface WaitOptions {
  /** Upper bound for the whole wait. */
  timeoutMs: number;
  /** Pause between attempts. */
  intervalMs?: number;
  /** Consecutive successes needed before the wait is satisfied (default 1). */
  consecutive?: number;
  signal?: AbortSignal;
}

/** What one probe saw: `ok` says whether it counts as a success, `observed` is kept for the timeout message. */
export interface Probe<T> {
  ok: boolean;
  value?: T;
  observed?: unknown;
}

export interface WaitResult<T> {
  value: T;
  /** Time from the start of the wait to the first of the final run of consecutive successes. */
  convergenceMs: number;
  attempts: number;
}

/**
 * Polls `probe` until it succeeds `consecutive` times in a row, or throws a
 * WaitTimeoutError naming `what` and the last observation. A probe that throws
 * counts as a failure whose observation is the error message, unless the
 * error says it is permanent (`permanent: true`): that one ends the wait.
 */
export async function waitFor<T>(what: string, probe: () => Promise<Probe<T>> | Probe<T>, options: WaitOptions): Promise<WaitResult<T>> {
  const { timeoutMs, intervalMs = 100, consecutive = 1, signal } = options;
  const start = performance.now();
  let streak = 0;
  let streakStart = 0;
  let attempts = 0;
  let last: unknown = 'nothing (no attempt finished)';
  for (;;) {
    signal?.throwIfAborted();
    attempts++;
    const attemptStart = performance.now();
    let result: Probe<T>;
    try {
      result = await probe();
    } catch (error) {
      // Some errors will not go away by waiting (e.g. "the provider has no TOR"): give up at once.
      if ((error as { permanent?: boolean })?.permanent === true) throw error;
      result = { ok: false, observed: `error: ${(error as Error).message ?? String(error)}` };
    }
    last = result.observed ?? result.value;
    if (result.ok) {
      if (streak === 0) streakStart = attemptStart;
      streak++;
      if (streak >= consecutive) {
        return { value: result.value as T, convergenceMs: Math.round(streakStart - start), attempts };
      }
    } else {
      streak = 0;
    }
    const elapsed = performance.now() - start;
    if (elapsed >= timeoutMs) {
      throw new WaitTimeoutError(what, Math.round(elapsed), last);
    }
    await sleep(Math.min(intervalMs, Math.max(0, timeoutMs - elapsed)), signal);
  }
}

/** Like waitFor for a predicate: the probe returns a value and a test decides. */
export function waitUntil<T>(what: string, read: () => Promise<T> | T, test: (value: T) => boolean, options: WaitOptions): Promise<WaitResult<T>> {
  return waitFor(what, async () => {
    const value = await read();
    return { ok: test(value), value, observed: value };
  }, options);
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal!.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** Races a promise against a bound; the error names what was awaited. */
export async function withTimeout<T>(what: string, promise: Promise<T>, timeoutMs: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new WaitTimeoutError(what, timeoutMs, 'no answer')), timeoutMs);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

function describe(value: unknown): string {
  if (value === undefined) return 'undefined';
  if (typeof value === 'string') return value;
  try {
    const text = JSON.stringify(value);
    return text.length > 2000 ? `${text.slice(0, 2000)}…` : text;
  } catch {
    return String(value);
  }
}
