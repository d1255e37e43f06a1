// The run's variables (addresses, pools, ASNs, labels) as scenarios need
// them: present, or an error naming the missing one and the known ones.
import type { ScenarioContext } from '../../harness/scenario/context.ts';

/** A run variable that must exist. */
export function runVar(ctx: ScenarioContext, name: string): string {
  const value = ctx.runtime.vars[name];
  if (value === undefined) throw new Error(`the run has no variable "${name}" (known: ${Object.keys(ctx.runtime.vars).join(', ')})`);
  return String(value);
}

/** A range pool of the conformance ConfigMap as "first-last", from its `<pool>First` and `<pool>Last` variables. */
export function rangePool(ctx: ScenarioContext, pool: string): string {
  return `${runVar(ctx, `${pool}First`)}-${runVar(ctx, `${pool}Last`)}`;
}
