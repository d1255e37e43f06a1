// Expectations on real responses, as data: a list of {request, expected}
// cases run through one eventually-consistent helper — poll until every case
// holds N times in a row, within a bound, and record how long it took and,
// per case, its verdict and what it last saw.
import { waitFor, WaitTimeoutError, type WaitResult } from '../../lib/wait.ts';
import { describeRequest, send, type HttpRequest, type HttpResponse } from './client.ts';
import type { CaseObservation, CaseResult } from '../report/case.ts';

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
  /** Its name in the report; default from the request and expectation (caseName). */
  name?: string;
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

/**
 * A case's name when it has none: what it sends and what it wants, without
 * the address where a Host is sent (VIPs differ between providers), e.g.
 * `GET foo.example/foo → 200 from foo`.
 */
export function caseName(c: HttpCase): string {
  const { request: r, expect: e } = c;
  const scheme = r.scheme ?? 'http';
  const defaultPort = scheme === 'https' ? 443 : 80;
  const where = r.host === null ? `${r.address} (no Host)` : (r.host ?? r.address);
  const port = r.port !== undefined && r.port !== defaultPort ? `:${r.port}` : '';
  const sni = r.sni !== undefined && r.sni !== r.host ? ` SNI ${r.sni}` : '';
  const headers = Object.entries(r.headers ?? {}).map(([k, v]) => ` [${k}: ${v.length > 40 ? `${v.slice(0, 40)}…` : v}]`).join('');
  const sent = `${r.method ?? 'GET'} ${scheme === 'https' ? 'https://' : ''}${where}${port}${r.path ?? '/'}${sni}${headers}`;
  const from = e.backend !== undefined ? ` from ${e.backend}` : '';
  const at = e.path !== undefined && e.path !== (r.path ?? '/') ? ` at ${e.path}` : '';
  const withHeaders = e.headers ? ` with ${Object.keys(e.headers).map((h) => h.toLowerCase()).join(', ')}` : '';
  return `${sent} → ${e.status ?? 200}${from}${at}${withHeaders}`;
}

/** What one poll of a case saw: the response or the error, and what was wrong with it. */
interface Outcome {
  response?: HttpResponse;
  error?: string;
  problem?: string;
}

const BODY_EXCERPT = 200;

/** The report's view of a case's last outcome; the body only when it failed and no backend answered. */
export function observation(outcome: Outcome, expected: ExpectedResponse, problem: string | undefined): CaseObservation {
  const { response } = outcome;
  if (!response) return { summary: `request failed: ${outcome.error}`, error: outcome.error ?? 'unknown', ...(problem ? { problem } : {}) };
  const seen: CaseObservation = { summary: '', status: response.status };
  const echo = response.echo;
  if (echo) Object.assign(seen, { service: echo.service, pod: echo.pod, node: echo.node, path: echo.path });
  const names = Object.keys(expected.headers ?? {}).map((h) => h.toLowerCase());
  if (names.length) {
    seen.headers = Object.fromEntries(names.map((h) => {
      const value = response.headers[h];
      return [h, value === undefined ? null : Array.isArray(value) ? value.join(', ') : value];
    }));
  }
  const body = response.text.trim();
  if (problem && !echo && body) seen.body = body.length > BODY_EXCERPT ? `${body.slice(0, BODY_EXCERPT)}…` : body;
  const from = echo ? ` from ${echo.service ?? '?'} (pod ${echo.pod ?? '?'})` : '';
  const headers = Object.entries(seen.headers ?? {}).map(([h, v]) => `, ${h}: ${v === null ? 'absent' : JSON.stringify(v)}`).join('');
  seen.summary = `${response.status}${from}${headers}`;
  if (problem) seen.problem = problem;
  return seen;
}

export interface EventuallyOptions {
  timeoutMs: number;
  /** Consecutive rounds in which every case holds (default 3). */
  consecutive?: number;
  intervalMs?: number;
}

export interface CasesResult extends WaitResult<HttpResponse[]> {
  /** Every case, passed, in the order given. */
  cases: CaseResult[];
}

