// The part of the kubelet API the apiserver calls for `kubectl logs`:
// GET /containerLogs/{namespace}/{pod}/{container} over TLS, with the
// client certificate verified against the cluster CA. Everything else the
// kubelet serves is answered with a clear 404/501.
import { open, type FileHandle } from 'node:fs/promises';
import https from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { parseLogLine, renderLine, renderLogs, type LogQuery } from './container-logs.ts';
import type { LogLocation } from './container-log-files.ts';

/** Finds a pod's log file by the kubelet's rules; a string is the error message. */
export interface LogLookup {
  logLocation(namespace: string, pod: string, container: string, previous: boolean): LogLocation | string | undefined;
}

export interface LogServerOptions {
  host: string;
  port: number;
  cert: string | Buffer;
  key: string | Buffer;
  ca: string | Buffer;
  lookup: LogLookup;
  log: (line: string) => void;
  /** How often a follow looks for new output. */
  followPollMs?: number;
}

export class BadLogQuery extends Error {}

export interface ParsedLogQuery extends LogQuery {
  follow: boolean;
  previous: boolean;
}

function flag(value: string | null): boolean {
  return value === 'true' || value === '1';
}

function nonNegativeInt(params: URLSearchParams, name: string): number | undefined {
  const value = params.get(name);
  if (value === null || value === '') return undefined;
  if (!/^\d+$/.test(value)) throw new BadLogQuery(`query parameter ${name} must be a non-negative integer, got "${value}"`);
  return Number(value);
}

/** The PodLogOptions of a /containerLogs query. */
export function parseLogQuery(params: URLSearchParams, now: Date): ParsedLogQuery {
  const tail = params.get('tail') ?? undefined; // old spelling of tailLines
  const tailLines = tail !== undefined && tail !== 'all' ? nonNegativeInt(new URLSearchParams({ tailLines: tail }), 'tailLines') : nonNegativeInt(params, 'tailLines');
  const sinceSeconds = nonNegativeInt(params, 'sinceSeconds');
  const sinceTimeText = params.get('sinceTime');
  let sinceTime: Date | undefined;
  if (sinceTimeText) {
    sinceTime = new Date(sinceTimeText);
    if (Number.isNaN(sinceTime.getTime())) throw new BadLogQuery(`query parameter sinceTime must be an RFC 3339 time, got "${sinceTimeText}"`);
  }
  if (sinceSeconds !== undefined) {
    if (sinceTime) throw new BadLogQuery('at most one of sinceTime and sinceSeconds may be given');
    sinceTime = new Date(now.getTime() - sinceSeconds * 1000);
  }
  const limitBytes = nonNegativeInt(params, 'limitBytes');
  return { follow: flag(params.get('follow')), previous: flag(params.get('previous')), timestamps: flag(params.get('timestamps')), tailLines, limitBytes, sinceTime };
}

const UNSUPPORTED = new Set(['exec', 'attach', 'portForward', 'run', 'pods', 'stats', 'metrics', 'configz', 'checkpoint']);

export function startLogServer(options: LogServerOptions): Promise<https.Server> {
  const server = https.createServer(
    { cert: options.cert, key: options.key, ca: options.ca, requestCert: true, rejectUnauthorized: true },
    (req, res) => {
      handle(req, res, options).catch((error: Error) => {
        options.log(`log endpoint: ${req.method} ${req.url} failed: ${error.message}`);
        if (!res.headersSent) reply(res, 500, `internal error: ${error.message}`);
        else res.destroy();
      });
    },
  );
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve(server);
    });
  });
}

function reply(res: ServerResponse, status: number, message: string): void {
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8' });
  res.end(`${message}\n`);
}

