import { scenario } from '../../harness/scenario/define.ts';
import type { HttpResponse } from '../../harness/traffic/client.ts';

scenario({
  id: 'ingress-forwarded-headers',
  suite: 'ingress',
  feature: 'ingress-forwarded-headers',
  description: "the backend sees the original Host, X-Forwarded-For with the outside client's address, and X-Forwarded-Proto",
  fixtures: ['ingress/forwarded-headers.yaml'],
  async run(ctx) {
    await ctx.echoBackend('app');
    const client = ctx.runtime.vars.clientAddress;
    if (typeof client !== 'string') throw new Error(`the ${ctx.runtime.provider.name} provider gives no clientAddress variable: cannot tell which X-Forwarded-For is right`);
    const seen = (response: HttpResponse) => {
      const echo = response.echo!;
      const forwardedFor = (echo.headers['x-forwarded-for'] ?? []).join(',').split(',').map((a) => a.trim());
      if (echo.host !== 'forwarded-headers.example') return `backend saw Host ${JSON.stringify(echo.host)}, want "forwarded-headers.example"`;
      if (!forwardedFor.includes(client)) return `backend saw X-Forwarded-For ${JSON.stringify(echo.headers['x-forwarded-for'])}, want it to contain ${client}`;
      if (echo.headers['x-forwarded-proto']?.join(',') !== 'http') return `backend saw X-Forwarded-Proto ${JSON.stringify(echo.headers['x-forwarded-proto'])}, want "http"`;
      return undefined;
    };
    await ctx.expectHttp('forwarded headers at the backend', [
      { request: { address: ctx.ingressAddress(), host: 'forwarded-headers.example', path: '/' }, expect: { backend: 'app', check: seen } },
    ]);
  },
});