/** An expectEventually that timed out: the message names the failing cases, `cases` has every case's verdict. */
export class CasesTimeoutError extends WaitTimeoutError {
  readonly cases: CaseResult[];
  constructor(what: string, elapsedMs: number, observed: string, cases: CaseResult[]) {
    super(what, elapsedMs, observed);
    this.name = 'CasesTimeoutError';
    this.cases = cases;
  }
}

/** Per case, across the polls: how many, and its run of successes at the end. */
interface Track {
  polls: number;
  lastFailedPoll: number;
  streak: number;
  last?: Outcome;
  lastProblem?: string;
}

/**
 * Runs every case each round until all hold `consecutive` rounds in a row.
 * On timeout it throws a CasesTimeoutError whose message lists each case that
 * did not hold to the end, by name, with what it last saw.
 */
export async function expectEventually(what: string, cases: HttpCase[], options: EventuallyOptions): Promise<CasesResult> {
  const consecutive = options.consecutive ?? 3;
  const names = distinct(cases.map((c) => c.name ?? caseName(c)));
  const tracks: Track[] = cases.map(() => ({ polls: 0, lastFailedPoll: 0, streak: 0 }));
  const holds = (t: Track) => t.streak >= consecutive;
  const failing = () => {
    const lines = cases.flatMap((c, i) => (holds(tracks[i]) ? [] : [`${names[i]}: ${shortfall(tracks[i], consecutive)} (sent ${describeRequest(c.request)})`]));
    return `${lines.length} of ${cases.length} cases failing:\n  ${lines.join('\n  ')}`;
  };
  const results = (): CaseResult[] => cases.map((c, i) => {
    const t = tracks[i];
    const passed = holds(t);
    return {
      name: names[i],
      status: passed ? 'passed' : 'failed',
      observed: observation(t.last ?? { error: 'no poll finished' }, c.expect, passed ? undefined : shortfall(t, consecutive)),
      wait: what,
      polls: passed ? t.lastFailedPoll + 1 : t.polls,
    };
  });
  try {
    const result = await waitFor(what, async () => {
      const outcomes = await Promise.all(cases.map((c) => poll(c)));
      outcomes.forEach((o, i) => {
        const t = tracks[i];
        t.polls++;
        t.last = o;
        if (o.problem) {
          t.streak = 0;
          t.lastFailedPoll = t.polls;
          t.lastProblem = o.problem;
        } else {
          t.streak++;
        }
      });
      const ok = outcomes.every((o) => !o.problem);
      return { ok, value: outcomes.map((o) => o.response!), observed: ok ? 'all cases hold' : failing() };
    }, { timeoutMs: options.timeoutMs, consecutive, intervalMs: options.intervalMs ?? 200 });
    return { ...result, cases: results() };
  } catch (error) {
    if (!(error instanceof WaitTimeoutError)) throw error;
    // The last round may have held while earlier ones did not: the verdicts come from each case's own run of successes.
    throw new CasesTimeoutError(what, error.elapsedMs, failing(), results());
  }
}

async function poll(c: HttpCase): Promise<Outcome> {
  try {
    const response = await send(c.request);
    return { response, problem: problemWith(response, c.expect) };
  } catch (error) {
    const message = (error as Error).message;
    return { error: message, problem: `request failed: ${message}` };
  }
}

/** Why a case does not count as holding: its last problem, or a run of successes too short to count. */
function shortfall(t: Track, consecutive: number): string {
  if (t.polls === 0) return 'no poll finished';
  if (t.streak === 0) return t.lastProblem!;
  if (t.lastProblem === undefined) return `held in all ${t.streak} polls, but ${consecutive} in a row are needed`;
  return `held only in the last ${t.streak} of the ${consecutive} polls in a row needed; before: ${t.lastProblem}`;
}

/** Names made unique by a ` (2)`, ` (3)` … suffix, in order. */
export function distinct(names: string[], taken: Iterable<string> = []): string[] {
  const used = new Set(taken);
  return names.map((name) => {
    let unique = name;
    for (let n = 2; used.has(unique); n++) unique = `${name} (${n})`;
    used.add(unique);
    return unique;
  });
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
