// One BGP session to one peer: owns the TCP socket and the timers and drives
// the RFC 4271 state machine (fsm.ts) with what arrives. It dials out only
// (like MetalLB's speaker), keeps the routes it was asked to announce as
// desired state, and (re-)sends them whenever the session is Established.
//
// Nothing a peer sends can throw out of here: the codec turns bad input into
// a NOTIFICATION, the session sends it, closes, and dials again later.
import { EventEmitter } from 'node:events';
import { createConnection } from 'node:net';
import {
  AS_TRANS, Afi, BGP_PORT, BGP_VERSION, describePathAttributes, encodeMessage, Origin, Safi,
  type BgpMessage, type Capability, type CodecOptions, type OpenMessage, type PathAttributes, type UpdateMessage,
} from './codec.ts';
import { BgpMessageError, describeNotification, ErrorCode, OpenSubcode, UpdateSubcode, type NotificationFields } from './errors.ts';
import { transition, type BgpState, type FsmAction, type FsmEvent, type TimerName } from './fsm.ts';
import { AdjRibOut, packUpdates, type RouteAttributes } from './adj-rib-out.ts';
import { MessageReader } from './message-reader.ts';
import { parseIPv4 } from '../../../lib/net/index.ts';
import type { BgpSessionSettings } from '../../../lib/bgp-session-settings.ts';

export type { RouteAttributes } from './adj-rib-out.ts';

export interface SessionConfig extends BgpSessionSettings {
  logger?: (line: string) => void;
}

/** The slice of net.Socket the session uses; unit tests pass a fake. */
export interface BgpSocket {
  readonly localAddress?: string;
  write(data: Buffer): boolean;
  end(): unknown;
  destroy(): unknown;
  setNoDelay?(noDelay?: boolean): unknown;
  on(event: string, listener: (...args: any[]) => void): unknown;
}

export type Connector = (options: { host: string; port: number; localAddress?: string }) => BgpSocket;

export interface SessionDependencies {
  connect?: Connector;
  /** Source of jitter in [0, 1); Math.random by default. */
  random?: () => number;
}

/** RFC 4271 §10 suggests 4 minutes for the hold timer while waiting for the peer's OPEN. */
const OPEN_HOLD_MS = 240_000;
/** How long one TCP connect attempt may take before it is abandoned. */
const CONNECT_TIMEOUT_MS = 5_000;
/** How long to wait for a NOTIFICATION to drain before the socket is destroyed anyway. */
const CLOSE_GRACE_MS = 1_000;
const MAX_BACKOFF_MS = 30_000;

const defaultConnector: Connector = ({ host, port, localAddress }) => createConnection({ host, port, localAddress, family: 4 });

export class BgpSession extends EventEmitter {
  private readonly config: Required<Pick<SessionConfig, 'peerAddress' | 'peerPort' | 'myAsn' | 'peerAsn' | 'routerId' | 'holdTimeSec' | 'connectRetrySec'>> & SessionConfig;
  private readonly connector: Connector;
  private readonly random: () => number;
  private readonly rib = new AdjRibOut();
  private currentState: BgpState = 'Idle';
  private socket: BgpSocket | undefined;
  private reader = new MessageReader();
  private codecOptions: CodecOptions = { fourOctetAs: false };
  private negotiatedHoldSec = 0;
  private keepaliveSec = 0;
  private lastLocalAddress: string | undefined;
  private readonly timers = new Map<TimerName, NodeJS.Timeout>();
  private failures = 0;
  private running = false;
  private flushScheduled: NodeJS.Immediate | undefined;
  private dispatching = false;
  private readonly queue: FsmEvent[] = [];
  private readonly closeWaiters = new Set<() => void>();

  constructor(config: SessionConfig, dependencies: SessionDependencies = {}) {
    super();
    this.config = validateConfig(config);
    this.connector = dependencies.connect ?? defaultConnector;
    this.random = dependencies.random ?? Math.random;
  }

  get state(): string {
    return this.currentState;
  }

