// The data plane: HTTP and HTTPS listeners that route each request through
// the current snapshot and hand it to the Forwarder. A new snapshot replaces
// the old one in a single assignment, so open connections and in-flight
// requests are never dropped by a reload.
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import https from 'node:https';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { SecureContext, TLSSocket } from 'node:tls';
import { Forwarder, answerRaw, sendError, type ForwardTarget, type UpstreamSettings } from '../forward/forwarder.ts';
import type { ForwardContext } from '../forward/headers.ts';
import type { Logger } from '../log.ts';
import type { ProxyMetrics } from '../metrics.ts';
import type { Route } from '../routing/table.ts';
import type { ProxySnapshot } from '../snapshot.ts';
import type { PemPair } from '../tls/certificates.ts';
import { Balancer, type BalancePolicy } from '../upstream/balancer.ts';
import { PARSE_FAILURE_TEXT, rawErrorResponse, statusForParseFailure } from './client-errors.ts';
import { listen } from '../../../lib/listen.ts';

export interface ClientLimits {
  /** Whole request head must arrive within this (slowloris). */
  headersTimeoutMs: number;
  /** Whole request, body included, must arrive within this. */
  requestTimeoutMs: number;
  /** Idle keep-alive client connections close after this. */
  keepAliveTimeoutMs: number;
  /** Request header fields (names + values) larger than this get 431. */
  maxHeaderBytes: number;
  /** Request targets longer than this get 414. */
  maxUriBytes: number;
  /** Bodies larger than this get 413; 0 = no limit. */
  maxBodyBytes: number;
}

export interface ProxyServerOptions {
  httpPort: number;
  /** No HTTPS listener when undefined. */
  httpsPort?: number;
  bindAddress?: string;
  /** Served when no Ingress certificate matches the SNI name, or there is none. */
  defaultCertificate: PemPair;
  client: ClientLimits;
  upstream: UpstreamSettings;
  balance: BalancePolicy;
  metrics: ProxyMetrics;
  log: Logger;
  /** Server header of every answer that names no server of its own (a backend's own is kept); undefined: none. */
  serverHeader?: string;
}

export class ProxyServer {
  readonly #options: ProxyServerOptions;
  readonly #forwarder: Forwarder;
  readonly #servers: http.Server[] = [];
  #snapshot: ProxySnapshot | undefined;
  #draining = false;
  #httpPort = 0;
  #httpsPort: number | undefined;
  #shutdown: Promise<void> | undefined;

  private constructor(options: ProxyServerOptions) {
    this.#options = options;
    this.#forwarder = new Forwarder(options.upstream, new Balancer(options.balance), options.metrics, options.log, options.serverHeader);
  }

  /** Starts listening; requests get 503 until the first update(). */
  static async start(options: ProxyServerOptions): Promise<ProxyServer> {
    const proxy = new ProxyServer(options);
    await proxy.#listen();
    return proxy;
  }

  get httpPort(): number {
    return this.#httpPort;
  }

  get httpsPort(): number | undefined {
    return this.#httpsPort;
  }

  /** Configured (has a snapshot) and not draining. */
  get ready(): boolean {
    return this.#snapshot !== undefined && !this.#draining;
  }

  get snapshot(): ProxySnapshot | undefined {
    return this.#snapshot;
  }

  /** Swaps in a new routing snapshot atomically. */
  update(snapshot: ProxySnapshot): void {
    this.#snapshot = snapshot;
  }

  /**
   * Graceful stop: stops accepting, lets in-flight requests finish (their
   * responses close the connection), closes idle keep-alive connections,
   * and after `timeoutMs` cuts whatever is left. Upgrade tunnels close last.
   */
  shutdown(timeoutMs: number): Promise<void> {
    this.#shutdown ??= (async () => {
      this.#draining = true;
      const closed = this.#servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve())));
      const deadline = Date.now() + timeoutMs;
      while (this.#options.metrics.inFlight > 0 && Date.now() < deadline) {
        for (const s of this.#servers) s.closeIdleConnections();
        await new Promise((r) => setTimeout(r, 25));
      }
      for (const s of this.#servers) s.closeAllConnections();
      this.#forwarder.close();
      await Promise.all(closed);
    })();
    return this.#shutdown;
  }

