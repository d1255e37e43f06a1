import http from 'node:http';
import { scenario } from '../../harness/scenario/define.ts';
import { send, type HttpResponse } from '../../harness/traffic/client.ts';

const HOST = 'response-headers.example';

/** Server and Date as every HTTP answer of an ingress proxy should carry them (RFC 9110 §10.2.4, §6.6.1). */
function serverAndDate(want: { server?: string }) {
  return ({ headers }: HttpResponse): string | undefined => {
    const server = headers.server;
    if (typeof server !== 'string' || server.trim() === '') return `no Server header (got ${JSON.stringify(server)})`;
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
  description: 'proxied and proxy-made answers carry Server (a backend\'s own kept) and Date, the backend\'s Content-Length and Content-Type pass through, over HTTP/1.1',
  fixtures: ['ingress/response-headers.yaml'],
  async run(ctx) {
    await ctx.echoBackend('plain');
    await ctx.kube.waitForDeployment(ctx.namespace, 'named', ctx.timeouts.deploymentReady);
    const at = (path: string) => ({ address: ctx.ingressAddress(), host: HOST, path });
    const both = (...checks: ((r: HttpResponse) => string | undefined)[]) => (r: HttpResponse) => checks.map((c) => c(r)).find((p) => p !== undefined);
    await ctx.expectHttp('Server, Date, Content-Length and Content-Type', [
      { request: at('/plain'), expect: { backend: 'plain', check: both(serverAndDate({}), passedThrough) } },
      { request: at('/named'), expect: { backend: 'named', check: both(serverAndDate({ server: 'vipcheck-echo/1.0' }), passedThrough) } },
      { request: at('/unrouted'), expect: { status: 404, check: serverAndDate({}) } },
    ]);
    // A Service that does not exist: 503, or 404 where a controller drops such a path; either way the proxy's own answer.
    await ctx.eventually('the answer for a missing Service names its server and date', async () => {
      const response = await send(at('/absent'));
      const problem = [404, 503].includes(response.status) ? serverAndDate({})(response) : `status ${response.status}, want 503 or 404`;
      return { ok: problem === undefined, observed: problem ?? `${response.status} with Server ${response.headers.server}` };
    });
    for (const path of ['/plain', '/unrouted']) {
      const version = await versionOf(ctx.ingressAddress(), path);
      if (version !== '1.1') throw new Error(`GET ${path}: answered over HTTP/${version}, want HTTP/1.1`);
    }
  },
});
