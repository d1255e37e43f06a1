// The controller's own port: liveness (/healthz), readiness (/readyz: a
// routing snapshot is loaded and we are not draining) and Prometheus /metrics.
// Separate from the proxy ports so probes never compete with traffic rules.
import http from 'node:http';
import type { ProxyMetrics } from '../metrics.ts';
import { listen } from '../../../lib/listen.ts';

export interface AdminServer {
  readonly port: number;
  close(): Promise<void>;
}

export async function startAdminServer(options: { port: number; bindAddress?: string; metrics: ProxyMetrics; ready: () => { ok: boolean; why: string } }): Promise<AdminServer> {
  const server = http.createServer({ keepAliveTimeout: 5_000 }, (req, res) => {
    const path = (req.url ?? '').split('?')[0];
    const send = (status: number, type: string, body: string) => {
      res.writeHead(status, { 'Content-Type': type, 'Content-Length': Buffer.byteLength(body) });
      res.end(body);
    };
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(405, 'text/plain', 'only GET\n');
    if (path === '/healthz') return send(200, 'text/plain', 'ok\n');
    if (path === '/readyz') {
      const ready = options.ready();
      return send(ready.ok ? 200 : 503, 'text/plain', `${ready.why}\n`);
    }
    if (path === '/metrics') return send(200, 'text/plain; version=0.0.4; charset=utf-8', options.metrics.render());
    send(404, 'text/plain', 'endpoints: /healthz /readyz /metrics\n');
  });
  const port = await listen(server, options.port, options.bindAddress);
  return {
    port,
    close: () => new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    }),
  };
}
