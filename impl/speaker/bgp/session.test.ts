// BgpSession against a fake socket, with fake timers: the FSM's timers,
// negotiation, error NOTIFICATIONs, backoff and the UPDATEs it sends.
import { EventEmitter } from 'node:events';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import fc from 'fast-check';
import { BgpSession, type BgpSocket, type SessionConfig } from './session.ts';
import { encodeMessage, type BgpMessage, type OpenMessage, type UpdateMessage } from './codec.ts';
import { MessageReader } from './message-reader.ts';

class FakeSocket extends EventEmitter implements BgpSocket {
  localAddress = '198.18.0.11';
  readonly written: Buffer[] = [];
  ended = false;
  destroyed = false;
  write(data: Buffer): boolean {
    this.written.push(Buffer.from(data));
    return true;
  }
  end(): void {
    this.ended = true;
  }
  destroy(): void {
    this.destroyed = true;
  }
  setNoDelay(): void {}

  /** Everything the session wrote, decoded (after the OPEN exchange with 4-octet ASNs when fourOctetAs). */
  sent(fourOctetAs = true): BgpMessage[] {
    const reader = new MessageReader();
    reader.push(Buffer.concat(this.written));
    const out: BgpMessage[] = [];
    for (let r = reader.next(); r; r = reader.next()) {
      if (r.error) throw r.error;
      out.push(r.message);
      if (r.message.type === 'open') reader.options = { fourOctetAs };
    }
    return out;
  }

  peerSends(message: BgpMessage, fourOctetAs = true): void {
    this.emit('data', encodeMessage(message, { fourOctetAs }));
  }
}

const BASE: SessionConfig = { peerAddress: '198.18.0.1', myAsn: 64512, peerAsn: 64512, routerId: '198.18.0.11' };

function peerOpen(overrides: Partial<OpenMessage> = {}, asn = 64512): OpenMessage {
  return {
    type: 'open', version: 4, myAs: asn > 0xffff ? 23456 : asn, holdTime: 90, bgpId: '198.18.0.1',
    capabilities: [{ kind: 'multiprotocol', afi: 1, safi: 1 }, { kind: 'route-refresh' }, { kind: 'four-octet-as', asn }],
    ...overrides,
  };
}

function setup(config: Partial<SessionConfig> = {}) {
  const sockets: FakeSocket[] = [];
  const dialled: { host: string; port: number; localAddress?: string }[] = [];
  const lines: string[] = [];
  const session = new BgpSession({ ...BASE, logger: (l) => lines.push(l), ...config }, {
    connect: (options) => {
      dialled.push(options);
      const socket = new FakeSocket();
      sockets.push(socket);
      return socket;
    },
    random: () => 0, // jitter factor 0.75
  });
  const states: string[] = [];
  const downs: string[] = [];
  session.on('state', (s) => states.push(s));
  session.on('down', (r) => downs.push(r));
  const last = () => sockets[sockets.length - 1];
  /** Drives the last socket through connect, OPEN and KEEPALIVE to Established. */
  const establish = (open: OpenMessage = peerOpen({}, config.peerAsn ?? BASE.peerAsn)) => {
    last().emit('connect');
    last().peerSends(open, false);
    last().peerSends({ type: 'keepalive' });
    expect(session.state).toBe('Established');
  };
  return { session, sockets, dialled, lines, states, downs, last, establish };
}

