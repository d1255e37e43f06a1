// Header rewriting between client and upstream. Headers travel as flat raw
// arrays ([name, value, name, value, …], like IncomingMessage.rawHeaders) so
// order, case and repeats survive the trip.
//
// Hop-by-hop headers (RFC 9110 §7.6.1) are meant for one connection only and
// are removed in both directions: Connection and every header it lists,
// Keep-Alive, Proxy-Connection, TE, Transfer-Encoding and Upgrade — except
// that an upgrade request keeps "Connection: upgrade" and Upgrade, which is
// what asks the upstream to switch protocols. Node re-frames bodies itself.

export type RawHeaders = string[];

const ALWAYS_HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'te', 'transfer-encoding', 'upgrade']);
/** Set by the proxy, never passed through; Expect is answered by the proxy itself; Host is re-added first. */
const REPLACED_UPSTREAM = new Set(['x-forwarded-for', 'x-forwarded-proto', 'x-forwarded-host', 'x-forwarded-port', 'expect', 'host']);

/** Lower-case names of the headers a message's Connection header lists. */
export function connectionTokens(raw: RawHeaders): Set<string> {
  const tokens = new Set<string>();
  for (let i = 0; i + 1 < raw.length; i += 2) {
    if (raw[i].toLowerCase() !== 'connection') continue;
    for (const token of raw[i + 1].split(',')) {
      const t = token.trim().toLowerCase();
      if (t) tokens.add(t);
    }
  }
  return tokens;
}

/** raw without hop-by-hop headers (and without any name in `alsoDrop`). */
export function withoutHopByHop(raw: RawHeaders, alsoDrop?: ReadonlySet<string>): RawHeaders {
  const listed = connectionTokens(raw);
  const out: RawHeaders = [];
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i].toLowerCase();
    if (ALWAYS_HOP_BY_HOP.has(name) || listed.has(name) || alsoDrop?.has(name)) continue;
    out.push(raw[i], raw[i + 1]);
  }
  return out;
}

export interface ForwardContext {
  /** The client's address as the proxy sees it (appended to X-Forwarded-For). */
  clientAddress: string;
  /** Scheme the client used to reach the proxy. */
  proto: 'http' | 'https';
  /** The proxy's address and port the client connected to. */
  localAddress: string;
  port: number;
  /** The Host the client asked for (or the authority of an absolute-form target). */
  host: string | undefined;
  /** An Upgrade request that keeps its Connection/Upgrade headers. */
  upgrade?: string;
}

/**
 * The headers sent upstream: hop-by-hop removed, Expect removed (the proxy
 * answers 100-continue itself), the original Host kept (set from the
 * absolute-form authority when the client sent one; the proxy's own address
 * when the client sent none), X-Forwarded-For appended,
 * X-Forwarded-Proto/-Host/-Port set by the proxy (-Host only when the client
 * named a host).
 */
export function upstreamRequestHeaders(raw: RawHeaders, ctx: ForwardContext): RawHeaders {
  const forwardedFor: string[] = [];
  for (let i = 0; i + 1 < raw.length; i += 2) {
    if (raw[i].toLowerCase() === 'x-forwarded-for') forwardedFor.push(raw[i + 1].trim());
  }
  const out = withoutHopByHop(raw, REPLACED_UPSTREAM);
  // HTTP/1.1 upstream requests need a Host: a client without one (HTTP/1.0) addressed the proxy itself.
  out.unshift('Host', ctx.host ?? authority(ctx.localAddress, ctx.port));
  forwardedFor.push(ctx.clientAddress);
  out.push('X-Forwarded-For', forwardedFor.filter((v) => v !== '').join(', '), 'X-Forwarded-Proto', ctx.proto);
  if (ctx.host !== undefined) out.push('X-Forwarded-Host', ctx.host);
  out.push('X-Forwarded-Port', String(ctx.port));
  // A chunked body loses its Transfer-Encoding here: the client library re-frames it.
  if (ctx.upgrade) out.push('Connection', 'upgrade', 'Upgrade', ctx.upgrade);
  return out;
}

function authority(address: string, port: number): string {
  return address.includes(':') ? `[${address}]:${port}` : `${address}:${port}`;
}

/**
 * Headers of an upstream response as sent to the client: hop-by-hop removed
 * (Node sets its own framing, and a Date when the upstream sent none, as
 * RFC 9110 §6.6.1 asks of a forwarding recipient), and `server` as Server
 * when the upstream named no server of its own (its own is kept as is).
 */
export function clientResponseHeaders(raw: RawHeaders, server?: string): RawHeaders {
  const out = withoutHopByHop(raw);
  if (server !== undefined && headerValue(out, 'server') === undefined) out.push('Server', server);
  return out;
}

/** A 101 Switching Protocols head for the client, keeping Connection: upgrade and Upgrade. */
export function switchingProtocolsHead(raw: RawHeaders, statusMessage: string | undefined, server?: string): string {
  const upgrade = headerValue(raw, 'upgrade');
  const lines = [`HTTP/1.1 101 ${statusMessage || 'Switching Protocols'}`];
  const kept = clientResponseHeaders(raw, server);
  for (let i = 0; i + 1 < kept.length; i += 2) lines.push(`${kept[i]}: ${kept[i + 1]}`);
  lines.push('Connection: Upgrade');
  if (upgrade) lines.push(`Upgrade: ${upgrade}`);
  return `${lines.join('\r\n')}\r\n\r\n`;
}

/** The first value of a header, case-insensitively. */
export function headerValue(raw: RawHeaders, name: string): string | undefined {
  for (let i = 0; i + 1 < raw.length; i += 2) {
    if (raw[i].toLowerCase() === name) return raw[i + 1];
  }
  return undefined;
}