  /** Our address on the current (or last) connection: the NEXT_HOP we announce. */
  get localAddress(): string | undefined {
    return this.lastLocalAddress;
  }

  get isIbgp(): boolean {
    return this.config.myAsn === this.config.peerAsn;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.failures = 0;
    this.dispatch({ type: 'ManualStart' });
  }

  /** Stops the session: a Cease NOTIFICATION if connected, then close. Resolves once the socket is gone. */
  stop(reason = 'administrative shutdown'): Promise<void> {
    this.running = false;
    if (this.flushScheduled) clearImmediate(this.flushScheduled);
    this.flushScheduled = undefined;
    const closed = this.socket ? new Promise<void>((resolve) => this.closeWaiters.add(resolve)) : Promise.resolve();
    this.dispatch({ type: 'ManualStop', reason });
    return closed;
  }

  announce(prefix: string, attributes?: RouteAttributes): void {
    if (this.rib.announce(prefix, attributes)) this.scheduleFlush();
  }

  withdraw(prefix: string): void {
    if (this.rib.withdraw(prefix)) this.scheduleFlush();
  }

  announced(): Map<string, RouteAttributes> {
    return this.rib.snapshot();
  }

  // ───────────────────────── state machine plumbing ─────────────────────────

  private dispatch(event: FsmEvent): void {
    this.queue.push(event);
    if (this.dispatching) return;
    this.dispatching = true;
    try {
      for (let next = this.queue.shift(); next; next = this.queue.shift()) this.step(next);
    } finally {
      this.dispatching = false;
    }
  }

  private step(event: FsmEvent): void {
    const before = this.currentState;
    const { state, actions } = transition(before, event);
    this.currentState = state;
    let downReason: string | undefined;
    for (const action of actions) {
      try {
        const reason = this.perform(action, before);
        if (reason !== undefined) downReason = reason;
      } catch (error) {
        this.log(`action ${action.type} failed: ${(error as Error).message}`);
      }
    }
    if (state !== before) {
      this.log(`${before} → ${state} (${event.type})`);
      if (state === 'Established') this.failures = 0;
      this.emit('state', state);
      if (state === 'Established') this.emit('established');
    }
    if (downReason !== undefined) this.emit('down', downReason);
  }

  /** Carries out one action; returns a reason when it closed a connection that had reached OpenSent. */
  private perform(action: FsmAction, stateBefore: BgpState): string | undefined {
    switch (action.type) {
      case 'connect':
        this.openConnection();
        return undefined;
      case 'close':
        return this.closeConnection(action.reason, stateBefore);
      case 'sendOpen':
        this.send(encodeMessage(this.buildOpen(), { fourOctetAs: false }));
        return undefined;
      case 'sendKeepalive':
        this.send(encodeMessage({ type: 'keepalive' }, this.codecOptions));
        return undefined;
      case 'sendNotification':
        this.sendNotification(action.notification);
        return undefined;
      case 'sendRoutes':
        this.sendUpdates(this.rib.takeAll());
        return undefined;
      case 'startTimer':
        this.startTimer(action.timer);
        return undefined;
      case 'stopTimers':
        for (const timer of this.timers.values()) clearTimeout(timer);
        this.timers.clear();
        return undefined;
    }
  }

  private startTimer(name: TimerName): void {
    const existing = this.timers.get(name);
    if (existing) clearTimeout(existing);
    this.timers.delete(name);
    const ms = this.timerDuration(name);
    if (ms <= 0) return;
    const events: Record<TimerName, FsmEvent> = {
      connectRetry: { type: 'ConnectRetryTimerExpires' },
      idleHold: { type: 'AutomaticStart' },
      hold: { type: 'HoldTimerExpires' },
      keepalive: { type: 'KeepaliveTimerExpires' },
    };
    this.timers.set(name, setTimeout(() => {
      this.timers.delete(name);
      if (name === 'idleHold' && !this.running) return;
      this.dispatch(events[name]);
    }, ms));
  }

