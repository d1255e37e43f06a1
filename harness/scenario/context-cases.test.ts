import http from 'node:http';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ScenarioContext } from './context.ts';
import { resolveTimeouts } from './timeouts.ts';
import { closeConnections } from '../traffic/client.ts';
import type { Runtime } from './runtime.ts';
import type { Scenario } from './types.ts';

// The cases a scenario's context collects for the report, against a local echo-like server; no cluster is contacted.
describe('ScenarioContext cases', () => {
  let server: http.Server;
  let port: number;
  let dir: string;
  let ctx: ScenarioContext;
  beforeAll(async () => {
    server = http.createServer((req, res) => res.end(JSON.stringify({ method: req.method, path: req.url, headers: {}, service: 'web', pod: 'web-1' })));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
    dir = mkdtempSync(path.join(os.tmpdir(), 'vc-context-cases-'));
    const kubeconfig = path.join(dir, 'kubeconfig');
    writeFileSync(kubeconfig, [
      'apiVersion: v1', 'kind: Config', 'current-context: c',
      'clusters: [{ name: c, cluster: { server: "https://127.0.0.1:1" } }]',
      'users: [{ name: u, user: {} }]',
      'contexts: [{ name: c, context: { cluster: c, user: u } }]', '',
    ].join('\n'));
    const runtime = { provider: { name: 'local', kubeconfig, nodes: [] }, target: { name: 't', features: [] }, vars: {}, settings: { timeouts: resolveTimeouts(2_000), timeoutScale: 1, reportDir: dir, keepNamespaces: false } } as unknown as Runtime;
    ctx = new ScenarioContext({ id: 'ingress-cases', suite: 'ingress', feature: 'ingress-core', description: 'x', run: async () => {} } as Scenario, runtime);
  });
  afterAll(async () => {
    await closeConnections();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    rmSync(dir, { recursive: true, force: true });
  });

  it('collects the cases of every expectHttp, a failed one included, and recordCase, with unique names', async () => {
    const request = { address: '127.0.0.1', port, host: 'cases.example', path: '/' };
    await ctx.expectHttp('first', [{ request, expect: { backend: 'web' } }]);
    await ctx.expectHttp('again', [{ request, expect: { backend: 'web' } }], { consecutive: 1 });
    await expect(ctx.expectHttp('wrong backend', [{ name: 'wants api', request, expect: { backend: 'api' } }], { timeoutMs: 300, consecutive: 1 }))
      .rejects.toThrow(/wants api: answered by service "web"/);
    ctx.recordCase('route on the TOR', 'failed', 'no route for 198.19.0.1/32');
    ctx.recordCase('route on the TOR', 'passed', { summary: 'next hops 10.0.0.2' });
    const name = `GET cases.example:${port}/ → 200 from web`;
    expect(ctx.cases.map((c) => [c.name, c.status, c.wait])).toEqual([
      [name, 'passed', 'first'],
      [`${name} (2)`, 'passed', 'again'],
      ['wants api', 'failed', 'wrong backend'],
      ['route on the TOR', 'failed', undefined],
      ['route on the TOR (2)', 'passed', undefined],
    ]);
    expect(ctx.cases[3].observed).toEqual({ summary: 'no route for 198.19.0.1/32' });
  });
});