  async #listen(): Promise<void> {
    const { client, bindAddress } = this.#options;
    const common: http.ServerOptions = {
      // Our own checks tell 414 from 431 below this; the parser's hard cap is above both.
      maxHeaderSize: client.maxHeaderBytes + client.maxUriBytes,
      headersTimeout: client.headersTimeoutMs,
      requestTimeout: client.requestTimeoutMs,
      keepAliveTimeout: client.keepAliveTimeoutMs,
      connectionsCheckingInterval: Math.max(100, Math.min(1_000, Math.floor(client.headersTimeoutMs / 4))),
      requireHostHeader: true,
    };
    const plain = http.createServer(common, (req, res) => this.#handle(req, res, 'http'));
    this.#wire(plain, 'http');
    this.#servers.push(plain);
    this.#httpPort = await listen(plain, this.#options.httpPort, bindAddress);

    if (this.#options.httpsPort !== undefined) {
      const secure = https.createServer({
        ...common,
        handshakeTimeout: Math.min(10_000, client.headersTimeoutMs),
        SNICallback: (servername, cb) => cb(null, this.#contextFor(servername)),
        // Clients that send no SNI get the default certificate.
        cert: this.#options.defaultCertificate.cert,
        key: this.#options.defaultCertificate.key,
      }, (req, res) => this.#handle(req, res, 'https'));
      secure.on('tlsClientError', () => this.#options.metrics.countTlsHandshakeError());
      this.#wire(secure, 'https');
      this.#servers.push(secure);
      this.#httpsPort = await listen(secure, this.#options.httpsPort, bindAddress);
    }
  }

  #contextFor(servername: string | undefined): SecureContext | undefined {
    return this.#snapshot?.certificates.select(servername).context;
  }

  #wire(server: http.Server, proto: 'http' | 'https'): void {
    server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => this.#handleUpgrade(req, socket, head, proto));
    server.on('connect', (_req: IncomingMessage, socket: Duplex) => {
      this.#options.metrics.countRequest(405);
      answerRaw(socket, 405, 'method-not-allowed', 'CONNECT is not served: this is a reverse proxy', this.#options.serverHeader);
    });
    server.on('clientError', (error: NodeJS.ErrnoException & { rawPacket?: Buffer }, socket: Duplex) => {
      const status = statusForParseFailure(error, this.#options.client.maxUriBytes);
      const busy = (socket as Socket & { _httpMessage?: ServerResponse })._httpMessage;
      if (status === undefined || !socket.writable || (busy && busy.headersSent)) return void socket.destroy();
      this.#options.metrics.countRequest(status);
      socket.end(rawErrorResponse(status, PARSE_FAILURE_TEXT[status] ?? 'bad request', { server: this.#options.serverHeader }));
    });
  }

  #handle(req: IncomingMessage, res: ServerResponse, proto: 'http' | 'https'): void {
    const metrics = this.#options.metrics;
    metrics.requestStarted();
    let counted = false;
    const done = () => {
      if (counted) return;
      counted = true;
      metrics.requestEnded();
      metrics.countRequest(res.writableFinished ? res.statusCode : 499);
    };
    res.once('finish', done);
    res.once('close', done);

    const refuse = (status: number, kind: string, message: string, close = false) => sendError(res, status, kind, message, close || this.#draining, this.#options.serverHeader);
    const { client } = this.#options;
    if (req.httpVersionMajor !== 1) return refuse(505, 'http-version', `HTTP/${req.httpVersion} is not served; use HTTP/1.1`, true);
    const url = req.url ?? '';
    if (url.length > client.maxUriBytes) return refuse(414, 'uri-too-long', `request target of ${url.length} bytes is over ${client.maxUriBytes}`, true);
    if (headerBytes(req.rawHeaders) > client.maxHeaderBytes) return refuse(431, 'headers-too-large', `header fields are over ${client.maxHeaderBytes} bytes`, true);
    const target = parseTarget(url, req.headers.host);
    if (!target) return refuse(400, 'bad-target', `request target ${JSON.stringify(url.slice(0, 100))} is neither origin-form nor absolute-form`, true);
    const length = Number(req.headers['content-length'] ?? 0);
    if (client.maxBodyBytes > 0 && length > client.maxBodyBytes) return refuse(413, 'body-too-large', `request body of ${length} bytes is over ${client.maxBodyBytes}`, true);

    const resolved = this.#resolve(target.host, target.path);
    if ('status' in resolved) return refuse(resolved.status, resolved.kind, resolved.message);
    this.#forwarder.forward(req, res, resolved, this.#context(req, proto, target.host), target.path, {
      closeAfter: () => this.#draining,
      maxBodyBytes: client.maxBodyBytes,
    });
  }

  #handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer, proto: 'http' | 'https'): void {
    const target = parseTarget(req.url ?? '', req.headers.host);
    const server = this.#options.serverHeader;
    if (!target) return answerRaw(socket, 400, 'bad-target', 'request target is neither origin-form nor absolute-form', server);
    if (this.#draining) return answerRaw(socket, 503, 'draining', 'proxy is shutting down', server);
    const resolved = this.#resolve(target.host, target.path);
    if ('status' in resolved) return answerRaw(socket, resolved.status, resolved.kind, resolved.message, server);
    this.#options.metrics.countRequest(101);
    this.#forwarder.upgrade(req, socket, head, resolved, this.#context(req, proto, target.host), target.path);
  }

  #resolve(host: string | undefined, path: string): ForwardTarget | { status: number; kind: string; message: string } {
    const snapshot = this.#snapshot;
    if (!snapshot) return { status: 503, kind: 'not-configured', message: 'routing configuration not loaded yet' };
    const route: Route | undefined = snapshot.routes.match(host, path);
    if (!route) return { status: 404, kind: 'no-route', message: `no Ingress rule for host "${host ?? ''}" path "${path.split('?')[0]}"` };
    if (route.backend.kind === 'unsupported') return { status: 503, kind: 'unsupported-backend', message: route.backend.reason };
    const resolution = snapshot.endpoints.resolve(route.backend.ref);
    if (!resolution.ok) return { status: resolution.status, kind: 'no-endpoints', message: resolution.reason };
    return { backendKey: resolution.key, endpoints: resolution.endpoints };
  }

  #context(req: IncomingMessage, proto: 'http' | 'https', host: string | undefined): ForwardContext {
    const socket = req.socket as Socket | TLSSocket;
    return {
      clientAddress: plainAddress(socket.remoteAddress),
      localAddress: plainAddress(socket.localAddress),
      proto,
      port: socket.localPort ?? (proto === 'https' ? 443 : 80),
      host,
    };
  }
}

/** "::ffff:198.18.0.1" → "198.18.0.1": IPv4 peers of a dual-stack socket are reported plainly. */
function plainAddress(address: string | undefined): string {
  if (!address) return '';
  return address.startsWith('::ffff:') && address.includes('.') ? address.slice(7) : address;
}

/** Sizes of header names and values as sent (": " and CRLF included). */
function headerBytes(raw: string[]): number {
  let total = 0;
  for (let i = 0; i < raw.length; i++) total += raw[i].length + 2;
  return total;
}

/**
 * Origin-form ("/path?q") keeps the Host header; absolute-form
 * ("http://host/path") carries its own authority, which replaces Host
 * (RFC 9112 §3.2.2). The asterisk form ("*") only reaches a default backend.
 */
export function parseTarget(url: string, hostHeader: string | undefined): { host: string | undefined; path: string } | undefined {
  if (url.startsWith('/')) return { host: hostHeader, path: url };
  if (url === '*') return { host: hostHeader, path: '*' };
  if (/^https?:\/\//i.test(url)) {
    try {
      const parsed = new URL(url);
      return { host: parsed.host, path: `${parsed.pathname}${parsed.search}` };
    } catch {
      return undefined;
    }
  }
  return undefined;
}
