// The HTTP endpoint of a role: /metrics (Prometheus text) and /healthz.
import http from 'node:http';
import type { MetricsRegistry } from './metrics.ts';
import { listen } from '../../../lib/listen.ts';

export interface MetricsServerOptions {
  port: number;
  host?: string;
  registry: MetricsRegistry;
  /** Undefined when healthy, otherwise the reason /healthz answers 503. */
  unhealthy: () => string | undefined;
}

export interface MetricsServer {
  port: number;
  close(): Promise<void>;
}

export async function startMetricsServer(options: MetricsServerOptions): Promise<MetricsServer> {
  const server = http.createServer((request, response) => {
    const path = (request.url ?? '/').split('?')[0];
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.writeHead(405, { allow: 'GET, HEAD' }).end();
    } else if (path === '/metrics') {
      response.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' }).end(options.registry.render());
    } else if (path === '/healthz') {
      const problem = options.unhealthy();
      response.writeHead(problem === undefined ? 200 : 503, { 'content-type': 'text/plain; charset=utf-8' }).end(problem === undefined ? 'ok\n' : `${problem}\n`);
    } else {
      response.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('not found: try /metrics or /healthz\n');
    }
  });
  const port = await listen(server, options.port, options.host ?? '0.0.0.0');
  return {
    port,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
