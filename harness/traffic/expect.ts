// Expectations on real responses, as data: a list of {request, expected}
// cases run through one eventually-consistent helper — poll until every case
// holds N times in a row, within a bound, and record how long it took.
import { waitFor, type WaitResult } from '../../lib/wait.ts';
import { describeRequest, send, type HttpRequest, type HttpResponse } from './client.ts';

export interface ExpectedResponse {
  /** Default 200. */
  status?: number;
  /** The Service (echo `service`) that must have answered. */
  backend?: string;
  /** The backend must have seen this path (with query). */
  path?: string;
  /** Response headers that must be present with these values (or match). */
  headers?: Record<string, string | RegExp>;
  /** Any further check on the response: returns a problem, or undefined when fine. */
  check?: (response: HttpResponse) => string | undefined;
}

export interface HttpCase {
  request: HttpRequest;
  expect: ExpectedResponse;
}

/** What is wrong with a response for a case, or undefined when it is right. */
export function problemWith(response: HttpResponse, expected: ExpectedResponse): string | undefined {
  const status = expected.status ?? 200;
  if (response.status !== status) return `status ${response.status}, want ${status}${summary(response)}`;
  if (expected.backend !== undefined) {
    if (!response.echo) return `no echo body (not answered by a backend)${summary(response)}`;
    if (response.echo.service !== expected.backend) return `answered by service "${response.echo.service}" (pod ${response.echo.pod}), want "${expected.backend}"`;
  }
  if (expected.path !== undefined && response.echo?.path !== expected.path) return `backend saw path ${response.echo?.path}, want ${expected.path}`;
  for (const [name, want] of Object.entries(expected.headers ?? {})) {
    const got = response.headers[name.toLowerCase()];
    const value = Array.isArray(got) ? got.join(', ') : got;
    const ok = value !== undefined && (typeof want === 'string' ? value === want : want.test(value));
    if (!ok) return `header ${name}: ${value === undefined ? 'absent' : JSON.stringify(value)}, want ${want}`;
  }
  return expected.check?.(response);
}

function summary(response: HttpResponse): string {
  if (response.echo) return ` (echo from ${response.echo.pod ?? '?'} of service ${response.echo.service ?? '?'})`;
  const text = response.text.trim().slice(0, 120);
  return text ? ` (body: ${JSON.stringify(text)})` : '';
}

export interface EventuallyOptions {
  timeoutMs: number;
  /** Consecutive rounds in which every case holds (default 3). */
  consecutive?: number;
  intervalMs?: number;
}

/** Runs every case each round until all hold `consecutive` rounds in a row; the error lists each failing case's last outcome. */
export async function expectEventually(what: string, cases: HttpCase[], options: EventuallyOptions): Promise<WaitResult<HttpResponse[]>> {
  return waitFor(what, async () => {
    const outcomes = await Promise.all(cases.map(async (c) => {
      try {
        const response = await send(c.request);
        return { response, problem: problemWith(response, c.expect) };
      } catch (error) {
        return { response: undefined, problem: `request failed: ${(error as Error).message}` };
      }
    }));
    const failing = outcomes.flatMap((o, i) => (o.problem ? [`${describeRequest(cases[i].request)} → ${o.problem}`] : []));
    return { ok: failing.length === 0, value: outcomes.map((o) => o.response!), observed: failing.length ? `\n  ${failing.join('\n  ')}` : 'all cases hold' };
  }, { timeoutMs: options.timeoutMs, consecutive: options.consecutive ?? 3, intervalMs: options.intervalMs ?? 200 });
}

/** Sends `count` requests (with bounded concurrency) and returns every response or error. */
export async function sendMany(request: HttpRequest, count: number, concurrency = 8): Promise<({ response: HttpResponse } | { error: string })[]> {
  const results: ({ response: HttpResponse } | { error: string })[] = new Array(count);
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const i = next++;
      try {
        results[i] = { response: await send(request) };
      } catch (error) {
        results[i] = { error: (error as Error).message };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
  return results;
}
