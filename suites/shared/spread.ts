// Which pods answered a batch of requests, for the scenarios about endpoints
// (scaling, readiness, load balancing): they judge spread, not single answers.
import type { ScenarioContext } from '../../harness/scenario/context.ts';
import type { HttpRequest } from '../../harness/traffic/client.ts';
import { sendMany } from '../../harness/traffic/expect.ts';

export interface Tally {
  /** Pod (echo `pod`) → answers with status 200. */
  pods: Map<string, number>;
  /** The same answers by echo `service` (the Deployment's SERVICE_NAME). */
  services: Map<string, number>;
  /** Answers that were not a 200 from an echo pod, or errors. */
  failures: string[];
}

export async function tally(request: HttpRequest, count: number): Promise<Tally> {
  const pods = new Map<string, number>();
  const services = new Map<string, number>();
  const failures: string[] = [];
  for (const result of await sendMany(request, count)) {
    if ('error' in result) failures.push(result.error);
    else if (result.response.status !== 200 || !result.response.echo?.pod) failures.push(`status ${result.response.status}${result.response.echo ? '' : ' (no echo body)'}`);
    else {
      const { pod, service } = result.response.echo;
      pods.set(pod, (pods.get(pod) ?? 0) + 1);
      services.set(service ?? '?', (services.get(service ?? '?') ?? 0) + 1);
    }
  }
  return { pods, services, failures };
}

export function describeTally(t: Tally): string {
  const served = [...t.pods].map(([pod, n]) => `${pod}: ${n}`).join(', ') || 'no pod';
  return `served by ${served}; ${t.failures.length} failed${t.failures.length ? ` (e.g. ${t.failures.slice(0, 3).join('; ')})` : ''}`;
}

/** Names of the Running, not terminating pods of an echo Deployment (label app=name). */
export async function livePods(ctx: ScenarioContext, app: string): Promise<string[]> {
  const pods = await ctx.kube.podsOf(ctx.namespace, `app=${app}`);
  return pods.filter((p) => !p.metadata?.deletionTimestamp && p.status?.phase === 'Running').map((p) => p.metadata!.name!).sort();
}

/** Whether the pods that answered are exactly `pods`. */
export function servedExactly(t: Tally, pods: string[]): boolean {
  return t.pods.size === pods.length && pods.every((p) => t.pods.has(p));
}