const notifications = (socket: FakeSocket) => socket.sent().filter((m) => m.type === 'notification').map((m) => m.type === 'notification' && [m.code, m.subcode]);
const updates = (socket: FakeSocket, fourOctetAs = true) => socket.sent(fourOctetAs).filter((m): m is UpdateMessage => m.type === 'update');

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('BgpSession: opening', () => {
  it('dials the peer on 179 from the configured source and sends an OPEN with its capabilities', () => {
    const t = setup({ localAddress: '198.18.0.11' });
    t.session.start();
    expect(t.session.state).toBe('Connect');
    expect(t.dialled).toEqual([{ host: '198.18.0.1', port: 179, localAddress: '198.18.0.11' }]);
    t.last().emit('connect');
    expect(t.session.state).toBe('OpenSent');
    expect(t.session.localAddress).toBe('198.18.0.11');
    expect(t.last().sent()).toEqual([{
      type: 'open', version: 4, myAs: 64512, holdTime: 90, bgpId: '198.18.0.11',
      capabilities: [{ kind: 'multiprotocol', afi: 1, safi: 1 }, { kind: 'route-refresh' }, { kind: 'four-octet-as', asn: 64512 }],
    }]);
  });

  it('puts AS_TRANS in My AS when the ASN needs 4 octets', () => {
    const t = setup({ myAsn: 4200000001, peerAsn: 64512 });
    t.session.start();
    t.last().emit('connect');
    expect(t.last().sent()[0]).toMatchObject({ myAs: 23456, capabilities: expect.arrayContaining([{ kind: 'four-octet-as', asn: 4200000001 }]) });
  });

  it('reaches Established through OpenConfirm and reports it', () => {
    const t = setup();
    const established = vi.fn();
    t.session.on('established', established);
    t.session.start();
    t.establish();
    expect(t.states).toEqual(['Connect', 'OpenSent', 'OpenConfirm', 'Established']);
    expect(established).toHaveBeenCalledOnce();
    expect(t.last().sent().map((m) => m.type)).toEqual(['open', 'keepalive']);
  });

  it('accepts a 4-octet peer ASN carried in the capability', () => {
    const t = setup({ peerAsn: 4200000002 });
    t.session.start();
    t.establish(peerOpen({}, 4200000002));
  });
});

describe('BgpSession: timers', () => {
  it('negotiates hold = min(ours, peer) and sends KEEPALIVEs every hold/3', () => {
    const t = setup({ holdTimeSec: 90 });
    t.session.start();
    t.establish(peerOpen({ holdTime: 9 }));
    const keepalives = () => t.last().sent().filter((m) => m.type === 'keepalive').length;
    const before = keepalives();
    vi.advanceTimersByTime(2999);
    expect(keepalives()).toBe(before);
    vi.advanceTimersByTime(1);
    expect(keepalives()).toBe(before + 1);
    // The peer keeps talking: the hold timer is reset and the session stays up.
    for (let i = 0; i < 5; i++) {
      vi.advanceTimersByTime(3000);
      t.last().peerSends({ type: 'keepalive' });
    }
    expect(t.session.state).toBe('Established');
  });

  it('uses a configured keepalive when shorter than the hold time', () => {
    const t = setup({ holdTimeSec: 30, keepaliveSec: 2 });
    t.session.start();
    t.establish(peerOpen({ holdTime: 30 }));
    const count = t.last().sent().filter((m) => m.type === 'keepalive').length;
    vi.advanceTimersByTime(2000);
    expect(t.last().sent().filter((m) => m.type === 'keepalive').length).toBe(count + 1);
  });

  it('sends Hold Timer Expired (4/0), closes, and reports down when the peer goes silent', () => {
    const t = setup({ holdTimeSec: 6 });
    t.session.start();
    t.establish(peerOpen({ holdTime: 90 }));
    vi.advanceTimersByTime(5999);
    expect(t.session.state).toBe('Established');
    vi.advanceTimersByTime(1);
    expect(t.session.state).toBe('Idle');
    expect(notifications(t.last())).toEqual([[4, 0]]);
    expect(t.last().ended).toBe(true);
    expect(t.downs).toEqual(['hold timer expired']);
  });

  it('hold time 0 means no keepalives and no expiry', () => {
    const t = setup({ holdTimeSec: 0 });
    t.session.start();
    t.establish(peerOpen({ holdTime: 90 }));
    vi.advanceTimersByTime(3_600_000);
    expect(t.session.state).toBe('Established');
    expect(t.last().sent().filter((m) => m.type === 'keepalive')).toHaveLength(1);
  });

  it('abandons a connect attempt that hangs and dials again', () => {
    const t = setup();
    t.session.start();
    vi.advanceTimersByTime(5000);
    expect(t.sockets[0].destroyed).toBe(true);
    expect(t.dialled).toHaveLength(2);
    expect(t.session.state).toBe('Connect');
  });

  it('retries a refused connection with jittered exponential backoff, capped', () => {
    const t = setup({ connectRetrySec: 2 });
    t.session.start();
    const refuse = () => {
      t.last().emit('error', new Error('connect ECONNREFUSED 198.18.0.1:179'));
      t.last().emit('close');
    };
    const delays: number[] = [];
    for (let i = 0; i < 7; i++) {
      refuse();
      expect(t.session.state).toBe('Active');
      const dialsBefore = t.dialled.length;
      let waited = 0;
      while (t.dialled.length === dialsBefore) {
        vi.advanceTimersByTime(250);
        waited += 250;
      }
      delays.push(waited);
    }
    // 2 s × 0.75, doubling: 1.5, 3, 6, 12, 24, then the 30 s cap × 0.75.
    expect(delays).toEqual([1500, 3000, 6000, 12000, 22500, 22500, 22500]);
    expect(t.lines.some((l) => l.includes('ECONNREFUSED'))).toBe(true);
  });

  it('a session that reached Established resets the backoff', () => {
    const t = setup({ connectRetrySec: 2 });
    t.session.start();
    for (let i = 0; i < 3; i++) {
      t.last().emit('close');
      vi.advanceTimersByTime(30_000);
    }
    t.establish();
    t.last().emit('close');
    expect(t.session.state).toBe('Idle');
    const dials = t.dialled.length;
    vi.advanceTimersByTime(1500);
    expect(t.dialled.length).toBe(dials + 1);
  });
});

