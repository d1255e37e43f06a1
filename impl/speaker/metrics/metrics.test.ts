import { afterEach, describe, expect, it } from 'vitest';
import { MetricsRegistry } from './metrics.ts';
import { startMetricsServer, type MetricsServer } from './server.ts';

describe('MetricsRegistry', () => {
  it('renders gauges and counters in the Prometheus text format', () => {
    const registry = new MetricsRegistry();
    const stale = registry.gauge('x_stale', 'stale flag');
    const total = registry.counter('x_total', 'things');
    stale.set(1);
    total.inc({ result: 'ok' });
    total.inc({ result: 'ok' }, 2);
    total.inc({ result: 'say "hi"\n' });
    expect(registry.render()).toBe([
      '# HELP x_stale stale flag', '# TYPE x_stale gauge', 'x_stale 1',
      '# HELP x_total things', '# TYPE x_total counter', 'x_total{result="ok"} 3', 'x_total{result="say \\"hi\\"\\n"} 1', '',
    ].join('\n'));
    expect(() => registry.gauge('x_stale', 'again')).toThrow('registered twice');
  });

  it('refreshes collected gauges on every render', () => {
    const registry = new MetricsRegistry();
    const gauge = registry.gauge('x_live', 'live');
    let n = 0;
    registry.onCollect(() => {
      gauge.reset();
      gauge.set(++n, { pool: 'p' });
    });
    expect(registry.render()).toContain('x_live{pool="p"} 1');
    expect(registry.render()).toContain('x_live{pool="p"} 2');
  });
});

describe('metrics server', () => {
  let server: MetricsServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it('serves /metrics and /healthz on loopback', async () => {
    const registry = new MetricsRegistry();
    registry.gauge('x_up', 'up').set(1);
    let problem: string | undefined = 'no config loaded';
    server = await startMetricsServer({ port: 0, host: '127.0.0.1', registry, unhealthy: () => problem });
    const base = `http://127.0.0.1:${server.port}`;
    const metrics = await fetch(`${base}/metrics`);
    expect(metrics.headers.get('content-type')).toContain('text/plain; version=0.0.4');
    expect(await metrics.text()).toContain('x_up 1');
    const unhealthy = await fetch(`${base}/healthz`);
    expect([unhealthy.status, await unhealthy.text()]).toEqual([503, 'no config loaded\n']);
    problem = undefined;
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    expect((await fetch(`${base}/other`)).status).toBe(404);
  });
});