  private timerDuration(name: TimerName): number {
    switch (name) {
      case 'connectRetry':
        return this.currentState === 'Connect' ? CONNECT_TIMEOUT_MS : this.nextBackoff();
      case 'idleHold':
        return this.running ? this.nextBackoff() : 0;
      case 'hold':
        return this.currentState === 'OpenSent' ? OPEN_HOLD_MS : this.negotiatedHoldSec * 1000;
      case 'keepalive':
        return this.keepaliveSec * 1000;
    }
  }

  /** Exponential backoff from connectRetrySec, capped, with RFC 4271 §10 jitter (×0.75..1). */
  private nextBackoff(): number {
    const base = this.config.connectRetrySec * 1000;
    const cap = Math.max(MAX_BACKOFF_MS, base);
    const delay = Math.min(cap, base * 2 ** Math.min(this.failures, 20));
    this.failures++;
    return Math.round(delay * (0.75 + 0.25 * this.random()));
  }

  // ───────────────────────────── the socket ─────────────────────────────

  private openConnection(): void {
    const { peerAddress, peerPort, localAddress } = this.config;
    this.reader = new MessageReader();
    this.codecOptions = { fourOctetAs: false };
    let socket: BgpSocket;
    try {
      socket = this.connector({ host: peerAddress, port: peerPort, localAddress });
    } catch (error) {
      const reason = `connect to ${peerAddress}:${peerPort} failed: ${(error as Error).message}`;
      setImmediate(() => this.dispatch({ type: 'TcpConnectionFails', reason }));
      return;
    }
    this.socket = socket;
    let lastError = '';
    socket.setNoDelay?.(true);
    socket.on('connect', () => {
      if (this.socket !== socket) return;
      this.lastLocalAddress = stripMapped(socket.localAddress);
      this.log(`connected ${this.lastLocalAddress ?? '?'} → ${peerAddress}:${peerPort}`);
      this.dispatch({ type: 'TcpConnectionConfirmed' });
    });
    socket.on('data', (chunk: Buffer) => {
      if (this.socket !== socket) return;
      try {
        this.receive(socket, chunk);
      } catch (error) {
        // A bug of ours, not the peer's input: still never let it escape the socket handler.
        this.log(`internal error handling input: ${(error as Error).stack ?? error}`);
        this.dispatch({ type: 'TcpConnectionFails', reason: `internal error: ${(error as Error).message}` });
      }
    });
    socket.on('error', (error: Error) => {
      lastError = error.message;
    });
    socket.on('close', () => {
      for (const resolve of this.closeWaiters) resolve();
      this.closeWaiters.clear();
      if (this.socket !== socket) return;
      const reason = lastError ? `connection to ${peerAddress}:${peerPort} failed: ${lastError}` : `peer ${peerAddress} closed the connection`;
      this.dispatch({ type: 'TcpConnectionFails', reason });
    });
  }

  private closeConnection(reason: string, stateBefore: BgpState): string | undefined {
    const socket = this.socket;
    this.socket = undefined;
    if (this.flushScheduled) clearImmediate(this.flushScheduled);
    this.flushScheduled = undefined;
    if (!socket) return undefined;
    const wasOpen = stateBefore === 'OpenSent' || stateBefore === 'OpenConfirm' || stateBefore === 'Established';
    if (wasOpen) {
      // end() flushes what was just written (a NOTIFICATION) before the FIN; destroy if the peer never closes.
      socket.end();
      const timer = setTimeout(() => socket.destroy(), CLOSE_GRACE_MS);
      timer.unref?.();
    } else {
      socket.destroy();
    }
    if (wasOpen) this.log(`session down: ${reason}`);
    else if (!reason.startsWith('stopped')) this.log(reason);
    return wasOpen ? reason : undefined;
  }

  private send(data: Buffer): void {
    this.socket?.write(data);
  }

  private sendNotification(notification: NotificationFields): void {
    this.log(`sending NOTIFICATION ${describeNotification(notification.code, notification.subcode)}`);
    this.send(encodeMessage({ type: 'notification', ...notification }, this.codecOptions));
  }

