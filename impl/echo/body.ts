// Building the echo body (its shape: lib/echo-body.ts) from a request.
import type { IncomingMessage } from 'node:http';
import type { TLSSocket } from 'node:tls';
import type { EchoBody, EchoIdentity, EchoTls } from '../../lib/echo-body.ts';

export type { EchoBody, EchoTls };

/** Groups raw header pairs by lower-case name, keeping repeats as separate values. */
export function headerLists(rawHeaders: readonly string[]): Record<string, string[]> {
  const headers: Record<string, string[]> = {};
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    const name = rawHeaders[i].toLowerCase();
    (headers[name] ??= []).push(rawHeaders[i + 1]);
  }
  return headers;
}

/** "::ffff:127.0.0.1" → "127.0.0.1": IPv4 clients on a dual-stack socket report their plain address. */
export function plainAddress(address: string | undefined): string | null {
  if (!address) return null;
  return address.startsWith('::ffff:') && address.includes('.') ? address.slice(7) : address;
}

export function tlsOf(req: IncomingMessage): EchoTls | null {
  const socket = req.socket as Partial<TLSSocket>;
  if (!socket.encrypted) return null;
  const tls = socket as TLSSocket;
  const servername = (tls as TLSSocket & { servername?: string | false }).servername;
  return {
    serverName: typeof servername === 'string' && servername !== '' ? servername : null,
    version: tls.getProtocol() ?? null,
    cipher: tls.getCipher()?.name ?? null,
  };
}

export function describeRequest(
  req: IncomingMessage,
  identity: EchoIdentity,
  body: { text: string; bytes: number; truncated: boolean },
): EchoBody {
  return {
    path: req.url ?? '',
    host: req.headers.host ?? null,
    method: req.method ?? '',
    proto: `HTTP/${req.httpVersion}`,
    headers: headerLists(req.rawHeaders),
    ...identity,
    remoteAddress: plainAddress(req.socket.remoteAddress),
    remotePort: req.socket.remotePort ?? null,
    tls: tlsOf(req),
    body: body.text,
    bodyBytes: body.bytes,
    bodyTruncated: body.truncated,
  };
}
