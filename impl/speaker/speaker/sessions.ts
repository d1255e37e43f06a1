// The BGP sessions of one node, kept in step with the config: one session per
// selected peer, restarted only when that peer's settings change, and each
// session's announced routes diffed against the wanted set.
import type { RouteAttributes, SessionConfig } from '../bgp/session.ts';
import type { Logger } from '../log.ts';

/** The part of BgpSession the speaker uses (a fake in unit tests). */
export interface AnnouncingSession {
  start(): void;
  stop(reason?: string): Promise<void>;
  readonly state: string;
  announce(prefix: string, attributes?: RouteAttributes): void;
  withdraw(prefix: string): void;
  announced(): Map<string, RouteAttributes>;
}

export type SessionFactory = (config: SessionConfig) => AnnouncingSession;

export interface WantedSession {
  /** Human name for logs and metrics: "198.18.0.1:179". */
  name: string;
  config: SessionConfig;
  routes: Map<string, RouteAttributes>;
}

interface RunningSession {
  peer: string;
  identity: string;
  session: AnnouncingSession;
}

export class PeerSessions {
  private readonly factory: SessionFactory;
  private readonly log: Logger;
  private readonly running = new Map<string, RunningSession>();
  private readonly stopping = new Set<Promise<void>>();

  constructor(factory: SessionFactory, log: Logger) {
    this.factory = factory;
    this.log = log;
  }

  /** Makes the running sessions and their routes match `wanted`. */
  sync(wanted: readonly WantedSession[]): void {
    const keep = new Set<string>();
    for (const want of wanted) {
      const identity = sessionIdentity(want.config);
      keep.add(identity);
      let running = this.running.get(identity);
      if (!running) {
        const session = this.factory(want.config);
        running = { peer: want.name, identity, session };
        this.running.set(identity, running);
        this.log(`peer ${want.name}: starting BGP session (my-asn ${want.config.myAsn}, peer-asn ${want.config.peerAsn}, router-id ${want.config.routerId})`);
        session.start();
      }
      applyRoutes(running.session, want.routes);
    }
    for (const [identity, running] of this.running) {
      if (keep.has(identity)) continue;
      this.running.delete(identity);
      this.log(`peer ${running.peer}: stopping BGP session (peer removed, deselected or its settings changed)`);
      this.track(running.session.stop('peer deconfigured'));
    }
  }

  /** Stops every session (Cease to each peer) and waits for the sockets to close. */
  async stopAll(reason: string): Promise<void> {
    for (const running of this.running.values()) this.track(running.session.stop(reason));
    this.running.clear();
    await Promise.all(this.stopping);
  }

  states(): Array<{ peer: string; state: string; routes: number }> {
    return [...this.running.values()].map((r) => ({ peer: r.peer, state: r.session.state, routes: r.session.announced().size }));
  }

  private track(stopped: Promise<void>): void {
    const tracked = stopped.catch((error: unknown) => this.log(`error while stopping a BGP session: ${String(error)}`)).finally(() => this.stopping.delete(tracked));
    this.stopping.add(tracked);
  }
}

/** Sessions are equal when every setting that reaches the wire is equal (the logger does not count). */
export function sessionIdentity(config: SessionConfig): string {
  const { logger: _logger, ...settings } = config;
  return JSON.stringify(Object.entries(settings).filter(([, v]) => v !== undefined).sort(([a], [b]) => (a < b ? -1 : 1)));
}

function applyRoutes(session: AnnouncingSession, wanted: Map<string, RouteAttributes>): void {
  const current = session.announced();
  for (const prefix of current.keys()) if (!wanted.has(prefix)) session.withdraw(prefix);
  for (const [prefix, attributes] of wanted) {
    const have = current.get(prefix);
    if (!have || !sameAttributes(have, attributes)) session.announce(prefix, attributes);
  }
}

function sameAttributes(a: RouteAttributes, b: RouteAttributes): boolean {
  const ca = [...(a.communities ?? [])].sort((x, y) => x - y);
  const cb = [...(b.communities ?? [])].sort((x, y) => x - y);
  return a.localPref === b.localPref && ca.length === cb.length && ca.every((c, i) => c === cb[i]);
}
