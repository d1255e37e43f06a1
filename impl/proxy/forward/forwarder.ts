// Sends one client request to an endpoint of its backend and streams the
// answer back; tunnels HTTP upgrades (WebSocket) both ways.
//
// Requests go upstream through undici's dispatcher (one keep-alive pool per
// endpoint): its callbacks carry the answer straight to the client's
// response, without the stream objects of node:http's client, which is
// where a proxy in Node spends most of its time per request.
//
// Failures:
//  - connect refused/unreachable/timed out: nothing was sent (undici writes
//    the request only on a connected socket), so the request is retried on
//    another endpoint, whatever its method, up to `retries` times, and the
//    endpoint is passed over for EJECT_MS;
//  - a connection closed or reset before any response byte: retried only
//    for idempotent methods without a body (the upstream may have received
//    it, and RFC 9110 §9.2.2 allows repeating those);
//  - anything else before the response head: 502; no response head within
//    responseTimeoutMs after the request was sent, or no connection within
//    connectTimeoutMs on the last attempt: 504;
//  - after the response head: the client connection is cut (a status can no
//    longer change).
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { Agent, type Dispatcher } from 'undici';
import type { Balancer } from '../upstream/balancer.ts';
import type { Endpoint } from '../upstream/endpoints.ts';
import type { Logger } from '../log.ts';
import type { ProxyMetrics } from '../metrics.ts';
import { rawErrorResponse } from '../server/client-errors.ts';
import { clientResponseHeaders, switchingProtocolsHead, upstreamRequestHeaders, type ForwardContext, type RawHeaders } from './headers.ts';

export interface UpstreamSettings {
  connectTimeoutMs: number;
  /** From the request being fully sent to the response head. */
  responseTimeoutMs: number;
  /** Extra attempts on other endpoints. */
  retries: number;
  /** Idle keep-alive connections to endpoints are closed after this long. */
  idleTimeoutMs: number;
}

export interface ForwardTarget {
  backendKey: string;
  endpoints: readonly Endpoint[];
}

/** Header naming why the proxy itself answered (no route, no endpoint, upstream failure…). */
export const PROXY_ERROR_HEADER = 'X-Vipcheck-Proxy-Error';

