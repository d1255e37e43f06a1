// The echo server: answers every request with an EchoBody, echoes WebSocket
// frames, and exposes a readiness switch so a suite can make a pod un-ready
// through its readiness probe.
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import { readFileSync } from 'node:fs';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { WebSocketServer } from 'ws';
import { describeRequest } from './body.ts';
import type { EchoConfig } from './config.ts';
import { listen } from '../../lib/listen.ts';

export const READY_PATH = '/_vipcheck/ready';
export const HEALTH_PATH = '/healthz';
/** Response header naming the pod, also on WebSocket handshakes (where there is no body). */
export const POD_HEADER = 'x-vipcheck-pod';

export interface EchoServer {
  readonly httpPort: number;
  readonly tlsPort: number | undefined;
  isReady(): boolean;
  setReady(ready: boolean): void;
  /** Stops accepting, lets in-flight requests finish (bounded by shutdownTimeoutMs), then closes everything. */
  shutdown(): Promise<void>;
}

export async function startEchoServer(config: EchoConfig): Promise<EchoServer> {
  let ready = !config.startUnready;
  let draining = false;
  let inFlight = 0;

  const handle = (req: IncomingMessage, res: ServerResponse) => {
    inFlight++;
    res.once('close', () => inFlight--);
    if (draining) res.setHeader('connection', 'close');
    if (config.identity.pod) res.setHeader(POD_HEADER, config.identity.pod);
    if (config.serverHeader) res.setHeader('server', config.serverHeader);
    const pathname = (req.url ?? '').split('?')[0];
    if (pathname === HEALTH_PATH) return reply(res, 200, 'text/plain', 'ok\n');
    if (pathname === READY_PATH) return readiness(req, res);
    readBody(req, config.maxBodyBytes).then(
      (body) => {
        if (draining) res.setHeader('connection', 'close');
        reply(res, 200, 'application/json', JSON.stringify(describeRequest(req, config.identity, body)));
      },
      () => res.destroy(),
    );
  };

  const readiness = (req: IncomingMessage, res: ServerResponse) => {
    if (req.method === 'GET' || req.method === 'HEAD') {
      return reply(res, ready ? 200 : 503, 'application/json', JSON.stringify({ ready }));
    }
    if (req.method !== 'POST') return reply(res, 405, 'text/plain', `${READY_PATH} takes GET or POST, not ${req.method}\n`);
    const value = new URL(req.url ?? '', 'http://x').searchParams.get('value');
    if (value !== 'true' && value !== 'false') {
      return reply(res, 400, 'text/plain', `${READY_PATH}: query parameter value must be "true" or "false", got ${JSON.stringify(value)}\n`);
    }
    ready = value === 'true';
    req.resume();
    reply(res, 200, 'application/json', JSON.stringify({ ready }));
  };

  // ws (and https below) load only when used: every module costs RSS in each of many echo pods.
  let wss: WebSocketServer | undefined;
  let wssLoading: Promise<WebSocketServer> | undefined;
  const webSockets = () => (wssLoading ??= makeWebSocketServer());
  const makeWebSocketServer = async () => {
    const { WebSocketServer } = await import('ws');
    const server = new WebSocketServer({ noServer: true, maxPayload: config.maxBodyBytes, clientTracking: true });
    server.on('headers', (headers) => {
      if (config.identity.pod) headers.push(`${POD_HEADER}: ${config.identity.pod}`);
    });
    server.on('connection', (ws) => {
      ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary }));
      ws.on('error', () => ws.terminate());
    });
    return (wss = server);
  };
  const upgrade = (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => socket.destroy());
    if ((req.headers.upgrade ?? '').toLowerCase() !== 'websocket' || draining) {
      socket.end(`HTTP/1.1 ${draining ? '503 Service Unavailable' : '400 Bad Request'}\r\nconnection: close\r\ncontent-length: 0\r\n\r\n`);
      return;
    }
    webSockets().then(
      (server) => server.handleUpgrade(req, socket, head, (ws) => server.emit('connection', ws, req)),
      () => socket.destroy(),
    );
  };

  const servers: http.Server[] = [];
  const plain = http.createServer({ keepAliveTimeout: 30_000 }, handle);
  servers.push(plain);
  if (config.tlsPort !== undefined) {
    const cert = readOrExplain(config.tlsCertFile!, 'TLS certificate (--tls-cert)');
    const key = readOrExplain(config.tlsKeyFile!, 'TLS key (--tls-key)');
    const https = await import('node:https');
    servers.push(https.createServer({ cert, key, keepAliveTimeout: 30_000 }, handle));
  }
  for (const server of servers) {
    server.on('upgrade', upgrade);
    server.on('clientError', (err: NodeJS.ErrnoException, socket: Socket) => {
      if (socket.writable && !socket.destroyed) {
        socket.end(`HTTP/1.1 ${err.code === 'HPE_HEADER_OVERFLOW' ? '431 Request Header Fields Too Large' : '400 Bad Request'}\r\nconnection: close\r\ncontent-length: 0\r\n\r\n`);
      } else socket.destroy();
    });
  }
  const httpPort = await listen(plain, config.port, config.host);
  const tlsPort = servers[1] ? await listen(servers[1], config.tlsPort!, config.host) : undefined;

  let shutdownPromise: Promise<void> | undefined;
  const shutdown = () =>
    (shutdownPromise ??= (async () => {
      draining = true;
      ready = false;
      const closed = servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve())));
      for (const ws of wss?.clients ?? []) ws.close(1001, 'server shutting down');
      const deadline = Date.now() + config.shutdownTimeoutMs;
      while (inFlight > 0 && Date.now() < deadline) {
        for (const s of servers) s.closeIdleConnections();
        await new Promise((r) => setTimeout(r, 50));
      }
      for (const s of servers) s.closeAllConnections();
      for (const ws of wss?.clients ?? []) ws.terminate();
      await Promise.all(closed);
    })());

  return {
    httpPort,
    tlsPort,
    isReady: () => ready,
    setReady: (value) => {
      ready = value;
    },
    shutdown,
  };
}

function reply(res: ServerResponse, status: number, type: string, text: string): void {
  res.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

/** Reads the body up to `limit` bytes and counts the rest, so large uploads can be checked by length. */
function readBody(req: IncomingMessage, limit: number): Promise<{ text: string; bytes: number; truncated: boolean }> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let kept = 0;
    let bytes = 0;
    req.on('data', (chunk: Buffer) => {
      bytes += chunk.length;
      if (kept < limit) {
        const part = chunk.subarray(0, limit - kept);
        chunks.push(part);
        kept += part.length;
      }
    });
    req.on('end', () => resolve({ text: Buffer.concat(chunks).toString('utf8'), bytes, truncated: bytes > kept }));
    req.on('error', reject);
  });
}

function readOrExplain(file: string, what: string): Buffer {
  try {
    return readFileSync(file);
  } catch (error) {
    throw new Error(`cannot read ${what} from ${file}: ${(error as Error).message}`);
  }
}
