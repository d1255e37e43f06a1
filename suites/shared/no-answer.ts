// Waits for silence: nothing answers HTTP at an address any more (a
// withdrawn VIP, a node port no controller listens on).
import type { ScenarioContext } from '../../harness/scenario/context.ts';
import { send, type HttpRequest } from '../../harness/traffic/client.ts';

/** Polls `request` (1 s per attempt, a fresh connection) until it goes unanswered `consecutive` times in a row (default 3). */
export async function expectNoAnswer(ctx: ScenarioContext, what: string, request: HttpRequest, options: { consecutive?: number } = {}): Promise<void> {
  await ctx.eventually(what, async () => {
    try {
      const r = await send({ ...request, timeoutMs: 1000, headers: { ...request.headers, connection: 'close' } });
      return { ok: false, observed: `answered ${r.status}${r.echo ? ` by ${r.echo.pod}` : ''}` };
    } catch (error) {
      return { ok: true, observed: (error as Error).message };
    }
  }, { consecutive: options.consecutive });
}