const IDEMPOTENT = new Set(['GET', 'HEAD', 'OPTIONS', 'TRACE', 'PUT', 'DELETE']);
/** How long an endpoint that refused a connection is passed over (unless it is the only one left). */
const EJECT_MS = 2_000;
const CONNECT_FAILURES = new Set(['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'EHOSTDOWN', 'EADDRNOTAVAIL', 'ECONNECT_TIMEOUT']);
/** A kept-alive connection the upstream closed or reset under the request. */
const CONNECTION_LOST = new Set(['ECONNRESET', 'EPIPE', 'UND_ERR_SOCKET']);
class UpstreamTimeout extends Error {
  readonly code: string;
  constructor(code: 'ECONNECT_TIMEOUT' | 'ERESPONSE_TIMEOUT', ms: number) {
    super(code === 'ECONNECT_TIMEOUT' ? `no connection within ${ms} ms` : `no response head within ${ms} ms`);
    this.code = code;
  }
}

/**
 * undici's connect timeout, named as the proxy's own (so logs and metrics do
 * not depend on the client library); the response timeout is ours already.
 */
function upstreamError(error: Error, settings: UpstreamSettings): NodeJS.ErrnoException {
  if ((error as NodeJS.ErrnoException).code === 'UND_ERR_CONNECT_TIMEOUT') return new UpstreamTimeout('ECONNECT_TIMEOUT', settings.connectTimeoutMs);
  return error as NodeJS.ErrnoException;
}

function rawHeaderStrings(raw: Dispatcher.DispatchController['rawHeaders']): RawHeaders {
  if (!Array.isArray(raw)) return [];
  return raw.map((h) => (typeof h === 'string' ? h : h.toString('latin1')));
}

export class Forwarder {
  readonly #settings: UpstreamSettings;
  readonly #balancer: Balancer;
  readonly #metrics: ProxyMetrics;
  readonly #log: Logger;
  readonly #pools: Agent;
  readonly #tunnels = new Set<Duplex>();
  /** The Server header of answers that carry none of their own; undefined: none. */
  readonly #server: string | undefined;

  constructor(settings: UpstreamSettings, balancer: Balancer, metrics: ProxyMetrics, log: Logger, server?: string) {
    this.#settings = settings;
    this.#server = server;
    this.#balancer = balancer;
    this.#metrics = metrics;
    this.#log = log;
    this.#pools = new Agent({
      connect: { timeout: settings.connectTimeoutMs },
      // The response timeout is ours (exact, from the request being sent): undici's coarse timers fire up to half a second off.
      headersTimeout: 0,
      bodyTimeout: 0, // a streaming answer may pause as long as it likes; the client's side has its own timeouts
      keepAliveTimeout: settings.idleTimeoutMs,
      keepAliveMaxTimeout: settings.idleTimeoutMs,
    });
  }

  /** Open WebSocket/upgrade tunnels (closed last on shutdown). */
  get tunnelCount(): number {
    return this.#tunnels.size;
  }

  closeTunnels(): void {
    for (const tunnel of this.#tunnels) tunnel.destroy();
  }

  close(): void {
    this.closeTunnels();
    void this.#pools.destroy().catch(() => undefined);
  }

  /**
   * Proxies req to the target. `path` is the origin-form target to send;
   * `closeAfter` adds "Connection: close" (draining); `maxBodyBytes` bounds a
   * body without Content-Length (413, or a cut connection once answered).
   */
  forward(req: IncomingMessage, res: ServerResponse, target: ForwardTarget, ctx: ForwardContext, path: string, options: { closeAfter: () => boolean; maxBodyBytes: number }): void {
    const method = req.method ?? 'GET';
    if (path === '*') {
      // OPTIONS * asks about the server itself (RFC 9110 §9.3.7): the server the client talks to is this proxy.
      res.writeHead(200, clientResponseHeaders(['Allow', 'GET, HEAD, POST, PUT, DELETE, PATCH, OPTIONS', 'Content-Length', '0'], this.#server));
      res.end();
      return;
    }
    const chunked = req.headers['transfer-encoding'] !== undefined;
    const hasBody = chunked || Number(req.headers['content-length'] ?? 0) > 0;
    // undici frames a body without Content-Length as chunked itself.
    const headers = upstreamRequestHeaders(req.rawHeaders, ctx);
    const tried = new Set<string>();
    let current: Dispatcher.DispatchController | undefined;
    let releaseCurrent: (() => void) | undefined;
    let clientGone = false;
    let answered = false;

    res.once('close', () => {
      if (res.writableFinished) return;
      clientGone = true;
      if (current) current.abort(new Error('the client went away'));
      // Still connecting: undici offers no way to cancel a queued request (it is aborted in
      // onRequestStart); stop counting it against the endpoint now.
      else releaseCurrent?.();
    });

    // A chunked body has no length up front: count it as it streams upstream.
    // Attached once connected, next to undici's own reader: an earlier 'data'
    // listener would let the body flow away before anyone sends it.
    let counting = false;
    const limitChunkedBody = () => {
      if (!chunked || options.maxBodyBytes <= 0 || counting) return;
      counting = true;
      let received = 0;
      req.on('data', (chunk: Buffer) => {
        received += chunk.length;
        if (received <= options.maxBodyBytes) return;
        // Answer first: aborting the upstream request reports an error, which must find the client answered.
        if (!res.headersSent) sendError(res, 413, 'body-too-large', `request body over ${options.maxBodyBytes} bytes`, true, this.#server);
        else res.destroy();
        current?.abort(new Error('request body too large'));
      });
    };

    const attempt = (lastError: Error | undefined): void => {
      const endpoint = this.#balancer.pick(target.backendKey, target.endpoints, tried);
      if (!endpoint) return this.#fail(res, target, lastError);
      tried.add(endpoint.key);
      const release = this.#balancer.begin(endpoint); // idempotent
      releaseCurrent = release;
      let connected = false;
      let sentAt = 0;
      let responseTimer: NodeJS.Timeout | undefined;

      const handler: Dispatcher.DispatchHandler = {
        onRequestStart: (controller) => {
          // Called on a connected socket, just before the request is written.
          current = controller;
          connected = true;
          if (clientGone) return controller.abort(new Error('the client went away'));
          limitChunkedBody();
        },
        onRequestSent: () => {
          sentAt = performance.now();
          if (answered) return; // the upstream answered before taking the whole body
          const controller = current;
          responseTimer = setTimeout(() => controller?.abort(new UpstreamTimeout('ERESPONSE_TIMEOUT', this.#settings.responseTimeoutMs)), this.#settings.responseTimeoutMs);
        },
        onResponseStart: (controller, statusCode, parsed, statusMessage) => {
          if (statusCode < 200) return; // 102/103: interim, the final head follows
          clearTimeout(responseTimer);
          answered = true;
          if (sentAt > 0) this.#metrics.observeUpstreamLatency((performance.now() - sentAt) / 1000);
          if (res.destroyed || res.headersSent) return controller.abort(new Error('the client response is already gone'));
          const out = clientResponseHeaders(rawHeaderStrings(controller.rawHeaders), this.#server);
          if (options.closeAfter()) out.push('Connection', 'close');
          // A body delimited by the upstream closing its connection stays close-delimited: re-chunked,
          // a cut upstream (which undici cannot tell from a clean close) would look complete to the client.
          const bodyless = method === 'HEAD' || statusCode === 204 || statusCode === 304;
          if (!bodyless && parsed['content-length'] === undefined && parsed['transfer-encoding'] === undefined) res.useChunkedEncodingByDefault = false;
          res.writeHead(statusCode, statusMessage, out);
        },
        onResponseData: (controller, chunk) => {
          if (res.write(chunk)) return;
          // The client reads slower than the upstream sends: hold the upstream until it catches up.
          controller.pause();
          res.once('drain', () => controller.resume());
        },
        onResponseEnd: () => {
          clearTimeout(responseTimer);
          release();
          res.end();
        },
        onResponseError: (_controller, raw) => {
          clearTimeout(responseTimer);
          release();
          if (answered) return void res.destroy();
          const error = upstreamError(raw, this.#settings);
          const code = error.code ?? 'EUNKNOWN';
          const connectFailure = !connected && CONNECT_FAILURES.has(code);
          if (connectFailure) this.#balancer.eject(endpoint, EJECT_MS); // whether or not the client still waits
          if (clientGone || res.destroyed || res.headersSent) return;
          this.#metrics.countUpstreamError(code);
          const connectionLost = connected && CONNECTION_LOST.has((raw as NodeJS.ErrnoException).code ?? '') && !hasBody && IDEMPOTENT.has(method);
          if ((connectFailure || connectionLost) && tried.size <= this.#settings.retries && tried.size < target.endpoints.length) {
            this.#metrics.countRetry();
            return attempt(describe(error, endpoint));
          }
          this.#fail(res, target, describe(error, endpoint));
        },
      };
      this.#pools.dispatch({
        origin: `http://${endpoint.address.includes(':') ? `[${endpoint.address}]` : endpoint.address}:${endpoint.port}`,
        method: method as Dispatcher.HttpMethod,
        path,
        headers,
        body: hasBody ? req : null,
      }, handler);
    };
    attempt(undefined);
  }

  #fail(res: ServerResponse, target: ForwardTarget, error: Error | undefined): void {
    if (res.headersSent || res.destroyed) return;
    const code = (error as NodeJS.ErrnoException | undefined)?.code;
    const timeout = code === 'ERESPONSE_TIMEOUT' || code === 'ECONNECT_TIMEOUT';
    this.#log.warn('upstream failed', { backend: target.backendKey, status: timeout ? 504 : 502, error: error?.message ?? 'no endpoint left to try' });
    sendError(res, timeout ? 504 : 502, timeout ? 'upstream-timeout' : 'upstream-error', `backend ${target.backendKey}: ${error?.message ?? 'no endpoint left to try'}`, false, this.#server);
  }

  /** Tunnels an Upgrade request (e.g. WebSocket) to an endpoint; errors are answered on the raw socket. */
  upgrade(req: IncomingMessage, socket: Duplex, head: Buffer, target: ForwardTarget, ctx: ForwardContext, path: string): void {
    const headers = upstreamRequestHeaders(req.rawHeaders, { ...ctx, upgrade: req.headers.upgrade ?? 'websocket' });
    const tried = new Set<string>();
    let current: http.ClientRequest | undefined;
    let tunnelled = false;
    socket.on('error', () => socket.destroy());
    socket.once('close', () => {
      if (!tunnelled) current?.destroy();
    });

    const attempt = (lastError: Error | undefined): void => {
      const endpoint = this.#balancer.pick(target.backendKey, target.endpoints, tried);
      if (!endpoint) return answerRaw(socket, 502, 'upstream-error', `backend ${target.backendKey}: ${lastError?.message ?? 'no endpoint'}`, this.#server);
      tried.add(endpoint.key);
      let connected = false;
      let timer: NodeJS.Timeout | undefined;
      const upstream = http.request({ host: endpoint.address, port: endpoint.port, method: req.method, path, headers, agent: false });
      current = upstream;
      upstream.on('socket', (s: Socket) => {
        timer = setTimeout(() => upstream.destroy(new UpstreamTimeout('ECONNECT_TIMEOUT', this.#settings.connectTimeoutMs)), this.#settings.connectTimeoutMs);
        s.once('connect', () => {
          connected = true;
          clearTimeout(timer);
          timer = setTimeout(() => upstream.destroy(new UpstreamTimeout('ERESPONSE_TIMEOUT', this.#settings.responseTimeoutMs)), this.#settings.responseTimeoutMs);
          upstream.end();
        });
      });
      upstream.on('upgrade', (upstreamRes, upstreamSocket, upstreamHead) => {
        clearTimeout(timer);
        tunnelled = true;
        if (socket.destroyed) return void upstreamSocket.destroy();
        socket.write(switchingProtocolsHead(upstreamRes.rawHeaders, upstreamRes.statusMessage, this.#server));
        if (upstreamHead.length) socket.write(upstreamHead);
        if (head.length) upstreamSocket.write(head);
        this.#tunnels.add(socket);
        const close = () => {
          this.#tunnels.delete(socket);
          socket.destroy();
          upstreamSocket.destroy();
        };
        socket.once('close', close);
        upstreamSocket.once('close', close);
        upstreamSocket.on('error', close);
        upstreamSocket.pipe(socket);
        socket.pipe(upstreamSocket);
      });
      upstream.on('response', (upstreamRes) => {
        // The upstream declined to switch protocols: relay its answer and close.
        clearTimeout(timer);
        const lines = [`HTTP/1.1 ${upstreamRes.statusCode} ${upstreamRes.statusMessage ?? ''}`];
        const kept = clientResponseHeaders(upstreamRes.rawHeaders, this.#server);
        for (let i = 0; i + 1 < kept.length; i += 2) lines.push(`${kept[i]}: ${kept[i + 1]}`);
        lines.push('Connection: close', '', '');
        socket.write(lines.join('\r\n'));
        upstreamRes.pipe(socket);
      });
      upstream.on('error', (error: NodeJS.ErrnoException) => {
        clearTimeout(timer);
        if (tunnelled || socket.destroyed) return;
        const code = error.code ?? 'EUNKNOWN';
        this.#metrics.countUpstreamError(code);
        if (!connected && CONNECT_FAILURES.has(code)) this.#balancer.eject(endpoint, EJECT_MS);
        if (!connected && CONNECT_FAILURES.has(code) && tried.size <= this.#settings.retries && tried.size < target.endpoints.length) {
          this.#metrics.countRetry();
          return attempt(describe(error, endpoint));
        }
        const timeout = code === 'ERESPONSE_TIMEOUT' || code === 'ECONNECT_TIMEOUT';
        this.#log.warn('upstream failed (upgrade)', { backend: target.backendKey, status: timeout ? 504 : 502, error: describe(error, endpoint).message });
        answerRaw(socket, timeout ? 504 : 502, timeout ? 'upstream-timeout' : 'upstream-error', describe(error, endpoint).message, this.#server);
      });
    };
    attempt(undefined);
  }
}

function describe(error: NodeJS.ErrnoException, endpoint: Endpoint): Error {
  const described = new Error(`endpoint ${endpoint.key}${endpoint.pod ? ` (pod ${endpoint.pod})` : ''}: ${error.code ?? ''} ${error.message}`.replace(/\s+/g, ' '));
  (described as NodeJS.ErrnoException).code = error.code;
  return described;
}

/** The proxy's own answer: plain text with the reason, and a header saying which kind of failure it was (Node adds Date). */
export function sendError(res: ServerResponse, status: number, kind: string, message: string, close: boolean, server: string | undefined): void {
  const body = `${status} ${http.STATUS_CODES[status] ?? ''}: ${message}\n`;
  const headers: string[] = ['Content-Type', 'text/plain; charset=utf-8', 'Content-Length', String(Buffer.byteLength(body)), PROXY_ERROR_HEADER, kind];
  if (server !== undefined) headers.push('Server', server);
  if (close) headers.push('Connection', 'close');
  res.writeHead(status, headers);
  res.end(body);
}

export function answerRaw(socket: Duplex, status: number, kind: string, message: string, server: string | undefined): void {
  if (socket.destroyed) return;
  socket.end(rawErrorResponse(status, message, { server, extraHeaders: [`${PROXY_ERROR_HEADER}: ${kind}`] }));
}