describe('BgpSession: errors get the right NOTIFICATION and a later reconnect', () => {
  const cases: { name: string; drive: (t: ReturnType<typeof setup>) => void; expect: [number, number] }[] = [
    { name: 'bad peer AS', drive: (t) => { t.last().emit('connect'); t.last().peerSends(peerOpen({}, 64999), false); }, expect: [2, 2] },
    { name: 'a 4-octet peer AS that the config does not expect', drive: (t) => { t.last().emit('connect'); t.last().peerSends(peerOpen({}, 4200000000), false); }, expect: [2, 2] },
    {
      name: 'an iBGP peer using our BGP identifier',
      drive: (t) => { t.last().emit('connect'); t.last().peerSends(peerOpen({ bgpId: '198.18.0.11' }), false); }, expect: [2, 3],
    },
    {
      name: 'a peer without IPv4 unicast',
      drive: (t) => { t.last().emit('connect'); t.last().peerSends(peerOpen({ capabilities: [{ kind: 'multiprotocol', afi: 2, safi: 1 }, { kind: 'four-octet-as', asn: 64512 }] }), false); },
      expect: [2, 7],
    },
    { name: 'unsupported version', drive: (t) => { t.last().emit('connect'); t.last().emit('data', Buffer.from(`${'ff'.repeat(16)}001d0103fc00005ac6120001 00`.replace(/ /g, ''), 'hex')); }, expect: [2, 1] },
    { name: 'hold time 2', drive: (t) => { t.last().emit('connect'); t.last().peerSends(peerOpen({ holdTime: 3 }), false); }, expect: [0, 0] },
    { name: 'a bad marker', drive: (t) => { t.last().emit('connect'); t.last().emit('data', Buffer.alloc(19, 0)); }, expect: [1, 1] },
    { name: 'KEEPALIVE before OPEN', drive: (t) => { t.last().emit('connect'); t.last().peerSends({ type: 'keepalive' }); }, expect: [5, 1] },
    {
      name: 'UPDATE in OpenConfirm',
      drive: (t) => { t.last().emit('connect'); t.last().peerSends(peerOpen(), false); t.last().peerSends({ type: 'update', withdrawn: ['10.0.0.0/8'], attributes: {}, nlri: [] }); },
      expect: [5, 2],
    },
    { name: 'OPEN in Established', drive: (t) => { t.establish(); t.last().peerSends(peerOpen(), false); }, expect: [5, 3] },
    {
      name: 'a malformed UPDATE in Established (ORIGIN 7)',
      drive: (t) => {
        t.establish();
        const bytes = encodeMessage({ type: 'update', withdrawn: [], nlri: ['10.1.0.0/16'], attributes: { origin: 2, asPath: [], nextHop: '198.18.0.1', localPref: 100 } }, { fourOctetAs: true });
        bytes[bytes.indexOf(Buffer.from([0x40, 0x01, 0x01, 0x02])) + 3] = 7;
        t.last().emit('data', bytes);
      },
      expect: [3, 6],
    },
    {
      name: 'an iBGP UPDATE without LOCAL_PREF',
      drive: (t) => { t.establish(); t.last().peerSends({ type: 'update', withdrawn: [], nlri: ['10.1.0.0/16'], attributes: { origin: 2, asPath: [], nextHop: '198.18.0.1' } }); },
      expect: [3, 3],
    },
  ];

  for (const c of cases) {
    it(`${c.name} → ${c.expect[0]}/${c.expect[1]}`, () => {
      const t = setup();
      t.session.start();
      if (c.expect[0] === 0) {
        // Hold time 3 is legal: make sure we do not refuse it.
        c.drive(t);
        expect(t.session.state).toBe('OpenConfirm');
        return;
      }
      c.drive(t);
      expect(notifications(t.last())).toEqual([c.expect]);
      expect(t.session.state).toBe('Idle');
      expect(t.last().ended).toBe(true);
      expect(t.downs).toHaveLength(1);
      // …and it dials again after the backoff.
      const dials = t.dialled.length;
      vi.advanceTimersByTime(1500);
      expect(t.dialled.length).toBe(dials + 1);
      expect(t.session.state).toBe('Connect');
    });
  }

  it('a NOTIFICATION from the peer closes without answering', () => {
    const t = setup();
    t.session.start();
    t.establish();
    t.last().peerSends({ type: 'notification', code: 6, subcode: 2, data: Buffer.from([3, 0x62, 0x79, 0x65]) });
    expect(t.session.state).toBe('Idle');
    expect(notifications(t.last())).toEqual([]);
    expect(t.downs[0]).toMatch(/Cease \/ Administrative Shutdown \(6\/2\)/);
    expect(t.lines.some((l) => l.includes('"bye"'))).toBe(true);
  });

  it('no peer input escapes as an exception', () => {
    fc.assert(fc.property(fc.array(fc.uint8Array({ maxLength: 80 }), { maxLength: 8 }), fc.boolean(), (chunks, withHeader) => {
      const t = setup();
      t.session.start();
      t.establish();
      for (const chunk of chunks) {
        const data = withHeader ? Buffer.concat([Buffer.alloc(16, 0xff), Buffer.from(chunk)]) : Buffer.from(chunk);
        expect(() => t.last().emit('data', data)).not.toThrow();
      }
      void t.session.stop();
    }), { numRuns: 300 });
  });
});

