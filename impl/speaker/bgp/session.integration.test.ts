// BgpSession over real TCP on loopback against a raw peer that sends what a
// broken or hostile router might: each malformed OPEN/UPDATE must get the
// RFC 4271 NOTIFICATION back, the process must survive, and the session
// must dial again later.
import { createServer, type Server, type Socket } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BgpSession } from './session.ts';
import { encodeMessage, type BgpMessage, type OpenMessage } from './codec.ts';
import { MessageReader } from './message-reader.ts';
import { waitUntil } from '../../../lib/wait.ts';

const MY_ASN = 64512;
const PEER_ASN = 64513;

/** One accepted connection: what our speaker sent on it, decoded. */
class RawConnection {
  readonly socket: Socket;
  readonly received: BgpMessage[] = [];
  closed = false;
  private readonly reader = new MessageReader();
  constructor(socket: Socket) {
    this.socket = socket;
    socket.on('data', (chunk) => {
      this.reader.push(chunk);
      for (let r = this.reader.next(); r; r = this.reader.next()) {
        if (r.error) throw r.error;
        this.received.push(r.message);
        if (r.message.type === 'open') this.reader.options = { fourOctetAs: true };
      }
    });
    socket.on('close', () => { this.closed = true; });
    socket.on('error', () => undefined);
  }
  send(bytes: Buffer): void {
    this.socket.write(bytes);
  }
  async waitFor(type: BgpMessage['type'], timeoutMs = 5000): Promise<BgpMessage> {
    const { value } = await waitUntil(`a ${type} from our speaker`, () => this.received.find((m) => m.type === type), (m) => m !== undefined, { timeoutMs, intervalMs: 10 });
    return value!;
  }
  async notification(): Promise<[number, number]> {
    const m = await this.waitFor('notification');
    return m.type === 'notification' ? [m.code, m.subcode] : [0, 0];
  }
}

let server: Server;
let connections: RawConnection[];
let session: BgpSession;
const log: string[] = [];

function peerOpen(overrides: Partial<OpenMessage> = {}): Buffer {
  return encodeMessage({
    type: 'open', version: 4, myAs: PEER_ASN, holdTime: 90, bgpId: '192.0.2.1',
    capabilities: [{ kind: 'multiprotocol', afi: 1, safi: 1 }, { kind: 'four-octet-as', asn: PEER_ASN }], ...overrides,
  }, { fourOctetAs: false });
}

const KEEPALIVE = encodeMessage({ type: 'keepalive' }, { fourOctetAs: true });

async function connection(index: number, timeoutMs = 5000): Promise<RawConnection> {
  const { value } = await waitUntil(`connection #${index + 1} from our speaker`, () => connections[index], (c) => c !== undefined, { timeoutMs, intervalMs: 10 });
  return value!;
}

async function established(): Promise<RawConnection> {
  const c = await connection(0);
  await c.waitFor('open');
  c.send(peerOpen());
  c.send(KEEPALIVE);
  await waitUntil('Established', () => session.state, (s) => s === 'Established', { timeoutMs: 5000, intervalMs: 10 });
  return c;
}

beforeEach(async () => {
  connections = [];
  log.length = 0;
  server = createServer((socket) => connections.push(new RawConnection(socket)));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  session = new BgpSession({
    peerAddress: '127.0.0.1', peerPort: port, myAsn: MY_ASN, peerAsn: PEER_ASN, routerId: '192.0.2.2',
    holdTimeSec: 3, connectRetrySec: 0.3, logger: (l) => log.push(l),
  });
  session.start();
});