  private receive(socket: BgpSocket, chunk: Buffer): void {
    this.reader.push(chunk);
    for (let result = this.reader.next(); result; result = this.reader.next()) {
      if (result.error) {
        this.log(`refusing message from ${this.config.peerAddress}: ${result.error.message}${rfc7606Note(result.error)}`);
        this.dispatch({ type: 'MessageError', notification: result.error.notification, reason: result.error.message });
        return;
      }
      this.handleMessage(result.message);
      if (this.socket !== socket) return;
    }
  }

  private handleMessage(message: BgpMessage): void {
    switch (message.type) {
      case 'open':
        this.handleOpen(message);
        return;
      case 'update': {
        const problem = this.checkUpdate(message);
        if (problem) {
          this.log(`refusing UPDATE from ${this.config.peerAddress}: ${problem.message}${rfc7606Note(problem)}`);
          this.dispatch({ type: 'MessageError', notification: problem.notification, reason: problem.message });
        } else {
          this.dispatch({ type: 'UpdateMsg' });
        }
        return;
      }
      case 'notification': {
        const what = describeNotification(message.code, message.subcode);
        this.log(`peer ${this.config.peerAddress} sent NOTIFICATION ${what}${notificationText(message.code, message.subcode, message.data)}`);
        this.dispatch({ type: 'NotifMsg', reason: `peer sent NOTIFICATION ${what}` });
        return;
      }
      case 'keepalive':
        this.dispatch({ type: 'KeepAliveMsg' });
        return;
      case 'route-refresh':
        // RFC 2918: a refresh for a family we did not negotiate is ignored.
        if (message.afi === Afi.Ipv4 && message.safi === Safi.Unicast) this.dispatch({ type: 'RouteRefreshMsg' });
        return;
    }
  }

  private handleOpen(open: OpenMessage): void {
    if (this.currentState !== 'OpenSent') {
      this.dispatch({ type: 'BgpOpen' }); // the FSM answers with an FSM error
      return;
    }
    const rejection = this.checkOpen(open);
    if (rejection) {
      this.log(`refusing OPEN from ${this.config.peerAddress}: ${rejection.reason}`);
      this.dispatch({ type: 'BgpOpenRejected', ...rejection });
      return;
    }
    const peerFourOctet = open.capabilities.some((c) => c.kind === 'four-octet-as');
    this.codecOptions = { fourOctetAs: peerFourOctet };
    this.reader.options = this.codecOptions;
    this.negotiatedHoldSec = Math.min(this.config.holdTimeSec, open.holdTime);
    const configured = this.config.keepaliveSec;
    // A configured keepalive longer than the negotiated hold time would let the session expire.
    this.keepaliveSec = this.negotiatedHoldSec === 0 ? 0
      : configured !== undefined && configured > 0 && configured < this.negotiatedHoldSec ? configured
        : Math.max(1, Math.floor(this.negotiatedHoldSec / 3));
    this.log(`OPEN from ${open.bgpId} AS ${peerAsnOf(open)}: hold ${this.negotiatedHoldSec} s, keepalive ${this.keepaliveSec} s, ${peerFourOctet ? '4' : '2'}-octet AS`);
    this.dispatch({ type: 'BgpOpen' });
  }

