// The target's MetalLB ConfigMap, for the scenarios that change it: the
// original as the run applied it, edits of its `config` key, putting the
// original back at the end of the scenario, the Warning Events that refuse
// an edit, and the hold times it asks for.
import path from 'node:path';
import type { V1ConfigMap } from '@kubernetes/client-node';
import { parse, stringify } from 'yaml';
import { NotSupportedError, type ScenarioContext } from '../../harness/scenario/context.ts';
import { loadFixture } from '../../harness/kube/fixtures.ts';
import { waitFor } from '../../lib/wait.ts';

export const CONFIG_KEY = 'config';

/** The parsed `config` key: peers, address-pools, bgp-communities, … (kept loose: scenarios also write invalid ones). */
export type MetalLbConfig = Record<string, unknown> & {
  peers?: Record<string, unknown>[];
  'address-pools'?: Record<string, unknown>[];
};

/** The target's ConfigMap, rendered with the run's variables, exactly as installed. */
export async function originalConfigMap(ctx: ScenarioContext): Promise<V1ConfigMap> {
  const lb = ctx.target.loadBalancer;
  if (!lb) throw new NotSupportedError(`target ${ctx.target.name} installs no load balancer, so its ConfigMap cannot be changed`);
  const file = path.resolve(ctx.target.baseDir, lb.configMap);
  const configMap = (await loadFixture(file, ctx.runtime.vars)).find((o) => o.kind === 'ConfigMap') as V1ConfigMap | undefined;
  if (!configMap?.data?.[CONFIG_KEY]) throw new Error(`${file}: no ConfigMap with a "${CONFIG_KEY}" key`);
  return configMap;
}

export function parseConfig(configMap: V1ConfigMap): MetalLbConfig {
  return parse(configMap.data![CONFIG_KEY]) as MetalLbConfig;
}

/** Applies the original ConfigMap with its config replaced by `edit` of a copy of the original config. */
export async function applyEditedConfig(ctx: ScenarioContext, what: string, edit: (config: MetalLbConfig) => void): Promise<void> {
  const original = await originalConfigMap(ctx);
  const config = parseConfig(original);
  edit(config);
  ctx.log(`applying the MetalLB ConfigMap with ${what}`);
  await ctx.kube.apply({ ...original, data: { ...original.data, [CONFIG_KEY]: stringify(config) } }, `the MetalLB ConfigMap with ${what}`);
}

/**
 * At the end of the scenario (pass or fail): `before` (e.g. release addresses
 * from pools the edit added), then the original ConfigMap, then `inForce`,
 * which waits until the original is observably in force again.
 */
export function restoreConfigAtEnd(ctx: ScenarioContext, steps: { before?: () => Promise<void>; inForce?: () => Promise<void> } = {}): void {
  ctx.defer(async () => {
    await steps.before?.();
    const original = await originalConfigMap(ctx);
    ctx.log('restoring the original MetalLB ConfigMap');
    await ctx.kube.apply(original, 'the original MetalLB ConfigMap');
    await steps.inForce?.();
  });
}

/** Warning Events on the target's ConfigMap, as keys that change when an Event is new or repeated. */
export async function configMapWarnings(ctx: ScenarioContext): Promise<Set<string>> {
  const configMap = await originalConfigMap(ctx);
  const list = await ctx.kube.core.listNamespacedEvent({
    namespace: configMap.metadata!.namespace!,
    fieldSelector: `involvedObject.kind=ConfigMap,involvedObject.name=${configMap.metadata!.name}`,
  });
  return new Set(list.items.filter((e) => e.type === 'Warning').map((e) => `${e.metadata?.name}|${e.count ?? 1}|${e.message}`));
}

/** A Warning Event on the ConfigMap newer than `seen` (its message), or undefined when none comes within timeouts.configRefusal. */
export async function refusalEvent(ctx: ScenarioContext, seen: Set<string>): Promise<string | undefined> {
  try {
    const result = await waitFor('a new Warning Event on the MetalLB ConfigMap', async () => {
      const fresh = [...(await configMapWarnings(ctx))].filter((k) => !seen.has(k));
      return { ok: fresh.length > 0, value: fresh[0]?.split('|').slice(2).join('|') };
    }, { timeoutMs: ctx.timeouts.configRefusal, intervalMs: 250 });
    return result.value;
  } catch {
    return undefined;
  }
}

/** Go duration text as MetalLB writes hold times ("9s", "1m30s", "90s") → milliseconds. */
export function parseDurationMs(text: string): number {
  const parts = [...text.matchAll(/(\d+(?:\.\d+)?)(ms|h|m|s)/g)];
  if (parts.length === 0 || parts.map((p) => p[0]).join('') !== text.trim()) throw new Error(`not a duration: ${JSON.stringify(text)}`);
  const unit: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
  return parts.reduce((sum, p) => sum + Number(p[1]) * unit[p[2]], 0);
}

/** The hold time the ConfigMap asks for on the session with `peerAddress` (MetalLB's default: 90 s). */
export async function holdTimeMs(ctx: ScenarioContext, peerAddress: string): Promise<number> {
  const peer = parseConfig(await originalConfigMap(ctx)).peers?.find((p) => p['peer-address'] === peerAddress);
  if (!peer) throw new Error(`the target's MetalLB ConfigMap has no peer ${peerAddress}`);
  return typeof peer['hold-time'] === 'string' ? parseDurationMs(peer['hold-time']) : 90_000;
}