afterEach(async () => {
  await session.stop();
  for (const c of connections) c.socket.destroy();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

describe('malformed input from a raw TCP peer gets the right NOTIFICATION', () => {
  const openCases: [string, () => Buffer, [number, number]][] = [
    ['OPEN with hold time 1', () => peerOpen({ holdTime: 1 }), [2, 6]],
    ['OPEN from the wrong AS', () => peerOpen({ myAs: 65000, capabilities: [{ kind: 'four-octet-as', asn: 65000 }] }), [2, 2]],
    ['OPEN with version 3', () => { const b = peerOpen(); b[19] = 3; return b; }, [2, 1]],
    ['OPEN with an unknown optional parameter', () => {
      const b = Buffer.concat([peerOpen({ capabilities: [] }), Buffer.from([9, 1, 0])]);
      b.writeUInt16BE(b.length, 16);
      b[28] = 3;
      return b;
    }, [2, 4]],
    ['a message with a broken marker', () => { const b = peerOpen(); b[3] = 0; return b; }, [1, 1]],
    ['a message of length 5000', () => { const b = peerOpen(); b.writeUInt16BE(5000, 16); return b; }, [1, 2]],
  ];
  for (const [name, bytes, expected] of openCases) {
    it(`${name} → ${expected.join('/')}, then a new connection`, async () => {
      const c = await connection(0);
      await c.waitFor('open');
      c.send(bytes());
      expect(await c.notification()).toEqual(expected);
      await waitUntil('our side to close the connection', () => c.closed, Boolean, { timeoutMs: 5000, intervalMs: 10 });
      await connection(1);
    });
  }

  const AS_PATH = '40 02 06 02 01 0000fc01';
  const NEXT_HOP = '40 03 04 c0000201';
  const updateCases: [string, string, [number, number]][] = [
    ['NLRI prefix length 33', `0000 0014 40010102 ${AS_PATH} ${NEXT_HOP} 21 c613000100`, [3, 10]],
    ['ORIGIN marked optional', `0000 0014 c0010102 ${AS_PATH} ${NEXT_HOP} 20 c6130001`, [3, 4]],
    ['missing NEXT_HOP', `0000 000d 40010102 ${AS_PATH} 20 c6130001`, [3, 3]],
    ['AS_PATH segment type 9', `0000 0014 40010102 40 02 06 09 01 0000fc01 ${NEXT_HOP} 20 c6130001`, [3, 11]],
    ['NEXT_HOP 0.0.0.0', `0000 0014 40010102 ${AS_PATH} 40 03 04 00000000 20 c6130001`, [3, 8]],
  ];
  for (const [name, body, expected] of updateCases) {
    it(`UPDATE with ${name} → ${expected.join('/')}`, async () => {
      const c = await established();
      const payload = Buffer.from(body.replace(/\s+/g, ''), 'hex');
      const header = Buffer.alloc(19, 0xff);
      header.writeUInt16BE(19 + payload.length, 16);
      header[18] = 2;
      c.send(Buffer.concat([header, payload]));
      expect(await c.notification()).toEqual(expected);
      expect(session.state).not.toBe('Established');
      await connection(1);
    });
  }
});

describe('over real TCP', () => {
  it('an OPEN trickling in one octet at a time still establishes', async () => {
    const c = await connection(0);
    await c.waitFor('open');
    for (const octet of Buffer.concat([peerOpen(), KEEPALIVE])) {
      c.send(Buffer.from([octet]));
      await new Promise((resolve) => setImmediate(resolve));
    }
    await waitUntil('Established', () => session.state, (s) => s === 'Established', { timeoutMs: 5000, intervalMs: 10 });
    const open = c.received.find((m) => m.type === 'open');
    expect(open).toMatchObject({ myAs: MY_ASN, holdTime: 3, bgpId: '192.0.2.2' });
  });

  it('a peer that goes silent gets Hold Timer Expired (4/0) after the negotiated hold time', async () => {
    const c = await established();
    const started = performance.now();
    expect(await c.notification()).toEqual([4, 0]);
    const elapsed = performance.now() - started;
    expect(elapsed).toBeGreaterThan(2500);
    expect(elapsed).toBeLessThan(4500);
  });

  it('routes are announced with NEXT_HOP = the local address of the TCP connection', async () => {
    session.announce('198.19.0.7/32', { communities: [((64512 << 16) | 3) >>> 0] });
    const c = await established();
    const update = await c.waitFor('update');
    expect(update).toMatchObject({ nlri: ['198.19.0.7/32'], attributes: { origin: 2, asPath: [{ type: 'sequence', asns: [MY_ASN] }], nextHop: '127.0.0.1', communities: [4227858435] } });
    expect(session.localAddress).toBe('127.0.0.1');
  });
});