async function handle(req: IncomingMessage, res: ServerResponse, options: LogServerOptions): Promise<void> {
  const url = new URL(req.url ?? '/', 'https://node');
  const parts = url.pathname.split('/').filter(Boolean).map(decodeURIComponent);
  if (url.pathname === '/healthz') return reply(res, 200, 'ok');
  if (parts[0] === 'containerLogs' && parts.length !== 4) {
    return reply(res, 400, `expected /containerLogs/{namespace}/{pod}/{container}, got ${url.pathname}`);
  }
  if (parts[0] !== 'containerLogs') {
    if (UNSUPPORTED.has(parts[0] ?? '')) {
      return reply(res, 501, `the vipcheck node agent does not implement ${url.pathname} (only /containerLogs/{namespace}/{pod}/{container} and /healthz)`);
    }
    return reply(res, 404, `the vipcheck node agent serves only /containerLogs/{namespace}/{pod}/{container} and /healthz, not ${url.pathname}`);
  }
  if (req.method !== 'GET') return reply(res, 405, `${req.method} is not allowed on ${url.pathname}`);
  const [, namespace, pod, container] = parts;
  let query: ParsedLogQuery;
  try {
    query = parseLogQuery(url.searchParams, new Date());
  } catch (error) {
    return reply(res, 400, (error as Error).message);
  }
  const location = options.lookup.logLocation(namespace, pod, container, query.previous);
  if (location === undefined) return reply(res, 404, `pod "${pod}" does not exist`);
  if (typeof location === 'string') return reply(res, location.includes('not found in pod') ? 404 : 400, location);
  await streamLogs(location, query, res, options.followPollMs ?? 250);
}

async function streamLogs(location: LogLocation, query: ParsedLogQuery, res: ServerResponse, pollMs: number): Promise<void> {
  let file: FileHandle | undefined;
  try {
    file = await open(location.file, 'r');
  } catch {
    // The run has produced no output yet.
    res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' });
    if (query.follow && location.isRunning()) file = await waitForFile(location, res, pollMs);
    if (!file) return void res.end();
  }
  try {
    if (!res.headersSent) res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' });
    let budget = query.limitBytes ?? Infinity;
    const send = (text: string): boolean => {
      if (budget <= 0 || text.length === 0) return budget > 0;
      const bytes = Buffer.from(text);
      const chunk = bytes.length > budget ? bytes.subarray(0, budget) : bytes;
      budget -= chunk.length;
      res.write(chunk);
      return budget > 0;
    };
    const { size } = await file.stat();
    const existing = size > 0 ? (await file.read(Buffer.alloc(size), 0, size, 0)).buffer.toString() : '';
    const complete = existing.lastIndexOf('\n') + 1;
    let offset = Buffer.byteLength(existing.slice(0, complete));
    const more = send(renderLogs(existing.slice(0, complete), { ...query, limitBytes: undefined }));
    if (!query.follow || !more) return;

    let closed = false;
    res.once('close', () => (closed = true));
    let partial = '';
    for (;;) {
      const running = location.isRunning();
      const { size: now } = await file.stat();
      if (now > offset) {
        const { buffer, bytesRead } = await file.read(Buffer.alloc(now - offset), 0, now - offset, offset);
        offset += bytesRead;
        const text = partial + buffer.subarray(0, bytesRead).toString();
        const end = text.lastIndexOf('\n') + 1;
        partial = text.slice(end);
        let out = '';
        for (const line of text.slice(0, end).split('\n')) {
          const parsed = parseLogLine(line);
          if (parsed && (!query.sinceTime || parsed.time >= query.sinceTime)) out += renderLine(parsed, query.timestamps ?? false);
        }
        if (!send(out)) return;
        continue;
      }
      if (!running || closed) return;
      await new Promise((resolve) => setTimeout(resolve, pollMs));
    }
  } finally {
    await file.close();
    res.end();
  }
}

async function waitForFile(location: LogLocation, res: ServerResponse, pollMs: number): Promise<FileHandle | undefined> {
  let closed = false;
  res.once('close', () => (closed = true));
  while (!closed && location.isRunning()) {
    await new Promise((resolve) => setTimeout(resolve, pollMs));
    try {
      return await open(location.file, 'r');
    } catch {
      // still nothing written
    }
  }
  return undefined;
}