  /** Session-level OPEN checks (RFC 4271 §6.2, RFC 5492, RFC 6793). */
  private checkOpen(open: OpenMessage): { notification: NotificationFields; reason: string } | undefined {
    const reject = (subcode: number, reason: string, data: Buffer = Buffer.alloc(0)) => ({
      notification: { code: ErrorCode.OpenMessage, subcode, data }, reason,
    });
    const asn = peerAsnOf(open);
    if (asn !== this.config.peerAsn) {
      return reject(OpenSubcode.BadPeerAs, `peer AS ${asn} (My AS field ${open.myAs}), expected ${this.config.peerAsn}`);
    }
    if (this.isIbgp && open.bgpId === this.config.routerId) {
      return reject(OpenSubcode.BadBgpIdentifier, `iBGP peer uses our own BGP identifier ${open.bgpId}`);
    }
    const families = open.capabilities.filter((c) => c.kind === 'multiprotocol');
    // Without any multiprotocol capability the peer speaks IPv4 unicast (RFC 4760 §8).
    if (families.length > 0 && !families.some((c) => c.afi === Afi.Ipv4 && c.safi === Safi.Unicast)) {
      return reject(OpenSubcode.UnsupportedCapability, 'peer does not offer IPv4 unicast', capabilityBytes({ kind: 'multiprotocol', afi: Afi.Ipv4, safi: Safi.Unicast }));
    }
    if (this.config.myAsn > 0xffff && !open.capabilities.some((c) => c.kind === 'four-octet-as')) {
      return reject(OpenSubcode.UnsupportedCapability, `our AS ${this.config.myAsn} needs the 4-octet AS capability, which the peer lacks`,
        capabilityBytes({ kind: 'four-octet-as', asn: this.config.myAsn }));
    }
    return undefined;
  }

  /** Session-level UPDATE checks the codec cannot make: iBGP routes must carry LOCAL_PREF (RFC 4271 §5.1.5). */
  private checkUpdate(update: UpdateMessage): BgpMessageError | undefined {
    if (this.isIbgp && update.nlri.length > 0 && update.attributes.localPref === undefined) {
      return new BgpMessageError(ErrorCode.UpdateMessage, UpdateSubcode.MissingWellKnownAttribute,
        'LOCAL_PREF is missing from an iBGP UPDATE', { data: Buffer.from([5]), offset: 0, action: 'treat-as-withdraw' });
    }
    return undefined;
  }

  private buildOpen(): OpenMessage {
    const { myAsn, holdTimeSec, routerId } = this.config;
    const capabilities: Capability[] = [
      { kind: 'multiprotocol', afi: Afi.Ipv4, safi: Safi.Unicast },
      { kind: 'route-refresh' },
      { kind: 'four-octet-as', asn: myAsn },
    ];
    return { type: 'open', version: BGP_VERSION, myAs: myAsn > 0xffff ? AS_TRANS : myAsn, holdTime: holdTimeSec, bgpId: routerId, capabilities };
  }

  // ───────────────────────────── announcements ─────────────────────────────

  private scheduleFlush(): void {
    if (this.currentState !== 'Established' || this.flushScheduled) return;
    // Coalesce a burst of announce()/withdraw() calls into as few UPDATEs as fit.
    this.flushScheduled = setImmediate(() => {
      this.flushScheduled = undefined;
      if (this.currentState === 'Established' && this.rib.hasPending) this.sendUpdates(this.rib.takePending());
    });
  }

  private sendUpdates(changes: ReturnType<AdjRibOut['takePending']>): void {
    const messages = packUpdates(changes, (route) => this.pathAttributes(route), this.codecOptions);
    if (messages.length === 0) return;
    // One write for the whole batch: fewer syscalls and TCP segments.
    this.send(messages.length === 1 ? messages[0] : Buffer.concat(messages));
    const prefixes = changes.withdrawn.length + changes.announced.reduce((n, g) => n + g.prefixes.length, 0);
    const groups = changes.announced.map((g) => `; ${g.prefixes.length} with ${describePathAttributes(this.pathAttributes(g.attributes))}`).join('');
    this.log(`sent ${messages.length} UPDATE(s) for ${prefixes} prefix(es)${groups}`);
    // RFC 4271 §4.4: sending an UPDATE restarts the KeepaliveTimer.
    if (this.timers.has('keepalive')) this.startTimer('keepalive');
  }

  /**
   * Wire attributes of our routes, as MetalLB sends them: ORIGIN incomplete,
   * AS_PATH empty (iBGP) or [myAsn] (eBGP), NEXT_HOP our address on this
   * session, LOCAL_PREF only towards iBGP peers (100 unless given, because RFC
   * 4271 §5.1.5 requires it there; MetalLB would send 0), COMMUNITIES if any.
   */
  private pathAttributes(route: RouteAttributes): PathAttributes {
    const attributes: PathAttributes = {
      origin: Origin.Incomplete,
      asPath: this.isIbgp ? [] : [{ type: 'sequence', asns: [this.config.myAsn] }],
      nextHop: this.lastLocalAddress,
    };
    if (this.isIbgp) attributes.localPref = route.localPref ?? 100;
    if (route.communities && route.communities.length > 0) attributes.communities = route.communities;
    return attributes;
  }

