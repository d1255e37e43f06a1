// Steady traffic to a VIP while something breaks: a few workers each send
// one request at a time on a fresh connection (so ECMP hashes every request
// anew), and the loop reports how many failed and for how long.
import type { ScenarioContext } from '../../harness/scenario/context.ts';
import { describeRequest, send, type HttpRequest } from '../../harness/traffic/client.ts';
import { problemWith, type ExpectedResponse } from '../../harness/traffic/expect.ts';
import { waitFor } from '../../lib/wait.ts';

export interface LoopSummary {
  sent: number;
  failed: number;
  /** From the start of the first failed request to the end of the last one (0 when none failed). */
  failedWindowMs: number;
  /** performance.now() of the first failure's start and the last failure's end. */
  firstFailureAt?: number;
  lastFailureAt?: number;
  /** Requests that succeeded between the first and the last failure. */
  succeededDuringWindow: number;
  /** A few failure descriptions, for the scenario log. */
  samples: string[];
}

export interface RequestLoop {
  /**
   * Waits (bounded) until no request has failed for `quietMs`, counted from
   * `since` at the earliest (e.g. the disruption), while requests kept
   * succeeding; returns when the last failed request ended (undefined: none failed).
   */
  waitForQuiet(quietMs: number, timeoutMs: number, since?: number): Promise<number | undefined>;
  stop(): Promise<LoopSummary>;
}

interface Outcome {
  start: number;
  end: number;
  problem?: string;
}

export function startRequestLoop(request: HttpRequest, expected: ExpectedResponse, options: { workers?: number; timeoutMs?: number; pauseMs?: number } = {}): RequestLoop {
  const outcomes: Outcome[] = [];
  let running = true;
  const req: HttpRequest = { ...request, timeoutMs: options.timeoutMs ?? 1000, headers: { ...request.headers, connection: 'close' } };
  const worker = async () => {
    while (running) {
      const start = performance.now();
      let problem: string | undefined;
      try {
        problem = problemWith(await send(req), expected);
      } catch (error) {
        problem = `request failed: ${(error as Error).message}`;
      }
      outcomes.push({ start, end: performance.now(), problem });
      await new Promise((r) => setTimeout(r, options.pauseMs ?? 20));
    }
  };
  const workers = Array.from({ length: options.workers ?? 4 }, worker);
  return {
    async waitForQuiet(quietMs, timeoutMs, since = performance.now()) {
      const result = await waitFor(`${quietMs} ms without a failed request to ${describeRequest(req)}`, () => {
        const now = performance.now();
        const lastFailure = Math.max(-Infinity, ...outcomes.filter((o) => o.problem).map((o) => o.end));
        const quietFrom = Math.max(lastFailure, since);
        const succeededSince = outcomes.filter((o) => !o.problem && o.start > quietFrom).length;
        const ok = now - quietFrom >= quietMs && succeededSince > 0;
        return { ok, value: Number.isFinite(lastFailure) ? lastFailure : undefined, observed: `last failure ${Number.isFinite(lastFailure) ? `${Math.round(now - lastFailure)} ms ago` : 'never'}, ${succeededSince} answered since` };
      }, { timeoutMs, intervalMs: 250 });
      return result.value;
    },
    async stop() {
      running = false;
      await Promise.all(workers);
      return summarize(outcomes, describeRequest(req));
    },
  };
}

function summarize(outcomes: Outcome[], what: string): LoopSummary {
  const failures = outcomes.filter((o) => o.problem);
  if (failures.length === 0) return { sent: outcomes.length, failed: 0, failedWindowMs: 0, succeededDuringWindow: 0, samples: [] };
  const first = Math.min(...failures.map((f) => f.start));
  const last = Math.max(...failures.map((f) => f.end));
  return {
    sent: outcomes.length,
    failed: failures.length,
    failedWindowMs: Math.round(last - first),
    firstFailureAt: first,
    lastFailureAt: last,
    succeededDuringWindow: outcomes.filter((o) => !o.problem && o.start >= first && o.end <= last).length,
    samples: failures.slice(0, 5).map((f) => `${what} → ${f.problem}`),
  };
}

/** Puts a loop's outcome into the report (requests, failedRequests, failedRequestWindowMs) and the scenario log. */
export function recordLoop(ctx: ScenarioContext, summary: LoopSummary): void {
  ctx.measure('requests', summary.sent);
  ctx.measure('failedRequests', summary.failed);
  ctx.measure('failedRequestWindowMs', summary.failedWindowMs);
  ctx.log(`request loop: ${summary.sent} sent, ${summary.failed} failed, window ${summary.failedWindowMs} ms, ${summary.succeededDuringWindow} answered inside it\n  ${summary.samples.join('\n  ')}`);
}
