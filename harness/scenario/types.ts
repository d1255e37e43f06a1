// A conformance scenario as data: who it is, what it needs, what it applies,
// and the function that asserts on real traffic and real routing state.
import type { Feature } from './features.ts';
import type { ScenarioContext } from './context.ts';
import type { CaseResult } from '../report/case.ts';

export type SuiteName = 'ingress' | 'loadbalancer' | 'e2e';
export const SUITES: SuiteName[] = ['ingress', 'loadbalancer', 'e2e'];

export type ScenarioStatus = 'passed' | 'failed' | 'skipped' | 'not-supported';

export interface Scenario {
  /** Stable id (docs/scenarios.md): used in reports, JUnit and --run. */
  id: string;
  suite: SuiteName;
  /** The feature the report shows for this scenario. */
  feature: Feature;
  /** Further features it needs (e.g. an e2e scenario needs lb-bgp too). */
  requires?: Feature[];
  /** Features it checks further only where the target claims them (ctx.claims); it runs without them. */
  alsoChecks?: Feature[];
  description: string;
  /** Fixture files under fixtures/scenarios/, applied in order into the scenario's namespace. */
  fixtures?: string[];
  /** True when it changes state other scenarios see (nodes, speakers, the MetalLB ConfigMap): it then runs alone. */
  disruptive?: boolean;
  /** Upper bound for the whole scenario, scaled by --timeout-scale (default: timeouts.scenario). */
  timeoutMs?: number;
  run(ctx: ScenarioContext): Promise<void>;
}

/** What a scenario's run leaves for the report, beside pass/fail. */
export interface ScenarioMeta {
  vipcheck: {
    id: string;
    suite: SuiteName;
    feature: Feature;
    status?: ScenarioStatus;
    /** The main convergence time: the first one marked. */
    convergenceMs?: number;
    /** Every convergence time the scenario marked (ctx.markConvergence): name → ms. */
    convergence?: Record<string, number>;
    /** Named measurements (e.g. "failedRequestWindowMs"). */
    measurements?: Record<string, number>;
    dumpDir?: string;
    reason?: string;
    /** The cases it checked, in order (ctx.expectHttp, ctx.recordCase). */
    cases?: CaseResult[];
  };
}
