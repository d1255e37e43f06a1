// scenario(): declares one conformance scenario as a vitest test. The test
// decides skipped / not-supported from the run's selection and the target's
// features, runs the scenario in its own namespace, keeps that namespace and
// a dump when it fails, and leaves its result in the task's meta for the
// report. Read by the catalog (./catalog.ts), it only records the definition.
import path from 'node:path';
import { test } from 'vitest';
import { closeConnections } from '../traffic/client.ts';
import { ScenarioContext, NotSupportedError, SCENARIO_LABEL } from './context.ts';
import { loadRuntime } from './runtime.ts';
import type { Scenario, ScenarioMeta } from './types.ts';
import type { Feature } from './features.ts';
import { resolveTimeouts, timeoutsOf } from './timeouts.ts';

declare module 'vitest' {
  interface TaskMeta extends Partial<ScenarioMeta> {}
}

/** Set while harness/scenario/catalog.ts reads the scenario files: scenario() then records definitions instead of declaring tests. */
let collecting: Scenario[] | undefined;

/** Runs `read` (which imports scenario files) with scenario() recording each definition into the list it gets. */
export async function collectDefinitions<T>(read: (collected: Scenario[]) => Promise<T>): Promise<T> {
  collecting = [];
  try {
    return await read(collecting);
  } finally {
    collecting = undefined;
  }
}

export function scenario(definition: Scenario): Scenario {
  if (collecting) {
    collecting.push(definition);
    return definition;
  }
  test(definition.id, { timeout: scenarioTimeout(definition.timeoutMs) }, async ({ task, skip }) => {
    const runtime = loadRuntime();
    const meta: ScenarioMeta['vipcheck'] = { id: definition.id, suite: definition.suite, feature: definition.feature };
    task.meta.vipcheck = meta;
    const { suites, ids } = runtime.settings;
    if ((ids && !ids.includes(definition.id)) || (suites && !suites.includes(definition.suite))) {
      meta.status = 'skipped';
      meta.reason = 'not selected by --run/--suite';
      skip(meta.reason);
      return;
    }
    const needed: Feature[] = [definition.feature, ...(definition.requires ?? [])];
    const missing = needed.filter((f) => !runtime.target.features.includes(f));
    if (missing.length) {
      meta.status = 'not-supported';
      meta.reason = `target ${runtime.target.name} does not claim ${missing.join(', ')}`;
      skip(meta.reason);
      return;
    }

    const ctx = new ScenarioContext(definition, runtime);
    meta.cases = ctx.cases; // the same array: cases recorded up to a failure are reported too
    try {
      await ctx.kube.deleteNamespace(ctx.namespace, { wait: true, timeoutMs: ctx.timeouts.namespaceDeleted }); // a kept namespace of an earlier failed run
      await ctx.kube.ensureNamespace(ctx.namespace, { [SCENARIO_LABEL]: definition.id });
      for (const fixture of definition.fixtures ?? []) await ctx.apply(fixture);
      await definition.run(ctx);
      const failedCases = ctx.cases.filter((c) => c.status === 'failed');
      if (failedCases.length) throw new Error(`${failedCases.length} case(s) recorded as failed:\n  ${failedCases.map((c) => `${c.name}: ${c.observed.problem ?? c.observed.summary}`).join('\n  ')}`);
      const problems = await ctx.runCleanups();
      if (problems.length) throw new Error(`cleanup failed: ${problems.join('; ')}`);
      meta.status = 'passed';
      Object.assign(meta, results(ctx));
      if (!runtime.settings.keepNamespaces) await ctx.kube.deleteNamespace(ctx.namespace).catch(() => {});
    } catch (error) {
      await ctx.runCleanups();
      if (error instanceof NotSupportedError) {
        meta.status = 'not-supported';
        meta.reason = error.message;
        skip(error.message);
        return;
      }
      meta.status = 'failed';
      Object.assign(meta, results(ctx));
      meta.dumpDir = path.join(runtime.settings.reportDir, 'dumps', definition.id);
      meta.reason = (error as Error).message;
      await ctx.dump(meta.dumpDir, error).catch(() => {});
      throw error;
    } finally {
      await closeConnections();
    }
  });
  return definition;
}

/** What a scenario's run leaves for the report beside its status. */
function results(ctx: ScenarioContext): Pick<ScenarioMeta['vipcheck'], 'convergenceMs' | 'convergence' | 'measurements'> {
  return { convergenceMs: ctx.convergenceMs, convergence: ctx.convergence, measurements: ctx.measurements };
}

/** The scenario's own bound, scaled like every timeout, or the run's `scenario` timeout. */
function scenarioTimeout(own: number | undefined): number {
  try {
    const { settings } = loadRuntime();
    return own === undefined ? timeoutsOf(settings).scenario : Math.round(own * settings.timeoutScale);
  } catch {
    return own ?? resolveTimeouts().scenario;
  }
}