describe('BgpSession: announcements', () => {
  it('sends desired routes on Established with MetalLB attributes (iBGP: empty AS_PATH, LOCAL_PREF)', () => {
    const t = setup();
    t.session.announce('198.19.0.10/32');
    t.session.announce('198.19.0.11/32', { localPref: 250, communities: [(64512 << 16 | 7) >>> 0] });
    t.session.start();
    t.establish();
    const sent = updates(t.last());
    expect(sent).toEqual([
      { type: 'update', withdrawn: [], nlri: ['198.19.0.10/32'], attributes: { origin: 2, asPath: [], nextHop: '198.18.0.11', localPref: 100 } },
      {
        type: 'update', withdrawn: [], nlri: ['198.19.0.11/32'],
        attributes: { origin: 2, asPath: [], nextHop: '198.18.0.11', localPref: 250, communities: [4227858439] },
      },
    ]);
  });

  it('eBGP: AS_PATH [myAsn], no LOCAL_PREF even when given', () => {
    const t = setup({ myAsn: 4200000001, peerAsn: 64512 });
    t.session.announce('198.19.0.10/32', { localPref: 300 });
    t.session.start();
    t.establish();
    expect(updates(t.last())).toEqual([
      { type: 'update', withdrawn: [], nlri: ['198.19.0.10/32'], attributes: { origin: 2, asPath: [{ type: 'sequence', asns: [4200000001] }], nextHop: '198.18.0.11' } },
    ]);
  });

  it('batches 10,000 prefixes into few full UPDATEs, and withdrawals too', () => {
    const t = setup();
    t.session.start();
    t.establish();
    const prefixes = Array.from({ length: 10_000 }, (_, i) => `198.19.${i >> 8}.${i & 255}/32`);
    const started = performance.now();
    for (const p of prefixes) t.session.announce(p);
    vi.advanceTimersByTime(1);
    const elapsed = performance.now() - started;
    const announced = updates(t.last());
    expect(announced.length).toBeLessThanOrEqual(13);
    expect(announced.flatMap((u) => u.nlri)).toEqual(prefixes);
    expect(elapsed).toBeLessThan(2000);
    t.last().written.length = 0;
    for (const p of prefixes.slice(0, 5000)) t.session.withdraw(p);
    vi.advanceTimersByTime(1);
    const withdrawals = updates(t.last());
    expect(withdrawals.length).toBeLessThanOrEqual(7);
    expect(withdrawals.every((u) => u.nlri.length === 0)).toBe(true);
    expect(withdrawals.flatMap((u) => u.withdrawn)).toEqual(prefixes.slice(0, 5000));
    expect(t.session.announced().size).toBe(5000);
  });

  it('coalesces announce-then-withdraw before a flush into a withdrawal only; a repeated announce sends nothing', () => {
    const t = setup();
    t.session.start();
    t.session.announce('198.19.1.1/32');
    t.establish();
    t.last().written.length = 0;
    t.session.announce('198.19.1.1/32');
    t.session.announce('198.19.1.2/32');
    t.session.withdraw('198.19.1.2/32');
    vi.advanceTimersByTime(1);
    expect(updates(t.last())).toEqual([{ type: 'update', withdrawn: ['198.19.1.2/32'], attributes: {}, nlri: [] }]);
  });

  it('keeps announcements across a reconnect and re-sends them', () => {
    const t = setup();
    t.session.start();
    t.establish();
    t.session.announce('198.19.0.5/32');
    vi.advanceTimersByTime(1);
    t.last().emit('close');
    expect(t.downs).toEqual(['peer 198.18.0.1 closed the connection']);
    t.session.announce('198.19.0.6/32'); // while down
    vi.advanceTimersByTime(1500);
    t.establish();
    expect(updates(t.last()).flatMap((u) => u.nlri).sort()).toEqual(['198.19.0.5/32', '198.19.0.6/32']);
  });

  it('answers a ROUTE-REFRESH with the whole table', () => {
    const t = setup();
    t.session.announce('198.19.0.5/32');
    t.session.start();
    t.establish();
    t.last().written.length = 0;
    t.last().peerSends({ type: 'route-refresh', afi: 1, safi: 1 });
    expect(updates(t.last()).flatMap((u) => u.nlri)).toEqual(['198.19.0.5/32']);
  });

  it('refuses malformed prefixes and attributes with a message naming them', () => {
    const t = setup();
    expect(() => t.session.announce('198.19.0.5')).toThrow(/invalid prefix "198.19.0.5"/);
    expect(() => t.session.announce('198.19.0.5/24')).toThrow(/host bits/);
    expect(() => t.session.announce('198.19.0.5/32', { communities: [-1] })).toThrow(/community -1/);
    expect(() => t.session.announce('198.19.0.5/32', { localPref: 1.5 })).toThrow(/localPref 1.5/);
  });
});

