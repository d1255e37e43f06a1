import http from 'node:http';
import { scenario } from '../../harness/scenario/define.ts';
import { send, type HttpResponse } from '../../harness/traffic/client.ts';

const HOST = 'response-headers.example';

/**
 * Date on every answer (RFC 9110 §6.6.1: a server with a clock sends it), a
 * backend's own Server kept, and a Server of the proxy's own where the target
 * claims ingress-server-header (RFC 9110 §10.2.4 makes it optional).
 */
function serverAndDate(want: { server?: string; proxyServer: boolean }) {
  return ({ headers }: HttpResponse): string | undefined => {
    const server = headers.server;
    const missing = typeof server !== 'string' || server.trim() === '';
    if (missing && (want.proxyServer || want.server !== undefined)) return `no Server header (got ${JSON.stringify(server)})`;
    if (want.server !== undefined && server !== want.server) return `Server ${JSON.stringify(server)}, want the backend's own ${JSON.stringify(want.server)}`;
    const date = Date.parse(String(headers.date));
    if (Number.isNaN(date) || Math.abs(Date.now() - date) > 5 * 60_000) return `Date ${JSON.stringify(headers.date)} is not the current time`;
    return undefined;
  };
}

/** Content-Length as the body arrived, and the backend's Content-Type. */
function passedThrough(response: HttpResponse): string | undefined {
  if (response.headers['content-type'] !== 'application/json') return `Content-Type ${JSON.stringify(response.headers['content-type'])}, want the echo's application/json`;
  const length = Buffer.byteLength(response.text);
  if (response.headers['content-length'] !== String(length)) return `Content-Length ${JSON.stringify(response.headers['content-length'])}, want ${length} (the body's length)`;
  return undefined;
}

/** The HTTP version of the status line (undici does not say). */
function versionOf(address: string, path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: address, path, headers: { host: HOST }, agent: false, timeout: 5_000 }, (res) => {
      res.resume();
      resolve(res.httpVersion);
    });
    req.on('timeout', () => req.destroy(new Error(`no answer to GET ${path} within 5 s`)));
    req.on('error', reject);
  });
}

scenario({
  id: 'ingress-response-headers',
  suite: 'ingress',
  feature: 'ingress-core',
  alsoChecks: ['ingress-server-header'],
  description: 'proxied and proxy-made answers carry Date and a backend\'s own Server (and one of the proxy\'s own where ingress-server-header is claimed), the backend\'s Content-Length and Content-Type pass through, over HTTP/1.1',
  fixtures: ['ingress/response-headers.yaml'],
  async run(ctx) {
    const proxyServer = ctx.claims('ingress-server-header');
    await ctx.echoBackend('plain');
    await ctx.kube.waitForDeployment(ctx.namespace, 'named', ctx.timeouts.deploymentReady);
    const at = (path: string) => ({ address: ctx.ingressAddress(), host: HOST, path });
    const both = (...checks: ((r: HttpResponse) => string | undefined)[]) => (r: HttpResponse) => checks.map((c) => c(r)).find((p) => p !== undefined);
    await ctx.expectHttp('Server, Date, Content-Length and Content-Type', [
      { request: at('/plain'), expect: { backend: 'plain', check: both(serverAndDate({ proxyServer }), passedThrough) } },
      { request: at('/named'), expect: { backend: 'named', check: both(serverAndDate({ server: 'vipcheck-echo/1.0', proxyServer }), passedThrough) } },
      { request: at('/unrouted'), expect: { status: 404, check: serverAndDate({ proxyServer }) } },
    ]);
    // A Service that does not exist: 503, or 404 where a controller drops such a path; either way the proxy's own answer.
    await ctx.eventually('the answer for a missing Service names its server and date', async () => {
      const response = await send(at('/absent'));
      const problem = [404, 503].includes(response.status) ? serverAndDate({ proxyServer })(response) : `status ${response.status}, want 503 or 404`;
      return { ok: problem === undefined, observed: problem ?? `${response.status} with Server ${response.headers.server}` };
    });
    for (const path of ['/plain', '/unrouted']) {
      const version = await versionOf(ctx.ingressAddress(), path);
      if (version !== '1.1') throw new Error(`GET ${path}: answered over HTTP/${version}, want HTTP/1.1`);
    }
  },
});