  private log(line: string): void {
    this.config.logger?.(`bgp ${this.config.peerAddress}: ${line}`);
  }
}

function peerAsnOf(open: OpenMessage): number {
  const four = open.capabilities.find((c) => c.kind === 'four-octet-as');
  return four && four.kind === 'four-octet-as' ? four.asn : open.myAs;
}

function capabilityBytes(capability: Capability): Buffer {
  const open = encodeMessage({ type: 'open', version: 4, myAs: 1, holdTime: 0, bgpId: '0.0.0.1', capabilities: [capability] }, { fourOctetAs: false });
  return Buffer.from(open.subarray(31)); // skip header, fixed fields and the parameter header
}

/** RFC 8203/9003 shutdown communication, when a Cease carries one. */
function notificationText(code: number, subcode: number, data: Buffer): string {
  if (code !== ErrorCode.Cease || (subcode !== 2 && subcode !== 4) || data.length === 0 || data[0] + 1 > data.length) return '';
  return `: "${data.subarray(1, 1 + data[0]).toString('utf8')}"`;
}

/** The speaker keeps no Adj-RIB-In, so it resets on every error as RFC 4271 does; the log says what RFC 7606 would do instead. */
function rfc7606Note(error: BgpMessageError): string {
  return error.action === 'session-reset' ? '' : ` (RFC 7606 would ${error.action}; this speaker resets the session)`;
}

function stripMapped(address: string | undefined): string | undefined {
  return address?.startsWith('::ffff:') ? address.slice(7) : address;
}

function validateConfig(config: SessionConfig): BgpSession['config'] {
  const where = `BGP session to ${config.peerAddress}`;
  const ipv4 = (value: string | undefined, field: string, required: boolean) => {
    if (value === undefined && !required) return;
    if (typeof value !== 'string' || parseIPv4(value) === undefined) throw new Error(`${where}: ${field} "${value}" is not an IPv4 address`);
  };
  const integer = (value: number | undefined, field: string, min: number, max: number) => {
    if (value === undefined) return;
    if (!Number.isInteger(value) || value < min || value > max) throw new Error(`${where}: ${field} ${value} is not an integer from ${min} to ${max}`);
  };
  ipv4(config.peerAddress, 'peerAddress', true);
  ipv4(config.localAddress, 'localAddress', false);
  ipv4(config.routerId, 'routerId', true);
  if (config.routerId === '0.0.0.0') throw new Error(`${where}: routerId must not be 0.0.0.0`);
  integer(config.myAsn, 'myAsn', 1, 0xffffffff);
  integer(config.peerAsn, 'peerAsn', 1, 0xffffffff);
  if (config.myAsn === undefined || config.peerAsn === undefined) throw new Error(`${where}: myAsn and peerAsn are required`);
  integer(config.peerPort, 'peerPort', 1, 65535);
  integer(config.holdTimeSec, 'holdTimeSec', 0, 65535);
  if (config.holdTimeSec === 1 || config.holdTimeSec === 2) throw new Error(`${where}: holdTimeSec must be 0 or at least 3, got ${config.holdTimeSec}`);
  integer(config.keepaliveSec, 'keepaliveSec', 0, 65535);
  if (config.connectRetrySec !== undefined && !(config.connectRetrySec > 0 && config.connectRetrySec <= 3600)) {
    throw new Error(`${where}: connectRetrySec ${config.connectRetrySec} must be more than 0 and at most 3600`);
  }
  return {
    ...config,
    peerPort: config.peerPort ?? BGP_PORT,
    holdTimeSec: config.holdTimeSec ?? 90,
    connectRetrySec: config.connectRetrySec ?? 2,
  };
}
