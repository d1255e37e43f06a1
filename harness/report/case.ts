// One case inside a scenario as the report carries it: a named check (an
// HTTP case of ctx.expectHttp, or a check a scenario records itself), its
// verdict and what it last saw, so that a failure says which case.

export type CaseStatus = 'passed' | 'failed';

/** What a case last saw. HTTP cases fill the response fields; other checks give the summary only. */
export interface CaseObservation {
  /** One line, e.g. `200 from foo (pod foo-7d9c)`, `request failed: connect ECONNREFUSED …`. */
  summary: string;
  /** Failed cases: what was wrong against the expectation. */
  problem?: string;
  status?: number;
  /** The echo body's service and pod, when a backend answered. */
  service?: string | null;
  pod?: string | null;
  node?: string | null;
  /** The path (with query) the backend saw. */
  path?: string;
  /** The response headers the case checks (lower-case names; null when absent). */
  headers?: Record<string, string | null>;
  /** Failed cases not answered by a backend: the start of the body. */
  body?: string;
  /** The request failed (connection refused, reset, timeout): no response. */
  error?: string;
}

export interface CaseResult {
  /** Unique within its scenario; derived from the request and expectation unless the scenario names it. */
  name: string;
  status: CaseStatus;
  observed: CaseObservation;
  /** The wait it belonged to (ctx.expectHttp's `what`). */
  wait?: string;
  /** Passed: the poll from which it held to the end (1: from the first). Failed: the polls sent. */
  polls?: number;
}