describe('BgpSession: stop', () => {
  it('sends Cease / Administrative Shutdown with the reason and resolves when the socket closes', async () => {
    const t = setup();
    t.session.start();
    t.establish();
    let resolved = false;
    const stopping = t.session.stop('speaker shutting down').then(() => { resolved = true; });
    expect(notifications(t.last())).toEqual([[6, 2]]);
    expect(t.last().ended).toBe(true);
    expect(t.session.state).toBe('Idle');
    await Promise.resolve();
    expect(resolved).toBe(false);
    t.last().emit('close');
    await stopping;
    expect(resolved).toBe(true);
    // and it stays down
    vi.advanceTimersByTime(120_000);
    expect(t.dialled).toHaveLength(1);
  });

  it('stop before connecting resolves at once', async () => {
    const t = setup();
    await t.session.stop();
    expect(t.session.state).toBe('Idle');
  });
});

describe('BgpSession: configuration', () => {
  const bad: [Partial<SessionConfig>, RegExp][] = [
    [{ peerAddress: '198.18.0' }, /peerAddress "198.18.0" is not an IPv4 address/],
    [{ routerId: 'x' }, /routerId "x"/],
    [{ myAsn: 0 }, /myAsn 0/],
    [{ peerAsn: 2 ** 32 }, /peerAsn 4294967296/],
    [{ holdTimeSec: 2 }, /holdTimeSec must be 0 or at least 3/],
    [{ localAddress: '::1' }, /localAddress "::1"/],
    [{ connectRetrySec: 0 }, /connectRetrySec 0/],
  ];
  for (const [config, message] of bad) {
    it(`refuses ${JSON.stringify(config)}`, () => {
      expect(() => new BgpSession({ ...BASE, ...config })).toThrow(message);
    });
  }
});
