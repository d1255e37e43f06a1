import { scenario } from '../../harness/scenario/define.ts';
import type { HttpCase } from '../../harness/traffic/expect.ts';

const METHODS = ['GET', 'POST', 'PUT', 'DELETE', 'PATCH'];
const PATH = '/some/path?x=1&y=two';

// Disruptive: its default backend answers every request no other scenario's rule matches (their 404 cases).
scenario({
  id: 'ingress-default-backend',
  suite: 'ingress',
  feature: 'ingress-core',
  disruptive: true,
  description: 'an Ingress with only defaultBackend: GET, POST, PUT, DELETE, PATCH, with and without a Host header, reach it with method, path, query, headers and body intact',
  fixtures: ['ingress/default-backend.yaml'],
  async run(ctx) {
    // Pass or fail, the catch-all goes: a namespace kept for a failure must not answer other scenarios' requests.
    ctx.defer(() => ctx.kube.deleteObject({ apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', metadata: { namespace: ctx.namespace, name: 'default-only' } }));
    await ctx.echoBackend('fallback');
    const request = (method: string, host: string | null): HttpCase => {
      const tag = `${method}-${host === null ? 'no-host' : 'host'}`;
      const body = ['POST', 'PUT', 'PATCH'].includes(method) ? `body of ${tag}` : undefined;
      return {
        request: { address: ctx.ingressAddress(), host, method, path: PATH, headers: { 'x-vipcheck-case': tag }, body },
        expect: {
          backend: 'fallback',
          path: PATH,
          check: ({ echo }) => {
            if (echo!.method !== method) return `backend saw method ${echo!.method}, want ${method}`;
            if (echo!.headers['x-vipcheck-case']?.join() !== tag) return `backend saw x-vipcheck-case ${JSON.stringify(echo!.headers['x-vipcheck-case'])}, want ${tag}`;
            if (body !== undefined && echo!.body !== body) return `backend saw body ${JSON.stringify(echo!.body)}, want ${JSON.stringify(body)}`;
            return undefined;
          },
        },
      };
    };
    await ctx.expectHttp('every method, with and without Host, at the default backend', [
      ...METHODS.map((m) => request(m, 'any-host.default-backend.example')),
      ...METHODS.map((m) => request(m, null)),
    ]);
  },
});
