// Requests from the outside client (the test process, in the root
// namespace), which reaches the cluster only through the TOR. undici for
// HTTP(S); a raw socket for the one request undici cannot send (HTTP/1.0
// without a Host header); node:tls to inspect a served certificate.
import net from 'node:net';
import tls from 'node:tls';
import { Agent, request as undiciRequest, type Dispatcher } from 'undici';
import type { EchoBody } from '../../lib/echo-body.ts';

export type { EchoBody };

export interface HttpRequest {
  /** Where to connect: an IP (a VIP, a node address). */
  address: string;
  port?: number;
  scheme?: 'http' | 'https';
  /** Host header; null sends an HTTP/1.0 request with no Host header at all. Default: the address. */
  host?: string | null;
  path?: string;
  method?: string;
  headers?: Record<string, string>;
  body?: string;
  /** TLS: server name to send (SNI) and CA to trust (PEM). */
  sni?: string;
  ca?: string;
  timeoutMs?: number;
  /**
   * Open a new connection for this request and close it after (no pooled
   * keep-alive): a new connection is balanced anew by the TOR's ECMP and
   * kube-proxy, so polls can land on other controller replicas.
   */
  freshConnection?: boolean;
}

export interface HttpResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  /** The echo body, when the answer came from impl/echo. */
  echo?: EchoBody;
  durationMs: number;
}

const agents = new Map<string, Agent>();

function agentFor(req: HttpRequest): Agent {
  const key = `${req.scheme ?? 'http'}|${req.sni ?? ''}|${req.ca ?? ''}`;
  let agent = agents.get(key);
  if (!agent) {
    agent = new Agent({
      keepAliveTimeout: 4_000,
      connections: 64,
      connect: req.scheme === 'https' ? { servername: req.sni, ca: req.ca, rejectUnauthorized: true } : {},
    });
    agents.set(key, agent);
  }
  return agent;
}

/** Closes pooled connections (at the end of a scenario or run). */
export async function closeConnections(): Promise<void> {
  const all = [...agents.values()];
  agents.clear();
  await Promise.all(all.map((a) => a.close().catch(() => {})));
}

export function describeRequest(req: HttpRequest): string {
  const scheme = req.scheme ?? 'http';
  const port = req.port ?? (scheme === 'https' ? 443 : 80);
  const host = req.host === null ? ' (no Host)' : req.host ? ` Host: ${req.host}` : '';
  const sni = req.sni ? ` SNI: ${req.sni}` : '';
  return `${req.method ?? 'GET'} ${scheme}://${req.address}:${port}${req.path ?? '/'}${host}${sni}`;
}

export async function send(req: HttpRequest): Promise<HttpResponse> {
  if (req.host === null) return sendWithoutHost(req);
  const scheme = req.scheme ?? 'http';
  const port = req.port ?? (scheme === 'https' ? 443 : 80);
  const started = performance.now();
  const timeout = req.timeoutMs ?? 5_000;
  const headers: Record<string, string> = { ...req.headers };
  if (req.host) headers.host = req.host;
  const res = await undiciRequest(`${scheme}://${req.address}:${port}${req.path ?? '/'}`, {
    method: (req.method ?? 'GET') as Dispatcher.HttpMethod,
    headers,
    body: req.body,
    dispatcher: agentFor(req),
    reset: req.freshConnection ?? false,
    headersTimeout: timeout,
    bodyTimeout: timeout,
    signal: AbortSignal.timeout(timeout + 1000),
  });
  const text = await res.body.text();
  return { status: res.statusCode, headers: res.headers, text, echo: parseEcho(text), durationMs: performance.now() - started };
}

function parseEcho(text: string): EchoBody | undefined {
  if (!text.startsWith('{')) return undefined;
  try {
    const value = JSON.parse(text) as EchoBody;
    return typeof value.method === 'string' && typeof value.path === 'string' && 'headers' in value ? value : undefined;
  } catch {
    return undefined;
  }
}

/** HTTP/1.0 with no Host header (HTTP/1.1 requires one), over a raw socket. */
function sendWithoutHost(req: HttpRequest): Promise<HttpResponse> {
  const port = req.port ?? 80;
  const started = performance.now();
  const lines = [`${req.method ?? 'GET'} ${req.path ?? '/'} HTTP/1.0`, ...Object.entries(req.headers ?? {}).map(([k, v]) => `${k}: ${v}`)];
  if (req.body !== undefined) lines.push(`Content-Length: ${Buffer.byteLength(req.body)}`);
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: req.address, port });
    const chunks: Buffer[] = [];
    socket.setTimeout(req.timeoutMs ?? 5_000, () => socket.destroy(new Error(`no complete answer within ${req.timeoutMs ?? 5_000} ms`)));
    // No half-close: an HTTP/1.0 server ends the connection itself after its answer.
    socket.on('connect', () => socket.write(`${lines.join('\r\n')}\r\n\r\n${req.body ?? ''}`));
    socket.on('data', (c) => chunks.push(c));
    socket.on('error', reject);
    socket.on('close', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      const split = raw.indexOf('\r\n\r\n');
      const head = split >= 0 ? raw.slice(0, split) : raw;
      const [statusLine, ...headerLines] = head.split('\r\n');
      const status = Number(statusLine.split(' ')[1]);
      if (!Number.isInteger(status)) return reject(new Error(`not an HTTP response: ${JSON.stringify(raw.slice(0, 100))}`));
      const headers: Record<string, string> = {};
      for (const line of headerLines) {
        const i = line.indexOf(':');
        if (i > 0) headers[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim();
      }
      const text = split >= 0 ? raw.slice(split + 4) : '';
      resolve({ status, headers, text, echo: parseEcho(text), durationMs: performance.now() - started });
    });
  });
}

export interface ServedCertificate {
  /** Whether the chain verified against the given CA and the name matched. */
  authorized: boolean;
  authorizationError?: string;
  subjectAltNames: string[];
  commonName?: string;
  fingerprint256: string;
  protocol?: string;
}

/** Opens a TLS connection with SNI and reports the certificate the server chose. */
export function inspectCertificate(options: { address: string; port?: number; sni: string; ca?: string; timeoutMs?: number }): Promise<ServedCertificate> {
  return new Promise((resolve, reject) => {
    const socket = tls.connect({ host: options.address, port: options.port ?? 443, servername: options.sni, ca: options.ca, rejectUnauthorized: false });
    socket.setTimeout(options.timeoutMs ?? 5_000, () => socket.destroy(new Error(`TLS handshake with ${options.address} (SNI ${options.sni}) did not finish in time`)));
    socket.on('error', reject);
    socket.on('secureConnect', () => {
      const cert = socket.getPeerCertificate();
      const identityError = cert && Object.keys(cert).length ? tls.checkServerIdentity(options.sni, cert) : new Error('no certificate');
      const authorizationError = socket.authorizationError ? String(socket.authorizationError) : identityError?.message;
      resolve({
        authorized: socket.authorized && !identityError,
        authorizationError,
        subjectAltNames: (cert.subjectaltname ?? '').split(', ').filter(Boolean).map((s) => s.replace(/^DNS:/, '')),
        commonName: typeof cert.subject?.CN === 'string' ? cert.subject.CN : undefined,
        fingerprint256: cert.fingerprint256,
        protocol: socket.getProtocol() ?? undefined,
      });
      socket.end();
    });
  });
}
