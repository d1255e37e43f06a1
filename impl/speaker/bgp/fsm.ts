// The BGP finite state machine of RFC 4271 §8 as a pure function: a state
// and an event in, the next state and the actions to take out. The session
// owns the socket and the timers and carries the actions out; keeping the
// table pure makes every transition testable on its own.
//
// This speaker only dials out (like MetalLB), so the passive half of the RFC
// machine is absent: Active means "waiting for the ConnectRetryTimer before
// dialling again", and Idle after an error waits for the IdleHoldTimer
// (RFC 4271 §8.1.1, automatic start with peer oscillation damping).
import { CeaseSubcode, ErrorCode, FsmSubcode, type NotificationFields } from './errors.ts';

export type BgpState = 'Idle' | 'Connect' | 'Active' | 'OpenSent' | 'OpenConfirm' | 'Established';

export type FsmEvent =
  | { type: 'ManualStart' }
  | { type: 'ManualStop'; reason: string }
  /** The IdleHoldTimer expired: start again on our own. */
  | { type: 'AutomaticStart' }
  | { type: 'ConnectRetryTimerExpires' }
  | { type: 'HoldTimerExpires' }
  | { type: 'KeepaliveTimerExpires' }
  | { type: 'TcpConnectionConfirmed' }
  | { type: 'TcpConnectionFails'; reason: string }
  /** An OPEN that passed the codec and the session's checks (peer AS, identifier, capabilities). */
  | { type: 'BgpOpen' }
  /** An OPEN the session refuses; carries the NOTIFICATION to send. */
  | { type: 'BgpOpenRejected'; notification: NotificationFields; reason: string }
  /** A message the codec (or the session's UPDATE checks) refused. */
  | { type: 'MessageError'; notification: NotificationFields; reason: string }
  | { type: 'NotifMsg'; reason: string }
  | { type: 'KeepAliveMsg' }
  | { type: 'UpdateMsg' }
  | { type: 'RouteRefreshMsg' };

export type TimerName = 'connectRetry' | 'idleHold' | 'hold' | 'keepalive';

export type FsmAction =
  | { type: 'connect' }
  /** Drop the TCP connection (after flushing anything just sent). */
  | { type: 'close'; reason: string }
  | { type: 'sendOpen' }
  | { type: 'sendKeepalive' }
  | { type: 'sendNotification'; notification: NotificationFields }
  /** Send the whole Adj-RIB-Out (on Established, and on a ROUTE-REFRESH). */
  | { type: 'sendRoutes' }
  | { type: 'startTimer'; timer: TimerName }
  | { type: 'stopTimers' };

export interface Transition {
  state: BgpState;
  actions: FsmAction[];
}

const none = (state: BgpState): Transition => ({ state, actions: [] });

/** RFC 8203: a Cease / Administrative Shutdown may carry a short UTF-8 reason. */
export function ceaseNotification(reason: string): NotificationFields {
  let text = Buffer.from(reason, 'utf8');
  if (text.length > 255) text = text.subarray(0, 255);
  return { code: ErrorCode.Cease, subcode: CeaseSubcode.AdministrativeShutdown, data: Buffer.concat([Buffer.from([text.length]), text]) };
}

const holdTimerExpired: NotificationFields = { code: ErrorCode.HoldTimerExpired, subcode: 0, data: Buffer.alloc(0) };

function fsmError(subcode: number): NotificationFields {
  return { code: ErrorCode.FiniteStateMachine, subcode, data: Buffer.alloc(0) };
}

/** Tear the connection down and wait (IdleHoldTimer) before starting again. */
function fail(reason: string, notification?: NotificationFields): Transition {
  const actions: FsmAction[] = [];
  if (notification) actions.push({ type: 'sendNotification', notification });
  actions.push({ type: 'close', reason }, { type: 'stopTimers' }, { type: 'startTimer', timer: 'idleHold' });
  return { state: 'Idle', actions };
}

function manualStop(reason: string, connected: boolean): Transition {
  const actions: FsmAction[] = [];
  if (connected) actions.push({ type: 'sendNotification', notification: ceaseNotification(reason) });
  actions.push({ type: 'close', reason: `stopped: ${reason}` }, { type: 'stopTimers' });
  return { state: 'Idle', actions };
}

const unexpected: Record<'OpenSent' | 'OpenConfirm' | 'Established', number> = {
  OpenSent: FsmSubcode.UnexpectedMessageInOpenSent,
  OpenConfirm: FsmSubcode.UnexpectedMessageInOpenConfirm,
  Established: FsmSubcode.UnexpectedMessageInEstablished,
};

