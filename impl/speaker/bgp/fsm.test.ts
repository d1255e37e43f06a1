import { describe, expect, it } from 'vitest';
import { transition, type BgpState, type FsmEvent } from './fsm.ts';

const notification = { code: 2, subcode: 2, data: Buffer.alloc(0) };

describe('RFC 4271 FSM transitions', () => {
  const cases: { from: BgpState; event: FsmEvent; to: BgpState; actions: string[]; sends?: [number, number] }[] = [
    { from: 'Idle', event: { type: 'ManualStart' }, to: 'Connect', actions: ['stopTimers', 'connect', 'startTimer:connectRetry'] },
    { from: 'Idle', event: { type: 'AutomaticStart' }, to: 'Connect', actions: ['stopTimers', 'connect', 'startTimer:connectRetry'] },
    { from: 'Idle', event: { type: 'KeepAliveMsg' }, to: 'Idle', actions: [] },
    { from: 'Connect', event: { type: 'TcpConnectionConfirmed' }, to: 'OpenSent', actions: ['stopTimers', 'sendOpen', 'startTimer:hold'] },
    { from: 'Connect', event: { type: 'TcpConnectionFails', reason: 'refused' }, to: 'Active', actions: ['close', 'stopTimers', 'startTimer:connectRetry'] },
    { from: 'Connect', event: { type: 'ConnectRetryTimerExpires' }, to: 'Connect', actions: ['close', 'connect', 'startTimer:connectRetry'] },
    { from: 'Connect', event: { type: 'ManualStop', reason: 'bye' }, to: 'Idle', actions: ['close', 'stopTimers'] },
    { from: 'Active', event: { type: 'ConnectRetryTimerExpires' }, to: 'Connect', actions: ['connect', 'startTimer:connectRetry'] },
    { from: 'Active', event: { type: 'ManualStop', reason: 'bye' }, to: 'Idle', actions: ['stopTimers'] },
    { from: 'OpenSent', event: { type: 'BgpOpen' }, to: 'OpenConfirm', actions: ['sendKeepalive', 'startTimer:keepalive', 'startTimer:hold'] },
    { from: 'OpenSent', event: { type: 'BgpOpenRejected', notification, reason: 'bad AS' }, to: 'Idle', actions: ['sendNotification', 'close', 'stopTimers', 'startTimer:idleHold'], sends: [2, 2] },
    { from: 'OpenSent', event: { type: 'MessageError', notification: { code: 1, subcode: 1, data: Buffer.alloc(0) }, reason: 'x' }, to: 'Idle', actions: ['sendNotification', 'close', 'stopTimers', 'startTimer:idleHold'], sends: [1, 1] },
    { from: 'OpenSent', event: { type: 'KeepAliveMsg' }, to: 'Idle', actions: ['sendNotification', 'close', 'stopTimers', 'startTimer:idleHold'], sends: [5, 1] },
    { from: 'OpenSent', event: { type: 'UpdateMsg' }, to: 'Idle', actions: ['sendNotification', 'close', 'stopTimers', 'startTimer:idleHold'], sends: [5, 1] },
    { from: 'OpenSent', event: { type: 'HoldTimerExpires' }, to: 'Idle', actions: ['sendNotification', 'close', 'stopTimers', 'startTimer:idleHold'], sends: [4, 0] },
    { from: 'OpenSent', event: { type: 'TcpConnectionFails', reason: 'reset' }, to: 'Active', actions: ['close', 'stopTimers', 'startTimer:connectRetry'] },
    { from: 'OpenSent', event: { type: 'ManualStop', reason: 'bye' }, to: 'Idle', actions: ['sendNotification', 'close', 'stopTimers'], sends: [6, 2] },
    { from: 'OpenConfirm', event: { type: 'KeepAliveMsg' }, to: 'Established', actions: ['startTimer:hold', 'sendRoutes'] },
    { from: 'OpenConfirm', event: { type: 'KeepaliveTimerExpires' }, to: 'OpenConfirm', actions: ['sendKeepalive', 'startTimer:keepalive'] },
    { from: 'OpenConfirm', event: { type: 'UpdateMsg' }, to: 'Idle', actions: ['sendNotification', 'close', 'stopTimers', 'startTimer:idleHold'], sends: [5, 2] },
    { from: 'OpenConfirm', event: { type: 'BgpOpen' }, to: 'Idle', actions: ['sendNotification', 'close', 'stopTimers', 'startTimer:idleHold'], sends: [5, 2] },
    { from: 'OpenConfirm', event: { type: 'NotifMsg', reason: 'peer said no' }, to: 'Idle', actions: ['close', 'stopTimers', 'startTimer:idleHold'] },
    { from: 'Established', event: { type: 'KeepAliveMsg' }, to: 'Established', actions: ['startTimer:hold'] },
    { from: 'Established', event: { type: 'UpdateMsg' }, to: 'Established', actions: ['startTimer:hold'] },
    { from: 'Established', event: { type: 'RouteRefreshMsg' }, to: 'Established', actions: ['startTimer:hold', 'sendRoutes'] },
    { from: 'Established', event: { type: 'KeepaliveTimerExpires' }, to: 'Established', actions: ['sendKeepalive', 'startTimer:keepalive'] },
    { from: 'Established', event: { type: 'HoldTimerExpires' }, to: 'Idle', actions: ['sendNotification', 'close', 'stopTimers', 'startTimer:idleHold'], sends: [4, 0] },
    { from: 'Established', event: { type: 'BgpOpen' }, to: 'Idle', actions: ['sendNotification', 'close', 'stopTimers', 'startTimer:idleHold'], sends: [5, 3] },
    { from: 'Established', event: { type: 'TcpConnectionFails', reason: 'reset' }, to: 'Idle', actions: ['close', 'stopTimers', 'startTimer:idleHold'] },
    { from: 'Established', event: { type: 'NotifMsg', reason: 'cease' }, to: 'Idle', actions: ['close', 'stopTimers', 'startTimer:idleHold'] },
    { from: 'Established', event: { type: 'ManualStop', reason: 'node drained' }, to: 'Idle', actions: ['sendNotification', 'close', 'stopTimers'], sends: [6, 2] },
  ];

  for (const c of cases) {
    it(`${c.from} + ${c.event.type} → ${c.to}`, () => {
      const result = transition(c.from, c.event);
      expect(result.state).toBe(c.to);
      expect(result.actions.map((a) => (a.type === 'startTimer' ? `startTimer:${a.timer}` : a.type))).toEqual(c.actions);
      const sent = result.actions.find((a) => a.type === 'sendNotification');
      if (c.sends) {
        expect(sent && sent.type === 'sendNotification' && [sent.notification.code, sent.notification.subcode]).toEqual(c.sends);
      } else {
        expect(sent).toBeUndefined();
      }
    });
  }

  it('a manual stop sends Cease / Administrative Shutdown with the reason (RFC 8203)', () => {
    const { actions } = transition('Established', { type: 'ManualStop', reason: 'node drained' });
    const sent = actions.find((a) => a.type === 'sendNotification');
    expect(sent?.type === 'sendNotification' && sent.notification.data).toEqual(Buffer.concat([Buffer.from([12]), Buffer.from('node drained')]));
  });

  it('for every state and event: a NOTIFICATION is always followed by closing, and a connection is never left without a timer or a stop', () => {
    const states: BgpState[] = ['Idle', 'Connect', 'Active', 'OpenSent', 'OpenConfirm', 'Established'];
    const events: FsmEvent[] = [
      { type: 'ManualStart' }, { type: 'ManualStop', reason: 'r' }, { type: 'AutomaticStart' }, { type: 'ConnectRetryTimerExpires' },
      { type: 'HoldTimerExpires' }, { type: 'KeepaliveTimerExpires' }, { type: 'TcpConnectionConfirmed' },
      { type: 'TcpConnectionFails', reason: 'r' }, { type: 'BgpOpen' }, { type: 'BgpOpenRejected', notification, reason: 'r' },
      { type: 'MessageError', notification, reason: 'r' }, { type: 'NotifMsg', reason: 'r' }, { type: 'KeepAliveMsg' },
      { type: 'UpdateMsg' }, { type: 'RouteRefreshMsg' },
    ];
    for (const state of states) {
      for (const event of events) {
        const { state: next, actions } = transition(state, event);
        const types = actions.map((a) => a.type);
        const notify = types.indexOf('sendNotification');
        if (notify >= 0) expect(types.indexOf('close'), `${state}+${event.type}`).toBeGreaterThan(notify);
        // Falling back to Idle from a live session (other than a manual stop) always arms the restart.
        if (next === 'Idle' && state !== 'Idle' && event.type !== 'ManualStop') {
          expect(actions.some((a) => a.type === 'startTimer' && a.timer === 'idleHold'), `${state}+${event.type}`).toBe(true);
        }
        if (next === 'Active') expect(actions.some((a) => a.type === 'startTimer' && a.timer === 'connectRetry') || state === 'Active').toBe(true);
      }
    }
  });
});
