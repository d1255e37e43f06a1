// The TOR's BGP sessions with the nodes, for scenarios that must not make
// them flap: a snapshot of their uptimes, and which were reset since.
import type { ScenarioContext } from '../../harness/scenario/context.ts';

export interface SessionSnapshot {
  at: number;
  /** Established TOR sessions: neighbor address → uptime in seconds. */
  uptimes: Record<string, number>;
}

export async function snapshotSessions(ctx: ScenarioContext): Promise<SessionSnapshot> {
  const neighbors = await ctx.tor().neighbors();
  const uptimes = Object.fromEntries(neighbors.filter((n) => n.state === 'established').map((n) => [n.address, n.uptimeSec ?? -1]));
  return { at: performance.now(), uptimes };
}

/** The TOR sessions of `before` that are gone or were re-established since (uptime went back); empty when all held. */
export async function sessionsReset(ctx: ScenarioContext, before: SessionSnapshot): Promise<string[]> {
  const now = await snapshotSessions(ctx);
  const elapsedSec = (now.at - before.at) / 1000;
  return Object.entries(before.uptimes).flatMap(([address, uptime]) => {
    const current = now.uptimes[address];
    if (current === undefined) return [`${address}: no longer Established`];
    return current + 2 < uptime + elapsedSec ? [`${address}: re-established (uptime ${current} s, was ${uptime} s ${Math.round(elapsedSec)} s ago)`] : [];
  });
}

/** Waits (timeouts.speakerRestart) until the TOR has a session from `address` that started after `since` (performance.now()). */
export async function expectNewSession(ctx: ScenarioContext, address: string, since: number): Promise<void> {
  await ctx.eventually(`a new session from ${address} at the TOR`, async () => {
    const now = await snapshotSessions(ctx);
    const uptime = now.uptimes[address];
    return { ok: uptime !== undefined && uptime * 1000 <= now.at - since + 1000, observed: `uptime ${uptime ?? 'not established'} s, ${Math.round((now.at - since) / 1000)} s after the cause` };
  }, { timeoutMs: ctx.timeouts.speakerRestart });
}