export function transition(state: BgpState, event: FsmEvent): Transition {
  switch (state) {
    case 'Idle':
      if (event.type === 'ManualStart' || event.type === 'AutomaticStart') {
        return { state: 'Connect', actions: [{ type: 'stopTimers' }, { type: 'connect' }, { type: 'startTimer', timer: 'connectRetry' }] };
      }
      if (event.type === 'ManualStop') return { state: 'Idle', actions: [{ type: 'stopTimers' }] };
      return none('Idle');

    case 'Connect':
      switch (event.type) {
        case 'ManualStop':
          return manualStop(event.reason, false);
        case 'ConnectRetryTimerExpires':
          // The attempt hangs: abandon it and dial again.
          return { state: 'Connect', actions: [{ type: 'close', reason: 'connect timed out' }, { type: 'connect' }, { type: 'startTimer', timer: 'connectRetry' }] };
        case 'TcpConnectionConfirmed':
          return { state: 'OpenSent', actions: [{ type: 'stopTimers' }, { type: 'sendOpen' }, { type: 'startTimer', timer: 'hold' }] };
        case 'TcpConnectionFails':
          return { state: 'Active', actions: [{ type: 'close', reason: event.reason }, { type: 'stopTimers' }, { type: 'startTimer', timer: 'connectRetry' }] };
        case 'ManualStart':
        case 'AutomaticStart':
          return none('Connect');
        default:
          return fail(`unexpected ${event.type} in Connect`);
      }

    case 'Active':
      if (event.type === 'ManualStop') return { state: 'Idle', actions: [{ type: 'stopTimers' }] };
      if (event.type === 'ConnectRetryTimerExpires') {
        return { state: 'Connect', actions: [{ type: 'connect' }, { type: 'startTimer', timer: 'connectRetry' }] };
      }
      return none('Active');

    case 'OpenSent':
    case 'OpenConfirm':
    case 'Established':
      return connectedTransition(state, event);
  }
}

function connectedTransition(state: 'OpenSent' | 'OpenConfirm' | 'Established', event: FsmEvent): Transition {
  switch (event.type) {
    case 'ManualStop':
      return manualStop(event.reason, true);
    case 'ManualStart':
    case 'AutomaticStart':
    case 'ConnectRetryTimerExpires':
    case 'TcpConnectionConfirmed':
      return none(state);
    case 'HoldTimerExpires':
      return fail('hold timer expired', holdTimerExpired);
    case 'KeepaliveTimerExpires':
      if (state === 'OpenSent') return none(state);
      return { state, actions: [{ type: 'sendKeepalive' }, { type: 'startTimer', timer: 'keepalive' }] };
    case 'TcpConnectionFails':
      if (state === 'OpenSent') {
        // RFC 4271 §8.2.2: the peer closed before answering our OPEN; retry after ConnectRetryTime.
        return { state: 'Active', actions: [{ type: 'close', reason: event.reason }, { type: 'stopTimers' }, { type: 'startTimer', timer: 'connectRetry' }] };
      }
      return fail(event.reason);
    case 'NotifMsg':
      return fail(event.reason);
    case 'MessageError':
      return fail(event.reason, event.notification);
    case 'BgpOpen':
      if (state === 'OpenSent') {
        return { state: 'OpenConfirm', actions: [{ type: 'sendKeepalive' }, { type: 'startTimer', timer: 'keepalive' }, { type: 'startTimer', timer: 'hold' }] };
      }
      return fail(`unexpected OPEN in ${state}`, fsmError(unexpected[state]));
    case 'BgpOpenRejected':
      if (state === 'OpenSent') return fail(event.reason, event.notification);
      return fail(`unexpected OPEN in ${state}`, fsmError(unexpected[state]));
    case 'KeepAliveMsg':
      if (state === 'OpenSent') return fail('KEEPALIVE before OPEN', fsmError(unexpected.OpenSent));
      if (state === 'OpenConfirm') {
        return { state: 'Established', actions: [{ type: 'startTimer', timer: 'hold' }, { type: 'sendRoutes' }] };
      }
      return { state, actions: [{ type: 'startTimer', timer: 'hold' }] };
    case 'UpdateMsg':
    case 'RouteRefreshMsg':
      if (state !== 'Established') {
        return fail(`${event.type === 'UpdateMsg' ? 'UPDATE' : 'ROUTE-REFRESH'} in ${state}`, fsmError(unexpected[state]));
      }
      return event.type === 'UpdateMsg'
        ? { state, actions: [{ type: 'startTimer', timer: 'hold' }] }
        : { state, actions: [{ type: 'startTimer', timer: 'hold' }, { type: 'sendRoutes' }] };
  }
}
