// scenario(): declares one conformance scenario as a vitest test. The test
// decides skipped / not-supported from the run's selection and the target's
// features, runs the scenario in its own namespace, keeps that namespace and
// a dump when it fails, and leaves its result in the task's meta for the
// report.
import path from 'node:path';
import { test } from 'vitest';
import { closeConnections } from '../traffic/client.ts';
import { ScenarioContext, NotSupportedError, SCENARIO_LABEL } from './context.ts';
import { loadRuntime } from './runtime.ts';
import type { Scenario, ScenarioMeta } from './types.ts';
import type { Feature } from './features.ts';

declare module 'vitest' {
  interface TaskMeta extends Partial<ScenarioMeta> {}
}

export function scenario(definition: Scenario): Scenario {
  const timeout = definition.timeoutMs;
  test(definition.id, { timeout: timeout ?? defaultTimeout() }, async ({ task, skip }) => {
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
      await ctx.kube.deleteNamespace(ctx.namespace, { wait: true, timeoutMs: 60_000 }); // a kept namespace of an earlier failed run
      await ctx.kube.ensureNamespace(ctx.namespace, { [SCENARIO_LABEL]: definition.id });
      for (const fixture of definition.fixtures ?? []) await ctx.apply(fixture);
      await definition.run(ctx);
      const failedCases = ctx.cases.filter((c) => c.status === 'failed');
      if (failedCases.length) throw new Error(`${failedCases.length} case(s) recorded as failed:\n  ${failedCases.map((c) => `${c.name}: ${c.observed.problem ?? c.observed.summary}`).join('\n  ')}`);
      const problems = await ctx.runCleanups();
      if (problems.length) throw new Error(`cleanup failed: ${problems.join('; ')}`);
      meta.status = 'passed';
      meta.convergenceMs = ctx.convergenceMs;
      meta.measurements = ctx.measurements;
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
      meta.convergenceMs = ctx.convergenceMs;
      meta.measurements = ctx.measurements;
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

function defaultTimeout(): number {
  try {
    return loadRuntime().settings.convergenceTimeoutMs * 4 + 60_000;
  } catch {
    return 180_000;
  }
}
